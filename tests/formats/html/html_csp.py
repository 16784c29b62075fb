#!/usr/bin/env python3
"""The archive's Content-Security-Policy allows its own inline script and
style by hash, nothing by origin: on file://, 'self' matches every file on
the disk. A probe page in OUT, carrying the real index's policy, tries to
load a script, a stylesheet and a .txt as script from outside the
archive: none may load. Then the archive still works in Chromium: styled,
the filter and sort of the index, a page's details opening, a silent
console.

    python3 tests/formats/html/html_csp.py OUT [EMPTY]
(OUT: the sample export as html; EMPTY: an export of no conversations)
Also: a malformed fragment (#q=%E0%A4) leaves the index's script alive,
and its empty states are shown, never erased."""
import os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from cdp import Chrome

out = os.path.abspath(sys.argv[1])
bad = []
outside = os.path.dirname(out)
# outside the archive: a script, a style sheet, an "attachment" text that is script
open(os.path.join(outside, 'evil.js'), 'w').write("document.title='PW'+'NED-CSP';alert('evil.js');")
open(os.path.join(outside, 'evil.css'), 'w').write("body { background: rgb(1, 2, 3) !important; }")
open(os.path.join(outside, 'evil.txt'), 'w').write("document.title='PW'+'NED-TXT';alert('evil.txt');")
index = open(os.path.join(out, 'index.html'), encoding='utf-8').read()
head = index[:index.index('</head>')]
probe = head + ('<script src="../evil.js"></script><script src="../evil.txt"></script>'
                '<script src="file://%s/evil.js"></script>'
                '<link rel="stylesheet" href="../evil.css"></head><body><p id="p">probe</p></body></html>' % outside)
open(os.path.join(out, 'csp-probe.html'), 'w', encoding='utf-8').write(probe)
page = sorted(os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs
              if f.endswith('.html') and f not in ('index.html', 'csp-probe.html'))[0]

with Chrome(os.path.join(outside, 'csp-profile')) as c:
    t = c.open('file://' + os.path.join(out, 'csp-probe.html'))
    c.pump(None, 0.5)
    if 'PWNED' in t.eval('document.title'):
        bad.append('a script from outside the archive ran: ' + t.eval('document.title'))
    if t.eval('getComputedStyle(document.body).backgroundColor') == 'rgb(1, 2, 3)':
        bad.append('a style sheet from outside the archive applied')
    if not any('Content Security Policy' in m for m in c.console):
        bad.append('no CSP violation reported for the probe: %s' % c.console[:3])
    for d in c.dialogs:
        bad.append('probe: a dialog: ' + d)
    t.close()
    del c.console[:], c.exceptions[:], c.dialogs[:]

    # the archive still works
    t = c.open('file://' + os.path.join(out, 'index.html'))
    bg = t.eval('getComputedStyle(document.body).backgroundColor')
    if bg not in ('rgb(251, 251, 250)', 'rgb(20, 20, 22)'):
        bad.append('index: the style sheet did not apply (background %s)' % bg)
    n = t.eval('document.querySelectorAll("li.conv").length')
    t.eval('document.getElementById("q").focus()')
    c.call('Input.insertText', {'text': 'fwd'}, t.s)
    shown = t.eval('document.querySelectorAll("li.conv").length')
    if shown != 1 or t.eval('document.getElementById("count").textContent') != '1 of %d' % n:
        bad.append('index: the filter shows %s of %s' % (shown, n))
    if t.eval('location.hash') != '#q=fwd':
        bad.append('index: the filter is not kept in the address: %r' % t.eval('location.hash'))
    t.eval('var s = document.getElementById("sort"); s.value = "title"; s.dispatchEvent(new Event("change"))')
    t.eval('var q = document.getElementById("q"); q.value = ""; q.dispatchEvent(new Event("input"))')
    titles = t.eval('Array.prototype.map.call(document.querySelectorAll("li.conv"), function (l) { return l.getAttribute("data-t") })')
    if titles != sorted(titles) or len(titles) != n:
        bad.append('index: sort by title gave %r' % titles)
    t.close()
    # a malformed fragment does not kill the script; empty states stay
    for frag in ('#q=%E0%A4', '#sort=%', '#q=%', '#q=%%&starred=%ZZ'):
        t = c.open('file://' + os.path.join(out, 'index.html') + frag)
        if not t.eval('document.getElementById("count").textContent'):
            bad.append('index%s: the script died (%s)' % (frag, c.exceptions[-1:]))
        t.close()
    t = c.open('file://' + os.path.join(out, 'index.html') + '#q=nothing-has-this-title')
    if 'No conversation matches.' not in t.eval('document.getElementById("list").textContent'):
        bad.append('index: no empty state when nothing matches')
    t.close()
    if len(sys.argv) > 2:  # an export with no conversations
        t = c.open('file://' + os.path.join(os.path.abspath(sys.argv[2]), 'index.html'))
        if 'No conversations.' not in t.eval('document.getElementById("list").textContent'):
            bad.append('index of no conversations: the empty state was erased')
        t.close()
    t = c.open('file://' + page)
    if t.eval('getComputedStyle(document.body).backgroundColor') != bg:
        bad.append('page: the style sheet did not apply')
    if t.eval('document.querySelectorAll("details").length'):
        x, y = t.eval('(function () { var s = document.querySelector("details > summary"); s.scrollIntoView({block: "center"});'
                      ' var r = s.getBoundingClientRect(); return [r.left + 10, r.top + r.height / 2] })()')
        t.click_at(x, y)
        c.pump(None, 0.2)
        if not t.eval('document.querySelector("details").open'):
            bad.append('page: a click on <summary> did not open it')
    t.close()
    for m in c.console + c.exceptions:
        bad.append('console: %s' % m)
for f in ('evil.js', 'evil.css', 'evil.txt'):
    os.unlink(os.path.join(outside, f))
os.unlink(os.path.join(out, 'csp-probe.html'))
for b in bad:
    print(b)
print('html-csp: %d problems' % len(bad))
sys.exit(1 if bad else 0)
