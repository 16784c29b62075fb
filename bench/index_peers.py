#!/usr/bin/python3
"""Peer full-text indexes for the grokx index benchmark: SQLite FTS5 and Xapian.

Builds a contentless SQLite FTS5 table and a Xapian database over the same
message texts that `grokx convert -f index` sees (every "message" event of
`grokx convert -f events`, in event order, empty texts included), measures
build time, peak RSS and size, then times top-10 queries and writes each
query's full result set (message ordinals) for comparison.

Usage (see bench/README.md, "index_peers.py"):
  /usr/bin/python3 bench/index_peers.py --export F --work DIR \
      [--queries bench/index-queries.txt] [--json-out F] [--reps N]
      [--skip-xapian] [--xapian-fraction 0.1]

Run with Debian's /usr/bin/python3: python3-xapian is built for it, and its
sqlite3 module links Debian's libsqlite3, which has FTS5.
"""

import argparse
import json
import math
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

FTS5_TOKENIZE = "unicode61 remove_diacritics 2"
CLASSES = ("common", "rare", "and2", "phrase", "prefix")
LEN = struct.Struct("<I")


def die(msg, code=2):
    print(f"index_peers: {msg}", file=sys.stderr)
    sys.exit(code)


def need_sqlite_fts5():
    try:
        import sqlite3
    except ImportError:
        die(f"{sys.executable}: no sqlite3 module; run with /usr/bin/python3")
    try:
        c = sqlite3.connect(":memory:")
        c.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, content='', tokenize='{FTS5_TOKENIZE}')")
        c.close()
    except sqlite3.Error as e:
        die(f"{sys.executable}: sqlite3 {sqlite3.sqlite_version} has no usable FTS5 ({e}); "
            "run with Debian's /usr/bin/python3")
    return sqlite3


def need_xapian():
    try:
        import xapian
    except ImportError:
        die(f"{sys.executable}: no xapian module; `apt-get install -y python3-xapian` "
            "and run with /usr/bin/python3 (or pass --skip-xapian)")
    return xapian


# ---------------------------------------------------------------- texts

def read_texts(path, limit=None):
    """Yields (ordinal, bytes) from the texts file: u32 LE length + UTF-8."""
    with open(path, "rb") as f:
        i = 0
        while limit is None or i < limit:
            h = f.read(4)
            if not h:
                return
            (n,) = LEN.unpack(h)
            yield i, f.read(n)
            i += 1


def extract(grokx, export, work):
    """One pass of grokx events -> texts.bin + ids.tsv. Reused when the
    export's size and mtime have not changed."""
    texts = os.path.join(work, "texts.bin")
    ids = os.path.join(work, "ids.tsv")
    meta_path = os.path.join(work, "texts.json")
    st = os.stat(export)
    stamp = {"export": os.path.abspath(export), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if os.path.exists(meta_path) and os.path.exists(texts):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("stamp") == stamp:
            meta["reused"] = True
            return meta
    t0 = time.perf_counter()
    p = subprocess.Popen([grokx, "convert", "-q", "-f", "events", "-o", "-", export],
                         stdout=subprocess.PIPE, bufsize=1 << 20)
    n = nbytes = nempty = nbad = 0
    prefix = b'{"event":"message"'
    with open(texts + ".tmp", "wb") as ft, open(ids + ".tmp", "w") as fi:
        for line in p.stdout:
            if not line.startswith(prefix):
                continue
            ev = json.loads(line)
            s = ev.get("text") or ""
            try:
                b = s.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates from \ud8xx escapes
                b = s.encode("utf-8", "replace")
                nbad += 1
            ft.write(LEN.pack(len(b)))
            ft.write(b)
            fi.write(f"{n}\t{ev['id']}\t{ev.get('conversation', '')}\n")
            n += 1
            nbytes += len(b)
            nempty += not b
    if p.wait() not in (0, 1):  # 1: done, with warnings (a generated export holds shapes that warn)
        die(f"{grokx} convert -f events failed with status {p.returncode}")
    os.replace(texts + ".tmp", texts)
    os.replace(ids + ".tmp", ids)
    meta = {"stamp": stamp, "messages": n, "text_bytes": nbytes, "empty_messages": nempty,
            "replaced_surrogate_texts": nbad, "extract_s": round(time.perf_counter() - t0, 2)}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    meta["reused"] = False
    return meta


# ---------------------------------------------------------------- builders
# Each runs as its own process (the script re-invoked with a subcommand)
# under /usr/bin/time, so wall time and peak RSS are the builder's alone.

def cmd_build_fts5(a):
    sqlite3 = need_sqlite_fts5()
    if os.path.exists(a.db):
        os.unlink(a.db)
    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(text, content='', "
                f"tokenize='{FTS5_TOKENIZE}')")
    con.execute("BEGIN")
    con.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)",
                    ((i, b.decode("utf-8")) for i, b in read_texts(a.texts)))
    con.execute("COMMIT")
    con.close()


