#!/bin/sh
# The Python package's tests (tests/python/test_*.py) under pytest, on the
# extension `make python` built in place in $B/python, with Debian's
# interpreter (PYTHON, which has python3-pytest). Ends with the suite's
# "python: N passed, N failed" line.
B=${B:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
# a sanitizer's runtime must be loaded first, by the program: an
# instrumented extension cannot load into Debian's python3 (make asan, make
# tsan run the C tests of the same code instead)
if grep -q -- "-fsanitize" "$B/flags" 2>/dev/null; then
    echo "python: skipped in $B (a sanitizer build's extension cannot load into $PYTHON)"
    echo "python: 0 passed, 0 failed"
    exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
PYTHONPATH="$B/python" PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m pytest -q -p no:cacheprovider \
    tests/python "$@" >"$out" 2>&1
st=$?
cat "$out"
passed=$(grep -oE '[0-9]+ passed' "$out" | tail -n 1 | cut -d' ' -f1)
failed=$(grep -oE '[0-9]+ (failed|error|errors)' "$out" | awk '{ n += $1 } END { print n + 0 }')
[ "$st" != 0 ] && [ "${failed:-0}" = 0 ] && failed=1
echo "python: ${passed:-0} passed, ${failed:-0} failed"
