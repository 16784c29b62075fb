"""The grokx package against the grokx tool: the same conversations as the
events oracle, the same bytes from convert and merge, the same hits from
search; errors with positions, warnings, file objects, every input kind,
threads, and iteration abandoned midway freeing everything."""
import datetime as dt
import filecmp
import gc
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import warnings

import pytest

import grokx
from conftest import B, GOLDEN, GROKX, ROOT, SAMPLE, run_cli

UTC = dt.timezone.utc


# ---- the golden cases: every conversation equal to the events output ------

def _when(s):
    """An events time ("2025-10-09T08:53:21.000Z", up to 9 digits) as the
    aware datetime the package gives (microseconds; years 1-9999)."""
    if s is None:
        return None
    body = s[:-1] if s.endswith("Z") else s
    if "." in body:
        head, frac = body.split(".", 1)
        body = head + "." + frac[:6]
    try:
        return dt.datetime.fromisoformat(body).replace(tzinfo=UTC)
    except ValueError:
        return None  # outside datetime's years: the package gives None


def _results(rs):
    return [{k: v for k, v in r._asdict().items() if v} if hasattr(r, "_asdict") else
            {k: v for k, v in zip(grokx.WebResult._fields if hasattr(grokx.WebResult, "_fields")
                                  else ("url", "title", "preview", "description", "site_name"), r)
             if v}
            for r in rs]


def _wr(r):
    return {k: getattr(r, k) for k in ("url", "title", "preview", "description", "site_name")
            if getattr(r, k)}


def _conv_event(c):
    """The fields of an events conversation line the package has."""
    derived = (["title"] if c.title_derived else [])
    return {"index": c.index, "id": c.id, "title": c.title, "create_time": c.create_time,
            "modify_time": c.modify_time, "starred": c.starred, "temporary": c.temporary,
            "leaf_response_id": c.leaf_response_id, "summary": c.summary,
            "system_prompt_name": c.system_prompt_name, "messages": len(c.messages),
            "nodes": c.node_count, "forks": c.fork_count, "title_derived": bool(derived)}


def _conv_expected(e):
    return {"index": e["index"], "id": e["id"], "title": e["title"],
            "create_time": _when(e["create_time"]), "modify_time": _when(e["modify_time"]),
            "starred": e["starred"], "temporary": e["temporary"],
            "leaf_response_id": e.get("leaf_response_id", ""), "summary": e.get("summary", ""),
            "system_prompt_name": e.get("system_prompt_name", ""), "messages": e["messages"],
            "nodes": e["nodes"], "forks": e["forks"],
            "title_derived": "title" in e.get("derived", [])}


def _msg_event(m):
    named = any(a.name or a.type for a in m.attachments)
    d = {"id": m.id, "parent": m.parent, "parent_id": m.parent_id, "depth": m.depth,
         "sibling": m.sibling_index + 1 if m.sibling_count > 1 else None,
         "siblings": m.sibling_count if m.sibling_count > 1 else None,
         "file_index": m.file_index, "role": m.role, "sender": m.sender, "model": m.model,
         "time": m.time, "active": m.branch == "active", "partial": m.partial, "text": m.text,
         "error": m.error, "thinking": m.thinking, "thinking_start": m.thinking_start,
         "thinking_end": m.thinking_end,
         "agent_traces": [{k: v for k, v in (("agent_id", a.agent_id), ("text", a.text)) if v or k == "text"}
                          for a in m.agent_traces],
         "web_results": [_wr(r) for r in m.web_results],
         "cited_results": [_wr(r) for r in m.citations],
         "xpost_ids": list(m.xpost_ids), "webpage_urls": list(m.webpage_urls),
         "generated_image_urls": list(m.generated_image_urls),
         "file_attachments": [a.id for a in m.attachments],
         "file_names": [a.name for a in m.attachments] if named else [],
         "file_types": [a.type for a in m.attachments] if named else [],
         "card_attachments": list(m.card_attachments), "media_types": list(m.media_types),
         "query": m.query, "query_type": m.query_type}
    return d


