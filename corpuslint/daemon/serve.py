"""The daemon's side: load everything once, then fork a copy of itself for each command.

Each command runs in a fresh fork of the loaded daemon, so nothing one command does
(its working folder, environment, open files, a rule's state) reaches the next, and
the command's output goes straight to the terminal or pipe it was given. Before each
fork the daemon checks that no file it has loaded changed and that no folder of
``sys.path`` changed (a package installed, upgraded or removed); if one did, it tells
the command to run itself and exits, so it never runs a command with code older than
what is on disk.

The daemon stops after ``idle`` seconds without a command, on ``corpuslint daemon
stop``, on SIGTERM or SIGINT, and when its socket is removed.
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import os
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from corpuslint import plugins
from corpuslint._support import profiling
from corpuslint._version import __version__
from corpuslint.daemon import address, context, protocol

Command = Callable[[list[str]], object]
"""What runs a command line as ``corpuslint`` would (it may raise ``SystemExit``)."""

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
        run(argv)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"the warm-up check exited with {exc.code!r}") from exc


@contextmanager
def _locked(where: Path) -> Iterator[bool]:
    """Hold this installation's lock file: whether no other daemon holds it."""
    lock = os.open(where / f"{address.installation_key()}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(lock)


def _on_stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


def serve(run: Command, idle: float = DEFAULT_IDLE, ready: Callable[[str], None] = print) -> int:
    """Serve this installation's commands until stopped; the exit status.

    ``ready`` is called with one line once the socket accepts commands. Returns 1
    without serving when the daemon's folder is unsafe or another daemon of this
    installation runs.
    """
    try:
        where = address.checked_folder(create=True)
    except address.AddressError as exc:
        print(f"corpuslint daemon: {exc}", file=sys.stderr)
        return 1
    with _locked(where) as alone:
        if not alone:
            print("corpuslint daemon: one already runs for this installation", file=sys.stderr)
            return 1
        warm_up(run)
        plugins.keep(plugins.load())
        # What is loaded now lives as long as the daemon: out of the collector's sight,
        # a fork's collections neither scan it nor copy the pages it touches.
        gc.collect()
        gc.freeze()
        recorded = fingerprint()
        own = context.capture()
        path = address.socket_path()
        path.unlink(missing_ok=True)  # left by a daemon that was killed: we hold the lock
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        os.chmod(path, 0o600)
        listener.listen(16)
        listener.settimeout(_POLL)
        inode = path.stat().st_ino
        os.chdir(where)  # hold no user's folder open
        previous = {s: signal.signal(s, _on_stop) for s in (signal.SIGTERM, signal.SIGINT)}
        ready(f"corpuslint daemon {__version__} (pid {os.getpid()}) serving {path}")
        try:
            _Loop(listener, run, idle, recorded, own, path, inode).go()
        except _Stop:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            listener.close()
            _unlink_if(path, inode)
    return 0


def _unlink_if(path: Path, inode: int) -> None:
    try:
        if path.stat().st_ino == inode:
            path.unlink()
    except OSError:
        pass


class _Loop:
    """Accept commands, fork a copy per command, reap the copies, watch the idle clock."""

    def __init__(
        self,
        listener: socket.socket,
        run: Command,
        idle: float,
        recorded: dict[str, _Stamp],
        own: dict[str, Any],
        path: Path,
        inode: int,
    ) -> None:
        self.listener = listener
        self.run = run
        self.idle = idle
        self.recorded = recorded
        self.own = own
        self.path = path
        self.inode = inode
        self.started = time.time()
        self.last = time.monotonic()
        self.copies: set[int] = set()
        self.served = 0
        self.stopping = False

    def go(self) -> None:
        while not self.stopping:
            self._reap()
            if not self.copies and time.monotonic() - self.last > self.idle:
                return
            if _stamp(str(self.path)) == _Stamp(0, -1) or self.path.stat().st_ino != self.inode:
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
                done, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.copies.discard(pid)

    def _one(self, conn: socket.socket) -> None:
        conn.settimeout(10.0)
        if not protocol.same_user(conn):
            return
        try:
            request, fds = protocol.receive_request(conn)
        except (OSError, protocol.ProtocolError) as exc:
            print(f"corpuslint daemon: a request could not be read: {exc}", file=sys.stderr)
            return
        try:
            self._answer(conn, request, fds)
        except OSError as exc:
            print(f"corpuslint daemon: a command went away: {exc}", file=sys.stderr)
        finally:
            for fd in fds:
                protocol.os_close(fd)

    def _answer(self, conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
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
            problem = _invalid(request, fds) or context.mismatch(request.get("context"), self.own)
            if problem is not None:
                protocol.answer(conn, {"fallback": problem})
                return
            pid = os.fork()
            if pid == 0:
                _copy(self.listener, conn, request, fds, self.run)
            self.copies.add(pid)
            self.served += 1
        else:
            protocol.answer(conn, {"fallback": f"unknown request {operation!r}"})

    def status(self) -> dict[str, Any]:
        """What ``corpuslint daemon status`` prints."""
        return {
            "pid": os.getpid(),
            "version": __version__,
            "python": sys.executable,
            "socket": str(self.path),
            "up": round(time.time() - self.started, 1),
            "served": self.served,
            "running": len(self.copies),
            "idle": self.idle,
        }


def _invalid(request: dict[str, Any], fds: list[int]) -> str | None:
    """Why a ``run`` request cannot be served, or ``None``."""
    if len(fds) != 3:
        return "the request did not pass the three standard streams"
    argv, cwd, env, streams = (request.get(k) for k in ("argv", "cwd", "env", "streams"))
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        return "argv is not a list of strings"
    if not isinstance(cwd, str) or not isinstance(env, dict):
        return "cwd or env is missing"
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        return "env is not a table of strings"
    if not (
        isinstance(streams, list)
        and len(streams) == 3
        and all(
            isinstance(s, list) and len(s) == 2 and all(isinstance(p, str) for p in s)
            for s in streams
        )
    ):
        return "the streams' encodings are missing"
    return None


_DEFAULT_HANDLERS = (
    (signal.SIGINT, signal.default_int_handler),
    (signal.SIGTERM, signal.SIG_DFL),
    (signal.SIGHUP, signal.SIG_DFL),
    (signal.SIGCHLD, signal.SIG_DFL),
    (signal.SIGPIPE, signal.SIG_IGN),  # as Python sets it at start-up
)


def _copy(
    listener: socket.socket,
    conn: socket.socket,
    request: dict[str, Any],
    fds: list[int],
    run: Command,
) -> NoReturn:
    """In the forked copy: become the command's process, run it, report its status."""
    code = 2
    started = False
    try:
        listener.close()
        os.setpgid(0, 0)  # a signal to the command's group never reaches the daemon
        for signum, handler in _DEFAULT_HANDLERS:
            signal.signal(signum, handler)
        try:
            os.chdir(request["cwd"])
        except OSError as exc:
            protocol.answer(conn, {"fallback": f"cannot enter {request['cwd']}: {exc.strerror}"})
            os._exit(0)
        problem = context.adopt(request["context"])
        if problem is not None:
            protocol.answer(conn, {"fallback": problem})
            os._exit(0)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            if fd > 2:
                os.close(fd)
        _streams(request["streams"])
        os.environ.clear()
        os.environ.update(request["env"])
        profiling.configure()
        sys.argv = ["corpuslint", *request["argv"]]
        protocol.answer(conn, {"pid": os.getpid()})
        started = True
        code = _status(run, list(request["argv"]))
    except BaseException:  # the copy must always reach os._exit below
        traceback.print_exc()
        code = 2
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        try:
            atexit._run_exitfuncs()
            if started:
                protocol.answer(conn, {"exit": code})
        finally:
            os._exit(code)


def _status(run: Command, argv: list[str]) -> int:
    """Run the command; its exit status as the process would have had it."""
    try:
        run(argv)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    return 0


def _streams(encodings: list[list[str]]) -> None:
    """New ``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` on descriptors 0, 1 and 2."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        encoding, errors = encodings[fd]
        lines = mode == "w" and (fd == 2 or os.isatty(fd))
        stream = open(  # noqa: SIM115 - the process's stream, open until it exits
            fd,
            mode,
            buffering=1 if lines else -1,
            encoding=encoding,
            errors=errors,
            closefd=False,
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
