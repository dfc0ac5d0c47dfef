"""Which files form the corpus and which are the targets of this run.

The corpus is every file with a known suffix under the project root that ``include``,
``exclude`` (by default ``config.DEFAULT_EXCLUDE``), ``extend-exclude`` and git admit.
In a git work tree the files are what ``git ls-files -co --exclude-standard`` lists:
git's own answer, with ``.git/info/exclude`` and the global ignore file, and several
times faster than a walk. Elsewhere, or when git fails, folders are walked and the
``.gitignore`` files in them honoured. Targets are the paths named on the command line
(folders are listed with the same rules); files named explicitly are checked even if
git ignores them, but ``exclude`` still applies so a pre-commit hook honours it. A file
named explicitly that no reader reads is left out with a note: a hook that passes every
staged text file must not fail on a YAML file.

Selecting no file at all from the folders named (or the project) is an error,
:class:`NothingToCheck`, that says which patterns matched nothing and where: a run that
checks nothing must not pass silently.

A :class:`Buffer` (stdin with ``--stdin-filename``, an editor's text) is the target
in place of a file of that name: the file is not read, and need not exist.

Reading stays inside the project: a file or folder in the project whose real path is
outside it (a symbolic link out, as a pull request can add) is skipped with a warning
unless ``follow-external-links = true``. Links inside the project are not followed
as folders (what they hold is walked where it is), and a link to a file the corpus
holds is that file, read once under its own name, not a copy of it. A symlink loop or a
folder that cannot be read is a warning naming it, and the run goes on. A path named
on the command line outside the project is the user's own choice and is read; its walk
stays inside the folder named.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pathspec

from corpuslint import console
from corpuslint._support.gc_pause import freezing
from corpuslint.config import CONFIG_NAMES, Config, ConfigError, config_in
from corpuslint.readers.base import name_suffixes
from corpuslint.run import gitstate

ALWAYS_EXCLUDED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".corpuslint_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
)
"""Folders never read, whatever ``exclude`` says: version control and tool caches."""
GIT_TIMEOUT = 60.0  # seconds; git lists 100,000 files in well under one


class NothingToCheck(ConfigError):
    """No file was selected: the message says which patterns matched nothing, and where."""


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
    buffer: bytes | None = None
    """The content to check in place of the file's on disk (see :class:`Buffer`): the
    executor reads this, never the file, and the cache keeps no entry for it."""

    @cached_property
    def path(self) -> Path:
        """The file's path (made on first use: most cached files are never opened)."""
        return Path(self.location)

    def size(self) -> int:
        """The file's size as the walk saw it, else as it is now.

        0 when it cannot be looked at: the reader then reports why it cannot be read.
        """
        if self.stat is not None:
            return self.stat[0]
        try:
            return os.stat(self.location).st_size
        except OSError:
            return 0


@dataclass(frozen=True)
class Buffer:
    """Content in memory that stands for a file: stdin, or an editor's unsaved text.

    It is checked as if it were the file at ``path`` (which need not exist): the reader
    is chosen by its name, findings are reported under it, and the rest of the corpus
    is read as usual, this content replacing the file's.
    """

    path: Path
    data: bytes


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


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_ANY_FOLDER = "^(?:.+/)?"  # how pathspec starts the expression of a pattern without a slash


