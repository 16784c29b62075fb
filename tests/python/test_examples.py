"""The examples of docs/python.md, run as written: every ```python block
that starts with "# example:" is executed, and what it defines is called on
real exports (the Dask one when Dask is installed)."""
import os
import re
import sqlite3
import subprocess

import pytest

import grokx
from conftest import ROOT, SAMPLE, run_cli

DOC = os.path.join(ROOT, "docs", "python.md")


def _examples():
    text = open(DOC, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(# example: ([^\n]+)\n.*?)```", text, re.S)
    return {name: code for code, name in blocks}


EXAMPLES = _examples()


def _run(name):
    ns = {}
    exec(compile(EXAMPLES[name], f"docs/python.md ({name})", "exec"), ns)
    return ns


def test_the_page_has_its_examples():
    assert set(EXAMPLES) == {"messages per model", "load into sqlite", "dask bag of exports"}


def test_messages_per_model():
    counts = _run("messages per model")["messages_per_model"](SAMPLE)
    # the answers per model that grokx info counts (every branch)
    assert dict(counts) == grokx.info(SAMPLE)["models"]


def test_load_into_sqlite(tmp_path):
    db = _run("load into sqlite")["load_sqlite"](SAMPLE, str(tmp_path / "g.db"))
    db.close()
    convs = list(grokx.open(SAMPLE))
    # read back with the sqlite3 command when installed, else the module
    query = "SELECT COUNT(*), (SELECT COUNT(*) FROM messages) FROM conversations;"
    try:
        out = subprocess.run(["sqlite3", str(tmp_path / "g.db"), query], capture_output=True,
                             text=True, check=True).stdout.strip().split("|")
    except FileNotFoundError:
        out = sqlite3.connect(str(tmp_path / "g.db")).execute(query).fetchone()
    assert [int(x) for x in out] == [len(convs), sum(len(c.messages) for c in convs)]
    # loading again replaces, never doubles
    _run("load into sqlite")["load_sqlite"](SAMPLE, str(tmp_path / "g.db")).close()
    n = sqlite3.connect(str(tmp_path / "g.db")).execute("SELECT COUNT(*) FROM messages").fetchone()
    assert n[0] == sum(len(c.messages) for c in convs)


def test_dask_bag_of_exports(tmp_path, gen_export):
    pytest.importorskip("dask.bag")
    exports = [SAMPLE, gen_export("1M", 7), gen_export("1M", 8)]
    out = tmp_path / "out"
    out.mkdir()
    total = _run("dask bag of exports")["convert_all"](exports, str(out))
    assert total == sum(sum(1 for _ in grokx.open(p)) for p in exports)
    # the merged index is the CLI's merge of the CLI's indexes
    cli = []
    for i, p in enumerate(exports):
        run_cli("convert", "-q", "-f", "index", "-o", str(tmp_path / f"{i}.gxi"), p)
        cli.append(str(tmp_path / f"{i}.gxi"))
    names = [os.path.basename(p).split(".")[0] for p in exports]
    run_cli("merge", "-o", str(tmp_path / "cli.gxi"),
            *[str(out / n / "index.gxi") for n in names])
    assert (out / "all.gxi").read_bytes() == (tmp_path / "cli.gxi").read_bytes()
    for n in names:
        assert any(f.endswith(".md") for _, _, fs in os.walk(out / n / "md") for f in fs)
    with grokx.Index(out / "all.gxi") as ix:
        ix.check()
        assert ix.info()["conversations"] > 0
