#!/usr/bin/env python3
"""tests/formats/md/citations/input.json: citations where their block could break,
answers with footnotes of their own (python3 make_input.py > input.json)."""
import json

n = [0]
def conv(title, *turns):
    n[0] += 1
    cid = 'c1000000-0000-4000-8000-%012d' % n[0]
    resp, parent = [], None
    for i, (sender, text) in enumerate(turns):
        cards, k = [], [0]
        def cite(m):
            k[0] += 1
            card = '%s-%d-%d' % (n[0], i, k[0])
            cards.append(json.dumps({'id': card, 'cardType': 'citation_card', 'type': 'render_inline_citation',
                                     'url': 'https://example.org/%s' % card, 'title': 'Source %s' % card}))
            return ('<grok:render card_id="%s" card_type="citation_card" type="render_inline_citation">'
                    '<argument name="citation_id">%d</argument></grok:render>' % (card, k[0]))
        text = text.replace('@', '\0')
        out = ''.join(cite(None) if ch == '\0' else ch for ch in text)
        r = {'_id': 'r%d' % i, 'sender': sender, 'message': out,
             'create_time': '2025-11-%02dT10:%02d:00Z' % (n[0], i)}
        if parent:
            r['parent_response_id'] = parent
        if sender == 'assistant':
            r['model'] = 'grok-4'
        if cards:
            r['card_attachments_json'] = cards
        parent = r['_id']
        resp.append({'response': r})
    return {'conversation': {'id': cid, 'title': title, 'create_time': '2025-11-%02dT10:00:00Z' % n[0]},
            'responses': resp}

# '@' marks a citation
C = [
    conv('After a closing fence',
         ('human', 'Show code'),
         ('assistant', 'Code:\n\n```python\nprint(1)\n```@\n\nText after the fence.\n\n~~~\nmore\n~~~\n@\nAnd after the second.'),
         ('human', 'Thanks')),
    conv('In a table row',
         ('human', 'Compare'),
         ('assistant', '| Tool | Speed |\n|---|---|\n| yajl | fast |@\n| ijson @| slow |\n| simdjson | fastest@\n\nAfter the table.\n\n'
                       '| a | b |@\n|---|---|\n| c | d |\nNext line of the table@'),
         ('human', 'Ok')),
    conv('After a heading',
         ('human', 'Sum up'),
         ('assistant', '## Summary\n@\nThe gist.@\n\n### Details @\nMore.\n\nSetext\n======@\nBody.'),
         ('human', 'Ok')),
    conv('After indented code',
         ('human', 'How'),
         ('assistant', 'Run this:\n\n    make@\n    make install\n\nThen this:\n\n    ./run@\n\n    ./again\n@\nDone.'),
         ('human', 'Ok')),
    conv('Inside a list item',
         ('human', 'List'),
         ('assistant', '- first item@\n- second item\n  ```\n  code\n  ```@\n- third item:\n\n      indented@\n- fourth\n\n1. one@\n2. two | pipe@\n\nAfter the list.'),
         ('human', 'Ok')),
    conv('Inside a quote',
         ('human', 'Quote'),
         ('assistant', '> quoted line@\n> ```\n> x\n> ```@\n> | q | r |\n> |---|---|\n> | s | t |@\n\nAfter the quote.'),
         ('human', 'Ok')),
    conv('In code',
         ('human', 'Code'),
         ('assistant', 'A span `x@y` and text.\n\n```\ninside@ the fence\n```\nAfter.\n\n<div>\nhtml@\n</div>\n\nAnd a fence left open:\n\n```\nopen@'),
         ('human', 'Ok')),
    conv('Own footnotes and citations',
         ('human', 'Explain, with sources[^1]\n\n[^1]: the user\'s own note'),
         ('assistant', 'Fact one[^1] and fact two[^2].@ Also [^note] and `[^1]` in code.\n\n'
                       '[^1]: Own source one\n[^2]: Own source two\n[^NOTE]: A named one\n\n'
                       '```\n[^1]: not a definition\n```\nUndefined [^9] stays text.@'),
         ('assistant', 'A second answer with the same labels[^1][^2].@\n\n[^1]: Second answer, one\n[^2]: Second answer, two'),
         ('human', 'Great')),
]
print(json.dumps({'conversations': C}, ensure_ascii=False, indent=1))
