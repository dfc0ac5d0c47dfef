"""``corpuslint daemon``: commands handed to a resident process give what they give alone.

Each test has its own runtime folder (``XDG_RUNTIME_DIR``), hence its own daemon, which
the fixture stops (and kills if need be) at the end. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpuslint.daemon import address, protocol, serve
from tests.helpers import LONG_A, LONG_B, LONG_C, article, write

pytestmark = pytest.mark.skipif(not address.AVAILABLE, reason="the daemon needs Unix")

TIMEOUT = 60.0


class Daemon:
    """A runtime folder of the test's own, and the commands run with it."""

    def __init__(self, runtime: Path) -> None:
        self.runtime = runtime
        self.home = runtime / "home"  # not the runtime folder: its corpuslint/ would shadow ours
        self.home.mkdir()
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
        self.env.pop("CORPUSLINT_DAEMON", None)

    def run(
        self,
        *args: str,
        cwd: Path,
        stdin: str | None = None,
        preexec: Callable[[], None] | None = None,
        **extra: str,
    ) -> subprocess.CompletedProcess[str]:
        """``python -m corpuslint ARGS`` in ``cwd``, ``extra`` added to the environment."""
        return subprocess.run(
            [sys.executable, "-m", "corpuslint", *args],
            cwd=cwd,
            env={**self.env, **extra},
            input=stdin,
            preexec_fn=preexec,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    def status(self) -> dict[str, str] | None:
        done = self.run("daemon", "status", cwd=self.home)
        if done.returncode != 0:
            return None
        return dict(line.split(": ", 1) for line in done.stdout.splitlines())

    def served(self) -> int | None:
        """How many commands the daemon ran, or ``None`` when none runs."""
        status = self.status()
        return None if status is None else int(status["served"])

    def start(self) -> dict[str, str]:
        done = self.run("daemon", "start", cwd=self.home)
        assert done.returncode == 0, done.stderr
        assert "started" in done.stdout
        status = self.status()
        assert status is not None
        return status

    def wait_gone(self, pid: int) -> bool:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    # A short folder: a Unix socket's path holds at most about 100 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="cl-"))
    runtime.chmod(0o700)
    helper = Daemon(runtime)
    try:
        yield helper
    finally:
        status = helper.status()
        helper.run("daemon", "stop", cwd=helper.home)
        if status is not None and not helper.wait_gone(int(status["pid"])):
            os.kill(int(status["pid"]), signal.SIGKILL)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "a.md": article(LONG_A, LONG_B),
            "b.md": article(LONG_C, LONG_A, title="Another Story"),
            "c.md": article(LONG_B, LONG_B, title="Third Story", byline=False),
        },
    )
    return tmp_path


def test_a_command_run_by_the_daemon_prints_and_exits_as_alone(
    daemon: Daemon, corpus: Path
) -> None:
    alone = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="off")
    assert alone.returncode == 1
    assert "CL101" in alone.stdout
    daemon.start()
    served = daemon.run("check", "--no-cache", ".", cwd=corpus)
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    assert daemon.served() == 1


def test_the_daemon_runs_in_the_command_s_folder_and_environment(
    daemon: Daemon, corpus: Path
) -> None:
    daemon.start()
    cache = corpus / "own-cache"
    done = daemon.run(
        "check", "--format", "json", "--output-file", "out.json", "c.md",
        cwd=corpus, CORPUSLINT_CACHE_DIR=str(cache),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    found = json.loads((corpus / "out.json").read_text(encoding="utf-8"))
    assert {f["code"] for f in found} >= {"CL101", "CL301"}
    assert cache.is_dir()  # the command's CORPUSLINT_CACHE_DIR, not the daemon's
    assert daemon.served() == 1


def test_a_command_reads_its_own_stdin_through_the_daemon(daemon: Daemon, corpus: Path) -> None:
    daemon.start()
    args = ("check", "--no-cache", "-", "--stdin-filename", "x.md")
    done = daemon.run(*args, cwd=corpus, stdin=article(LONG_C, LONG_C))
    assert done.returncode == 1
    assert "x.md:" in done.stdout
    assert "CL101" in done.stdout


def test_off_runs_the_command_without_the_daemon(daemon: Daemon, corpus: Path) -> None:
    daemon.start()
    done = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="off")
    assert done.returncode == 1
    assert daemon.served() == 0


