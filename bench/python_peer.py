#!/usr/bin/env python3
"""The grokx package against json.load on the same export, reading the same
fields of every conversation and message: id, title, times, starred,
models, and each message's sender, model, text, time and thinking.

    python_peer.py grokx EXPORT     iterate with grokx.open (branches="all":
                                    every message, as json.load sees them)
    python_peer.py json EXPORT      json.load, then walk the same fields

Both print the same counts (conversations, messages, text characters), so
a run shows they read the same data. bench/run.sh times both under
/usr/bin/time (wall time, peak RSS); make bench runs it.
"""
import sys
import warnings


def with_grokx(path):
    import grokx
    warnings.simplefilter("ignore", grokx.ExportWarning)
    convs = msgs = chars = 0
    for c in grokx.open(path, branches="all"):
        convs += 1
        _ = (c.id, c.title, c.create_time, c.starred, c.models)
        for m in c.messages:
            msgs += 1
            _ = (m.sender, m.model, m.time, m.thinking)
            chars += len(m.text)
    return convs, msgs, chars


def with_json(path):
    import json
    with open(path, "rb") as f:
        doc = json.load(f)
    convs = msgs = chars = 0
    for w in doc.get("conversations") or []:
        if not isinstance(w, dict):
            continue
        c = w.get("conversation") or {}
        convs += 1
        _ = (c.get("id"), c.get("title"), c.get("create_time"), c.get("starred"))
        models = []
        for r in w.get("responses") or []:
            m = (r or {}).get("response") if isinstance(r, dict) else None
            if not isinstance(m, dict):
                continue
            msgs += 1
            model = m.get("model")
            if model and model not in models:
                models.append(model)
            _ = (m.get("sender"), m.get("create_time"), m.get("thinking_trace"))
            text = m.get("message")
            chars += len(text) if isinstance(text, str) else 0
    return convs, msgs, chars


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("grokx", "json"):
        sys.exit(__doc__)
    convs, msgs, chars = (with_grokx if sys.argv[1] == "grokx" else with_json)(sys.argv[2])
    print(f"{sys.argv[1]}: {convs} conversations, {msgs} messages, {chars} text characters")
