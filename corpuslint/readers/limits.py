"""Resource budgets of the readers: what one input may cost before it is refused.

corpuslint reads files anyone can submit, so every reader bounds what an input can make
it do. A whole-file format is refused by its size on disk before it is read; a gzip
stream is stopped while it inflates; nesting is measured without recursion before a
recursive parser sees it; long integers are refused before Python converts them. A
budget that is hit is a :class:`LimitExceeded`, a ``ReadError``: one CL001 finding
naming the file, the budget and the setting to raise.

Each budget is a reader option, set per format under ``[tool.corpuslint.<format>]``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from corpuslint.options import Option
from corpuslint.readers.base import ReadError

MB = 1 << 20

MAX_FILE = Option(
    "max-file-mb", int, 64, "larger files are reported and not read (checked before reading)", 1
)
MAX_INFLATED = Option(
    "max-inflated-mb", int, 1024, "a gzip file inflating past this is reported and stopped", 1
)
MAX_RATIO = Option(
    "max-inflation-ratio",
    int,
    200,
    "a gzip file inflating more than this many times its size is reported and stopped"
    " (past the first 4 MB)",
    1,
)
MAX_DEPTH = Option("max-depth", int, 64, "deeper nesting of lists and mappings is reported", 1, 900)
MAX_INT_DIGITS = Option(
    "max-int-digits", int, 1000, "integers with more digits are reported", 1, 4000
)
MAX_ROW_GROUP = Option(
    "max-row-group-mb", int, 256, "larger row groups (uncompressed) are reported and skipped", 1
)

RATIO_FLOOR = 4 * MB
"""Inflated bytes below which the ratio is not judged: small files compress very well."""
_CHUNK = MB
_INFLATE_STEP = 64 << 10


class LimitExceeded(ReadError):
    """An input went over one of its reader's budgets."""


def over(what: str, fmt: str, setting: str, line: int = 1, column: int = 1) -> LimitExceeded:
    """The error for a budget that was hit: what happened and the setting to raise."""
    return LimitExceeded(
        f"{what} (raise [tool.corpuslint.{fmt}] {setting} to check it)", line, column
    )


def read_file(path: Path, options: Mapping[str, Any], fmt: str) -> bytes:
    """The bytes of a file read whole, refused by its size before it is read.

    The size is taken from the open file (``fstat``), and at most one byte past the
    budget is read, so a file that grows meanwhile (or a device) is refused too.
    """
    limit = options.get(MAX_FILE.name)
    with path.open("rb") as handle:
        if limit is None:
            return handle.read()
        budget = limit * MB
        size = os.fstat(handle.fileno()).st_size
        if size > budget:
            raise _too_large(size, limit, fmt)
        # Asking for the whole budget allocates it (64 MB by default) for every file:
        # three times the cost of reading a 5 kB article. So the size seen is asked for,
        # and the rest of the budget only if more came (the file grew, or is a device).
        data = handle.read(size + 1)
        if len(data) > size:
            data += handle.read(budget + 1 - len(data))
    if len(data) > budget:
        raise _too_large(len(data), limit, fmt)
    return data


def check_size(size: int, options: Mapping[str, Any], fmt: str) -> None:
    """Refuse bytes already in memory (a reader's ``parse``) as :func:`read_file` would."""
    limit = options.get(MAX_FILE.name)
    if limit is not None and size > limit * MB:
        raise _too_large(size, limit, fmt)


def _too_large(size: int, limit: int, fmt: str) -> LimitExceeded:
    shown = f"{size / MB:.1f} MB" if size < 10 * MB else f"{size // MB} MB"
    return over(f"file is {shown}, over max-file-mb ({limit} MB); not read", fmt, MAX_FILE.name)


class InflateBudget(io.RawIOBase):
    """A gzip file's inflated bytes, stopped at the inflated-size and ratio budgets.

    Read through ``io.BufferedReader`` for lines. ``where`` names the position reached
    (the line) for the message when a budget is hit.
    """

    def __init__(self, raw: BinaryIO, options: Mapping[str, Any], fmt: str) -> None:
        super().__init__()
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._limit_mb: int = options.get(MAX_INFLATED.name, MAX_INFLATED.default)
        self._ratio: int = options.get(MAX_RATIO.name, MAX_RATIO.default)
        self._fmt = fmt
        self.inflated = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Inflate into ``buffer``, never more than one byte past the size budget."""
        view = memoryview(buffer).cast("B")
        room = self._limit_mb * MB - self.inflated + 1
        # read1: what one step of inflation gives, so the lines before a truncated
        # stream's end are delivered before its EOFError.
        data = self._gzip.read1(min(len(view), _INFLATE_STEP, room))
        self.inflated += len(data)
        if self.inflated > self._limit_mb * MB:
            raise over(
                f"gzip data inflates past max-inflated-mb ({self._limit_mb} MB);"
                " the rest of the file is not read",
                self._fmt,
                MAX_INFLATED.name,
            )
        compressed = max(1, self._raw.tell())
        if self.inflated > RATIO_FLOOR and self.inflated > self._ratio * compressed:
            raise over(
                f"gzip data inflates over max-inflation-ratio ({self._ratio} times its"
                f" compressed size: {self.inflated // MB} MB from {compressed} bytes);"
                " the rest of the file is not read",
                self._fmt,
                MAX_RATIO.name,
            )
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the gzip stream and the file under it."""
        try:
            self._gzip.close()
            self._raw.close()
        finally:
            super().close()


