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


def socket_path() -> Path:
    """The socket of this installation's daemon."""
    return folder() / f"{installation_key()}.sock"


def checked_folder(create: bool) -> Path:
    """:func:`folder`, made when ``create`` is true, after checking that only we can use it.

    Raises :class:`AddressError` when it is missing (and not to be created), is not a
    folder, belongs to another user or can be opened by others.
    """
    where = folder()
    if create:
        try:
            where.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise AddressError(f"cannot create {where}: {exc.strerror}") from exc
    try:
        status = where.lstat()
    except OSError as exc:
        raise AddressError(f"cannot use {where}: {exc.strerror}") from exc
    if not stat.S_ISDIR(status.st_mode):
        raise AddressError(f"{where} is not a folder")
    if status.st_uid != os.getuid():
        raise AddressError(f"{where} belongs to another user")
    if status.st_mode & 0o077:
        raise AddressError(
            f"{where} can be opened by other users (mode {status.st_mode & 0o777:o})"
        )
    return where
