#!/bin/sh
# The command line's conventions (issue 29): one option parser for every
# command, GNU style: --opt=value and --opt value, a unique prefix of a
# long option, bundled short options (-qn5), attached values (-n5),
# options anywhere among the operands, -- ending them, an unknown option a
# usage error (64) naming it and the command's --help.
G=${GROKX:-./grokx}
case $G in /*) ;; *) G=$(pwd)/$G ;; esac # the tests cd
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL options: $*" >&2; }
expect() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" = "$want" ]; then ok; else bad "$* -> status $got, want $want: $(head -c 300 "$T/err")"; fi
}
has() { if grep -q -- "$2" "$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$1")"; fi; }
lacks() { if grep -q -- "$2" "$1"; then bad "$1 has '$2': $(head -c 300 "$1")"; else ok; fi; }
same() { cmp -s "$1" "$2" && ok || bad "$3: $(diff "$1" "$2" | head -5)"; }
X=tests/parse/golden/09-regeneration/input.json
IX="$T/s.gxi"
$G convert -q -f index -o "$IX" examples/sample-export.json || bad "no index"

# the reference output of each command, spelled the long way
$G convert -q -f events --branches all -o - $X >"$T/ref.ev" 2>/dev/null
$G search --json --limit 2 --sender user "$IX" the >"$T/ref.s" 2>/dev/null
[ -s "$T/ref.ev" ] && [ -s "$T/ref.s" ] && ok || bad "no reference output"

# --opt=value
expect 0 $G convert -q --format=events --branches=all --output=- $X; same "$T/out" "$T/ref.ev" "--opt=value"
expect 0 $G search --json --limit=2 --sender=user "$IX" the; same "$T/out" "$T/ref.s" "search --opt=value"
expect 0 $G search --json --tz=+05:30 --color=never "$IX" the
# a unique prefix of a long option; an ambiguous one names its candidates
expect 0 $G convert -q --form events --br all -o - $X; same "$T/out" "$T/ref.ev" "--form (prefix)"
expect 64 $G search --s x "$IX" the; has "$T/err" "ambiguous option --s (--since, --sender"
# bundled short options, with the value attached or following
expect 0 $G convert -qfevents --branches all -o- $X; same "$T/out" "$T/ref.ev" "-qfevents -o-"
expect 0 $G convert -qf events --branches all -o - $X; same "$T/out" "$T/ref.ev" "-qf events"
lacks "$T/err" "."
# an attached value: -n2, before INDEX too (it was taken as the index's path)
expect 0 $G search --json -n2 --sender user "$IX" the; same "$T/out" "$T/ref.s" "-n2 before INDEX"
expect 0 $G search "$IX" --json -n2 the --sender user; same "$T/out" "$T/ref.s" "-n2 after INDEX"
# options anywhere among the operands, for every command
expect 0 $G convert $X -o - --branches all -q -f events; same "$T/out" "$T/ref.ev" "options after INPUT"
expect 0 $G info $X --json; has "$T/out" '"conversations"'
expect 0 $G check "$IX" -h; has "$T/out" "usage: grokx check"
expect 0 $G merge "$IX" -o "$T/m.gxi"; expect 0 $G check "$T/m.gxi"
# -- ends the options: an operand that begins with -
cp $X "$T/-x.json"
(cd "$T" && $G convert -q -f events --branches all -o - -- -x.json) >"$T/out" 2>"$T/err"; st=$?
[ $st = 0 ] && ok || bad "-- -x.json: status $st: $(cat "$T/err")"
sed 's|"input":"[^"]*"|"input":"X"|' "$T/out" >"$T/a"; sed 's|"input":"[^"]*"|"input":"X"|' "$T/ref.ev" >"$T/b"
same "$T/a" "$T/b" "-- then -x.json"
(cd "$T" && $G info -- -x.json) >"$T/out" 2>"$T/err" && ok || bad "info -- -x.json: $(cat "$T/err")"
(cd "$T" && $G info -x.json) >"$T/out" 2>"$T/err"; st=$?
[ $st = 64 ] && grep -q "unknown option -x" "$T/err" && ok || bad "info -x.json (no --): status $st"
# search: after INDEX a -word is a query word; -- makes every word one
expect 0 $G search --json "$IX" the -grok; has "$T/out" '"query":"the -grok"'
expect 0 $G search --json "$IX" -- the --json; has "$T/out" '"query":"the --json"'
# unknown options: 64, the option named, the command's --help pointed to
for c in info convert search merge check completion; do
    expect 64 $G $c --bogus x; has "$T/err" "unknown option --bogus; see grokx $c --help"
    expect 64 $G $c -Z x; has "$T/err" "unknown option -Z; see grokx $c --help"
done
expect 64 $G search -x "$IX" the; has "$T/err" "unknown option -x"
expect 64 $G convert -qZ $X; has "$T/err" "unknown option -Z"
expect 64 $G -x; has "$T/err" "unknown option -x; see grokx --help"
# a missing value, a value given to a flag
expect 64 $G convert $X -o; has "$T/err" "option -o needs a value"
expect 64 $G convert $X --output; has "$T/err" "option --output needs a value"
expect 64 $G info --json=yes $X; has "$T/err" "option --json takes no value"
# --help and -h of every command, anywhere
for c in info convert search merge check completion; do
    expect 0 $G $c --help; has "$T/out" "usage: grokx $c"
    expect 0 $G $c x -h; has "$T/out" "usage: grokx $c"
done
echo "options: $pass passed, $fail failed"
[ $fail = 0 ]
