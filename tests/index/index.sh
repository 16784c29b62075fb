#!/bin/sh
# The search index from the command line: convert -f index, search (text,
# JSON, colour, filters, exit codes), merge, check, and damaged files.
G=${GROKX:-./grokx}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL index: $*" >&2; }
expect() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" = "$want" ]; then ok; else bad "$* -> status $got, want $want: $(head -c 300 "$T/err")"; fi
}
# a generated export holds, at a low rate, the shapes real exports take that
# warn (bench/README.md): its conversion succeeds with or without warnings
expect_gen() {
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" -le 1 ]; then ok; else bad "$* -> status $got, want 0 or 1: $(head -c 300 "$T/err")"; fi
}
has() { if grep -q -- "$2" "$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$1")"; fi; }
lacks() { if grep -q -- "$2" "$1"; then bad "$1 has '$2'"; else ok; fi; }
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); $1" || bad "json: $1"; }
S=examples/sample-export.json

# build, check, and the file's permissions
expect 0 $G convert -q -f index -o "$T/s.gxi" $S
[ "$(stat -c %a "$T/s.gxi")" = 600 ] && ok || bad "index mode $(stat -c %a "$T/s.gxi")"
ls "$T" | grep -q tmp && bad "a temporary was left" || ok
expect 0 $G check "$T/s.gxi";          has "$T/out" "ok: 46 messages in 5 conversations"  # 46 of 51: a regeneration and 4 turns off the active branch
# the same bytes whatever the run and the memory budget's segments
expect 0 $G convert -q -f index --memory 1M -o "$T/s2.gxi" $S
expect 0 $G check "$T/s2.gxi"
expect 0 $G convert -q -f index -o "$T/s3.gxi" $S
cmp -s "$T/s.gxi" "$T/s3.gxi" && ok || bad "two runs differ"
# spilling segments: the same bytes on every run, with or without the
# second thread (its timing must not decide where a segment ends)
GEN=${GEN:-${B:-build}/gen-export}
if [ -x "$GEN" ]; then
    segs() { sed -n 's/.* built in \([0-9]*\) segments.*/\1/p' "$T/err"; }
    $GEN -s 20M -S 5 -o "$T/gen.json"
    expect_gen $G convert -f index --memory 4M -o "$T/g1.gxi" "$T/gen.json"
    [ "$(segs)" -ge 2 ] 2>/dev/null && ok || bad "--memory 4M wrote no segments: $(cat "$T/err")"
    expect_gen $G convert -q -f index --memory 4M -o "$T/g2.gxi" "$T/gen.json"
    expect_gen $G convert -q -f index --memory 4M -o "$T/g3.gxi" "$T/gen.json"
    expect_gen $G convert -q --threads 1 -f index --memory 4M -o "$T/g0.gxi" "$T/gen.json"
    expect 0 $G check "$T/g1.gxi"
    cmp -s "$T/g1.gxi" "$T/g2.gxi" && cmp -s "$T/g1.gxi" "$T/g3.gxi" && ok || bad "segmented runs differ"
    cmp -s "$T/g1.gxi" "$T/g0.gxi" && ok || bad "--threads 1 gives another segmented index"
    expect_gen $G convert -q -f index -o "$T/g4.gxi" "$T/gen.json"
    [ "$($G search --json -n 100 "$T/g4.gxi" the | md5sum)" = "$($G search --json -n 100 "$T/g1.gxi" the | md5sum)" ] &&
        ok || bad "segments change the hits"
    # empty conversations right after a spill add no segment. A stale memory
    # figure once spilled after each of them (4,200 hit the 4,096-segment
    # limit). At --memory 2M the first segment of this export ends after its
    # 293rd conversation (if the accounting changes, move the insertion there).
    $GEN -s 20M -S 1 -o "$T/gen1.json"
    expect_gen $G convert -f index --memory 2M -o "$T/base.gxi" "$T/gen1.json"
    base=$(segs)
    python3 - "$T/gen1.json" "$T/empties.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['conversations'][293:293] = [
    {'conversation': {'id': 'empty-%d' % i, 'title': 'empty',
                      'create_time': '2026-01-01T00:00:00Z'}, 'responses': []}
    for i in range(4200)]
json.dump(d, open(sys.argv[2], 'w'))
PY
    expect_gen $G convert -f index --memory 2M -o "$T/empties.gxi" "$T/empties.json"
    [ -n "$base" ] && [ "$(segs)" -le $((base + 1)) ] && ok || bad "empty conversations added segments: $base, then $(segs)"
    expect 0 $G check "$T/empties.gxi"
