#!/usr/bin/env python3
"""The man pages cannot drift from the code (issue 29).

grokx.1: every option each command's --help lists is described in that
command's OPTIONS subsection, and every option described there is in
--help; every command is in the SYNOPSIS; the sections people look for
are there (EXAMPLES, ENVIRONMENT with NO_COLOR, TZ and TMPDIR, FILES,
EXIT STATUS with every status --help names).
libgrokx.3: every function grokx.h declares (GROKX_API) is in it, and
every function it names is declared. groff reads both without a warning.
"""
import os
import re
import shutil
import subprocess
import sys

G = os.environ.get("GROKX", "./grokx")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL man: " + what, file=sys.stderr)


def run(*args):
    return subprocess.run([G, *args], capture_output=True, text=True).stdout


def help_options(text):
    """{'-q', '--quiet', ...} from the option lines of a --help text."""
    opts = set()
    for line in text.split("options:", 1)[1].splitlines():
        m = re.match(r"^  (?:(-\w), )?(--[a-z][a-z-]*)|^      (--[a-z][a-z-]*)", line)
        if m:
            opts.update(o for o in m.groups() if o)
    return opts


man = open("tools/grokx.1").read()
sections = re.split(r"^\.SH ", man, flags=re.M)
sh = {s.split("\n", 1)[0].strip('"'): s for s in sections[1:]}
for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXAMPLES", "ENVIRONMENT",
             "FILES", "EXIT STATUS", "SEE ALSO"):
    check(name in sh, f"grokx.1 has no {name} section")

main_help = run("--help")
commands = re.findall(r"^  ([a-z]+) ", main_help.split("commands:", 1)[1].split("\n\n", 1)[0], re.M)
check(len(commands) >= 6, f"commands in grokx --help: {commands}")
for opt in ("--help", "--version", "-V"):
    check(opt in main_help and opt.replace("-", r"\-") in man, f"grokx {opt} is not in grokx.1")
for c in commands:
    check(re.search(r"^\.B grokx %s\b" % c, sh.get("SYNOPSIS", ""), re.M), f"grokx {c} is not in the SYNOPSIS")
    check(re.search(r"^\.B %s$" % c, sh.get("COMMANDS", ""), re.M), f"grokx {c} is not in COMMANDS")
    helped = help_options(run(c, "--help"))
    check(helped, f"grokx {c} --help lists no option")
    m = re.search(r'^\.SS "%s options"\n(.*?)(?=^\.SS |\Z)' % c, sh.get("OPTIONS", ""), re.M | re.S)
    check(m is not None, f'grokx.1 has no "{c} options" subsection')
    if not m:
        continue
    # the option names of each .TP entry's first line
    described = set()
    for head in re.findall(r"^\.TP\n(.*)$", m.group(1), re.M):
        head = re.sub(r"\\f[BRIP]", "", head).replace("\\-", "-")
        described.update(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])(?![\w-])", head))
    for o in sorted(helped - described):
        check(False, f"grokx {c} {o} is in --help but not described in grokx.1")
    for o in sorted(described - helped):
        check(False, f"grokx.1 describes grokx {c} {o}, which --help does not list")
    check(helped == described, f"grokx {c}: --help and grokx.1 agree")
env = sh.get("ENVIRONMENT", "")
for var in ("NO_COLOR", "TZ", "TMPDIR"):
    check(re.search(r"^\.B %s$" % var, env, re.M), f"ENVIRONMENT lacks {var}")
files = sh.get("FILES", "")
for f in (r".grokx\-manifest", r".grokx\-lock", "completions/grokx"):
    check(f in files, f"FILES lacks {f}")
status = sh.get("EXIT STATUS", "")
for code in re.findall(r"(\d+) [a-z]", main_help.split("exit status:", 1)[1]):
    check(re.search(r"^\.BR? %s\b" % code, status, re.M), f"EXIT STATUS lacks {code}")
check(len(re.findall(r"^\.nf$", sh.get("EXAMPLES", ""), re.M)) >= 5, "EXAMPLES holds fewer than five examples")

lib = open("libgrokx/libgrokx.3").read()
header = open("libgrokx/grokx.h").read()
declared = set(re.findall(r"^GROKX_API\b[^(;]*?\b(grokx_\w+)\s*\(", header, re.M))
check(len(declared) > 60, f"{len(declared)} functions found in grokx.h")
named = set(re.findall(r"\b(grokx_\w+)(?: ?\(|\\?f[BR]? ?\(| \(\))", lib)) | \
    set(re.findall(r"^\.BR? (grokx_\w+) \(\)", lib, re.M))
for f in sorted(declared):
    check(re.search(r"\b%s\b" % f, lib), f"{f} (grokx.h) is not in libgrokx.3")
for f in sorted(n for n in named if n not in declared):
    check(False, f"libgrokx.3 names {f}(), which grokx.h does not declare")

if shutil.which("groff"):
    for page in ("tools/grokx.1", "libgrokx/libgrokx.3"):
        r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True, text=True)
        check(r.returncode == 0 and not r.stderr.strip(), f"groff on {page}: {r.stderr.strip()[:300]}")
print(f"man: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
