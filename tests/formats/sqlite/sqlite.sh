#!/bin/sh
# The sqlite writer (docs/sqlite.md): the golden exports and hostile text
# read back by the sqlite3 shell and Python (sqlite_check.py), sqlite-utils
# reading it, re-runs that upsert, never over another's file or the input,
# the lock, and interrupted runs that leave the previous database as it was.
#   GX_TEST_QUICK=1 (make check-quick)   seven of the goldens, no generated export, no kills
G=${GROKX:-./grokx}
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL sqlite: $*" >&2; }
q() { sqlite3 "$@" 2>&1; }
S=examples/sample-export.json

# ---- hostile text: NUL, invalid UTF-8, controls, bidi, a huge message --
python3 - "$T/hostile.json" <<'EOF'
import json, sys
huge = "huge " + "x" * (24 << 20) + " end"
conv = {"conversation": {"id": "h1", "title": "NUL\u0000 and \u202e bidi", "create_time": "2025-01-02T03:04:05.123456789Z"},
        "responses": [
            {"response": {"_id": "m1", "sender": "human", "message": "nul:\u0000: tab:\t: esc:\u001b[31m", "create_time": "2025-01-02T03:04:06Z"}},
            {"response": {"_id": "m2", "parent_response_id": "m1", "sender": "assistant", "model": "grok-4", "message": "@@BAD@@", "create_time": "2025-01-02T03:04:07.5Z"}},
            {"response": {"_id": "m3", "parent_response_id": "m2", "sender": "human", "message": huge, "create_time": 1735787048}},
            {"response": {"_id": "m3", "parent_response_id": "m3", "sender": "assistant", "message": "same id again", "create_time": 1735787049}},
            {"response": {"sender": "human", "parent_response_id": "m3", "message": "no id", "create_time": 1735787050}}]}
# two conversations without an id: both kept
anon = [{"conversation": {"title": "anonymous %d" % i}, "responses": [{"response": {"_id": "a%d" % i, "sender": "human", "message": "anon"}}]}
        for i in (1, 2)]
