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


def open(source, *, branches="active", since=None, until=None, title=None, model=None,
         starred=False):
    """Stream the conversations of an export: an iterator of Conversation.

    source: a path (the export ZIP as downloaded, its extracted folder,
    prod-grok-backend.json, a .json.gz, or "-" for standard input), or a
    binary file object holding the JSON (read in chunks; wrap a gzip file in
    gzip.open()). Options as the CLI's convert:
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
        return _grokx._open(source, True, all_branches, lo, hi, title, model, bool(starred))
    return _grokx._open(_path(source), False, all_branches, lo, hi, title, model, bool(starred))


def info(path):
    """What the export holds, as `grokx info --json` prints it: a dict."""
    import json
    return json.loads(_grokx._info(_path(path)))


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
        _path(input), _path(output), ",".join(formats), _branches(branches),
        _ms(since, "since", False, tz_minutes), _ms(until, "until", True, tz_minutes),
        title, model, bool(starred), flags, name, tz_minutes, int(memory or 0))
    stats["reports"] = reports
    return stats


def merge(out, *paths):
    """Merge search indexes into one at out, in the order given (a
    conversation in several is kept once: the copy modified last)."""
    if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
        paths = tuple(paths[0])
    _grokx._merge(_path(out), [_path(p) for p in paths])


class Index(_grokx.Index):
    """A search index (convert(..., formats=["index"]) or merge()), opened
    read-only. Searching runs without the GIL; one Index may be searched
    from several threads at once. Use it as a context manager."""

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
