#!/usr/bin/env python3
"""The reference a user would otherwise reach for: json.load the whole
export, write one Markdown file per conversation (what the common Python
Grok converters do). Used by `make bench` for comparison only."""
import json, os, re, sys

src, out = sys.argv[1], sys.argv[2]
data = json.load(open(src, encoding='utf-8'))
os.makedirs(out, exist_ok=True)
for i, w in enumerate(data.get('conversations', [])):
    c = w.get('conversation', {})
    title = c.get('title') or 'Untitled'
    name = re.sub(r'[\\/:*?"<>|\n\t]', ' ', title)[:80].strip() or 'Untitled'
    lines = ['# ' + title, '']
    for r in w.get('responses', []):
        m = r.get('response') or {}
        who = 'You' if str(m.get('sender', '')).lower() == 'human' else 'Grok'
        lines += ['## ' + who, '', m.get('message') or '', '']
    with open(os.path.join(out, '%s %d.md' % (name, i)), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))
