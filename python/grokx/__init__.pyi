# Type hints of the grokx package (the implementation is the C extension
# grokx._grokx and grokx/__init__.py).
import datetime
import os
from typing import IO, Any, Iterator, Literal, NamedTuple, Sequence, Union

_Path = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
_When = Union[str, datetime.date, datetime.datetime, int, float, None]

LIBGROKX_VERSION: str
__version__: str

class WebResult(NamedTuple):
    url: str
    title: str
    preview: str
    description: str
    site_name: str

class Attachment(NamedTuple):
    id: str
    name: str
    type: str

class AgentTrace(NamedTuple):
    agent_id: str
    text: str

class Message(NamedTuple):
    id: str
    parent_id: str
    parent: int
    depth: int
    sibling_index: int
    sibling_count: int
    branch: Literal["active", "other"]
    role: Literal["user", "assistant", "system"]
    sender: str
    model: str
    text: str
    time: datetime.datetime | None
    thinking: str
    thinking_start: datetime.datetime | None
    thinking_end: datetime.datetime | None
    citations: tuple[WebResult, ...]
    web_results: tuple[WebResult, ...]
    attachments: tuple[Attachment, ...]
    card_attachments: tuple[str, ...]
    xpost_ids: tuple[str, ...]
    webpage_urls: tuple[str, ...]
    generated_image_urls: tuple[str, ...]
    media_types: tuple[str, ...]
    agent_traces: tuple[AgentTrace, ...]
    query: str
    query_type: str
    error: str
    partial: bool
    file_index: int

class Conversation(NamedTuple):
    id: str
    title: str
    create_time: datetime.datetime | None
    modify_time: datetime.datetime | None
    starred: bool
    temporary: bool
    models: tuple[str, ...]
    messages: list[Message]
    index: int
    node_count: int
    fork_count: int
    summary: str
    system_prompt_name: str
    leaf_response_id: str
    title_derived: bool

class Hit(NamedTuple):
    title: str
    conversation_id: str
    message_id: str
    time: datetime.datetime | None
    snippet: str
    path: str
    score: float
    matches: int
    sender: str
    model: str
    role: Literal["user", "assistant", "system"]
    conversation_time: datetime.datetime | None
    starred: bool
    highlights: tuple[tuple[int, int], ...]

class Reader(Iterator[Conversation]):
    def __iter__(self) -> Reader: ...
    def __next__(self) -> Conversation: ...
    def close(self) -> None: ...
    def stats(self) -> dict[str, int] | None: ...
    def __enter__(self) -> Reader: ...
    def __exit__(self, *exc: object) -> None: ...

def open(source: _Path | IO[bytes], *, branches: Literal["active", "all"] = ...,
         since: _When = ..., until: _When = ..., title: str | None = ...,
         model: str | None = ..., starred: bool = ...) -> Reader: ...
def info(path: _Path) -> dict[str, Any]: ...
def formats() -> dict[str, tuple[str | None, bool]]: ...
def convert(input: _Path, output: _Path, formats: Sequence[str] | str = ..., *,
            branches: Literal["active", "all"] = ..., since: _When = ..., until: _When = ...,
            title: str | None = ..., model: str | None = ..., starred: bool = ...,
            layout: Literal["nested", "flat"] = ..., name: str | None = ...,
            thinking: bool = ..., force: bool = ..., tz: str | int = ...,
            memory: int | None = ..., threads: Literal[1, 2] = ...) -> dict[str, Any]: ...
def merge(out: _Path, *paths: _Path) -> None: ...

class Index:
    last_total: int
    def __init__(self, path: _Path) -> None: ...
    def search(self, query: str, n: int = ..., *, since: _When = ..., until: _When = ...,
               sender: str | None = ..., model: str | None = ..., conversation: str | None = ...,
               snippet_bytes: int = ..., snippets: bool = ...) -> list[Hit]: ...
    def check(self) -> None: ...
    def info(self) -> dict[str, int]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Index: ...
    def __exit__(self, *exc: object) -> None: ...

class Error(Exception):
    code: int
    offset: int
    line: int
    column: int
    origin: Literal["input", "writer"]
class InputError(Error): ...
class JSONError(InputError): ...
class TruncatedError(JSONError): ...
class LimitError(InputError): ...
class SchemaError(InputError): ...
class ArchiveError(InputError): ...
class NotFoundError(InputError, FileNotFoundError): ...
class ReadError(InputError, OSError): ...
class WriteError(Error, OSError): ...
class CorruptIndexError(Error): ...
class QueryError(Error, ValueError): ...
class InvalidError(Error, ValueError): ...
class CancelledError(Error): ...
class NoMemoryError(Error, MemoryError): ...
class ExportWarning(UserWarning): ...
