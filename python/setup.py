"""Build the grokx extension with libgrokx compiled in (static).

    python3 -m pip install --no-build-isolation ./python

The library's sources (../libgrokx) are compiled into the extension itself,
position-independent as setuptools compiles every extension source: the
installed package needs no libgrokx.so at run time (only Debian's yajl,
md4c, utf8proc, minizip, sqlite3 and zlib), cannot pick up another version of it,
and exports nothing but PyInit__grokx (grokx/exports.map).
"""
import glob
import os
import subprocess

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
lib = os.path.relpath(os.path.join(here, "..", "libgrokx"), here)


def minizip_include():
    try:
        out = subprocess.run(["pkg-config", "--cflags-only-I", "minizip"], capture_output=True,
                             text=True, check=True).stdout.split()
        return [f[2:] for f in out if f.startswith("-I")]
    except (OSError, subprocess.CalledProcessError):
        return ["/usr/include/minizip"]


sources = ["grokx/_grokx.c"] + sorted(glob.glob(os.path.join(lib, "*", "*.c")))
if len(sources) < 2:
    raise SystemExit("setup.py: libgrokx's sources not found at " + lib +
                     " (build from the source tree: pip install ./python)")

setup(
    name="grokx",
    version="0.1.0",
    description="Stream xAI Grok data exports: iterate, convert, search (libgrokx)",
    packages=["grokx"],
    package_data={"grokx": ["__init__.pyi", "py.typed"]},
    ext_modules=[Extension(
        "grokx._grokx",
        sources=sources,
        include_dirs=[lib] + minizip_include(),
        define_macros=[("_POSIX_C_SOURCE", "200809L")],
        extra_compile_args=["-std=c11", "-pthread", "-fvisibility=hidden"],
        extra_link_args=["-pthread", "-Wl,--version-script=" + os.path.join("grokx", "exports.map")],
        libraries=["yajl", "md4c", "utf8proc", "minizip", "sqlite3", "z", "m"],
    )],
    python_requires=">=3.10",
)
