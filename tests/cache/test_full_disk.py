"""A full disk while the cache or the report is written: one line, nothing half-written.

Where it can, the fault is real: a small tmpfs mounted in a private mount namespace
(``unshare``, Linux) gives ENOSPC, and a file size limit (``RLIMIT_FSIZE``) gives
EFBIG on any POSIX system. In-process tests raise the exact errno at the exact call.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from corpuslint._support import atomic
from corpuslint.cache import store as cache_module
from corpuslint.cache.store import GITIGNORE, directory_for
from tests.corpus_helpers import article, paragraph, run, summary
from tests.helpers import Run

FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
FILES = 120  # enough for a cache of about a megabyte


def make_corpus(root: Path) -> None:
    """Articles sharing paragraphs, so that the cache holds findings and many keys."""
    for number in range(FILES):
        # Each shared paragraph stands in two articles: copies, not boilerplate.
        body = [paragraph(number * 3 + k) for k in range(3)] + [paragraph(10_000 + number // 2)]
        (root / f"a{number:03}.md").write_text(article(f"Title {number}", body))


def corpuslint(
    root: Path, *args: str, fsize: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``corpuslint check -q ARGS`` in a subprocess, optionally with a file size limit."""

    def limit() -> None:
        if fsize is not None:  # Python ignores SIGXFSZ, so a write past it fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, resource.RLIM_INFINITY))

    command = [sys.executable, "-m", "corpuslint", "check", "-q", "--jobs", "1", *args]
    return subprocess.run(
        command, cwd=root, preexec_fn=limit, capture_output=True, text=True, timeout=60, check=False
    )


def cache_rows(root: Path) -> tuple[str, int]:
    """The cache database's integrity check and number of entries."""
    db = sqlite3.connect(directory_for(root) / "cache.sqlite")
    try:
        (check,) = db.execute("PRAGMA integrity_check").fetchone()
        (rows,) = db.execute("SELECT count(*) FROM files").fetchone()
    finally:
        db.close()
    return check, rows


def leftovers(folder: Path) -> list[str]:
    """Temporary files a failed write left behind."""
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# --- the report (--output-file) -------------------------------------------------------


def fill_half_then_fail(real_fdopen: Callable[..., Any]) -> Callable[..., Any]:
    """An ``os.fdopen`` whose stream writes half of what it is given, then hits ENOSPC."""

    class FullStream:
        def __init__(self, stream: BinaryIO) -> None:
            self.stream = stream

        def __enter__(self) -> FullStream:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            self.stream.flush()
            raise FULL

        def flush(self) -> None:
            self.stream.flush()

        def fileno(self) -> int:
            return self.stream.fileno()

    return lambda fd, mode: FullStream(real_fdopen(fd, mode))


