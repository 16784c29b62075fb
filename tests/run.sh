#!/bin/sh
# make check: every test program, then one closing "N passed, N failed".
# Each program prints its own "<name>: N passed, N failed" line; a program
# that crashes counts as one failure.
#   sh tests/run.sh --quick   make check-quick, the edit-compile-test loop
#     (under a minute): the layer rule (not its checker's own tests), unit,
#     golden and thread tests, the corpus replays, the index against its
#     oracle on two small exports with every 211th byte damaged, the CLI, and
#     the md and html golden trees, the sqlite writer on a few goldens
#     (GX_TEST_QUICK). Left out: the fault and
#     allocation-failure sweeps, inputs.sh, zip-faults, index.sh, embed.sh,
#     md.sh's and html.sh's generated exports, kills, browser and write
#     failures. Pathological exports are in neither (make pathological).
quick=
[ "${1:-}" = --quick ] && quick=1
# The build under test: B its folder (build/, build-asan/...) and GROKX its
# tool (./grokx, ./build-asan/grokx); every script takes them from here.
B=${B:-build}
GROKX=${GROKX:-./grokx}
export B GROKX
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
    name=$1; shift
    if "$@" >"$log.out" 2>&1; then :; else
        st=$?
        echo "$name: exited with status $st" >>"$log.out"
        # a crash before the summary still counts as a failure
        grep -qE '[0-9]+ passed, [1-9][0-9]* failed' "$log.out" ||
            echo "$name: 0 passed, 1 failed" >>"$log.out"
    fi
    cat "$log.out"
    grep -E '[0-9]+ passed, [0-9]+ failed' "$log.out" | tail -n 1 >>"$log"
    rm -f "$log.out"
}
# the stages depend on each other one way (docs/architecture.md)
if [ -n "$quick" ]; then
    run layers python3 tests/system/layers.py --objects "$B/lib"
else
    run layers sh tests/system/layers.sh
    # the test exports are the same bytes whichever compiler built the generator
    run gen-compilers sh tests/system/gen_compilers.sh
fi
run unit "$B/test_unit"
run golden "$B/test_golden" tests/parse/golden tests/parse/regressions
run thread "$B/test_thread"
run replay "$B/fuzz_replay" fuzz/corpus/parse fuzz/regressions/parse
run replay-input "$B/fuzz_replay_input" fuzz/corpus/input fuzz/regressions/input
run replay-html "$B/fuzz_replay_html" fuzz/corpus/html fuzz/regressions/html
run replay-names "$B/fuzz_replay_names" fuzz/corpus/names fuzz/regressions/names
run replay-time "$B/fuzz_replay_time" fuzz/corpus/time fuzz/regressions/time
run replay-tokenize "$B/fuzz_replay_tokenize" fuzz/corpus/tokenize fuzz/regressions/tokenize
run replay-index "$B/fuzz_replay_index" fuzz/corpus/index fuzz/regressions/index
run replay-utf8 "$B/fuzz_replay_utf8" fuzz/corpus/utf8 fuzz/regressions/utf8
run replay-md-guard "$B/fuzz_replay_md_guard" fuzz/corpus/md_guard fuzz/regressions/md_guard
run replay-steps "$B/fuzz_replay_steps" fuzz/corpus/steps fuzz/regressions/steps
run replay-md-marks "$B/fuzz_replay_md_marks" fuzz/corpus/md_marks fuzz/regressions/md_marks
run replay-index-build "$B/fuzz_replay_index_build" fuzz/corpus/index_build fuzz/regressions/index_build
run replay-thread "$B/fuzz_replay_thread" fuzz/corpus/thread fuzz/regressions/thread
if [ -n "$quick" ]; then
    run index env GX_TEST_STRIDE=211 "$B/test_index" "$B/index-fixtures" examples/sample-export.json "$B/index-fixtures/b.json"
    run cli sh tests/tools/cli.sh
    run options sh tests/tools/options.sh
    run completion sh tests/tools/completion.sh
    run man python3 tests/tools/man.py
    run progress python3 tests/tools/progress.py
    run python env GX_TEST_QUICK=1 sh tests/python/run.sh
    run md env GX_TEST_QUICK=1 sh tests/formats/md/md.sh
    run html env GX_TEST_QUICK=1 sh tests/formats/html/html.sh
    run sqlite env GX_TEST_QUICK=1 sh tests/formats/sqlite/sqlite.sh
else
    mkdir -p "$B/faults"
    run faults "$B/test_faults" examples/sample-export.json "$B/fixtures" "$B/faults"
    run oom "$B/test_oom" examples/sample-export.json "$B/fixtures/deflated.zip" "$B/faults"
    run index "$B/test_index" "$B/index-fixtures" "$B/index-fixtures/a.json" "$B/index-fixtures/b.json" examples/sample-export.json
    run cli sh tests/tools/cli.sh
    run options sh tests/tools/options.sh
    run completion sh tests/tools/completion.sh
    run man python3 tests/tools/man.py
    run progress python3 tests/tools/progress.py
    run inputs sh tests/input/inputs.sh
    # one bit flipped in a 2 MB export's ZIP, 30 times: never exit 0 with other output
    run zip-faults python3 tests/input/zip_faults.py -s 2M -n 30 --gen "$B/gen-export" "$B/zip-faults"
    run md sh tests/formats/md/md.sh
    run index-cli sh tests/index/index.sh
    run html sh tests/formats/html/html.sh
    run sqlite sh tests/formats/sqlite/sqlite.sh
    run embed sh tests/system/embed.sh
    run python sh tests/python/run.sh
    run abi sh tests/system/abi.sh
fi
awk '{ for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' "$log"
