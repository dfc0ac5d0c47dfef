"""The command's side: hand this command to this installation's daemon, if one runs.

:func:`forward` connects to the daemon's socket and passes it the command line, the
working folder, the environment, the process context (``corpuslint.daemon.context``)
and the three standard streams (as descriptors, so the output goes straight to the
terminal or pipe, colours and all). It relays SIGINT, SIGTERM, SIGHUP and SIGQUIT to
the forked copy that runs the command (not those this process ignores), stops and
continues the copy with itself on Ctrl-Z, and returns the copy's exit status. It
returns ``None`` whenever the command should run in this process instead: no daemon
answers in time, the daemon's folder is not safe, the daemon asks for it (its code
changed on disk, or the context differs), or ``CORPUSLINT_DAEMON=off``.

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
from types import FrameType
from typing import TYPE_CHECKING, Any

from corpuslint.daemon import address, context, protocol

if TYPE_CHECKING:
    import subprocess

ENVIRONMENT = "CORPUSLINT_DAEMON"
"""``off``: never use a daemon. ``auto``: start one in the background when none runs.
Unset or anything else: use one when it runs."""

CONNECT_SECONDS = 2.0
"""How long to wait for the daemon to accept the connection."""
START_SECONDS = 5.0
"""How long to wait for the daemon's copy to start the command; then it runs here."""

_LOST = "corpuslint: the daemon's copy running this command ended without an exit status"
_TERMINAL_KEYS = (signal.SIGINT, signal.SIGQUIT)
"""Relayed to the copy's whole process group, as a terminal sends Ctrl-C and Ctrl-\\."""


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
            protocol.send_request(sock, request)
            return _follow(sock, request["context"]["ignored"])
        except OSError:
            return None
        except KeyboardInterrupt:  # Ctrl-C before the copy started: nothing ran
            sys.stderr.write("corpuslint: interrupted\n")
            return 130


def connect() -> socket.socket | None:
    """A connection to this installation's daemon, or ``None`` when none answers."""
    try:
        os.close(address.open_folder(create=False))
    except address.AddressError:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_SECONDS)
    try:
        sock.connect(str(address.socket_path()))
        # Whoever listens there must be this user: the folder's checks aside, this is
        # what keeps the command's environment and streams from anyone else.
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
            protocol.send_request(sock, {"op": operation})
            sock.settimeout(START_SECONDS)
            return _message(sock.makefile("rb").readline())
        except OSError:
            return None


def start_in_background(idle_minutes: float | None = None) -> subprocess.Popen[bytes] | None:
    """Start a daemon serving this installation; the caller does not wait for it.

    Its output goes to a log file beside its socket. ``None`` when it cannot start.
    """
    import subprocess

    try:
        folder = address.open_folder(create=True)
    except address.AddressError:
        return None
    command = daemon_command()
    if idle_minutes is not None:
        command += ["--idle-minutes", repr(idle_minutes)]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC  # each daemon logs afresh
    try:
        log = address.open_file(folder, address.log_name(), flags)
        try:
            return subprocess.Popen(
                command,
                # sys.path[0] of ``-m``: the checked folder, whose parent others cannot
                # change either (``address.open_folder``).
                cwd=address.folder(),
                env=_daemon_environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            os.close(log)
    except OSError:
        return None
    finally:
        os.close(folder)


def log_file() -> str:
    """Where a daemon started in the background writes its output."""
    return str(address.folder() / address.log_name())


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


def _program_name() -> str:
    """The program's name as click would print it in usage lines (``python -m ...``)."""
    main = sys.modules.get("__main__")
    package = getattr(main, "__package__", None)
    path = sys.argv[0] if sys.argv else "corpuslint"
    if package and os.path.basename(path) == "__main__.py":
        return f"python -m {package}"
    return os.path.basename(path) or "corpuslint"


def _request(argv: list[str]) -> dict[str, Any] | None:
    """The ``run`` request, or ``None`` when a standard stream or the folder is missing."""
    streams = []
    for fd, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        if stream is None or not hasattr(stream, "encoding"):
            return None
        try:
            os.fstat(fd)
        except OSError:
            return None
        errors = getattr(stream, "errors", None) or "strict"
        streams.append([stream.encoding, errors, bool(getattr(stream, "write_through", False))])
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    return {
        "op": "run",
        "argv": list(argv),
        "argv0": sys.argv[0] if sys.argv else "corpuslint",
        "prog": _program_name(),
        "cwd": cwd,
        "env": dict(os.environ),
        "streams": streams,
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


def _follow(sock: socket.socket, ignored: list[str]) -> int | None:
    """Wait for the copy, hand it the streams, relay signals, and return its exit status."""
    answers = sock.makefile("rb")
    sock.settimeout(START_SECONDS)
    try:
        first = _message(answers.readline())
        pid = first.get("ready") if first is not None else None
        if not isinstance(pid, int) or pid <= 0:
            return None  # a fallback, or a daemon that went away before it forked
        protocol.send_streams(sock, [0, 1, 2])
    except OSError:
        return None  # no copy in time: it will not run the command without the streams
    sock.settimeout(None)
    relayed: list[int] = []

    def relay(signum: int, _frame: FrameType | None) -> None:
        relayed.append(signum)
        with contextlib.suppress(OSError):
            if signum in _TERMINAL_KEYS:
                os.killpg(pid, signum)  # as the terminal sends them: to the whole group
            else:
                os.kill(pid, signum)

    def pause(_signum: int, _frame: FrameType | None) -> None:
        # Ctrl-Z: stop the copy's group, then this process as the shell expects; on
        # ``fg`` or ``bg`` (SIGCONT) this process goes on from here and continues them.
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)
        signal.signal(signal.SIGTSTP, pause)
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGCONT)

    handlers: dict[int, Any] = {
        getattr(signal, name): relay
        for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
        if name not in ignored
    }
    if signal.getsignal(signal.SIGTSTP) is not signal.SIG_IGN:
        handlers[signal.SIGTSTP] = pause
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        try:
            last = _message(answers.readline())
        except OSError:
            last = None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    status = last.get("exit") if last is not None else None
    if isinstance(status, int):
        return status
    killed = last.get("killed") if last is not None else None
    if isinstance(killed, int) and 0 < killed < signal.NSIG:
        # The copy was killed (the out-of-memory killer, say): end as it did.
        with contextlib.suppress(OSError, ValueError):
            signal.signal(killed, signal.SIG_DFL)  # SIGKILL has no handler to reset
        with contextlib.suppress(OSError):
            os.kill(os.getpid(), killed)
        return 128 + killed
    if relayed:
        return 128 + relayed[-1]  # stopped by the signal it was sent, without a word back
    sys.stderr.write(_LOST + "\n")
    return 2
