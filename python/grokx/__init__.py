"""grokx: read xAI Grok data exports from Python, streamed, with libgrokx.

    import grokx
    for conv in grokx.open("export.zip"):
        print(conv.title, len(conv.messages))

The parser, the converters and the search index are libgrokx's own (C,
compiled into this package); one conversation is held at a time, so an
export of any size iterates in bounded memory. See docs/python.md.
"""
import datetime as _dt
import os as _os
import time as _time

from . import _grokx
from ._grokx import (  # noqa: F401  (re-exported)
    AgentTrace, ArchiveError, Attachment, CancelledError, Conversation, CorruptIndexError,
    Error, ExportWarning, Hit, InputError, InvalidError, JSONError, LimitError, Message,
    NoMemoryError, NotFoundError, QueryError, ReadError, Reader, SchemaError, TruncatedError,
    WebResult, WriteError, LIBGROKX_VERSION,
)

__version__ = "0.1.0"
__all__ = [
    "open", "info", "convert", "merge", "Index", "formats",
    "Conversation", "Message", "WebResult", "Attachment", "AgentTrace", "Hit", "Reader",
    "Error", "InputError", "JSONError", "TruncatedError", "LimitError", "SchemaError",
    "ArchiveError", "NotFoundError", "ReadError", "WriteError", "CorruptIndexError",
    "QueryError", "InvalidError", "CancelledError", "NoMemoryError", "ExportWarning",
]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_WF_NO_THINKING = 0x1
_WF_FLAT = 0x2
_WF_FORCE = 0x4
_WF_LOCAL_TIME = 0x8
_WF_NO_THREADS = 0x10


def _ms(value, name, end, tz_minutes=0):
    """A since/until bound as milliseconds since the epoch (or None).

    str: YYYY-MM-DD (a day in the zone tz_minutes; until counts the day
    whole, as the CLI's --until) or ISO 8601; datetime (naive = UTC); date;
    int or float: seconds since the epoch."""
    if value is None:
        return None
    if isinstance(value, str):
        ms, date_only = _grokx._parse_time(value)
        if date_only:
            ms -= tz_minutes * 60000
            if end:
                ms += 86400000
        return ms
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return (value - _EPOCH) // _dt.timedelta(milliseconds=1)
    if isinstance(value, _dt.date):
        ms = int(_dt.datetime(value.year, value.month, value.day,
                              tzinfo=_dt.timezone.utc).timestamp()) * 1000 - tz_minutes * 60000
        return ms + 86400000 if end else ms
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value * 1000)
    raise TypeError(f"{name}: a date string, datetime, date or number of seconds, "
                    f"not {type(value).__name__}")


def _branches(branches):
    if branches not in ("active", "all"):
        raise ValueError('branches: "active" or "all"')
    return branches == "all"


def _path(p):
    return _os.fsencode(p)


def _existing(p):
    """p as bytes; grokx.NotFoundError (a FileNotFoundError: errno,
    strerror, filename set) when nothing is there, as open() of Python
    raises, rather than the library's ReadError. "-" is standard input."""
    b = _path(p)
    if b != b"-":
        try:
            _os.stat(b)
        except FileNotFoundError as e:
            err = NotFoundError(e.errno, e.strerror, _os.fsdecode(b))
            err.code, err.offset, err.line, err.column, err.origin = -11, 0, 0, 0, "input"
            raise err from None
    return b


