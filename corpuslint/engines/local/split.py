"""Large files read in parts by the local engine's process pool, the findings as if whole.

A file larger than the block size is cut into parts that the pool's workers check in
parallel:

- plain JSONL: byte ranges; a range takes the lines that start in it
  (``corpuslint.run.blocks``). The workers first count the line breaks of each range, so
  each part numbers its lines as they are numbered in the file.
- gzip JSONL: one stream, inflated here (in the pool's task thread, under the reader's
  inflation budgets) and handed to the workers in batches of whole lines with the number
  of their first line; what ends the stream early (a corrupt member, a budget) goes
  with the last batch and is reported where a one-process read reports it.
- Parquet: ranges of row groups, rows numbered in the file.

The parts' outcomes are combined, in file order, into the one outcome a one-process read
gives (``corpuslint.run.blocks.combine``: read problems are numbered across the parts),
which is also what the cache stores of the file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from corpuslint.model import Document, Problem
from corpuslint.outcome import FileOutcome
from corpuslint.readers import limits
from corpuslint.readers.base import Reader, ReadError
from corpuslint.run.blocks import (
    PartOutcome,
    ReplayedLines,
    byte_ranges,
    combine,
    count_breaks,
    first_lines,
    open_block,
)
from corpuslint.run.discover import SourceFile
from corpuslint.run.executor import Checker

BLOCK_BYTES = 64 << 20
"""A file larger than this is read in parts of about this size."""
STREAM_BYTES = 4 << 20
"""Lines of a gzip stream handed to a worker at a time."""

_GZIP_MAGIC = b"\x1f\x8b"
_SKIP_CHUNK = 1 << 20

Kind = Literal["files", "lines", "groups", "stream", "digest"]


@dataclass(frozen=True)
class Task:
    """One piece of the pool's work: some whole files, or one part of a large file."""

    index: int
    """The position in the run's files of the (first) file."""
    kind: Kind
    sources: tuple[SourceFile, ...]
    """The whole files (``files``), or the one file a part belongs to."""
    start: int = 0
    end: int = 0
    """Bytes (``lines``) or row groups (``groups``) ``[start, end)``."""
    first_line: int = 1
    data: bytes = b""
    """Whole lines of a stream (``stream``)."""
    error: BaseException | None = None
    """What ended the stream after ``data`` (``stream``)."""
    last: bool = True
    """Whether it is its file's last part."""


@dataclass(frozen=True)
class Split:
    """How one large file is read: by ``lines`` (byte ranges), ``groups`` or ``stream``."""

    index: int
    source: SourceFile
    kind: Kind
    ranges: tuple[tuple[int, int], ...] = ()


