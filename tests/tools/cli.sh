#!/bin/sh
# CLI contract tests: exit codes, messages, outputs, atomic files.
G=${GROKX:-./grokx}
T=$(mktemp -d)
trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL cli: $*" >&2; }
# expect STATUS CMD...: run, keep stdout/stderr in $T/out, $T/err
expect() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" = "$want" ]; then ok; else bad "$* -> status $got, want $want: $(head -c 300 "$T/err")"; fi
}
has() { if grep -q -- "$2" "$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$1")"; fi; }
GOLD=tests/parse/golden

expect 0 $G --version;                 has "$T/out" "grokx 0."
expect 0 $G --help;                    has "$T/out" "usage: grokx"
expect 64 $G;                          has "$T/err" "usage: grokx"
expect 64 $G frobnicate x;             has "$T/err" 'unknown command "frobnicate"'
expect 0 $G info --help;               has "$T/out" "usage: grokx info"
expect 0 $G convert --help;            has "$T/out" "events"
# grokx help CMD is CMD --help; the top level takes prefixes of its long
# options as every command does (issue 29)
expect 0 $G help convert;              has "$T/out" "usage: grokx convert"
$G convert --help >"$T/h1"; cmp -s "$T/out" "$T/h1" && ok || bad "help convert is not convert --help"
expect 0 $G help;                      has "$T/out" "usage: grokx"
expect 64 $G help frobnicate;          has "$T/err" 'unknown command "frobnicate"'
expect 0 $G --vers;                    has "$T/out" "grokx 0."
expect 0 $G --he;                      has "$T/out" "usage: grokx"
expect 64 $G info;                     has "$T/err" "INPUT missing"
expect 64 $G info --bogus x
expect 64 $G convert $GOLD/01-minimal/input.json; has "$T/err" "-o OUT missing"
expect 64 $G convert -f nope -o - $GOLD/01-minimal/input.json; has "$T/err" 'unknown format "nope"'

# info: text, JSON, stdin
expect 0 $G info examples/sample-export.json
has "$T/out" "Conversations:"; has "$T/out" "Models:"; has "$T/out" "Other sections:"
expect 0 $G info --json examples/sample-export.json; has "$T/out" '"conversations":'
if command -v python3 >/dev/null; then
    if python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["conversations"] > 0' <"$T/out"; then ok; else bad "info --json is not valid JSON"; fi
fi
cat $GOLD/01-minimal/input.json | { $G info - >"$T/out" 2>"$T/err"; echo $? >"$T/st"; }
[ "$(cat "$T/st")" = 0 ] && ok || bad "info - from stdin"
has "$T/out" "(stdin)"

# errors say what and where; status 2
expect 2 $G info $GOLD/41-malformed-missing-comma/input.json
has "$T/err" "input.json: byte 290 (line 7, column 9): parse error"
expect 2 $G info $GOLD/40-malformed-truncated-string/input.json
has "$T/err" "unexpected end of input"
expect 2 $G info "$T/does-not-exist.json";  has "$T/err" "No such file"
expect 2 $G info tests;                      has "$T/err" "no prod-grok-backend.json in it"
# another app's chat export in a "conversations" array: status 2 at its first
# conversation, naming the shape found, and no note written (issue 27)
expect 2 $G info $GOLD/49b-foreign-shape/input.json
has "$T/err" "conversations\[0\] has messages\[\] but no responses: this is not xAI's export format"
printf '{"conversations":[{"title":"t","create_time":1700000000.5,"mapping":{"a":{"message":null}}}]}' >"$T/chatgpt.json"
expect 2 $G convert -o "$T/foreign" "$T/chatgpt.json"
has "$T/err" "conversations\[0\] has a mapping but no responses: this looks like ChatGPT's export"
[ -z "$(find "$T/foreign" -name '*.md' 2>/dev/null)" ] && ok || bad "a foreign export left notes"
# ... and nothing at all: no folder made for it, no lock file, in every format
# (issue 27's trial: OUT/, OUT/md/, OUT/html/ and the lock files stayed)
[ ! -e "$T/foreign" ] && ok || bad "a refused export left its OUT: $(ls -AR "$T/foreign")"
mkdir "$T/refused" && (cd "$T/refused" && $G convert -q -f md,html,events -o multi "$T/chatgpt.json" 2>/dev/null;
    $G convert -q -f events -o single.jsonl "$T/chatgpt.json" 2>/dev/null; $G convert -q -f index -o x.gxi "$T/chatgpt.json" 2>/dev/null)
