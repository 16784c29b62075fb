#!/bin/sh
# The md writer: golden note trees, determinism, hostile titles and
# messages, attachments from the ZIP, stdout, and a failing disk.
#   UPDATE=1 sh tests/formats/md/md.sh   rewrites the expected trees (review the diff!)
#   GX_TEST_QUICK=1 (make check-quick)   the golden trees and what they hold only
G=${GROKX:-./grokx}
T=$(mktemp -d)
trap 'chattr -R -i "$T" 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL md: $*" >&2; }
golden() { # golden NAME INPUT [options]
    name=$1 input=$2; shift 2
    rm -rf "$T/out"
    $G convert -q -o "$T/out" "$@" "$input" 2>"$T/err"; st=$?
    [ $st -le 1 ] && ok || bad "$name: status $st: $(head -c 300 "$T/err")"
    if [ -n "${UPDATE:-}" ]; then rm -rf "tests/formats/md/$name/expected"; cp -r "$T/out" "tests/formats/md/$name/expected"; fi
    if diff -r "tests/formats/md/$name/expected" "$T/out" >"$T/diff" 2>&1; then ok; else bad "$name differs: $(head -c 600 "$T/diff")"; fi
    python3 tests/formats/md/md_check.py "$T/out" >"$T/check" 2>&1 && ok || bad "$name: $(cat "$T/check")"
    # a second run gives byte-identical files
    $G convert -q -o "$T/out" "$@" "$input" 2>/dev/null
    diff -r "tests/formats/md/$name/expected" "$T/out" >/dev/null 2>&1 && ok || bad "$name: a re-run changed the notes"
}
for c in 01-minimal 09-regeneration 24-error-empty-message 26-thinking-traces 27-steps-tool-usage 29-attachments-and-cards 30-xai-artifact 34-string-escapes \
         31-imagine-query 60-render-tags-without-type 61-unreferenced-cards 62-imagine-turns 63-media-posts \
         64-media-posts-only 28-web-search-results 49a-fallbacks 49d-empty-content 50-deepsearch-sources 51-file-attachment-objects 52-persona-artifact-types 70-lost-links 73-system-sender 74-cited-description 75-cited-beside-footnotes 76-card-type-unknown-url 77-media-post-times; do
    mkdir -p "tests/formats/md/$c"
    golden "$c" "tests/parse/golden/$c/input.json"
done
# issue 27: the persona, summary and a temporary chat in the front matter;
# MIME types as fence languages; an id that is no UUID kept in the name
f="tests/formats/md/52-persona-artifact-types/expected/2025/08/2025-08-02 Persona, summary and artifact types (chat_42).md"
grep -q '^temporary: true$' "$f" && grep -q '^persona: "Unhinged \\"Comedian\\""$' "$f" &&
    grep -q '^summary: "Two scripts: a Python one\\nand a shell one."$' "$f" && ok || bad "persona, summary or temporary not in the front matter"
grep -q '^temporary:' tests/formats/md/01-minimal/expected/*/*/*.md && bad "temporary: false written" || ok
[ "$(grep -c '^```\(python\|sh\|cpp\|javascript\|json\|rust\)$' "$f")" = 6 ] && ! grep -q '^```x-' "$f" && ok || bad "MIME types not mapped to fence languages"
[ -f "tests/formats/md/51-file-attachment-objects/expected/2025/07/2025-07-01 Attachments as objects (conv-001).md" ] && ok ||
    bad "an id that is no UUID was mangled in the note's name"
# issue 27, item 4: every web result not cited (its site and description),
# the X posts and the web pages, folded after the sources; each once
f="tests/formats/md/50-deepsearch-sources/expected/2025/06/2025-06-10 Perovskite solar cells in 2025 (7d1c2b3a).md"
grep -q '^> \[!abstract\]- Searched 11 pages (3 cited) · 2 X posts · 2 web pages$' "$f" &&
    [ "$(sed -n '/^> \[!abstract\]- Searched/,$p' "$f" | grep -c '^> - \[')" = 8 ] &&
    ! sed -n '/^> \[!abstract\]- Searched/,$p' "$f" | grep -q 'LONGi\|nature.com/articles/s41586' &&
    grep -q '^> - \[Perovskite solar cell - Wikipedia\](<https://en.wikipedia.org/wiki/Perovskite_solar_cell>) · Wikipedia — Overview' "$f" &&
    grep -q '^> X posts: \[1931000000000000001\](<https://x.com/i/status/1931000000000000001>), ' "$f" &&
    grep -q ', javascript:alert(1)$' "$f" && ! grep -q '(<javascript' "$f" && ok || bad "the searched block of a DeepSearch answer"