class _Patterns:
    """Gitignore-style patterns, matched against ``/``-separated relative paths.

    pathspec tries each pattern in turn, in Python: with the ~80 default excludes that
    took 0.5 s of a 10,000-file listing. Without negations, a path is matched when any
    pattern matches, so the patterns are joined into regular expressions tried in C: a
    pattern with no ``/`` but a trailing one matches a name at any level, so it is tried
    on the file's name and, once per folder, on the folder's names; the others on the
    whole path.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        self.match_file: Callable[[str], bool] = self.spec.match_file
        if len(patterns) != len(self.spec.patterns):
            return  # not one pattern a line: pathspec decides
        used = list(zip(patterns, self.spec.patterns, strict=True))
        if not all(p.include and p.regex is not None for _, p in used):
            return  # blank lines, comments or negations: pathspec decides, in order
        names = [p for line, p in used if "/" not in line.strip().rstrip("/")]
        paths = [p for line, p in used if "/" in line.strip().rstrip("/")]
        try:
            self._name = _joined(names, _ANY_FOLDER)  # tried on one name: no folders before it
            self._path = _joined(paths)
        except re.error:
            return
        self._folders: dict[str, bool] = {}
        self.match_file = self._match

    def _match(self, relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        if self._name is not None:
            if self._name(name):
                return True
            if folder:
                hit = self._folders.get(folder)
                if hit is None:
                    hit = any(self._name(part + "/") for part in folder.split("/"))
                    self._folders[folder] = hit
                if hit:
                    return True
        return self._path is not None and self._path(relative)


def _joined(patterns: Sequence[pathspec.Pattern], drop: str = "") -> Callable[[str], bool] | None:
    """One regular expression's test for any of ``patterns`` (``None`` for none).

    ``drop`` is a prefix to take off each pattern's expression.
    """
    if not patterns:
        return None
    texts = [_NAMED_GROUP.sub("(?:", p.regex.pattern) for p in patterns]  # type: ignore[attr-defined]
    if drop:
        texts = ["^" + t[len(drop) :] if t.startswith(drop) else t for t in texts]
    joined = "|".join(f"(?:{text})" for text in texts)
    search = re.compile(joined).search
    return lambda text: search(text) is not None


def _spec(patterns: Iterable[str]) -> _Patterns | None:
    patterns = list(patterns)
    return _Patterns(patterns) if patterns else None


_SPECIAL = "not a regular file (FIFO, device or socket); skipped"
_EXTERNAL = "links to outside the project; skipped (set follow-external-links = true to read it)"
_LOOP = "symlink loop; skipped"


class Discovery:
    """Lists files by the project's include/exclude/.gitignore rules."""

    def __init__(self, config: Config, suffixes: Iterable[str], cwd: Path | None = None) -> None:
        self.root = config.root.resolve()
        self.cwd = (cwd or Path.cwd()).resolve()
        self.suffixes = frozenset(s.lower() for s in suffixes)
        self._suffix_names = tuple(sorted(self.suffixes))  # for str.endswith on file names
        self.include = _spec(config.include)
        self.exclude = _spec(config.excluded)
        self._include_patterns = config.include
        self._source = config.source
        self._gitignores: dict[Path, pathspec.PathSpec[Any] | None] = {}
        self._special: list[Path] = []  # admitted names that are FIFOs, devices or sockets
        self.follow = config.follow_external_links
        self._noted: set[str] = set()  # paths warned about, so a second walk says nothing
        self._unreadable: set[str] = set()  # folders the walk could not list
        self._whole: list[SourceFile] | None = None  # targets() that hold the whole corpus
        self._git: list[str] | None = None  # what git lists under the root, once asked
        self._git_asked = False
        self.listed: list[SourceFile] | None = None
        self._links: dict[str, str] = {}  # admitted links to files: location -> real path
        """What :meth:`corpus` found under the root by the listing or walk, if it listed."""

    def _relative(self, path: Path) -> str:
        inside = _below(path, self.root)
        if inside is not None:
            return inside
        return "." if path == self.root else path.as_posix()

    def _excluded(self, relative: str) -> bool:
        return self.exclude is not None and self.exclude.match_file(relative)

    def _warn(self, location: str, reason: str) -> None:
        """One warning line about a path, the first time it is met."""
        if location not in self._noted:
            self._noted.add(location)
            console.warning(f"{display_path(Path(location), self.cwd)}: {reason}")

    def _gitignore(self, directory: Path) -> pathspec.PathSpec[Any] | None:
        if directory not in self._gitignores:
            spec = None
            ignore_file = directory / ".gitignore"
            try:
                if ignore_file.is_file():
                    lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
            except (OSError, ValueError, re.error):
                spec = None  # unreadable, or a pattern pathspec cannot parse: no rules here
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

    def _link(self, location: str, bounds: str) -> tuple[bool, bool]:
        """(whether a link met in a walk loops, whether it leads outside ``bounds``)."""
        try:
            os.stat(location)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return True, False
        if self.follow:
            return False, False
        return False, not _within(os.path.realpath(location), bounds)

    def _git_listing(self) -> list[str] | None:
        """The files git lists under the root (root-relative), or ``None`` to walk instead.

        Not with ``follow-external-links``: git lists a link to a folder as one entry,
        and following it is the walk's business.
        """
        if not self._git_asked:
            self._git_asked = True
            self._git = None if self.follow else git_files(self.root)
        return self._git

    def _listed(self, names: Sequence[str], directory: Path, target: bool) -> Iterator[SourceFile]:
        """The admitted files of git's listing under ``directory`` (inside the root).

        The same rules as the walk: suffixes, include, exclude, the folders never read,
        and links: one whose real path is outside the project is skipped with a warning,
        one that loops is left to its reader, which reports it.
        """
        base = self._relative(directory)
        prefix = "" if base == "." else base + "/"
        suffixes, root, bounds = self._suffix_names, str(self.root), str(self.root)
        included = self.include.match_file if self.include is not None else None
        excluded = self.exclude.match_file if self.exclude is not None else None
        shown_dirs: dict[str, str] = {}
        for relative in names:
            if not relative.startswith(prefix) or not relative.lower().endswith(suffixes):
                continue
            if included is not None and not included(relative):
                continue
            if excluded is not None and excluded(relative):
                continue
            folder, _, name = relative.rpartition("/")
            if folder and not ALWAYS_EXCLUDED.isdisjoint(folder.split("/")):
                continue
            location = os.path.join(root, *relative.split("/"))
            try:
                info: os.stat_result | None = os.lstat(location)
            except OSError:
                continue  # tracked but deleted in the work tree
            assert info is not None
            if stat.S_ISLNK(info.st_mode):
                loops, out = self._link(location, bounds)
                if out:
                    self._warn(location, _EXTERNAL)
                    continue
                self._links[location] = os.path.realpath(location)
                try:
                    info = None if loops else os.stat(location)
                except OSError:
                    info = None  # the reader says what is wrong
            shown_dir = shown_dirs.get(folder)
            if shown_dir is None:
                shown = display_path(Path(os.path.join(root, *folder.split("/"))), self.cwd)
                shown_dir = shown_dirs[folder] = "" if shown == "." else shown + "/"
            if info is None or stat.S_ISREG(info.st_mode):
                seen = (info.st_size, info.st_mtime_ns) if info is not None else None
                yield SourceFile(location, shown_dir + name, relative, target, seen)
            elif target and not stat.S_ISDIR(info.st_mode):
                self._special.append(Path(location))

    def _split(
        self, entries: Sequence[os.DirEntry[str]], bounds: str, followed: set[str]
    ) -> tuple[list[str], list[os.DirEntry[str]], set[str]]:
        """A folder's entries as (folders to consider, files, names of links out of bounds).

        A link to a folder in the project is not followed: its files are walked where
        they are. One that leads out is followed only with follow-external-links, and
        each real folder once (a link back up would loop). A link that loops is left to
        the reader if its name is a corpus file's (which reports it as unreadable), and
        is otherwise dropped with a warning.
        """
        folders: list[str] = []
        files: list[os.DirEntry[str]] = []
        outside: set[str] = set()
        for entry in entries:
            if _is_link(entry):
                loops, out = self._link(entry.path, bounds)
                if loops:
                    if entry.name.lower().endswith(self._suffix_names):
                        files.append(entry)  # a file's reader reports it: a CL001 finding
                    else:
                        self._warn(entry.path, _LOOP)
                    continue
                if out:
                    outside.add(entry.name)
                if _is_dir(entry):
                    real = os.path.realpath(entry.path)
                    if out or (self.follow and not _within(real, bounds) and real not in followed):
                        followed.add(real)
                        folders.append(entry.name)
                    continue
            if _is_dir(entry):
                folders.append(entry.name)
            else:
                files.append(entry)
        return folders, files, outside

    def _list(self, folder: str) -> list[os.DirEntry[str]] | None:
        """A folder's entries by name; ``None`` (with a warning) if it cannot be read."""
        try:
            with os.scandir(folder) as listing:
                return sorted(listing, key=_name)
        except FileNotFoundError:
            return None  # gone since it was listed
        except OSError as exc:
            self._unreadable.add(folder)
            self._warn(folder, f"cannot read folder: {exc.strerror or exc}; skipped")
            return None

    def _subfolders(
        self, here: Path, folders: Sequence[str], outside: set[str], bases: Sequence[Path]
    ) -> list[str]:
        """The folders of ``here`` to walk, in order; links out of bounds are warned about."""
        chosen: list[str] = []
        for name in folders:
            if (
                name in ALWAYS_EXCLUDED
                or self._git_ignored(here / name, True, bases)
                or self._excluded(self._relative(here / name) + "/")
            ):
                continue
            location = os.path.join(here, name)
            if name in outside:
                self._warn(location, _EXTERNAL)
            else:
                chosen.append(location)
        return chosen

    def _walk(self, directory: Path, target: bool) -> Iterator[SourceFile]:
        directory = directory.resolve()
        under_root = directory == self.root or self.root in directory.parents
        listing = self._git_listing() if under_root else None
        if listing is not None:
            yield from self._listed(listing, directory, target)
            return
        top = self.root if under_root else directory  # .gitignore files apply from here down
        bounds = str(top)  # what links may lead to (unless follow-external-links)
        followed = {str(directory)}  # real paths of folders entered, against link loops
        pending = [str(directory)]
        while pending:
            current = pending.pop()
            entries = self._list(current)
            if entries is None:
                continue
            here = Path(current)
            bases = [p for p in (here, *here.parents) if p == top or top in p.parents]
            ignoring = [b for b in bases if self._gitignore(b) is not None]
            folders, files, outside = self._split(entries, bounds, followed)
            pending.extend(reversed(self._subfolders(here, folders, outside, bases)))
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
                if outside and name in outside:
                    self._warn(entry.path, _EXTERNAL)
                    continue
                try:
                    info = entry.stat()  # follows a link to a file, as os.stat does
                except OSError:
                    info = None  # vanished or unreadable: the reader will say what is wrong
                if _is_link(entry):
                    self._links[entry.path] = os.path.realpath(entry.path)
                if info is None or regular(info.st_mode):
                    seen = (info.st_size, info.st_mtime_ns) if info is not None else None
                    yield SourceFile(entry.path, shown_prefix + name, relative, target, seen)
                elif target:
                    self._special.append(here / name)

    def targets(self, paths: Sequence[Path]) -> tuple[list[SourceFile], list[Skipped]]:
        """The files named on the command line, folders walked; unusable paths are skipped."""
        found: dict[str, SourceFile] = {}
        skipped: list[Skipped] = []
        empty_folders: list[Skipped] = []
        unread: list[str] = []  # files named that no reader reads
        folders: list[Path] = []
        walked_root = named_file = False
        for given in paths:
            named = Path(os.path.normpath(given if given.is_absolute() else self.cwd / given))
            try:
                path = named.resolve()
                is_dir = stat.S_ISDIR(path.stat().st_mode)
            except FileNotFoundError:
                is_dir = False
            except (OSError, RuntimeError) as exc:  # RuntimeError: a loop, before Python 3.13
                looped = isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP
                why = exc.strerror if isinstance(exc, OSError) else None
                reason = _LOOP if looped else f"cannot read: {why or exc}; skipped"
                self._warn(str(named), reason)
                continue
            shown = display_path(path, self.cwd)
            if self.inside(named) and not self.inside(path) and not self.follow:
                self._warn(str(named), _EXTERNAL)
                continue
            if is_dir:
                folders.append(path)
                walked_root = walked_root or path == self.root
                empty_folders.extend(self._folder(path, shown, found, skipped))
                continue
            named_file = True
            if not os.path.lexists(path):
                skipped.append(Skipped(shown, "no such file or directory"))
            elif not _regular_file(path):
                skipped.append(Skipped(shown, _SPECIAL))
            elif not any(s in self.suffixes for s in name_suffixes(path.name)):
                unread.append(shown)
            elif not self._excluded(self._relative(path)):
                found.setdefault(str(path), self._file(path, True))
        chosen = sorted(found.values(), key=lambda s: s.display)
        _note_unread(unread)
        if not chosen and not named_file and folders:
            raise NothingToCheck(self._nothing_selected(folders))
        self._whole = chosen if walked_root else None
        return chosen, skipped + empty_folders

    def buffered(self, buffer: Buffer) -> tuple[list[SourceFile], list[Skipped]]:
        """The one target of a run on :class:`Buffer` content, as :meth:`targets` names a file.

        Its name decides the reader and ``exclude`` applies, as for a file named on the
        command line; the file itself is never looked at (it need not exist). A name no
        reader reads, or an excluded one, is no target, with a note.
        """
        given = buffer.path
        named = Path(os.path.normpath(given if given.is_absolute() else self.cwd / given))
        try:
            path = named.resolve()
        except (OSError, RuntimeError):  # a loop in the folders above it
            path = named
        shown = display_path(path, self.cwd)
        self._whole = None
        if not any(s in self.suffixes for s in name_suffixes(path.name)):
            _note_unread([shown])
            return [], []
        if self._excluded(self._relative(path)):
            console.note(f"{shown}: excluded by the configuration (exclude); not checked")
            return [], []
        source = SourceFile(str(path), shown, self._relative(path), True, None, buffer.data)
        return [source], []

    def _folder(
        self, path: Path, shown: str, found: dict[str, SourceFile], skipped: list[Skipped]
    ) -> list[Skipped]:
        """Add a folder's files to ``found`` (special files to ``skipped``); an empty one."""
        self._special = []
        walked = 0
        for source in self.walk(path, True):
            found.setdefault(source.location, source)
            walked += 1
        for special in self._special:
            skipped.append(Skipped(display_path(special, self.cwd), _SPECIAL))
        empty = not walked and not self._special and path != self.root
        if empty and str(path) not in self._unreadable:
            names = ", ".join(sorted(self.suffixes))
            return [Skipped(shown, f"no files to check in this folder ({names})")]
        return []

    def _nothing_selected(self, folders: Sequence[Path]) -> str:
        """Why the folders named hold no file to check: one line for :class:`NothingToCheck`."""
        where = ", ".join(_shown_folder(f, self.cwd) for f in folders)
        origin = f"configuration {self._source}" if self._source else "no configuration file"
        if self._include_patterns:
            patterns = ", ".join(repr(p) for p in self._include_patterns)
            why = f"include pattern(s) {patterns} (relative to {self.root}) matched no file"
        else:
            why = "no file with a suffix a reader reads (" + ", ".join(sorted(self.suffixes)) + ")"
        widened = Discovery(
            Config(
                root=self.root,
                include=self._include_patterns,
                exclude=(),
                follow_external_links=self.follow,
            ),
            self.suffixes,
            self.cwd,
        )
        widened._noted = self._noted  # its warnings were given already
        hidden = sum(1 for folder in folders for _ in widened.walk(folder, False))
        if hidden:
            why += f"; {hidden} file(s) are excluded by exclude/extend-exclude (or the defaults)"
        return f"nothing to check in {where}: {why} ({origin})"

    def whole(self, targets: Sequence[SourceFile]) -> bool:
        """Whether ``targets`` are what :meth:`targets` gave for the root: the whole corpus."""
        return targets is self._whole

    def inside(self, path: Path) -> bool:
        """Whether ``path`` lies in the project (under its root)."""
        return path == self.root or self.root in path.parents

    def corpus(self, targets: Sequence[SourceFile]) -> list[SourceFile]:
        """The whole corpus under the root, with the given targets marked as such.

        Targets outside the project are compared with each other only: a file elsewhere
        on disk is not part of this project's corpus, and checking it from here should
        not compare it with articles it has nothing to do with.
        """
        if targets is self._whole and not self._links:  # the root was a target: walking it
            self.listed = list(targets)  # again took 0.55 s at 100,000 files
            return list(targets)
        chosen = {t.location: t for t in targets}  # strings: hashing 100,000 Paths took 0.5 s
        if targets is self._whole:
            listed = list(targets)
        elif not targets or any(self.inside(t.path) for t in targets):
            listed = list(self.walk(self.root, False))
            for source in listed:
                chosen.setdefault(source.location, source)
        else:
            return sorted(chosen.values(), key=lambda s: s.display)
        dropped = self._second_names(chosen)
        self.listed = [s for s in listed if s.location not in dropped] if dropped else listed
        return sorted(chosen.values(), key=lambda s: s.display)

    def _second_names(self, chosen: dict[str, SourceFile]) -> set[str]:
        """Leave out of ``chosen`` the links to a file it holds under another name.

        A link to a file of the project is that file, not a copy of it: of the names of
        one file, the one kept is a target if one is, else the file's own name, else the
        first link in path order. Returns the locations left out.
        """
        names: dict[str, list[str]] = {}
        root = str(self.root)
        for link, real in self._links.items():
            if link in chosen:
                own = root + real[len(root) :] if _within(real, root) else real
                names.setdefault(own, []).append(link)
        dropped: set[str] = set()
        for own, links in names.items():
            every = [own, *links] if own in chosen else links
            if len(every) < 2:
                continue
            kept = min(every, key=lambda n: (not chosen[n].target, n in self._links, n))
            for name in every:
                if name != kept:
                    del chosen[name]
                    dropped.add(name)
        return dropped


