#!/usr/bin/env python3
"""The path a Python user takes from an export to SQLite, for make bench.

    sqlite_peer.py EXPORT.json OUT.db

json.load() the whole export, then sqlite3's executemany() of the same
tables grokx -f sqlite writes (conversations, messages, attachments,
citations, steps, projects; docs/sqlite.md), the same indexes and the same
FTS5 tables (content=[messages], one 'rebuild' each: the fastest way, as
grokx builds its own). Every response is a message (no branch ordering:
position is its place in the file). Prints the row counts as
"conversations N messages N" for the benchmark to compare with grokx's.
"""
import json
import os
import sqlite3
import sys
from datetime import datetime, timezone

SCHEMA = """
CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT, created TEXT, json TEXT);
CREATE TABLE conversations (id TEXT PRIMARY KEY, title TEXT, created TEXT, updated TEXT,
  starred INTEGER NOT NULL, models TEXT, message_count INTEGER NOT NULL, summary TEXT,
  project_id TEXT REFERENCES projects(id), export TEXT);
CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id),
  parent_id TEXT, sender TEXT, role TEXT, model TEXT, created TEXT, text TEXT, thinking TEXT,
  is_active_branch INTEGER NOT NULL, position INTEGER NOT NULL);
CREATE TABLE attachments (message_id TEXT NOT NULL, n INTEGER NOT NULL, asset_id TEXT, name TEXT, type TEXT,
  PRIMARY KEY (message_id, n));
CREATE TABLE citations (message_id TEXT NOT NULL, n INTEGER NOT NULL, cited INTEGER NOT NULL, title TEXT,
  url TEXT, site_name TEXT, description TEXT, PRIMARY KEY (message_id, n));
CREATE TABLE steps (message_id TEXT NOT NULL, n INTEGER NOT NULL, step INTEGER NOT NULL, header TEXT,
  call_id TEXT, tool TEXT, arguments TEXT, result TEXT, PRIMARY KEY (message_id, n));
"""
FINISH = """
CREATE INDEX messages_conversation_id ON messages(conversation_id);
CREATE INDEX messages_created ON messages(created);
CREATE INDEX messages_sender ON messages(sender);
CREATE INDEX messages_model ON messages(model);
CREATE INDEX conversations_created ON conversations(created);
CREATE VIRTUAL TABLE [messages_fts] USING FTS5 ([text], content=[messages]);
CREATE VIRTUAL TABLE [conversations_fts] USING FTS5 ([title], content=[conversations]);
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
INSERT INTO conversations_fts(conversations_fts) VALUES ('rebuild');
"""


def iso(v):
    """A time as ISO text: the export's strings as they are, numbers and
    {"$date": ...} forms from milliseconds."""
    if isinstance(v, dict):
        v = v.get("$date", v.get("$numberLong"))
        if isinstance(v, dict):
            v = v.get("$numberLong")
    if isinstance(v, str):
        try:
            v = int(v)
        except ValueError:
            return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return datetime.fromtimestamp(v / 1000, tz=timezone.utc).isoformat(timespec="milliseconds")
        except (OverflowError, OSError, ValueError):
            return None
    return None


def s(v):
    return v if isinstance(v, str) else None


def main():
    src, out = sys.argv[1], sys.argv[2]
    if os.path.exists(out):
        os.unlink(out)
    with open(src, "rb") as f:
        doc = json.load(f)
    db = sqlite3.connect(out)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    convs, msgs, atts, cits, steps = [], [], [], [], []
    for w in doc.get("conversations") or []:
        if not isinstance(w, dict) or not isinstance(w.get("conversation"), dict):
            continue
        c = w["conversation"]
        cid = s(c.get("id")) or ""
        rs = [r["response"] for r in (w.get("responses") or [])
              if isinstance(r, dict) and isinstance(r.get("response"), dict)]
        models = []
        for pos, m in enumerate(rs):
            mid = s(m.get("_id")) or "%s#%d" % (cid, pos)
            model = s(m.get("model"))
            if model and model not in models:
                models.append(model)
            sender = s(m.get("sender")) or ""
            msgs.append((mid, cid, s(m.get("parent_response_id")), sender,
                         "user" if sender.lower() in ("human", "user") else "assistant", model,
                         iso(m.get("create_time")), s(m.get("message")) or "", s(m.get("thinking_trace")),
                         1, pos))
            for n, a in enumerate(m.get("file_attachments") or []):
                a = a if isinstance(a, dict) else {"asset_id": a}
                atts.append((mid, n, s(a.get("asset_id")), s(a.get("name")), s(a.get("mime_type"))))
            n = 0
            for cited, key in ((1, "cited_web_search_results"), (0, "web_search_results")):
                for r in m.get(key) or []:
                    if isinstance(r, dict):
                        cits.append((mid, n, cited, s(r.get("title")), s(r.get("url")), s(r.get("site_name")),
                                     s(r.get("description")) or s(r.get("preview"))))
                        n += 1
            n = 0
            for i, st in enumerate(m.get("steps") or []):
                if not isinstance(st, dict):
                    continue
                header = s((st.get("tagged_text") or {}).get("header")) if isinstance(st.get("tagged_text"), dict) else None
                results = {}
                for r in st.get("tool_usage_results") or []:
                    if isinstance(r, dict):
                        results[r.get("tool_usage_card_id")] = json.dumps(r, ensure_ascii=False)
                for card in st.get("tool_usage_cards") or [None]:
                    tool = args = call = None
                    if isinstance(card, dict):
                        call = card.get("tool_usage_card_id")
                        t = card.get("tool")
                        if isinstance(t, dict) and t:
                            tool, a = next(iter(t.items()))
                            args = json.dumps(a.get("args", a) if isinstance(a, dict) else a, ensure_ascii=False)
                    steps.append((mid, n, i, header, s(call), s(tool), args, results.pop(call, None)))
                    n += 1
        convs.append((cid, s(c.get("title")) or "", iso(c.get("create_time")), iso(c.get("modify_time")),
                      1 if c.get("starred") else 0, json.dumps(models), len(rs), s(c.get("summary")), None, src))
    projects = [(s(p.get("workspace_id")) or s(p.get("id")) or "#%d" % i, s(p.get("name")),
                 iso(p.get("create_time")), json.dumps(p, ensure_ascii=False))
                for i, p in enumerate(doc.get("projects") or []) if isinstance(p, dict)]
    del doc
    with db:
        db.executemany("INSERT OR REPLACE INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?)", convs)
        db.executemany("INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?)", msgs)
        db.executemany("INSERT OR IGNORE INTO attachments VALUES (?,?,?,?,?)", atts)
        db.executemany("INSERT OR IGNORE INTO citations VALUES (?,?,?,?,?,?,?)", cits)
        db.executemany("INSERT OR IGNORE INTO steps VALUES (?,?,?,?,?,?,?,?)", steps)
        db.executemany("INSERT OR REPLACE INTO projects VALUES (?,?,?,?)", projects)
    db.executescript(FINISH)
    n_c = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
    n_m = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    db.close()
    print("conversations %d messages %d" % (n_c, n_m))


if __name__ == "__main__":
    main()
