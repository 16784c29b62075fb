#!/bin/sh
# make check: the library's ABI against the committed dump abi/libgrokx.abi
# (abidw of the current library; docs/python.md and abi/README say when and
# how it is refreshed). abidiff compares every exported function and the
# public types it reaches: a field removed, reordered or retyped, a struct
# grown, a function removed or its signature changed all fail. New
# functions pass (--no-added-syms): the ABI is append-only.
# A second comparison proves the check sees a removed field: the dump with
# grokx_index_info.store_bytes taken out, as a library that dropped it.
B=${B:-build}
if [ "$B" = build ]; then so=libgrokx.so.0.1.0; else so=$B/libgrokx.so.0.1.0; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
if ! command -v abidiff >/dev/null; then
    echo "abi: abidiff missing (Debian abigail-tools; tools/install-deps.sh)"
    echo "abi: 0 passed, 1 failed"
    exit 1
fi
# The opaque handles (typedef struct grokx_input grokx_input; and the like:
# declared in grokx.h, defined inside the library) are no ABI: a program
# only holds pointers to them, so the library may change their insides.
# abidiff sees their definitions in the library's debug information, so
# they are suppressed by name, read from grokx.h.
sed -n 's/^typedef struct \([a-z_]*\) \1;.*/[suppress_type]\n  name = \1\n/p' libgrokx/grokx.h >"$T/opaque"
if abidiff --no-added-syms --suppressions "$T/opaque" --headers-dir2 libgrokx abi/libgrokx.abi "$so" >"$T/report" 2>&1; then
    pass=$((pass+1))
else
    fail=$((fail+1))
    cat "$T/report"
    echo "abi: $so differs from abi/libgrokx.abi (above). A change on purpose, at a release:"
    echo "abi:   make abi-dump   (then commit abi/libgrokx.abi with the change)"
fi
python3 - abi/libgrokx.abi "$T/removed.abi" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s2 = re.sub(r"\s*<data-member [^>]*>\s*<var-decl name='store_bytes'[^>]*/>\s*</data-member>", "", s, count=1)
assert s2 != s, "store_bytes not found in the dump"
open(sys.argv[2], "w").write(s2)
PY
abidiff --no-added-syms --suppressions "$T/opaque" abi/libgrokx.abi "$T/removed.abi" >"$T/report2" 2>&1
st=$?
if [ $st != 0 ] && grep -q "data member deletion" "$T/report2" && grep -q "store_bytes" "$T/report2"; then
    pass=$((pass+1))
else
    fail=$((fail+1))
    cat "$T/report2"
    echo "abi: a removed field was not reported (status $st)"
fi
echo "abi: $pass passed, $fail failed"
