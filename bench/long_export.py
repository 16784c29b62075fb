#!/usr/bin/env python3
"""Write a Grok export with one long message (SIZE bytes of text) among
eight small ones, for the tests of snippets in long messages.

usage: long_export.py OUT.json [SIZE]

The long message is deterministic: words from a small vocabulary (common
words, camelCase and snake_case compounds, numbers, CJK, accented and
compatibility characters such as ½ and ㍱, long base64-like runs), with
rare markers at its start (alphastart), middle (middlemarker) and end
(omegaend), pairs of rare words near each other (kiwi ... mango) and far
apart (lonelyone, lonelytwo), so snippets can be compared with a whole
text's tokenising wherever the match is."""
import json
import random
import sys

out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 8 << 20
rng = random.Random(7)
vocab = ("the of and to in is that it for on with as was at by an be this "
         "have from or one had word but not what all were we when your can "
         "said there use each which she do how their if will up other about "
         "out many then them these so some her would make like him into time "
         "has look two more write go see number no way could people my than "
         "first water been call who oil its now find long down day did get "
         "come made may part").split()
extra = ["getUserName", "snake_case_name", "HTTPServer", "URLs", "x86_64", "2024",
         "½", "㍱", "日本語のテキスト", "한국어", "café", "naïve", "Ǆemal", "foo.bar",
         "a" * 70, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVmZ2hpamtsbW5vcA",
         "e\u0301t\u00e9", "ﬁne", "\u00ad", "---", "(x)", "\t", "\n\n", "ｶﾞ", "⑴"]
parts = ["alphastart kiwi"]
n = 0
mid_done = False
while n < size:
    r = rng.random()
    if r < 0.08:
        w = rng.choice(extra)
    elif r < 0.0805:
        w = "kiwi"
    elif r < 0.081:
        w = "mango"
    else:
        w = rng.choice(vocab)
    if not mid_done and n >= size // 2:
        w = "middlemarker kiwi then mango"
        mid_done = True
    if n == 0:
        pass
    parts.append(w)
    n += len(w.encode()) + 1
    if rng.random() < 0.02:
        parts.append(".\n")
parts.insert(len(parts) // 5, "lonelyone")
parts.insert(4 * len(parts) // 5, "lonelytwo")
parts.append("mango omegaend")
long_text = " ".join(parts)


def resp(cid, i, text, sender):
    return {"response": {"_id": "%s-%04d" % (cid[:8], i), "conversation_id": cid,
                         "message": text, "sender": sender,
                         "create_time": {"$date": {"$numberLong": str(1788220547034 + i * 1000)}},
                         "parent_response_id": None if i == 0 else "%s-%04d" % (cid[:8], i - 1),
                         "model": "" if sender == "human" else "grok-4", "metadata": {}}}


convs = []
small = ["a short note about kiwi and mango", "the weather is fine today",
         "getUserName returns the user's name", "middlemarker appears here too",
         "omegaend in a small message", "alphastart small", "lonelyone lonelytwo together",
         "nothing to see"]
for c in range(9):
    cid = "%08x-0000-4000-8000-%012x" % (0x1000 + c, c)
    rs = []
    if c == 4:
        rs.append(resp(cid, 0, "please paste the log", "human"))
        rs.append(resp(cid, 1, long_text, "assistant"))
    else:
        rs.append(resp(cid, 0, small[c if c < 4 else c - 1], "human"))
        rs.append(resp(cid, 1, "an answer with kiwi " + small[(c + 3) % 8], "assistant"))
    convs.append({"conversation": {"id": cid, "title": "conversation %d" % c,
                                   "create_time": "2026-08-31T23:55:46.756431Z",
                                   "modify_time": "2026-09-01T00:23:49.674178Z",
                                   "user_id": "u", "system_prompt_name": "", "starred": False,
                                   "temporary": False, "leaf_response_id": None, "asset_ids": []},
                  "responses": rs})
with open(out, "w", encoding="utf-8") as f:
    json.dump({"conversations": convs, "projects": []}, f, ensure_ascii=False)
