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
if ! python3 tests/input/make_zips.py "$T/f" "$SAMPLE" 2>"$T/py.err"; then
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
for f in deflated.zip stored.zip zip64.zip zip64-extra.zip flat.zip hostile-names.zip descriptor.zip export.json.gz two-members.json.gz folder; do
    same "$T/f/$f"
done
# and without a warning: the local headers of good archives agree with their directory
for f in deflated.zip stored.zip zip64.zip zip64-extra.zip flat.zip folders.zip folder att-ok.zip descriptor.zip; do
    $G info "$T/f/$f" >/dev/null 2>"$T/err" && [ ! -s "$T/err" ] && ok || bad "$f: a warning or an error: $(head -c 300 "$T/err")"
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
# a ZIP on standard input: read when it is a regular file (seekable, as
# its path is: issue 29), refused from a pipe, or from a file not at its start
$G info - <"$T/f/deflated.zip" >"$T/out" 2>"$T/err" && grep -q "Conversations:" "$T/out" && ok ||
    bad "ZIP from a file on stdin: $(head -c 300 "$T/err")"
$G info "$T/f/deflated.zip" >"$T/ref" 2>/dev/null
[ "$(grep Conversations: "$T/out")" = "$(grep Conversations: "$T/ref")" ] && ok || bad "ZIP on stdin: not what its path gives"
cat "$T/f/deflated.zip" | $G info - >/dev/null 2>"$T/err"; st=$?
[ $st = 2 ] && grep -q "cannot be read from a pipe" "$T/err" && ok || bad "ZIP on a pipe: $st $(cat "$T/err")"
(dd bs=1 count=1 of=/dev/null 2>/dev/null; $G info - >/dev/null 2>"$T/err") <"$T/f/deflated.zip"; st=$?
[ $st = 2 ] && ok || bad "ZIP on stdin not at its start: $st $(cat "$T/err")"
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
# integrity: every member read is checked to its end (size and CRC-32),
# deflated too, also when the JSON closes long before the member ends
expect 2 "prod-grok-backend.json: CRC-32 mismatch" "$T/f/int-deflated-badcrc.zip"
expect 2 "prod-grok-backend.json ends after [0-9]* of its [0-9]* bytes" "$T/f/int-deflated-bigsize.zip"
expect 2 "prod-grok-backend.json: CRC-32 mismatch" "$T/f/int-tail-badcrc.zip"
expect 2 "trailing garbage" "$T/f/int-tail-garbage.zip"
expect 2 "prod-grok-backend.json: its local header disagrees with the central directory (CRC-32)" "$T/f/int-local-differs.zip"
$G info "$T/f/int-tail.zip" >/dev/null 2>&1 && ok || bad "int-tail.zip: a JSON followed by white space to the member's end refused"
# conv NAME: convert NAME (a fixture) -f md,index into $T/o-NAME: st, $T/err
conv() {
    rm -rf "$T/o-$1"; src="$T/f/$1.zip"; [ -d "$T/f/$1" ] && src="$T/f/$1"
    $G convert -f md,index -o "$T/o-$1" "$src" >/dev/null 2>"$T/err"; st=$?
}
A1=a1b2c3d4-0000-4000-8000-000000000001
A2=a1b2c3d4-0000-4000-8000-000000000002
conv att-ok
[ $st = 0 ] && [ -f "$T/o-att-ok/index.gxi" ] && [ "$(find "$T/o-att-ok" -name "$A1.png" -o -name "$A2.pdf" | wc -l)" = 2 ] &&
    ok || bad "att-ok.zip: status $st, want 0 and both attachments copied: $(head -c 300 "$T/err")"
# failed NAME MESSAGE: exit 2 naming the member, no index published, no
# temporary, no copy of a bad attachment, and every note left is whole
failed() {
    conv "$1"
    if [ $st = 2 ] && grep -q -- "$2" "$T/err"; then ok; else bad "$1: status $st, want 2 and '$2': $(head -c 300 "$T/err")"; fi
    # failed before anything was written: the folder it made is gone too
    if [ ! -e "$T/o-$1" ]; then ok; return; fi
    [ -e "$T/o-$1/index.gxi" ] && bad "$1: the index was published" || ok
    [ -n "$(find "$T/o-$1" -name '*.tmp-*')" ] && bad "$1: temporaries left" || ok
    [ -n "$(find "$T/o-$1" -name "$3.*")" ] && bad "$1: the corrupt attachment was copied" || ok
    n=0
    for note in $(cd "$T/o-$1" && find md -name '*.md' ! -name Index.md ! -name '[0-9][0-9][0-9][0-9].md' | tr ' ' '?'); do
        cmp -s "$T/o-$1/$note" "$T/o-att-ok/$note" || { bad "$1: $note is not the clean run's"; n=1; }
    done
    [ $n = 0 ] && ok
}
failed att-badcrc "prod-mc-asset-server//$A1/content: CRC-32 mismatch" "$A1"
failed att-stored-badcrc "prod-mc-asset-server//$A2/content: CRC-32 mismatch" "$A2"
failed att-badsize "prod-mc-asset-server//$A1/content ends after 72 of its 82 bytes" "$A1"
# the backend's CRC-32 is wrong: the notes written before the end stay whole
cp "$T/f/int-deflated-badcrc.zip" "$T/f/att-backend-badcrc.zip"
python3 - "$T/f/att-ok.zip" "$T/f/att-backend-badcrc.zip" <<'PY'
import struct, sys, zipfile
d = bytearray(open(sys.argv[1], 'rb').read())
zf = zipfile.ZipFile(sys.argv[1])
loc, cen = zf.infolist()[0].header_offset, zf.start_dir
for off in (loc + 14, cen + 16):
    struct.pack_into('<I', d, off, struct.unpack_from('<I', d, off)[0] ^ 1)