[ -z "$(ls -A "$T/refused")" ] && ok || bad "refused exports left files: $(ls -AR "$T/refused")"
mkdir "$T/refused/mine" && $G convert -q -o "$T/refused/mine" "$T/chatgpt.json" 2>/dev/null
[ -d "$T/refused/mine" ] && [ -z "$(ls -A "$T/refused/mine")" ] && ok || bad "a refused export changed a folder that was there"
# a finished run leaves no lock file (it is removed while held)
expect 0 $G convert -q -f md,html,events -o "$T/nolock" $GOLD/01-minimal/input.json
[ -z "$(find "$T/nolock" -name '*grokx-lock*')" ] && ok || bad "a finished run left a lock: $(find "$T/nolock" -name '*grokx-lock*')"
rm -rf "$T/refused" "$T/nolock"
printf '{"conversations":[{"uuid":"u","name":"n","chat_messages":[{"sender":"human","text":"hi"}]}]}' >"$T/claude.json"
expect 2 $G convert -f events -o - "$T/claude.json"
has "$T/err" "has chat_messages\[\] but no responses: this looks like Claude's export"
# after a Grok conversation, the same is a warning (status 1) and the rest is converted
expect 1 $G convert -f events -o - $GOLD/49c-no-messages/input.json
has "$T/err" "warning: .*has chat_messages\[\] but no responses: no message read"
has "$T/out" '"no_messages":true'
# warnings: status 1, each on stderr with its position
expect 1 $G info $GOLD/21-skipped-response-entries/input.json
has "$T/err" "warning: byte "
expect 0 $G info -q $GOLD/01-minimal/input.json

# convert -f events to stdout equals the golden transcript
expect 0 $G convert -f events -o - $GOLD/09-regeneration/input.json
sed 's|"input":"[^"]*"|"input":"input.json"|' "$T/out" >"$T/norm"
if cmp -s "$T/norm" $GOLD/09-regeneration/expected.txt; then ok; else bad "events to stdout differ from golden"; fi
expect 0 $G convert -f events --branches all -o - $GOLD/09-regeneration/input.json
sed 's|"input":"[^"]*"|"input":"input.json"|' "$T/out" >"$T/norm"
if cmp -s "$T/norm" $GOLD/09-regeneration/expected-all.txt; then ok; else bad "--branches all differs from golden"; fi

# filters: count the conversations that pass
nconv() { $G convert -q -f events -o - "$@" $GOLD/09-regeneration/input.json 2>/dev/null | grep -c '"event":"conversation"'; }
[ "$(nconv)" = 2 ] && ok || bad "no filter"
[ "$(nconv --title NATURAL)" = 1 ] && ok || bad "--title is case-insensitive"
[ "$(nconv --since 2025-10-09T09:00:00Z)" = 1 ] && ok || bad "--since ISO"
[ "$(nconv --until 2025-10-09)" = 2 ] && ok || bad "--until DAY includes the day"
[ "$(nconv --until 2025-10-08)" = 0 ] && ok || bad "--until the day before"
[ "$(nconv --since 2025-10-10 --tz -12:00)" = 0 ] && ok || bad "--since in --tz"
[ "$(nconv --starred)" = 0 ] && ok || bad "--starred"
# --tz is read exactly (one parser for convert and search): +HH:MM, +HHMM,
# +HH, Z, UTC, local; anything else is a usage error naming the option
tzc() { $G convert -q --tz "$1" -o - $GOLD/01-minimal/input.json 2>/dev/null | sed -n 's/^## You · //p' | head -1; }
u=$(tzc UTC)
for z in +05:30 -09:30 +05:45; do
    zz=$(echo "$z" | tr -d :)
    [ -n "$(tzc "$z")" ] && [ "$(tzc "$z")" != "$u" ] && [ "$(tzc "$zz")" = "$(tzc "$z")" ] && ok ||
        bad "--tz $zz is not $z: $(tzc "$zz") vs $(tzc "$z")"
