"""A worker process that dies mid-run: the run ends, and the file it was checking is named.

A killed worker (the out-of-memory killer, a crash in compiled code) used to leave the
parent waiting for its result for ever. Each case runs corpuslint in a child process
whose workers die on purpose, with a timeout the run must beat.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corpuslint.engines.local.watch import Death

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")

# The workers are forked from the process that runs the script, so what it replaces
# before ``main`` is what they run.
KILL_ON_POISON = """
import os, signal, sys
from corpuslint.run import executor
from corpuslint.cli import main

original = executor.Checker._check  # what a check with or without the cache runs

def deadly(self, source, digest):
    if source.path.name == "poison.txt":
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, source, digest)

executor.Checker._check = deadly
main(sys.argv[1:])
"""

DIE_AT_START = """
import atexit, os, signal, sys
from corpuslint.engines.local import document_pass
from corpuslint.cli import main

def dying(*args):
    os.kill(os.getpid(), signal.SIGKILL)

pools = []
started = document_pass._started

def counted(*args):
    pools.append(1)
    return started(*args)

document_pass._init_worker = dying
document_pass._started = counted
atexit.register(lambda: print(f"pools: {len(pools)}", flush=True))
main(sys.argv[1:])
"""

KILL_IN_A_PART = """
import os, signal, sys
from corpuslint.engines.local import split
from corpuslint.cli import main

split.BLOCK_BYTES = 4096  # read in parts: the split run's pool
original = split.check_part

def deadly(checker, task):
    if task.start > 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(checker, task)

split.check_part = deadly
main(sys.argv[1:])
"""


def run(script: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The script's run of ``corpuslint args`` in ``tmp_path``; a hang fails the test."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=90,
    )


def corpus(tmp_path: Path, files: int = 40) -> Path:
    """Text files that each get a CL301 finding (no attribution), and ``poison.txt``.

    The poison comes first, in the first chunk of work, beside other files: they are
    lost with the worker, and a new pool must check them and all the others.
    """
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(files):
        (folder / f"a{number:02}.txt").write_text(f"Headline {number}\n\nBody text {number}.\n")
    (folder / "0").mkdir()
    (folder / "0" / "poison.txt").write_text("Poison\n\nA file whose check kills its worker.\n")
    return folder


def findings(output: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(output)
    return found


@pytest.mark.usefixtures("own_cache")
@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_a_killed_worker_names_its_file_and_the_run_goes_on(
    tmp_path: Path, cache: tuple[str, ...]
) -> None:
    folder = corpus(tmp_path)
    args = ("check", str(folder), "--jobs", "2", *cache, "--format", "json")
    done = run(KILL_ON_POISON, tmp_path, *args)
    assert done.returncode == 1, done.stderr
    found = findings(done.stdout)
    poison = [f for f in found if f["path"].endswith("poison.txt")]
    assert [(f["code"], f["message"]) for f in poison] == [
        ("CL001", "the process checking this file was killed by SIGKILL (out of memory?)")
    ]
    # Every other file was checked once, the ones the dead worker had taken included.
    others = sorted(Path(f["path"]).name for f in found if f["code"] == "CL301")
    assert others == [f"a{number:02}.txt" for number in range(40)]
    # Nothing about the dead worker is kept in the cache: a run without the poison
    # checks the file again.
    again = subprocess.run(
        [sys.executable, "-m", "corpuslint", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=90,
    )
    codes = [f["code"] for f in findings(again.stdout) if f["path"].endswith("poison.txt")]
    assert codes == ["CL301"]


@pytest.mark.usefixtures("own_cache")
def test_a_file_around_the_targets_that_kills_a_worker_is_an_error(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    target = str(folder / "a05.txt")
    done = run(KILL_ON_POISON, tmp_path, "check", target, "--jobs", "2", "--format", "json")
    # Its findings would not be reported, but the run could not compare it with the
    # targets: an error says so (exit 2), and the targets' findings stand.
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "poison.txt: the process checking it was killed by SIGKILL (out of memory?);"
            " not compared"
        )
    )
    assert [(Path(f["path"]).name, f["code"]) for f in findings(done.stdout)] == [
        ("a05.txt", "CL301")
    ]


def test_workers_dying_on_file_after_file_stop_the_run(tmp_path: Path) -> None:
    folder = corpus(tmp_path, files=0)
    for number in range(20):
        (folder / f"poison{number}.txt").mkdir()
        (folder / f"poison{number}.txt" / "poison.txt").write_text("Poison\n\nIt kills.\n")
    # A lower cap than a real run's: each death costs a new pool, a second or so.
    capped = KILL_ON_POISON.replace(
        "main(sys.argv[1:])",
        "from corpuslint.engines.local import document_pass\n"
        "document_pass._MAX_FAILED = 3\n"
        "main(sys.argv[1:])",
    )
    done = run(capped, tmp_path, "check", str(folder), "--jobs", "2", "--no-cache")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        "poison.txt: the process checking it was killed by SIGKILL (out of memory?),"
        " as on 3 files before; the run stopped"
    )


def test_workers_that_keep_dying_between_files_stop_the_run(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    done = run(DIE_AT_START, tmp_path, "check", str(folder), "--jobs", "2", "--no-cache")
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("corpuslint: error: worker processes keep dying between files"), last
    assert "killed by SIGKILL" in last
    assert "Traceback" not in done.stderr
    # The first pool and one for each of the deaths the run goes on after.
    assert done.stdout.strip().splitlines()[-1] == "pools: 4"


def test_a_worker_killed_in_a_part_of_a_large_file_stops_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = [json.dumps({"title": f"T{n}", "text": f"Record {n}. " * 20}) for n in range(200)]
    (folder / "big.jsonl").write_text("\n".join(lines) + "\n")
    done = run(KILL_IN_A_PART, tmp_path, "check", str(folder), "--jobs", "2", "--no-cache")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        "big.jsonl: the process checking it was killed by SIGKILL (out of memory?); the run stopped"
    )


@pytest.mark.parametrize(
    ("exitcode", "reason"),
    [
        (-9, "was killed by SIGKILL (out of memory?)"),
        (-11, "was killed by SIGSEGV (a crash in compiled code)"),
        (-15, "was killed by SIGTERM"),
        (-200, "was killed by signal 200"),
        (3, "exited with status 3"),
    ],
)
def test_how_a_worker_ended(exitcode: int, reason: str) -> None:
    assert Death(None, exitcode).reason() == reason
