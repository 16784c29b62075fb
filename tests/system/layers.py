#!/usr/bin/env python3
"""make check-layers: the library's stages depend on each other one way.

    python3 tests/system/layers.py [--root DIR] [--objects BUILD_LIB_DIR]

The stages, lowest first (docs/architecture.md):

    base -> writer -> parse -> input -> render -> out -> index -> formats

Rules, each reported with the file and line that breaks it:
  1. No source or header lies flat in libgrokx/ (grokx.h, the public API,
     is the one header there).
  2. A file in stage S includes, of the library's headers, only grokx.h,
     "T/T.h" of a stage T not above S, and "S/<any>.h" of its own folder:
     a header other than T/T.h is private to its folder T.
  3. Every folder of libgrokx/ is a stage of the list (a new folder must be
     placed in the order, here and in docs/architecture.md).
  4. With --objects (the folder of the built objects, build/lib): every
     symbol an object uses from another object of the library is defined in
     a stage not above its own, i.e. calls obey the order too, even ones
     made through a hand-written prototype.
  5. No two stages depend on each other (follows from 2 and 4; checked on
     the graph so a cycle is named as such).
  6. tools/: a command's file includes only grokx.h and cli.h, never a
     library stage's private header; with --objects, the tool's objects
     (BUILD/tools beside BUILD/lib) call only the public API (grokx_*), never
     a gx_ internal, which linking the static archive would allow.
  6b. python/grokx/*.c, the Python extension, is held to the same: it
     includes grokx.h and no library header, and names no gx_ internal
     (it is linked with the library's objects, so the linker would not
     stop it).
  7. Only parse/json.c includes yajl (<yajl/...>): a stage that reads JSON
     walks it through json.c (gx_json_walk, gx_json_top_scalars).
Exit 0 and one line "layers: ..." when all hold; 1 and one line per
violation otherwise.
"""
import os
import re
import subprocess
import sys

STAGES = ["base", "writer", "parse", "input", "render", "out", "index", "formats"]
RANK = {s: i for i, s in enumerate(STAGES)}
HINT = ("move what both need down into the lower stage, or let the higher one hand it in "
        "(a callback, a value); docs/architecture.md, \"The tree and the layer rule\"")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
YAJL = re.compile(r'^\s*#\s*include\s*[<"]yajl/')
YAJL_USER = "libgrokx/parse/json.c"


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def check_sources(root, bad):
    lib = os.path.join(root, "libgrokx")
    edges = set()
    for name in sorted(os.listdir(lib)):
        p = os.path.join(lib, name)
        if os.path.isfile(p) and name.endswith((".c", ".h")) and name != "grokx.h":
            bad.append(f"libgrokx/{name}: lies flat in libgrokx/; put it in its stage's folder")
        if os.path.isdir(p) and name not in RANK:
            bad.append(f"libgrokx/{name}/: a folder that is no stage; add it to the order "
                       f"(tests/system/layers.py, docs/architecture.md)")
    for stage in STAGES:
        d = os.path.join(lib, stage)
        if not os.path.isdir(d):
            continue
        for dirpath, _, files in os.walk(d):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                for n, inc in includes(path):
                    if inc == "grokx.h":
                        continue
                    parts = inc.split("/")
                    if len(parts) != 2 or parts[0] not in RANK:
                        bad.append(f"{rel}:{n}: includes \"{inc}\", no stage's header "
                                   f"(write \"stage/name.h\")")
                        continue
                    to, hname = parts
                    if to == stage:
                        continue
                    if hname != to + ".h":
                        bad.append(f"{rel}:{n}: includes \"{inc}\", private to {to}/ "
                                   f"(the stage's own header is \"{to}/{to}.h\"): include that, "
                                   f"and declare there what the stages above may use")
                    elif RANK[to] > RANK[stage]:
                        bad.append(f"{rel}:{n}: includes \"{inc}\": {stage}/ may not use "
                                   f"{to}/, a stage above it ({' -> '.join(STAGES)}); {HINT}")
                    edges.add((stage, to))
    return edges