done
case "$(tzc +0530)" in *+05:30) ok ;; *) bad "--tz +0530 gave $(tzc +0530)" ;; esac
case "$(tzc -0930)" in *-09:30) ok ;; *) bad "--tz -0930 gave $(tzc -0930)" ;; esac
[ "$(tzc +05)" = "$(tzc +05:00)" ] && [ "$(tzc Z)" = "$u" ] && [ "$(tzc utc)" = "$u" ] && ok || bad "--tz +05, Z, utc"
for z in +05:3 +05:30x +5 +053 +05:300 +0530x 05:30 +24:00 +05:60 "+05 " ":05" +05-30 "" x; do
    expect 64 $G convert --tz "$z" -o - $GOLD/01-minimal/input.json; has "$T/err" "--tz"
done
expect 64 $G convert -f events -o - --since yesterday $GOLD/09-regeneration/input.json
has "$T/err" "not a date"

# convert to a file: private, whole, no temporaries left
expect 0 $G convert -f events -o "$T/ev.jsonl" $GOLD/01-minimal/input.json
[ -f "$T/ev.jsonl" ] && [ "$(stat -c %a "$T/ev.jsonl")" = 600 ] && ok || bad "output file missing or not 0600"
# a failed run leaves the earlier file intact and no temporary
cp "$T/ev.jsonl" "$T/before"
expect 2 $G convert -f events -o "$T/ev.jsonl" $GOLD/41-malformed-missing-comma/input.json
cmp -s "$T/ev.jsonl" "$T/before" && ok || bad "failed convert changed the existing output"
[ -z "$(ls "$T" | grep tmp-)" ] && ok || bad "temporary file left behind"
# several formats: OUT is a folder
expect 0 $G convert -f events -o "$T/dir1" $GOLD/01-minimal/input.json
# output errors: status 3
if [ -w /dev/full ]; then
    $G convert -f events -o - $GOLD/01-minimal/input.json >/dev/full 2>"$T/err"; st=$?
    [ $st = 3 ] && ok || bad "> /dev/full gave $st"
    has "$T/err" "No space left"
    $G info examples/sample-export.json >/dev/full 2>"$T/err"; st=$?
    [ $st = 3 ] && ok || bad "info > /dev/full gave $st"
fi
mkdir "$T/ro" && chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
    expect 3 $G convert -f events -o "$T/ro/x.jsonl" $GOLD/01-minimal/input.json
fi
# text from the export never sends the terminal an escape sequence: ids,
# times and models quoted by warnings, names in grokx info (C0 and C1)
printf '{"conversations":[{"conversation":{"id":"c\\u001b]0;PWNED\\u0007\\u001b[31mRED","title":"t","create_time":"not a time \\u001b[2J"},"responses":[{"response":{"_id":"m1","sender":"human\\u009b2J","message":"hi","create_time":"x\\u001b[1m"}}]}]}' >"$T/esc.json"
$G info "$T/esc.json" >"$T/out" 2>"$T/err"
esc=$(printf '\033'); csi=$(printf '\302\233')
grep -q "PWNED" "$T/err" && grep -q "human" "$T/out" && ok || bad "the escape test's warnings or names are missing: $(cat "$T/err" "$T/out")"
cat "$T/out" "$T/err" | LC_ALL=C grep -q "$esc\|$csi" && bad "an escape sequence reached the terminal: $(cat -A "$T/err" | head -3)" || ok
# ... nor bidi controls (U+202E reverses what follows), line separators, BEL
# or DEL: not in warnings (info, and convert into md, html and index),
# errors, or info's names; other Unicode is kept, bidi controls show U+FFFD
python3 - "$T/bidi.json" <<'EOF'
import json, sys
bad = "\u202e\u2028\u2029\u2066\u2069\u200f\u061c\u001b[31m\u0007\u007f\u009b"
conv = {"conversation": {"id": "c" + bad + "\u65e5\u672c", "title": "t" + bad, "create_time": bad + "late"},
        "responses": [{"response": {"_id": "m1", "sender": "human" + bad, "message": "hi", "model": "grok" + bad + "\u00e9",
                                     "create_time": True}}]}
json.dump({"conversations": [conv]}, open(sys.argv[1], "w"))
EOF
printf '{"conversations":[{"conversation":{"id":"c\\u202e\\u2028x"}},]}' >"$T/bidi-err.json"
for cmd in "info $T/bidi.json" "info --json $T/bidi.json" "convert -f md,html,index -o $T/bidi-out $T/bidi.json" \
           "convert -f md --threads 1 -o $T/bidi-md $T/bidi.json" "info $T/bidi-err.json"; do
    $G $cmd >"$T/out" 2>"$T/err"
    raw=
    for b in '\342\200\256' '\342\200\250' '\342\200\251' '\342\201\246' '\342\201\251' '\342\200\217' '\330\234' \
             '\033' '\007' '\177' '\302\233'; do
        LC_ALL=C grep -q "$(printf "$b")" "$T/out" "$T/err" && raw="$raw $b"
    done
    [ -z "$raw" ] && ok || bad "$cmd: $raw reached the terminal: $(cat -A "$T/err" "$T/out" | head -c 400)"
