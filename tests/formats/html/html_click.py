#!/usr/bin/env python3
"""No attachment may run: convert an export of hostile attachments (HTML,
SVG, XHTML, XML, XSLT, MHT, HTML inside a .txt and inside a binary, a PDF
with JavaScript; tests/formats/html/make_hostile.py) to md and html, then in
headless Chromium click every link and image of every page like a person
and open every copied file directly. A script that ran would pop a
dialog, retitle its page, or send a request to the listener this test
runs on 127.0.0.1: none may happen, no active document may open, and
every attachment must be stored under a name a browser renders inert.
A control proves the detector works: the same payload as a plain .html
and .svg file must be caught.

    python3 tests/formats/html/html_click.py GROKX WORKDIR"""
import http.server, os, re, subprocess, sys, threading

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from cdp import Chrome
import make_hostile

grokx, work = sys.argv[1], os.path.abspath(sys.argv[2])
os.makedirs(work, exist_ok=True)
bad = []
hits = []


class Listener(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(('127.0.0.1', 0), Listener)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = srv.server_port

assets = make_hostile.attachment_zip(os.path.join(work, 'att.zip'), port)
out = os.path.join(work, 'out')
# what an earlier grokx left: the SVG under its active name (same bytes: it
# goes), and a user's file of that name with other bytes (it stays)
svg_id = sorted(i for i in assets if assets[i][0] == 'svg')[0]
svg2_id = sorted(i for i in assets if assets[i][0] == 'svg-xml')[0]
old_dir = os.path.join(out, 'html', '2025', '06', 'attachments')
os.makedirs(old_dir, mode=0o700)
for d in (os.path.join(out, 'html'), os.path.join(out, 'html', '2025'), os.path.join(out, 'html', '2025', '06')):
    os.chmod(d, 0o700)
open(os.path.join(old_dir, svg_id + '.svg'), 'wb').write(assets[svg_id][1])
open(os.path.join(old_dir, svg2_id + '.svg'), 'wb').write(b'<svg>mine</svg>')
os.chmod(os.path.join(old_dir, svg2_id + '.svg'), 0o600)
os.chmod(os.path.join(old_dir, svg_id + '.svg'), 0o600)
r = subprocess.run([grokx, 'convert', '-q', '-f', 'md,html', '-o', out, os.path.join(work, 'att.zip')],
                   capture_output=True, text=True)
if r.returncode > 1:
    print('convert failed: %d %s' % (r.returncode, r.stderr))
    sys.exit(1)

if os.path.exists(os.path.join(old_dir, svg_id + '.svg')):
    bad.append('the active copy an earlier run left was not removed')
if not os.path.exists(os.path.join(old_dir, svg2_id + '.svg')):
    bad.append('a file grokx did not write was removed')
os.unlink(os.path.join(old_dir, svg2_id + '.svg'))
# every copy under a name Chromium opens inertly (layout.c: gx_asset_inert_ext)
INERT = {'txt', 'json', 'png', 'jpg', 'gif', 'webp', 'bmp', 'ico', 'tiff', 'heic', 'wav', 'mp3', 'ogg',
         'flac', 'm4a', 'mp4', 'mov', 'webm', 'zip', 'gz', 'docx', 'xlsx', 'pptx', 'bin', 'pdf'}
copies = []
for d, _, files in os.walk(out):
    if os.path.basename(d) == 'attachments':
        for f in files:
            copies.append(os.path.join(d, f))
            if f.rsplit('.', 1)[-1].lower() not in INERT:
                bad.append('attachment stored under an active name: ' + os.path.relpath(os.path.join(d, f), out))
if len(copies) != 2 * len(assets):
    bad.append('%d copies for %d attachments in two formats' % (len(copies), len(assets)))
page = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(out, 'html')) for f in fs
        if f.endswith('.html') and f != 'index.html']
html = open(page[0], encoding='utf-8').read() if len(page) == 1 else ''
if html.count('<img src="data:image/svg+xml;base64,') != 3:  # two uploads and the generated one
    bad.append('the SVGs are not shown from data: URLs: %d' % html.count('data:image/svg+xml'))

# the notes link the same inert copies, and embed only raster images
RASTER = ('png', 'jpg', 'gif', 'webp', 'bmp', 'ico')
for d, _, fs in os.walk(os.path.join(out, 'md')):
    for f in fs:
        if f.endswith('.md') and f[:4].isdigit() and len(f) > 7:
            note = open(os.path.join(d, f), encoding='utf-8').read()
            links = re.findall(r'(!?)\[[^\]]*\]\(<(attachments/[^>]+)>\)', note)
            if len(links) < len(assets):
                bad.append('%s links %d attachments' % (f, len(links)))
            for embed, target in links:
                if not os.path.isfile(os.path.join(d, target)):
                    bad.append('%s links a missing copy: %s' % (f, target))
                if embed and not target.endswith(RASTER):
                    bad.append('%s embeds what is no raster image: %s' % (f, target))
