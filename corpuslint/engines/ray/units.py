"""What a distributed run reads: local paths and object-storage URLs, split into units.

A unit is one task's input: a whole file, a block of lines of a large JSONL file, or a
range of row groups of a large Parquet file.
Local paths go through the same discovery as the local engine (include, exclude,
``.gitignore``, targets against the corpus). URLs (``s3://``, ``gs://``, ``file://``,
any fsspec protocol) may name a file, a folder or a glob; every file they hold is a
target, and they are compared with each other and with the local corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.readers.base import Reader
from corpuslint.run.blocks import byte_ranges, group_ranges
from corpuslint.run.discover import Discovery, Skipped, SourceFile

_GLOB = frozenset("*?[")
_FOOTER_THREADS = 16
"""Parquet footers of URLs read at once while cutting files into units."""


def is_url(text: str) -> bool:
    """Whether a path argument is a URL (``scheme://...``) rather than a local path."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").isalnum()


@dataclass(frozen=True)
class Unit:
    """One task's input: a whole file, or a part of one (a byte range, some row groups)."""

    location: str
    """A local path or an fsspec URL."""
    display: str
    relative: str
    target: bool
    size: int
    start: int = 0
    end: int | None = None
    """``None`` for the whole file."""
    first_line: int = 1
    """The number of the block's first whole line in the file (filled in by a count)."""
    groups: tuple[int, int] | None = None
    """Row groups ``[start, end)`` of a Parquet file read in parts; ``None`` otherwise."""
    group_count: int = 0
    """The file's row groups, for a unit of some of them (to weigh its share)."""

    @property
    def is_block(self) -> bool:
        """Whether the unit is a block of lines (a byte range) rather than a whole file."""
        return self.end is not None

    @property
    def is_part(self) -> bool:
        """Whether the unit is part of a file (a block of lines or some row groups)."""
        return self.end is not None or self.groups is not None

    @property
    def position(self) -> tuple[int, int]:
        """Where the unit begins in its file (byte offset, row group): sorts parts in order."""
        return self.start, self.groups[0] if self.groups else 0

    @property
    def weight(self) -> int:
        """About how many bytes the unit reads: its range, its row groups' share, the file."""
        if self.end is not None:
            return self.end - self.start
        if self.groups is not None and self.group_count:
            return self.size * (self.groups[1] - self.groups[0]) // self.group_count
        return self.size

    @property
    def name(self) -> str:
        """The file's name, whose suffixes choose the reader."""
        return PurePosixPath(self.location.split("://", 1)[-1]).name


def local_units(
    paths: Sequence[Path],
    config: Config,
    registry: plugins.Registry,
    cwd: Path | None,
    corpus: bool,
) -> tuple[list[Unit], list[SourceFile], list[Skipped]]:
    """Units of local paths, with the corpus around them when corpus rules run."""
    if not paths:
        return [], [], []
    discovery = Discovery(config, registry.readers, cwd)
    targets, skipped = discovery.targets(paths)
    sources = discovery.corpus(targets) if corpus else targets
    units = [Unit(s.location, s.display, s.relative, s.target, s.size()) for s in sources]
    return units, list(targets), skipped


def url_units(
    urls: Sequence[str], registry: plugins.Registry
) -> tuple[list[Unit], list[SourceFile], list[Skipped]]:
    """Units of every readable file that the URLs name, folders walked and globs expanded."""
    found: dict[str, Unit] = {}
    skipped: list[Skipped] = []
    for url in urls:
        try:
            matches = list(_expand(url))
        except (OSError, ValueError, ImportError) as exc:
            skipped.append(Skipped(url, f"cannot list: {exc}"))
            continue
        kept = [(shown, size) for shown, size in matches if registry.reader_for_name(shown)]
        if not kept:
            if matches:
                reason = "no files to check there"
            elif _GLOB & set(url):
                reason = "no files match this pattern"
            else:
                reason = "no such file or folder"
            skipped.append(Skipped(url, reason))
        for shown, size in kept:
            found.setdefault(shown, Unit(shown, shown, shown, True, size))
    units = sorted(found.values(), key=lambda u: u.display)
    targets = [SourceFile(u.location, u.display, u.relative) for u in units]
    return units, targets, skipped


def _expand(url: str) -> Iterator[tuple[str, int]]:
    """``(url, size)`` of each file a URL names: itself, the files below it, or glob matches."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    protocol = url.split("://", 1)[0]
    paths = fs.glob(path) if _GLOB & set(path) else [path]
    for match in paths:
        if not fs.exists(match):
            continue
        if fs.isdir(match):
            for name, info in sorted(fs.find(match, detail=True).items()):
                yield f"{protocol}://{name}", int(info.get("size") or 0)
        else:
            yield f"{protocol}://{match}", int(fs.size(match) or 0)


def blocks(
    units: Iterable[Unit], block_size: int, registry: plugins.Registry | None = None
) -> list[Unit]:
    """Split each file larger than ``block_size`` bytes that its reader can read in parts.

    A file of lines (JSONL) is cut into byte ranges: a block takes the lines that start
    inside its range, and its ``first_line`` is filled in later, once the line breaks
    before each range are counted. A file of row groups (Parquet) with more than one is
    cut into ranges of row groups (as the local engine cuts it), read from its footer:
    for a URL, through fsspec range reads, several files at once.
    """
    registry = registry or plugins.load()
    listed = list(units)
    readers = [registry.reader_for_name(unit.name) for unit in listed]
    grouped = [
        n
        for n, (unit, reader) in enumerate(zip(listed, readers, strict=True))
        if unit.size > block_size and reader is not None and hasattr(reader, "row_groups")
    ]
    with ThreadPoolExecutor(_FOOTER_THREADS) as pool:
        found = pool.map(lambda n: row_groups(readers[n], listed[n].location), grouped)
        counts = dict(zip(grouped, found, strict=True))
    out: list[Unit] = []
    for n, (unit, reader) in enumerate(zip(listed, readers, strict=True)):
        count = counts.get(n, 0)
        if count > 1:
            ranges = group_ranges(count, unit.size, block_size)
            out.extend(replace(unit, groups=r, group_count=count) for r in ranges)
        elif unit.size <= block_size or reader is None or not reader.splittable(unit.name):
            out.append(unit)
        else:
            ranges = byte_ranges(unit.size, block_size)
            out.extend(replace(unit, start=a, end=b) for a, b in ranges)
    return out


def row_groups(reader: type[Reader] | None, location: str) -> int:
    """The row groups of a local or remote file, by its reader (0 if it cannot tell).

    A file that cannot be read is not cut: its one unit reports why.
    """
    if reader is None or not hasattr(reader, "row_groups"):
        return 0
    count = getattr(reader(), "row_groups")  # noqa: B009
    try:
        if not is_url(location):
            return int(count(Path(location)))
        with open_seekable(location) as handle:
            return int(count(handle)) if handle.seekable() else 0  # a stream: not cut
    except Exception:  # fsspec's and the storage clients' errors vary
        return 0


def first_lines(units: Sequence[Unit], breaks: Sequence[int]) -> list[Unit]:
    r"""Units with ``first_line`` set from the line-break count of each unit's range.

    ``breaks[i]`` counts the ``\n`` bytes in unit ``i``'s range (whole files: unused).
    A block's first line is one past the breaks before its start, plus one more when it
    starts inside a line (that line belongs to the block before).
    """
    out: list[Unit] = []
    before = 0
    previous: str | None = None
    for unit, count in zip(units, breaks, strict=True):
        if not unit.is_block:
            out.append(unit)
            continue
        if unit.location != previous:
            before, previous = 0, unit.location
        out.append(replace(unit, first_line=before + 1))
        before += count
    return out


def open_seekable(location: str) -> Any:
    """A binary file object for random access to a local path or an fsspec URL.

    For a URL, each read fetches the bytes asked for and no more (fsspec's ``none``
    cache): pyarrow reads a Parquet footer and the column chunks it needs, and a
    read-ahead cache would fetch the columns between them too.
    """
    if not is_url(location):
        return open(location, "rb")  # the caller closes it
    import fsspec

    fs, path = fsspec.core.url_to_fs(location)
    try:
        return fs.open(path, "rb", cache_type="none")
    except TypeError:  # a file system whose files take no cache options
        return fs.open(path, "rb")


def open_binary(location: str) -> Any:
    """A binary file object for a local path or an fsspec URL."""
    if not is_url(location):
        return open(location, "rb")  # the caller closes it
    import fsspec

    return fsspec.open(location, "rb").open()