def _shown_folder(folder: Path, cwd: Path) -> str:
    """A folder for messages: as shown elsewhere, with its full path when that is ``.``."""
    shown = display_path(folder, cwd)
    return f"{shown} ({folder})" if shown == "." else shown


def _note_unread(unread: Sequence[str]) -> None:
    """One note for the files named that no reader reads (a hook passes every text file)."""
    if unread:
        more = f" and {len(unread) - 5} more" if len(unread) > 5 else ""
        listed = ", ".join(unread[:5]) + more
        console.note(f"no reader for {len(unread)} file(s) named, not checked: {listed}")


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _within(location: str, bounds: str) -> bool:
    """Whether the real path ``location`` is ``bounds`` or lies below it."""
    return location == bounds or location.startswith(bounds.rstrip(os.sep) + os.sep)


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


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


NESTED_CONFIGS = tuple(f":(glob)**/{name}" for name in CONFIG_NAMES)
"""Pathspecs of the configuration files below the root, for :func:`git_files`."""


def git_files_command(pathspecs: Sequence[str] = ()) -> list[str]:
    """The git command :func:`git_files` runs for ``pathspecs``."""
    arguments = ["ls-files", "--cached", "--others", "--exclude-standard", "-z"]
    return [*arguments, "--", *pathspecs] if pathspecs else arguments