doc = json.dumps({"conversations": [conv] + anon, "projects": [], "tasks": [], "media_posts": []}, ensure_ascii=False)
raw = doc.encode().replace(b"@@BAD@@", b"bad \xff\xfe utf8 \xc0\xaf overlong \xed\xa0\x80 surrogate")
open(sys.argv[1], "wb").write(raw)
EOF
goldens=tests/parse/golden/*/input.json
[ -n "${GX_TEST_QUICK:-}" ] && goldens=$(for c in 09-regeneration 20-duplicate-id 27-steps-tool-usage 29-attachments-and-cards 36-invalid-utf8-bytes 41-malformed-missing-comma 50-deepsearch-sources; do
    echo tests/parse/golden/$c/input.json; done)
python3 tests/formats/sqlite/sqlite_check.py "$G" "$T" $goldens "$S" "$T/hostile.json" \
    tests/formats/md/hostile/input.json tests/formats/md/hostile-steps/input.json \
    >"$T/check" 2>&1
n=$(sed -n 's/^sqlite-check: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$T/check")
if [ -n "$n" ]; then pass=$((pass + ${n% *})); [ "${n#* }" = 0 ] || { fail=$((fail + ${n#* })); grep FAIL "$T/check" | head -20 >&2; }
else bad "sqlite_check.py: $(tail -5 "$T/check")"; fi

# the hostile export's values, stored as the model holds them
$G convert -q -f sqlite -o "$T/h.db" "$T/hostile.json"; st=$?
[ $st = 1 ] && ok || bad "hostile: status $st (warnings expected)"
[ "$(q "$T/h.db" "SELECT hex(text) FROM messages WHERE id = 'm1'")" = \
  "$(printf 'nul:\357\277\275: tab:\t: esc:\033[31m' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ] && ok ||
    bad "NUL not U+FFFD or controls changed: $(q "$T/h.db" "SELECT hex(text) FROM messages WHERE id = 'm1'")"
[ "$(q "$T/h.db" "SELECT count(*) FROM messages WHERE instr(text, char(65533)) AND id = 'm2'")" = 1 ] && ok || bad "invalid UTF-8 not repaired"
[ "$(q "$T/h.db" "SELECT length(text) FROM messages WHERE id = 'm3'")" = $((24 * 1048576 + 9)) ] && ok || bad "the huge message was cut"
[ "$(q "$T/h.db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM messages WHERE conversation_id = 'h1' ORDER BY position)")" = "m1 m2 m3 h1#3 h1#4" ] && ok ||
    bad "duplicate and missing ids: $(q "$T/h.db" "SELECT group_concat(id, ' ') FROM messages")"
[ "$(q "$T/h.db" "SELECT created FROM conversations WHERE id = 'h1'")" = "2025-01-02T03:04:05.123456789Z" ] &&
    [ "$(q "$T/h.db" "SELECT created FROM messages WHERE id = 'm2'")" = "2025-01-02T03:04:07.500Z" ] && ok ||
    bad "times not at the export's precision: $(q "$T/h.db" "SELECT created FROM conversations")"
[ "$(q "$T/h.db" "SELECT m.id FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH 'huge'")" = m3 ] &&
    ok || bad "FTS does not find the huge message"
[ "$(q "$T/h.db" "SELECT group_concat(title, ' ') FROM (SELECT * FROM conversations WHERE id GLOB '#m[0-9a-f]*' ORDER BY title)")" = "anonymous 1 anonymous 2" ] &&
    ok || bad "conversations without an id: $(q "$T/h.db" "SELECT id, title FROM conversations")"
[ "$(q "$T/h.db" "PRAGMA integrity_check")" = ok ] && [ "$(q "$T/h.db" "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')")" = "" ] &&
    ok || bad "integrity check"

# ---- sqlite-utils and the schema as it detects it -----------------------
$G convert -q -f sqlite -o "$T/s.db" "$S" && ok || bad "sample: status $?"
sqlite-utils tables "$T/s.db" --counts --csv 2>&1 | tr -d '\r' >"$T/tables" &&
    grep -q '^conversations,5$' "$T/tables" && grep -q '^messages,51$' "$T/tables" && ok || bad "sqlite-utils tables: $(cat "$T/tables")"
# the conversations sqlite-utils' search finds are those the FTS query finds
[ "$(sqlite-utils search "$T/s.db" messages quantum 2>&1 | python3 -c 'import json,sys; print(len({r["conversation_id"] for r in json.load(sys.stdin)}))')" = \
  "$(q "$T/s.db" "SELECT count(DISTINCT m.conversation_id) FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH 'quantum'")" ] &&
    [ "$(q "$T/s.db" "SELECT count(DISTINCT m.conversation_id) FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH 'quantum'")" = 4 ] && ok ||
    bad "sqlite-utils search: $(sqlite-utils search "$T/s.db" messages quantum 2>&1 | head -c 300)"
# Debian's sqlite-utils is a module of Debian's Python
/usr/bin/python3 - "$T/s.db" <<'EOF' && ok || bad "sqlite-utils' Python API: detect_fts, triggers, enable_fts(replace) keeps ours"
import sys, sqlite_utils
db = sqlite_utils.Database(sys.argv[1])
assert db["messages"].detect_fts() == "messages_fts", db["messages"].detect_fts()
assert db["conversations"].detect_fts() == "conversations_fts"
assert {"messages_ai", "messages_ad", "messages_au"} <= {t.name for t in db["messages"].triggers}
before = db["messages_fts"].schema
db["messages"].enable_fts(["text"], create_triggers=True, replace=True)
assert db["messages_fts"].schema == before  # the same table sqlite-utils makes: nothing to recreate
assert db["messages"].pks == ["id"] and db["messages"].foreign_keys[0].other_table in ("conversations", "messages")
EOF
[ "$(q "$T/s.db" "PRAGMA user_version")" = 1 ] && [ "$(q "$T/s.db" "PRAGMA application_id")" = 1735551864 ] && ok || bad "user_version or application_id"
[ "$(q "$T/s.db" "SELECT count(*) FROM pragma_index_list('messages') WHERE name IN ('messages_conversation_id', 'messages_created', 'messages_sender', 'messages_model')")" = 4 ] &&
    [ "$(q "$T/s.db" "SELECT count(*) FROM pragma_foreign_key_list('messages')")" = 1 ] && ok || bad "indexes or foreign keys missing"
[ "$(q "$T/s.db" "PRAGMA foreign_key_check")" = "" ] && ok || bad "foreign keys violated: $(q "$T/s.db" "PRAGMA foreign_key_check" | head -3)"
# every branch by default (is_active_branch tells them); with md, the run
# must say which (a silent choice changed md's notes or lost the database's
# other branches on a re-run)
[ "$(q "$T/s.db" "SELECT sum(is_active_branch = 0) FROM messages")" = 5 ] && ok || bad "inactive branches not kept"
$G convert -q -f sqlite --branches active -o "$T/a.db" "$S"
[ "$(q "$T/a.db" "SELECT count(*), sum(is_active_branch) FROM messages")" = "46|46" ] && ok || bad "--branches active"
rm -rf "$T/out"; $G convert -q -f md,sqlite,index -o "$T/out" "$S" 2>"$T/err"; st=$?
[ $st = 64 ] && [ ! -e "$T/out" ] && grep -q -- "--branches all or --branches active" "$T/err" && ok ||
    bad "-f md,sqlite,index without --branches: status $st, $(cat "$T/err")"
rm -rf "$T/out" && $G convert -q --branches active -f md,sqlite,index -o "$T/out" "$S" && [ -f "$T/out/sqlite.db" ] && [ -d "$T/out/md" ] &&
    [ "$(q "$T/out/sqlite.db" "SELECT count(*) FROM messages")" = 46 ] && ok || bad "-f md,sqlite,index --branches active: $(ls "$T/out")"
rm -rf "$T/out" && $G convert -q --branches all -f md,sqlite -o "$T/out" "$S" &&
    [ "$(q "$T/out/sqlite.db" "SELECT count(*) FROM messages")" = 51 ] && ok || bad "-f md,sqlite --branches all"
[ "$(stat -c %a "$T/s.db")" = 600 ] && ok || bad "mode $(stat -c %a "$T/s.db")"
[ -z "$(ls -a "$T" | grep -e '-journal$' -e '\.tmp-' -e 'grokx-lock')" ] && ok || bad "left behind: $(ls -a "$T")"

# ---- re-runs: upsert by id, counted as md counts notes --------------------
$G convert -f sqlite -o "$T/s.db" "$S" 2>"$T/err"
grep -q '^grokx: sqlite: 0 new, 0 updated, 5 unchanged conversations' "$T/err" && ok || bad "re-run: $(cat "$T/err")"
python3 - "$S" "$T/newer.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["conversations"]
c[1]["responses"][0]["response"]["message"] = "zanzibarian rewrite of the first question"
new = json.loads(json.dumps(c[0]))
new["conversation"]["id"] = "new-conversation"
for r in new["responses"]:
    r["response"]["_id"] = "new-" + r["response"]["_id"]
    if r["response"].get("parent_response_id"):
        r["response"]["parent_response_id"] = "new-" + r["response"]["parent_response_id"]
c.append(new)
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
old_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["conversations"][1]["responses"][0]["response"]["_id"])' "$S")
old_word=$(q "$T/s.db" "SELECT text FROM messages WHERE id = '$old_id'" | tr -cs 'a-zA-Z' '\n' | awk 'length > 5' | head -1)
$G convert -f sqlite -o "$T/s.db" "$T/newer.json" 2>"$T/err"
grep -q '^grokx: sqlite: 1 new, 1 updated, 4 unchanged conversations' "$T/err" && ok || bad "newer export: $(cat "$T/err")"
[ "$(q "$T/s.db" "SELECT count(*) FROM conversations")" = 6 ] &&
    [ "$(q "$T/s.db" "SELECT m.id FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH 'zanzibarian'")" = "$old_id" ] &&
    [ "$(q "$T/s.db" "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '$old_word' AND rowid = (SELECT rowid FROM messages WHERE id = '$old_id')")" = 0 ] &&
    [ "$(q "$T/s.db" "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check'); PRAGMA integrity_check")" = ok ] && ok ||
    bad "the update is not in the rows or the FTS index (old word $old_word)"
[ "$(q "$T/s.db" "SELECT count(*) FROM messages")" = $((51 + 4)) ] && ok || bad "rows after the update: $(q "$T/s.db" "SELECT count(*) FROM messages")"

# ---- two conversations of one id: both kept, under md's stable rule ------
python3 - "$T/dup.json" "$T/dup2.json" <<'EOF'
import json, sys
def conv(cid, title, t, mid):
    c = {"conversation": {"title": title, "create_time": t},
         "responses": [{"response": {"_id": mid, "sender": "human", "message": title + " text"}}]}
    if cid: c["conversation"]["id"] = cid
    return c
convs = [conv("dupconv", "Dup one", "2025-10-15T00:00:00Z", "d1"), conv("dupconv", "Dup two", "2025-10-16T00:00:00Z", "d2"),
         conv(None, "No id", None, "n1")]
json.dump({"conversations": convs}, open(sys.argv[1], "w"))
# a newer export listing one more conversation first: the keys stay
json.dump({"conversations": [conv("first", "First", "2025-10-01T00:00:00Z", "f1")] + convs}, open(sys.argv[2], "w"))
EOF
$G convert -f sqlite -o "$T/dup.db" "$T/dup.json" 2>"$T/err"
[ "$(q "$T/dup.db" "SELECT group_concat(id || '=' || title, ' ') FROM (SELECT * FROM conversations ORDER BY title)")" = \
  "dupconv=Dup one dupconv#t1760572800000=Dup two #m$(q "$T/dup.db" "SELECT substr(id, 3) FROM conversations WHERE title = 'No id'")=No id" ] &&
    grep -q 'sqlite: 3 new, 0 updated, 0 unchanged' "$T/err" && grep -q 'dupconv is shared by more than one conversation: each is kept (this one as dupconv#t1760572800000)' "$T/err" &&
    [ "$(q "$T/dup.db" "SELECT count(*) FROM conversations WHERE id LIKE '#m%'")" = 1 ] && ok || bad "a shared id: $(cat "$T/err"; q "$T/dup.db" "SELECT id, title FROM conversations")"
$G convert -f sqlite -o "$T/dup.db" "$T/dup.json" 2>"$T/err"
grep -q 'sqlite: 0 new, 0 updated, 3 unchanged' "$T/err" && ok || bad "a shared id, re-run: $(grep sqlite: "$T/err")"
$G convert -f sqlite -o "$T/dup.db" "$T/dup2.json" 2>"$T/err"
grep -q 'sqlite: 1 new, 0 updated, 3 unchanged' "$T/err" && [ "$(q "$T/dup.db" "SELECT count(*) FROM conversations")" = 4 ] && ok ||
    bad "a conversation without an id moved: $(grep sqlite: "$T/err")"

# ---- rows updated, not deleted and inserted: a user's columns stay -------
$G convert -q -f sqlite -o "$T/u.db" "$S"
cid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["conversations"][1]["conversation"]["id"])' "$S")
last=$(q "$T/u.db" "SELECT id FROM messages WHERE conversation_id = '$cid' ORDER BY position DESC LIMIT 1")
q "$T/u.db" "ALTER TABLE conversations ADD COLUMN my_tag TEXT; ALTER TABLE messages ADD COLUMN my_note TEXT;
  UPDATE conversations SET my_tag = 'keep' WHERE id = '$cid'; UPDATE messages SET my_note = 'mine' WHERE id = '$old_id'" >/dev/null
python3 - "$T/newer.json" "$T/newer2.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["conversations"][1]["responses"].pop()  # its last message is gone
d["conversations"][1]["responses"][0]["response"]["message"] += " quetzalcoatlus"
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
$G convert -f sqlite -o "$T/u.db" "$T/newer2.json" 2>"$T/err"
fts() { q "$T/u.db" "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '$1'"; }
grep -q 'sqlite: 1 new, 1 updated, 4 unchanged' "$T/err" &&
    [ "$(q "$T/u.db" "SELECT my_tag FROM conversations WHERE id = '$cid'")" = keep ] &&
    [ "$(q "$T/u.db" "SELECT my_note FROM messages WHERE id = '$old_id'")" = mine ] &&
    [ "$(fts quetzalcoatlus)" = 1 ] && [ "$(fts zanzibarian)" = 1 ] && [ "$(fts "$old_word")" = "$(q "$T/s.db" "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '$old_word'")" ] &&
    [ "$(q "$T/u.db" "SELECT count(*) FROM messages WHERE id = '$last'")" = 0 ] &&
    [ "$(q "$T/u.db" "SELECT count(*) FROM messages WHERE conversation_id = '$cid'")" = "$(($(q "$T/s.db" "SELECT count(*) FROM messages WHERE conversation_id = '$cid'") - 1))" ] &&
    [ "$(q "$T/u.db" "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check'); PRAGMA integrity_check")" = ok ] && ok ||
    bad "upsert: $(grep sqlite: "$T/err"), tag $(q "$T/u.db" "SELECT my_tag FROM conversations WHERE id = '$cid'"), note $(q "$T/u.db" "SELECT my_note FROM messages WHERE id = '$old_id'"), fts $(fts quetzalcoatlus) $(fts zanzibarian) $(fts "$old_word")"

# ---- an update runs in place, in one transaction, under SQLite's locks --
# (a) WAL with another connection that wrote and stays open: nothing of its
# -wal replayed into a renamed file, its writes kept; the mode and links kept
$G convert -q -f sqlite -o "$T/w.db" "$S"
[ "$(q "$T/w.db" "PRAGMA journal_mode = WAL")" = wal ] || bad "WAL not set"
python3 - "$T/w.db" >"$T/holder-a" 2>&1 <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("pragma wal_autocheckpoint=0")
c.execute("create table my_notes(x)")
for i in range(200):
    c.execute("insert into my_notes values(?)", ("note %d" % i * 50,))
print("written", flush=True)
time.sleep(2)
c.close()
EOF
hp=$!
i=0; while [ $i -lt 400 ] && ! grep -qs written "$T/holder-a"; do sleep 0.05; i=$((i + 1)); done
chmod 640 "$T/w.db"; ln "$T/w.db" "$T/w-link.db"
$G convert -q -f sqlite -o "$T/w.db" "$T/newer.json" 2>"$T/err"; st=$?
wait $hp
[ $st = 0 ] && [ "$(q "$T/w.db" "PRAGMA integrity_check")" = ok ] && [ "$(q "$T/w.db" "SELECT count(*) FROM my_notes")" = 200 ] &&
    [ "$(q "$T/w.db" "SELECT count(*) FROM conversations")" = 6 ] && [ "$(q "$T/w.db" "PRAGMA journal_mode")" = wal ] &&
    [ "$(stat -c %a:%h "$T/w.db")" = 640:2 ] && [ "$(q "$T/w-link.db" "SELECT count(*) FROM conversations")" = 6 ] && ok ||
    bad "WAL update with an open writer: status $st: $(cat "$T/err"; q "$T/w.db" "PRAGMA integrity_check" | head -3) $(stat -c %a:%h "$T/w.db")"
# (b) a write transaction open when grokx starts is waited for, not lost
$G convert -q -f sqlite -o "$T/r.db" "$S"
python3 - "$T/r.db" >"$T/holder-b" 2>&1 <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin immediate")
c.execute("update conversations set title = 'mine' || title")
print("begun", flush=True)
time.sleep(1.5)
c.execute("commit")
EOF
hp=$!
i=0; while [ $i -lt 400 ] && ! grep -qs begun "$T/holder-b"; do sleep 0.05; i=$((i + 1)); done
$G convert -q -f sqlite -o "$T/r.db" "$T/newer.json" 2>"$T/err"; st=$?
wait $hp
# its titles stay on the four conversations grokx left unchanged
[ $st = 0 ] && [ "$(q "$T/r.db" "SELECT count(*) FROM conversations WHERE title LIKE 'mine%'")" = 4 ] &&
    [ "$(q "$T/r.db" "SELECT count(*) FROM conversations")" = 6 ] && ok ||
    bad "a write transaction open at the start: status $st: $(cat "$T/err"; q "$T/r.db" "SELECT title FROM conversations")"
# (d) another program's BEGIN EXCLUSIVE held past the wait: named as such
python3 - "$T/r.db" >"$T/holder-d" 2>&1 <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin exclusive")
print("begun", flush=True)
time.sleep(7)
c.execute("rollback")
EOF
hp=$!
i=0; while [ $i -lt 400 ] && ! grep -qs begun "$T/holder-d"; do sleep 0.05; i=$((i + 1)); done
$G convert -q -f sqlite -o "$T/r.db" "$S" 2>"$T/err"; st=$?
wait $hp
[ $st = 75 ] && grep -q 'another program holds the database' "$T/err" && ! grep -q 'another grokx run' "$T/err" && ok ||
    bad "BEGIN EXCLUSIVE of another program: status $st: $(cat "$T/err")"

# Ctrl-C in the last seconds (here while the commit waits for a reader):
# the database is committed, and the message says so (it said nothing)
$G convert -q -f sqlite -o "$T/c.db" "$S"
python3 - "$T/c.db" >"$T/holder-e" 2>&1 <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin")
c.execute("select count(*) from conversations").fetchall()
print("reading", flush=True)
time.sleep(2.5)
c.execute("commit")
EOF
hp=$!
i=0; while [ $i -lt 400 ] && ! grep -qs reading "$T/holder-e"; do sleep 0.05; i=$((i + 1)); done
$G convert -q -f sqlite -o "$T/c.db" "$T/newer.json" 2>"$T/err" &
gp=$!
sleep 1
kill -INT $gp
wait $gp; st=$?
wait $hp
[ $st = 130 ] && grep -q 'complete and committed' "$T/err" && [ "$(q "$T/c.db" "SELECT count(*) FROM conversations")" = 6 ] && ok ||
    bad "SIGINT during the commit: status $st: $(cat "$T/err") $(q "$T/c.db" "SELECT count(*) FROM conversations")"

# ---- never over another's file, the input, or through a link -----------
printf 'my notes\n' >"$T/notes.db"
$G convert -q -f sqlite -o "$T/notes.db" "$S" 2>"$T/err"; st=$?
[ $st = 64 ] && [ "$(cat "$T/notes.db")" = "my notes" ] && grep -q 'not a grokx sqlite file' "$T/err" && ok || bad "a text file: status $st: $(cat "$T/err")"
q "$T/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (42)" >/dev/null
sum=$(sha256sum <"$T/other.db")
$G convert -q -f sqlite -o "$T/other.db" "$S" 2>"$T/err"; st=$?
[ $st = 64 ] && [ "$(sha256sum <"$T/other.db")" = "$sum" ] && ok || bad "another program's SQLite database: status $st: $(cat "$T/err")"
q "$T/newer-schema.db" "PRAGMA application_id = 1735551864; PRAGMA user_version = 99; CREATE TABLE t(x)" >/dev/null
$G convert -q -f sqlite -o "$T/newer-schema.db" "$S" 2>"$T/err"; st=$?
[ $st = 64 ] && grep -q "schema version 99" "$T/err" && ok || bad "a schema this grokx does not know: status $st: $(cat "$T/err")"
ln -s s.db "$T/link.db"
$G convert -q -f sqlite -o "$T/link.db" "$S" 2>"$T/err"; st=$?
[ $st = 64 ] && [ -L "$T/link.db" ] && ok || bad "a symbolic link: status $st"
cp "$S" "$T/in.json"
$G convert -q -f sqlite -o "$T/in.json" "$T/in.json" 2>"$T/err"; st=$?
cmp -s "$S" "$T/in.json" && [ $st = 64 ] && ok || bad "-o the input: status $st: $(cat "$T/err")"
: >"$T/empty.db"
$G convert -q -f sqlite -o "$T/empty.db" "$S" && [ "$(q "$T/empty.db" "SELECT count(*) FROM conversations")" = 5 ] && ok || bad "an empty file is not filled"
$G convert -q -f sqlite -o - "$S" >/dev/null 2>"$T/err"; st=$?
[ $st = 64 ] && grep -q 'a file of its own' "$T/err" && ok || bad "-o -: status $st: $(cat "$T/err")"
# a folder, a missing folder, a blank summary, the symbolic link's hint
mkdir "$T/adir"
$G convert -q -f sqlite -o "$T/adir/" "$S" 2>"$T/err"; st=$?
[ $st = 64 ] && grep -q 'is a folder' "$T/err" && ok || bad "-o a folder: status $st: $(cat "$T/err")"
$G convert -q -f sqlite -o "$T/nodir/sub/x.db" "$S" 2>"$T/err"; st=$?
[ $st = 0 ] && [ "$(stat -c %a "$T/nodir")" = 700 ] && [ "$(q "$T/nodir/sub/x.db" "SELECT count(*) FROM conversations")" = 5 ] && ok ||
    bad "-o into a missing folder: status $st: $(cat "$T/err")"
$G convert -q -f sqlite -o "$T/link.db" "$S" 2>"$T/err"
! grep -q 'or -o - for standard output)' "$T/err" && ok || bad "the link's message suggests -o -: $(cat "$T/err")"
python3 - "$S" "$T/blank.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["conversations"][0]["conversation"]["summary"] = "  "
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
$G convert -q -f sqlite -o "$T/blank.db" "$T/blank.json"
[ "$(q "$T/blank.db" "SELECT count(*) FROM conversations WHERE summary IS NOT NULL AND trim(summary) = ''")" = 0 ] && ok || bad "a blank summary stored"

# the lock: a second run into the same file waits for nothing and says so
flock -n "$T/.s.db.grokx-lock" sleep 1.5 &
lp=$!
sleep 0.3
$G convert -q -f sqlite -o "$T/s.db" "$S" 2>"$T/err"; st=$?
wait $lp # its sleep holds the lock too
[ $st = 75 ] && grep -q 'another grokx run' "$T/err" && ok || bad "lock held: status $st: $(cat "$T/err")"

# ---- interrupted runs leave the previous database as it was -----------
if [ -z "${GX_TEST_QUICK:-}" ]; then
    "$B/gen-export" -s 120M -S 7 -o "$T/big.json" >/dev/null
    cp "$T/s.db" "$T/keep.db"
    # an update runs in the file itself under SQLite's journal: after a kill
    # the file's bytes may differ (a hot journal beside it), its content,
    # as the next opener sees it (the journal rolled back), may not
    dump() { sqlite3 "$1" .dump | sha256sum; }
    sum=$(dump "$T/s.db")
    for sig in KILL INT; do
        $G convert -q -f sqlite -o "$T/s.db" "$T/big.json" 2>/dev/null &
        pid=$!
        # until it has written some of the copy
        i=0; while [ $i -lt 100 ] && ! ls "$T" | grep -q '^s\.db-journal$'; do sleep 0.05; i=$((i + 1)); done
        sleep 0.3
        kill -$sig $pid || bad "kill -$sig: the run ended before it"
        wait $pid; st=$?
        [ "$(dump "$T/s.db")" = "$sum" ] && [ "$(q "$T/s.db" "PRAGMA integrity_check")" = ok ] && ok ||
            bad "kill -$sig (status $st): the previous database changed"
        [ $sig = KILL ] || { [ $st = 130 ] && [ -z "$(ls -a "$T" | grep -e '^s\.db\.tmp-' -e '^\.s\.db\.grokx-lock$')" ] && ok ||
            bad "SIGINT: status $st, left: $(ls -a "$T")"; }
    done
    # the next run sweeps the dead run's temporary and updates the database
    $G convert -f sqlite -o "$T/s.db" "$T/big.json" 2>"$T/err"; st=$?
    [ $st -le 1 ] && [ -z "$(ls -a "$T" | grep -e '^s\.db\.tmp-' -e '-journal$')" ] &&
        grep -q 'sqlite: [1-9][0-9]* new, 0 updated, 0 unchanged' "$T/err" && ok || bad "after the kills: status $st: $(grep sqlite: "$T/err"), $(ls -a "$T")"
    # the same export again: nothing changes
    $G convert -f sqlite -o "$T/s.db" "$T/big.json" 2>"$T/err"
    grep -q 'sqlite: 0 new, 0 updated, [1-9][0-9]* unchanged' "$T/err" && ok || bad "re-run of the big export: $(grep sqlite: "$T/err")"
    # as many rows as grokx info counts
    n=$($G info --json -q "$T/big.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["conversations"], d["messages"])')
    [ "$(q "$T/big.db" 2>/dev/null; $G convert -q -f sqlite -o "$T/big.db" "$T/big.json"; q -separator ' ' "$T/big.db" "SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages)")" = "$n" ] &&
        ok || bad "generated export: rows differ from info's $n"
fi

echo "sqlite: $pass passed, $fail failed"
[ $fail = 0 ]