done
$G info "$T/bidi.json" >"$T/out" 2>"$T/err"
grep -q "$(printf 'grok\357\277\275')" "$T/out" && grep -q "$(printf 'c\357\277\275')" "$T/err" &&
    grep -q "$(printf '\346\227\245\346\234\254')" "$T/err" && grep -q "$(printf '\303\251')" "$T/out" && ok ||
    bad "bidi controls should show as U+FFFD, other Unicode kept: $(cat "$T/out" "$T/err")"
# "responses" twice: both lists are kept, and the warning says so
printf '{"conversations":[{"conversation":{"id":"c1","title":"t"},"responses":[{"response":{"_id":"m1","sender":"human","message":"ONE"}}],"responses":[{"response":{"_id":"m2","parent_response_id":"m1","sender":"assistant","message":"TWO"}}]}]}' >"$T/dupresp.json"
$G convert -f events -o - "$T/dupresp.json" >"$T/out" 2>"$T/err"
grep -q '"ONE"' "$T/out" && grep -q '"TWO"' "$T/out" && grep -q 'key "responses" appears twice; the items of both are kept' "$T/err" && ok ||
    bad "responses twice: $(cat "$T/err")"

# Output over input: refused (64) for every format and every way OUT can
# name the input (the same path, a hard or symbolic link, a folder inside
# the extracted export, a folder holding the input, standard input's file),
# before anything is opened: no byte, mtime, lock or temporary changes.
IO="$T/io"; mkdir -p "$IO/d"
cp $GOLD/01-minimal/input.json "$IO/x.json"; cp "$IO/x.json" "$IO/d/prod-grok-backend.json"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").write(sys.argv[2], "ttl/30d/export_data/u/prod-grok-backend.json")' "$IO/export.zip" "$IO/x.json"
ln "$IO/x.json" "$IO/hard.json"; ln -s x.json "$IO/sym.json"; ln -s d "$IO/dlink"
snap() { (cd "$IO" && find . -printf '%p %y %s %T@ %m\n' | sort && find . -type f -exec cksum {} + | sort); }
snap >"$T/io.before"
refused() { # refused FORMAT OUT INPUT...: status 64, "refused:", nothing touched
    fmt=$1 o=$2; shift 2
    expect 64 $G convert -q -f "$fmt" -o "$o" "$@"
    has "$T/err" "refused:"
    snap >"$T/io.after"
    cmp -s "$T/io.before" "$T/io.after" && ok || bad "-f $fmt -o $o $*: the input folder changed: $(diff "$T/io.before" "$T/io.after" | head -5)"
}
for f in events index md html md,events; do
    refused $f "$IO/x.json" "$IO/x.json"              # OUT is the input
    refused $f "$IO/./x.json" "$IO/x.json"            # spelled otherwise
    refused $f "$IO/hard.json" "$IO/x.json"           # a hard link to it
    refused $f "$IO/sym.json" "$IO/x.json"            # a symbolic link to it
    refused $f "$IO/x.json" "$IO/sym.json"            # the input through a link
    refused $f "$IO/export.zip" "$IO/export.zip"      # the ZIP as downloaded
    refused $f "$IO/d/out" "$IO/d"                    # inside the extracted folder
    refused $f "$IO/dlink/out/x" "$IO/d"              # ... reached through a link
    refused $f "$IO/d" "$IO/d"                        # the folder itself
    refused $f "$IO" "$IO/x.json"                     # OUT holds the input
    refused $f "$IO/d" "$IO/d/prod-grok-backend.json" # ... the extracted JSON
    refused $f "$IO/new/../x.json" "$IO/x.json"       # ".." past a folder not made yet
    expect 64 $G convert -q -f "$f" -o "$IO/x.json" - <"$IO/x.json"; has "$T/err" "refused:"