def test_a_changed_folder_of_sys_path_stops_the_daemon_and_the_command_runs_alone(
    daemon: Daemon, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    extra = tmp_path_factory.mktemp("site")
    daemon.env["PYTHONPATH"] = str(extra)
    pid = int(daemon.start()["pid"])
    (extra / "newly_installed.py").write_text("", encoding="utf-8")  # as pip would add files
    done = daemon.run("check", "--no-cache", ".", cwd=corpus)
    assert done.returncode == 1
    assert "CL101" in done.stdout
    assert daemon.wait_gone(pid)
    log = next(daemon.runtime.glob("corpuslint/*.log")).read_text(encoding="utf-8")
    assert f"stopping: {extra} changed since the daemon started" in log


def test_ctrl_c_reaches_the_command_run_by_the_daemon(daemon: Daemon, corpus: Path) -> None:
    daemon.start()
    # The command waits for stdin, which stays open: it runs until interrupted.
    command = [sys.executable, "-m", "corpuslint", "check", "-", "--stdin-filename", "x.md"]
    process = subprocess.Popen(
        command, cwd=corpus, env=daemon.env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        status = daemon.status()
        if status is not None and status["running"] == "1":
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    try:
        _out, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.strip().endswith("corpuslint: interrupted")


def test_a_request_that_is_not_json_leaves_the_daemon_serving(daemon: Daemon, corpus: Path) -> None:
    daemon.start()
    path = daemon.runtime / "corpuslint" / address.socket_path().name
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(path))
        sock.sendall(b"\0\0\0\x04[1,2")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""  # no answer: the request is dropped
    done = daemon.run("check", "--no-cache", ".", cwd=corpus)
    assert done.returncode == 1
    assert daemon.served() == 1


def test_stop_removes_the_socket(daemon: Daemon) -> None:
    pid = int(daemon.start()["pid"])
    sockets = list(daemon.runtime.glob("corpuslint/*.sock"))
    assert len(sockets) == 1
    stopped = daemon.run("daemon", "stop", cwd=daemon.home)
    assert stopped.stdout.strip() == f"corpuslint daemon stopped (pid {pid})"
    assert daemon.wait_gone(pid)
    assert not sockets[0].exists()
    assert daemon.run("daemon", "status", cwd=daemon.home).returncode == 1


def test_a_folder_others_can_open_is_never_used(daemon: Daemon, corpus: Path) -> None:
    folder = daemon.runtime / "corpuslint"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    done = daemon.run("daemon", "start", cwd=daemon.home)
    assert done.returncode == 2
    assert "cannot start the daemon" in done.stderr
    assert not list(folder.glob("*.sock"))
    alone = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="auto")
    assert alone.returncode == 1  # run without a daemon, none started
    time.sleep(0.5)
    assert not list(folder.glob("*.sock"))


def test_auto_starts_a_daemon_for_the_next_commands(daemon: Daemon, corpus: Path) -> None:
    first = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="auto")
    assert first.returncode == 1
    _wait_for(lambda: daemon.status() is not None)
    assert daemon.served() == 0  # it runs, and the first command ran without it
    again = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="auto")
    assert again.stdout == first.stdout
    assert daemon.served() == 1


def test_fingerprint_names_a_loaded_module_whose_file_changed(tmp_path: Path) -> None:
    module = tmp_path / "module_for_the_fingerprint.py"
    module.write_text("X = 1\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        __import__("module_for_the_fingerprint")
        recorded = serve.fingerprint()
        assert serve.changed(recorded) is None
        module.write_text("X = 22\n", encoding="utf-8")
        assert serve.changed(recorded) == str(module)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("module_for_the_fingerprint", None)


def test_a_request_frame_and_the_streams_round_trip() -> None:
    left, right = socket.socketpair()
    reader, writer = os.pipe()
    try:
        protocol.send_request(left, {"op": "run", "argv": ["é" * 40000]})
        assert protocol.receive_request(right, 5.0) == {"op": "run", "argv": ["é" * 40000]}
        protocol.send_streams(left, [reader, writer, 2])
        fds = protocol.receive_streams(right, 5.0)
        assert len(fds) == 3
        os.write(fds[1], b"x")
        assert os.read(reader, 1) == b"x"
        for fd in fds:
            os.close(fd)
    finally:
        for fd in (reader, writer):
            os.close(fd)
        left.close()
        right.close()


def test_a_request_cut_short_or_too_slow_is_refused() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"\0\0\0\x10{}")
        with pytest.raises(TimeoutError):
            protocol.receive_request(right, 0.2)
        left.shutdown(socket.SHUT_WR)
        with pytest.raises(protocol.ProtocolError):
            protocol.receive_request(right, 0.2)


