"""Fixtures of the grokx package's tests: the build under test (B), its
grokx tool (GROKX), the golden cases and generated exports."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
B = os.path.join(ROOT, os.environ.get("B", "build"))
GROKX = os.path.abspath(os.path.join(ROOT, os.environ.get("GROKX", "./grokx")))
SAMPLE = os.path.join(ROOT, "examples", "sample-export.json")
GOLDEN = os.path.join(ROOT, "tests", "parse", "golden")


def run_cli(*args, check=True):
    """The grokx tool, as a user runs it: (status, stdout, stderr)."""
    p = subprocess.run([GROKX, *args], capture_output=True)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"grokx {' '.join(args)}: status {p.returncode}: {p.stderr!r}")
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="session")
def gen_export(tmp_path_factory):
    """A generated export of the given size and seed (bench/gen-export)."""
    made = {}

    def make(size="2M", seed=1):
        key = (size, seed)
        if key not in made:
            path = tmp_path_factory.mktemp("gen") / f"export-{size}-{seed}.json"
            subprocess.run([os.path.join(B, "gen-export"), "-s", size, "-S", str(seed), "-o",
                            str(path)], check=True)
            made[key] = str(path)
        return made[key]
    return make


def pytest_report_header(config):
    import grokx
    return f"grokx from {grokx.__file__} (libgrokx {grokx.LIBGROKX_VERSION}), python {sys.version.split()[0]}"