def open(source, *, branches="active", since=None, until=None, title=None, model=None,
         starred=False):
    """Stream the conversations of an export: an iterator of Conversation.

    source: a path (the export ZIP as downloaded, its extracted folder,
    prod-grok-backend.json, a .json.gz, or "-" for standard input), or a
    binary file object (read in chunks; JSON or gzip, or a ZIP when it is a
    regular file with fileno(); judged from its first bytes as a path is). Options as the CLI's convert:
      branches  "active" (each conversation's current branch) or "all"
                (every regeneration and edit; Message.branch says which)
      since, until  only conversations from / before a date (str, date,
                datetime or epoch seconds; a bare until day counts whole)
      title     only titles containing this text (case-insensitive)
      model     only conversations where a model name contains this
      starred   only starred conversations
    Errors raise grokx.Error subclasses (with offset, line, column);
    skipped or repaired things warn with grokx.ExportWarning. The parse runs
    without the GIL; iterate one Reader from one thread at a time. Use it
    as a context manager (or call close()) to stop early and free at once.
    """
    all_branches = _branches(branches)
    lo, hi = _ms(since, "since", False), _ms(until, "until", True)
    if hasattr(source, "read"):
        source = _sniffed(source)
        if isinstance(source, bytes):  # a ZIP in a regular file: read by its path
            return _grokx._open(source, False, all_branches, lo, hi, title, model, bool(starred))
        return _grokx._open(source, True, all_branches, lo, hi, title, model, bool(starred))
    return _grokx._open(_existing(source), False, all_branches, lo, hi, title, model, bool(starred))


_HEAD = 4096
_WHITE = b" \t\r\n"


class _Prefixed:
    """A file object whose first bytes were read already: them, then the rest."""

    def __init__(self, head, f):
        self._head, self._f = head, f

    def read(self, n=-1):
        if self._head:
            if n is None or n < 0:
                n = len(self._head)
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._f.read(n)


class _Gunzip:
    """gzip data from a file object, inflated as it is read (concatenated
    members too); its failures are grokx's errors, as a path's would be."""

    def __init__(self, f, name):
        import gzip
        self._g, self._name = gzip.GzipFile(fileobj=f, mode="rb"), name

    def read(self, n=-1):
        import zlib
        try:
            return self._g.read(n)
        except EOFError as e:
            raise ArchiveError(f"{self._name}: the gzip data ends early; it is truncated") from e
        except (OSError, zlib.error) as e:
            raise ArchiveError(f"{self._name}: not valid gzip data: {e}") from e


def _stream_name(f):
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else "(stream)"


def _sniffed(f):
    """What a file object holds, judged from its first bytes as a path's
    are: JSON (a reader of it, those bytes kept), gzip (inflated), a ZIP
    (the path of its regular file, as bytes; else InputError: ZIP data
    needs seeking), or a SchemaError ("not a Grok export: this looks like
    a PDF document", "the file is empty"). A read that gives no bytes
    (text mode) is left for the reader to refuse."""
    head = b""
    while True:  # short reads: until enough to judge, or the end
        chunk = f.read(_HEAD - len(head) if len(head) < _HEAD else _HEAD)
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            return _Prefixed(chunk, f) if chunk else f
        chunk = bytes(chunk)
        head += chunk
        judged = head.lstrip(b"\xef\xbb\xbf").lstrip(_WHITE)
        if not chunk or len(judged) >= 8 or (judged and len(head) >= _HEAD):
            break
        if len(head) >= 1 << 20:  # a MiB of white space: the parser judges it
            return _Prefixed(head, f)
    name = _stream_name(f)
    if head[:2] == b"\x1f\x8b":
        return _Gunzip(_Prefixed(head, f), name)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            fd = f.fileno()
            st = _os.fstat(fd)
        except (AttributeError, OSError, ValueError):
            st = None
        import stat
        if st is None or not stat.S_ISREG(st.st_mode):
            raise InputError(f"{name}: ZIP data needs a seekable file: give a path")
        if name != "(stream)":
            try:
                if _os.path.samestat(_os.stat(name), st):
                    return _path(name)
            except OSError:
                pass
        return _path(f"/proc/self/fd/{fd}")
    _grokx._sniff(head, name)  # raises SchemaError for what is no export
    return _Prefixed(head, f)