def _msg_expected(e):
    lists = ("agent_traces", "web_results", "cited_results", "xpost_ids", "webpage_urls",
             "generated_image_urls", "file_attachments", "file_names", "file_types",
             "card_attachments", "media_types")
    d = {"id": e["id"], "parent": e["parent"], "parent_id": e.get("parent_id", ""),
         "depth": e["depth"], "sibling": e.get("sibling"), "siblings": e.get("siblings"),
         "file_index": e["file_index"], "role": e["role"], "sender": e["sender"],
         "model": e.get("model", ""), "time": _when(e.get("time")), "active": e.get("active", False),
         "partial": e.get("partial", False), "text": e["text"], "error": e.get("error", ""),
         "thinking": e.get("thinking", ""), "thinking_start": _when(e.get("thinking_start")),
         "thinking_end": _when(e.get("thinking_end")),
         "query": e.get("query", ""), "query_type": e.get("query_type", "")}
    for k in lists:
        d[k] = e.get(k, [])
    return d


def _events(path):
    """conversations of an events file: [(conversation line, [message lines])]"""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("{"):
                continue  # the golden files also list the warnings
            e = json.loads(line)
            if e["event"] == "conversation":
                out.append((e, []))
            elif e["event"] == "message":
                out[-1][1].append(e)
    return out


def _compare(convs, expected, where):
    assert len(convs) == len(expected), f"{where}: {len(convs)} conversations, want {len(expected)}"
    for c, (ce, mes) in zip(convs, expected):
        assert _conv_event(c) == _conv_expected(ce), f"{where}: conversation {ce['id']}"
        assert len(c.messages) == len(mes), f"{where}: {ce['id']}: messages"
        for m, me in zip(c.messages, mes):
            assert _msg_event(m) == _msg_expected(me), f"{where}: {ce['id']}: message {me['id']}"


