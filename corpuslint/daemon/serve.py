"""The daemon's side: load everything once, then fork a copy of itself for each command.

Each command runs in a fresh fork of the loaded daemon, so nothing one command does
(its working folder, environment, open files, a rule's state) reaches the next, and
the command's output goes straight to the terminal or pipe it was given. Before each
fork the daemon checks that no file it has loaded changed and that no folder of
``sys.path`` changed (a package installed, upgraded or removed); if one did, it tells
the command to run itself and exits, so it never runs a command with code older than
what is on disk.

The daemon stops after ``idle`` seconds without a command, on ``corpuslint daemon
stop``, on SIGTERM or SIGINT, when its socket is removed, and when a command had lower
limits or a higher priority than it can take on (the next ``auto`` command then starts
one like itself).
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import io
import os
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from corpuslint import plugins
from corpuslint._support import profiling
from corpuslint._version import __version__
from corpuslint.daemon import address, context, protocol

Command = Callable[[list[str], str], object]
"""What runs a command line (its arguments, the program name for messages) as
``corpuslint`` would; it may raise ``SystemExit``."""

DEFAULT_IDLE = 1800.0
"""Seconds without a command after which the daemon stops."""

_POLL = 1.0  # seconds between looks at the idle clock, the socket and finished copies


class _Stop(Exception):
    """SIGTERM or SIGINT reached the daemon."""


@dataclass(frozen=True)
class _Stamp:
    mtime_ns: int
    size: int


def _stamp(path: str) -> _Stamp:
    try:
        status = os.stat(path)
    except OSError:
        return _Stamp(0, -1)
    return _Stamp(status.st_mtime_ns, status.st_size)


def fingerprint() -> dict[str, _Stamp]:
    """The file of every loaded module and every folder of ``sys.path``, as they are now.

    The working folder, which ``python -m`` puts first on ``sys.path``, is left out:
    files come and go there (the daemon's own socket), and an import from it is a
    loaded module, whose file counts.
    """
    paths: set[str] = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            paths.add(path)
    here = os.getcwd()
    paths.update(
        entry
        for entry in sys.path
        if entry and os.path.isdir(entry) and not os.path.samefile(entry, here)
    )
    return {path: _stamp(path) for path in paths}


def changed(recorded: dict[str, _Stamp]) -> str | None:
    """The first recorded path that changed since, or ``None``."""
    for path, stamp in recorded.items():
        if _stamp(path) != stamp:
            return path
    return None


_SAMPLES = {
    "story.md": "---\ntitle: A story\n---\n# A story\n\nA first paragraph of the sample story"
    " that the daemon checks once.\n\nA first paragraph of the sample story that the"
    " daemon checks once.\n",
    "notes.txt": "Notes\n\nA line of notes, long enough to be a paragraph of its own.\n",
    "page.html": "<html><head><title>Page</title></head><body><h1>Page</h1><p>By Ann Lee"
    "</p><p>A paragraph of a web page, long enough to count.</p></body></html>\n",
    "rows.jsonl": '{"id": 1, "text": "A record of a dataset, long enough to count."}\n',
}


def warm_up(run: Command) -> None:
    """Run a check twice (filling the cache, then from it) over a sample corpus.

    The imports, compiled patterns and tables a command loads on first use are then
    loaded here, once, and every fork starts with them.
    """
    with tempfile.TemporaryDirectory(prefix="corpuslint-warm-up-") as where:
        corpus = Path(where) / "corpus"
        corpus.mkdir()
        for name, text in _SAMPLES.items():
            (corpus / name).write_text(text, encoding="utf-8")
        saved = os.environ.get("CORPUSLINT_CACHE_DIR")
        os.environ["CORPUSLINT_CACHE_DIR"] = str(Path(where) / "cache")
        try:
            for _ in range(2):
                _quietly(
                    run,
                    [
                        "check",
                        "--quiet",
                        "--exit-zero",
                        "--jobs",
                        "1",
                        "--output-file",
                        os.devnull,
                        str(corpus),
                    ],
                )
        finally:
            if saved is None:
                os.environ.pop("CORPUSLINT_CACHE_DIR", None)
            else:
                os.environ["CORPUSLINT_CACHE_DIR"] = saved


def _quietly(run: Command, argv: list[str]) -> None:
    try:
        run(argv, "corpuslint")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"the warm-up check exited with {exc.code!r}") from exc


ALREADY_RUNNING = 3
"""The exit status of ``daemon serve`` when a daemon of this installation already runs."""


def _on_stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


@dataclass(frozen=True)
class _Place:
    """The checked folder (a descriptor), the lock held in it, and the socket's name."""

    folder: int
    lock: int
    name: str


def serve(run: Command, idle: float = DEFAULT_IDLE, ready: Callable[[str], None] = print) -> int:
    """Serve this installation's commands until stopped; the exit status.

    ``ready`` is called with one line once the socket accepts commands. Returns 1
    without serving when the daemon's folder is unsafe, :data:`ALREADY_RUNNING` when
    another daemon of this installation runs.
    """
    own = context.capture()  # before the working folder leaves sys.path
    here = os.getcwd()
    # ``python -m`` put the folder it started in first on sys.path; a fork's lazy
    # imports must never find a module there.
    sys.path[:] = [e for e in sys.path if e and not _same_folder(e, here)]
    try:
        folder = address.open_folder(create=True)
    except address.AddressError as exc:
        print(f"corpuslint daemon: {exc}", file=sys.stderr)
        return 1
    lock = -1
    try:
        lock = address.open_file(folder, address.lock_name(), os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("corpuslint daemon: one already runs for this installation", file=sys.stderr)
            return ALREADY_RUNNING
        os.fchdir(folder)  # hold no user's folder open; the socket is bound relative to it
        return _serve(run, idle, ready, own, _Place(folder, lock, address.socket_name()))
    finally:
        if lock >= 0:
            os.close(lock)
        os.close(folder)


def _same_folder(entry: str, here: str) -> bool:
    try:
        return os.path.samefile(entry, here)
    except OSError:
        return False


def _serve(
    run: Command,
    idle: float,
    ready: Callable[[str], None],
    own: dict[str, Any],
    place: _Place,
) -> int:
    warm_up(run)
    plugins.keep(plugins.load())
    # What is loaded now lives as long as the daemon: out of the collector's sight, a
    # fork's collections neither scan it nor copy the pages it touches.
    gc.collect()
    gc.freeze()
    recorded = fingerprint()
    with suppress(FileNotFoundError):  # left by a daemon that was killed: we hold the lock
        os.unlink(place.name, dir_fd=place.folder)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)  # the socket is made mode 0600: no chmod by name afterwards
    try:
        listener.bind(place.name)
    finally:
        os.umask(mask)
    listener.listen(64)
    listener.settimeout(_POLL)
    inode = os.stat(place.name, dir_fd=place.folder, follow_symlinks=False).st_ino
    previous = {s: signal.signal(s, _on_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    ready(f"corpuslint daemon {__version__} (pid {os.getpid()}) serving {address.socket_path()}")
    try:
        _Loop(listener, run, idle, recorded, own, place, inode).go()
    except _Stop:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        listener.close()
        if _inode(place) == inode:
            with suppress(OSError):
                os.unlink(place.name, dir_fd=place.folder)
    return 0


def _inode(place: _Place) -> int | None:
    """The inode of the socket's name in the folder, ``None`` when it is gone."""
    try:
        return os.stat(place.name, dir_fd=place.folder, follow_symlinks=False).st_ino
    except OSError:
        return None


class _Loop:
    """Accept commands, fork a copy per command, reap the copies, watch the idle clock."""

    def __init__(
        self,
        listener: socket.socket,
        run: Command,
        idle: float,
        recorded: dict[str, _Stamp],
        own: dict[str, Any],
        place: _Place,
        inode: int,
    ) -> None:
        self.listener = listener
        self.run = run
        self.idle = idle
        self.recorded = recorded
        self.own = own
        self.place = place
        self.inode = inode
        self.started = time.time()
        self.last = time.monotonic()
        self.copies: dict[int, socket.socket] = {}  # each copy's connection, kept to report
        # a copy killed by a signal, which cannot report itself
        self.served = 0
        self.stopping = False

    def go(self) -> None:
        while not self.stopping:
            self._reap()
            if not self.copies and time.monotonic() - self.last > self.idle:
                return
            if _inode(self.place) != self.inode:
                return  # the socket was removed or replaced: no command can reach us
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.last = time.monotonic()
            with conn:
                self._one(conn)

    def _reap(self) -> None:
        for pid in list(self.copies):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if not done:
                continue
            with self.copies.pop(pid) as conn:
                if not os.WIFSIGNALED(status):
                    continue
                killed = os.WTERMSIG(status)
                if killed == signal.SIGUSR2:
                    print(
                        "corpuslint daemon: stopping: a command had limits or a priority"
                        " this daemon cannot take on",
                        file=sys.stderr,
                    )
                    self.stopping = True
                else:
                    with suppress(OSError):
                        protocol.answer(conn, {"killed": killed})

    def _one(self, conn: socket.socket) -> None:
        if not protocol.same_user(conn):
            return
        try:
            request = protocol.receive_request(conn, _REQUEST_SECONDS)
        except (OSError, protocol.ProtocolError) as exc:
            print(f"corpuslint daemon: a request could not be read: {exc}", file=sys.stderr)
            return
        try:
            self._answer(conn, request)
        except OSError as exc:
            print(f"corpuslint daemon: a command went away: {exc}", file=sys.stderr)

    def _answer(self, conn: socket.socket, request: dict[str, Any]) -> None:
        operation = request.get("op")
        if operation == "status":
            protocol.answer(conn, self.status())
        elif operation == "stop":
            self.stopping = True
            protocol.answer(conn, {"stopped": os.getpid()})
        elif operation == "run":
            stale = changed(self.recorded)
            if stale is not None:
                self.stopping = True
                reason = f"{stale} changed since the daemon started"
                print(f"corpuslint daemon: stopping: {reason}", file=sys.stderr)
                protocol.answer(conn, {"fallback": reason})
                return
            problem = _invalid(request) or context.mismatch(request.get("context"), self.own)
            if problem is not None:
                print(f"corpuslint daemon: a command runs alone: {problem}", file=sys.stderr)
                protocol.answer(conn, {"fallback": problem})
                return
            pid = os.fork()
            if pid == 0:
                self.listener.close()
                # A copy outliving the daemon must not hold its lock, nor the
                # connections of other commands.
                for fd in (self.place.lock, self.place.folder):
                    protocol.os_close(fd)
                for other in self.copies.values():
                    other.close()
                _copy(conn, request, self.run)
            self.copies[pid] = conn.dup()
            self.served += 1
        else:
            protocol.answer(conn, {"fallback": f"unknown request {operation!r}"})

    def status(self) -> dict[str, Any]:
        """What ``corpuslint daemon status`` prints."""
        return {
            "pid": os.getpid(),
            "version": __version__,
            "python": sys.executable,
            "socket": str(address.socket_path()),
            "up": round(time.time() - self.started, 1),
            "served": self.served,
            "running": len(self.copies),
            "idle": self.idle,
        }


_REQUEST_SECONDS = 2.0
"""How long one connection may take to send its whole request: the daemon reads one at
a time, so a silent client would hold up every other command."""


def _invalid(request: dict[str, Any]) -> str | None:
    """Why a ``run`` request cannot be served, or ``None``."""
    argv, env = request.get("argv"), request.get("env")
    if not _strings(argv):
        return "argv is not a list of strings"
    if not all(isinstance(request.get(k), str) for k in ("cwd", "argv0", "prog")):
        return "cwd, argv0 or prog is missing"
    if not isinstance(env, dict) or not all(_variable(k, v) for k, v in env.items()):
        return "env holds a variable a process cannot be given"
    streams = request.get("streams")
    if not (
        isinstance(streams, list)
        and len(streams) == 3
        and all(
            isinstance(s, list) and len(s) == 3 and _strings(s[:2]) and isinstance(s[2], bool)
            for s in streams
        )
    ):
        return "the streams' encodings are missing"
    circumstances = request.get("context")
    if not isinstance(circumstances, dict) or not _strings(circumstances.get("ignored")):
        return "the request has no process context"
    return None


def _variable(name: object, value: object) -> bool:
    """Whether ``name=value`` can be put in a process's environment."""
    if not isinstance(name, str) or not isinstance(value, str):
        return False
    return bool(name) and "=" not in name and "\0" not in name and "\0" not in value


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers
_HANDLERS: dict[str, tuple[signal.Signals, _Handler]] = {
    "SIGINT": (signal.SIGINT, signal.default_int_handler),
    "SIGTERM": (signal.SIGTERM, signal.SIG_DFL),
    "SIGHUP": (signal.SIGHUP, signal.SIG_DFL),
    "SIGQUIT": (signal.SIGQUIT, signal.SIG_DFL),
}
"""The handlers Python starts a process with, by name: the daemon's own differ."""


def _copy(conn: socket.socket, request: dict[str, Any], run: Command) -> NoReturn:
    """In the forked copy: become the command's process, run it, report its status.

    Everything that can fail is done before ``ready``, so that a failure still lets the
    command run alone; after it, the command waits for this copy's exit status.
    """
    # A session of its own: no terminal to be stopped by (SIGTTIN when it reads the
    # daemon's), and a process group of its own that the command's signals can reach.
    os.setsid()
    try:
        ignored = set(request["context"]["ignored"])
        for name, (signum, handler) in _HANDLERS.items():
            signal.signal(signum, signal.SIG_IGN if name in ignored else handler)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python sets it at start-up
        os.chdir(request["cwd"])
        problem = context.adopt(request["context"])
        if problem is not None:
            # The daemon is more restricted than its callers: it stops (it reads this
            # signal as that) so that a caller can start one like itself.
            _fall_back(conn, problem, signal.SIGUSR2)
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # found again from the command's TMPDIR
        profiling.configure()
        sys.argv = [request["argv0"], *request["argv"]]
    except Exception as exc:
        _fall_back(conn, f"the command's process could not be set up: {exc}", None)
    # Only now does the command hand over its streams: a daemon that never gets this far
    # (stopped, overloaded) holds none of its pipes open after the command gave up.
    try:
        protocol.answer(conn, {"ready": os.getpid()})
        fds = protocol.receive_streams(conn, _REQUEST_SECONDS)
        conn.settimeout(None)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            if fd > 2:
                os.close(fd)
        _streams(request["streams"])
    except BaseException:
        os._exit(2)  # no streams: the command went away, or says it could not hand them over
    _watch(conn)
    code = 2
    try:
        code = _status(run, list(request["argv"]), request["prog"])
    except BaseException:  # the copy must always report and reach os._exit below
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        try:
            atexit._run_exitfuncs()
            signal.signal(signal.SIGIO, signal.SIG_IGN)  # the command ends after this answer
            protocol.answer(conn, {"exit": code})
        finally:
            os._exit(code)


def _fall_back(conn: socket.socket, reason: str, kill: signal.Signals | None) -> NoReturn:
    """Tell the command to run alone, and end this copy (by ``kill``, if given)."""
    with suppress(OSError):
        protocol.answer(conn, {"fallback": reason})
    if kill is not None:
        signal.signal(kill, signal.SIG_DFL)
        os.kill(os.getpid(), kill)
    os._exit(0)


def _watch(conn: socket.socket) -> None:
    """Kill the copy and its workers, as SIGKILL would, when the command's process ends.

    The command sends nothing after its streams, so the connection ends early only when
    its process was killed (SIGKILL; every other signal is relayed): a ``--fix`` must
    not go on without it, and a run that ignores SIGTERM must stop all the same. The
    kernel says so with SIGIO (``O_ASYNC``), so no thread is needed, and a fork of this
    process stays a fork of a single-threaded one.
    """
    fd = conn.fileno()

    def ended(_signum: int, _frame: FrameType | None) -> None:
        try:
            data = conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data and os.getpid() == os.getpgid(0):
            os.killpg(os.getpid(), signal.SIGKILL)

    signal.signal(signal.SIGIO, ended)
    fcntl.fcntl(fd, fcntl.F_SETOWN, os.getpid())
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_ASYNC)
    ended(signal.SIGIO, None)  # it may have ended already


def _status(run: Command, argv: list[str], prog: str) -> int:
    """Run the command; its exit status as the process would have had it."""
    try:
        run(argv, prog)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    return 0


def _streams(specs: list[list[Any]]) -> None:
    """New ``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` on descriptors 0, 1 and 2.

    Each as the command's was: its encoding and error handler, and unbuffered where the
    command's was (``python -u``, ``PYTHONUNBUFFERED``).
    """
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        encoding, errors, unbuffered = specs[fd]
        lines = mode == "w" and (fd == 2 or os.isatty(fd))
        raw = io.FileIO(fd, mode, closefd=False)
        buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        stream = io.TextIOWrapper(
            buffered,
            encoding=encoding,
            errors=errors,
            line_buffering=lines,
            write_through=bool(unbuffered) and mode == "w",
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