def check_yajl(root, bad):
    for top in ("libgrokx", "tools"):
        d = os.path.join(root, top)
        if not os.path.isdir(d):
            continue
        for dirpath, _, files in os.walk(d):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if rel == YAJL_USER:
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        if YAJL.match(line):
                            bad.append(f"{rel}:{n}: includes yajl; only {YAJL_USER} does "
                                       f"(walk JSON with gx_json_walk)")


def nm(path, *args):
    r = subprocess.run(["nm", *args, path], capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def check_objects(objdir, bad):
    defined, used = {}, []
    for stage in STAGES:
        d = os.path.join(objdir, stage)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".o"):
                continue
            obj = os.path.join(d, name)
            unit = f"{stage}/{name[:-2]}.c"
            for line in nm(obj, "-g", "--defined-only"):
                f = line.split()
                if len(f) == 3:
                    defined[f[2]] = (stage, unit)
            for line in nm(obj, "-u"):
                f = line.split()
                if f:
                    used.append((stage, unit, f[-1]))
    edges = set()
    for stage, unit, sym in used:
        if sym not in defined:
            continue
        to, where = defined[sym]
        if to == stage:
            continue
        if RANK[to] > RANK[stage]:
            bad.append(f"libgrokx/{unit}: calls {sym} (libgrokx/{where}): {stage}/ may not "
                       f"use {to}/, a stage above it; {HINT}")
        edges.add((stage, to))
    return edges


def check_tool_objects(objdir, bad):
    d = os.path.join(os.path.dirname(os.path.abspath(objdir)), "tools")
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if not name.endswith(".o"):
            continue
        for line in nm(os.path.join(d, name), "-u"):
            f = line.split()
            if f and (f[-1].startswith("gx_") or f[-1].startswith("GX_")):
                bad.append(f"tools/{name[:-2]}.c: calls {f[-1]}, a library internal; the tool "
                           f"uses the public API (grokx.h) only: add what it needs there")


def check_cycles(edges, bad):
    # every cycle has an upward edge, already reported with its file and line;
    # this names a cycle only when nothing else did (a stage missing from RANK)
    if bad:
        return
    for a, b in sorted(edges):
        if (b, a) in edges and a < b:
            bad.append(f"{a}/ and {b}/ depend on each other")


def check_tools(root, bad):
    d = os.path.join(root, "tools")
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if not name.endswith((".c", ".h")):
            continue
        for n, inc in includes(os.path.join(d, name)):
            if inc not in ("grokx.h", "cli.h"):
                bad.append(f"tools/{name}:{n}: includes \"{inc}\"; the tool uses the public "
                           f"API (grokx.h) and cli.h only")


def check_python(root, bad):
    d = os.path.join(root, "python", "grokx")
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if not name.endswith((".c", ".h")):
            continue
        path = os.path.join(d, name)
        for n, inc in includes(path):
            if inc != "grokx.h":
                bad.append(f"python/grokx/{name}:{n}: includes \"{inc}\"; the extension uses "
                           f"the public API (grokx.h) only")
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if re.search(r"\b(gx|GX)_[A-Za-z0-9_]+", line.split("//")[0]):
                    bad.append(f"python/grokx/{name}:{n}: names a library internal (gx_); "
                               f"the extension uses the public API (grokx.h) only")


def main(argv):
    root, objdir = ".", None
    i = 1
    while i < len(argv):
        if argv[i] == "--root" and i + 1 < len(argv):
            root = argv[i + 1]
            i += 2
        elif argv[i] == "--objects" and i + 1 < len(argv):
            objdir = argv[i + 1]
            i += 2
        else:
            print(__doc__.strip().splitlines()[2], file=sys.stderr)
            return 64
    bad = []
    edges = check_sources(root, bad)
    if objdir:
        edges |= check_objects(objdir, bad)
        check_tool_objects(objdir, bad)
    check_cycles(edges, bad)
    check_tools(root, bad)
    check_python(root, bad)
    check_yajl(root, bad)
    for b in bad:
        print(f"layers: {b}")
    if bad:
        print(f"layers: {len(bad)} violation{'s' if len(bad) > 1 else ''} of {' -> '.join(STAGES)}")
        return 1
    print(f"layers: {' -> '.join(STAGES)}: {len(edges)} stage dependencies, all one way"
          + (" (includes and calls)" if objdir else " (includes)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
