#!/usr/bin/env python3
"""The sqlite writer against the other writers, with real readers.

    sqlite_check.py GROKX TMPDIR INPUT...

For each export: `grokx convert -f sqlite`, then the database is read by
the sqlite3 shell (row counts equal to `grokx info --json`, a join, FTS5
queries whose conversation sets equal `grokx search` on the same words)
and by Python's sqlite3 (every message's text, thinking, sender, model,
time and active flag equal to what the events writer gives for it: the
text exactly as the other writers see it). An export the tool cannot
read leaves no database. Prints "sqlite-check: N passed, N failed".
"""
import json
import os
import re
import sqlite3
import subprocess
import sys

G, T = sys.argv[1], sys.argv[2]
inputs = sys.argv[3:]
passed = failed = fts_words = 0


def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL sqlite: " + what, file=sys.stderr)
    return cond


def run(*args):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def shell(db, sql, *params):
    """One query through the sqlite3 shell, as a list of rows (JSON mode)."""
    cmds = []
    for i, p in enumerate(params, 1):
        cmds.append(".parameter set ?%d '%s'" % (i, p.replace("'", "''")))
    cmds.append(sql + ";")
    r = subprocess.run(["sqlite3", "-json", "-bail", db], input=("\n".join(cmds) + "\n").encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("sqlite3: %s %r: %s" % (sql, params, r.stderr.decode(errors="replace")))
    out = r.stdout.decode().strip()
    return json.loads(out) if out else []


# between white space, a sentence's punctuation after it
WORD = re.compile(r"(?<!\S)([a-z]{4,10})(?=[\s.,;!?]|$)")


def words_of(texts, limit=6):
    """Plain words of the messages, the rarest first: a word qualifies only
    if every occurrence of it, in any case, stands alone (never inside a
    tag, an identifier, a path or a longer word), so both tokenizers (FTS5's
    unicode61 over the stored text, grokx's over the text as shown) read it
    alike."""
    texts = [t.lower() for t in texts]
    count = {}
    for t in texts:
        for w in set(WORD.findall(t)):
            count[w] = count.get(w, 0) + 1
    alone = [w for w in count if sum(t.count(w) for t in texts) == sum(len(re.findall(
        r"(?<!\S)" + w + r"(?=[\s.,;!?]|$)", t)) for t in texts)]
    return sorted(alone, key=lambda w: (count[w], w))[:limit]


for src in inputs:
    name = os.path.basename(os.path.dirname(src)) or src
    db = os.path.join(T, "check.db")
    for f in (db, db + ".ix"):
        if os.path.exists(f):
            os.unlink(f)
    r = run(G, "convert", "-q", "-f", "sqlite", "-o", db, src)
    ev = run(G, "convert", "-q", "-f", "events", "--branches", "all", "-o", "-", src)
    if ev.returncode > 1:
        ok(r.returncode == ev.returncode and not os.path.exists(db),
           "%s: events status %d, sqlite status %d, database left: %s" %
           (name, ev.returncode, r.returncode, os.path.exists(db)))
        continue
    if not ok(r.returncode <= 1 and os.path.exists(db), "%s: status %d: %s" %
              (name, r.returncode, r.stderr.decode(errors="replace")[:300])):
        continue
    info = json.loads(run(G, "info", "--json", "-q", src).stdout)
    events = [json.loads(l) for l in ev.stdout.decode().splitlines()]
    convs = [e for e in events if e["event"] == "conversation"]
    msgs = [e for e in events if e["event"] == "message"]
    unique = len(set(c["id"] for c in convs)) == len(convs)
    n_conv = shell(db, "SELECT count(*) AS n FROM conversations")[0]["n"]
    n_msg = shell(db, "SELECT count(*) AS n FROM messages")[0]["n"]
    if unique:
        ok(n_conv == info["conversations"], "%s: %d conversations, info says %d" % (name, n_conv, info["conversations"]))
        ok(n_msg == info["messages"], "%s: %d messages, info says %d" % (name, n_msg, info["messages"]))
    # a join: every message belongs to a conversation, whose count agrees
    j = shell(db, "SELECT count(*) AS n, count(DISTINCT c.id) AS c FROM messages m JOIN conversations c "
                  "ON c.id = m.conversation_id")[0]
    s = shell(db, "SELECT coalesce(sum(message_count), 0) AS n FROM conversations")[0]["n"]
    ok(j["n"] == n_msg and s == n_msg, "%s: join %s, message_count sum %d, messages %d" % (name, j, s, n_msg))
    fts = shell(db, "SELECT count(*) AS n FROM messages_fts")[0]["n"]
    ok(fts == n_msg, "%s: messages_fts holds %d rows of %d" % (name, fts, n_msg))
    # every message as the events writer gives it
    con = sqlite3.connect(db)
    if unique:
        rows = {}
        for cid, pos, text, thinking, sender, model, created, active in con.execute(
                "SELECT conversation_id, position, text, thinking, sender, model, created, is_active_branch "
                "FROM messages"):
            rows[(cid, pos)] = (text, thinking, sender, model, created, active)
        pos = {}
        bad = []
        for m in msgs:
            k = (m["conversation"], pos.get(m["conversation"], 0))
            pos[m["conversation"]] = k[1] + 1
            want = (m["text"], m.get("thinking") or None, m["sender"], m.get("model") or None, m.get("time"),
                    1 if m.get("active") else 0)
            if rows.get(k) != want:
                bad.append((k, rows.get(k), want))
        ok(not bad and len(rows) == len(msgs), "%s: %d messages differ from the events writer's, e.g. %r" %
           (name, len(bad), bad[:1]))
        for c in convs:
            row = con.execute("SELECT title, created, updated, starred FROM conversations WHERE id = ?",
                              (c["id"],)).fetchone()
            want = (c["title"], c.get("create_time"), c.get("modify_time"), 1 if c["starred"] else 0)
            if not ok(row == want, "%s: conversation %s is %r, events %r" % (name, c["id"], row, want)):
                break
    con.close()
    # FTS: the conversations a word finds, as grokx search finds them
    ix = db + ".ix"
    # (conversations without an id are one to the index, several here)
    if unique and msgs and run(G, "convert", "-q", "-f", "index", "--branches", "all", "-o", ix, src).returncode <= 1:
        for w in words_of(m["text"] for m in msgs):
            got = set(r["c"] for r in shell(
                db, "SELECT DISTINCT m.conversation_id AS c FROM messages_fts JOIN messages m "
                    "ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH '\"%s\"'" % w))
            sr = run(G, "search", "--json", "-n", "100000", ix, w)
            want = set(h["conversation_id"] for h in json.loads(sr.stdout)["hits"]) if sr.returncode == 0 else set()
            fts_words += 1
            ok(got == want, "%s: FTS finds %r in %d conversations, grokx search in %d" % (name, w, len(got), len(want)))
        os.unlink(ix)
    os.unlink(db)

print("sqlite-check: %d words searched with FTS5 and grokx search alike" % fts_words)
print("sqlite-check: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