def fail_fsync(fd: int) -> None:
    raise FULL  # as NFS and delayed allocation report a full disk: at fsync


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_report_on_a_full_disk_is_one_line_and_keeps_the_old_report(
    project: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (project / "a.md").write_text(article("Alpha", [paragraph(1), paragraph(1)]))
    report = project / "out" / "report.txt"
    report.parent.mkdir()
    report.write_text("yesterday's report\n")
    if where == "write":
        monkeypatch.setattr(atomic.os, "fdopen", fill_half_then_fail(os.fdopen))
    else:
        monkeypatch.setattr(atomic.os, "fsync", fail_fsync)
    result = cli("check", "--no-cache", "--output-file", str(report))
    assert result.exit_code == 2
    assert result.stderr == f"corpuslint: error: cannot write {report}: No space left on device\n"
    assert report.read_text() == "yesterday's report\n"
    assert leftovers(report.parent) == []


def test_report_over_the_file_size_limit(project: Path) -> None:
    make_corpus(project)
    report = project / "out" / "report.json"
    report.parent.mkdir()
    report.write_text("[]\n")
    done = corpuslint(project, "--no-cache", "--format", "json", "-o", str(report), fsize=4096)
    assert done.returncode == 2
    assert done.stderr == f"corpuslint: error: cannot write {report}: File too large\n"
    assert report.read_text() == "[]\n"
    assert leftovers(report.parent) == []
    done = corpuslint(project, "--no-cache", "--format", "json", "-o", str(report))
    assert done.returncode == 1
    assert len(json.loads(report.read_text())) > 0  # the whole report, once there is room


def test_a_pipe_is_written_in_place_and_a_link_is_followed(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()), daemon=True)
    reader.start()
    atomic.write_text_atomic(pipe, "report\n")  # as with --output-file /dev/stdout
    reader.join(timeout=10)
    assert received == ["report\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # not replaced by a regular file
    target, link = tmp_path / "target.txt", tmp_path / "link.txt"
    target.write_text("old")
    link.symlink_to(target)
    atomic.write_text_atomic(link, "new")
    assert (link.is_symlink(), target.read_text()) == (True, "new")


def test_atomic_writes_keep_the_mode_or_follow_the_umask(tmp_path: Path) -> None:
    fresh, kept = tmp_path / "fresh.txt", tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    old_umask = os.umask(0o027)
    try:
        atomic.write_text_atomic(fresh, "new")
        atomic.write_text_atomic(kept, "new")
    finally:
        os.umask(old_umask)
    assert (fresh.stat().st_mode & 0o777, fresh.read_text()) == (0o640, "new")
    assert (kept.stat().st_mode & 0o777, kept.read_text()) == (0o640, "new")
    kept.chmod(0o604)
    atomic.write_text_atomic(kept, "newer")
    assert kept.stat().st_mode & 0o777 == 0o604


# --- the cache ------------------------------------------------------------------------


def test_cache_over_the_file_size_limit(project: Path) -> None:
    make_corpus(project)
    reference = corpuslint(project, "--no-cache").stdout
    done = corpuslint(project, fsize=384 * 1024)  # the tables, not the entries (64 KB pages)
    assert done.returncode == 1
    assert done.stdout == reference
    assert done.stderr == (
        "corpuslint: warning: cache write failed (disk I/O error); running without the cache\n"
    )
    again = corpuslint(project)  # room again: the cache is whole and fills up
    assert (again.stdout, again.stderr) == (reference, "")
    assert cache_rows(project) == ("ok", FILES)
    assert corpuslint(project).stdout == reference


def test_key_index_on_a_full_disk(corpus_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = cache_module._write_arrays

    def half_then_full(file: Path, arrays: Any) -> None:
        real_write(file, arrays)
        with open(file, "r+b") as handle:
            handle.truncate(os.path.getsize(file) // 2)
        raise FULL

    monkeypatch.setattr(cache_module, "_write_arrays", half_then_full)
    cold = run(corpus_root, cache=True)
    assert cold.warnings == (
        "cache index failed ([Errno 28] No space left on device); running without the cache",
    )
    folder = directory_for(corpus_root)
    assert leftovers(folder) == []
    assert not list(folder.glob("keys3-*"))
    monkeypatch.undo()
    warm = run(corpus_root, cache=True)  # the entries were written before the index
    assert (summary(warm), warm.warnings) == (summary(cold), ())
    assert list(folder.glob("keys3-*.idx"))


def test_a_cut_short_gitignore_is_completed(corpus_root: Path) -> None:
    folder = directory_for(corpus_root)
    folder.mkdir()
    (folder / ".gitignore").write_bytes(GITIGNORE[:10])  # the disk filled up after 10 bytes
    run(corpus_root, cache=True)
    assert (folder / ".gitignore").read_bytes() == GITIGNORE


def test_a_full_disk_does_not_delete_a_good_cache(
    corpus_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(corpus_root, cache=True)
    database = directory_for(corpus_root) / "cache.sqlite"

    def full(path: Path) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(cache_module, "_connect", full)
    result = run(corpus_root, cache=True)
    assert result.warnings == (
        f"cache {database} cannot be used (database or disk is full); running without it",
    )
    assert cache_rows(corpus_root) == ("ok", 3)


@pytest.fixture
def corpus_root(tmp_path: Path) -> Path:
    (tmp_path / "old.md").write_text(article("Old", [paragraph(1), paragraph(2)]))
    (tmp_path / "other.md").write_text(article("Other", [paragraph(3)]))
    (tmp_path / "copy.md").write_text(article("Copy", [paragraph(1)]))
    return tmp_path


# --- a real full disk: a tmpfs in a private mount namespace --------------------------

NAMESPACE_SCRIPT = textwrap.dedent(
    """
    import json, os, subprocess, sys
    root = sys.argv[1]
    cache, out = root + "/cache-mount", root + "/out"
    os.environ["CORPUSLINT_CACHE_DIR"] = cache  # the runs below keep their cache on the tmpfs
    steps = []

    def mount(where, size, remount=False):
        options = ("remount," if remount else "") + "size=" + size
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", where], check=True)

    def check(name, *args):
        command = [sys.executable, "-m", "corpuslint", "check", "-q", "--jobs", "1", *args]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
        steps.append([name, done.returncode, done.stdout, done.stderr])

    def fill(where):
        with open(where + "/filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"x" * 4096)
            except OSError:
                pass

    mount(cache, "512k")  # the tables, not the entries (64 KB pages)
    check("tiny disk")
    mount(cache, "16m", remount=True)
    check("room again")
    fill(cache)  # the disk fills up between two runs
    subprocess.run(["touch", root + "/a000.md"])  # a changed file: the run must write
    check("full disk")
    subprocess.run(["rm", cache + "/filler"], check=True)
    check("room once more")
    mount(out, "64k")
    with open(out + "/report.txt", "w") as report:
        report.write("yesterday's report\\n")
    fill(out)
    check("report on a full disk", "--no-cache", "-o", out + "/report.txt")
    subprocess.run(["rm", out + "/filler"], check=True)
    with open(out + "/report.txt") as report:
        left = sorted(os.listdir(out))
        steps.append(["report afterwards", 0, report.read(), " ".join(left)])
    print(json.dumps(steps))
    """
)


@cache
def private_mounts() -> bool:
    """Whether this system lets an unprivileged process mount a tmpfs of its own."""
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return False
    try:
        done = subprocess.run(
            ["unshare", "-rm", "true"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.mark.skipif(not private_mounts(), reason="needs unshare and user namespaces (Linux)")
def test_cache_on_a_full_tmpfs(project: Path) -> None:
    make_corpus(project)
    (project / "cache-mount").mkdir()  # the mount points
    (project / "out").mkdir()
    reference = corpuslint(project, "--no-cache").stdout
    command = ["unshare", "-rm", sys.executable, "-c", NAMESPACE_SCRIPT, str(project)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    steps = {name: (code, out, err) for name, code, out, err in json.loads(done.stdout)}
    write_failed = (
        "corpuslint: warning: cache write failed (database or disk is full);"
        " running without the cache\n"
    )
    assert steps["tiny disk"] == (1, reference, write_failed)
    assert steps["room again"] == (1, reference, "")
    # A full disk is not a corrupt cache: it is bypassed, not deleted and rebuilt.
    code, out, err = steps["full disk"]
    assert (code, out) == (1, reference)
    assert err.count("\n") == 1
    assert err.startswith("corpuslint: warning: cache ")
    # SQLite's words (with WAL they were "disk I/O error": its shared-memory file failed)
    assert "cannot be used (database or disk is full); running without it" in err
    assert "corrupt" not in err
    assert steps["room once more"] == (1, reference, "")
    report = project / "out" / "report.txt"
    assert steps["report on a full disk"] == (
        2,
        "",
        f"corpuslint: error: cannot write {report}: No space left on device\n",
    )
    assert steps["report afterwards"] == (0, "yesterday's report\n", "report.txt")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_report_to_a_full_stdout_is_one_line(project: Path) -> None:
    shared = paragraph(1)
    (project / "a.md").write_text(article("A", [shared, shared]))
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "corpuslint", "check", "--no-cache", "."],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "corpuslint: error: cannot write the report to stdout: No space left on device"
    ]