def cmd_optimize_fts5(a):
    sqlite3 = need_sqlite_fts5()
    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("INSERT INTO t(t) VALUES ('optimize')")
    con.execute("VACUUM")  # optimize leaves the old segments' pages on the freelist
    con.close()


def xapian_termgen(xapian):
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("none"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_NONE)
    return tg


def cmd_build_xapian(a):
    xapian = need_xapian()
    if os.path.exists(a.db):
        shutil.rmtree(a.db)
    flags = xapian.DB_CREATE_OR_OVERWRITE | (xapian.DB_NO_TERMLIST if a.no_termlist else 0)
    db = xapian.WritableDatabase(a.db, flags)
    tg = xapian_termgen(xapian)
    limit = a.limit if a.limit >= 0 else None
    for i, b in read_texts(a.texts, limit):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(b)  # with positions (index_text's default)
        did = db.add_document(doc)
        if did != i + 1:
            die(f"xapian gave docid {did} to ordinal {i}")
    db.commit()
    db.close()


# ---------------------------------------------------------------- queries

TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def parse_ours(q):
    """Our syntax -> items: ('word', w) | ('phrase', [w...]) | ('prefix', p)."""
    items = []
    for m in TOKEN.finditer(q):
        if m.group(1) is not None:
            words = m.group(1).split()
            if words:
                items.append(("phrase", words))
        else:
            w = m.group(2)
            if w.endswith("*") and len(w) > 1:
                items.append(("prefix", w[:-1]))
            else:
                items.append(("word", w))
    return items


def fts5_quote(s):
    return '"' + s.replace('"', '""') + '"'


def to_fts5(q):
    """Space-separated items are ANDed in FTS5; every word is a quoted string
    (so AND/OR/NOT/NEAR and punctuation are literal), a prefix is "p" *."""
    out = []
    for kind, v in parse_ours(q):
        if kind == "word":
            out.append(fts5_quote(v))
        elif kind == "phrase":
            out.append(fts5_quote(" ".join(v)))
        else:
            out.append(fts5_quote(v) + " *")
    return " ".join(out)


def to_xapian(q):
    """Our syntax is already QueryParser syntax with FLAG_PHRASE|FLAG_WILDCARD
    and default op AND (no FLAG_BOOLEAN, so 'and'/'or' are plain words)."""
    return q


def read_queries(path):
    qs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if "\t" not in line:
                die(f"{path}:{n}: expected class<TAB>query")
            cls, q = line.split("\t", 1)
            if cls not in CLASSES:
                die(f"{path}:{n}: class {cls!r} is not one of {', '.join(CLASSES)}")
            qs.append({"class": cls, "query": q})
    if not qs:
        die(f"{path}: no queries")
    return qs


def pct(samples, p):
    s = sorted(samples)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def time_query(fn, warm, reps):
    for _ in range(warm):
        fn()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms


def write_hits(path, ordinals):
    with open(path, "w") as f:
        f.write("".join(f"{o}\n" for o in ordinals))