def open_gzip(path: Path, options: Mapping[str, Any], fmt: str) -> io.BufferedReader:
    """A gzip file's inflated bytes under the inflation budgets, readable by lines."""
    raw = path.open("rb")
    try:
        return io.BufferedReader(InflateBudget(raw, options, fmt), _CHUNK)
    except BaseException:
        raw.close()
        raise


# A JSON string (skipped whole), or a bracket.
_JSON_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')
# TOML strings and comments (skipped whole), or a bracket.
_TOML_BRACKETS = re.compile(
    r'"""[\s\S]*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?'
    r"|#[^\n]*|[\[\]{}]"
)


def bracket_depth(text: str, limit: int, toml: bool = False) -> int | None:
    """The offset of the first bracket nested deeper than ``limit``; ``None`` if none is.

    Brackets in strings (and TOML comments) do not count. Text with no more brackets
    than ``limit`` cannot nest deeper and is not scanned.
    """
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in (_TOML_BRACKETS if toml else _JSON_BRACKETS).finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return match.start()
        elif token in ("]", "}"):
            depth -= 1
    return None


@lru_cache(maxsize=8)
def _long_digits(limit: int) -> re.Pattern[str]:
    return re.compile(rf"[0-9]{{{limit + 1}}}")


def load_json(text: str, options: Mapping[str, Any], fmt: str) -> Any:
    """``json.loads`` within the depth and integer budgets.

    Raises :class:`LimitExceeded` (with the column) for nesting deeper than
    ``max-depth`` or an integer longer than ``max-int-digits``, and ``ValueError`` for
    malformed JSON, as ``json.loads`` does.
    """
    depth: int = options.get(MAX_DEPTH.name, MAX_DEPTH.default)
    digits: int = options.get(MAX_INT_DIGITS.name, MAX_INT_DIGITS.default)
    deep = bracket_depth(text, depth)
    if deep is not None:
        raise over(f"JSON nested deeper than max-depth ({depth})", fmt, MAX_DEPTH.name, 1, deep + 1)
    if _long_digits(digits).search(text) is None:
        return json.loads(text)

    def bounded(value: str) -> int:
        if len(value.lstrip("-")) > digits:
            raise _long_int(len(value.lstrip("-")), digits, fmt)
        return int(value)

    return json.loads(text, parse_int=bounded)


def _long_int(length: int, digits: int, fmt: str, line: int = 1) -> LimitExceeded:
    return over(
        f"integer of {length} digits, over max-int-digits ({digits})",
        fmt,
        MAX_INT_DIGITS.name,
        line,
    )


@lru_cache(maxsize=8)
def _power_of_ten(digits: int) -> int:
    """``10**digits``, made once per setting: 3 us at the default 1,000, 34 us at 4,000."""
    return int(10**digits)


def check_structure(
    value: Any, options: Mapping[str, Any], fmt: str, what: str, line: int = 1
) -> None:
    """Refuse parsed data nested deeper than ``max-depth`` or holding too long an integer.

    Walks the data without recursion, each list or mapping once (YAML aliases share
    them, and may even form cycles).
    """
    depth_limit: int = options.get(MAX_DEPTH.name, MAX_DEPTH.default)
    digits: int = options.get(MAX_INT_DIGITS.name, MAX_INT_DIGITS.default)
    ceiling = _power_of_ten(digits)
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if abs(item) >= ceiling:
                raise over(
                    f"{what} holds an integer of more than max-int-digits ({digits}) digits",
                    fmt,
                    MAX_INT_DIGITS.name,
                    line,
                )
            continue
        children: Any
        if isinstance(item, Mapping):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple, set, frozenset)):
            children = item
        else:
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if depth >= depth_limit:
            raise over(
                f"{what} nested deeper than max-depth ({depth_limit})", fmt, MAX_DEPTH.name, line
            )
        stack.extend((child, depth + 1) for child in children)


def describe(exc: BaseException) -> str:
    """An exception as one short line: its type and message (never failing itself)."""
    try:
        message = str(exc)
    except Exception:  # a message that cannot be shown (an int past Python's limit)
        message = ""
    lines = message.splitlines()
    line = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return line if len(line) <= 200 else line[:199] + "\u2026"