else
    bad "$GEN is missing"
fi
# to standard output, and in one pass with md
$G convert -q -f index -o - $S >"$T/stdout.gxi" && cmp -s "$T/s.gxi" "$T/stdout.gxi" && ok || bad "-o - differs"
expect 0 $G convert -q -f md,index -o "$T/both" $S
[ -f "$T/both/index.gxi" ] && [ -d "$T/both/md" ] && ok || bad "-f md,index"
expect 64 $G convert -f index --memory 10K -o "$T/x.gxi" $S; has "$T/err" "memory"

# search: text
expect 0 $G search "$T/s.gxi" grok
has "$T/out" "1. "; has "$T/out" ".md"
# on a pipe a match is marked with guillemets, which Markdown leaves alone
# (brackets would read as links); --marks chooses (issue 29)
has "$T/out" "«grok»"; lacks "$T/out" "\[grok\]"
expect 0 $G search --marks '[,]' "$T/s.gxi" grok; has "$T/out" "\[grok\]"
expect 0 $G search --marks=, "$T/s.gxi" grok; lacks "$T/out" "«"; has "$T/out" "grok"
expect 64 $G search --marks x "$T/s.gxi" grok; has "$T/err" "OPEN,CLOSE"
lacks "$T/out" "$(printf '\033')"
expect 0 $G search --color always "$T/s.gxi" grok; has "$T/out" "$(printf '\033')\[1;33m"
NO_COLOR=1 expect 0 $G search "$T/s.gxi" grok
# the note named in a hit is the one convert -f md writes
expect 0 $G convert -q -o "$T/notes" $S
expect 0 $G search --json "$T/s.gxi" grok
python3 - "$T" <<'EOF' && ok || bad "hit paths are not the notes"
import json, os, sys
d = json.load(open(sys.argv[1] + "/out"))
assert d["hits"], d
for h in d["hits"]:
    assert os.path.exists(os.path.join(sys.argv[1], "notes", h["path"])), h["path"]
EOF
json 'assert d["total_messages"] >= len(d["hits"]) > 0'
json 'h = d["hits"][0]; s = h["snippet"]; assert all(s[a:a+n].lower() == "grok" for a, n in [(len(s.encode()[:x].decode(errors="ignore")), n) for x, n in h["highlights"]])'
# a minus before a "phrase" or a (group) excludes it, as NOT does; it was
# dropped, so what was to be excluded became required (issue 29)
tot() { $G search --json -n 1000 "$T/s.gxi" "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_messages"])' 2>/dev/null || echo 0; }
all=$(tot the); phr=$(tot 'the "short answer"'); grp=$(tot 'the (short OR answer)')
[ "$phr" -gt 0 ] && [ "$all" -gt "$grp" ] && ok || bad "the sample lacks 'short answer' ($all $phr $grp)"
for q in 'the -"short answer"' 'the NOT "short answer"' 'the NOT"short answer"' 'the --"short answer"'; do
    [ "$(tot "$q")" = $((all - phr)) ] && ok || bad "search '$q': $(tot "$q") messages, want $((all - phr))"
done
for q in 'the -(short OR answer)' 'the NOT (short OR answer)'; do
    [ "$(tot "$q")" = $((all - grp)) ] && ok || bad "search '$q': $(tot "$q") messages, want $((all - grp))"
