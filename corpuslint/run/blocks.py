"""Reading a large file in parts that every engine shares: blocks of lines, replayed lines.

Blocks are cut at fixed byte offsets, so a cut usually falls inside a line. That line
belongs to the block it starts in: a block skips the partial line at its start and reads
past its end to finish its last line. Every line is read by exactly one block, and the
number of a block's first line is one past the line breaks before its start
(:func:`first_lines`). A Parquet file is cut by row groups instead (:func:`group_ranges`),
its rows numbered in the file by the reader.

The read problems of a file's parts are numbered into CL001 findings in file order, so
identical problems keep the occurrence numbers a one-part read gives them (:func:`combine`).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from corpuslint.core_rules import UnreadableDocument
from corpuslint.model import Directive, Problem, Violation
from corpuslint.outcome import FileOutcome
from corpuslint.run.executor import Occurrences
from corpuslint.similarity.signatures import SignatureBatch

_CHUNK = 1 << 20


class Seekable(Protocol):
    """A binary file object that can seek (a local file, an fsspec file)."""

    def seek(self, offset: int, whence: int = 0, /) -> int:
        """Move to ``offset``."""
        ...

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes."""
        ...

    def readline(self, size: int = -1, /) -> bytes:
        """Read up to the next line break, at most ``size`` bytes."""
        ...


class BlockLines:
    """The lines of ``handle`` that start before ``end``, read from the current position."""

    def __init__(self, handle: Seekable, position: int, end: int) -> None:
        self._handle = handle
        self._position = position
        self._end = end
        self._line_start = True

    def readline(self, size: int = -1, /) -> bytes:
        """The next line (or the next ``size`` bytes of it); empty once the block is done."""
        if self._line_start and self._position >= self._end:
            return b""
        data = self._handle.readline(size)
        self._position += len(data)
        self._line_start = data.endswith(b"\n")
        return data


def open_block(handle: Seekable, start: int, end: int, line: int) -> tuple[BlockLines, int]:
    """The block's lines and the number of its first one.

    ``line`` is the number of the line that byte ``start`` lies in (one past the line
    breaks before ``start``). If ``start`` is inside a line, that line is the previous
    block's: it is skipped and the block begins at the next line.
    """
    if start == 0:
        handle.seek(0)
        return BlockLines(handle, 0, end), line
    handle.seek(start - 1)
    position = start
    if handle.read(1) != b"\n":
        while True:
            rest = handle.readline(_CHUNK)
            position += len(rest)
            if not rest or rest.endswith(b"\n"):
                break
        line += 1
    return BlockLines(handle, position, end), line


def byte_ranges(size: int, block_size: int) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of at most ``block_size`` bytes covering ``size`` bytes."""
    block_size = max(1, block_size)
    return [(start, min(start + block_size, size)) for start in range(0, size, block_size)]


def group_ranges(count: int, size: int, block_size: int) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of the ``count`` row groups of a ``size``-byte file.

    About one range per ``block_size`` bytes (at most one per row group), of as many
    row groups each as the count allows; one range ``(0, count)`` for a small file.
    """
    parts = max(1, min(count, -(-size // max(1, block_size))))
    edges = [count * n // parts for n in range(parts + 1)]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def count_breaks(handle: Seekable, start: int, end: int) -> int:
    r"""The ``\n`` bytes in ``[start, end)`` of an open file."""
    total = 0
    handle.seek(start)
    left = end - start
    while left > 0:
        chunk = handle.read(min(left, 1 << 24))
        if not chunk:
            break
        total += chunk.count(b"\n")
        left -= len(chunk)
    return total


def first_lines(breaks: Sequence[int]) -> list[int]:
    r"""The number of the line each range starts in, from the ``\n`` count of each range."""
    out: list[int] = []
    before = 0
    for count in breaks:
        out.append(before + 1)
        before += count
    return out


class ReplayedLines:
    """Lines read ahead by another process (whole, in order), then what ended that read.

    A file that cannot be cut by bytes (a gzip stream) is inflated by one process and
    handed out in batches of lines; each batch is read from one of these as if from the
    file. ``error`` is the exception that stopped the reading after the batch's lines (a
    corrupt stream, a budget that was hit): it is raised where the file would raise it.
    """

    def __init__(self, data: bytes, error: BaseException | None = None) -> None:
        self._lines: BinaryIO = io.BytesIO(data)
        self._error = error

    def readline(self, size: int = -1, /) -> bytes:
        """The next line (or ``size`` bytes of it); then the error, if any; then ``b""``."""
        data = self._lines.readline(size)
        if not data and self._error is not None:
            error, self._error = self._error, None
            raise error
        return data


@dataclass(frozen=True)
class PartOutcome:
    """A part's outcome, with its read problems kept apart to be numbered in file order."""

    outcome: FileOutcome
    problems: tuple[Problem, ...] = ()


def combine(parts: Iterable[PartOutcome], unreadable: bool) -> FileOutcome:
    """One file's outcome from its parts' outcomes, in file order.

    Read problems become CL001 findings (when ``unreadable``: the rule is in the run)
    numbered across the parts as a one-part read numbers them.
    """
    rule = UnreadableDocument() if unreadable else None
    occurrences = Occurrences()
    violations: list[Violation] = []
    signatures: list[SignatureBatch] = []
    errors: list[str] = []
    notices: list[str] = []
    directives: list[Directive] = []
    documents = 0
    for part in parts:
        outcome = part.outcome
        violations.extend(outcome.violations)
        if rule is not None:
            violations.extend(rule.from_problem(p, occurrences.next(p)) for p in part.problems)
        signatures.extend(outcome.signatures)
        errors.extend(outcome.errors)
        notices.extend(outcome.notices)
        directives.extend(outcome.directives)
        documents += outcome.documents
    return FileOutcome(
        tuple(violations),
        tuple(signatures),
        tuple(errors),
        documents,
        tuple(directives),
        tuple(notices),
    )
