"""Atomic file writes: a temporary file in the same folder, fsynced, then renamed over.

A write that fails (a full disk, a file size limit) removes its temporary file and
leaves the old file as it was: readers never see half a file. A symbolic link is
followed (the link stays), and a path that is not a regular file (``/dev/stdout``, a
pipe) is written in place, since renaming over it would replace the device.
"""

from __future__ import annotations

import contextlib
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


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one."""
    _replace(path, lambda stream: stream.write(data))


def _replace(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it over ``path``."""
    if _special(path):  # a device or a pipe: nothing to rename over
        with path.open("wb") as stream:
            write(stream)
        return
    path = Path(os.path.realpath(path))  # replace the file a link points to, not the link
    directory = path.parent
    mode = _mode(path)
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