def plan(checker: Checker, sources: Sequence[SourceFile], block_size: int) -> dict[int, Split]:
    """The files to read in parts, by their position in ``sources``."""
    found: dict[int, Split] = {}
    for index, source in enumerate(sources):
        # The size first: it is known from the walk, and few files are large.
        size = source.size() if source.buffer is None else 0
        if size <= block_size:
            continue
        reader = checker.reader(source)
        streams = reader is not None and type(reader).read_stream is not Reader.read_stream
        groups = reader is not None and hasattr(reader, "read_groups")
        if reader is None or not (streams or groups):
            continue
        if groups:
            count = int(getattr(reader, "row_groups")(source.path))  # noqa: B009
            if count > 1:
                parts = min(count, -(-size // block_size))
                edges = [count * n // parts for n in range(parts + 1)]
                ranges = tuple((a, b) for a, b in itertools.pairwise(edges) if b > a)
                found[index] = Split(index, source, "groups", ranges)
        elif _is_gzip(source):
            found[index] = Split(index, source, "stream")
        elif reader.splittable(source.path.name):
            found[index] = Split(index, source, "lines", tuple(byte_ranges(size, block_size)))
    return found


def _is_gzip(source: SourceFile) -> bool:
    """Whether the file is gzip, by its magic number (as the JSONL reader tells)."""
    try:
        with open(source.location, "rb") as probe:
            return probe.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def count_task(location: str, start: int, end: int) -> int:
    r"""The ``\n`` bytes in ``[start, end)`` of a file (0 if it cannot be read)."""
    try:
        with open(location, "rb") as handle:
            return count_breaks(handle, start, end)
    except OSError:
        return 0  # its part reports why it cannot be read


def tasks(
    checker: Checker,
    sources: Sequence[SourceFile],
    splits: dict[int, Split],
    breaks: dict[int, list[int]],
    chunk: int,
    digest: bool,
) -> Iterator[Task]:
    """The pool's tasks, in file order: runs of whole files, and each large file's parts.

    ``breaks`` holds the line-break count of each byte range of the ``lines`` splits.
    With ``digest``, a large file's first task computes its digest (for the cache).
    """
    run: list[SourceFile] = []
    run_start = 0
    for index, source in enumerate(sources):
        split = splits.get(index)
        if split is None:
            if not run:
                run_start = index
            run.append(source)
            if len(run) >= chunk:
                yield Task(run_start, "files", tuple(run))
                run = []
            continue
        if run:
            yield Task(run_start, "files", tuple(run))
            run = []
        if split.kind == "stream":
            yield from _stream(checker, index, source, digest)
            continue
        if digest:
            yield Task(index, "digest", (source,), last=False)
        numbers = first_lines(breaks[index]) if split.kind == "lines" else []
        for number, (start, end) in enumerate(split.ranges):
            first = numbers[number] if numbers else 1
            last = number == len(split.ranges) - 1
            yield Task(index, split.kind, (source,), start, end, first, last=last)
    if run:
        yield Task(run_start, "files", tuple(run))


def _stream(checker: Checker, index: int, source: SourceFile, digest: bool) -> Iterator[Task]:
    """The parts of a gzip stream: batches of whole lines, inflated here.

    Lines are read as the JSONL reader reads them (at most ``max-record-mb`` each): a
    longer one ends its batch with its first ``limit + 1`` bytes, so the worker reports
    it as the reader does, and the rest of it is skipped here.
    """
    reader = checker.reader(source)
    assert reader is not None
    limit = max(1, int(reader.options.get("max-record-mb", 256))) << 20
    try:
        handle = limits.open_gzip(source.path, reader.options, reader.format)
    except Exception:  # the whole file in one task, whose read reports what is wrong
        yield Task(index, "files", (source,))
        return
    if digest:
        yield Task(index, "digest", (source,), last=False)
    pending: Task | None = None
    first = 1
    with handle:
        while True:
            lines: list[bytes] = []
            size = 0
            error: BaseException | None = None
            try:
                while size < STREAM_BYTES:
                    line = handle.readline(limit + 1)
                    if not line:
                        break
                    lines.append(line)
                    size += len(line)
                    if len(line) > limit and not line.endswith(b"\n"):
                        while line and not line.endswith(b"\n"):
                            line = handle.readline(_SKIP_CHUNK)
                        break
            except Exception as exc:  # raised again by the worker, where the reader meets it
                error = exc
            if not lines and error is None:  # the end of the stream
                yield pending or Task(index, "stream", (source,), first_line=first)
                return
            task = Task(index, "stream", (source,), 0, 0, first, b"".join(lines), error)
            if pending is not None:
                yield replace(pending, last=False)
            first += len(lines)
            if error is not None:
                yield task
                return
            pending = task


def check_part(checker: Checker, task: Task) -> PartOutcome:
    """The outcome of one part of a file, its read problems kept apart (see ``combine``)."""
    source = task.sources[0]
    reader = checker.reader(source)
    assert reader is not None
    problems: list[Problem] = []

    def items() -> Iterator[Document | Problem | str]:
        try:
            for item in _read_part(reader, source, task):
                if isinstance(item, Problem):
                    problems.append(item)
                else:
                    yield item
        except ReadError as exc:
            problems.append(Problem(source.display, exc.message, exc.line, exc.column))
        except MemoryError:
            problems.append(Problem(source.display, "file too large to read into memory"))
        except OSError as exc:
            problems.append(Problem(source.display, f"cannot read file: {exc.strerror or exc}"))
        except Exception as exc:  # as Checker.documents names a reader's failure
            problems.append(
                Problem(
                    source.display,
                    f"cannot read file: reader {type(reader).__name__} ({reader.format}) failed:"
                    f" {limits.describe(exc)}",
                )
            )

    outcome = checker.outcome(source, items(), ())
    return PartOutcome(outcome, tuple(problems))


def _read_part(reader: Reader, source: SourceFile, task: Task) -> Iterator[Document | Problem]:
    if task.kind == "groups":
        read_groups: Any = getattr(reader, "read_groups")  # noqa: B009
        yield from read_groups(source.path, source.display, task.start, task.end)
    elif task.kind == "stream":
        yield from reader.read_stream(
            ReplayedLines(task.data, task.error), source.display, task.first_line
        )
    else:
        with open(source.location, "rb") as handle:
            lines, first = open_block(handle, task.start, task.end, task.first_line)
            yield from reader.read_stream(lines, source.display, first)


def whole(checker: Checker, parts: Sequence[PartOutcome]) -> FileOutcome:
    """The file's outcome from its parts' outcomes."""
    return combine(parts, checker.unreadable is not None)
