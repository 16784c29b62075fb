#!/bin/sh
# Pathological exports, generated (never committed) and run through grokx,
# each within a time and memory limit: nesting 10^5 deep, a 256 MiB string,
# 10^6 tiny conversations, 10^5 duplicate keys, 10^5 conversations with the
# same title (and ids alike), 10^5 turns with lost links, and an error past 4 GiB of a .json.gz, then
# past 4 GiB of newlines, of spaces and of long strings on stdin, whose offset, line and
# column must be right (64-bit counters).
#   PATHOLOGICAL_GIB   size of the .json.gz and whitespace cases (default 4.1; "" skips them)
G=${GROKX:-./grokx}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
GEN="python3 tests/system/pathological/gen.py"
GIB=${PATHOLOGICAL_GIB-4.1}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL pathological: $*" >&2; }
# run NAME STATUS MAX_SECONDS MAX_MIB CMD...: status, time and peak memory
run() {
    name=$1 want=$2 secs=$3 mib=$4; shift 4
    /usr/bin/time -o "$T/time" -f "%e %M" "$@" >"$T/out" 2>"$T/err"; got=$?
    set -- $(tail -n 1 "$T/time")
    [ "$got" = "$want" ] && ok || bad "$name: status $got, want $want: $(head -c 300 "$T/err")"
    awk -v t="$1" -v l="$secs" 'BEGIN { exit !(t <= l) }' && ok || bad "$name: $1 s (limit $secs s)"
    [ "$2" -le $((mib * 1024)) ] && ok || bad "$name: peak $(($2 / 1024)) MiB (limit $mib MiB)"
    echo "  $name: $1 s, peak $(($2 / 1024)) MiB, status $got"
}
has() { if grep -q -- "$2" "$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$1")"; fi; }

$GEN nesting 100000 >"$T/nest.json"
run "nesting 10^5 (unknown: skipped)" 1 5 16 $G info "$T/nest.json"; has "$T/err" "nested deeper than max_depth (512); skipped"
has "$T/out" "Messages: *1 "
run "nesting 10^5: md" 1 5 16 $G convert -q -o - "$T/nest.json"; has "$T/out" "after the deep value"
$GEN nesting 1100000 >"$T/nest.json"
run "nesting 1.1 * 10^6 (past 2^20)" 2 5 16 $G info -q "$T/nest.json"; has "$T/err" "nesting deeper than 1048576 levels"
rm -f "$T/nest.json"

# 10^5 turns in one conversation whose links are lost (issue 27: placed by
# time, never dropped): every turn a root, no links at all, orphan answers
for shape in roots:1 none:1 orphans:1; do # status 1: turns were placed, with warnings
    $GEN links ${shape%:*} 100000 >"$T/links.json"
    run "10^5 turns, links ${shape%:*}: info" ${shape#*:} 15 256 $G info -q "$T/links.json"; has "$T/out" "Messages: *100000 "
done
$GEN links roots 100000 >"$T/links.json"
run "10^5 turns, links roots: events" 1 15 256 $G convert -q -f events -o "$T/links.jsonl" "$T/links.json"
[ "$(grep -c '"active":true' "$T/links.jsonl")" = 100000 ] && ok || bad "links roots: not every turn is on the active branch"
rm -f "$T/links.json" "$T/links.jsonl"

$GEN string 256 >"$T/string.json"
run "a 256 MiB string" 2 30 256 $G info -q "$T/string.json"; has "$T/err" "max_string"
rm -f "$T/string.json"

$GEN tiny 1000000 >"$T/tiny.json"
run "10^6 conversations: info" 0 60 48 $G info -q "$T/tiny.json"; has "$T/out" "Conversations: *1000000 "
run "10^6 conversations: index" 0 120 320 $G convert -q -f index -o "$T/tiny.gxi" "$T/tiny.json"
run "10^6 conversations: search" 0 10 64 $G search -n 3 "$T/tiny.gxi" hello
rm -f "$T/tiny.json" "$T/tiny.gxi"

$GEN dupkeys 100000 >"$T/dup.json"
run "10^5 duplicate keys" 1 10 32 $G info -q "$T/dup.json"

$GEN titles 100000 >"$T/titles.json"
run "10^5 same titles: index" 0 60 128 $G convert -q -f index -o "$T/titles.gxi" "$T/titles.json"
$G search --json -n 100000 "$T/titles.gxi" hello >"$T/hits.json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); p = [h["path"] for h in d["hits"]]
assert len(p) == 100000 == len(set(p)), (len(p), len(set(p)))' "$T/hits.json" && ok || bad "10^5 same titles: names not unique"
$GEN titles 10000 >"$T/titles10k.json"
run "10^4 same titles: md" 0 120 64 $G convert -q -o "$T/notes" "$T/titles10k.json"
n=$(find "$T/notes" -name '*.md' | wc -l)
[ "$n" -ge 10000 ] && ok || bad "10^4 same titles: $n notes"
rm -rf "$T/notes" "$T/titles.json" "$T/titles.gxi" "$T/titles10k.json"

# step texts searched for in a long thinking trace: linear, not quadratic
$GEN trace 1024 50 >"$T/trace.json"
run "a 1 MiB trace, 50 long steps: md" 0 10 64 $G convert -q -f md -o - "$T/trace.json"
run "a 1 MiB trace, 50 long steps: html" 0 10 64 $G convert -q -f html -o "$T/trace-html" "$T/trace.json"
rm -rf "$T/trace.json" "$T/trace-html"
# a step's calls, results and hits matched to each other: linear, not quadratic
$GEN calls 60000 >"$T/calls.json"
run "a step with 60,000 calls, results and hits: md" 0 10 256 $G convert -q -f md -o - "$T/calls.json"
rm -f "$T/calls.json"

if [ -n "$GIB" ]; then
    want=$($GEN gz-error "$GIB" "$T/big.json.gz")
    run "an error past $GIB GiB of .json.gz" 2 600 64 $G info -q "$T/big.json.gz"
    has "$T/err" "$want"
    # the same past 4 GiB of newlines (the line passes 2^32) and of spaces
    # (the column does), piped in: whitespace is no token, memory stays flat;
    # and past 4 GiB of 60 MiB strings (each held once, as a token)
    for c in nl sp str; do
        mib=64; [ $c = str ] && mib=320
        run "an error past $GIB GiB of $c on stdin" 2 600 $mib \
            sh -c "$GEN gap $GIB $c '$T/want' | $G info -q -"
        has "$T/err" "$(cat "$T/want")"
    done
fi

echo "pathological: $pass passed, $fail failed"
[ "$fail" = 0 ]
