#!/bin/sh
# Install what libgrokx needs from Debian, when it is missing.
# Build: libyajl-dev, libmd4c-dev (Markdown to HTML), libutf8proc-dev (search tokens), zlib1g-dev, libminizip-dev, libsqlite3-dev (the sqlite format), pkg-config, make, a C compiler.
# Tests and fuzzing: clang (libFuzzer, sanitizers), llvm (llvm-cov), valgrind, python3, chromium
# (the HTML archive is opened in a headless browser), libcmark-dev (CommonMark's reference parser
# reads every note the tests write: no message may swallow a turn), libcmark-gfm-dev and
# libcmark-gfm-extensions-dev (GitHub's fork, with footnotes and tables: every citation resolves,
# no footnote is defined twice), zsh and fish (the completion scripts are loaded and asked in them).
# The Python package (python/, docs/python.md): python3-dev, python3-setuptools, python3-pip and
# python3-venv build and install it; python3-pytest runs its tests. abigail-tools (abidw, abidiff)
# compares the library's ABI with abi/libgrokx.abi in make check.
# sqlite3 and sqlite-utils read the sqlite format's database back as their users read it.
#   --bench  also the search index's peers for make bench: sqlite3 (FTS5),
#            python3-xapian and xapian-tools
set -e
need=""
extra=""
[ "${1:-}" = "--bench" ] && extra="sqlite3 python3-xapian xapian-tools"
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in libyajl-dev libmd4c-dev libutf8proc-dev zlib1g-dev libminizip-dev libsqlite3-dev sqlite3 sqlite-utils pkg-config make gcc clang libclang-rt-dev llvm valgrind python3 chromium libcmark-dev libcmark-gfm-dev libcmark-gfm-extensions-dev zsh fish python3-dev python3-setuptools python3-pip python3-venv python3-pytest abigail-tools $extra; do
    have_pkg "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "install-deps: installing$need" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