def cmd_query_fts5(a):
    sqlite3 = need_sqlite_fts5()
    qs = read_queries(a.queries)
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    top_sql = "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 10"
    all_sql = "SELECT rowid FROM t WHERE t MATCH ?"
    res = []
    for k, q in enumerate(qs):
        expr = to_fts5(q["query"])
        top = lambda: con.execute(top_sql, (expr,)).fetchall()
        allf = lambda: con.execute(all_sql, (expr,)).fetchall()
        ms = time_query(top, a.warm, a.reps)
        ms_all = time_query(allf, 1, a.reps_all)
        hits = sorted(r[0] for r in allf())
        hp = os.path.join(a.hits_dir, f"{k:02d}-{q['class']}.txt")
        write_hits(hp, hits)
        res.append({"expr": expr, "top10": [r[0] for r in top()], "hits": len(hits),
                    "hits_file": hp, "ms": ms, "ms_all": ms_all})
    with open(a.out, "w") as f:
        json.dump(res, f)


def cmd_query_xapian(a):
    xapian = need_xapian()
    qs = read_queries(a.queries)
    db = xapian.Database(a.db)
    qp = xapian.QueryParser()
    qp.set_database(db)  # wildcard expansion needs the term list
    qp.set_stemmer(xapian.Stem("none"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_NONE)
    qp.set_default_op(xapian.Query.OP_AND)
    flags = xapian.QueryParser.FLAG_PHRASE | xapian.QueryParser.FLAG_WILDCARD
    ndocs = db.get_doccount()
    res = []
    for k, q in enumerate(qs):
        qs_x = to_xapian(q["query"])

        def top():
            enq = xapian.Enquire(db)
            enq.set_query(qp.parse_query(qs_x, flags))
            return [m.docid for m in enq.get_mset(0, 10)]

        def allf():
            enq = xapian.Enquire(db)
            enq.set_query(qp.parse_query(qs_x, flags))
            enq.set_weighting_scheme(xapian.BoolWeight())  # order is irrelevant here
            return [m.docid for m in enq.get_mset(0, ndocs)]

        ms = time_query(top, a.warm, a.reps)
        ms_all = time_query(allf, 1, a.reps_all)
        hits = sorted(d - 1 for d in allf())
        hp = os.path.join(a.hits_dir, f"{k:02d}-{q['class']}.txt")
        write_hits(hp, hits)
        res.append({"expr": str(qp.parse_query(qs_x, flags)), "top10": [d - 1 for d in top()],
                    "hits": len(hits), "hits_file": hp, "ms": ms, "ms_all": ms_all})
    with open(a.out, "w") as f:
        json.dump(res, f)


# ---------------------------------------------------------------- driver

def timed(args, log):
    """Runs a command under /usr/bin/time: (wall s, peak RSS KiB)."""
    tf = log + ".time"
    with open(log, "w") as lf:
        rc = subprocess.call(["/usr/bin/time", "-o", tf, "-f", "%e %M"] + args,
                             stdout=lf, stderr=subprocess.STDOUT)
    if rc != 0:
        with open(log) as lf:
            sys.stderr.write(lf.read())
        die(f"{' '.join(args[:3])}... failed with status {rc} (log: {log})")
    with open(tf) as f:
        e, m = f.read().split()[-2:]
    return float(e), int(m)


def self_cmd(sub, *rest):
    return [sys.executable, os.path.abspath(__file__), sub] + [str(x) for x in rest]


def tree_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, n))
               for d, _, names in os.walk(path) for n in names)


def table_bytes(path):
    return {n.split(".")[0]: os.path.getsize(os.path.join(path, n))
            for n in sorted(os.listdir(path)) if n.endswith(".glass")}


def summarize(ms):
    return {"p50_ms": round(statistics.median(ms), 3), "p95_ms": round(pct(ms, 95), 3)}


