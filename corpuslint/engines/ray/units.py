"""What a distributed run reads: local paths and object-storage URLs, split into units.

A unit is one task's input: a whole file, or a block of lines of a large JSONL file.
Local paths go through the same discovery as the local engine (include, exclude,
``.gitignore``, targets against the corpus). URLs (``s3://``, ``gs://``, ``file://``,
any fsspec protocol) may name a file, a folder or a glob; every file they hold is a
target, and they are compared with each other and with the local corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.run.blocks import byte_ranges
from corpuslint.run.discover import Discovery, Skipped, SourceFile

_GLOB = frozenset("*?[")


def is_url(text: str) -> bool:
    """Whether a path argument is a URL (``scheme://...``) rather than a local path."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").isalnum()


@dataclass(frozen=True)
class Unit:
    """One task's input: a whole file, or the lines that start in ``[start, end)`` of one."""

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

    @property
    def is_block(self) -> bool:
        """Whether the unit is part of a file rather than all of it."""
        return self.end is not None

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
    """Split each file larger than ``block_size`` bytes that its reader can split into ranges.

    A block takes the lines that start inside its range; its ``first_line`` is filled in
    later, once the line breaks before each range are counted.
    """
    registry = registry or plugins.load()
    out: list[Unit] = []
    for unit in units:
        reader = registry.reader_for_name(unit.name)
        if unit.size <= block_size or reader is None or not reader.splittable(unit.name):
            out.append(unit)
            continue
        out.extend(replace(unit, start=a, end=b) for a, b in byte_ranges(unit.size, block_size))
    return out


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


def open_binary(location: str) -> Any:
    """A binary file object for a local path or an fsspec URL."""
    if not is_url(location):
        return open(location, "rb")  # the caller closes it
    import fsspec

    return fsspec.open(location, "rb").open()