open(sys.argv[2], 'wb').write(bytes(d))
PY
failed att-backend-badcrc "prod-grok-backend.json: CRC-32 mismatch" "no-such-file"
# ... found at the member's end, after notes were written from its bytes:
# the message says the export is damaged, that what this run wrote may hold
# damaged text, and how many conversations went to notes
"$B/gen-export" -s 3M -S 7 -o "$T/big.json"
python3 - "$T/big.json" "$T/f/big-badcrc.zip" <<'PY'
import struct, sys, zipfile
zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED).write(sys.argv[1], 'ttl/30d/export_data/u/prod-grok-backend.json')
d = bytearray(open(sys.argv[2], 'rb').read())
zf = zipfile.ZipFile(sys.argv[2])
for off in (zf.infolist()[0].header_offset + 14, zf.start_dir + 16):
    struct.pack_into('<I', d, off, struct.unpack_from('<I', d, off)[0] ^ 1)
open(sys.argv[2], 'wb').write(bytes(d))
PY
rm -rf "$T/o-big"; $G convert -o "$T/o-big" "$T/f/big-badcrc.zip" 2>"$T/err"; st=$?
n=$(find "$T/o-big" -name '*.md' | wc -l)
[ $st = 2 ] && [ "$n" -gt 0 ] && grep -q "prod-grok-backend.json: CRC-32 mismatch.*the export is damaged: anything written from it by this run (notes, pages) may hold damaged text; download the export again" "$T/err" &&
    grep -q "the notes or pages of up to [1-9][0-9]* conversations were written by this run before the damage was found" "$T/err" && ok ||
    bad "a damaged backend after $n notes: status $st, no plain message: $(cat "$T/err")"
# warned NAME MESSAGE: exit 1, the warning names the member
warned() {
    conv "$1"
    if [ $st = 1 ] && grep -q -- "warning: .*$2" "$T/err"; then ok; else bad "$1: status $st, want 1 and a warning '$2': $(head -c 300 "$T/err")"; fi
}
for f in att-symlink att-encrypted att-csize-beyond att-folder att-bad-local; do
    case $f in
    att-bad-local) warned $f "prod-mc-asset-server//$A1/content: bad local header; the archive is corrupt; not read" ;;
    att-symlink) warned $f "prod-mc-asset-server//$A1/content is a symbolic link; not followed; not read" ;;
    att-encrypted) warned $f "prod-mc-asset-server//$A1/content is encrypted; not supported; not read" ;;
    att-csize-beyond) warned $f "prod-mc-asset-server//$A1/content claims 2147483647 compressed bytes, more than the whole file" ;;
    att-folder) warned $f "prod-mc-asset-server/$A1/content is a symbolic link; not followed; not read" ;;
    esac
    [ -z "$(find "$T/o-$f" -name "$A1.*")" ] && grep -rq "Attachment \`$A1\` is not in the export" "$T/o-$f/md" &&
        ok || bad "$f: the member was copied, or the note does not say it is missing"
done
warned att-data-beyond "prod-mc-asset-server//$A2/content: data beyond the end of the file; the archive is corrupt; not read"
for f in att-local-crc:CRC-32 att-local-name:name; do
    warned "${f%%:*}" "prod-mc-asset-server//$A1/content: its local header disagrees with the central directory (${f#*:}); read as the directory says"
    cmp -s "$(find "$T/o-${f%%:*}" -name "$A1.png")" "$(find "$T/o-att-ok" -name "$A1.png")" && ok ||
        bad "${f%%:*}: the attachment whose CRC-32 checks was not copied as it is"
done
# what a file that is no export is, said before any output is made
for f in not-export.pdf:"a PDF document" not-export.png:"a PNG image" not-export.jpg:"a JPEG image" \
         not-export.gif:"a GIF image" not-export.webp:"a WebP image" README.md:"a Markdown text, not JSON" \
         notes.txt:"a text file, not JSON" page.html:"an HTML page" pdf.json.gz:"a PDF document, compressed with gzip"; do
    expect 2 "not a Grok export: this looks like ${f#*:}" "$T/f/${f%%:*}"
done
expect 2 "not a Grok export: the file is empty" "$T/f/empty.json"
expect 2 "not a Grok export: no prod-grok-backend.json in it; it holds 2 files: \[Content_Types\].xml, word/document.xml" "$T/f/no-backend.zip"
$G convert -q -f index -o "$T/own.gxi" "$SAMPLE" 2>/dev/null
expect 2 "not a Grok export: this is a grokx search index: use grokx search" "$T/own.gxi"
$G convert -o "$T/o-pdf" "$T/f/not-export.pdf" >/dev/null 2>"$T/err"; st=$?
[ $st = 2 ] && [ ! -e "$T/o-pdf" ] && grep -q "looks like a PDF document" "$T/err" && ok || bad "convert of a PDF: status $st, or an output made"
printf '# Notes\n' | $G info - >/dev/null 2>"$T/err"; st=$?
[ $st = 2 ] && grep -q "(stdin): not a Grok export: this looks like a Markdown text" "$T/err" && ok || bad "Markdown on stdin: $st $(cat "$T/err")"
# attachments through the library
"$B/test_input" "$T/f" >"$T/out" 2>&1 || bad "test_input exited with $?"
grep FAIL "$T/out" >&2
counts=$(grep -E '^input: [0-9]+ passed' "$T/out" | tail -n 1)
p=$(echo "$counts" | awk '{ print $2 }'); f=$(echo "$counts" | awk '{ print $4 }')
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
echo "inputs: $pass passed, $fail failed"
[ $fail = 0 ]