def peer_queries(kind, db, a, work, qs, limit_note):
    hits_dir = os.path.join(work, "hits", kind)
    os.makedirs(hits_dir, exist_ok=True)
    out = os.path.join(work, f"query-{kind}.json")
    t_s, rss = timed(self_cmd(f"query-{kind}", "--db", db, "--queries", a.queries,
                              "--hits-dir", hits_dir, "--out", out, "--reps", a.reps,
                              "--reps-all", a.reps_all, "--warm", a.warm),
                     os.path.join(work, f"query-{kind}.log"))
    with open(out) as f:
        res = json.load(f)
    per_q = []
    by_class = {}
    for q, r in zip(qs, res):
        e = {"class": q["class"], "query": q["query"], "expr": r["expr"], "hits": r["hits"],
             "hits_file": r["hits_file"], "top10": r["top10"], **summarize(r["ms"]),
             "all_p50_ms": round(statistics.median(r["ms_all"]), 3)}
        per_q.append(e)
        by_class.setdefault(q["class"], []).extend(r["ms"])
    classes = {c: summarize(v) for c, v in by_class.items()}
    return {"queries": per_q, "classes": classes, "query_process_s": t_s,
            "query_process_peak_kib": rss, "note": limit_note}


def cmd_run(a):
    for path in (a.export, a.queries):
        if not os.path.exists(path):
            die(f"{path}: no such file")
    if not os.access(a.grokx, os.X_OK):
        die(f"{a.grokx}: not executable (run `make` first, or pass --grokx)")
    if not os.access("/usr/bin/time", os.X_OK):
        die("/usr/bin/time is missing (`apt-get install -y time`)")
    need_sqlite_fts5()
    if not a.skip_xapian:
        need_xapian()
    if not 0 < a.xapian_fraction <= 1:
        die("--xapian-fraction must be in (0, 1]")
    work = a.work
    os.makedirs(work, exist_ok=True)
    qs = read_queries(a.queries)

    meta = extract(a.grokx, a.export, work)
    texts = os.path.join(work, "texts.bin")
    N, TB = meta["messages"], meta["text_bytes"]
    import sqlite3
    report = {
        "export": os.path.abspath(a.export), "export_bytes": os.path.getsize(a.export),
        "messages": N, "text_bytes": TB, "empty_messages": meta["empty_messages"],
        "extract_s": meta["extract_s"], "extract_reused": meta["reused"],
        "texts_file": texts, "ids_file": os.path.join(work, "ids.tsv"),
        "reps": a.reps, "warm": a.warm, "peers": {},
    }
    print(f"export {a.export}: {N} messages ({meta['empty_messages']} empty), "
          f"{TB / 1e6:.1f} MB of text"
          + (" (texts reused)" if meta["reused"] else f" (extracted in {meta['extract_s']} s)"),
          flush=True)

    # SQLite FTS5
    db = os.path.join(work, "fts5.db")
    b_s, b_rss = timed(self_cmd("build-fts5", "--db", db, "--texts", texts),
                       os.path.join(work, "build-fts5.log"))
    size_build = tree_bytes(db)
    o_s, o_rss = timed(self_cmd("optimize-fts5", "--db", db), os.path.join(work, "optimize-fts5.log"))
    size_opt = tree_bytes(db)
    fts = {
        "engine": f"SQLite {sqlite3.sqlite_version} FTS5",
        "config": f"contentless (content=''), tokenize='{FTS5_TOKENIZE}', columns (text), "
                  "detail=full (positions), no prefix index; PRAGMA journal_mode=OFF, "
                  "synchronous=OFF; one transaction, executemany",
        "docs": N, "fraction": 1.0,
        "build_s": b_s, "build_peak_kib": b_rss, "size_build_bytes": size_build,
        "optimize_s": o_s, "optimize_peak_kib": o_rss, "size_optimized_bytes": size_opt,
        "size_bytes": size_opt, "size_used": "after 'optimize' + VACUUM",
        "ratio_to_text": round(size_opt / TB, 3), "ratio_build_to_text": round(size_build / TB, 3),
    }
    print(f"  fts5 built in {b_s} s, optimized in {o_s} s", flush=True)
    fts.update(peer_queries("fts5", db, a, work, qs, ""))
    report["peers"]["fts5"] = fts

    # Xapian
    if not a.skip_xapian:
        import xapian
        xdb = os.path.join(work, "xapian.db")
        nx = N if a.xapian_fraction >= 1 else int(N * a.xapian_fraction)
        note = "" if nx == N else f"first {nx} of {N} messages (--xapian-fraction {a.xapian_fraction})"
        xtb = TB if nx == N else sum(len(b) for _, b in read_texts(texts, nx))
        b_s, b_rss = timed(self_cmd("build-xapian", "--db", xdb, "--texts", texts,
                                    "--limit", nx if nx != N else -1,
                                    *(["--no-termlist"] if a.xapian_no_termlist else [])),
                           os.path.join(work, "build-xapian.log"))
        size_build = tree_bytes(xdb)
        cdb = xdb + ".compact"
        shutil.rmtree(cdb, ignore_errors=True)
        c_s, c_rss = timed(["xapian-compact", xdb, cdb], os.path.join(work, "compact-xapian.log")) \
            if shutil.which("xapian-compact") else (None, None)
        size_c = tree_bytes(cdb) if c_s is not None else None
        xq = cdb if c_s is not None else xdb
        xp = {
            "engine": f"Xapian {xapian.version_string()} (glass)",
            "config": "TermGenerator, Stem('none') + STEM_NONE, index_text with positions, "
                      "no document data, docid = ordinal+1; XAPIAN_FLUSH_THRESHOLD="
                      + os.environ.get("XAPIAN_FLUSH_THRESHOLD", "unset (default 10000 docs)")
                      + "; one commit at the end"
                      + ("; DB_NO_TERMLIST" if a.xapian_no_termlist else ""),
            "docs": nx, "fraction": round(nx / N, 4) if N else 1.0, "text_bytes": xtb,
            "build_s": b_s, "build_peak_kib": b_rss, "size_build_bytes": size_build,
            "compact_s": c_s, "compact_peak_kib": c_rss, "size_compact_bytes": size_c,
            "size_bytes": size_build, "size_used": "after build (xapian-compact also reported)",
            "ratio_to_text": round(size_build / xtb, 3) if xtb else None,
            "ratio_compact_to_text": round(size_c / xtb, 3) if size_c and xtb else None,
            "queried_db": "compacted" if xq == cdb else "as built",
            "tables_build_bytes": table_bytes(xdb),
            "tables_compact_bytes": table_bytes(cdb) if c_s is not None else None,
            "note": note,
        }
        print(f"  xapian built in {b_s} s" + (f" ({note})" if note else "")
              + (f", compacted in {c_s} s" if c_s is not None else ""), flush=True)
        xp.update(peer_queries("xapian", xq, a, work, qs, note))
        report["peers"]["xapian"] = xp
        # result-set agreement between the peers (on the messages both indexed)
        for qf, qx in zip(fts["queries"], xp["queries"]):
            with open(qf["hits_file"]) as f:
                sf = {int(x) for x in f if int(x) < nx}
            with open(qx["hits_file"]) as f:
                sx = {int(x) for x in f}
            qx["only_xapian"] = len(sx - sf)
            qx["only_fts5"] = len(sf - sx)

    print_table(report)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")


