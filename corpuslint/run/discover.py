"""Which files form the corpus and which are the targets of this run.

The corpus is every file with a known suffix under the project root that ``include``,
``exclude`` and ``.gitignore`` admit. Targets are the paths named on the command line
(folders are walked with the same rules); files named explicitly are checked even if
git ignores them, but ``exclude`` still applies so a pre-commit hook honours it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pathspec

from corpuslint._support.gc_pause import freezing
from corpuslint.config import Config
from corpuslint.readers.base import name_suffixes

ALWAYS_EXCLUDED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".corpuslint_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
)


@dataclass(frozen=True)
class SourceFile:
    """A file to read: where it is, how it is shown, and whether findings are reported for it."""

    location: str
    """The absolute path: a string, because a corpus walk lists 100,000 files and building
    and hashing as many ``Path`` objects cost a second; ``path`` makes one when needed."""
    display: str
    """The path as shown in reports: relative to the working directory, ``/``-separated."""
    relative: str
    """The path relative to the project root, for include/exclude/per-file-ignores."""
    target: bool = True
    stat: tuple[int, int] | None = None
    """(size, mtime in ns) as the walk saw them, so the cache check need not stat again."""

    @cached_property
    def path(self) -> Path:
        """The file's path (made on first use: most cached files are never opened)."""
        return Path(self.location)


