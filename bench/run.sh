#!/bin/sh
# make bench: throughput of grokx against the bare yajl parse of the same
# bytes, and peak memory on 100 MB, 1 GB and a 5 GB stream. All figures of
# one run; times are the best of $REPS. Targets are reported, not enforced.
#   BENCH_DIR   where the generated exports go (default: build/bench)
#   BENCH_SIZES sizes of the file benchmarks (default: "100M 1G")
#   BENCH_STREAM size streamed through stdin (default: 5G; "" to skip)
#   REPS        repetitions per timing (default 3)
#   BENCH_PY_SIZE the size the Python converter is compared at, once
#               (default 1G)
#   SQLITE_SIZES sizes of the sqlite writer's benchmark against Python
#               (default: "100M 1G"; "" to skip)
#   INDEX_SIZES sizes of the search index benchmark against FTS5 and
#               Xapian (default: "100M 1G"; "" to skip)
set -eu
B=${B:-build}
DIR=${BENCH_DIR:-$B/bench}
SIZES=${BENCH_SIZES:-"100M 1G"}
STREAM=${BENCH_STREAM-5G}
REPS=${REPS:-3}
INDEX_SIZES=${INDEX_SIZES-"100M 1G"}
G=./grokx
mkdir -p "$DIR"
# the trees the conversions write; deleted at the end (see the md step).
# ext4 without a journal skips inodes deleted in the last minute (the last
# six when their table block is dirty) when it creates a file, so a run that
# follows a deletion waits six minutes: otherwise its md and html figures
# measure the last run's deletion.
cleanup() {
    if ls -d "$DIR"/md-* "$DIR"/fs.* "$DIR"/html-* "$DIR"/py.* >/dev/null 2>&1; then
        rm -rf "$DIR"/md-* "$DIR"/fs.* "$DIR"/html-* "$DIR"/py.*
        date +%s >"$DIR/deleted-at"
    fi
    rm -rf /dev/shm/grokx-bench.*
}
cleanup
if [ -f "$DIR/deleted-at" ] && [ -n "$SIZES" ]; then
    wait_s=$(( $(cat "$DIR/deleted-at") + 360 - $(date +%s) ))
    if [ "$wait_s" -gt 0 ]; then
        echo "(waiting ${wait_s} s: files were deleted here less than 6 minutes ago)"
        sleep "$wait_s"
    fi
fi
trap cleanup EXIT