def test_the_command_s_file_size_limit_holds_in_the_daemon(daemon: Daemon, corpus: Path) -> None:
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, resource.RLIM_INFINITY))

    def check(**extra: str) -> tuple[int, str]:
        args = ("check", "--no-cache", "-o", "report.txt", ".")
        done = daemon.run(*args, cwd=corpus, preexec=limit, **extra)
        return done.returncode, done.stderr

    alone = check(CORPUSLINT_DAEMON="off")
    assert alone[0] == 2
    assert "File too large" in alone[1]
    daemon.start()
    assert check() == alone
    assert daemon.served() == 1


@pytest.mark.parametrize("variable", ["PYTHONPATH", "LD_LIBRARY_PATH"])
def test_a_command_whose_start_up_differs_runs_alone(
    daemon: Daemon, corpus: Path, tmp_path_factory: pytest.TempPathFactory, variable: str
) -> None:
    daemon.start()
    elsewhere = str(tmp_path_factory.mktemp("elsewhere"))
    done = daemon.run("check", "--no-cache", ".", cwd=corpus, **{variable: elsewhere})
    assert done.returncode == 1
    assert "CL101" in done.stdout
    assert daemon.served() == 0


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_a_daemon_started_from_a_git_hook_keeps_none_of_its_git_variables(
    daemon: Daemon, corpus: Path
) -> None:
    hook = {"GIT_INDEX_FILE": str(corpus / "index.lock"), "GIT_DIR": str(corpus / ".git")}
    first = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="auto", **hook)
    assert first.returncode == 1
    _wait_for(lambda: daemon.status() is not None)
    status = daemon.status()
    assert status is not None
    environ = Path(f"/proc/{status['pid']}/environ").read_bytes().split(b"\0")
    assert not [v for v in environ if v.startswith(b"GIT_")]
    assert b"CORPUSLINT_DAEMON=off" in environ