@dataclass(frozen=True)
class Skipped:
    """A path that was named but cannot be checked, with the reason."""

    display: str
    reason: str


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` with ``/`` separators (absolute if on another drive)."""
    inside = _below(path, cwd)
    if inside is not None:
        return inside
    try:
        return Path(os.path.relpath(path, cwd)).as_posix()
    except ValueError:
        return path.as_posix()


def _below(path: Path, directory: Path) -> str | None:
    """``path`` relative to ``directory`` if it lies below it, worked out on strings.

    A walk of 100,000 files spent five seconds in pathlib's ``relative_to`` and
    ``os.path.relpath``.
    """
    text, base = str(path), str(directory)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if text.startswith(prefix):
        return text[len(prefix) :].replace(os.sep, "/")
    return None


def _spec(patterns: Iterable[str]) -> pathspec.PathSpec[Any] | None:
    patterns = list(patterns)
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


_SPECIAL = "not a regular file (FIFO, device or socket); skipped"


class Discovery:
    """Lists files by the project's include/exclude/.gitignore rules."""

    def __init__(self, config: Config, suffixes: Iterable[str], cwd: Path | None = None) -> None:
        self.root = config.root.resolve()
        self.cwd = (cwd or Path.cwd()).resolve()
        self.suffixes = frozenset(s.lower() for s in suffixes)
        self._suffix_names = tuple(sorted(self.suffixes))  # for str.endswith on file names
        self.include = _spec(config.include)
        self.exclude = _spec(config.exclude)
        self._gitignores: dict[Path, pathspec.PathSpec[Any] | None] = {}
        self._special: list[Path] = []  # admitted names that are FIFOs, devices or sockets
        self._whole: list[SourceFile] | None = None  # targets() that hold the whole corpus

    def _relative(self, path: Path) -> str:
        inside = _below(path, self.root)
        if inside is not None:
            return inside
        return "." if path == self.root else path.as_posix()

    def _excluded(self, relative: str) -> bool:
        return self.exclude is not None and self.exclude.match_file(relative)

    def _gitignore(self, directory: Path) -> pathspec.PathSpec[Any] | None:
        if directory not in self._gitignores:
            spec = None
            ignore_file = directory / ".gitignore"
            if ignore_file.is_file():
                try:
                    lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
                except OSError:
                    spec = None
            self._gitignores[directory] = spec
        return self._gitignores[directory]

    def _git_ignored(self, path: Path, is_dir: bool, bases: Sequence[Path]) -> bool:
        for base in bases:
            spec = self._gitignore(base)
            if spec is None:
                continue
            name = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            if spec.match_file(name):
                return True
        return False

    def _file(self, path: Path, target: bool) -> SourceFile:
        return SourceFile(str(path), display_path(path, self.cwd), self._relative(path), target)

    def walk(self, directory: Path, target: bool) -> Iterator[SourceFile]:
        """Admitted regular files under ``directory``, in sorted order; links are not followed.

        A folder's files come before its subfolders', as ``os.walk`` gives them, but
        from ``os.scandir`` directly: each file's path comes joined and its ``stat``
        from its entry (0.55 s instead of 0.60 s for 100,000 files). What it lists is
        kept for the run, so it is frozen from the collector's sight as it grows
        (``gc_pause.freezing``): full collections took up to 0.2 s of the walk.
        """
        return freezing(self._walk(directory, target))

    def _walk(self, directory: Path, target: bool) -> Iterator[SourceFile]:
        directory = directory.resolve()
        under_root = directory == self.root or self.root in directory.parents
        top = self.root if under_root else directory  # .gitignore files apply from here down
        pending = [str(directory)]
        while pending:
            current = pending.pop()
            try:
                with os.scandir(current) as listing:
                    entries = sorted(listing, key=_name)
            except OSError:
                continue  # unreadable or gone: os.walk skipped such folders too
            here = Path(current)
            bases = [p for p in (here, *here.parents) if p == top or top in p.parents]
            ignoring = [b for b in bases if self._gitignore(b) is not None]
            folders: list[str] = []
            files: list[os.DirEntry[str]] = []
            for entry in entries:
                if _is_dir(entry):
                    folders.append(entry.name)
                else:
                    files.append(entry)
            pending.extend(
                os.path.join(current, d)
                for d in reversed(folders)  # popped in sorted order
                if d not in ALWAYS_EXCLUDED
                and not (here / d).is_symlink()
                and not self._git_ignored(here / d, True, bases)
                and not self._excluded(self._relative(here / d) + "/")
            )
            # Per directory, not per file: a corpus walk visits 100,000 files, and looking
            # these up for each cost 0.3 us of the 3.3 us of Python a file takes.
            relative_dir, shown_dir = self._relative(here), display_path(here, self.cwd)
            relative_prefix = "" if relative_dir == "." else relative_dir + "/"
            shown_prefix = "" if shown_dir == "." else shown_dir + "/"
            suffixes, regular = self._suffix_names, stat.S_ISREG
            included = self.include.match_file if self.include is not None else None
            excluded = self.exclude.match_file if self.exclude is not None else None
            for entry in files:
                name = entry.name
                if not name.lower().endswith(suffixes):
                    continue
                relative = relative_prefix + name
                if included is not None and not included(relative):
                    continue
                if excluded is not None and excluded(relative):
                    continue
                if ignoring and self._git_ignored(here / name, False, ignoring):
                    continue
                try:
                    info = entry.stat()  # follows a link to a file, as os.stat does
                except OSError:
                    info = None  # vanished or unreadable: the reader will say what is wrong
                if info is None or regular(info.st_mode):
                    seen = (info.st_size, info.st_mtime_ns) if info is not None else None
                    yield SourceFile(entry.path, shown_prefix + name, relative, target, seen)
                elif target:
                    self._special.append(here / name)

    def targets(self, paths: Sequence[Path]) -> tuple[list[SourceFile], list[Skipped]]:
        """The files named on the command line, folders walked; unusable paths are skipped."""
        found: dict[str, SourceFile] = {}
        skipped: list[Skipped] = []
        walked_root = False
        for given in paths:
            path = (self.cwd / given).resolve() if not given.is_absolute() else given.resolve()
            shown = display_path(path, self.cwd)
            if path.is_dir():
                walked_root = walked_root or path == self.root
                self._special = []
                walked = 0
                for source in self.walk(path, True):
                    found.setdefault(source.location, source)
                    walked += 1
                for special in self._special:
                    skipped.append(Skipped(display_path(special, self.cwd), _SPECIAL))
                if not walked and not self._special and path != self.root:
                    names = ", ".join(sorted(self.suffixes))
                    skipped.append(Skipped(shown, f"no files to check in this folder ({names})"))
            elif not path.exists():
                skipped.append(Skipped(shown, "no such file or directory"))
            elif not _regular_file(path):
                skipped.append(Skipped(shown, _SPECIAL))
            elif not any(s in self.suffixes for s in name_suffixes(path.name)):
                skipped.append(
                    Skipped(
                        shown, f"no reader for {path.suffix or 'files without a suffix'}; skipped"
                    )
                )
            elif not self._excluded(self._relative(path)):
                found.setdefault(str(path), self._file(path, True))
        chosen = sorted(found.values(), key=lambda s: s.display)
        self._whole = chosen if walked_root else None
        return chosen, skipped

    def inside(self, path: Path) -> bool:
        """Whether ``path`` lies in the project (under its root)."""
        return path == self.root or self.root in path.parents

    def corpus(self, targets: Sequence[SourceFile]) -> list[SourceFile]:
        """The whole corpus under the root, with the given targets marked as such.

        Targets outside the project are compared with each other only: a file elsewhere
        on disk is not part of this project's corpus, and checking it from here should
        not compare it with articles it has nothing to do with.
        """
        if targets is self._whole:  # the root was a target: walking it again took 0.55 s
            return list(targets)  # at 100,000 files, before any file was checked
        chosen = {t.location: t for t in targets}  # strings: hashing 100,000 Paths took 0.5 s
        if not targets or any(self.inside(t.path) for t in targets):
            for source in self.walk(self.root, False):
                chosen.setdefault(source.location, source)
        return sorted(chosen.values(), key=lambda s: s.display)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder, or a link to one (``os.walk`` lists those as folders)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return True  # let the reader report why it cannot be read
