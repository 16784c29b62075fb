#!/usr/bin/python3
"""index_compare.py -- our search index next to SQLite FTS5 and Xapian.

Reads what bench/run.sh measured (our build time and peak RSS, the
index-bench JSON) and the peers' JSON from bench/index_peers.py, all from
the same run, and prints the figures side by side with the targets of
issue 6. Result sets are compared message for message with FTS5's.

  index_compare.py --ours OURS.json --build-s S --build-kib K --budget-mib M PEERS.json
"""
import argparse
import json
import statistics


def verdict(ok):
    return "meets" if ok else "MISSES"


def read_set(path):
    with open(path) as f:
        return {int(x) for x in f if x.strip()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--build-s", type=float, required=True)
    ap.add_argument("--build-kib", type=float, required=True)
    ap.add_argument("--budget-mib", type=float, required=True)
    ap.add_argument("peers")
    a = ap.parse_args()
    ours = json.load(open(a.ours))
    peers = json.load(open(a.peers))
    fts = peers["peers"]["fts5"]
    xap = peers["peers"].get("xapian")
    text = peers["text_bytes"]
    size = ours["file_bytes"]
    no_store = size - ours["store_bytes"]

    print("  search index, %d messages, %.1f MB of text" % (peers["messages"], text / 1e6))
    print("    %-22s %10s %10s %12s %12s" % ("", "build s", "peak MiB", "index MB", "index/text"))
    print("    %-22s %10.2f %10.1f %12.1f %12.3f" % ("grokx (store incl.)", a.build_s, a.build_kib / 1024,
                                                   size / 1e6, size / text))
    print("    %-22s %10s %10s %12.1f %12.3f" % ("grokx without store", "", "", no_store / 1e6, no_store / text))
    for name, p in (("SQLite FTS5", fts), ("Xapian", xap)):
        if p:
            print("    %-22s %10.2f %10.1f %12.1f %12.3f%s" % (
                name, p["build_s"], p["build_peak_kib"] / 1024, p["size_bytes"] / 1e6, p["size_bytes"] / text,
                "" if p.get("fraction", 1) == 1 else "  (first %.0f%% only)" % (100 * p["fraction"])))
    r = fts["build_s"] / a.build_s
    print("    build: %.2fx FTS5's speed (target >= 3: %s; FTS5's time excludes reading the export,"
          " ours includes it)" % (r, verdict(r >= 3)))
    lim = a.budget_mib + 32
    print("    peak RSS %.1f MiB (target <= budget %g + 32 = %g MiB: %s)" % (
        a.build_kib / 1024, a.budget_mib, lim, verdict(a.build_kib / 1024 <= lim)))
    r = no_store / fts["size_bytes"]
    print("    size without the text store: %.2fx FTS5's (target <= 0.5: %s); with it %.2fx" % (
        r, verdict(r <= 0.5), size / fts["size_bytes"]))

    # latency per class: our p50/p95 against the peers'
    classes = {}
    for q in ours["queries"]:
        classes.setdefault(q["class"], []).append(q)
    print("    query latency in ms, 10 best, warm; grokx ranked only (as the peers) and with snippets")
    print("    %-8s %-24s %16s %16s %16s %16s" % ("class", "", "grokx p50/p95", "+snippets", "FTS5 p50/p95", "Xapian p50/p95"))
    slower = []
    for c, qs in classes.items():
        p50 = statistics.median([q["p50_ms"] for q in qs])
        p95 = max(q["p95_ms"] for q in qs)
        s50 = statistics.median([q["snippets_p50_ms"] for q in qs])
        s95 = max(q["snippets_p95_ms"] for q in qs)
        f = fts["classes"][c]
        x = xap["classes"][c] if xap else None
        print("    %-8s %-24s %7.3f/%-8.3f %7.3f/%-8.3f %7.3f/%-8.3f %s" % (
            c, ", ".join(q["query"] for q in qs)[:24], p50, p95, s50, s95, f["p50_ms"], f["p95_ms"],
            "%7.3f/%-8.3f" % (x["p50_ms"], x["p95_ms"]) if x else ""))
        if p50 >= f["p50_ms"]:
            slower.append(c)
    single = [q["p50_ms"] for q in ours["queries"] if q["class"] in ("common", "rare")]
    print("    single words p50 <= 1 ms: %s (worst %.3f ms); faster than FTS5 on every class: %s%s" % (
        verdict(max(single) <= 1), max(single), verdict(not slower), " (not: %s)" % ", ".join(slower) if slower else ""))

    # the same messages as FTS5
    fq = {q["query"]: q for q in fts["queries"]}
    same = 0
    for q in ours["queries"]:
        theirs = read_set(fq[q["query"]]["hits_file"])
        mine = read_set(q["hits_file"])
        if mine == theirs:
            same += 1
        else:
            print("    result set of %-26s differs: %d ours only, %d FTS5 only (of %d)" % (
                q["query"], len(mine - theirs), len(theirs - mine), len(theirs)))
    print("    result sets equal to FTS5's: %d of %d queries" % (same, len(ours["queries"])))


if __name__ == "__main__":
    main()
