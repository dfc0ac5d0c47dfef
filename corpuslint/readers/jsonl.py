"""JSONL / NDJSON reader, plain or gzip: one document per line, streamed line by line.

A file is never read whole: lines are read one at a time (at most ``max-record-mb`` each),
so memory follows the largest record, not the file. A gzip file is inflated under the
``max-inflated-mb`` and ``max-inflation-ratio`` budgets, and a record is parsed only
within ``max-depth`` and ``max-int-digits`` (see ``limits``). Each bad line is one
problem at its line, whatever made it fail, and the records around it are still checked.
The standard ``json`` module parses: orjson measured no faster here
(benchmarks/jsonl_memory.py), as the rules dominate.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from corpuslint.model import Document, Problem
from corpuslint.options import Option
from corpuslint.readers import limits
from corpuslint.readers.base import LineSource, Reader, ReadError
from corpuslint.readers.jsonpos import offset_columns, value_tokens
from corpuslint.readers.records import RECORD_SETTINGS, Columns, Fields, Place, build_document

_GZIP_MAGIC = b"\x1f\x8b"
_SKIP_CHUNK = 1 << 20


def _open(path: Path, options: Mapping[str, Any]) -> BinaryIO:
    """The file's decompressed bytes: gzip is recognized by its magic number, not its name.

    A gzip file is inflated under the reader's inflation budgets.
    """
    with path.open("rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    return limits.open_gzip(path, options, "jsonl") if compressed else path.open("rb")


def numbered_lines(
    source: LineSource, limit: int, first: int = 1
) -> Iterator[tuple[int, bytes | None]]:
    """Each line with its 1-based number; ``None`` for a line longer than ``limit`` bytes.

    Numbering starts at ``first``, for a stream that begins inside a file. An over-long
    line is skipped in chunks, never held in memory whole.
    """
    number = first - 1
    while True:
        line = source.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = source.readline(_SKIP_CHUNK)
            yield number, None
        else:
            yield number, line


class JsonlReader(Reader):
    """Reads ``.jsonl`` / ``.ndjson`` files, gzip-compressed or not, one record per line."""

    format = "jsonl"
    suffixes = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
    settings = (
        *RECORD_SETTINGS,
        Option("max-record-mb", int, 256, "longer lines are reported and skipped", 1),
        limits.MAX_INFLATED,
        limits.MAX_RATIO,
        limits.MAX_DEPTH,
        limits.MAX_INT_DIGITS,
    )

    @classmethod
    def splittable(cls, name: str) -> bool:
        """Plain JSONL files can be read in blocks of lines; gzip streams cannot be cut."""
        return not name.lower().endswith(".gz")

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        with _open(path, self.options) as handle:
            yield from self.read_stream(handle, display)

    def read_stream(
        self, handle: LineSource, display: str, first_line: int = 1
    ) -> Iterator[Document | Problem]:
        """The documents of JSONL lines read from ``handle``, numbered from ``first_line``."""
        fields = Fields.from_options(self.options)
        limit = max(1, self.options["max-record-mb"]) << 20
        last = first_line - 1
        try:
            for number, raw in numbered_lines(handle, limit, first_line):
                last = number
                if raw is None:
                    message = (
                        f"record longer than max-record-mb ({limit >> 20} MB); skipped"
                        " (raise [tool.corpuslint.jsonl] max-record-mb to check it)"
                    )
                    yield Problem(display, message, number)
                    continue
                if raw.isspace():  # a blank line: cheap to pass over, as a bomb may hold billions
                    continue
                place = Place(display, self.format, number, "line")
                item = parse_line(raw, place, fields, self.options)
                if item is not None:
                    yield item
        except limits.LimitExceeded as exc:
            yield Problem(display, exc.message, last + 1)  # where reading stopped
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield Problem(
                display,
                f"gzip data truncated or corrupt after line {last} ({exc});"
                " the records before it were checked",
                last + 1,
            )


def parse_line(
    raw: bytes, place: Place, fields: Fields, options: Mapping[str, Any] | None = None
) -> Document | Problem | None:
    """The document of one JSONL line, the problem with it, or ``None`` for a blank line.

    Any failure on the line is its problem, so the next line is still read. ``options``
    are the reader's settings (the depth and integer budgets); defaults if not given.
    """
    try:
        return _parse_line(raw, place, fields, options or {})
    except ReadError as exc:
        return Problem(place.path, exc.message, place.line, exc.column)
    except Exception as exc:  # RecursionError, MemoryError...: hostile data, named in place
        return Problem(place.path, f"cannot read record: {limits.describe(exc)}", place.line)


def _parse_line(
    raw: bytes, place: Place, fields: Fields, options: Mapping[str, Any]
) -> Document | Problem | None:
    if place.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {column}"
        return Problem(place.path, message, place.line, column)
    if not line.strip():
        return None
    try:
        record = limits.load_json(line, options, "jsonl")
    except limits.LimitExceeded:
        raise
    except (ValueError, TypeError) as exc:
        message = getattr(exc, "msg", None) or str(exc)
        column = getattr(exc, "pos", 0) + 1
        return Problem(place.path, f"malformed JSON: {message}", place.line, column)
    if not isinstance(record, dict):
        kind = "a list" if isinstance(record, list) else f"a {type(record).__name__}"
        return Problem(place.path, f"record is {kind}, not a JSON object", place.line)

    tokens: dict[tuple[str, ...], tuple[int, int]] = {}

    def columns(path: tuple[str, ...]) -> Columns | None:
        if not tokens:  # one scan of the line for every field asked for
            tokens.update(value_tokens(line))
        token = tokens.get(path)
        if token is None:
            return None
        return lambda offsets: offset_columns(line, token, offsets)

    return build_document(record, fields, place, columns)