done
snap >"$T/io.after"
cmp -s "$T/io.before" "$T/io.after" && ok || bad "refused runs changed the input folder"
# a run of several formats into a folder: the input is OUT/events.jsonl
mkdir "$T/multi"; cp "$IO/x.json" "$T/multi/events.jsonl"
expect 64 $G convert -q -f md,events -o "$T/multi" "$T/multi/events.jsonl"; has "$T/err" "inside the output folder"
cmp -s "$T/multi/events.jsonl" "$IO/x.json" && [ "$(ls -A "$T/multi")" = events.jsonl ] && ok || bad "OUT/events.jsonl, the input, was touched: $(ls -A "$T/multi")"
# what is allowed still works: a sibling file, a folder beside the input
expect 0 $G convert -q -f events -o "$IO/../ev-ok.jsonl" "$IO/x.json"
expect 0 $G convert -q -o "$T/notes-ok" "$IO/d"

# Never replace what is not a regular file grokx wrote (issue 18, round 2).
# A FIFO or character device named by -o is written through as a stream
# (like -o -), never replaced; a symbolic link to a file is refused (64);
# a regular file is replaced only when it is grokx's output of that format
# (an index's magic, an events file's first line) or empty. Standard output
# or standard input being the input's file (or a file in the input folder,
# or the input in OUT) is refused as a named OUT is.
NR="$T/nr"; mkdir -p "$NR"; X1=$GOLD/01-minimal/input.json
expect 0 $G convert -q -f index -o "$NR/a.gxi" $X1
mkfifo "$NR/fifo"
cat "$NR/fifo" >"$NR/fifo.got" &
rpid=$!
expect 0 $G convert -q -f events -o "$NR/fifo" $X1
[ -p "$NR/fifo" ] && [ "$got" = 0 ] || { kill $rpid; mkfifo "$NR/fifo.new"; }
wait $rpid
[ -p "$NR/fifo" ] && ok || { bad "-o FIFO: the FIFO was replaced by $(ls -l "$NR/fifo")"; mv "$NR/fifo.new" "$NR/fifo"; }
head -1 "$NR/fifo.got" | grep -q '"begin_export"' && ok || bad "-o FIFO: the reader got $(head -c 100 "$NR/fifo.got")"
ln -s "$NR/fifo" "$NR/fifolink"
cat "$NR/fifo" >"$NR/fifo.got" &
rpid=$!
expect 0 $G convert -q -f md -o "$NR/fifolink" $X1
[ -L "$NR/fifolink" ] && [ "$got" = 0 ] || kill $rpid
wait $rpid
[ -L "$NR/fifolink" ] && [ -p "$NR/fifo" ] && [ -s "$NR/fifo.got" ] && ok || bad "-o link to a FIFO: $(ls -l "$NR")"
ln -s /proc/self/fd/1 "$NR/stdout" # as /dev/stdout is (not the system's: a broken build replaces it)
expect 0 sh -c "$G convert -q -f events -o '$NR/stdout' $X1 | head -1"; has "$T/out" '"begin_export"'
[ -L "$NR/stdout" ] && ok || bad "-o a link to standard output: replaced"
# a character device: our own node of /dev/null when we may make one (a
# build that replaces it must not replace the system's)
if mknod "$NR/null" c 1 3 2>/dev/null; then NUL="$NR/null"; else NUL=; fi
for f in events index md; do
    [ -n "$NUL" ] && expect 0 $G convert -q -f $f -o "$NUL" $X1
    [ -n "$NUL" ] && expect 0 $G merge -o "$NUL" "$NR/a.gxi"
done
[ -z "$NUL" ] || [ -c "$NUL" ] && ok || bad "-o DEVICE: the device was replaced by $(ls -l "$NUL")"
if [ -n "$NUL" ]; then
    expect 64 $G convert -q -f html -o "$NUL" $X1; has "$T/err" "writes a folder"
    expect 64 $G convert -q -f md,events -o "$NUL" $X1; has "$T/err" "takes one format"
fi
echo precious >"$NR/thesis.txt"; ln -s thesis.txt "$NR/so"
for f in events index md; do
    expect 64 $G convert -q -f $f -o "$NR/so" $X1; has "$T/err" "is a symbolic link"
