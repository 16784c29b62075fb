#!/bin/sh
# The html writer: golden sites, determinism, hostile input proven inert
# (statically by html_check.py, and in Chromium: no script runs, no request
# leaves the folder), the index filter, a page per format in one pass.
#   UPDATE=1 sh tests/formats/html/html.sh   rewrites the expected trees (review the diff!)
#   GX_TEST_QUICK=1 (make check-quick)       the golden sites only, no browser
G=${GROKX:-./grokx}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL html: $*" >&2; }
golden() { # golden NAME INPUT [options]
    name=$1 input=$2; shift 2
    rm -rf "$T/out"
    $G convert -q -f html -o "$T/out" "$@" "$input" 2>"$T/err"; st=$?
    [ $st -le 1 ] && ok || bad "$name: status $st: $(head -c 300 "$T/err")"
    # the style sheet and script are inline (html_check.py compares them)
    [ ! -e "$T/out/style.css" ] && [ ! -e "$T/out/index.js" ] && ok || bad "$name: style.css or index.js written"
    python3 tests/formats/html/html_check.py "$T/out" >"$T/check" 2>&1 && ok || bad "$name: $(cat "$T/check")"
    if [ -n "${UPDATE:-}" ]; then rm -rf "tests/formats/html/$name/expected"; mkdir -p "tests/formats/html/$name"; cp -r "$T/out" "tests/formats/html/$name/expected"; fi
    if diff -r "tests/formats/html/$name/expected" "$T/out" >"$T/diff" 2>&1; then ok; else bad "$name differs: $(head -c 600 "$T/diff")"; fi
    $G convert -q -f html -o "$T/out" "$@" "$input" 2>/dev/null
    diff -r "tests/formats/html/$name/expected" "$T/out" >/dev/null 2>&1 && ok || bad "$name: a re-run changed the site"
}
for c in 01-minimal 09-regeneration 24-error-empty-message 26-thinking-traces 28-web-search-results 29-attachments-and-cards 30-xai-artifact 34-string-escapes \
         31-imagine-query 60-render-tags-without-type 61-unreferenced-cards 62-imagine-turns 63-media-posts \
         64-media-posts-only 49a-fallbacks 49d-empty-content 50-deepsearch-sources 51-file-attachment-objects 52-persona-artifact-types 70-lost-links 73-system-sender 74-cited-description 75-cited-beside-footnotes 76-card-type-unknown-url 77-media-post-times; do
    golden "$c" "tests/parse/golden/$c/input.json"
done
# citations where their block could break (tests/formats/md/citations), and the
# bench's generated exports (seeds 1-3): every citation is a live link, as
# many as the page lists sources (none read as code, dropped from a table
# row, or swallowed by a fence it kept open)
golden citations tests/formats/md/citations/input.json --layout flat --name '{title}'
cites() { # every page: one <sup class="cite"> per listed source
    python3 -c 'import os, re, sys
bad = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        if f.endswith(".html") and f != "index.html":
            t = open(os.path.join(d, f), encoding="utf-8").read()
            for art in re.findall(r"<article.*?</article>", t, re.S):
                src = re.search(r"<div class=\"sources\">.*?</ol>", art, re.S)
                n = len(re.findall(r"<li id=", src.group(0))) if src else 0
                k = len(re.findall(r"<sup class=\"cite\">", art))
                if k != n and "class=\"cite\"" in art:
                    print("%s: %d citation links, %d sources" % (f, k, n)); bad += 1
sys.exit(1 if bad else 0)' "$1"
}
cites tests/formats/html/citations/expected >"$T/cites" 2>&1 && ok || bad "citations not linked: $(head -c 400 "$T/cites")"
[ -n "${GX_TEST_QUICK:-}" ] || for seed in 1 2 3; do
    rm -rf "$T/gen"
    ${B:-build}/gen-export -s 10M -S $seed -o "$T/gen.json" && { $G convert -q -f html -o "$T/gen" "$T/gen.json"; [ $? -le 1 ]; } &&
        cites "$T/gen" >"$T/cites" 2>&1 && ok || bad "generated export, seed $seed: $(head -c 400 "$T/cites")"