done
expect 64 $G search "$T/s.gxi" '-"short answer"'; has "$T/err" "not excluded"
expect 64 $G search "$T/s.gxi" 'the OR -short'; has "$T/err" "not excluded"
# only what is required is highlighted, never what is excluded (issue 29)
expect 0 $G search -n 100 "$T/s.gxi" 'the NOT "short zzz"'; has "$T/out" "«the»"; lacks "$T/out" "«[Ss]hort»"
expect 0 $G search -n 100 "$T/s.gxi" 'the -short.zzz'; lacks "$T/out" "«[Ss]hort»"
expect 0 $G search -n 100 "$T/s.gxi" 'the -(zzz answer)'; has "$T/out" "[Aa]nswer"; lacks "$T/out" "«[Aa]nswer»"
# -n, filters
expect 0 $G search -n 1 --json "$T/s.gxi" the; json 'assert len(d["hits"]) == 1'
expect 0 $G search --json --sender user "$T/s.gxi" grok; json 'assert all(h["role"] == "user" for h in d["hits"])'
expect 1 $G search --sender nobody "$T/s.gxi" grok
# the roles by the names the notes give them: "You" and "Grok" (issue 29)
expect 0 $G search --json -n 100 --sender user "$T/s.gxi" the; cp "$T/out" "$T/user.json"
expect 0 $G search --json -n 100 --sender YOU "$T/s.gxi" the
cmp -s "$T/out" "$T/user.json" && ok || bad "--sender you is not --sender user"
expect 0 $G search --json -n 100 --sender human "$T/s.gxi" the
cmp -s "$T/out" "$T/user.json" && ok || bad "--sender human is not --sender user"
expect 0 $G search --json -n 100 --sender Grok "$T/s.gxi" the; cp "$T/out" "$T/grok.json"
json 'assert d["hits"] and all(h["role"] == "assistant" for h in d["hits"])'
expect 0 $G search --json -n 100 --sender assistant "$T/s.gxi" the
cmp -s "$T/out" "$T/grok.json" && ok || bad "--sender grok is not --sender assistant"
# --model matches case-insensitively, as convert --model does (issue 29)
model=$(python3 -c 'import json,sys; print([h["model"] for h in json.load(open(sys.argv[1]))["hits"] if h["model"]][0])' "$T/grok.json")
[ -n "$model" ] && ok || bad "no model in the hits"
lower=$(printf %s "$model" | tr A-Z a-z); upper=$(printf %s "$model" | tr a-z A-Z)
expect 0 $G search --json -n 100 --model "$lower" "$T/s.gxi" the; cp "$T/out" "$T/m1.json"
expect 0 $G search --json -n 100 --model "$upper" "$T/s.gxi" the
cmp -s "$T/out" "$T/m1.json" && ok || bad "search --model $upper differs from --model $lower"
[ "$($G convert -q -f events --model "$upper" -o - $S | grep -c '"event":"conversation"')" = \
  "$($G convert -q -f events --model "$lower" -o - $S | grep -c '"event":"conversation"')" ] && ok || bad "convert --model is case-sensitive"
# a system turn is indexed as one: role "system", found by --sender system,
# never by --sender grok (issue 27)
expect 0 $G convert -q -f index -o "$T/sys.gxi" tests/parse/golden/73-system-sender/input.json
expect 0 $G search --json "$T/sys.gxi" terse; json 'assert [h["role"] for h in d["hits"]] == ["system"], d'
expect 0 $G search --json --sender system "$T/sys.gxi" terse; json 'assert len(d["hits"]) == 1'
expect 1 $G search --sender grok "$T/sys.gxi" terse
expect 1 $G search --since 2030-01-01 "$T/s.gxi" grok
expect 0 $G search --until 2030-01-01 "$T/s.gxi" grok
expect 0 $G search --json --conversation 9d27 "$T/s.gxi" grok
json 'assert [h["conversation_id"][:4] for h in d["hits"]] == ["9d27"]'
expect 64 $G search --since yesterday "$T/s.gxi" grok; has "$T/err" "not a date"
# --tz is read exactly, as convert reads it (one parser)
tzs() { $G search --tz "$1" -n 3 "$T/s.gxi" grok 2>/dev/null; }
[ -n "$(tzs +05:30)" ] && [ "$(tzs +0530)" = "$(tzs +05:30)" ] && [ "$(tzs +0530)" != "$(tzs +05:00)" ] &&
    [ "$(tzs -0930)" = "$(tzs -09:30)" ] && [ "$(tzs -0930)" != "$(tzs -09:00)" ] &&
    [ "$(tzs +05)" = "$(tzs +05:00)" ] && [ "$(tzs Z)" = "$(tzs UTC)" ] && ok || bad "search --tz +0530 is not +05:30"
for z in +05:3 +05:30x +5 +0530x +05:60 ""; do
    expect 64 $G search --tz "$z" "$T/s.gxi" grok; has "$T/err" "--tz"
done
# words after the index form the query, -word included
expect 0 $G search --json "$T/s.gxi" the -grok; json 'assert d["query"] == "the -grok"'
# exit status: nothing found, a query it cannot read, usage
expect 1 $G search "$T/s.gxi" nosuchwordanywhere
expect 64 $G search "$T/s.gxi" '(grok'; has "$T/err" "not closed"
expect 64 $G search "$T/s.gxi" -- -grok
expect 0 $G search "$T/s.gxi" grok --json; json 'assert d["query"] == "grok"'
expect 0 $G search --json "$T/s.gxi" -- grok --color; json 'assert d["query"] == "grok --color"'
expect 64 $G search "$T/s.gxi";        has "$T/err" "QUERY missing"
expect 64 $G search --bogus "$T/s.gxi" x
expect 0 $G search --help;             has "$T/out" "usage: grokx search"

