#!/usr/bin/env python3
"""Check an html output folder as an attacker would hope it fails:
every file inside OUT and private, valid UTF-8; each page with its
Content-Security-Policy first, allowing scripts and styles by hash only
(on file://, 'self' is every file on the disk); no script but our
index.js and no <style> but our style.css, inline, each matching its
hash; no event handler, no style attribute, no frame, object, form, base
or <link>; every href and
src either relative inside OUT or an http(s)/mailto link (src: relative
only); no marker of an injected script in the text a browser would run."""
import base64, hashlib, os, re, stat, sys
from html.parser import HTMLParser
from urllib.parse import unquote

root = os.path.realpath(sys.argv[1])
assets = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'libgrokx', 'render', 'html')
OURS = {n: open(os.path.join(assets, n), encoding='utf-8').read() for n in ('style.css', 'index.js')}
SHA = {n: "'sha256-%s'" % base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for n, t in OURS.items()}
bad = []
FORBIDDEN = {'iframe', 'frame', 'object', 'embed', 'form', 'base', 'svg', 'math', 'link',
             'audio', 'video', 'source'}

class Check(HTMLParser):
    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path, self.csp_seen, self.other_before_csp = path, False, False
        self.inline, self.text = None, ''
    def err(self, what):
        bad.append('%s: %s' % (os.path.relpath(self.path, root), what))
    def url_ok(self, url, src, tag=''):
        u = url.strip()
        if src and tag == 'img' and re.fullmatch(r'data:image/svg\+xml;base64,[A-Za-z0-9+/]*={0,2}', u):
            return True  # an SVG attachment, shown by <img> (no script runs there), never linked
        if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', u):
            return not src and u.split(':', 1)[0].lower() in ('http', 'https', 'mailto')
        if u.startswith('//') or '\\' in u:
            return False
        if u.startswith('#') or not u:
            return True
        target = os.path.realpath(os.path.join(os.path.dirname(self.path), unquote(u.split('#')[0])))
        if not target.startswith(root + os.sep):
            return False
        return not src or os.path.isfile(target)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'meta' and a.get('http-equiv', '').lower() == 'content-security-policy':
            self.csp_seen = True
            pol = dict((d.strip().split(' ', 1) + [''])[:2] for d in a.get('content', '').split(';') if d.strip())
            index = os.path.basename(self.path) == 'index.html'
            if (pol.get('default-src') != "'none'" or pol.get('style-src') != SHA['style.css'] or
                    pol.get('script-src', "'none'") != (SHA['index.js'] if index else "'none'") or
                    pol.get('img-src') != "'self' data:" or pol.get('base-uri') != "'none'"):
                self.err('weak CSP: %r' % a.get('content'))
        elif tag not in ('html', 'head', 'meta'):
            if not self.csp_seen:
                self.other_before_csp = True
        if tag in FORBIDDEN:
            self.err('forbidden element <%s>' % tag)
        if tag == 'meta' and a.get('http-equiv', '').lower() == 'refresh':
            self.err('meta refresh')
        if tag in ('script', 'style'):
            if attrs or (tag == 'script' and os.path.basename(self.path) != 'index.html'):
                self.err('a %s: %r' % (tag, attrs))
            self.inline, self.text = tag, '' 
        if tag == 'input' and a.get('type') not in ('search', 'checkbox'):
            self.err('an input: %r' % attrs)
        for k, v in attrs:
            if k.startswith('on') or k in ('style', 'srcdoc', 'formaction', 'action', 'background'):
                self.err('attribute %s on <%s>' % (k, tag))
            if k in ('href', 'src') and not self.url_ok(v or '', k == 'src', tag):
                self.err('%s=%r on <%s>' % (k, v, tag))
        if tag == 'a' and re.match(r'^(https?|mailto):', (a.get('href') or '').strip(), re.I):
            if a.get('rel') != 'noopener noreferrer':
                self.err('outside link without rel=noopener noreferrer')
    def handle_data(self, data):
        if self.inline:
            self.text += data
    def handle_endtag(self, tag):
        if self.inline and tag == self.inline:
            want = OURS['index.js' if tag == 'script' else 'style.css']
            if self.text != want:
                self.err('a <%s> that is not ours' % tag)
            self.inline = None

pages = 0
for d, dirs, files in os.walk(root):
    for n in dirs:
        st = os.stat(os.path.join(d, n))
        if stat.S_IMODE(st.st_mode) & 0o077:
            bad.append('%s: folder mode %o' % (n, stat.S_IMODE(st.st_mode)))
    for f in files:
        p = os.path.join(d, f)
        if not os.path.realpath(p).startswith(root + os.sep):
            bad.append('outside OUT: ' + p)
        if stat.S_IMODE(os.stat(p).st_mode) & 0o077:
            bad.append('%s: mode %o' % (f, stat.S_IMODE(os.stat(p).st_mode)))
        if '.tmp-' in f:
            bad.append('a temporary file: ' + f)
        if not f.endswith('.html'):
            continue
        raw = open(p, 'rb').read()
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as e:
            bad.append('%s: not UTF-8: %s' % (f, e)); continue
        pages += 1
        c = Check(p)
        c.feed(text)
        c.close()
        if not c.csp_seen or c.other_before_csp:
            bad.append('%s: no Content-Security-Policy before the content' % f)
for b in bad[:50]:
    print(b)
print('html-check: %d pages, %d problems' % (pages, len(bad)))
sys.exit(1 if bad or not pages else 0)
