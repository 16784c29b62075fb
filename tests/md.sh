#!/bin/sh
# The md writer: golden note trees, determinism, hostile titles and
# messages, attachments from the ZIP, stdout, and a failing disk.
#   UPDATE=1 sh tests/md.sh   rewrites the expected trees (review the diff!)
G=${GROKX:-./grokx}
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL md: $*" >&2; }
golden() { # golden NAME INPUT [options]
    name=$1 input=$2; shift 2
    rm -rf "$T/out"
    $G convert -q -o "$T/out" "$@" "$input" 2>"$T/err"; st=$?
    [ $st -le 1 ] && ok || bad "$name: status $st: $(head -c 300 "$T/err")"
    if [ -n "${UPDATE:-}" ]; then rm -rf "tests/md/$name/expected"; cp -r "$T/out" "tests/md/$name/expected"; fi
    if diff -r "tests/md/$name/expected" "$T/out" >"$T/diff" 2>&1; then ok; else bad "$name differs: $(head -c 600 "$T/diff")"; fi
    python3 tests/md_check.py "$T/out" >"$T/check" 2>&1 && ok || bad "$name: $(cat "$T/check")"
    # a second run gives byte-identical files
    $G convert -q -o "$T/out" "$@" "$input" 2>/dev/null
    diff -r "tests/md/$name/expected" "$T/out" >/dev/null 2>&1 && ok || bad "$name: a re-run changed the notes"
}
for c in 01-minimal 09-regeneration 26-thinking-traces 27-steps-tool-usage 29-attachments-and-cards 30-xai-artifact 34-string-escapes; do
    mkdir -p "tests/md/$c"
    golden "$c" "tests/golden/$c/input.json"
done
golden hostile tests/md/hostile/input.json --layout flat
mkdir -p tests/md/branches-all
golden branches-all tests/golden/10-edit-human-siblings/input.json --branches all --tz +02:00
# attachments from the ZIP are copied with a sniffed extension
python3 tests/make_zips.py "$T/f" tests/golden/29-attachments-and-cards/input.json >/dev/null 2>&1
$G convert -q -o "$T/z" "$T/f/deflated.zip" 2>/dev/null; [ -d "$T/z" ] && ok || bad "convert from a ZIP"
python3 tests/md_check.py "$T/z" >/dev/null && ok || bad "notes from the ZIP fail md_check"
# one stream to stdout
$G convert -q -f md -o - tests/golden/09-regeneration/input.json >"$T/stream" 2>&1; st=$?
[ $st = 0 ] && grep -q "^## Grok · " "$T/stream" && ok || bad "md to stdout: $st"
# a full disk: a clear error, status 3, the notes written before intact
rm -rf "$T/full"
( trap '' XFSZ; ulimit -f 12; exec $G convert -q -o "$T/full" examples/sample-export.json ) 2>"$T/err"; st=$?
[ $st = 3 ] && ok || bad "write failure gave status $st"
grep -q "File too large" "$T/err" && ok || bad "write failure message: $(cat "$T/err")"
[ -z "$(find "$T/full" -name '*.tmp-*')" ] && ok || bad "a temporary file was left behind"
for f in "$T/full"/*/*/*.md; do
    [ -f "$f" ] || continue
    head -c 4 "$f" | grep -q -- "---" && ok || bad "a half-written note: $f"
done
echo "md: $pass passed, $fail failed"
[ $fail = 0 ]