GOLDEN_CASES = sorted(os.listdir(GOLDEN))


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden_equal_to_events(case):
    d = os.path.join(GOLDEN, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", grokx.ExportWarning)
        for branches, name in (("active", "expected.txt"), ("all", "expected-all.txt")):
            try:
                convs = list(grokx.open(os.path.join(d, "input.json"), branches=branches))
            except grokx.Error as e:
                # a case whose export fails: the events end with no end_export
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    assert '"end_export"' not in f.read(), f"{case}: {e}"
                continue
            _compare(convs, _events(os.path.join(d, name)), f"{case} ({branches})")


def test_models_and_messages_per_model():
    convs = list(grokx.open(SAMPLE))
    assert convs and all(c.create_time.tzinfo is not None for c in convs)
    for c in convs:
        want = []
        for m in c.messages:
            if m.model and m.model not in want:
                want.append(m.model)
        assert list(c.models) == want


# ---- every input kind, and file objects -----------------------------------

def _ids(convs):
    return [(c.id, [(m.id, m.text) for m in c.messages]) for c in convs]


def test_file_object_equals_path():
    want = _ids(grokx.open(SAMPLE))
    with open(SAMPLE, "rb") as f:
        assert _ids(grokx.open(f)) == want
    with open(SAMPLE, "rb") as f:
        assert _ids(grokx.open(io.BytesIO(f.read()))) == want


def test_file_object_read_in_chunks():
    """A file object is read a chunk at a time, never whole."""
    class Spy(io.RawIOBase):
        def __init__(self, raw):
            self.raw, self.sizes = raw, []

        def readable(self):
            return True

        def read(self, n=-1):
            self.sizes.append(n)
            return self.raw.read(n)

    with open(SAMPLE, "rb") as f:
        spy = Spy(f)
        assert _ids(grokx.open(spy)) == _ids(grokx.open(SAMPLE))
    assert spy.sizes and all(0 < n <= 1 << 20 for n in spy.sizes)


def test_gzip_file_object_and_text_mode():
    buf = io.BytesIO()
    with open(SAMPLE, "rb") as f, gzip.GzipFile(fileobj=buf, mode="wb") as g:
        g.write(f.read())
    buf.seek(0)
    assert _ids(grokx.open(gzip.GzipFile(fileobj=buf))) == _ids(grokx.open(SAMPLE))
    with open(SAMPLE, encoding="utf-8") as f, pytest.raises(TypeError):
        next(grokx.open(f))


@pytest.mark.parametrize("name", ["deflated.zip", "stored.zip", "folder", "export.json.gz"])
def test_inputs(name):
    path = os.path.join(B, "fixtures", name)
    want = _ids(grokx.open(SAMPLE))
    assert _ids(grokx.open(path)) == want


def test_filters_as_the_cli(tmp_path):
    out = tmp_path / "ev.jsonl"
    run_cli("convert", "-q", "-f", "events", "--since", "2026-08-31", "--title", "e",
            "-o", str(out), SAMPLE)
    ids = [e["id"] for e, _ in _events(out)]
    got = [c.id for c in grokx.open(SAMPLE, since="2026-08-31", title="e")]
    assert got == ids and 0 < len(ids) < 5
    assert [c.id for c in grokx.open(SAMPLE, since=dt.date(2026, 8, 31), title="e")] == ids


# ---- errors and warnings -----------------------------------------------------

def test_error_positions_as_the_cli(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"conversations":[{"conversation":{"id":"c1","title":"x"},\n "responses":[}]}')
    st, _, err = run_cli("info", str(bad), check=False)
    assert st == 2
    with pytest.raises(grokx.JSONError) as ei:
        list(grokx.open(str(bad)))
    e = ei.value
    assert (e.line, e.column) == (2, 15) and e.offset == 73 and e.origin == "input"
    assert f"byte {e.offset} (line {e.line}, column {e.column})".encode() in err
    assert str(e).encode() in err
    with open(bad, "rb") as f, pytest.raises(grokx.JSONError) as ef:
        list(grokx.open(f))
    assert (ef.value.offset, ef.value.line, ef.value.column) == (e.offset, e.line, e.column)


def test_truncated_and_not_an_export(tmp_path):
    cut = tmp_path / "cut.json"
    with open(SAMPLE, "rb") as f:
        cut.write_bytes(f.read()[:3000])
    got = []
    with pytest.raises(grokx.TruncatedError) as ei:
        for c in grokx.open(str(cut)):
            got.append(c.id)
    assert ei.value.offset == 3000 and isinstance(ei.value, grokx.InputError)
    with pytest.raises(grokx.SchemaError):
        grokx.open(os.path.join(B, "fixtures", "not-export.pdf"))
    with pytest.raises(grokx.ArchiveError):
        list(grokx.open(os.path.join(B, "fixtures", "badcrc.zip")))
    with pytest.raises(grokx.Error):
        grokx.open(str(tmp_path / "missing.json"))


def test_warnings_through_the_warnings_module(tmp_path):
    p = tmp_path / "w.json"
    p.write_text('{"conversations":[{"conversation":{"id":"c1","title":"t"},"responses":['
                 '{"response":{"_id":"r1","sender":"human","message":7,"create_time":true}}]}]}')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        convs = list(grokx.open(str(p)))
    assert len(convs) == 1
    ws = [x for x in w if issubclass(x.category, grokx.ExportWarning)]
    assert len(ws) == 2 and all("line 1, column" in str(x.message) for x in ws)
    with warnings.catch_warnings():
        warnings.simplefilter("error", grokx.ExportWarning)
        with pytest.raises(grokx.ExportWarning):
            list(grokx.open(str(p)))


# ---- info, convert, merge, search: the same as the CLI -----------------------

def test_info_equals_cli():
    _, out, _ = run_cli("info", "--json", "-q", SAMPLE)
    assert grokx.info(SAMPLE) == json.loads(out)


def _same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)
    for d in cmp.common_dirs:
        _same_tree(os.path.join(a, d), os.path.join(b, d))


def test_convert_byte_equal_to_cli(tmp_path):
    cli, py = tmp_path / "cli", tmp_path / "py"
    run_cli("convert", "-q", "-f", "md,html,index,events", "--branches", "all", "-o", str(cli),
            SAMPLE)
    counts = grokx.convert(SAMPLE, py, ["md", "html", "index", "events"], branches="all")
    assert counts["conversations"] == 5 and counts["messages"] > 0
    assert any(r.startswith("notes:") for r in counts["reports"]), counts["reports"]
    _same_tree(cli, py)
    # one format: the file itself, as the CLI writes it
    run_cli("convert", "-q", "-f", "index", "-o", str(tmp_path / "cli.gxi"), SAMPLE)
    grokx.convert(SAMPLE, tmp_path / "py.gxi", "index")
    assert (tmp_path / "cli.gxi").read_bytes() == (tmp_path / "py.gxi").read_bytes()
    assert oct(os.stat(tmp_path / "py.gxi").st_mode & 0o777) == "0o600"


def test_convert_sqlite_as_the_cli(tmp_path):
    # a format that fills its file by name (GROKX_FORMAT_FILE): grokx_convert
    # gave it no path ("sqlite writes a file: give its path as out_dir"),
    # and every branch, as the command gives sqlite alone
    import sqlite3
    run_cli("convert", "-q", "-f", "sqlite", "-o", str(tmp_path / "cli.db"), SAMPLE)
    counts = grokx.convert(SAMPLE, tmp_path / "py.db", ["sqlite"])
    assert counts["conversations"] == 5
    q = ("SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages), "
         "(SELECT sum(is_active_branch) FROM messages), (SELECT count(*) FROM citations)")
    cli = sqlite3.connect(tmp_path / "cli.db").execute(q).fetchone()
    py = sqlite3.connect(tmp_path / "py.db").execute(q).fetchone()
    assert cli == py and cli[1] > cli[2], (cli, py)
    assert oct(os.stat(tmp_path / "py.db").st_mode & 0o777) == "0o600"


def test_convert_refuses_what_the_cli_refuses(tmp_path):
    theirs = tmp_path / "theirs.gxi"
    theirs.write_bytes(b"not an index of grokx")
    with pytest.raises(grokx.WriteError) as ei:
        grokx.convert(SAMPLE, theirs, "index")
    assert ei.value.origin == "writer" and theirs.read_bytes() == b"not an index of grokx"
    with pytest.raises(grokx.InvalidError):
        grokx.convert(SAMPLE, SAMPLE, "events")  # over the input
    with pytest.raises(grokx.InvalidError):
        grokx.convert(SAMPLE, tmp_path / "x", "nosuchformat")
    assert set(grokx.formats()) >= {"md", "html", "index", "events"}


@pytest.fixture(scope="module")
def indexes(tmp_path_factory, gen_export):
    d = tmp_path_factory.mktemp("ix")
    a, b = str(d / "a.gxi"), str(d / "b.gxi")
    run_cli("convert", "-q", "-f", "index", "-o", a, gen_export("2M", 1))
    run_cli("convert", "-q", "-f", "index", "-o", b, gen_export("1M", 3))
    return d, a, b


QUERIES = ["streaming parser", "yajl OR json", '"light energy"', "photo*", "fsync -write",
           'the -"light energy"', "the -(yajl OR json)"]


def test_minus_phrase_and_group_exclude(indexes):
    """-"phrase" and -(group) exclude, as NOT does (issue 29: they were required)."""
    _, a, _ = indexes
    with grokx.Index(a) as ix:
        def total(q):
            ix.search(q, n=1)
            return ix.last_total
        the = total("the")
        assert total('the -"light energy"') == total('the NOT "light energy"') == the - total('the "light energy"')
        assert total("the -(yajl OR json)") == total("the NOT (yajl OR json)") == the - total("the (yajl OR json)")
        with pytest.raises(grokx.QueryError):
            ix.search('-"light energy"')


@pytest.mark.parametrize("query", QUERIES)
def test_search_equals_cli(indexes, query):
    _, a, _ = indexes
    _, out, _ = run_cli("search", "--json", "-n", "20", a, query)
    want = json.loads(out)
    with grokx.Index(a) as ix:
        hits = ix.search(query, n=20)
        total = ix.last_total
    assert total == want["total_messages"]
    assert len(hits) == len(want["hits"])
    for h, w in zip(hits, want["hits"]):
        assert (h.conversation_id, h.title, h.path, h.message_id, h.snippet, h.sender, h.model,
                h.role, h.matches, h.starred) == \
            (w["conversation_id"], w["title"], w["path"], w["message_id"], w["snippet"],
             w["sender"], w["model"], w["role"], w["matches"], w["starred"])
        assert round(h.score, 4) == w["score"]
        assert [list(x) for x in h.highlights] == w["highlights"]
        assert h.time == _when(w["time"])


def test_search_filters_and_errors(indexes):
    _, a, _ = indexes
    _, out, _ = run_cli("search", "--json", "--sender", "user", "--since", "2025-01-01", a, "the")
    want = json.loads(out)
    ix = grokx.Index(a)
    hits = ix.search("the", sender="user", since="2025-01-01")
    assert [h.conversation_id for h in hits] == [w["conversation_id"] for w in want["hits"]]
    assert all(h.role == "user" for h in hits)
    with pytest.raises(grokx.QueryError):
        ix.search('(streaming')
    ix.check()
    assert ix.info()["messages"] > 0
    ix.close()
    with pytest.raises(ValueError):
        ix.search("x")


def test_merge_equals_cli(indexes, tmp_path):
    _, a, b = indexes
    run_cli("merge", "-o", str(tmp_path / "cli.gxi"), a, b)
    grokx.merge(tmp_path / "py.gxi", a, b)
    assert (tmp_path / "cli.gxi").read_bytes() == (tmp_path / "py.gxi").read_bytes()
    with pytest.raises(grokx.InvalidError):
        grokx.merge(a, a, b)  # over one of its inputs


def test_corrupt_index(tmp_path, indexes):
    _, a, _ = indexes
    data = bytearray(open(a, "rb").read())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "bad.gxi"
    bad.write_bytes(bytes(data))
    with pytest.raises(grokx.CorruptIndexError):
        grokx.Index(bad).check()


# ---- threads -----------------------------------------------------------------

def test_two_indexes_search_in_parallel_threads(indexes):
    _, a, b = indexes
    queries = ["streaming", "parser", "energy", "json", "the file", "light OR dark"]
    want = {}
    for path in (a, b):
        ix = grokx.Index(path)
        want[path] = [[(h.conversation_id, h.message_id, h.score) for h in ix.search(q, n=50)]
                      for q in queries]
        ix.close()
    errors, got = [], {}

    def worker(path):
        try:
            ix = grokx.Index(path)
            for _ in range(20):
                got[path] = [[(h.conversation_id, h.message_id, h.score)
                              for h in ix.search(q, n=50)] for q in queries]
                assert got[path] == want[path]
        except Exception as e:  # reported below
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(p,)) for p in (a, b, a, b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    assert got == want


def test_parse_releases_the_gil(gen_export):
    """While one thread iterates an export, another runs Python code: the
    parse and the search hold no GIL."""
    path = gen_export("8M", 5)
    ticks = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        n = sum(1 for _ in grokx.open(path))
        counts = grokx.convert(path, os.devnull if False else os.path.join(os.path.dirname(path), "g.gxi"), "index")
    finally:
        stop.set()
        t.join()
    assert n > 0 and counts["conversations"] == n and ticks[0] > 1000


def test_one_reader_one_thread_at_a_time(gen_export):
    r = grokx.open(gen_export("8M", 5))
    errors = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            for _ in r:
                pass
        except RuntimeError as e:
            errors.append(e)

    ts = [threading.Thread(target=worker) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    r.close()
    # either the two took turns without overlap, or the second was refused
    assert all("one thread at a time" in str(e) for e in errors)


# ---- abandoned iteration frees everything -----------------------------------

LEAK_SCRIPT = r"""
import gc, io, os, sys, warnings
import grokx
warnings.simplefilter("ignore")
path, mode, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
def once():
    if mode == "file":
        f = open(path, "rb")
        r = grokx.open(f)
    else:
        r = grokx.open(path, branches="all")
    next(r); next(r)      # two conversations, then drop it midway
    if mode == "close":
        r.close()
    del r
    if mode == "file":
        f.close()
for _ in range(20):
    once()
gc.collect()
before = rss()
for _ in range(runs):
    once()
gc.collect()
print(before, rss())
"""


@pytest.mark.parametrize("mode", ["path", "close", "file"])
def test_abandoned_iteration_frees_everything(gen_export, tmp_path, mode):
    path = gen_export("4M", 2)
    if mode != "file":
        shutil.copy(os.path.join(B, "fixtures", "deflated.zip"), tmp_path / "e.zip")
        path = str(tmp_path / "e.zip") if mode == "path" else path
    script = tmp_path / "leak.py"
    script.write_text(LEAK_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, str(script), path, mode, "300"], capture_output=True,
                         text=True, env=env, check=True).stdout.split()
    before, after = int(out[0]), int(out[1])
    # 300 abandoned parses, each with its parser, input and thread: a leak of
    # even one 64 KiB buffer per run would be 19 MiB
    assert after - before < 4 << 20, f"RSS grew by {(after - before) >> 10} KiB over 300 runs"


def test_abandoned_reader_stops_its_thread(gen_export):
    before = threading.active_count()
    r = grokx.open(gen_export("8M", 5))
    next(r)
    del r
    gc.collect()
    # the parse thread is not a Python thread: look at the process's tasks
    tasks = len(os.listdir("/proc/self/task"))
    assert tasks <= before + 1


# ---- the README's install command -------------------------------------------

@pytest.mark.skipif(os.environ.get("GX_TEST_QUICK") == "1", reason="make check-quick: 30 s of compiling")
def test_pip_install_offline(tmp_path):
    """python3 -m pip install --no-build-isolation ./python builds the package
    offline with the library compiled in; the result imports, reads an
    export, needs no libgrokx.so and exports only its module init."""
    target = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation",
                        "--no-deps", "--no-index", "--target", str(target),
                        os.path.join(ROOT, "python")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    code = ("import grokx, sys; print(grokx.__file__); "
            "print(sum(len(c.messages) for c in grokx.open(sys.argv[1])))")
    out = subprocess.run([sys.executable, "-c", code, SAMPLE], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(target)), cwd=str(tmp_path),
                         check=True).stdout.split()
    assert out[0].startswith(str(target)) and int(out[1]) == sum(
        len(c.messages) for c in grokx.open(SAMPLE))
    ext = [os.path.join(target, "grokx", f) for f in os.listdir(target / "grokx")
           if f.startswith("_grokx") and f.endswith(".so")][0]
    ldd = subprocess.run(["ldd", ext], capture_output=True, text=True).stdout
    assert "libgrokx" not in ldd
    syms = subprocess.run(["nm", "-D", "--defined-only", ext], capture_output=True,
                          text=True).stdout.split("\n")
    assert [l.split()[-1] for l in syms if " T " in l] == ["PyInit__grokx"]
    assert os.path.exists(target / "grokx" / "__init__.pyi")


