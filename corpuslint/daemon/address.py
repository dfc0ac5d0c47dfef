"""Where the daemon of this installation listens: a Unix socket only its user can open.

The socket lives in ``$XDG_RUNTIME_DIR/corpuslint`` (or ``/tmp/corpuslint-UID`` where
that variable is unset), a folder of mode 0700 owned by the user; a folder that is
someone else's or open to others is never used. Its name is a digest of the Python
executable and the folder of this copy of corpuslint, so two virtual environments (a
pre-commit hook's and a project's) each have their own daemon, and a command is only
ever run by a daemon of the same installation.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

from corpuslint._version import __version__

AVAILABLE = hasattr(os, "fork") and hasattr(os, "getuid") and sys.platform != "win32"
"""Whether this platform can run a daemon (Unix sockets, fork and descriptor passing)."""


_SOCKET_PATH_MAX = 103
"""The longest socket path every Unix takes (``sun_path`` holds 104 bytes on macOS, 108
on Linux, the last one a NUL)."""


class AddressError(Exception):
    """The daemon's folder cannot be used safely; the message says why."""


def folder() -> Path:
    """The folder for this user's daemon sockets (not created)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "corpuslint"
    return Path("/tmp") / f"corpuslint-{os.getuid()}"


def installation_key() -> str:
    """A digest naming this installation: its environment, interpreter and package folder.

    ``python`` and ``python3`` of one environment (the ``corpuslint`` script runs one,
    ``python -m corpuslint`` maybe the other) name the same installation.
    """
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    interpreter = os.path.realpath(sys.executable)
    text = "\0".join((sys.prefix, interpreter, here, __version__))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def socket_name() -> str:
    """The name of this installation's socket in :func:`folder`."""
    return f"{installation_key()}.sock"


def lock_name() -> str:
    """The lock file its daemon holds while it runs."""
    return f"{installation_key()}.lock"


def log_name() -> str:
    """The log of a daemon started in the background."""
    return f"{installation_key()}.log"


def socket_path() -> Path:
    """The socket of this installation's daemon."""
    return folder() / socket_name()


def open_folder(create: bool) -> int:
    """A descriptor of :func:`folder` (made when ``create`` is true), checked as only ours.

    Everything the daemon keeps there is then opened relative to this descriptor, never
    by path again, so the folder cannot be swapped for another between the check and
    the use. Raises :class:`AddressError` when the folder is missing (and not to be
    created), is a link or not a folder, belongs to another user or can be opened by
    others, or when its parent can be written by others without the sticky bit (they
    could rename it away).
    """
    where = folder()
    if len(os.fsencode(where / socket_name())) > _SOCKET_PATH_MAX:
        raise AddressError(
            f"{where} is too deep for a Unix socket's path; set XDG_RUNTIME_DIR to a shorter folder"
        )
    try:
        parent = os.stat(where.parent)
    except OSError as exc:
        raise AddressError(f"cannot use {where.parent}: {exc.strerror}") from exc
    if parent.st_uid not in (0, os.getuid()) or (
        parent.st_mode & 0o022 and not parent.st_mode & stat.S_ISVTX
    ):
        raise AddressError(f"{where.parent} can be changed by other users")
    if create:
        try:
            where.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise AddressError(f"cannot create {where}: {exc.strerror}") from exc
    try:
        fd = os.open(where, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise AddressError(f"cannot use {where}: {exc.strerror}") from exc
    status = os.fstat(fd)
    problem = None
    if status.st_uid != os.getuid():
        problem = f"{where} belongs to another user"
    elif status.st_mode & 0o077:
        problem = f"{where} can be opened by other users (mode {status.st_mode & 0o777:o})"
    if problem is not None:
        os.close(fd)
        raise AddressError(problem)
    return fd


def open_file(folder_fd: int, name: str, flags: int) -> int:
    """Open (or create, mode 0600) ``name`` in the checked folder, never through a link."""
    return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder_fd)