tail -n 3 tests/formats/md/28-web-search-results/expected/2025/10/*.md | grep -q '^> - \[JSON - Wikipedia\]' && ok ||
    bad "an answer with only web results ends with no source"
golden hostile tests/formats/md/hostile/input.json --layout flat
golden cards tests/formats/md/cards/input.json
# a callout header, a card or an artifact line grokx writes stays a paragraph
# of its own whatever the text after it (a setext underline, a table row,
# a continuation): md_check reads it with cmark-gfm
golden header-lines tests/formats/md/header-lines/input.json --layout flat
# quoted attribute values are read whole (a title holding ">", single
# quotes, line ends); a quote never closed leaves the tag as text
golden tag-quotes tests/formats/md/tag-quotes/input.json --layout flat
# HTML blocks, bare CRs, list items and quotes, raw fields (error, ids, URLs):
# no message may leave a block open (md_check reads every note with cmark);
# names that collide on macOS and Windows, the index page's own name
golden hostile-blocks tests/formats/md/hostile-blocks/input.json --layout flat --name '{title}'
# tool-using steps whose arguments, results and texts try to break the
# note; XML-only calls; reasoning the trace already holds is not repeated
golden hostile-steps tests/formats/md/hostile-steps/input.json --layout flat --name '{title}'
# citations where their block could break (after a closing fence, in table
# rows, after headings and indented code, in list items and quotes, in
# code), answers and questions with footnotes of their own, two answers
# with the same labels: md_check reads each note with cmark-gfm (no turn
# swallowed, no label defined twice, every citation a reference)
golden citations tests/formats/md/citations/input.json --layout flat --name '{title}'
# the bench's generated exports (seeds 1-3, 10 MB: citations after fences,
# in table rows, after headings and indented code, in list items and
# quotes; answers with their own footnotes): every note read by cmark and
# cmark-gfm, turns rendered = turns written, no label defined twice, every
# citation a reference
[ -n "${GX_TEST_QUICK:-}" ] || for seed in 1 2 3; do
    rm -rf "$T/gen"
    ${B:-build}/gen-export -s 10M -S $seed -o "$T/gen.json" && { $G convert -q -o "$T/gen" "$T/gen.json"; [ $? -le 1 ]; } &&
        python3 tests/formats/md/md_check.py "$T/gen" >"$T/check" 2>&1 && ok || bad "generated export, seed $seed: $(tail -n 6 "$T/check")"
done
rm -rf "$T/gen" "$T/gen.json"
c=tests/formats/md/citations/expected
grep -q '^\[^m2-1\]: Own source one$' "$c/Own footnotes and citations.md" && grep -q '^\[^m3-1\]: Second answer, one$' "$c/Own footnotes and citations.md" &&
    grep -q '^\[^1\]: not a definition$' "$c/Own footnotes and citations.md" && grep -q '`\[^1\]` in code' "$c/Own footnotes and citations.md" &&
    grep -q 'Undefined \\\[^9\] stays text' "$c/Own footnotes and citations.md" && ok || bad "a message's own footnote labels were not renamed, or code was"
s=tests/formats/md/hostile-steps/expected
grep -q '^> - \*\*WebSearch\*\* ' "$s/Arguments that fight back.md" && grep -q '^>   - \[A \\\*fine\\\* page' "$s/Arguments that fight back.md" &&
    ok || bad "a parsed call and its joined hits not shown"
grep -q 'javascript' "$s/Arguments that fight back.md" && ! grep -q '](<javascript' "$s/Arguments that fight back.md" && ok ||
    bad "a javascript: URL in a step was made a link"
grep -q '^> - \*\*web\\_search\*\* · query: `cdata \]\] > query`' "$s/Calls as XML only.md" && ok || bad "an XML call was not read"
! grep -q 'Planning the search' "$s/Steps the trace already holds.md" || [ "$(grep -c 'Planning the search' "$s/Steps the trace already holds.md")" -eq 1 ] &&
    grep -q '^> \*\*1. Only in steps\*\*$' "$s/Steps the trace already holds.md" && ok || bad "a step the thinking trace holds was repeated"
# a short step text inside a trace's words is still shown; text around XML calls is kept
grep -q '^> Yes$' "$s/Short texts the trace happens to hold.md" && grep -q '^> ok$' "$s/Short texts the trace happens to hold.md" &&
    ok || bad "short step texts the trace happens to contain were dropped"
grep -q 'Before the call IMPORTANT' "$s/Text around XML calls.md" && grep -q 'After the call ALSO' "$s/Text around XML calls.md" &&
    ok || bad "text around XML calls was lost"
# fields the reader does not model are shown as written; a tag named "_x" is no bullet
f="$s/Fields we do not read.md" miss=""
for w in FAILED_STATUS SECOND_TOOL EMPTY_NAME TITLE_ONLY_HIT PREVIEW_ONLY BARE_STRING_HIT RESULT_ERROR EXTRA_OBJECT; do
    grep -q "$w" "$f" || miss="$miss $w"
done
[ -z "$miss" ] && ok || bad "a step's unmodelled fields were dropped:$miss"
grep -q '^> \*Private:\*$' "$f" && ! grep -q '^> [*-] [A-Za-z]*:\*' "$f" && ! grep -q '\*\*\*\*' "$f" && ok ||
    bad "an underscored tag became a bullet, or an empty tool name a bare ****"
# a call only the XML holds, a hit only the step's list holds: shown, and the rest once
f="$s/Calls and hits only one copy holds.md"
grep -q 'XmlOnlyCall\*\* · q: `XML_ONLY_ARG`' "$f" && grep -q 'Unlisted hit' "$f" && [ "$(grep -c 'ParsedTwice' "$f")" -eq 1 ] &&
    [ "$(sed '/^> \[!abstract\]- Searched/,$d' "$f" | grep -c 'Listed hit')" -eq 1 ] && ok || bad "a call or hit only one copy held was lost, or the other shown twice"
# hit titles that would open a block are escaped, empty ones skipped; calls matched
# between the XML and the parsed cards (by id, else by name) shown once; duplicate keys
# shown as written; text after an indented block stays out of it (as cmark reads it)
f="$s/Titles, ids and keys that try again.md" miss=""
for w in '^>   - \\- -$' '^>   - 1\\\. one$' '^>   - indented$' '^>   - \\+ plus (javascript:x)$' 'XmlNoId' DUP_INTENT DUPURL DUPTITLE SECOND_RESULT; do
    grep -q "$w" "$f" || miss="$miss $w"
done
[ -z "$miss" ] && ! grep -q '^>   - *$' "$f" && [ "$(grep -c 'SameName' "$f")" -eq 1 ] && [ "$(grep -c 'Parsed1' "$f")" -eq 1 ] &&
    ok || bad "hits, matched calls or duplicate keys:$miss"
"${B:-build}/md-turns" --html "$f" | python3 -c 'import re, sys
pre = re.findall(r"<pre>.*?</pre>", sys.stdin.read(), re.S)
art = [p for p in pre if "~" * 300 in p]
assert len(art) == 1 and "AFTER_THE" not in art[0], art' && ok || bad "text after an indented artifact joined its block"
# the XML's copy of a call named otherwise, or without the parsed card's id, or of a card
# shown raw, is not shown again; no header over empty hits; a bare-CR trace keeps its call
# a paragraph; a 300-run inside a line needs no longer fence
f="$s/Copies named otherwise.md"
[ "$(grep -c 'OnlyOnce' "$f")" -eq 1 ] && grep -q 'WebSearch' "$f" && ! grep -q 'web\\_search\*\* · query: `q`' "$f" &&
    ! grep -q 'CopyOfRaw' "$f" && ! grep -q 'Web results' "$f" && grep -B1 '^> \*Tool call:\* \*\*web\\_search\*\* · query: `cr`$' "$f" | grep -q '^>$' &&
    grep -q '^```$' "$f" && ok || bad "a call's copy shown again, an empty hits header, or a bare-CR trace call joined its line"
# runs of 300 backticks and tildes: no fence cmark closes early (md_check counts the turns)
grep -q '^>       ~\{300\}$' "$s/Runs longer than any fence.md" && grep -q '^    `\{300\}$' "$s/Runs longer than any fence.md" &&
    ok || bad "a block holding both fence runs was not indented"
$G convert -q --no-thinking -f md -o - tests/formats/md/hostile-steps/input.json | grep -q 'Steps (' && bad "--no-thinking kept the steps" || ok
t="$s/Tool calls inside a trace.md"
grep -q '^> Thinking first\. \*Tool call:\* \*\*web\\_search\*\* · query: `` a `tick` `` · n: `2`$' "$t" &&
    grep -q '^> \*Tool call:\* \*\*XSearch\*\* · query: `grok`$' "$t" && grep -q '^> after$' "$t" &&
    grep -q 'CodeExecution</xai:tool_name>' "$t" && ok || bad "tool-call XML in a trace not made a line, or a trace's text lost"
h=tests/formats/md/hostile-blocks/expected
grep -q '^title: "Index"$' "$h/Index 2.md" && grep -q '^# Grok conversations$' "$h/Index.md" && ok ||
    bad "a conversation titled Index took the index's name"
[ "$(ls "$h" | grep -ci '^caf')" -eq 3 ] && [ -f "$h/CAFÉ 3.md" ] && ok || bad "NFC, NFD and upper-case names not told apart"
[ -f "$h/_COM¹.md" ] && [ -f "$h/_CONOUT\$.md" ] && ok || bad "Windows device names COM¹ and CONOUT$ not prefixed"
c1=$(printf '\302[\200-\237]')
sed -n '2,3p' "$h/a b c.md" | LC_ALL=C grep -q "$c1" && bad "a raw C1 control in the front matter" || ok
# C1 controls are stripped from titles (names.c, gx_display_title); U+FFFF escaped in YAML
grep -q '^title: "abc\\uFFFF"$' "$h/a b c.md" && ok || bad "C1 controls not stripped or U+FFFF not escaped in YAML"
grep -q '(<javascript:' "$h/cited urls.md" && bad "a javascript: citation was linked" || ok
grep -q '](<100%25 R\\&amp;D.md>)' "$h/Index.md" && ok || bad "a note's link not escaped: $(grep R "$h/Index.md")"
mkdir -p tests/formats/md/branches-all
golden branches-all tests/parse/golden/10-edit-human-siblings/input.json --branches all --tz +02:00
if [ -n "${GX_TEST_QUICK:-}" ]; then echo "md: $pass passed, $fail failed (quick: the golden trees)"; [ $fail = 0 ]; exit; fi
# attachments from the ZIP are copied with a sniffed extension
python3 tests/input/make_zips.py "$T/f" tests/parse/golden/29-attachments-and-cards/input.json >/dev/null 2>&1
$G convert -q -o "$T/z" "$T/f/deflated.zip" 2>/dev/null; [ -d "$T/z" ] && ok || bad "convert from a ZIP"
python3 tests/formats/md/md_check.py "$T/z" >/dev/null && ok || bad "notes from the ZIP fail md_check"
# all on one thread: the same notes, and the same pages and index written beside them
$G convert -q --threads 1 -o "$T/z1" "$T/f/deflated.zip" 2>/dev/null
diff -r "$T/z" "$T/z1" >/dev/null && ok || bad "--threads 1 writes other notes"
$G convert -q -f md,html,index -o "$T/all2" "$T/f/deflated.zip" 2>/dev/null
$G convert -q --threads 1 -f md,html,index -o "$T/all1" "$T/f/deflated.zip" 2>/dev/null
diff -r "$T/all1" "$T/all2" >/dev/null && [ -f "$T/all1/html/index.html" ] && ok || bad "--threads 1 -f md,html,index differs"
$G convert -q --threads 3 -o "$T/z3" "$T/f/deflated.zip" 2>/dev/null; [ $? -eq 64 ] && ok || bad "--threads 3 accepted"
# a generated-image card whose image the export holds: copied and embedded
python3 - "$T/gen.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    zf.write('tests/parse/golden/29-attachments-and-cards/input.json', 'u/prod-grok-backend.json')
    zf.writestr('u/prod-mc-asset-server//0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/content', b'\x89PNG\r\n\x1a\n' + b'\0' * 32)
    zf.writestr('u/prod-mc-asset-server/7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e/content', b'\xff\xd8\xff\xe0' + b'\0' * 32)
PY
$G convert -q -o "$T/gen" "$T/gen.zip" 2>/dev/null
grep -q '!\[generated image\](<attachments/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.png>)' "$T"/gen/*/*/*.md &&
    [ -f "$T"/gen/2025/10/attachments/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.png ] && ok || bad "generated image card not embedded"
# the image an edit started from, when the export holds it
grep -q '!\[image to edit\](<attachments/7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e.jpg>)' "$T"/gen/*/*/*.md &&
    [ -f "$T"/gen/2025/10/attachments/7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e.jpg ] && ok || bad "the edit's source image is not shown"

# --tz local: each date with its own offset (a POSIX TZ rule: no tzdata needed)
TZ='CET-1CEST,M3.5.0,M10.5.0/3' $G convert -q -f md -o - --tz local tests/formats/md/dst/input.json >"$T/dst" 2>&1
grep -q '^## You · 2025-01-15 13:00 +01:00$' "$T/dst" && grep -q '^## You · 2025-07-15 14:00 +02:00$' "$T/dst" && ok ||
    bad "--tz local across summer time: $(grep '^## ' "$T/dst")"
TZ='CET-1CEST,M3.5.0,M10.5.0/3' $G convert -q -o "$T/dstn" --tz local tests/formats/md/dst/input.json 2>/dev/null
grep -q '^created: 2025-07-15T14:00:00.000+02:00$' "$T"/dstn/2025/07/*.md && ok || bad "--tz local front matter"

# an image card whose image_chunk is an object, not a JSON text
python3 - "$T/gen2.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    zf.write('tests/formats/md/cards/input.json', 'u/prod-grok-backend.json')
    zf.writestr('u/prod-mc-asset-server/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/content', b'\x89PNG\r\n\x1a\n' + b'\0' * 32)
    zf.writestr('u/prod-mc-asset-server/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b/content', b'\x89PNG\r\n\x1a\n' + b'\0' * 32)
PY
$G convert -q -o "$T/gen2" "$T/gen2.zip" 2>/dev/null
grep -q '!\[generated image\](<attachments/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.png>)' "$T"/gen2/*/*/*.md && ok ||
    bad "an image card with an object image_chunk is not embedded"
# an image streamed as snapshots (one card id, the last with progress 100
# wins), shown again by a second card and in generated_image_urls: once
snap=$(grep -l '^# Image snapshots' "$T"/gen2/*/*/*.md)
[ "$(grep -c '^!\[generated image\](<attachments/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b.png>)$' "$snap")" = 1 ] &&
    [ "$(grep -c 'generated image' "$snap")" = 1 ] && ok || bad "image snapshots: $(grep -i 'generated image' "$snap")"

# Imagine and cards from a ZIP (tests/formats/md/imagine_zip.py): the image of a
# tag without a type, of unreferenced cards (one also in generated_image_urls:
# once), of an imagine turn, and a month's posts (an image and a video
# embedded, beside the month's note; a post the ZIP lacks said to be missing)
python3 tests/formats/md/imagine_zip.py "$T/im.zip"
$G convert -q -o "$T/im" "$T/im.zip" 2>/dev/null
n60=$(grep -l '^# Tags without a type' "$T"/im/*/*/*.md) n61=$(grep -l '^# Cards no tag names' "$T"/im/*/*/*.md)
n62=$(grep -l '^# Imagine turns' "$T"/im/*/*/*.md) feb="$T/im/2026/02/Imagine 2026-02.md"
grep -q '^!\[generated image\](<attachments/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f.png>)$' "$n60" && ok ||
    bad "a typeless tag's generated image not embedded: $(grep -i image "$n60")"
for a in 4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a 5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b 6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c; do
    [ "$(grep -c "^!\[generated image\](<attachments/$a.png>)$" "$n61")" = 1 ] && ok || bad "unreferenced card image $a: $(grep -c "$a" "$n61") times"
done
grep -q '^!\[generated image\](<attachments/7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d.png>)$' "$n62" &&
    grep -q '^\*\*Imagine:\*\* a cat in a space suit, watercolour$' "$n62" && ok || bad "an imagine turn's prompt or image: $(grep -i imagine "$n62")"
grep -q '^!\[Imagine image\](<attachments/5d8e9f00-1a2b-4c3d-8e4f-50617283a4b5.png>)$' "$feb" &&
    grep -q '^!\[Imagine video\](<attachments/6e9fa011-2b3c-4d4e-9f50-61728394b5c6.mp4>)$' "$feb" &&
    [ -f "$T/im/2026/02/attachments/6e9fa011-2b3c-4d4e-9f50-61728394b5c6.mp4" ] &&
    grep -q '^\*The media is not in the export.\*$' "$feb" && grep -q '(<2026/02/Imagine 2026-02.md>) · 4 posts$' "$T/im/Index.md" && ok ||
    bad "Imagine posts from the ZIP: $(cat "$feb")"
grep -q '^\*The image is not in the export.\*$' "$T/im/2026/01/Imagine 2026-01.md" && [ ! -e "$T/im/etc" ] && ok ||
    bad "an Imagine post the ZIP lacks, or an id that is a path"
python3 tests/formats/md/md_check.py "$T/im" >"$T/check" 2>&1 && ok || bad "Imagine notes: $(cat "$T/check")"
$G convert -q --threads 1 -o "$T/im1" "$T/im.zip" 2>/dev/null
diff -r "$T/im" "$T/im1" >/dev/null && ok || bad "--threads 1 writes other Imagine notes"
# re-run: nothing rewritten; an edited month note is kept and still listed
$G convert -o "$T/im" "$T/im.zip" 2>"$T/err"
grep -q "notes: 0 new, 0 updated, 4 unchanged, 0 kept" "$T/err" && ok || bad "Imagine re-run: $(cat "$T/err")"
echo "MY POST NOTE" >>"$feb"
$G convert -o "$T/im" "$T/im.zip" 2>"$T/err"
grep -q "MY POST NOTE" "$feb" && grep -q "kept 2026/02/Imagine 2026-02.md: edited" "$T/err" && grep -q '(<2026/02/Imagine 2026-02.md>) · 4 posts$' "$T/im/Index.md" &&
    ok || bad "an edited Imagine note: $(cat "$T/err")"
# to stdout: the months follow the conversations
$G convert -q -f md -o - "$T/im.zip" >"$T/im.md" 2>/dev/null
grep -q '^# Grok Imagine 2026-02$' "$T/im.md" && grep -q '^# Grok Imagine undated$' "$T/im.md" && ok || bad "Imagine notes missing from the stream"
rm -rf "$T/im" "$T/im1" "$T/im.md"

# attachments given as objects (issue 27, item 9): named, resolved by id from the ZIP
python3 - "$T/named.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    zf.write('tests/parse/golden/51-file-attachment-objects/input.json', 'u/prod-grok-backend.json')
    zf.writestr('u/prod-mc-asset-server/9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/content', b'%PDF-1.4\n' + b'\0' * 32)
    zf.writestr('u/prod-mc-asset-server/0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e/content', b'\x89PNG\r\n\x1a\n' + b'\0' * 32)
PY
$G convert -q -f md,html -o "$T/named" "$T/named.zip" 2>/dev/null
f=$(ls "$T"/named/md/2025/07/*.md 2>/dev/null || ls "$T"/named/2025/07/*.md)
grep -A2 '^Attachment: report Q2.pdf (application/pdf)$' "$f" | grep -q '^Attachment: \[9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d.pdf\](<attachments/9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d.pdf>)$' &&
    grep -A2 '^Attachment: data.csv (text/csv)$' "$f" | grep -q '^!\[0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e.png\]' && ok ||
    bad "a named attachment not shown with its file: $(grep -A2 '^Attachment' "$f")"
h=$(ls "$T"/named/html/2025/07/*.html)
grep -A1 'Attachment: <span class="file"><bdi>data.csv</bdi></span>' "$h" | grep -q '<img src="attachments/0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e.png"' && ok ||
    bad "html: a named attachment not shown with its file"
# one stream to stdout
$G convert -q -f md -o - tests/parse/golden/09-regeneration/input.json >"$T/stream" 2>&1; st=$?
[ $st = 0 ] && grep -q "^## Grok · " "$T/stream" && ok || bad "md to stdout: $st"
# incremental: a newer export into the same folder
O="$T/inc"
$G convert -o "$O" examples/sample-export.json 2>"$T/err" && grep -q "notes: 5 new, 0 updated, 0 unchanged" "$T/err" && ok || bad "first run: $(cat "$T/err")"
touch "$T/marker"; sleep 1
$G convert -o "$O" examples/sample-export.json 2>"$T/err"
grep -q "notes: 0 new, 0 updated, 5 unchanged, 0 kept" "$T/err" && ok || bad "re-run: $(cat "$T/err")"
[ -z "$(find "$O" -type f -newer "$T/marker")" ] && ok || bad "an unchanged re-run rewrote files: $(find "$O" -type f -newer "$T/marker")"
# rewrite OUT's manifest as a version-1 grokx wrote it (FNV-1a hashes)
to_v1() {
    python3 - "$1" <<'PY'
import sys
out = sys.argv[1]; path = out + '/.grokx-manifest'
def fnv(b):
    h = 1469598103934665603
    for c in b:
        h = ((h ^ c) * 1099511628211) & (2**64 - 1)
    return h
lines = open(path).read().split('\n')
assert lines[0] == '# grokx manifest 2', lines[0]
rows = ['# grokx manifest 1']
for l in lines[1:]:
    if l:
        h, i, rel = l.split('\t')
        rows.append('%016x\t%s\t%s' % (fnv(open(out + '/' + rel, 'rb').read()), i, rel))
open(path, 'w').write('\n'.join(rows) + '\n')
PY
}
# a folder written before manifests held XXH64 (version 1, FNV hashes):
# notes still as written are unchanged, a note the user edited stays kept
V="$T/v1"
$G convert -q -o "$V" examples/sample-export.json 2>/dev/null
to_v1 "$V"
v1edit=$(find "$V" -name '*.md' -path '*/*/*/*' | sort | head -n 1)
echo "MY OWN NOTE" >>"$v1edit"
touch "$T/marker"; sleep 1
$G convert -o "$V" examples/sample-export.json 2>"$T/err"
grep -q "notes: 0 new, 0 updated, 4 unchanged, 1 kept" "$T/err" && ok || bad "version-1 manifest: $(cat "$T/err")"
[ "$(find "$V" -name '*.md' -newer "$T/marker" | wc -l)" = 0 ] && ok || bad "upgrading the manifest rewrote notes"
head -n 1 "$V/.grokx-manifest" | grep -qx "# grokx manifest 2" && ok || bad "the manifest was not rewritten as version 2"
$G convert -o "$V" examples/sample-export.json 2>"$T/err"
grep -q "notes: 0 new, 0 updated, 4 unchanged, 1 kept" "$T/err" && grep -q "MY OWN NOTE" "$v1edit" && ok ||
    bad "after the upgrade: $(cat "$T/err")"
# a version-1 folder where the manifest cannot be replaced (immutable, which
# holds even for root): nothing changed, so the run succeeds and says so
V2="$T/v1ro"
$G convert -q -o "$V2" examples/sample-export.json 2>/dev/null
to_v1 "$V2"
if chattr +i "$V2" 2>/dev/null; then
    $G convert -o "$V2" examples/sample-export.json 2>"$T/err"; st=$?
    chattr -i "$V2"
    [ $st = 0 ] && grep -q "left at version 1" "$T/err" && ok || bad "read-only version-1 folder: $st: $(cat "$T/err")"
    head -n 1 "$V2/.grokx-manifest" | grep -qx "# grokx manifest 1" && ok || bad "the read-only manifest changed"
else
    echo "md: chattr +i unavailable here; the read-only manifest case is not run" >&2
fi
# the user edits one note; the newer export changes that conversation, and
# retitles another
python3 - "$T/newer.json" <<'PY'
import json, sys
d = json.load(open('examples/sample-export.json'))
c0, c1 = d['conversations'][0], d['conversations'][1]
c0['responses'][0]['response']['message'] += ' (edited in Grok)'
c1['conversation']['title'] = 'A brand new title'
json.dump(d, open(sys.argv[1], 'w'))
PY
edited=$(grep -l "$(python3 -c "import json; print(json.load(open('examples/sample-export.json'))['conversations'][0]['conversation']['id'])")" "$O"/*/*/*.md)
echo "MY OWN NOTE" >>"$edited"
before=$(find "$O" -name '*.md' | wc -l)
$G convert -o "$O" "$T/newer.json" 2>"$T/err"
grep -q "notes: 0 new, 1 updated, 3 unchanged, 1 kept" "$T/err" && ok || bad "newer export: $(cat "$T/err")"
grep -q "MY OWN NOTE" "$edited" && ok || bad "the user's edit was overwritten"
grep -q "kept .*: edited since it was written" "$T/err" && ok || bad "the kept note is not reported"
[ "$(find "$O" -name '*.md' | wc -l)" = "$before" ] && ok || bad "a note was duplicated or lost"
ls "$O"/*/*/*"A brand new title"* >/dev/null 2>&1 && ok || bad "the retitled note was not moved"
# an empty note (what a power loss leaves of an unsynced write) is rewritten, not "kept"
empty=$(ls "$O"/*/*/*"A brand new title"*)
: >"$empty"
$G convert -o "$O" "$T/newer.json" 2>"$T/err"
[ -s "$empty" ] && grep -q "1 updated" "$T/err" && ok || bad "an empty note was not rewritten: $(cat "$T/err")"
$G convert --force -o "$O" "$T/newer.json" 2>"$T/err"
grep -q "1 updated" "$T/err" && ! grep -q "MY OWN NOTE" "$edited" && grep -q "edited in Grok" "$edited" && ok || bad "--force: $(cat "$T/err")"
# names without {id}: a newer export brings a conversation of the same title
# before the old one. The old note keeps its name (a new one never lands on a
# note the user may have edited), the new one is "<title> 2", on one thread or
# three; and an edited old note stays as the user left it
for th in 1 2; do
    O="$T/same-$th"
    python3 - "$T/same1.json" "$T/same2.json" <<'PY'
import json, sys
def conv(i, text):
    return {"conversation": {"id": i, "title": "Same", "create_time": "2025-06-10T10:00:00Z"},
            "responses": [{"response": {"_id": i + "m", "sender": "human", "message": text,
                                        "create_time": "2025-06-10T10:00:00Z"}}]}
json.dump({"conversations": [conv("aaaa", "first one")]}, open(sys.argv[1], "w"))
json.dump({"conversations": [conv("cccc", "a newer one"), conv("aaaa", "first one")]}, open(sys.argv[2], "w"))
PY
    $G convert -q --threads $th --layout flat --name "{title}" -o "$O" "$T/same1.json"
    cp -r "$O" "$O-edited"
    $G convert --threads $th --layout flat --name "{title}" -o "$O" "$T/same2.json" 2>"$T/err"
    grep -q "notes: 1 new, 0 updated, 1 unchanged, 0 kept" "$T/err" && ok || bad "same title, threads $th: $(cat "$T/err")"
    grep -q "first one" "$O/Same.md" && grep -q "a newer one" "$O/Same 2.md" && ok ||
        bad "same title, threads $th: $(ls "$O"; cat "$O"/*.md | head -40)"
    echo "MY EDIT" >>"$O-edited/Same.md"
    $G convert --threads $th --layout flat --name "{title}" -o "$O-edited" "$T/same2.json" 2>"$T/err"
    grep -q "MY EDIT" "$O-edited/Same.md" && grep -q "a newer one" "$O-edited/Same 2.md" &&
        grep -q "notes: 1 new, 0 updated, 0 unchanged, 1 kept" "$T/err" && ok ||
        bad "same title, edited, threads $th: $(cat "$T/err"; ls "$O-edited")"
done

# SIGINT / SIGTERM: exit 128+signal, no temporary left, nothing half-written
${B:-build}/gen-export -s 150M -S 5 -o "$T/big.json"
for sig in INT TERM; do
    rm -rf "$T/sig"
    $G convert -q -o "$T/sig" "$T/big.json" 2>"$T/err" &
    pid=$!
    sleep 0.3
    kill -$sig $pid
    wait $pid; st=$?
    want=130; [ $sig = TERM ] && want=143
    [ $st = $want ] && ok || bad "SIG$sig gave status $st, want $want"
    [ -z "$(find "$T/sig" -name '*.tmp-*' 2>/dev/null)" ] && ok || bad "SIG$sig left a temporary"
done
# SIGKILL, then a re-run: the tree equals a clean run's. A killed run's
# temporary (its process gone) is swept; one of a live process is kept.
dead=999999; while kill -0 $dead 2>/dev/null; do dead=$((dead + 1)); done
$G convert -q -f md,html -o "$T/kill" "$T/big.json" 2>/dev/null &
pid=$!
sleep 0.5
kill -9 $pid
wait $pid 2>/dev/null
mkdir -p "$T/kill/md" "$T/kill/html"
sub=$(find "$T/kill/md" -mindepth 2 -maxdepth 2 -type d | head -n 1)
echo partial >"${sub:-$T/kill/md}/x.md.tmp-$dead-0"
echo partial >"$T/kill/html/index.html.tmp-$dead-3"
echo theirs >"$T/kill/md/Index.md.tmp-$$-0"
echo mine >"$T/kill/md/draft.tmp-$dead-1"
$G convert -q -f md,html -o "$T/kill" "$T/big.json" 2>/dev/null; st=$?
[ $st -le 1 ] && ok || bad "the re-run after SIGKILL: status $st"
[ -f "$T/kill/md/Index.md.tmp-$$-0" ] && ok || bad "a live process's temporary was removed"
[ -f "$T/kill/md/draft.tmp-$dead-1" ] && ok || bad "a file of the user's that looks like a temporary was removed"
rm -f "$T/kill/md/Index.md.tmp-$$-0" "$T/kill/md/draft.tmp-$dead-1"
$G convert -q -f md,html -o "$T/clean" "$T/big.json" 2>/dev/null
diff -r "$T/kill" "$T/clean" >"$T/diff" 2>&1 && ok || bad "after SIGKILL and a re-run the tree differs: $(head -c 400 "$T/diff")"
rm -rf "$T/kill" "$T/clean" "$T/big.json"

# a symbolic link planted inside OUT is not followed: a clear error, status
# 3, nothing written where it points
rm -rf "$T/sl" && mkdir -p "$T/sl/out" "$T/sl/elsewhere" && ln -s ../elsewhere "$T/sl/out/2026"
$G convert -o "$T/sl/out" examples/sample-export.json 2>"$T/err"; st=$?
[ $st = 3 ] && grep -q "2026: a link inside the output folder, not followed" "$T/err" &&
    [ -z "$(ls "$T/sl/elsewhere")" ] && ok || bad "a planted symlink was followed: status $st, $(cat "$T/err"); $(ls "$T/sl/elsewhere")"
rm -rf "$T/sl"

# a filtered re-run (or an export without some conversations) keeps
# listing every note of the folder in Index.md and the year notes
rm -rf "$T/ix" "$T/ix2"
$G convert -q -o "$T/ix" examples/sample-export.json 2>/dev/null
$G convert -q -o "$T/ix" --title question examples/sample-export.json 2>/dev/null
$G convert -q -o "$T/ix2" examples/sample-export.json 2>/dev/null
# (5 conversations; the sample's Imagine months are listed under their own heading)
diff -r "$T/ix" "$T/ix2" >"$T/diff" 2>&1 && [ "$(grep -c '^- [0-9]' "$T/ix/Index.md")" = 5 ] &&
    [ "$(grep -c '^- \[20[0-9-]*\](<20[0-9/]*Imagine ' "$T/ix/Index.md")" = 2 ] && ok ||
    bad "a filtered re-run lost notes from Index.md: $(head -c 400 "$T/diff")"
rm -rf "$T/ix" "$T/ix2"

# a run killed while it rewrote notes: the next run knows what it wrote
# (the journal beside the manifest), so those notes are not "edited by
# you" for ever; an edit made after the kill still is
JN=20000 # conversations: enough that a run lasts long after the kill is due
for v in 1 2 3 r; do # r: version 2 with every conversation retitled
    python3 -c 'import json, sys
v = sys.argv[1]
def conv(i):
    c = "%08x-0000-4000-8000-000000000000" % i
    r = lambda k, who, text, parent: {"response": {"_id": "%s-%d" % (c, k), "parent_response_id": parent,
        "sender": who, "message": text, "create_time": "2025-03-01T10:00:0%dZ" % k}}
    return {"conversation": {"id": c, "title": ("R%d" if v == "r" else "T%d") % i, "create_time": "2025-03-01T10:00:00Z"},
            "responses": [r(0, "human", "q" * 300, None), r(1, "assistant", "answer v%s " % v + "x" * 300, c + "-0")]}
json.dump({"conversations": [conv(i) for i in range(int(sys.argv[3]))]}, open(sys.argv[2], "w"))' $v "$T/j$v.json" $JN
done
# kill_when_journalled OUT EXPORT: start a conversion, kill -9 it once 200
# writes are journalled, or (a first run) 200 notes are written
kill_when_journalled() {
    first=200; [ -f "$1/.grokx-manifest" ] && first=999999 # a re-run: its notes are there already
    $G convert -q -o "$1" "$2" 2>/dev/null &
    pid=$!
    n=0; while [ "$(jl "$1")" -lt 200 ] && [ "$(ls "$1/2025/03" 2>/dev/null | wc -l)" -lt $first ] && [ $n -lt 500 ]; do
        sleep 0.01; n=$((n + 1))
    done
    kill -9 $pid; wait $pid 2>/dev/null
    # a machine fast enough to finish first leaves nothing to test: say so
    if [ -f "$1/.grokx-manifest" ] && [ ! -f "$1/.grokx-manifest.journal" ]; then
        killed=0; echo "md: a kill test skipped: the run ended before it was killed" >&2
    else
        killed=1
    fi
}
jl() { if [ -f "$1/.grokx-manifest.journal" ]; then wc -l <"$1/.grokx-manifest.journal"; else echo 0; fi; }
notes() { find "$1" -name '*.md' ! -name Index.md ! -name '2025.md' 2>/dev/null | wc -l; }
# edit_after_kill KILLED NEXT: convert j1, kill a conversion of KILLED, edit
# the first note it journalled ($edited), then convert NEXT (stderr in
# $T/err); $killed says whether the kill came in time
edit_after_kill() {
    rm -rf "$T/j"
    $G convert -q -o "$T/j" "$T/j1.json" 2>/dev/null
    kill_when_journalled "$T/j" "$1"
    [ $killed = 1 ] || return 0
    edited=$(head -n 1 "$T/j/.grokx-manifest.journal" | cut -f 3)
    echo "MY EDIT" >>"$T/j/$edited"
    $G convert -o "$T/j" "$2" 2>"$T/err"
}
edit_after_kill "$T/j2.json" "$T/j3.json"
if [ $killed = 1 ]; then
    grep -q "notes: 0 new, $((JN - 1)) updated, 0 unchanged, 1 kept" "$T/err" && ok || bad "after a killed run: $(cat "$T/err")"
    grep -q "MY EDIT" "$T/j/$edited" && [ "$(grep -rl 'answer v3' "$T/j" | wc -l)" = $((JN - 1)) ] && ok ||
        bad "after a killed run, notes not rewritten"
    [ ! -e "$T/j/.grokx-manifest.journal" ] && ok || bad "the journal stayed after a finished run"
fi
# killed while it moved retitled notes, one of them edited since: that edit
# is kept, each conversation still has one note
edit_after_kill "$T/jr.json" "$T/jr.json"
if [ $killed = 1 ]; then
    grep -q "MY EDIT" "$T/j/$edited" && grep -q "1 kept" "$T/err" && [ "$(notes "$T/j")" = $JN ] && ok ||
        bad "a killed move: $(cat "$T/err"); $(notes "$T/j") notes"
fi
# the first run killed, then the export retitled: no note is left twice
rm -rf "$T/j"
kill_when_journalled "$T/j" "$T/j1.json"
$G convert -q -o "$T/j" "$T/jr.json" 2>/dev/null
[ "$(notes "$T/j")" = $JN ] && ok || bad "a killed first run, then a retitle: $(notes "$T/j") notes"
rm -rf "$T/j" "$T"/j?.json

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

# Never overwrite what is not ours. mkx FILE TITLE2 ANSWER: an export of
# three conversations: "Wait... what?" (c-dots), TITLE2 (c-two), and two
# sharing the id c-dup.
mkx() {
    python3 -c 'import json, sys
def conv(c, title, text, t):
    r = lambda k, who, msg, parent: {"response": {"_id": "%s-%d" % (c, k), "parent_response_id": parent,
        "sender": who, "message": msg, "create_time": "2025-03-0%dT10:00:0%dZ" % (t, k)}}
    return {"conversation": {"id": c, "title": title, "create_time": "2025-03-0%dT10:00:00Z" % t},
            "responses": [r(0, "human", "question " + title, None), r(1, "assistant", text, c + "-0")]}
json.dump({"conversations": [conv("c-dots", "Wait... what?", sys.argv[3], 1), conv("c-two", sys.argv[2], "two", 2),
    conv("c-dup", "Twin", "FIRST twin", 3), conv("c-dup", "Twin", "SECOND twin", 4)]}, open(sys.argv[1], "w"))' "$@"
}
O="$T/own"; rm -rf "$O"
mkx "$T/own1.json" "Plain" "answer one"
mkx "$T/own2.json" "Plain... more" "answer two"          # newer: c-two retitled to hold "..", c-dots changed
# titles holding "..": the user's edit survives re-runs, a retitle moves the note
$G convert -q --layout flat --name "{title}" -o "$O" "$T/own1.json"
dots=$(ls "$O" | grep '^Wait') && [ -f "$O/$dots" ] && ok || bad "no note for 'Wait... what?': $(ls "$O")"
grep -q "c-dots" "$O/.grokx-manifest" && ok || bad "the manifest dropped the '..' title: $(cat "$O/.grokx-manifest")"
echo "MY EDIT" >>"$O/$dots"
$G convert --layout flat --name "{title}" -o "$O" "$T/own2.json" 2>"$T/err"
grep -q "MY EDIT" "$O/$dots" && grep -q "kept $dots" "$T/err" && ok || bad "the edit of a note titled with '..' was lost: $(cat "$T/err")"
[ ! -e "$O/Plain.md" ] && [ -f "$O/Plain... more.md" ] && [ "$(grep -l 'id: "c-two"\|^id: c-two' "$O"/*.md | wc -l)" = 1 ] && ok ||
    bad "a retitle to '..' did not move the note: $(ls "$O")"
mkx "$T/own3.json" "Plain again" "answer two"
$G convert -q --layout flat --name "{title}" -o "$O" "$T/own3.json"
[ ! -e "$O/Plain... more.md" ] && [ -f "$O/Plain again.md" ] && ok || bad "a note named with '..' was not moved on retitle: $(ls "$O")"
# two conversations sharing an id: both notes (a warning names the id),
# stable across re-runs, the second's edit kept
[ "$(grep -l "FIRST twin" "$O"/*.md | wc -l)" = 1 ] && [ "$(grep -l "SECOND twin" "$O"/*.md | wc -l)" = 1 ] && ok ||
    bad "a conversation sharing an id lost its note: $(ls "$O")"
$G convert --layout flat --name "{title}" -o "$O" "$T/own3.json" 2>"$T/err"
grep -q "conversation id c-dup is shared by more than one conversation" "$T/err" && grep -q "notes: 0 new, 0 updated, 3 unchanged, 1 kept" "$T/err" && ok ||
    bad "ids shared: no warning, or a re-run rewrote notes: $(cat "$T/err")"
twin2=$(grep -l "SECOND twin" "$O"/*.md); echo "MY TWIN EDIT" >>"$twin2"
$G convert -q --layout flat --name "{title}" -o "$O" "$T/own3.json"
grep -q "MY TWIN EDIT" "$twin2" && [ "$(grep -l "FIRST twin" "$O"/*.md | wc -l)" = 1 ] && ok || bad "the second twin's edit was lost"
# conversations sharing an id keep their notes whatever the export's order:
# a later one's key is its own (its create_time), not its place in the file,
# and one the earlier run knew takes its key even when the first is filtered
mkd() { python3 -c 'import json, sys
def conv(title, day, word):
    r = lambda k, who, msg: {"response": {"_id": "%s-%d" % (title, k), "sender": who, "message": msg,
        "create_time": "2026-01-0%dT10:00:0%dZ" % (day, k), **({"parent_response_id": "%s-0" % title} if k else {})}}
    return {"conversation": {"id": "00000000-0000-4000-8000-0000000000aa", "title": title,
        "create_time": "2026-01-0%dT10:00:00Z" % day}, "responses": [r(0, "human", word + " text"), r(1, "assistant", word + " answer")]}
a, b, c = conv("First A", 1, "alpha"), conv("Second B", 2, "bravo"), conv("Third C", 3, "charlie")
json.dump({"conversations": [eval(x) for x in sys.argv[2].split(",")]}, open(sys.argv[1], "w"))' "$@"; }
mkd "$T/dup.json" a,b,c; mkd "$T/dupswap.json" a,c,b; mkd "$T/dupfirst.json" b,a,c
D="$T/dup"; rm -rf "$D"
$G convert -q --layout flat --name "{title}" -o "$D" "$T/dup.json"
echo "MY B EDIT" >>"$D/Second B.md"
$G convert -q --layout flat --name "{title}" -o "$D" "$T/dupswap.json"
[ "$(ls "$D" | grep -c '\.md$')" = 4 ] && grep -q "charlie answer" "$D/Third C.md" && grep -q "bravo answer" "$D/Second B.md" &&
    grep -q "MY B EDIT" "$D/Second B.md" && ! grep -q "MY B EDIT" "$D/Third C.md" && grep -q "alpha answer" "$D/First A.md" &&
    grep -q '\[Third C\](<Third C.md>)' "$D/Index.md" && ok ||
    bad "same-id conversations listed otherwise moved their notes: $(ls "$D"; grep -H . "$D"/*.md | grep -v '^[^:]*:[a-z]*:' | head -40)"
for f in "--title Second" "--since 2026-01-02"; do # the first of the id filtered out
    F="$T/dupf"; rm -rf "$F"
    $G convert -q --layout flat --name "{title}" -o "$F" "$T/dup.json"
    $G convert -q --layout flat --name "{title}" $f -o "$F" "$T/dup.json"
    [ "$(ls "$F" | grep -c '\.md$')" = 4 ] && grep -q "alpha answer" "$F/First A.md" && grep -q "bravo answer" "$F/Second B.md" &&
        ! grep -q "bravo" "$F/First A.md" && ok || bad "$f: a same-id conversation took the filtered one's note: $(ls "$F")"
done
F="$T/dupf"; rm -rf "$F"
$G convert -q --layout flat --name "{title}" -o "$F" "$T/dup.json"
$G convert -q --layout flat --name "{title}" -o "$F" "$T/dupfirst.json" # the second listed first
echo "MY A EDIT" >>"$F/First A.md"
$G convert -q --layout flat --name "{title}" -o "$F" "$T/dupfirst.json" # the second listed first
[ "$(ls "$F" | grep -c '\.md$')" = 4 ] && grep -q "bravo answer" "$F/Second B.md" && grep -q "charlie answer" "$F/Third C.md" &&
    grep -q "MY A EDIT" "$F/First A.md" && ! grep -q "MY A EDIT" "$F/Second B.md" && ok ||
    bad "the second of an id listed first moved notes: $(ls "$F")"
# a new conversation of a shared id, the first filtered out: a note of its own
mkd "$T/dupab.json" a,b; F="$T/dupf"; rm -rf "$F"
$G convert -q --layout flat --name "{title}" -o "$F" "$T/dupab.json"
$G convert -q --layout flat --name "{title}" --since 2026-01-02 -o "$F" "$T/dup.json"
[ "$(ls "$F" | grep -c '\.md$')" = 4 ] && grep -q "alpha answer" "$F/First A.md" && grep -q "charlie answer" "$F/Third C.md" && ok ||
    bad "a new same-id conversation took the filtered one's note: $(ls "$F")"
# a file at a note's path that grokx did not write is left alone, said and
# counted; one holding exactly our bytes is taken as ours (a lost manifest)
U="$T/users"; rm -rf "$U"; mkdir -p "$U"
echo "my own notes" >"$U/Plain.md"
printf 'my index\n' >"$U/Index.md"
$G convert --layout flat --name "{title}" -o "$U" "$T/own1.json" 2>"$T/err"; st=$?
[ "$(cat "$U/Plain.md")" = "my own notes" ] && [ "$(cat "$U/Index.md")" = "my index" ] && ok || bad "a file grokx did not write was overwritten"
grep -q "exists, not ours: Plain.md" "$T/err" && grep -q "exists, not ours: Index.md" "$T/err" && grep -q ", 2 skipped (not ours)" "$T/err" && ok ||
    bad "no 'exists, not ours' or count: $(cat "$T/err")"
grep -q "Plain" "$U/.grokx-manifest" && bad "a file not ours entered the manifest" || ok
rm "$U/.grokx-manifest"                                # lost: every identical note is ours again
$G convert --layout flat --name "{title}" -o "$U" "$T/own1.json" 2>"$T/err"
grep -q "notes: 0 new, 0 updated, 3 unchanged, 0 kept (edited by you), 2 skipped (not ours)" "$T/err" && ok || bad "identical notes were not taken back as ours: $(cat "$T/err")"
# attachments: a file of the user's at an attachment's path stays
rm -rf "$T/att"
$G convert -q -o "$T/att" "$T/gen.zip" 2>/dev/null
a=$(find "$T/att" -path '*attachments/*' -type f | head -n 1)
[ -n "$a" ] && ok || bad "no attachment copied from $T/gen.zip (the test is void)"
rm -rf "$T/att2"; mkdir -p "$T/att2/$(dirname "${a#$T/att/}")"; echo "user bytes" >"$T/att2/${a#$T/att/}"
$G convert -o "$T/att2" "$T/gen.zip" 2>"$T/err"
[ "$(cat "$T/att2/${a#$T/att/}")" = "user bytes" ] && grep -q "exists, not ours: .*attachments/" "$T/err" && ok || bad "an attachment overwrote a file of the user's: $(cat "$T/err")"
# html: a page, index.html or style.css of the user's is left alone
H="$T/hown"; rm -rf "$H"; mkdir -p "$H"
$G convert -q -f html --layout flat --name "{title}" -o "$H" "$T/own1.json"
p=$(ls "$H" | grep '^Plain') && echo "<p>my page</p>" >"$H/$p" && echo "body{}" >"$H/style.css" && echo "<p>my index</p>" >"$H/index.html"
$G convert -f html --layout flat --name "{title}" -o "$H" "$T/own1.json" 2>"$T/err"
[ "$(cat "$H/$p")" = "<p>my page</p>" ] && [ "$(cat "$H/style.css")" = "body{}" ] && [ "$(cat "$H/index.html")" = "<p>my index</p>" ] &&
    grep -q "2 skipped (not ours)" "$T/err" && ok ||
    bad "html overwrote a file it did not write: $(cat "$T/err")"
rm "$H/index.html"; $G convert -q -f html --layout flat --name "{title}" -o "$H" "$T/own1.json" 2>/dev/null
[ -f "$H/index.html" ] && ! grep -q "Plain" "$H/index.html" && ok || bad "index.html lists a page that is not ours"
# a skip is a warning (exit 1, as the README's table says), even with -q;
# the summary line comes always (every note not ours too), and past 20
# named files or kept notes a line counts the rest
$G convert -q --layout flat --name "{title}" -o "$U" "$T/own1.json" 2>/dev/null; st=$?
[ $st = 1 ] && ok || bad "files left alone (not ours): status $st, want 1"
$G convert -q -f html --layout flat --name "{title}" -o "$H" "$T/own1.json" 2>/dev/null; st=$?
[ $st = 1 ] && ok || bad "html pages left alone (not ours): status $st, want 1"
python3 -c 'import json, sys
cs = [{"conversation": {"id": "c-%02d" % i, "title": "Note %02d" % i, "create_time": "2025-03-01T10:00:00Z"},
       "responses": [{"response": {"_id": "r-%02d" % i, "sender": "human", "message": "hello %d" % i,
                                   "create_time": "2025-03-01T10:00:00Z"}}]} for i in range(25)]
json.dump({"conversations": cs}, open(sys.argv[1], "w"))' "$T/many.json"
M="$T/many"; rm -rf "$M"; mkdir -p "$M"
for i in $(seq -w 0 24); do echo "mine $i" >"$M/Note $i.md"; done
$G convert --layout flat --name "{title}" -o "$M" "$T/many.json" 2>"$T/err"; st=$?
[ $st = 1 ] && [ "$(grep -c "exists, not ours: Note" "$T/err")" = 20 ] && grep -q "exists, not ours: 5 more not shown" "$T/err" &&
    grep -q "notes: 0 new, 0 updated, 0 unchanged, 0 kept (edited by you), 25 skipped (not ours)" "$T/err" && ok ||
    bad "every note not ours: status $st (want 1), no summary or no 'more not shown': $(cat "$T/err")"
[ "$(cat "$M/Note 07.md")" = "mine 07" ] && ok || bad "a note not ours was overwritten"
rm -rf "$M"; $G convert -q --layout flat --name "{title}" -o "$M" "$T/many.json"
for i in $(seq -w 0 24); do echo "edit" >>"$M/Note $i.md"; done
$G convert --layout flat --name "{title}" -o "$M" "$T/many.json" 2>"$T/err"; st=$?
[ $st = 0 ] && [ "$(grep -c "^grokx: kept Note" "$T/err")" = 20 ] && grep -q "kept: 5 more notes edited since they were written not shown" "$T/err" &&
    grep -q "25 kept (edited by you)" "$T/err" && ok || bad "25 kept notes: status $st, $(cat "$T/err")"
# Index.md and YYYY/YYYY.md are notes too: the manifest remembers their
# hash, an edit is kept (counted, named), --force replaces it, and a list
# grokx wrote and the user did not touch is still rewritten
L="$T/lists"; rm -rf "$L"
$G convert -q -o "$L" "$T/own1.json"
echo "- my link" >>"$L/Index.md"; echo "- my year link" >>"$L/2025/2025.md"
$G convert -o "$L" "$T/own1.json" 2>"$T/err"; st=$?
[ $st = 0 ] && grep -q "my link" "$L/Index.md" && grep -q "my year link" "$L/2025/2025.md" &&
    grep -q "kept Index.md: edited" "$T/err" && grep -q "kept 2025/2025.md: edited" "$T/err" && grep -q "2 kept (edited by you)" "$T/err" && ok ||
    bad "an edit of Index.md or a year note was dropped: status $st, $(cat "$T/err")"
$G convert -q --force -o "$L" "$T/own1.json"
grep -q "my link" "$L/Index.md" || grep -q "my year link" "$L/2025/2025.md" && bad "--force kept an edited list" || ok
$G convert -q -o "$L" "$T/own2.json"
grep -q "Plain... more" "$L/Index.md" && ok || bad "an unedited Index.md was not rewritten for a newer export"
grep -q "(list)" "$L/Index.md" && bad "Index.md lists itself" || ok
rm -rf "$O" "$U" "$H" "$M" "$L" "$T/att" "$T/att2"
echo "md: $pass passed, $fail failed"
[ $fail = 0 ]