# ---- Ctrl-C during a long call (issue 24) ----------------------------------

def _sigint_after(seconds):
    """SIGINT to this process after seconds, as Ctrl-C sends it; the time sent."""
    import signal
    import time
    sent = []

    def fire():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
    t = threading.Timer(seconds, fire)
    t.start()
    return t, sent


@pytest.mark.parametrize("formats", [("index",), ("md",)])
def test_convert_stops_on_ctrl_c(gen_export, tmp_path, formats):
    """convert() raised KeyboardInterrupt only once every output was written;
    now it stops within a second and writes nothing (an earlier output of
    the same name stays as it was)."""
    import time
    src = gen_export("200M")
    out = tmp_path / ("o.gxi" if formats == ("index",) else "o")
    t, sent = _sigint_after(0.3)
    with pytest.raises(KeyboardInterrupt), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            grokx.convert(src, str(out), formats)
        finally:
            t.cancel()
    took = time.monotonic() - sent[0]
    assert took < 1.0, f"stopped {took:.2f} s after SIGINT"
    if formats == ("md",):
        # notes are incremental (docs/md.md): those written stay, with the
        # journal, and the next run completes the folder
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            st = grokx.convert(src, str(out), formats)
        assert st["conversations"] > 0
        return
    assert sorted(os.listdir(tmp_path)) == [], os.listdir(tmp_path)
    if formats == ("index",):  # an earlier output stays whole
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grokx.convert(SAMPLE, str(out), formats)
        before = out.read_bytes()
        t, sent = _sigint_after(0.3)
        with pytest.raises(KeyboardInterrupt), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                grokx.convert(src, str(out), formats)
            finally:
                t.cancel()
        assert out.read_bytes() == before
        assert sorted(os.listdir(tmp_path)) == ["o.gxi"]