def nested_config_files(config: Config) -> list[tuple[Path, Mapping[str, Any]]]:
    """The configuration files below the root (not the root's own), with their tables.

    Found where the corpus is: in git's listing in a work tree, else by a walk of the
    folders; folders never read, folders ``exclude`` leaves out and files whose real
    path is outside the project are passed over. None with ``--config`` (the file given
    alone applies). One per folder, as :func:`corpuslint.config.config_in` picks it.
    """
    if not config.hierarchical:
        return []
    root = config.root.resolve()
    excluded = _spec(config.excluded)
    # Only these names: git matches them in C, where listing every file of a large
    # corpus to pick them out in Python took a tenth of a pre-commit run.
    listed = None if config.follow_external_links else git_files(root, NESTED_CONFIGS)
    folders: set[str] = set()
    if listed is not None:
        for relative in listed:
            folder, _, name = relative.rpartition("/")
            if folder and name in CONFIG_NAMES:
                folders.add(folder)
    else:
        for here, subfolders, names in os.walk(root):
            base = _below(Path(here), root) or ""
            prefix = base + "/" if base and base != "." else ""
            subfolders[:] = sorted(
                n
                for n in subfolders
                if n not in ALWAYS_EXCLUDED
                and (excluded is None or not excluded.match_file(prefix + n + "/"))
            )
            if prefix and not CONFIG_NAMES_SET.isdisjoint(names):
                folders.add(base)
    found: list[tuple[Path, Mapping[str, Any]]] = []
    for folder in sorted(folders):
        parts = folder.split("/")
        if not ALWAYS_EXCLUDED.isdisjoint(parts):
            continue
        above = ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]
        if excluded is not None and any(excluded.match_file(f) for f in above):
            continue
        own = config_in(root / folder)
        if own is not None and _within(os.path.realpath(own[0]), str(root)):
            found.append(own)
    return found


CONFIG_NAMES_SET = frozenset(CONFIG_NAMES)


def git_files(root: Path, pathspecs: Sequence[str] = ()) -> list[str] | None:
    """The files of the git work tree under ``root`` that git does not ignore, or ``None``.

    Tracked and untracked files, relative to ``root`` with ``/``: what ``git ls-files
    -co --exclude-standard`` lists, which honours every ``.gitignore``,
    ``.git/info/exclude`` and the global ignore file. ``None`` outside a work tree or
    when git is missing or fails, so the caller walks the folders instead. The file
    system monitor is switched off: listing files starts no other program. With
    ``pathspecs``, only the files they match.
    """
    out = gitstate.git(root, git_files_command(pathspecs), GIT_TIMEOUT)
    if out is None:
        return None
    return sorted(dict.fromkeys(n for n in os.fsdecode(out).split("\0") if n))