# what a click may open: our own pages, text, raster images, media
OURS = 'file://' + os.path.join(out, 'html') + '/'
INERT_TYPES = ('text/plain', 'application/json', 'image/png', 'image/jpeg', 'image/gif', 'image/webp')

CLICKABLE = '''(function () {
  var els = Array.prototype.slice.call(document.querySelectorAll("a[href], img"));
  return els.map(function (e, i) { return i; });
})()'''
CENTER = '''(function (i) {
  var e = document.querySelectorAll("a[href], img")[i];
  e.scrollIntoView({block: "center"});
  var r = e.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2, e.outerHTML.slice(0, 120)];
})(%d)'''

with Chrome(os.path.join(work, 'profile')) as c:
    def opened(what, navs):
        for _, url, mime in navs:
            if url.startswith(OURS) and '/attachments/' not in url and url.split('#')[0].endswith('.html'):
                continue
            if mime not in INERT_TYPES:
                bad.append('%s opened an active document: %s (%s)' % (what, url, mime))

    # the control: the payload as plain files is caught
    ctl = os.path.join(work, 'control')
    os.makedirs(ctl, exist_ok=True)
    for kind in ('html', 'svg'):
        body = [v for k, v in assets.values() if k == kind][0]
        p = os.path.join(ctl, 'control.' + kind)
        open(p, 'wb').write(body)
        n, h = len(c.dialogs), len(hits)
        t = c.open('file://' + p)
        c.pump(None, 1.0)
        t.close()
        if len(c.dialogs) == n or len(hits) == h:
            bad.append('control: a script in a plain .%s file went unseen (dialogs %d, hits %d)' %
                       (kind, len(c.dialogs) - n, len(hits) - h))
    # the allow-list itself (layout.c's gx_asset_inert_ext, read from the
    # source): a file of each extension holding HTML and script runs nothing
    src = open(os.path.join(here, '..', '..', '..', 'libgrokx', 'out', 'layout.c')).read()
    listed = re.findall(r'"([a-z0-9]+)"', re.search(r'inert\[\] = \{(.*?)\};', src, re.S).group(1))
    if set(listed) != INERT:
        bad.append('layout.c lists inert extensions %r, the test %r' % (sorted(listed), sorted(INERT)))
    for ext in listed:
        for kind in ('html', 'svg', 'xhtml'):
            p = os.path.join(ctl, 'polyglot-%s.%s' % (kind, ext))
            open(p, 'wb').write([v for k, v in assets.values() if k == kind][0])
            n, h = len(c.dialogs), len(hits)
            t = c.open('file://' + p)
            c.pump(None, 0.2)
            if len(c.dialogs) > n or len(hits) > h:
                bad.append('a .%s file holding %s ran its script' % (ext, kind))
            t.close()
    for log in (c.dialogs, hits, c.requests, c.console, c.exceptions):
        del log[:]
    tabs = len(c.targets)

    pages = [os.path.join(out, 'html', 'index.html')] + page
    for p in pages:
        url = 'file://' + p
        t = c.open(url)
        n = len(t.eval(CLICKABLE))
        t.eval('document.querySelectorAll("img").forEach(function (i) { i.loading = "eager" })')
        c.pump(None, 0.3)
        drawn = t.eval('Array.prototype.map.call(document.querySelectorAll("img"), function (i) { return i.naturalWidth })')
        if 0 in drawn:  # the CSP lets the SVGs' data: URLs and the copied images load
            bad.append('%s: an image did not load: %r' % (os.path.basename(p), drawn))
        if c.exceptions or c.console:
            bad.append('%s: console %s %s' % (os.path.basename(p), c.exceptions[:2], c.console[:2]))
        for i in range(n):
            t.goto(url)
            x, y, what = t.eval(CENTER % i)
            t.click_at(x, y)
            opened('%s: clicking %s' % (os.path.basename(p), what), t.settle(1.0))
        t.close()
    # every copy, md's and html's, opened directly (a double-click in a file manager)
    for f in sorted(copies):
        t = c.open('file://' + f)
        c.pump(None, 0.3)
        mime = t.eval('document.contentType')
        if mime not in INERT_TYPES and not f.endswith('.pdf') and not f.endswith('.bin'):
            bad.append('%s opens as %s' % (os.path.relpath(f, out), mime))
        t.close()
    c.pump(None, 0.5)
    # the PDF is the one copy that runs in a browser: never linked from html
    c.dialogs[:] = [d for d in c.dialogs if 'PWNED-PDF' not in d]
    if 'attachments/' in html and '.pdf"' in html:
        bad.append('the PDF is linked from the page')
    for d in c.dialogs:
        bad.append('a dialog: ' + d)
    for u in c.requests:
        bad.append('a request: ' + u)
    for h in hits:
        bad.append('the listener was reached: ' + h)
    if len(c.targets) > tabs + len(pages) + len(copies):
        bad.append('a click opened a window')
srv.shutdown()
for b in bad:
    print(b)
print('html-click: %d attachments, %d problems' % (len(assets), len(bad)))
sys.exit(1 if bad else 0)