def test_info_stops_on_ctrl_c(gen_export):
    import time
    src = gen_export("200M")
    t, sent = _sigint_after(0.1)
    with pytest.raises(KeyboardInterrupt), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            grokx.info(src)
        finally:
            t.cancel()
    took = time.monotonic() - sent[0]
    assert took < 0.25, f"stopped {took:.2f} s after SIGINT"  # the whole run takes about 0.8 s


# ---- file objects judged as paths are (issue 24) ---------------------------

def test_file_objects_sniffed_as_paths(tmp_path):
    """gzip, ZIP, a PDF and an empty stream through a file object: each as
    its path is (they gave a raw JSON lexical error)."""
    want = _ids(grokx.open(SAMPLE))
    gz = os.path.join(B, "fixtures", "export.json.gz")
    with open(gz, "rb") as f:
        assert _ids(grokx.open(f)) == want
    with open(gz, "rb") as f:
        assert _ids(grokx.open(io.BytesIO(f.read()))) == want
    p = subprocess.Popen(["cat", gz], stdout=subprocess.PIPE)
    assert _ids(grokx.open(p.stdout)) == want
    p.wait()
    with open(gz, "rb") as f:  # cut short: the error class a path gets
        cut = f.read()[:-100]
    with pytest.raises(grokx.ArchiveError):
        list(grokx.open(io.BytesIO(cut)))
    z = os.path.join(B, "fixtures", "deflated.zip")
    with open(z, "rb") as f:  # a regular file: read as its path
        assert _ids(grokx.open(f)) == want
    with open(z, "rb") as f, pytest.raises(grokx.InputError, match="seekable file: give a path"):
        grokx.open(io.BytesIO(f.read()))
    pdf = os.path.join(B, "fixtures", "not-export.pdf")
    with pytest.raises(grokx.SchemaError) as ep:
        grokx.open(pdf)
    with open(pdf, "rb") as f, pytest.raises(grokx.SchemaError) as ef:
        grokx.open(f)
    assert str(ef.value) == str(ep.value) and "PDF document" in str(ef.value)
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(grokx.SchemaError) as ep:
        grokx.open(str(empty))
    with open(empty, "rb") as f, pytest.raises(grokx.SchemaError) as ef:
        grokx.open(f)
    assert str(ef.value) == str(ep.value) and "empty" in str(ef.value)
    with pytest.raises(grokx.SchemaError, match="the file is empty"):
        grokx.open(io.BytesIO(b""))


