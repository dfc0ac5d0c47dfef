"""When files first entered git, for documents without a date of their own, kept in the cache.

Reading the whole history of a repository (``corpuslint.run.gitstate.first_added``)
takes a large share of a run over a few files in a large corpus. So the dates, once
read, are kept in the cache with the commit they were read at. A later run at the same
commit looks up only the files it needs; a run at a descendant commit reads only the
commits in between (``git log KEPT..HEAD``) and adds what they added. Any other commit
(a rebase, a branch switch to an unrelated line) reads the history again.

The result is the one the whole history gives: a file keeps the time it, or the name
it was renamed from, first entered git.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path

from corpuslint._support import profiling
from corpuslint.cache.store import Cache
from corpuslint.run import gitstate


class GitDates:
    """The git date of files named by display path (relative to ``cwd``), from the cache.

    Called once per corpus rule with the paths it lacks dates for. ``repository`` is the
    work tree's top folder and HEAD when the run knows them already; else git is asked
    once, for the repository of the first path.
    """

    def __init__(
        self, cwd: Path, cache: Cache | None = None, repository: tuple[str, str] | None = None
    ) -> None:
        self._cwd = cwd
        self._cache = cache if cache is not None and cache.usable else None
        self._asked = repository is not None
        self._repository = repository
        self._known: dict[str, str] = {}
        self._whole: Mapping[str, str] | None = None
        self._relative: dict[str, str | None] = {}
        """Each display path asked for, relative to the work tree's top (None: outside it)."""

    def __call__(self, paths: Collection[str]) -> dict[str, str]:
        """The date of each path git knows (the others are left out)."""
        if not paths:
            return {}
        cwd = os.fspath(self._cwd)
        if not self._asked:
            self._asked = True
            first = os.path.normpath(os.path.join(cwd, next(iter(paths))))
            self._repository = gitstate.repository(Path(first).parent)
        if self._repository is None:
            return {}
        top, head = self._repository
        relative = self._relative
        # Every corpus rule asks for the same paths: each is placed in the work tree once.
        prefix = top.rstrip(os.sep) + os.sep
        for path in paths:
            if path not in relative:
                location = os.path.normpath(os.path.join(cwd, path))
                inside = location.startswith(prefix)
                relative[path] = location[len(prefix) :].replace(os.sep, "/") if inside else None
        known = self._known
        wanted = {r for p in paths if (r := relative[p]) is not None and r not in known}
        if wanted:
            known.update(self._dates(top, head, list(wanted)))
        return {p: known[r] for p in paths if (r := relative[p]) is not None and r in known}

    def _dates(self, top: str, head: str, wanted: list[str]) -> Mapping[str, str]:
        if self._whole is None and self._cache is not None:
            kept = self._kept(self._cache, top, head, wanted)
            profiling.note("git dates kept", kept is not None)
            if kept is not None:
                return kept
        if self._whole is None:
            self._whole = gitstate.first_added_relative(top, head)
            if self._cache is not None and self._whole:
                self._cache.save_added(top, head, self._whole, replace=True)
        return {r: self._whole[r] for r in wanted if r in self._whole}

    @staticmethod
    def _kept(cache: Cache, top: str, head: str, wanted: list[str]) -> dict[str, str] | None:
        """The dates the cache keeps, brought up to ``head``; ``None`` if it cannot be."""
        since = cache.added_head(top)
        if since is None:
            return None
        if since != head:
            added = gitstate.additions(top, head, since)
            if added is None:
                return None
            names = {path for item in added for path in item[:2] if path}
            before = cache.added_dates(top, names)
            if before is None:
                return None
            cache.save_added(top, head, gitstate.apply(added, before.get), replace=False)
        return cache.added_dates(top, wanted)