def print_table(r):
    MiB = 1024
    print()
    print(f"{r['messages']} messages, {r['text_bytes'] / 1e6:.1f} MB of text; "
          f"times: median (p50) and p95 of {r['reps']} runs after {r['warm']} warm-ups, in-process")
    print(f"{'peer':<8} {'docs':>8} {'build s':>8} {'peak MiB':>9} {'index MB':>9} "
          f"{'idx/text':>8}  extra")
    for name, p in r["peers"].items():
        if name == "fts5":
            extra = (f"as built {p['size_build_bytes'] / 1e6:.1f} MB ({p['ratio_build_to_text']}x); "
                     f"optimize+VACUUM {p['optimize_s']} s, {p['optimize_peak_kib'] / MiB:.0f} MiB")
        else:
            extra = ""
            if p["compact_s"] is not None:
                extra = (f"xapian-compact {p['compact_s']} s -> {p['size_compact_bytes'] / 1e6:.1f} MB "
                         f"({p['ratio_compact_to_text']}x)")
            if p["note"]:
                extra += f"; {p['note']}"
        print(f"{name:<8} {p['docs']:>8} {p['build_s']:>8.1f} {p['build_peak_kib'] / MiB:>9.1f} "
              f"{p['size_bytes'] / 1e6:>9.1f} {p['ratio_to_text']:>8.3f}  {extra}")
    print()
    names = list(r["peers"])
    print(f"{'class':<7} " + " ".join(f"{n + ' p50/p95 ms':>22}" for n in names))
    for c in CLASSES:
        cells = []
        for n in names:
            s = r["peers"][n]["classes"].get(c)
            cell = f"{s['p50_ms']:.3f} / {s['p95_ms']:.3f}" if s else "-"
            cells.append(f"{cell:>22}")
        print(f"{c:<7} " + " ".join(cells))
    print()
    print(f"{'class':<7} {'query':<28} " + " ".join(f"{n + ' hits':>12} {'p50 ms':>8} {'all ms':>8}" for n in names))
    for i, q in enumerate(r["peers"]["fts5"]["queries"]):
        cells = []
        for n in names:
            e = r["peers"][n]["queries"][i]
            h = str(e["hits"])
            if "only_xapian" in e and (e["only_xapian"] or e["only_fts5"]):
                h += f" (+{e['only_xapian']}/-{e['only_fts5']})"
            cells.append(f"{h:>12} {e['p50_ms']:>8.3f} {e['all_p50_ms']:>8.1f}")
        print(f"{q['class']:<7} {q['query'][:28]:<28} " + " ".join(cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    run = sub.add_parser("run", help="(default) extract, build, query, report")
    for p in (ap, run):
        p.add_argument("--export", help="export JSON (gen-export output)")
        p.add_argument("--work", help="work directory (texts, databases, hit files)")
        p.add_argument("--queries", default=os.path.join(HERE, "index-queries.txt"))
        p.add_argument("--json-out", help="write all figures as JSON here")
        p.add_argument("--skip-xapian", action="store_true")
        p.add_argument("--xapian-fraction", type=float, default=1.0,
                       help="index only the first FRACTION of the messages in Xapian")
        p.add_argument("--reps", type=int, default=20, help="timed top-10 runs per query")
        p.add_argument("--reps-all", type=int, default=3, help="timed full-result runs per query")
        p.add_argument("--warm", type=int, default=3, help="untimed runs first")
        p.add_argument("--xapian-no-termlist", action="store_true",
                       help="build Xapian with DB_NO_TERMLIST (no per-document term lists)")
        p.add_argument("--grokx", default=os.path.join(ROOT, "grokx"))
    b = sub.add_parser("build-fts5"); b.add_argument("--db"); b.add_argument("--texts")
    b = sub.add_parser("optimize-fts5"); b.add_argument("--db")
    b = sub.add_parser("build-xapian"); b.add_argument("--db"); b.add_argument("--texts")
    b.add_argument("--limit", type=int, default=-1)
    b.add_argument("--no-termlist", action="store_true")
    for kind in ("fts5", "xapian"):
        q = sub.add_parser(f"query-{kind}")
        for opt in ("--db", "--queries", "--hits-dir", "--out"):
            q.add_argument(opt)
        for opt in ("--reps", "--reps-all", "--warm"):
            q.add_argument(opt, type=int)
    a = ap.parse_args()
    if a.cmd in (None, "run"):
        if not a.export or not a.work:
            ap.error("--export and --work are required")
        cmd_run(a)
    else:
        {"build-fts5": cmd_build_fts5, "optimize-fts5": cmd_optimize_fts5,
         "build-xapian": cmd_build_xapian, "query-fts5": cmd_query_fts5,
         "query-xapian": cmd_query_xapian}[a.cmd](a)


if __name__ == "__main__":
    main()