def info(path):
    """What the export holds, as `grokx info --json` prints it: a dict."""
    import json
    return json.loads(_grokx._info(_existing(path)))


def formats():
    """The formats convert() can write: {name: (file extension or None for a
    folder, can stream)}. They come from the library's registry."""
    return _grokx._formats()


def _tz(tz):
    """(minutes east of UTC, local flag) from "UTC", "local", "+HH:MM", or an int."""
    if tz is None or tz in ("UTC", "Z", "utc"):
        return 0, False
    if isinstance(tz, int):
        return tz, False
    if tz == "local":
        return -(_time.altzone if _time.localtime().tm_isdst > 0 else _time.timezone) // 60, True
    s = tz.replace(":", "")
    if len(s) in (3, 5) and s[0] in "+-" and s[1:].isdigit():
        h, m = int(s[1:3]), int(s[3:5] or 0)
        if h <= 23 and m <= 59:
            return (h * 60 + m) * (1 if s[0] == "+" else -1), False
    raise ValueError('tz: "UTC", "local", "+HH:MM", "+HHMM", "+HH" or minutes east of UTC')


def convert(input, output, formats=("md",), *, branches="active", since=None, until=None,
            title=None, model=None, starred=False, layout="nested", name=None, thinking=True,
            force=False, tz="UTC", memory=None, threads=2):
    """Write the export in one or more formats, as `grokx convert` does.

    output: one format: its file (index, events) or folder (md, html);
    several: a folder holding one of each (output/md/, output/index.gxi).
    The same files and bytes as the CLI, by the same rules (never over the
    input, never over a file grokx did not write, whole or absent). Returns
    the counts: {"conversations", "messages", "warnings", ..., "reports":
    the writers' report lines ("notes: 3 new")}. The work runs without the
    GIL (through grokx_convert() of libgrokx).
    """
    if isinstance(formats, str):
        formats = [formats]
    if layout not in ("nested", "flat"):
        raise ValueError('layout: "nested" or "flat"')
    if threads not in (1, 2):
        raise ValueError("threads: 1 or 2")
    tz_minutes, local = _tz(tz)
    flags = ((_WF_FLAT if layout == "flat" else 0) | (0 if thinking else _WF_NO_THINKING) |
             (_WF_FORCE if force else 0) | (_WF_LOCAL_TIME if local else 0) |
             (_WF_NO_THREADS if threads == 1 else 0))
    stats, reports = _grokx._convert(
        _existing(input), _path(output), ",".join(formats), _branches(branches),
        _ms(since, "since", False, tz_minutes), _ms(until, "until", True, tz_minutes),
        title, model, bool(starred), flags, name, tz_minutes, int(memory or 0))
    stats["reports"] = reports
    return stats


def merge(out, *paths):
    """Merge search indexes into one at out, in the order given (a
    conversation in several is kept once: the copy modified last)."""
    if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
        paths = tuple(paths[0])
    _grokx._merge(_path(out), [_existing(p) for p in paths])


class Index(_grokx.Index):
    """A search index (convert(..., formats=["index"]) or merge()), opened
    read-only. Searching runs without the GIL; one Index may be searched
    from several threads at once. Use it as a context manager."""

    def __init__(self, path):
        super().__init__(_existing(path))

    def search(self, query, n=10, *, since=None, until=None, sender=None, model=None,
               conversation=None, snippet_bytes=0, snippets=True):
        """Conversations matching query, best first: a list of Hit.

        query: words (all must occur), OR, -word or NOT word, "phrases",
        prefix*, parentheses. since/until: message times (as open()'s);
        sender: "user", "assistant" or a sender as written; model: a
        substring of the answer's model; conversation: an id or its prefix.
        The total of matching messages is in .last_total afterwards."""
        hits, total = self._search(query, n, _ms(since, "since", False),
                                   _ms(until, "until", True), sender, model, conversation,
                                   snippet_bytes, snippets)
        self.last_total = total
        return hits