# best wall time (s) and peak RSS (KiB) of REPS runs of a command
measure() {
    best=""; rss=0
    for _ in $(seq "$REPS"); do
        # status 1 is a run with warnings (the generated exports hold the
        # shapes that warn, bench/README.md): measured like any other
        /usr/bin/time -o "$DIR/time.out" -f "%e %M" "$@" >/dev/null 2>&1 || [ $? = 1 ]
        out=$(tail -n 1 "$DIR/time.out")
        t=${out% *}; m=${out#* }
        best=$(awk -v a="$t" -v b="${best:-1e9}" 'BEGIN { print (a < b) ? a : b }')
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $rss"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "meets" : "MISSES" }'; }

echo "libgrokx benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, best of $REPS)"
for size in $SIZES; do
    f="$DIR/export-$size.json"
    [ -f "$f" ] || $B/gen-export -s "$size" -S 1 -o "$f"
    bytes=$(stat -L -c %s "$f")
    cat "$f" >/dev/null # warm cache
    set -- $(measure $B/yajl-floor "$f"); f64=$1
    set -- $(measure $B/yajl-floor -b 1048576 "$f"); f1m=$1
    set -- $(measure $G info -q "$f"); ti=$1; ri=$2
    set -- $(measure $G convert -q -f events -o - "$f"); te=$1; re=$2
    mbs=$(awk -v b="$bytes" -v t="$ti" 'BEGIN { printf "%.0f", b / 1e6 / t }')
    echo
    echo "export $size ($bytes bytes)"
    echo "  yajl floor, 64 KiB reads     ${f64} s"
    echo "  yajl floor, 1 MiB reads      ${f1m} s"
    echo "  grokx info                   ${ti} s ($mbs MB/s), peak $(mib "$ri") MiB"
    echo "  grokx convert -f events      ${te} s, peak $(mib "$re") MiB"
    r=$(ratio "$f64" "$ti"); echo "  info / floor(64K)       $r  (target >= 0.90: $(verdict "$r" 0.90 ">="); vs 1 MiB floor $(ratio "$f1m" "$ti"))"
    r=$(ratio "$f64" "$te"); echo "  events / floor(64K)     $r  (target >= 0.75: $(verdict "$r" 0.75 ">="); vs 1 MiB floor $(ratio "$f1m" "$te"))"
    echo "  peak RSS info/events    $(mib "$ri") / $(mib "$re") MiB (target <= 48: $(verdict "$(mib "$re")" 48 "<="))"
    # the same export as downloaded (ZIP, real layout) and as .json.gz
    z="$DIR/export-$size.zip"; gz="$DIR/export-$size.json.gz"
    [ -f "$z" ] || python3 -c 'import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as zf, open(sys.argv[1], "rb") as src:
    with zf.open("ttl/30d/export_data/u/prod-grok-backend.json", "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)' "$f" "$z"
    [ -f "$gz" ] || gzip -c "$f" >"$gz"
    set -- $(measure $G info -q "$z"); tz=$1; rz=$2
    set -- $(measure $G info -q "$gz"); tg=$1; rg=$2
    r=$(ratio "$tz" "$ti"); echo "  info from the ZIP       ${tz} s = ${r}x the JSON (target <= 1.3: $(verdict "$r" 1.3 "<=")), peak $(mib "$rz") MiB"
    r=$(ratio "$tg" "$ti"); echo "  info from .json.gz      ${tg} s = ${r}x the JSON (target <= 1.3: $(verdict "$r" 1.3 "<=")), peak $(mib "$rg") MiB"
    # Markdown notes into a fresh folder (file system included), and to
    # /dev/null (rendering alone); the file system's own cost for the same
    # files, measured by writing them from Python with no parsing at all
    # each repetition writes into a fresh folder, and the folders are deleted
    # only when the benchmark ends: on ext4 without a journal (as on these
    # VMs) creating a file scans past every inode deleted in the last minutes
    # (recently_deleted() in fs/ext4/ialloc.c), which made a conversion run
    # right after deleting the last one's 38,000 notes take 5-8 times as long
    set -- $(measure sh -c "exec $G convert -q -o \"\$(mktemp -d -p '$DIR' md-$size.XXXXXX)\" '$f'"); tm=$1; rm_=$2
    find "$(ls -d "$DIR"/md-$size.* | head -n 1)" -name '*.md' | sed "s|^$DIR/md-$size\.[^/]*/||" >"$DIR/names.txt"
    notes=$(wc -l <"$DIR/names.txt")
    set -- $(measure sh -c "exec python3 -c 'import os, sys
names = open(sys.argv[1]).read().split(\"\\n\")[:-1]
for n in names:
    p = os.path.join(sys.argv[2], n); os.makedirs(os.path.dirname(p), exist_ok=True)
    fd = os.open(p + \".tmp\", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b\"x\" * 18000); os.close(fd); os.rename(p + \".tmp\", p)' '$DIR/names.txt' \"\$(mktemp -d -p '$DIR' fs.XXXXXX)\""); tfs=$1
    set -- $(measure $G convert -q -f md -o - "$f"); ts=$1
    r=$(ratio "$f64" "$tm"); echo "  convert -f md -o DIR     ${tm} s, $notes notes, peak $(mib "$rm_") MiB: ratio $r (target >= 0.75: $(verdict "$r" 0.75 ">="))"
    echo "    of which the file system ~${tfs} s (the same files written by a bare Python loop)"
    r=$(ratio "$f64" "$ts"); echo "  convert -f md -o - (no files) ${ts} s: ratio $r"
    # the HTML archive into a fresh folder (file system included)
    set -- $(measure sh -c "exec $G convert -q -f html -o \"\$(mktemp -d -p '$DIR' html-$size.XXXXXX)\" '$f'"); th=$1; rh=$2
    pages=$(find "$(ls -d "$DIR"/html-$size.* | head -n 1)" -name '*.html' | wc -l)
    r=$(ratio "$f64" "$th"); echo "  convert -f html -o DIR   ${th} s, $pages pages, ratio $r (target >= 0.50: $(verdict "$r" 0.50 ">=")), peak $(mib "$rh") MiB (target <= 64: $(verdict "$(mib "$rh")" 64 "<="))"
    # the same into RAM (tmpfs): what grokx itself costs, without this disk
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then
        set -- $(measure sh -c "exec $G convert -q -f html -o \"\$(mktemp -d -p /dev/shm grokx-bench.XXXXXX)\" '$f'"); tr=$1
        rm -rf /dev/shm/grokx-bench.*
        set -- $(measure sh -c "exec $G convert -q -o \"\$(mktemp -d -p /dev/shm grokx-bench.XXXXXX)\" '$f'"); tmr=$1
        rm -rf /dev/shm/grokx-bench.*
        echo "    into tmpfs (no disk): html ${tr} s, ratio $(ratio "$f64" "$tr"); md ${tmr} s, ratio $(ratio "$f64" "$tmr") "
    fi
    if [ "$size" = "${BENCH_PY_SIZE:-1G}" ]; then # once: a minute and 9 GiB at 1 GB
        reps=$REPS; REPS=1
        set -- $(measure sh -c "exec python3 bench/py_convert.py '$f' \"\$(mktemp -d -p '$DIR' py.XXXXXX)\""); tp=$1; rp=$2
        REPS=$reps
        echo "  python json.load converter ${tp} s, peak $(mib "$rp") MiB: grokx md is $(ratio "$tp" "$tm")x faster with $(ratio "$rp" "$rm_")x less memory"
    fi
    # the Python package (make python): every conversation of the export
    # iterated with grokx.open against json.load of the same file, the same
    # fields read (bench/python_peer.py); json.load once (9 GiB at 1 GB)
    if [ -n "$PY_MOD" ] && [ -f "$PY_MOD" ]; then
        set -- $(measure env PYTHONPATH="$B/python" "$PYTHON" bench/python_peer.py grokx "$f"); tg=$1; rg=$2
        if [ "$size" = "${BENCH_PY_SIZE:-1G}" ] || [ "$size" = 100M ]; then
            reps=$REPS; REPS=1
            set -- $(measure "$PYTHON" bench/python_peer.py json "$f"); tj=$1; rj=$2
            REPS=$reps
            r=$(ratio "$tj" "$tg")
            echo "  python grokx.open, every conversation  ${tg} s, peak $(mib "$rg") MiB (target <= 64: $(verdict "$(mib "$rg")" 64 "<="))"
            echo "  python json.load, the same fields      ${tj} s, peak $(mib "$rj") MiB: grokx.open ${r}x faster (target >= 10: $(verdict "$r" 10 ">="))"
        else
            echo "  python grokx.open, every conversation  ${tg} s, peak $(mib "$rg") MiB"
        fi
    fi
done

# the sqlite writer against the Python path a user would take (json.load,
# executemany of the same rows, the same indexes and FTS5 tables), on the
# same export; the row counts of every table must agree. Once per size in
# SQLITE_SIZES (default: "100M 1G"; "" to skip): the peer holds the whole
# export in memory (about 9 GiB at 1 GB).
for size in ${SQLITE_SIZES-"100M 1G"}; do
    f="$DIR/export-$size.json"
    [ -f "$f" ] || $B/gen-export -s "$size" -S 1 -o "$f"
    cat "$f" >/dev/null
    rm -f "$DIR/sq-$size.db" "$DIR/sq-peer-$size.db"
    /usr/bin/time -o "$DIR/time.out" -f "%e %M" $G convert -q -f sqlite -o "$DIR/sq-$size.db" "$f" || [ $? = 1 ]
    set -- $(tail -n 1 "$DIR/time.out"); ts=$1; rs=$2
    /usr/bin/time -o "$DIR/time.out" -f "%e %M" python3 bench/sqlite_peer.py "$f" "$DIR/sq-peer-$size.db" >/dev/null
    set -- $(tail -n 1 "$DIR/time.out"); tq=$1; rq=$2
    counts() { sqlite3 "$1" "SELECT (SELECT count(*) FROM conversations) || ' ' || (SELECT count(*) FROM messages) || ' ' ||
        (SELECT count(*) FROM attachments) || ' ' || (SELECT count(*) FROM citations) || ' ' || (SELECT count(*) FROM steps)"; }
    a=$(counts "$DIR/sq-$size.db"); b=$(counts "$DIR/sq-peer-$size.db")
    [ "$a" = "$b" ] || { echo "sqlite: the row counts differ: grokx $a, python $b"; exit 1; }
    # the FTS5 index alone, rebuilt on a copy: the part both pay alike
    cp "$DIR/sq-$size.db" "$DIR/sq-fts.db"
    tf=$( { /usr/bin/time -f "%e" sqlite3 "$DIR/sq-fts.db" "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')" >/dev/null; } 2>&1 | tail -n 1)
    rm -f "$DIR/sq-fts.db" "$DIR/sq-$size.db" "$DIR/sq-peer-$size.db"
    echo
    echo "export $size into SQLite (rows: conversations messages attachments citations steps = $a, both)"
    echo "  grokx convert -f sqlite      ${ts} s, peak $(mib "$rs") MiB (target <= 64: $(verdict "$(mib "$rs")" 64 "<="))"
    echo "  python json.load+executemany ${tq} s, peak $(mib "$rq") MiB"
    r=$(ratio "$tq" "$ts"); echo "  grokx / python          ${r}x faster (target >= 5: $(verdict "$r" 5 ">=")); the FTS5 rebuild alone takes ${tf} s of each"
done

# the search index, next to SQLite FTS5 and Xapian on the same texts
# (peers from Debian, installed for this only: tools/install-deps.sh --bench)
if [ -n "$INDEX_SIZES" ] && sh tools/install-deps.sh --bench >/dev/null 2>&1; then
    for size in $INDEX_SIZES; do
        f="$DIR/export-$size.json"
        [ -f "$f" ] || $B/gen-export -s "$size" -S 1 -o "$f"
        cat "$f" >/dev/null
        set -- $(measure $G convert -q -f index -o "$DIR/index-$size.gxi" "$f"); tb=$1; rb=$2
        mkdir -p "$DIR/index-hits-$size"
        $B/index-bench "$DIR/index-$size.gxi" bench/index-queries.txt "$DIR/index-hits-$size" 20 3 >"$DIR/index-$size.json"
        /usr/bin/python3 bench/index_peers.py --export "$f" --work "$DIR/peers-$size" \
            --queries bench/index-queries.txt --json-out "$DIR/peers-$size.json" --grokx $G >/dev/null
        echo
        echo "export $size"
        /usr/bin/python3 bench/index_compare.py --ours "$DIR/index-$size.json" --build-s "$tb" \
            --build-kib "$rb" --budget-mib 256 "$DIR/peers-$size.json"
    done
fi

if [ -n "$STREAM" ]; then
    $B/gen-export -s "$STREAM" -S 2 | /usr/bin/time -o "$DIR/stream.time" -f "%e %M" $G info -q - >/dev/null
    out=$(tail -n 1 "$DIR/stream.time")
    echo
    echo "export $STREAM streamed through stdin into grokx info: ${out% *} s, peak $(mib "${out#* }") MiB (target <= 48: $(verdict "$(mib "${out#* }")" 48 "<="))"
fi

# Instruction counts are repeatable on noisy machines (callgrind).
if command -v valgrind >/dev/null; then
    f="$DIR/export-10M.json"
    [ -f "$f" ] || $B/gen-export -s 10M -S 3 -o "$f"
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/refs:/ { gsub(",", "", $NF); print $NF }'; }
    a=$(ir $B/yajl-floor "$f"); b=$(ir $G info -q "$f"); c=$(ir $G convert -q -f events -o - "$f")
    echo
    echo "instructions on 10 MB (callgrind): floor $a, info $b ($(ratio "$a" "$b")), events $c ($(ratio "$a" "$c"))"
fi
