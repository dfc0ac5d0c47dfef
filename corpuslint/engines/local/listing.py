"""The corpus listing kept in the cache, so a run over a few files need not list the corpus.

In a git work tree, a run that lists the corpus saves the listing in the cache: each
file's root-relative path, its display path and the id of its cache entry, under a
digest of git's state (HEAD, and what ``git status --porcelain -uall`` says about the
files other than the targets) and of what decides the listing (root, working folder,
suffixes, include and exclude with the nested configurations' excludes). A later run
whose digest is the same reuses it: a file git calls unchanged has HEAD's content, as
when its entry was validated, so it is neither listed, nor looked at, nor is its entry
read unless a target shares a key with it.

What git's status names (modified, staged, deleted, untracked) and what had no valid
entry are looked at as usual, each alone. Any other change (a commit, a new, deleted
or renamed file, a changed ``.gitignore``, configuration or nested configuration file)
changes the digest: the corpus is listed again. Outside a git work tree, when git
fails, with ``follow-external-links`` or when the root itself is a target, nothing
is saved or reused. A listing is saved only if git's state is the same after the
run as before it (a file changed meanwhile would otherwise be taken as unchanged
under an entry of other content). Links are always looked at: git sees the link,
not what it points to.

Trusted: git's own view. A file marked ``assume-unchanged`` or ``skip-worktree`` is
taken as unchanged, as git takes it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corpuslint.cache.store import Cache
from corpuslint.config import Config
from corpuslint.run import gitstate
from corpuslint.run.discover import GIT_TIMEOUT, Discovery, SourceFile

FORMAT = 1
"""The layout of a saved listing; another makes every saved one miss."""
_STAGED = "ACMR"
"""Index states in ``git status --porcelain`` that :func:`corpuslint.run.gitstate.staged`
counts as staged (its ``--diff-filter=ACMR``)."""


@dataclass(frozen=True)
class GitState:
    """What git says about the work tree, as far as a saved listing depends on it."""

    digest: str
    """Of HEAD, the status outside the targets and the listing's settings."""
    changed: frozenset[str]
    """Root-relative paths git's status names (the targets' included)."""
    repository: tuple[str, str]
    """The work tree's top folder and its HEAD commit."""
    staged: frozenset[str]
    """Absolute paths of the files under the root staged for the next commit (added,
    copied, modified), as :func:`corpuslint.run.gitstate.staged` gives them."""


def git_state(
    discovery: Discovery, config: Config, targets: Sequence[SourceFile]
) -> GitState | None:
    """Git's state for a saved listing; ``None`` where no listing is saved or reused."""
    if config.follow_external_links or discovery.whole(targets):
        return None
    if not any(discovery.inside(t.path) for t in targets):
        return None  # the corpus is not listed at all (targets outside the project)
    head, status = gitstate.git_all(discovery.root, gitstate.STATE, GIT_TIMEOUT)
    if head is None or status is None:
        return None
    lines = os.fsdecode(head).split("\n")
    if len(lines) < 3 or not lines[0] or not lines[2]:
        return None
    top, prefix, commit = lines[:3]
    mine = {prefix + t.relative for t in targets if t.buffer is None}
    kept: list[str] = []
    changed: set[str] = set()
    staged: set[str] = set()
    for record in os.fsdecode(status).split("\0"):
        if len(record) < 4:
            continue
        path = record[3:]
        if not path.startswith(prefix):
            return None  # not under the root after all: no listing
        changed.add(path[len(prefix) :])
        if record[0] in _STAGED:
            staged.add(os.path.join(discovery.root, path[len(prefix) :]))
        if path not in mine:
            kept.append(record)
    settings = (
        FORMAT,
        str(discovery.root),
        str(discovery.cwd),
        sorted(discovery.suffixes),
        config.include,
        config.excluded,
        commit,
        prefix,
        sorted(kept),
    )
    digest = hashlib.blake2b(repr(settings).encode("utf-8", "surrogatepass"), digest_size=16)
    return GitState(digest.hexdigest(), frozenset(changed), (top, commit), frozenset(staged))


@dataclass(frozen=True)
class Reused:
    """A saved listing that still holds: the corpus as files to look at and known ones."""

    looked_at: list[SourceFile]
    """The targets and the listed files to look at (named by git's status, or no entry)."""
    rowids: NDArray[np.int64]
    """The entries of the files known unchanged."""
    names: list[bytes]
    """The listing's names: each file's root-relative path, then its display path."""
    positions: NDArray[np.intp]
    """Where each of ``rowids`` is listed (its names are ``names[2 * position]`` and the
    one after)."""
    root: str

    @property
    def count(self) -> int:
        """How many files the corpus holds."""
        return len(self.looked_at) + len(self.rowids)

    def sources(self, rowids: NDArray[np.int64]) -> list[tuple[SourceFile, int]]:
        """The known files whose entries have these ids, with their ids, in that order.

        A file that resolves outside the project (a link a stored listing names, which
        discovery would have skipped) is left out: it is never read.
        """
        at = np.flatnonzero(np.isin(self.rowids, rowids))
        made: dict[int, SourceFile] = {}
        inside = _Inside(self.root)
        for known, position in zip(at.tolist(), self.positions[at].tolist(), strict=True):
            relative = os.fsdecode(self.names[2 * position])
            display = os.fsdecode(self.names[2 * position + 1])
            location = os.path.join(self.root, *relative.split("/"))
            if inside(location):
                made[int(self.rowids[known])] = SourceFile(location, display, relative, False)
        return [(made[rowid], rowid) for rowid in rowids.tolist() if rowid in made]