def test_missing_file_is_not_found(tmp_path):
    """A missing file raised ReadError without errno or filename (and
    Index's message did not name it): now grokx.NotFoundError, a
    FileNotFoundError, everywhere a path is read."""
    import errno
    nope = str(tmp_path / "nope.json")
    calls = [lambda: grokx.open(nope), lambda: grokx.info(nope),
             lambda: grokx.convert(nope, str(tmp_path / "out")),
             lambda: grokx.Index(nope), lambda: grokx.merge(str(tmp_path / "m.gxi"), nope)]
    for call in calls:
        with pytest.raises(grokx.NotFoundError) as ei:
            call()
        e = ei.value
        assert isinstance(e, FileNotFoundError) and isinstance(e, grokx.InputError)
        assert e.errno == errno.ENOENT and e.filename == nope and e.strerror
        assert nope in str(e)
    assert not (tmp_path / "out").exists() and not (tmp_path / "m.gxi").exists()


# ---- a warning turned into an exception (issue 24) --------------------------

def _warned_export(path):
    """Four conversations; the second and the fourth warn (a bad time)."""
    convs = []
    for i in range(4):
        t = "bogus" if i in (1, 3) else "2025-10-09T08:00:00Z"
        convs.append({"conversation": {"id": f"c{i}", "title": f"t{i}"}, "responses": [
            {"response": {"_id": f"m{i}", "sender": "human", "message": "hi", "create_time": t}}]})
    path.write_text(json.dumps({"conversations": convs, "projects": [], "tasks": []}))
    return str(path)


@pytest.mark.parametrize("mode", ["path", "file"])
def test_warning_as_error_stops_the_reader(tmp_path, mode):
    """With simplefilter("error", ExportWarning), catching the warning and
    calling next() again delivered a shifted mix (only c4 of 4). The rule:
    the warning is raised by next(), and the reader is finished: later
    next() raises StopIteration; what came before is in order."""
    src = _warned_export(tmp_path / "w.json")
    f = open(src, "rb") if mode == "file" else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", grokx.ExportWarning)
            r = grokx.open(f if f else src)
            got, raised = [], 0
            while True:
                try:
                    got.append(next(r).id)
                except grokx.ExportWarning:
                    raised += 1
                    continue
                except StopIteration:
                    break
            assert raised == 1
            assert got == ["c0"]  # before the warned c1; none after
            with pytest.raises(StopIteration):
                next(r)
    finally:
        if f:
            f.close()
