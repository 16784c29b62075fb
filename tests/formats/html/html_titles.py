#!/usr/bin/env python3
"""Titles cannot lie about their direction nor break a line: C0 and C1
controls, DEL, bidi controls and line separators are stripped from file
names, <title>, headings, index entries, front matter, Index.md and the
year notes (md and html); in html, user text inline among ours is
isolated (<bdi>, dir="auto").

    python3 tests/formats/html/html_titles.py GROKX WORKDIR"""
import json, os, re, subprocess, sys

grokx, work = sys.argv[1], os.path.abspath(sys.argv[2])
os.makedirs(work, exist_ok=True)
titles = ['invoice\u202egpj.exe', 'esc\x1b[31m red\x07 bell\x7f del\x85 nel', 'line\u2028sep\u2029para\ttab',
          '\u2066isolate\u2069 \u200fmarks\u200e \u061c\u202a\u202b\u202c\u202d', '\u202e\u2067\x1b']
BAD = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]')
doc = {"conversations": [
    {"conversation": {"id": "b1d1%04d-0000-4000-8000-000000000000" % i, "title": t, "model": "grok\u202e-4",
                      "create_time": "2025-06-%02dT10:00:00Z" % (i + 1)},
     "responses": [{"response": {"_id": "r%d" % i, "sender": "human", "message": "hi \u202eevil",
                                 "create_time": {"$date": {"$numberLong": "1749549600000"}}}},
                   {"response": {"_id": "s%d" % i, "parent_response_id": "r%d" % i, "sender": "assistant",
                                 "model": "grok\u202e-4", "message": "ok",
                                 "create_time": {"$date": {"$numberLong": "1749549601000"}}}}]}
    for i, t in enumerate(titles)]}
src = os.path.join(work, 'bidi.json')
json.dump(doc, open(src, 'w'))
out = os.path.join(work, 'out')
r = subprocess.run([grokx, 'convert', '-q', '-f', 'md,html', '-o', out, src], capture_output=True)
bad = []
if r.returncode:
    bad.append('convert: %d %s' % (r.returncode, r.stderr[:300]))
for d, _, fs in os.walk(out):
    for f in fs:
        if BAD.search(f):
            bad.append('a file name holds a control: %r' % f)
        p = os.path.join(d, f)
        if not f.endswith(('.md', '.html')):
            continue
        text = open(p, encoding='utf-8').read()
        if f.endswith('.md'):  # front matter, headings, Index.md, year notes: every line ours
            for line in text.split('\n'):
                if line.startswith(('title:', 'aliases:', '#', '- ')) and BAD.search(line):
                    bad.append('%s: %r' % (f, line[:80]))
        else:
            for m in re.finditer(r'<title>(.*?)</title>|<h1>(.*?)</h1>|data-t="([^"]*)"|<li class="conv".*?</li>', text, re.S):
                if BAD.search(m.group(0)):
                    bad.append('%s: %r' % (f, m.group(0)[:120]))
            if f != 'index.html':
                if not re.search(r'<h1><bdi>[^<]*</bdi>', text):
                    bad.append('%s: the heading is not isolated' % f)
                if '<div class="body" dir="auto">' not in text:
                    bad.append('%s: message bodies not isolated' % f)
                if '<span class="model"><bdi>' not in text:
                    bad.append('%s: the model name is not isolated' % f)
            elif text.count('"><bdi>') < len(titles):
                bad.append('index.html: entries not isolated')
notes = [f for _, _, fs in os.walk(os.path.join(out, 'md')) for f in fs if f.endswith('.md') and f[:4].isdigit() and len(f) > 10]
if len(notes) != len(titles):
    bad.append('%d notes for %d conversations: %r' % (len(notes), len(titles), notes))
# a re-run changes nothing and duplicates nothing
r = subprocess.run([grokx, 'convert', '-f', 'md', '-o', os.path.join(out, 'md'), src], capture_output=True, text=True)
if r.returncode or ' 0 new' not in r.stderr and 'unchanged' not in r.stderr:
    bad.append('re-run: %d %s' % (r.returncode, r.stderr[-300:]))
for b in bad[:30]:
    print(b)
print('html-titles: %d problems' % len(bad))
sys.exit(1 if bad else 0)