done
[ -L "$NR/so" ] && [ "$(cat "$NR/thesis.txt")" = precious ] && ok || bad "-o SYMLINK: replaced or written through"
ln -s nowhere "$NR/dangling"
expect 64 $G convert -q -f events -o "$NR/dangling" $X1; has "$T/err" "is a symbolic link"
[ -L "$NR/dangling" ] && [ ! -e "$NR/nowhere" ] && ok || bad "-o dangling link: $(ls "$NR")"
# a file grokx did not write: refused for events, index and merge
cp "$IO/export.zip" "$NR/in.zip"
for t in "events thesis.txt" "index thesis.txt" "events in.zip" "index in.zip" "index a.gxi.bak"; do
    set -- $t
    [ -e "$NR/$2" ] || echo "user data" >"$NR/$2"
    cp "$NR/$2" "$NR/before"
    expect 64 $G convert -q -f $1 -o "$NR/$2" $X1; has "$T/err" "exists and is not a grokx $1 file"
    cmp -s "$NR/$2" "$NR/before" && ok || bad "-f $1 -o $2 overwrote a file grokx did not write"
done
expect 64 $G merge -o "$NR/in.zip" "$NR/a.gxi"; has "$T/err" "exists and is not a grokx index file"
expect 64 $G merge -o "$NR/thesis.txt" "$NR/a.gxi"
[ "$(cat "$NR/thesis.txt")" = precious ] && cmp -s "$NR/in.zip" "$IO/export.zip" && ok || bad "merge overwrote a file grokx did not write"
expect 64 $G convert -q -f events -o "$NR/a.gxi" $X1; has "$T/err" "not a grokx events file"
mkdir -p "$NR/m2"; echo mine >"$NR/m2/events.jsonl"
expect 64 $G convert -q -f md,events -o "$NR/m2" $X1; has "$T/err" "not a grokx events file"
[ "$(cat "$NR/m2/events.jsonl")" = mine ] && ok || bad "OUT/events.jsonl not ours was replaced"
ls -A "$NR" | grep -q 'tmp-\|thesis.txt.grokx-lock\|in.zip.grokx-lock\|bak.grokx-lock' && bad "a refused run left a temporary or lock: $(ls -A "$NR")" || ok
# ours (or empty) is replaced as before
expect 0 $G convert -q -f events -o "$NR/e.jsonl" $X1
expect 0 $G convert -q -f events -o "$NR/e.jsonl" $X1
expect 0 $G convert -q -f index -o "$NR/a.gxi" $X1
expect 0 $G convert -q -f index -o "$NR/b.gxi" $X1
expect 0 $G merge -o "$NR/a.gxi" "$NR/b.gxi"
: >"$NR/empty.gxi"; expect 0 $G convert -q -f index -o "$NR/empty.gxi" $X1
# standard output or input that is the input's file
cp $X1 "$NR/q.json"; cp $X1 "$NR/q.before"
expect 64 sh -c "$G convert -q -f events -o - '$NR/q.json' 1<>'$NR/q.json'"; has "$T/err" "standard output is the input"
expect 64 sh -c "$G convert -q -f md -o - '$NR/q.json' >>'$NR/q.json'"; has "$T/err" "standard output is the input"
expect 64 sh -c "$G convert -q -f events -o - - <'$NR/q.json' 1<>'$NR/q.json'"; has "$T/err" "standard output is the input"
cmp -s "$NR/q.json" "$NR/q.before" && ok || bad "-o - wrote into the input"
mkdir -p "$NR/exp"; cp $X1 "$NR/exp/prod-grok-backend.json"
expect 64 sh -c "$G convert -q -f events -o - '$NR/exp' >'$NR/exp/out.jsonl'"; has "$T/err" "inside the input folder"
case $G in /*) GA=$G ;; *) GA=$(pwd)/$G ;; esac
expect 64 sh -c "cd '$NR/exp' && $GA convert -q -f md,events -o . - <prod-grok-backend.json"; has "$T/err" "inside the output folder"
[ "$(ls -A "$NR/exp")" = "out.jsonl
prod-grok-backend.json" ] && cmp -s "$NR/exp/prod-grok-backend.json" $X1 && ok || bad "-o . - <in.json wrote beside the input: $(ls -A "$NR/exp")"
expect 0 sh -c "$G convert -q -f events -o - '$NR/q.json' >'$NR/other.jsonl'"
# every command that prints to standard output: info, search, check
expect 64 sh -c "$G info '$NR/q.json' 1<>'$NR/q.json'"; has "$T/err" "standard output is the input"
cp "$NR/a.gxi" "$NR/a.before"
expect 64 sh -c "$G search '$NR/a.gxi' hello 1<>'$NR/a.gxi'"; has "$T/err" "standard output is the input"
expect 64 sh -c "$G check '$NR/a.gxi' 1<>'$NR/a.gxi'"
cmp -s "$NR/q.json" "$NR/q.before" && cmp -s "$NR/a.gxi" "$NR/a.before" && ok || bad "info, search or check wrote into their input"

# One writer per output, and no temporary outlives its run. A run is held
# mid-way (its export arrives through a FIFO that stays open); a second run
# into the same OUT exits 75 at once, naming the lock and its holder; after
# kill -9 of the first, the next run succeeds and leaves no temporary of
# any format (md, html, events, index: the same sweep), while temporaries
# of another file beside OUT, a live process's, and a user's look-alike stay.
SAMPLE=examples/sample-export.json
dead=999999; while kill -0 $dead 2>/dev/null; do dead=$((dead + 1)); done
mkfifo "$T/fifo"
for f in md html events index; do
    case $f in
    md | html) o="$T/lk-$f"; lock="$o/.grokx-lock"; tdir="$o" ;;
    *) mkdir -p "$T/lk"; o="$T/lk/out.$f"; lock="$T/lk/.out.$f.grokx-lock"; tdir="$T/lk" ;;
    esac
    $G convert -q -f $f --memory 1M -o "$o" - <"$T/fifo" 2>/dev/null &
    pid=$!
    exec 3>"$T/fifo"
    head -c 30000 $SAMPLE >&3
    i=0; while [ ! -e "$lock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    [ -e "$lock" ] && [ "$(stat -c %a "$lock")" = 600 ] && ok || bad "$f: no lock file $lock (mode 600)"
    sleep 0.2 # the temporary (events, index) is made once the lock is held
    start=$(date +%s)
    expect 75 $G convert -q -f $f -o "$o" $SAMPLE
    [ $(($(date +%s) - start)) -le 2 ] && ok || bad "$f: the second run waited for the lock"
    has "$T/err" "another grokx run is writing it (lock $lock held by pid $pid)"
    kill -9 $pid; wait $pid 2>/dev/null; exec 3>&-
    case $f in events | index)
        [ -n "$(find "$tdir" -name '*.tmp-*')" ] && ok || bad "$f: the killed run left no temporary to sweep (the test is void)"
        echo theirs >"$tdir/other.$f.tmp-$dead-0"   # another output's
        echo live >"$o.tmp-$$-7"                     # a live process's
        echo mine >"$o.tmp-notes"                    # the user's
    esac
    expect 0 $G convert -q -f $f -o "$o" $SAMPLE
    case $f in
    events | index)
        left=$(find "$tdir" -name "out.$f.tmp-[0-9]*" ! -name "out.$f.tmp-$$-7")
        [ -z "$left" ] && [ -f "$o.tmp-$$-7" ] && [ -f "$tdir/other.$f.tmp-$dead-0" ] && [ -f "$o.tmp-notes" ] && ok ||
            bad "$f: after kill -9 and a re-run the temporaries are: $(find "$tdir" -name '*.tmp*')"
        rm -f "$o.tmp-$$-7" "$tdir/other.$f.tmp-$dead-0" "$o.tmp-notes" ;;
    *) [ -z "$(find "$tdir" -name '*.tmp-*')" ] && ok || bad "$f: a temporary survived: $(find "$tdir" -name '*.tmp-*')" ;;
    esac
done
[ "$f" = index ] && $G check "$o" >/dev/null && ok || bad "the index after the kill and re-run does not check"
# Every registered format, as the tool lists them: a re-run over its own
# output succeeds (a single-file format knows its file by its signature,
# from the registry; the tool names no format), a file that is not grokx's
# stays untouched, and one format's file is never taken for another's. A
# format added to the registry is covered here without a line more.
fmts=$($G convert -f nope -o - $GOLD/01-minimal/input.json 2>&1 | sed -n 's/.*(available: \(.*\))$/\1/p' | tr -d ',')
[ -n "$fmts" ] && ok || bad "no format list in the unknown-format message"
mkdir -p "$T/every"
for f in $fmts; do
    o="$T/every/out-$f"
    $G convert -q -f "$f" -o "$o" $GOLD/01-minimal/input.json >/dev/null 2>"$T/err"; st1=$?
    $G convert -q -f "$f" -o "$o" $GOLD/09-regeneration/input.json >/dev/null 2>"$T/err"; st2=$?
    [ "$st1" = 0 ] && [ "$st2" = 0 ] && ok || bad "-f $f re-run over its own output: status $st1 then $st2: $(head -c 300 "$T/err")"
    $G convert -q -f "$f,$f" -o "$T/every/twice-$f" $GOLD/01-minimal/input.json >/dev/null 2>"$T/err"; st=$?
    [ "$st" = 64 ] && grep -q "format \"$f\" given twice" "$T/err" && [ ! -e "$T/every/twice-$f" ] && ok ||
        bad "-f $f,$f: status $st, want 64 and nothing made: $(head -c 300 "$T/err")"
    printf 'a note of my own\n' >"$T/every/mine-$f"
    $G convert -q -f "$f" -o "$T/every/mine-$f" $GOLD/01-minimal/input.json >/dev/null 2>&1 && bad "-f $f over a file not grokx's: status 0"
    [ "$(cat "$T/every/mine-$f")" = "a note of my own" ] && ok || bad "-f $f replaced a file not grokx's"
done
for f in $fmts; do
    [ -f "$T/every/out-$f" ] || continue # a folder format
    for g in $fmts; do
        [ "$f" = "$g" ] && continue
        cp "$T/every/out-$f" "$T/every/x" && cksum <"$T/every/x" >"$T/every/x.sum"
        $G convert -q -f "$g" -o "$T/every/x" $GOLD/01-minimal/input.json >/dev/null 2>&1 && bad "-f $g replaced -f $f's file"
        cksum <"$T/every/x" | cmp -s - "$T/every/x.sum" && ok || bad "-f $g changed -f $f's file"
    done
done
# Paths longer than their buffers (4096 bytes): a note, page or index whose
# path would not fit whole is refused, with a message naming it, and
# nothing appears at a cut name (snprintf stopped the note's path inside
# its name: "OUT/2025/10/2025-10-09 Hello Gr", another file).
deep=$(python3 -c 'import sys
t = sys.argv[1] + "/deep"
while len(t) < 4060 - 250:
    t += "/" + "d" * 200
print(t + "/" + "e" * (4060 - len(t) - 1))' "$T")
mkdir -p "$deep"
for f in md html; do
    expect 3 $G convert -q -f $f -o "$deep" $GOLD/01-minimal/input.json
    has "$T/err" "path too long"
    has "$T/err" "Hello Grok (3f2b9c1e)"
    stray=$(find "$deep" -type f ! -name .grokx-lock ! -name '.grokx-manifest*' ! -name index.html \
        ! -name style.css ! -name index.js | wc -l)
    [ "$stray" = 0 ] && ok || bad "$f into a deep OUT left files: $(find "$deep" -type f | tail -c 300)"
    rm -rf "$deep"/* "$deep"/.grokx-*
done
# a single file: the kernel's limit, said as such; no file, no temporary
expect 3 $G convert -q -f index -o "$deep/$(printf '%064d' 0).gxi" $GOLD/01-minimal/input.json
has "$T/err" "File name too long"
[ -z "$(find "$deep" -type f ! -name '.*grokx-lock')" ] && ok || bad "index into a deep OUT left files"
rm -rf "$T/deep"
# issue 29, small ones: an empty name in a format list is refused as
# --format= is; -f given twice adds up; a folder given as z/ is named
# z/prod-grok-backend.json; no trailing spaces in info; a failed write says why
expect 64 $G convert -f md,,html -o "$T/ff" $GOLD/01-minimal/input.json; has "$T/err" "empty name"
expect 64 $G convert -f md, -o "$T/ff" $GOLD/01-minimal/input.json;      has "$T/err" "empty name"
[ -e "$T/ff" ] && bad "a refused format list made its output" || ok
expect 0 $G convert -q -f events -f index -o "$T/ff" examples/sample-export.json
[ -s "$T/ff/events.jsonl" ] && [ -s "$T/ff/index.gxi" ] && ok || bad "-f events -f index: $(ls "$T/ff")"
mkdir -p "$T/zf" && cp examples/sample-export.json "$T/zf/prod-grok-backend.json"
expect 0 $G info "$T/zf/"; has "$T/out" "$T/zf/prod-grok-backend.json"
grep -q "//" "$T/out" && bad "info z/: a double slash: $(grep // "$T/out")" || ok
grep -q " $" "$T/out" && bad "info: trailing spaces: $(grep -n ' $' "$T/out")" || ok
if [ -w /dev/full ]; then
    expect 3 $G convert -f events -o /dev/full examples/sample-export.json; has "$T/err" "No space left on device"
fi
echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]
