"""Atomic file writes: a temporary file in the same folder, fsynced, then renamed over.

A write that fails (a full disk, a file size limit) removes its temporary file and
leaves the old file as it was: readers never see half a file. A symbolic link is
followed (the link stays), and a path that is not a regular file (``/dev/stdout``, a
pipe) is written in place, since renaming over it would replace the device; with
``follow_links=False`` (the cache's files) both are refused instead. The temporary
file is always new (``O_EXCL``, never a link's target).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20  # characters encoded at a time, so a large report is not copied whole


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the new one."""

    def write(stream: BinaryIO) -> None:
        for start in range(0, len(text), _CHUNK):
            stream.write(text[start : start + _CHUNK].encode("utf-8"))

    _replace(path, write)


def write_bytes_atomic(path: Path, data: bytes, *, follow_links: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one.

    ``follow_links=False``: an ``OSError`` if ``path`` is a symbolic link or anything
    but a regular file, instead of writing where it points.
    """
    _replace(path, lambda stream: stream.write(data), follow_links)


def _replace(path: Path, write: Callable[[BinaryIO], object], follow_links: bool = True) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it over ``path``."""
    if not follow_links:
        _refuse_special(path)
    elif _special(path):  # a device or a pipe: nothing to rename over
        with path.open("wb") as stream:
            write(stream)
        return
    else:
        path = Path(os.path.realpath(path))  # replace the file a link points to, not the link
    directory = path.parent
    mode = _mode(path)
    # mkstemp opens with O_EXCL (and O_NOFOLLOW where there is one): a new file.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.chmod(temporary, mode)  # mkstemp makes it private (0600)
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _refuse_special(path: Path) -> None:
    """Raise ``OSError`` if ``path`` exists and is a link or not a regular file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        raise OSError(errno.ELOOP, "not a regular file (a symbolic link?); not written", str(path))


def _special(path: Path) -> bool:
    """Whether ``path`` (links followed) exists and is not a regular file."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _mode(path: Path) -> int:
    """The permissions the new file gets: the old file's, else what the umask gives."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
