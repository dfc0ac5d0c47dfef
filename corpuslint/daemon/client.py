"""The command's side: hand this command to this installation's daemon, if one runs.

:func:`forward` connects to the daemon's socket and passes it the command line, the
working folder, the environment and the three standard streams (as descriptors, so the
output goes straight to the terminal or pipe, colours and all). It relays SIGINT,
SIGTERM and SIGHUP to the forked copy that runs the command and returns the copy's exit
status. It returns ``None`` whenever the command should run in this process instead:
no daemon runs, the daemon's folder is not safe, the daemon asks for it (its code
changed on disk), or ``CORPUSLINT_DAEMON=off``.

This module is imported by every ``corpuslint`` command: it imports only the standard
library's light modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from corpuslint.daemon import address, context, protocol

if TYPE_CHECKING:
    import subprocess

ENVIRONMENT = "CORPUSLINT_DAEMON"
"""``off``: never use a daemon. ``auto``: start one in the background when none runs.
Unset or anything else: use one when it runs."""

_RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_LOST = "corpuslint: the daemon's copy running this command ended without an exit status"


def mode() -> str:
    """``off``, ``auto`` or ``use``, from :data:`ENVIRONMENT`."""
    value = os.environ.get(ENVIRONMENT, "").strip().lower()
    if value in ("off", "0", "no", "false"):
        return "off"
    return "auto" if value == "auto" else "use"


def forward(argv: list[str]) -> int | None:
    """The exit status of ``argv`` run by the daemon, or ``None`` to run it here."""
    wanted = mode()
    if wanted == "off" or not address.AVAILABLE or (argv and argv[0] == "daemon"):
        return None
    request = _request(argv)
    if request is None:
        return None
    sock = connect()
    if sock is None:
        if wanted == "auto":
            start_in_background()
        return None
    with sock:
        try:
            protocol.send_request(sock, request, [0, 1, 2])
        except OSError:
            return None
        return _follow(sock)


def connect() -> socket.socket | None:
    """A connection to this installation's daemon, or ``None`` when none answers."""
    try:
        where = address.checked_folder(create=False)
    except address.AddressError:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(where / address.socket_path().name))
        if not protocol.same_user(sock):
            raise ConnectionRefusedError
    except OSError:
        sock.close()
        return None
    return sock


def ask(operation: str) -> dict[str, Any] | None:
    """The daemon's answer to ``status`` or ``stop``, or ``None`` when none runs."""
    sock = connect()
    if sock is None:
        return None
    with sock:
        try:
            protocol.send_request(sock, {"op": operation}, [])
            return _message(sock.makefile("rb").readline())
        except OSError:
            return None


def start_in_background(idle_minutes: float | None = None) -> subprocess.Popen[bytes] | None:
    """Start a daemon serving this installation; the caller does not wait for it.

    Its output goes to a log file beside its socket. ``None`` when it cannot start.
    """
    import subprocess

    try:
        where = address.checked_folder(create=True)
    except address.AddressError:
        return None
    command = daemon_command()
    if idle_minutes is not None:
        command += ["--idle-minutes", repr(idle_minutes)]
    try:
        with open(log_file(), "ab", opener=_private) as output:
            return subprocess.Popen(
                command,
                cwd=where,  # sys.path[0] of ``-m``: a folder only this user can write
                env=_daemon_environment(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
    except OSError:
        return None


def log_file() -> Path:
    """Where a daemon started in the background writes its output."""
    return address.folder() / f"{address.installation_key()}.log"


def _daemon_environment() -> dict[str, str]:
    """The daemon's own environment: this one without what belongs to one command.

    A git hook's variables (``GIT_DIR``, ``GIT_INDEX_FILE``) would point the daemon's
    warm-up check at the repository of the commit that started it; each command brings
    its own environment anyway.
    """
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GIT_") and name != "CORPUSLINT_PROFILE"
    }
    kept[ENVIRONMENT] = "off"
    return kept


def daemon_command() -> list[str]:
    """The command line that serves this installation in the foreground."""
    return [sys.executable, "-m", "corpuslint", "daemon", "serve"]


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _request(argv: list[str]) -> dict[str, Any] | None:
    """The ``run`` request, or ``None`` when a standard stream or the folder is missing."""
    encodings = []
    for fd, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        if stream is None or not hasattr(stream, "encoding"):
            return None
        try:
            os.fstat(fd)
        except OSError:
            return None
        encodings.append([stream.encoding, getattr(stream, "errors", None) or "strict"])
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    return {
        "op": "run",
        "argv": list(argv),
        "cwd": cwd,
        "env": dict(os.environ),
        "streams": encodings,
        "context": context.capture(),
    }


def _message(line: bytes) -> dict[str, Any] | None:
    if not line:
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _follow(sock: socket.socket) -> int | None:
    """Wait for the copy's pid, relay signals to it, and return its exit status."""
    answers = sock.makefile("rb")
    try:
        first = _message(answers.readline())
    except OSError:
        return None
    pid = first.get("pid") if first is not None else None
    if not isinstance(pid, int) or pid <= 0:
        return None  # a fallback, or a daemon that went away before starting the command

    def relay(signum: int, _frame: FrameType | None) -> None:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)

    previous = {s: signal.signal(s, relay) for s in _RELAYED}
    try:
        try:
            last = _message(answers.readline())
        except OSError:
            last = None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    status = last.get("exit") if last is not None else None
    if not isinstance(status, int):
        sys.stderr.write(_LOST + "\n")
        return 2
    return status