class _Inside:
    """Whether locations, links resolved, are below ``root`` (itself resolved).

    As :func:`os.path.realpath` decides it, with each folder resolved once: a cached
    file's folder is shared by many, and a run over a few files may look at a thousand.
    """

    def __init__(self, root: str) -> None:
        self._root = os.path.realpath(root)
        self._prefix = self._root.rstrip(os.sep) + os.sep
        self._folders: dict[str, str] = {}

    def __call__(self, location: str) -> bool:
        folder, name = os.path.split(location)
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = self._folders[folder] = os.path.realpath(folder)
        if os.path.islink(location):
            real = os.path.realpath(location)
        else:  # a plain name (no ``.`` or ``..``: the listing is checked) that is no link
            real = os.path.join(real_folder, name)
        return real == self._root or real.startswith(self._prefix)


_SEPARATORS = (b"\0", b"/")
_NOT_PARTS = (b"", b".", b"..")
_NOT_PART_INSIDE = tuple(
    before + part + after for part in _NOT_PARTS for before in _SEPARATORS for after in _SEPARATORS
)
"""An empty, ``.`` or ``..`` part between two separators, in names joined by NUL."""


def _plain(names: Sequence[bytes]) -> bool:
    """Whether every stored name (none holds a NUL) is a plain relative path below the root.

    No ``..``, no absolute path, no empty or ``.`` part, no backslash (a Windows
    separator). Substring tests over the names joined, since a listing holds every file
    of the corpus: a regular expression trying each position took 70 ms at 100k files.
    """
    if not names:
        return True
    joined = b"\0".join(names)
    if joined in _NOT_PARTS or b"\\" in joined:
        return False
    if any(joined.startswith(part + sep) for part in _NOT_PARTS for sep in _SEPARATORS):
        return False
    if any(joined.endswith(sep + part) for part in _NOT_PARTS for sep in _SEPARATORS):
        return False
    return not any(inside in joined for inside in _NOT_PART_INSIDE)


def _encode(entries: Sequence[tuple[str, str, int]]) -> bytes:
    """(relative path, display path, entry id) of each file, as stored."""
    count = len(entries).to_bytes(8, "little")
    rowids = np.array([e[2] for e in entries], dtype="<i8").tobytes()
    names = b"\0".join(os.fsencode(p) for e in entries for p in e[:2])
    return count + rowids + names


def _decode(blob: bytes) -> tuple[NDArray[np.int64], list[bytes]] | None:
    """A stored listing, checked; ``None`` if it is not one."""
    if len(blob) < 8:
        return None
    count = int.from_bytes(blob[:8], "little")
    end = 8 + 8 * count
    if end > len(blob):
        return None
    rowids = np.frombuffer(blob[8:end], dtype="<i8").astype(np.int64)
    names = blob[end:].split(b"\0") if count else []
    if len(names) != 2 * count or not _plain(names[0::2]):
        return None
    return rowids, names


def reuse(
    cache: Cache, state: GitState, discovery: Discovery, targets: Sequence[SourceFile]
) -> Reused | None:
    """The saved listing for ``state``, if there is one: the corpus without a walk."""
    blob = cache.listing(state.digest)
    decoded = None if blob is None else _decode(blob)
    if decoded is None:
        return None
    rowids, names = decoded
    sources = list(targets)
    mine = {os.fsencode(t.relative) for t in targets}
    look = {os.fsencode(p) for p in state.changed}
    root = str(discovery.root)
    inside = _Inside(root)
    keep = rowids >= 0
    named = mine | look
    relatives = names[0::2]
    aside = [at for at, relative in enumerate(relatives) if relative in named]
    for at in sorted({*aside, *np.flatnonzero(~keep).tolist()}):
        keep[at] = False
        relative = relatives[at]
        if relative in mine:
            continue
        text = os.fsdecode(relative)
        location = os.path.join(root, *text.split("/"))
        if not inside(location):
            return None  # discovery never lists such a file: not a listing of ours
        sources.append(SourceFile(location, os.fsdecode(names[2 * at + 1]), text, False))
    chosen = np.flatnonzero(keep)
    return Reused(sources, rowids[chosen], names, chosen, root)


def save(
    cache: Cache,
    state: GitState,
    state_after: GitState | None,
    listed: Sequence[SourceFile],
    validated: set[str],
) -> None:
    """Save the corpus listed by this run, if git's state did not change during it."""
    if state_after is None or state_after.digest != state.digest or not cache.usable:
        return
    entries = cache.entries()
    kept: list[tuple[str, str, int]] = []
    for source in listed:
        entry = entries.get(source.location)
        valid = entry is not None and entry[3] == source.display
        if not valid or source.location not in validated or os.path.islink(source.location):
            kept.append((source.relative, source.display, -1))
        else:
            assert entry is not None
            kept.append((source.relative, source.display, entry[4]))
    cache.save_listing(state.digest, _encode(kept))
