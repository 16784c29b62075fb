#!/bin/sh
# Inputs: every form of the export gives the same events as the plain
# JSON; every broken container gives its own clear error.
G=${GROKX:-./grokx}
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL inputs: $*" >&2; }
SAMPLE=examples/sample-export.json
if ! python3 tests/make_zips.py "$T/f" "$SAMPLE" 2>"$T/py.err"; then
    cat "$T/py.err" >&2
    echo "inputs: 0 passed, 1 failed"
    exit 1
fi
events() { $G convert -q -f events -o - "$1" 2>"$T/err" | sed 's|"input":"[^"]*"|"input":""|'; }
events "$SAMPLE" >"$T/want"
same() { # same events as the plain JSON
    events "$1" >"$T/got"; st=$?
    if cmp -s "$T/got" "$T/want"; then ok; else bad "$1: events differ from the plain JSON ($(head -c 200 "$T/err"))"; fi
}
for f in deflated.zip stored.zip zip64.zip zip64-extra.zip flat.zip hostile-names.zip export.json.gz two-members.json.gz folder; do
    same "$T/f/$f"
done
events - <"$T/f/export.json.gz" >"$T/got"
cmp -s "$T/got" "$T/want" && ok || bad "gzip on stdin"
events - <"$SAMPLE" >"$T/got"
cmp -s "$T/got" "$T/want" && ok || bad "JSON on stdin"
# expect STATUS MESSAGE FILE
expect() {
    $G info "$3" >/dev/null 2>"$T/err"; st=$?
    if [ "$st" = "$1" ] && grep -q -- "$2" "$T/err"; then ok; else bad "$3: status $st, want $1 and '$2': $(head -c 300 "$T/err")"; fi
}
expect 2 "no prod-grok-backend.json in it" "$T/f/missing.zip"
expect 2 "two files named prod-grok-backend.json" "$T/f/two-backends.zip"
expect 2 "is a symbolic link; not followed" "$T/f/symlink.zip"
expect 2 "is encrypted" "$T/f/encrypted.zip"
expect 2 "compression method 99" "$T/f/method99.zip"
expect 2 "CRC-32 mismatch" "$T/f/badcrc.zip"
expect 2 "more than the whole file" "$T/f/csize-beyond-file.zip"
expect 2 "deflate data" "$T/f/baddeflate.zip"
expect 2 "more data than its declared size" "$T/f/smallsize.zip"
expect 2 "ends early" "$T/f/shortcsize.zip"
expect 2 "corrupt ZIP directory" "$T/f/miscounted.zip"
$G info "$T/f/folders.zip" >"$T/out" 2>"$T/err" && grep -q "Conversations:" "$T/out" && ok || bad "folders.zip: $(head -c 300 "$T/err")"
expect 2 "truncated" "$T/f/truncated.json.gz"
expect 2 "data after the end of the gzip stream" "$T/f/garbage-after.json.gz"
expect 2 "corrupt gzip data near byte" "$T/f/corrupt.json.gz"
for frac in 10 50 90 99; do
    expect 2 "ZIP" "$T/f/truncated-$frac.zip"
done
$G info - <"$T/f/deflated.zip" >/dev/null 2>"$T/err"; st=$?
[ $st = 2 ] && grep -q "cannot be read from a pipe" "$T/err" && ok || bad "ZIP on stdin: $st $(cat "$T/err")"
# the bomb: 200 MB of spaces in an empty export is valid JSON, and whitespace
# is no token: it is read, in flat memory (test_whitespace_gaps measures it;
# it once failed as "no JSON token ends within max_string"). What stops a
# real bomb is the expansion cap (max_expanded, test_input)
$G info "$T/f/bomb.zip" >"$T/out" 2>"$T/err"; st=$?
[ $st = 0 ] && grep -q "Conversations: *0 " "$T/out" && ok || bad "bomb.zip: status $st: $(cat "$T/err")"
# info lists the export's files, never reading the account file
$G info "$T/f/deflated.zip" >"$T/out" 2>"$T/err"
grep -q "prod-mc-auth-mgmt-api.json (.*): account (e-mail, birth date" "$T/out" && ok || bad "info lists the account file"
grep -q "attachments: 2 files" "$T/out" && ok || bad "info counts attachments: $(cat "$T/out")"
grep -q "secret@example.com" "$T/out" && bad "info printed the account file's content" || ok
$G info --json "$T/f/folder" >"$T/out" 2>&1
grep -q '"asset_files":1' "$T/out" || grep -q '"asset_files": 1' "$T/out" && ok || bad "folder info json: $(head -c 300 "$T/out")"
# attachments through the library
"$B/test_input" "$T/f" >"$T/out" 2>&1 || bad "test_input exited with $?"
grep FAIL "$T/out" >&2
counts=$(grep -E '^input: [0-9]+ passed' "$T/out" | tail -n 1)
p=$(echo "$counts" | awk '{ print $2 }'); f=$(echo "$counts" | awk '{ print $4 }')
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
echo "inputs: $pass passed, $fail failed"
[ $fail = 0 ]
