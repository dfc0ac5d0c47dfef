"""What git says about the project: the files staged for the next commit, and when files came.

``first_added`` tells when each file first entered git: the age of documents whose
metadata and file name give no date.

pre-commit may split a long list of staged files over several calls. Cross-document
rules choose the original of a copy among files that are not new in this run, so each
call must see the same set of new files: the targets plus everything staged.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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


def repository(start: Path) -> tuple[str, str] | None:
    """The top folder of the git work tree holding ``start`` and its HEAD commit, if any."""
    top = git(start, ["rev-parse", "--show-toplevel", "HEAD"], GIT_TIMEOUT)
    if top is None:
        return None
    lines = top.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 2 or not lines[0] or not lines[1]:
        return None
    return lines[0], lines[1]


def first_added(start: Path) -> Mapping[str, str]:
    """When each file of the repository holding ``start`` first entered git, by absolute path.

    One ``git log --diff-filter=A`` pass over the history of HEAD, oldest commit last;
    times are the author dates, ISO 8601 without the zone (``2022-03-15T09:30:00``). The
    answer is kept for the run (per repository and HEAD). Empty outside a repository,
    or when git is missing, fails or runs past its time.
    """
    found = repository(start)
    if found is None:
        return {}
    top, head = found
    added = first_added_relative(top, head)
    return {os.path.join(top, name): when for name, when in added.items()}


@functools.lru_cache(maxsize=4)
def first_added_relative(top: str, head: str) -> Mapping[str, str]:
    """``first_added`` of the repository at ``top`` at commit ``head``, by relative path.

    Kept for the run (per repository and commit).
    """
    added = additions(top, head)
    nothing: dict[str, str] = {}
    return {} if added is None else apply(added, nothing.get)


Addition = tuple[str, str, str]
"""A file entering git: (its path, the path it was renamed from or ``""``, the time)."""


def additions(top: str, head: str, since: str = "") -> list[Addition] | None:
    """Files added or renamed in the history of ``head`` (after ``since``), oldest first.

    Paths are relative to ``top``. ``None`` when git fails or runs past its time, or
    when ``since`` is given and is not an ancestor of ``head``.
    """
    if since and since != head:
        ancestor = ["merge-base", "--is-ancestor", since, head]
        if git(Path(top), ancestor, GIT_TIMEOUT) is None:
            return None
    elif since:
        return []
    command = ["log", "--reverse", "--diff-filter=AR", "--name-status", "-z", "-M"]
    command += ["--format=%x01%aI", f"{since}..{head}" if since else head]
    out = git(Path(top), command, FIRST_ADDED_TIMEOUT)
    if out is None:
        return None
    found: list[Addition] = []
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
                found.append((fields[at + 2], fields[at + 1], when))
                at += 3
            elif status == "A" and at + 1 < len(fields):
                found.append((fields[at + 1], "", when))
                at += 2
            else:
                at += 1
    return found


def apply(added: Iterable[Addition], known: Callable[[str], str | None]) -> dict[str, str]:
    """The first time of each file that ``added`` names and ``known`` does not know.

    ``known`` tells the time of a file from history already read (``None`` if unknown);
    a renamed file keeps the time of its first name.
    """
    found: dict[str, str] = {}
    for path, renamed_from, when in added:
        if path in found or known(path) is not None:
            continue
        first = (found.get(renamed_from) or known(renamed_from)) if renamed_from else None
        found[path] = first or when
    return found


def git(root: Path, arguments: Sequence[str], timeout: float = GIT_TIMEOUT) -> bytes | None:
    """What ``git -C root arguments`` prints, or ``None`` if it cannot run or fails.

    Read-only: optional locks off, so a run never blocks or is blocked by the user's git;
    the file-system monitor off, so no monitor command the repository names is started.
    """
    return git_all(root, [arguments], timeout)[0]


STATE = (
    ("rev-parse", "--show-toplevel", "--show-prefix", "HEAD"),
    ("status", "--porcelain", "-z", "-uall", "--no-renames", "--", "."),
)
"""What a run over a few files asks git of the project root: where the work tree is, its
HEAD, and every file that differs from HEAD (see ``corpuslint.engines.local.listing``)."""

_AHEAD: dict[tuple[str, tuple[str, ...]], subprocess.Popen[bytes]] = {}


@contextlib.contextmanager
def ahead(root: Path, commands: Sequence[Sequence[str]]) -> Iterator[None]:
    """Start ``commands`` in ``root`` now, for :func:`git_all` to take their output later.

    Git then works while this process does something else (imports its rules). Each
    answer is taken once; what is not taken by the end of the block is stopped and
    forgotten, so no call after the block gets an answer from before it.
    """
    mine = []
    for arguments in commands:
        key = (str(root), tuple(arguments))
        process = None if key in _AHEAD else _spawn(root, arguments)
        if process is not None:
            _AHEAD[key] = process
            mine.append(key)
    try:
        yield
    finally:
        for key in mine:
            left = _AHEAD.pop(key, None)
            if left is not None:
                with left:
                    left.kill()


def git_all(
    root: Path, commands: Sequence[Sequence[str]], timeout: float = GIT_TIMEOUT
) -> list[bytes | None]:
    """:func:`git` for each of ``commands``, run side by side; ``None`` for each that fails."""
    started = [
        _AHEAD.pop((str(root), tuple(arguments)), None) or _spawn(root, arguments)
        for arguments in commands
    ]
    return [_output(process, timeout) for process in started]


def _spawn(root: Path, arguments: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """``git -C root arguments`` started, read-only (see :func:`git`); ``None`` if it cannot."""
    try:
        return subprocess.Popen(
            ["git", "-c", "core.fsmonitor=false", "-C", str(root), *arguments],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _output(process: subprocess.Popen[bytes] | None, timeout: float) -> bytes | None:
    """What a started git command printed, or ``None`` if it failed or ran past ``timeout``."""
    if process is None:
        return None
    with process:
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return None
    return out if process.returncode == 0 else None
