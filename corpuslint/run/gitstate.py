"""What git says about the project: the files staged for the next commit, and when files came.

``first_added`` tells when each file first entered git: the age of documents whose
metadata and file name give no date.

pre-commit may split a long list of staged files over several calls. Cross-document
rules choose the original of a copy among files that are not new in this run, so each
call must see the same set of new files: the targets plus everything staged.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

GIT_TIMEOUT = 10.0  # seconds; git answers this in milliseconds even for 100,000 files


def staged(root: Path) -> frozenset[str]:
    """Absolute paths of the files under ``root`` staged in git (added, copied, modified, renamed).

    Empty outside a repository, or when git is missing or fails: then only the targets
    count as new, as they always did.
    """
    arguments = ["diff", "--cached", "--name-only", "-z", "--relative"]
    out = git(root, [*arguments, "--diff-filter=ACMR", "--no-ext-diff"])
    if out is None:
        return frozenset()
    names = os.fsdecode(out).split("\0")
    return frozenset(os.path.join(root, name) for name in names if name)


FIRST_ADDED_TIMEOUT = 60.0
"""Seconds for the one ``git log`` pass over the history (a few seconds for 100k commits)."""


def first_added(start: Path) -> Mapping[str, str]:
    """When each file of the repository holding ``start`` first entered git, by absolute path.

    One ``git log --diff-filter=A`` pass over the history of HEAD, oldest commit last;
    times are the author dates, ISO 8601 without the zone (``2022-03-15T09:30:00``). The
    answer is kept for the run (per repository and HEAD). Empty outside a repository,
    or when git is missing, fails or runs past its time.
    """
    top = git(start, ["rev-parse", "--show-toplevel", "HEAD"], GIT_TIMEOUT)
    if top is None:
        return {}
    lines = top.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 2 or not lines[0] or not lines[1]:
        return {}
    return _first_added(lines[0], lines[1])


@functools.lru_cache(maxsize=4)
def _first_added(top: str, head: str) -> Mapping[str, str]:
    """``first_added`` of the repository at ``top`` whose HEAD is ``head`` (the cached pass).

    Oldest commit first; a renamed file keeps the time its first name entered git.
    """
    command = ["log", "--reverse", "--diff-filter=AR", "--name-status", "-z", "-M"]
    command += ["--format=%x01%aI", head]
    out = git(Path(top), command, FIRST_ADDED_TIMEOUT)
    if out is None:
        return {}
    found: dict[str, str] = {}
    for entry in os.fsdecode(out).split("\x01"):
        stamp, _, changes = entry.partition("\n")
        when = stamp.strip()[:19]
        if len(when) < 10:
            continue
        fields = changes.strip("\n").split("\0")
        at = 0
        while at < len(fields):
            status = fields[at].strip("\n")
            if status.startswith("R") and at + 2 < len(fields):
                old, new = fields[at + 1], fields[at + 2]
                found.setdefault(new, found.get(old, when))
                at += 3
            elif status == "A" and at + 1 < len(fields):
                found.setdefault(fields[at + 1], when)
                at += 2
            else:
                at += 1
    return {os.path.join(top, name): when for name, when in found.items()}


def git(root: Path, arguments: Sequence[str], timeout: float = GIT_TIMEOUT) -> bytes | None:
    """What ``git -C root arguments`` prints, or ``None`` if it cannot run or fails.

    Read-only: optional locks off, so a run never blocks or is blocked by the user's git;
    the file-system monitor off, so no monitor command the repository names is started.
    """
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(root), *arguments]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