done
rm -rf "$T/gen" "$T/gen.json"
# issue 27, item 4: the results not cited, X posts and web pages, folded after
# the sources (as the md note); the persona, summary and temporary flag in the header
p=$(ls tests/formats/html/50-deepsearch-sources/expected/2025/06/*.html)
grep -q '^<details class="thinking searched"><summary>Searched 11 pages (3 cited) · 2 X posts · 2 web pages</summary>$' "$p" &&
    [ "$(sed -n '/class="thinking searched"/,/<\/details>/p' "$p" | grep -c '^<li>')" = 8 ] &&
    grep -q 'href="https://x.com/i/status/1931000000000000002"' "$p" && ! grep -q 'href="javascript' "$p" && ok ||
    bad "the searched block of a DeepSearch answer"
p=$(ls tests/formats/html/52-persona-artifact-types/expected/2025/08/*.html)
grep -q 'temporary chat &middot; persona: <bdi>Unhinged &quot;Comedian&quot;</bdi></p>' "$p" && grep -q '^<p class="summary" dir="auto">Two scripts' "$p" &&
    grep -q 'class="language-python"' "$p" && ! grep -q 'language-x-' "$p" && ok || bad "persona, summary, temporary or fence languages in the page"
golden branches-all tests/parse/golden/10-edit-human-siblings/input.json --branches all --tz +02:00
golden hostile tests/formats/html/hostile/input.json
golden cards tests/formats/md/cards/input.json

# the embedded copies of style.css and index.js are current
sh libgrokx/render/html/embed.sh "$T/assets.c" && cmp -s "$T/assets.c" libgrokx/render/html_assets.c && ok ||
    bad "libgrokx/render/html_assets.c is stale: run sh libgrokx/render/html/embed.sh"

# every turn of the hostile conversation survived, and no raw tag did
page=$(ls tests/formats/html/hostile/expected/2025/06/*.html)
[ "$(grep -c '<article class="turn' "$page")" = 4 ] && ok || bad "hostile: not 4 turns"
grep -q 'every turn survived' "$page" && ok || bad "hostile: the last answer is missing"
! grep -qi '<script\|<img src=x\|<svg\|<iframe\|href="javascript' "$page" && ok || bad "hostile: a raw tag got through"
grep -q '&lt;script&gt;document.title' "$page" && ok || bad "hostile: the script text is not shown escaped"
if [ -n "${GX_TEST_QUICK:-}" ]; then echo "html: $pass passed, $fail failed (quick: the golden sites)"; [ $fail = 0 ]; exit; fi

# titles and model names hold no control, bidi control or line separator
# (names, <title>, headings, index entries, front matter, Index.md, year
# notes), and user text is isolated in html (<bdi>, dir="auto")
python3 tests/formats/html/html_titles.py "$G" "$T/titles" >"$T/tcheck" 2>&1 && ok || bad "titles: $(tail -10 "$T/tcheck")"
# a turn showing only thinking and steps is not called empty
$G convert -q -f html -o "$T/steps" tests/formats/md/hostile-steps/input.json 2>/dev/null
f=$(ls "$T"/steps/*/*/*"Only thinking and steps"*.html)
grep -q 'class="thinking steps"' "$f" && ! grep -q 'This turn is empty' "$f" && ok || bad "a turn with thinking and steps called empty"
# html and md in one pass, from the ZIP with attachments
python3 tests/input/make_zips.py "$T/f" tests/parse/golden/29-attachments-and-cards/input.json >/dev/null 2>&1
$G convert -q -f md,html -o "$T/both" "$T/f/deflated.zip" 2>"$T/err"; st=$?
[ $st -le 1 ] && [ -f "$T/both/html/index.html" ] && [ -d "$T/both/md" ] && ok || bad "md,html in one pass: $st $(cat "$T/err")"
python3 tests/formats/html/html_check.py "$T/both/html" >/dev/null && ok || bad "html from the ZIP fails html_check"
# a generated image the export holds: copied beside the page and shown
python3 - "$T/gen.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    zf.write('tests/parse/golden/29-attachments-and-cards/input.json', 'u/prod-grok-backend.json')
    zf.writestr('u/prod-mc-asset-server//0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/content', b'\x89PNG\r\n\x1a\n' + b'\0' * 32)
    zf.writestr('u/prod-mc-asset-server/7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e/content', b'\xff\xd8\xff\xe0' + b'\0' * 32)
PY
$G convert -q -f html -o "$T/gen" "$T/gen.zip" 2>/dev/null
grep -q '<img src="attachments/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.png"' "$T"/gen/*/*/*.html &&
    [ -f "$T"/gen/2025/10/attachments/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.png ] && ok || bad "generated image not shown from the copy"
grep -q '<img src="attachments/7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e.jpg"' "$T"/gen/*/*/*.html &&
    [ -f "$T"/gen/2025/10/attachments/7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e.jpg ] && ok || bad "the edit's source image is not shown"
python3 tests/formats/html/html_check.py "$T/gen" >"$T/check" 2>&1 && ok || bad "gen: $(cat "$T/check")"
# Imagine and cards from a ZIP (tests/formats/md/imagine_zip.py): images of a
# tag without a type, of unreferenced cards (once each), of an imagine turn,
# and a month's page with its image shown and its video linked (no page embeds
# a player), listed from index.html outside the filtered list
python3 tests/formats/md/imagine_zip.py "$T/im.zip"
$G convert -q -f html -o "$T/im" "$T/im.zip" 2>/dev/null
feb="$T/im/2026/02/Imagine 2026-02.html"
for a in 3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f 4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a 5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b \
         6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c 7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d; do
    [ "$(cat "$T"/im/2025/11/*.html | grep -c "<img src=\"attachments/$a.png\"")" = 1 ] && ok || bad "image $a not shown once"
done
grep -q '<img src="attachments/5d8e9f00-1a2b-4c3d-8e4f-50617283a4b5.png"' "$feb" &&
    grep -q '<a href="attachments/6e9fa011-2b3c-4d4e-9f50-61728394b5c6.mp4">' "$feb" &&
    grep -q '<section class="month imagine"><h2>Imagine</h2>' "$T/im/index.html" &&
    grep -q '<li><a href="2026/02/Imagine%202026-02.html">February 2026</a><span class="meta">4 posts</span></li>' "$T/im/index.html" &&
    ok || bad "Imagine page from the ZIP, or its line in index.html"
sed -n '/<main id="list">/,/<\/main>/p' "$T/im/index.html" | grep -q '/Imagine%20' && bad "the Imagine months inside the filtered list" || ok
python3 tests/formats/html/html_check.py "$T/im" >"$T/check" 2>&1 && ok || bad "Imagine pages: $(cat "$T/check")"
rm -rf "$T/im"
# a 10^5-message conversation with many models: linear, well under the limit
python3 - "$T/long.json" <<'PY'
import json, sys
msgs = [{"response": {"_id": "m%d" % i, "parent_response_id": "m%d" % (i - 1) if i else None,
         "sender": "assistant" if i % 2 else "human", "model": "grok-%d" % (i % 97), "message": "turn %d" % i,
         "create_time": {"$date": {"$numberLong": str(1700000000000 + i)}}}} for i in range(100000)]
json.dump({"conversations": [{"conversation": {"id": "long", "title": "long", "create_time": "2025-01-01T00:00:00Z"},
           "responses": msgs}]}, open(sys.argv[1], "w"))
PY
timeout 30 $G convert -q -f md,html -o "$T/long" "$T/long.json" 2>/dev/null; st=$?
[ $st = 0 ] && [ "$(grep -c '<article' "$T"/long/html/2025/01/*.html)" = 100000 ] && ok || bad "10^5 messages: status $st"
rm -rf "$T/long" "$T/long.json"
# -o - is refused: a site is a folder
$G convert -q -f html -o - examples/sample-export.json >/dev/null 2>"$T/err"; st=$?
[ $st = 64 ] && grep -q "writes a folder" "$T/err" && ok || bad "html to stdout: status $st: $(cat "$T/err")"
# a full disk: status 3, no temporary, index.html never written before its pages
rm -rf "$T/full"
( trap '' XFSZ; ulimit -f 20; exec $G convert -q -f html -o "$T/full" examples/sample-export.json ) 2>"$T/err"; st=$?
[ $st = 3 ] && ok || bad "write failure gave status $st"
[ -z "$(find "$T/full" -name '*.tmp-*')" ] && ok || bad "a temporary file was left behind"

# ---- in a browser --------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
    bad "chromium is not installed (sh tools/install-deps.sh installs it)"
else
    chrome() { # chrome URL EXTRA...: headless, no network of its own
        u=$1; shift
        timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$T/profile" --enable-logging=stderr --v=0 --hide-scrollbars \
            --log-net-log="$T/net.json" "$@" "$u"
    }
    # requests: only Chromium's own to Google's update hosts may appear (file:
    # loads are not in the net log; html_check.py proves they stay inside)
    net_ok() {
        python3 - "$T/net.json" <<'PY'
import json, re, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:  # Chromium may leave the log unterminated
    t = open(sys.argv[1]).read().rstrip().rstrip(',')
    d = json.loads(t + (']}' if not t.endswith('}') else ''))
urls = {e['params']['url'] for e in d.get('events', []) if isinstance(e.get('params'), dict) and 'url' in e['params']}
own = re.compile(r'^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)(/|:|$)')
out = sorted(u for u in urls if not u.startswith('file:') and not own.match(u))
print('\n'.join(out))
sys.exit(1 if out else 0)
PY
    }
    H="$T/hostile"
    $G convert -q -f html -o "$H" tests/formats/html/hostile/input.json 2>/dev/null
    for p in "$H/index.html" "$H"/2025/*/*.html; do
        chrome "file://$p" --dump-dom >"$T/dom" 2>"$T/log"
        [ -s "$T/dom" ] && ok || bad "$(basename "$p"): Chromium rendered nothing: $(tail -3 "$T/log")"
        ! grep -q 'PWNED-JS' "$T/dom" && ok || bad "$(basename "$p"): an injected script ran"
        ! grep -q 'CONSOLE' "$T/log" && ok || bad "$(basename "$p"): console: $(grep CONSOLE "$T/log" | head -3)"
        net_ok >"$T/net" && ok || bad "$(basename "$p"): requests left the folder: $(cat "$T/net")"
    done
    # no attachment runs: every link and image of an export of hostile
    # attachments clicked, every copy (md's and html's) opened
    timeout 600 python3 tests/formats/html/html_click.py "$G" "$T/click" >"$T/clicks" 2>&1 && ok || bad "attachments: $(tail -15 "$T/clicks")"
    # the index filters as you type (the filter is read from #q=)
    S="$T/sample"
    $G convert -q -f html -o "$S" examples/sample-export.json 2>/dev/null
    chrome "file://$S/index.html#q=fwd" --dump-dom >"$T/dom" 2>"$T/log"
    [ "$(grep -o 'class="conv"' "$T/dom" | wc -l)" = 1 ] && grep -q '1 of 5' "$T/dom" && ok ||
        bad "index filter: $(grep -o 'class="conv"' "$T/dom" | wc -l) shown; $(grep -o 'id="count">[^<]*' "$T/dom")"
    chrome "file://$S/index.html#sort=title" --dump-dom >"$T/dom" 2>"$T/log"
    grep -o 'data-t="[^"]*"' "$T/dom" | sed 's/data-t=//' >"$T/order"
    LC_ALL=C sort "$T/order" | cmp -s - "$T/order" && [ "$(wc -l <"$T/order")" = 5 ] && ok || bad "sort by title: $(cat "$T/order")"
    ! grep -q 'CONSOLE' "$T/log" && ok || bad "index: console: $(grep CONSOLE "$T/log" | head -3)"
    # scripts and styles by hash, nothing by origin: a page in OUT cannot
    # load a script or style sheet from another local file; the archive works
    echo '{"conversations": []}' >"$T/none.json"
    $G convert -q -f html -o "$T/none" "$T/none.json" 2>/dev/null
    timeout 300 python3 tests/formats/html/html_csp.py "$S" "$T/none" >"$T/csp" 2>&1 && ok || bad "CSP: $(tail -8 "$T/csp")"
    # a screenshot of a page renders (docs/html.md shows one)
    p=$(ls "$S"/*/*/*.html | head -n 1)
    chrome "file://$p" --window-size=1000,1200 --screenshot="$T/shot.png" >/dev/null 2>"$T/log"
    [ "$(head -c 8 "$T/shot.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] && [ "$(wc -c <"$T/shot.png")" -gt 20000 ] && ok ||
        bad "screenshot: $(ls -la "$T/shot.png" 2>&1) $(tail -2 "$T/log")"
fi
echo "html: $pass passed, $fail failed"
[ $fail = 0 ]
