#!/usr/bin/env python3
"""The progress line on a real terminal (a pty), issue 29.

On a terminal: a bar, the share done, bytes of the total (for a ZIP or a
.json.gz the compressed bytes, so the share holds), conversations, the
rate and the time left; at most 10 updates a second; never wider than the
terminal; cleared when the run ends. Never on a pipe or with -q;
--progress forces it, one plain line per update, without escapes.
"""
import fcntl
import gzip
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
import zipfile

G = os.path.abspath(os.environ.get("GROKX", "./grokx"))
B = os.environ.get("B", "build")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL progress: " + what, file=sys.stderr)


def on_pty(args, stdin=None, cols=100, pipe=False):
    """Run grokx with stdout and stderr on a pty of cols columns; stdin
    from the file, or (pipe) from a pipe a child fills from it."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(2, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
            if stdin:
                f = os.open(stdin, os.O_RDONLY)
                if pipe:
                    r, w = os.pipe()
                    if os.fork() == 0:
                        os.close(r)
                        while True:
                            b = os.read(f, 1 << 16)
                            if not b:
                                os._exit(0)
                            os.write(w, b)
                    os.close(w)
                    f = r
                os.dup2(f, 0)
            os.execv(G, [G] + args)
        finally:
            os._exit(127)
    out = b""
    t0 = time.monotonic()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, st = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(st), out, time.monotonic() - t0


CLEAR = b"\r\x1b[K"
LINE = re.compile(rb"(?:grokx: |\[([#-]+)\] )\s*(\d+)% ([\d.]+ [kMG]B) of ([\d.]+ [kMG]B), "
                  rb"([\d,]+) conversations, ([\d.]+ [kMG]B)/s, ETA (--:--|\d+:\d\d(?::\d\d)?)")


def size(s):
    n, u = s.split()
    return float(n) * {b"kB": 1e3, b"MB": 1e6, b"GB": 1e9}[u]


def progress_segs(out):
    """The progress lines drawn: what follows each clear, but the warnings
    printed after one and what the command prints at the end."""
    return [s for s in out.split(CLEAR)[1:] if s and b"warning:" not in s and b"\n" not in s]


tmp = tempfile.mkdtemp()
try:
    js = os.path.join(tmp, "e.json")
    subprocess.run([os.path.join(B, "gen-export"), "-s", "40M", "-S", "3", "-o", js], check=True)
    zp = os.path.join(tmp, "e.zip")
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(js, "ttl/30d/export_data/u/prod-grok-backend.json")
    gz = js + ".gz"
    with open(js, "rb") as f, gzip.open(gz, "wb") as g:
        shutil.copyfileobj(f, g)
    jsize = os.path.getsize(js)

    for inp, compressed in ((js, False), (zp, True), (gz, True)):
        name = os.path.basename(inp)
        st, out, secs = on_pty(["convert", "-f", "events", "-o", os.path.join(tmp, "ev.jsonl"), inp])
        check(st in (0, 1), f"{name}: status {st}")
        shown = [m for m in LINE.finditer(out)]
        check(len(shown) >= 1, f"{name}: no progress line in {out[:300]!r}")
        # at most 10 a second (and a spare one for rounding)
        check(len(shown) <= 10 * secs + 2, f"{name}: {len(shown)} updates in {secs:.2f} s")
        pct = [int(m.group(2)) for m in shown]
        check(pct == sorted(pct) and all(0 <= p <= 100 for p in pct), f"{name}: shares {pct}")
        for m in shown:
            check(m.group(1) is not None and len(m.group(1)) >= 8, f"{name}: no bar in {m.group(0)!r}")
            # the total is the source's bytes: compressed for a ZIP or gzip
            total = size(m.group(4))
            if compressed:
                check(total < jsize / 2, f"{name}: total {m.group(4)!r} is not the compressed size")
            else:
                check(abs(total - jsize) < 0.01 * jsize, f"{name}: total {m.group(4)!r}, file {jsize}")
            check(size(m.group(3)) <= total * 1.001, f"{name}: more done than the total: {m.group(0)!r}")
        # never wider than the terminal: no line of it wraps
        for seg in out.split(CLEAR):
            line = seg.split(b"\n")[0].decode("utf-8", "replace")
            if line.startswith("["):
                check(len(line) < 100, f"{name}: a line of {len(line)} columns on 100: {line!r}")
        # cleared when done: the last progress line is followed by a clear
        last = out.rfind(b"conversations, ")
        check(last >= 0 and out.find(CLEAR, last) > last, f"{name}: the last line stayed: {out[-200:]!r}")
        check(out.endswith(CLEAR) or out.rfind(CLEAR) > out.rfind(b"ETA"), f"{name}: not cleared at the end")

    # a narrow terminal: no bar, still no wrap
    st, out, _ = on_pty(["info", js], cols=60)
    for seg in out.split(CLEAR):
        line = seg.split(b"\n")[0].decode("utf-8", "replace")
        if "conversations, " in line:
            check("[" not in line, f"a bar on 60 columns: {line!r}")
    # never wider than the terminal, at any width: fields drop in a fixed
    # order, at the narrowest only the share; the last segment is what info
    # prints once the line is cleared (issue 29: 75-77 columns on 60, 50, 30)
    for cols in (79, 60, 50, 30, 12, 5):
        st, out, _ = on_pty(["info", zp], cols=cols)
        segs = progress_segs(out)
        check(len(segs) >= 1, f"{cols} columns: no progress in {out[:300]!r}")
        for seg in segs:
            check(b"\n" not in seg and len(seg) < cols, f"a line of {len(seg)} columns on {cols}: {seg!r}")
        check(all(not s.startswith(b"[") for s in segs), f"a bar on {cols} columns")
    # one layout at 80 columns: every update has the bar, whatever its ETA's
    # length (it flipped between the bar and the plain form)
    st, out, _ = on_pty(["convert", "-f", "events", "-o", os.path.join(tmp, "ev.jsonl"), js], cols=80)
    segs = progress_segs(out)
    check(len(segs) >= 1 and all(s.startswith(b"[") and len(s) < 80 for s in segs),
          f"80 columns: not every update has the bar: {segs[:5]!r}")
    # notes streamed to the terminal: no progress drawn into them, unless
    # --progress asks (issue 29); a binary index is refused there, as gzip does
    md = ["convert", "--since", "2100-01-01", "-f", "md", "-o", "-", js]
    st, out, _ = on_pty(md)
    check(st in (0, 1) and CLEAR not in out and b"ETA" not in out, f"progress over md on the terminal: {out[:300]!r}")
    st, out, _ = on_pty(md[:1] + ["--progress"] + md[1:])
    check(st in (0, 1) and b"ETA" in out, f"--progress over md on the terminal: none: {out[:300]!r}")
    st, out, _ = on_pty(["convert", "-f", "index", "-o", "-", "examples/sample-export.json"])
    check(st == 64 and b"refusing to write binary index to a terminal" in out and b"GXI" not in out,
          f"a binary index to a terminal: {st} {out[:300]!r}")
    # colour on a terminal: an empty NO_COLOR is no NO_COLOR (no-color.org),
    # TERM=dumb has none (issue 29)
    ix = os.path.join(tmp, "s.gxi")
    subprocess.run([G, "convert", "-q", "-f", "index", "-o", ix, "examples/sample-export.json"], check=True)
    for env, want in (({"NO_COLOR": ""}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)):
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            st, out, _ = on_pty(["search", ix, "grok"])
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        check(st == 0 and (b"\x1b[1;33m" in out) == want, f"search with {env}: colour {not want}: {out[:200]!r}")
    # standard input from a file: its size is the total (issue 29)
    st, out, _ = on_pty(["info", "-"], stdin=js)
    m = [x for x in LINE.finditer(out)]
    check(st in (0, 1) and m and abs(size(m[-1].group(4)) - jsize) < 0.01 * jsize,
          f"stdin from a file: no total: {out[:300]!r}")
    # standard input from a pipe: no total, so no share nor time left
    st, out, _ = on_pty(["info", "-"], stdin=js, pipe=True)
    check(re.search(rb"grokx: [\d.]+ [kMG]B read, [\d,]+ conversations, [\d.]+ [kMG]B/s", out) is not None,
          f"stdin: no progress line without a total: {out[:300]!r}")
    check(b"ETA" not in out and b"% " not in out, "stdin: a share or time left without a total")
    # -q: nothing at all on the terminal but what info prints
    st, out, _ = on_pty(["convert", "-q", "-f", "events", "-o", os.path.join(tmp, "q.jsonl"), js])
    check(out == b"", f"-q printed {out[:200]!r}")
    # a pipe: no progress
    r = subprocess.run([G, "convert", "-f", "events", "-o", os.path.join(tmp, "p.jsonl"), zp],
                       stderr=subprocess.PIPE)
    check(b"ETA" not in r.stderr and b"\x1b" not in r.stderr, f"progress on a pipe: {r.stderr[:200]!r}")
    # --progress on a pipe: one plain line per update, the last at 100%,
    # with -q too (for wrappers)
    # an 80-column terminal (the default) has room for the bar
    st, out, _ = on_pty(["info", zp], cols=80)
    check(re.search(rb"\[[#-]{10,}\]  ?\d+% ", out) is not None, f"no bar on 80 columns: {out[:300]!r}")
    for extra in ([], ["-q"]):
        r = subprocess.run([G, "convert", "--progress", *extra, "-f", "events", "-o",
                            os.path.join(tmp, "p.jsonl"), zp], stderr=subprocess.PIPE)
        lines = [l for l in r.stderr.split(b"\n") if LINE.search(l)]
        check(len(lines) >= 1, f"--progress {extra}: no line: {r.stderr[:300]!r}")
        check(b"\x1b" not in r.stderr and b"\r" not in r.stderr, f"--progress {extra}: escapes on a pipe")
        check(lines and LINE.search(lines[-1]).group(2) == b"100", f"--progress {extra}: last line {lines[-1:]}")
        check(all(LINE.search(l).group(1) is None for l in lines), f"--progress {extra}: a bar on a pipe")
finally:
    shutil.rmtree(tmp)

print(f"progress: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