def _waiting_command(
    daemon: Daemon, corpus: Path, preexec: Callable[[], None] | None = None
) -> subprocess.Popen[str]:
    """A command that reads stdin, which stays open: it runs until told otherwise."""
    command = [sys.executable, "-m", "corpuslint", "check", "-", "--stdin-filename", "x.md"]
    process = subprocess.Popen(
        command, cwd=corpus, env=daemon.env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=preexec,  # noqa: PLW1509 - the test process starts no threads
    )  # fmt: skip
    _wait_for(lambda: (daemon.status() or {}).get("running") == "1")
    return process


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_signal_the_command_ignores_stays_ignored(daemon: Daemon, corpus: Path) -> None:
    daemon.start()

    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as nohup or `trap '' INT` leave it

    process = _waiting_command(daemon, corpus, ignore_sigint)
    try:
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        out, _err = process.communicate(article(LONG_C, LONG_C), timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 1  # the findings, not 130
    assert "CL101" in out


def _ignore_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@pytest.mark.parametrize("preexec", [None, _ignore_sigterm], ids=["plain", "ignoring-sigterm"])
def test_the_command_stops_when_its_process_is_killed(
    daemon: Daemon, corpus: Path, preexec: Callable[[], None] | None
) -> None:
    daemon.start()
    process = _waiting_command(daemon, corpus, preexec)
    try:
        process.kill()
        process.wait(timeout=TIMEOUT)
        _wait_for(lambda: (daemon.status() or {}).get("running") == "0")
    finally:
        assert process.stdin is not None
        process.stdin.close()


def test_a_command_still_running_does_not_keep_a_new_daemon_from_starting(
    daemon: Daemon, corpus: Path
) -> None:
    pid = int(daemon.start()["pid"])
    process = _waiting_command(daemon, corpus)
    try:
        daemon.run("daemon", "stop", cwd=daemon.home)
        assert daemon.wait_gone(pid)
        again = daemon.run("daemon", "start", cwd=daemon.home)
        assert again.returncode == 0, again.stderr
        log = next(daemon.runtime.glob("corpuslint/*.log")).read_text(encoding="utf-8")
        assert log.count(" serving ") == 1  # each daemon's log starts afresh
    finally:
        process.communicate(article(LONG_A), timeout=TIMEOUT)


def test_a_stopped_daemon_leaves_the_command_to_run_alone(daemon: Daemon, corpus: Path) -> None:
    pid = int(daemon.start()["pid"])
    alone = daemon.run("check", "--no-cache", ".", cwd=corpus, CORPUSLINT_DAEMON="off")
    os.kill(pid, signal.SIGSTOP)
    try:
        done = daemon.run("check", "--no-cache", ".", cwd=corpus)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert (done.returncode, done.stdout) == (alone.returncode, alone.stdout)


def test_two_starts_at_once_both_succeed(daemon: Daemon) -> None:
    command = [sys.executable, "-m", "corpuslint", "daemon", "start"]
    starts = [
        subprocess.Popen(command, cwd=daemon.home, env=daemon.env, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    codes = [start.wait(timeout=TIMEOUT) for start in starts]
    for start in starts:
        assert start.stdout is not None
        start.stdout.close()
    assert codes == [0, 0]


@pytest.mark.parametrize("args", [["nosuch"], ["check", "--no-such-option"], ["--help"]])
def test_usage_messages_name_the_program_as_alone(
    daemon: Daemon, corpus: Path, args: list[str]
) -> None:
    alone = daemon.run(*args, cwd=corpus, CORPUSLINT_DAEMON="off")
    assert "python -m corpuslint" in alone.stdout + alone.stderr
    daemon.start()
    served = daemon.run(*args, cwd=corpus)
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    assert daemon.served() == 1


def test_a_command_longer_than_the_handshake_runs_to_its_end(daemon: Daemon, corpus: Path) -> None:
    daemon.start()
    process = _waiting_command(daemon, corpus)
    time.sleep(3)  # longer than any of the handshake's time limits
    try:
        out, err = process.communicate(article(LONG_C, LONG_C), timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 1, err
    assert "CL101" in out


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="finds the copy with pgrep")
def test_a_copy_killed_by_a_signal_ends_its_command_the_same_way(
    daemon: Daemon, corpus: Path
) -> None:
    pid = int(daemon.start()["pid"])
    process = _waiting_command(daemon, corpus)
    try:
        found = subprocess.run(
            ["pgrep", "-P", str(pid)], check=True, capture_output=True, text=True
        )
        copies = [int(p) for p in found.stdout.split()]
        assert len(copies) == 1
        os.kill(copies[0], signal.SIGKILL)  # as the out-of-memory killer would
        process.wait(timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL


def test_a_runtime_folder_too_deep_for_a_socket_is_refused(corpus: Path) -> None:
    deep = Path(tempfile.mkdtemp(prefix="cl-")) / ("d" * 90)
    deep.mkdir(mode=0o700)
    helper = Daemon(deep)
    started = helper.run("daemon", "start", cwd=helper.home)
    assert started.returncode == 2
    assert "too deep for a Unix socket's path" in started.stderr
    alone = helper.run("check", "--no-cache", ".", cwd=corpus)
    assert alone.returncode == 1
    assert "CL101" in alone.stdout


def test_an_environment_a_process_cannot_be_given_runs_alone(daemon: Daemon) -> None:
    daemon.start()
    command = ["env", "=odd", sys.executable, "-m", "corpuslint", "--version"]
    done = subprocess.run(
        command,
        cwd=daemon.home,
        env=daemon.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("corpuslint, version")
    assert done.stderr == ""
    assert daemon.served() == 0