# damaged or missing files: status 2 and a reason, never a crash
expect 2 $G search "$T/nope.gxi" grok; has "$T/err" "No such file"
expect 2 $G search "$S" grok;          has "$T/err" "not a libgrokx search index"
head -c 1000 "$T/s.gxi" >"$T/short.gxi"
expect 2 $G search "$T/short.gxi" grok; has "$T/err" "truncated"
expect 2 $G check "$T/short.gxi"
python3 - "$T/s.gxi" "$T/flip.gxi" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[100] ^= 0x40
open(sys.argv[2], "wb").write(b)
EOF
expect 2 $G check "$T/flip.gxi";       has "$T/err" "checksum"
expect 2 $G search "$T" grok;          has "$T/err" "folder"

# a damaged byte in any section: search answers exactly as from the clean
# file (the byte was not used) or exits 2 with a reason and prints nothing,
# never another answer (version 1 checked only some sections at open: a
# conversation's time, a title or a stored text changed the answer)
GEN=${GEN_EXPORT:-${B:-build}/gen-export}
$GEN -s 600K -S 5 -o "$T/big.json" 2>/dev/null || bad "gen-export"
expect_gen $G convert -q -f index -o "$T/big.gxi" "$T/big.json"
$G search --json -n 20 "$T/big.gxi" the >"$T/clean.json" 2>/dev/null || bad "clean search"
python3 - "$T/big.gxi" "$T/dmg" <<'EOF2'
import struct, sys
b = open(sys.argv[1], "rb").read()
dir_off, = struct.unpack_from("<Q", b, len(b) - 32)
nsec, = struct.unpack_from("<I", b, dir_off + 56)
n = 0
for k in range(nsec):  # three bytes inside every section, and a stride over the file
    sid, crc, off, ln = struct.unpack_from("<IIQQ", b, dir_off + 64 + 24 * k)
    for at in (off + ln // 7, off + ln // 2, off + ln - 1 - ln // 5):
        if ln:
            c = bytearray(b); c[at] ^= 0x21
            open("%s%d" % (sys.argv[2], n), "wb").write(c); n += 1
for at in range(16, dir_off, max(1, dir_off // 24)):
    c = bytearray(b); c[at] ^= 0x04
    open("%s%d" % (sys.argv[2], n), "wb").write(c); n += 1
print(n, file=sys.stderr) if n < 30 else None
EOF2
i=0
while [ -e "$T/dmg$i" ]; do
    $G search --json -n 20 "$T/dmg$i" the >"$T/out" 2>"$T/err"; st=$?
    if [ $st = 2 ]; then
        [ -s "$T/out" ] && bad "damage $i: status 2 with output"
        [ -s "$T/err" ] && ok || bad "damage $i: status 2 without a reason"
    elif [ $st = 0 ] && cmp -s "$T/out" "$T/clean.json"; then ok
    else bad "damage $i: status $st and another answer: $(head -c 200 "$T/err")"; fi
    rm -f "$T/dmg$i"; i=$((i + 1))
done
# an index of the previous format version: refused, with what to do
python3 - "$T/s.gxi" "$T/v1.gxi" <<'EOF2'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[8] = 1
open(sys.argv[2], "wb").write(b)
EOF2
expect 2 $G search "$T/v1.gxi" grok;   has "$T/err" "older grokx"; has "$T/err" "convert -f index"
[ -s "$T/out" ] && bad "an old index printed hits" || ok

# merge: two exports, and one export twice (kept once)
expect 0 $G convert -q -f index -o "$T/g.gxi" tests/parse/golden/09-regeneration/input.json
expect 0 $G merge -o "$T/m.gxi" "$T/s.gxi" "$T/g.gxi"
expect 0 $G check "$T/m.gxi"; has "$T/out" "ok: 50 messages in 7 conversations"
expect 0 $G merge -o "$T/mm.gxi" "$T/s.gxi" "$T/s.gxi"
expect 0 $G check "$T/mm.gxi"; has "$T/out" "ok: 46 messages in 5 conversations"
expect 64 $G merge -o "$T/s.gxi" "$T/s.gxi"; has "$T/err" "is the input"
# the same file by another name: a hard or symbolic link, or a ./ spelling
ln "$T/s.gxi" "$T/s-hard.gxi"; ln -s s.gxi "$T/s-sym.gxi"; cp "$T/s.gxi" "$T/s-before"
for o in "$T/s-hard.gxi" "$T/s-sym.gxi" "$T/./s.gxi"; do
    expect 64 $G merge -o "$o" "$T/s.gxi"; has "$T/err" "is the input"
done
cmp -s "$T/s.gxi" "$T/s-before" && ok || bad "a refused merge changed its input"
rm -f "$T/s-hard.gxi" "$T/s-sym.gxi" "$T/s-before"
expect 2 $G merge -o "$T/bad.gxi" "$T/s.gxi" "$T/short.gxi"; has "$T/err" "short.gxi"
[ -e "$T/bad.gxi" ] && bad "a failed merge left its output" || ok
expect 64 $G merge "$T/s.gxi";         has "$T/err" "-o OUT missing"
# two conversations sharing an id in one export are two: merge keeps both
# (issue 24: the second "c1" dropped the first, and its words with it)
cat >"$T/dupid.json" <<'EOF2'
{"conversations":[
{"conversation":{"id":"c1","title":"first"},"responses":[{"response":{"_id":"a","sender":"human","message":"alphaword","create_time":"2025-10-09T08:00:00Z"}}]},
{"conversation":{"id":"c1","title":"second"},"responses":[{"response":{"_id":"b","sender":"human","message":"gammaword","create_time":"2025-10-10T08:00:00Z"}}]}
],"projects":[],"tasks":[]}
EOF2
expect 0 $G convert -q -f index -o "$T/dupid.gxi" "$T/dupid.json"
expect 0 $G merge -o "$T/dupid-m.gxi" "$T/dupid.gxi"
expect 0 $G check "$T/dupid-m.gxi"; has "$T/out" "ok: 2 messages in 2 conversations"
expect 0 $G search "$T/dupid-m.gxi" alphaword; has "$T/out" "first"
expect 0 $G merge -o "$T/dupid-mm.gxi" "$T/dupid.gxi" "$T/dupid.gxi"
expect 0 $G check "$T/dupid-mm.gxi"; has "$T/out" "ok: 2 messages in 2 conversations"

# a hostile export: control characters never reach the terminal
python3 - "$T/hostile.json" <<'EOF'
import json, sys
esc = "\u001b[2J\u001b]0;pwned\u0007\u202e\u2028\u2029\u2067\u200e\u061c\u007f\u009b"
conv = {"conversation": {"id": "h1", "title": "title " + esc, "create_time": "2025-01-01T00:00:00Z"},
        "responses": [{"response": {"_id": "m1", "sender": "human", "message": "findme " + esc + " here",
                                     "create_time": {"$date": {"$numberLong": "1735689600000"}}}}]}
json.dump({"conversations": [conv]}, open(sys.argv[1], "w"))
EOF
expect 0 $G convert -q -f index -o "$T/h.gxi" "$T/hostile.json"
# ... nor bidi controls (U+202E), line separators, DEL or C1, in text or JSON
# (where they are escaped: the same strings to a JSON reader)
for f in "--color never" "--color always" --json; do
    expect 0 $G search $f "$T/h.gxi" findme
    # with colour, ESC starts only our own sequences: the export's is ESC [ 2 J
    esc='\033'; [ "$f" = "--color always" ] && esc='\033[2J'
    LC_ALL=C grep -qF "$(printf "$esc")" "$T/out" && bad "search $f: the export's ESC reached the terminal" || ok
    for b in '\007' '\342\200\256' '\342\200\250' '\342\200\251' '\342\201\247' '\342\200\216' \
             '\330\234' '\177' '\302\233'; do
        lacks "$T/out" "$(printf "$b")"
    done
    has "$T/out" "findme"
done
# the JSON snippet holds the text as it is, controls escaped, as the title
# does (issue 29: ESC, C0 and DEL came back as spaces or were dropped)
json 'assert d["hits"][0]["snippet"] == "findme \u001b[2J\u001b]0;pwned\u0007\u202e\u2028\u2029\u2067\u200e\u061c\u007f\u009b here", repr(d["hits"][0]["snippet"])'
json 'assert "\x1b" in d["hits"][0]["title"] and "\u202e\u2028\u2029\u2067\u200e\u061c\x7f\x9b" in d["hits"][0]["title"]'
expect 0 $G search --color never "$T/h.gxi" findme
has "$T/out" "$(printf 'pwned \357\277\275  \357\277\275\357\277\275\357\277\275  ')"

echo "index-cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
