#!/usr/bin/env python3
"""Check a folder of notes: every file is inside it, every name is safe,
and no message swallowed a later turn (count turn headings outside code
fences, with CommonMark's fence rules, against the front matter's count).

When $B/md-turns exists (the build under test, build/ unless B names
another; or MD_TURNS names it), cmark (CommonMark's reference parser)
counts each note's turn headings instead, as a reader such as Obsidian
sees them. When $B/md-notes exists (or MD_NOTES names it), cmark-gfm (tables and footnotes, as Obsidian and GitHub read notes)
also reads every note: no footnote label may be defined twice, and every
citation must render as a reference, outside headings, and grokx's own
lines (callout headers, card and artifact lines) must stay one-line
paragraphs whatever text follows them.
"""
import os, re, subprocess, sys, urllib.parse

root = os.path.realpath(sys.argv[1])
build = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', os.environ.get('B') or 'build')
md_turns = os.environ.get('MD_TURNS') or os.path.join(build, 'md-turns')
md_turns = md_turns if os.access(md_turns, os.X_OK) else None
md_notes = os.environ.get('MD_NOTES') or os.path.join(build, 'md-notes')
md_notes = md_notes if os.access(md_notes, os.X_OK) else None
gfm = []  # notes for md-notes: (path, messages)
bad = 0
RESERVED = {'CON', 'PRN', 'AUX', 'NUL'} | {p + str(i) for p in ('COM', 'LPT') for i in range(1, 10)}
for d, dirs, files in os.walk(root):
    for f in files:
        if f in ('.grokx-manifest', '.grokx-lock') and d == root:
            continue  # ours: what the last run wrote, and the lock of OUT
        p = os.path.realpath(os.path.join(d, f))
        if not p.startswith(root + os.sep):
            print('outside OUT:', p); bad += 1
        if (f.split('.')[0].split(' ')[0].upper() in RESERVED or f.startswith('.') or
                any(c in f for c in '\\:*?"<>|') or f != f.strip() or len(f.encode()) > 255 or
                any(0x202a <= ord(c) <= 0x202e or ord(c) < 32 for c in f)):
            print('unsafe name:', repr(f)); bad += 1
        if not f.endswith('.md'):
            continue
        text = open(p, encoding='utf-8').read()
        for link in re.findall(r'\]\(<([^>]*)>\)', text):  # every link of ours resolves
            # as a reader resolves it: backslash escapes, then percent escapes
            link = urllib.parse.unquote(re.sub(r'\\([!-/:-@\[-`{-~])', r'\1', link))
            if not re.match(r'^[a-z]+:', link) and not os.path.exists(os.path.join(d, link)):
                print('%s: broken link %s' % (f, link)); bad += 1
        if f == 'Index.md':
            continue
        m = re.search(r'^messages: (\d+)$', text, re.M)
        fence = None
        turns = 0
        for line in text.split('\n'):
            s = line[:4].lstrip(' ') if len(line) - len(line.lstrip(' ')) <= 3 else ''
            s = line.lstrip(' ') if len(line) - len(line.lstrip(' ')) <= 3 else ''
            run = re.match(r'(`{3,}|~{3,})', s)
            if fence is None:
                if run and not (run.group(1)[0] == '`' and '`' in s[len(run.group(1)):]):
                    fence = run.group(1)
                elif re.match(r'## (You|Grok|System) · ', line):
                    turns += 1
            elif run and run.group(1)[0] == fence[0] and len(run.group(1)) >= len(fence) and not s[len(run.group(1)):].strip():
                fence = None
        if m and md_turns:
            turns = int(subprocess.run([md_turns, p], capture_output=True, check=True).stdout)
        if m and turns != int(m.group(1)):
            print('%s: %d turn headings outside fences, %s messages' % (f, turns, m.group(1))); bad += 1
        if m and md_notes:
            gfm.append((p, int(m.group(1))))
        if not text.startswith('---\ntitle: "'):
            print('%s: front matter does not start with a quoted title' % f); bad += 1
for i in range(0, len(gfm), 200):
    chunk = dict(gfm[i:i + 200])
    r = subprocess.run([md_notes] + list(chunk), capture_output=True, text=True)
    sys.stderr.write(r.stderr[:4000])
    for line in r.stdout.splitlines():
        turns, dups, lost, broken, p = line.split(' ', 4)
        f = os.path.basename(p)
        if int(turns) != chunk[p]:
            print('%s: cmark-gfm reads %s turns, %d messages' % (f, turns, chunk[p])); bad += 1
        if int(dups):
            print('%s: %s footnote definitions repeat a label' % (f, dups)); bad += 1
        if int(lost):
            print('%s: %s citations do not render as references' % (f, lost)); bad += 1
        if int(broken):
            print('%s: %s lines of grokx (a callout header, a card) changed by the text after them' % (f, broken)); bad += 1
    if r.returncode:
        print('md-notes failed: %d' % r.returncode); bad += 1
print('md-check: %d problems' % bad)
sys.exit(1 if bad else 0)
