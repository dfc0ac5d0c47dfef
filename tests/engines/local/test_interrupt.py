"""Ctrl-C in the middle of a parallel run: exit 130 promptly, no worker left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.corpus_helpers import article, paragraph
from tests.helpers import SLOW_PARALLEL_RUN as SCRIPT
from tests.helpers import alive


def interrupt_when_two_are_busy(
    tmp_path: Path, script: str, corpus: Path
) -> tuple[subprocess.Popen[str], str, float, set[int]]:
    """Run ``script`` on ``corpus``; once two processes wrote their pid, send SIGINT.

    Returns the process, its stderr, the seconds from the signal to its exit, and the
    pids the script's processes wrote.
    """
    pids = tmp_path / "pids"
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(pids), str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline
        and len(set(pids.read_text().split()) if pids.exists() else ()) < 2
    ):
        time.sleep(0.05)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=20)
    elapsed = time.monotonic() - started
    return process, err, elapsed, {int(pid) for pid in pids.read_text().split()}


def test_sigint_stops_a_parallel_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(600):  # 600 files x 100 ms over 2 workers: thirty seconds of work
        (corpus / f"a{number}.txt").write_text(f"Headline {number}\n\nBody text number {number}.\n")
    # Two processes busy: both workers.
    process, err, elapsed, pids = interrupt_when_two_are_busy(tmp_path, SCRIPT, corpus)
    assert process.returncode == 130, err
    assert elapsed < 3
    assert "Traceback" not in err
    workers = pids - {process.pid}
    assert workers, "the run used no worker processes"
    time.sleep(0.2)
    assert not [pid for pid in workers if alive(pid)]
    assert os.path.exists(corpus / "a0.txt")


CORPUS_PASS_SCRIPT = """
import os, sys, time
from corpuslint.engines.local import corpus_pass
from corpuslint.cli import main
from corpuslint_rules.corpus_paragraph import CorpusDuplicateParagraph

corpus_pass.HELPER_MIN_SIGNATURES = 0  # a helper for this small corpus
original = CorpusDuplicateParagraph.compare
pids = sys.argv[1]

def slow(self, key, signatures, options):
    with open(pids, "a") as handle:
        handle.write(f"{os.getpid()}\\n")
    time.sleep(0.1)
    return original(self, key, signatures, options)

CorpusDuplicateParagraph.compare = slow
print("started", flush=True)
main(["check", sys.argv[2], "--jobs", "2", "--no-cache", "-q", "--select", "CL102"])
"""


def test_sigint_in_the_corpus_pass_stops_its_helper(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(40):  # hundreds of groups x 100 ms: a minute of judging
        body = [paragraph(number), paragraph(1000 + number % 4), paragraph(2000 + number % 3)]
        (corpus / f"a{number}.md").write_text(article(f"Story {number}", body))
    # Two processes busy: the parent and its helper both judge groups.
    process, err, elapsed, pids = interrupt_when_two_are_busy(tmp_path, CORPUS_PASS_SCRIPT, corpus)
    assert process.returncode == 130, err
    assert elapsed < 3
    assert "Traceback" not in err
    helpers = pids - {process.pid}
    assert len(helpers) == 1, "the corpus pass had no helper"
    time.sleep(0.2)
    assert not [pid for pid in helpers if alive(pid)]


CONSUMER_SCRIPT = """
import os, signal, sys, time
from corpuslint.engines.local import runner
from corpuslint.cli import main

def collect(outcomes, *args):
    # Ctrl-C once the parent has taken an outcome, the pass's generator suspended, with
    # nothing here to close it: the interrupt's traceback keeps it to the shutdown.
    next(iter(outcomes))
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)

runner._collect = collect
main(["check", sys.argv[2], "--jobs", "2", "--no-cache", "-q"])
"""


def test_sigint_while_the_parent_takes_an_outcome_stops_at_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(200):
        (corpus / f"a{number}.txt").write_text(f"Headline {number}\n\nBody text number {number}.\n")
    pids = tmp_path / "pids"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CONSUMER_SCRIPT, str(pids), str(corpus)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    # The pass's generator is closed by the interpreter's shutdown, where no thread can
    # start: its pool must be stopped without one.
    assert done.returncode == 130, done.stderr
    assert time.monotonic() - started < 20
    assert done.stderr.strip() == "corpuslint: interrupted"
