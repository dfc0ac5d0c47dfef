"""A rule plugin that hangs is stopped at its time budget, named, and the run goes on.

The hanging runs are subprocesses with a timeout, so a broken budget fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint import plugins
from corpuslint._support import budget
from corpuslint.config import Config
from corpuslint.engines.local import document_pass
from corpuslint.run.plan import Overrides, make_plan
from tests import test_plugins
from tests.helpers import LONG_A, LONG_B, Run, paragraphs, write

install = test_plugins.install  # the fixture that installs a fake plugin distribution

SLOW_PLUGIN = '''
import os
import time

from corpuslint.similarity.hashing import pack, text_key
from corpuslint.hookspecs import hookimpl
from corpuslint.model import Signature
from corpuslint.rule import CorpusRule, DocumentRule

MARKER = os.environ.get("SLOW_MARKER", "")


def busy(document):
    """Whether this document makes the rules hang (while the marker file exists)."""
    return "slow" in document.path and (not MARKER or os.path.exists(MARKER))


def sleep_forever():
    while True:
        try:
            time.sleep(3600)
        except Exception:  # a rule that swallows errors is stopped all the same
            pass


class SlowCheck(DocumentRule):
    """Hangs in check() on a slow document; flags every other document's headline."""

    code = "XS100"
    name = "slow-check"

    def check(self, document, options):
        if busy(document) and "check" in document.path:
            sleep_forever()
        if document.headline is not None:
            yield self.violation(document, document.headline.span, "Headline seen", text="h")


class SlowCorpus(CorpusRule):
    """Spins in signatures() on a slow document and sleeps in compare() on a hang group."""

    code = "XS200"
    name = "slow-corpus"

    def signatures(self, document, options):
        if busy(document) and "signatures" in document.path:
            while True:  # pure Python, no system call: the alarm lands between bytecodes
                pass
        for block in document.prose:
            key = pack([text_key(block.normalized)])
            yield Signature(key, document.path, block.span, block.normalized)

    def compare(self, key, signatures, options):
        if any(s.text.startswith("hang") for s in signatures) and (
            not MARKER or os.path.exists(MARKER)
        ):
            sleep_forever()
        first, *copies = sorted(signatures, key=Signature.order)
        for copy in copies:
            yield self.violation(copy.path, copy.span, "Shared paragraph", text=copy.text)


@hookimpl
def corpuslint_rules():
    return [SlowCheck, SlowCorpus]
'''

SHARED = "Both of these files carry this same paragraph of more than a few words."
HANG = "hang here: the compare of this paragraph never returns, whatever happens."
ERROR = (
    "corpuslint: internal error: rule {code} ({name}) from plugin 'corpuslint-slow'"
    " exceeded its time budget of 0.5 s on {where} (see rule-timeout)"
)


def fake_plugin(site: Path) -> None:
    """A distribution providing the slow rules, importable with ``site`` on the path."""
    info = site / "corpuslint_slow-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: corpuslint-slow\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[corpuslint]\ncorpuslint-slow = corpuslint_slow\n")
    (site / "corpuslint_slow.py").write_text(SLOW_PLUGIN)


def slow_corpus(root: Path, padding: int) -> None:
    """Files that make each hook hang, two sharing a paragraph, and ``padding`` plain ones."""
    files: dict[str, str | bytes] = {
        "slow-check.txt": paragraphs("Check", LONG_A),
        "slow-signatures.txt": paragraphs("Signatures", LONG_B),
        "hang1.txt": paragraphs("Hang one", HANG),
        "hang2.txt": paragraphs("Hang two", HANG),
        "pair1.txt": paragraphs("Pair one", SHARED),
        "pair2.txt": paragraphs("Pair two", SHARED),
        "repeat.txt": paragraphs("Repeated headline", "Repeated headline", LONG_A),
    }
    files.update(
        {f"pad{n:02}.txt": paragraphs(f"Pad {n}", f"Padding {n}.") for n in range(padding)}
    )
    write(root, files)


def run_slow(
    root: Path, site: Path, *args: str, marker: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "SLOW_MARKER": str(marker or "")}
    command = [sys.executable, "-m", "corpuslint", "check", "--select", "XS,CL201", *args]
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture
def slow_project(project: Path, tmp_path: Path) -> tuple[Path, Path]:
    fake_plugin(tmp_path / "site")
    (project / "corpuslint.toml").write_text("rule-timeout = 0.5\n")
    return project, tmp_path / "site"


def errors(stderr: str) -> list[str]:
    """The internal error lines, with the corpus pass's key made readable."""
    found = [line for line in stderr.splitlines() if "internal error" in line]
    return sorted(re.sub(r"\(key -?\d+\)", "(key K)", line) for line in found)


EXPECTED_ERRORS = sorted(
    [
        ERROR.format(code="XS100", name="slow-check", where="slow-check.txt"),
        ERROR.format(code="XS200", name="slow-corpus", where="slow-signatures.txt"),
        ERROR.format(code="XS200", name="slow-corpus", where="the corpus pass (key K)"),
    ]
)


@pytest.mark.parametrize(
    ("padding", "jobs"), [(0, "1"), (document_pass.PARALLEL_MIN_FILES, "2")], ids=["serial", "pool"]
)
def test_hanging_rules_are_stopped_named_and_the_run_goes_on(
    slow_project: tuple[Path, Path], padding: int, jobs: str
) -> None:
    root, site = slow_project
    slow_corpus(root, padding)
    done = run_slow(root, site, "--no-cache", "--jobs", jobs)
    assert done.returncode == 2, done.stderr
    assert errors(done.stderr) == EXPECTED_ERRORS
    assert "Traceback" not in done.stderr
    found = done.stdout.splitlines()
    assert "repeat.txt:3:1: CL201 [error] Headline repeated (first at line 1)" in found
    # the other groups were compared
    assert "pair2.txt:3:1: XS200 [error] Shared paragraph" in found
    headlines = sorted(line.split(":")[0] for line in found if "XS100" in line)
    assert "slow-check.txt" not in headlines
    assert len(headlines) == 6 + padding  # every other file


def test_a_timed_out_outcome_is_not_cached(slow_project: tuple[Path, Path]) -> None:
    root, site = slow_project
    slow_corpus(root, 0)
    marker = root.parent / "busy"
    marker.touch()
    assert errors(run_slow(root, site, "--jobs", "1", marker=marker).stderr) == EXPECTED_ERRORS
    marker.unlink()  # the machine is no longer busy: the rules now finish
    done = run_slow(root, site, "--jobs", "1", marker=marker)
    assert done.returncode == 1, done.stderr
    assert "slow-check.txt:1:1: XS100 [error] Headline seen" in done.stdout.splitlines()
    assert "hang2.txt:3:1: XS200 [error] Shared paragraph" in done.stdout.splitlines()


SLEEPY_RULE = '''
import time
from corpuslint.hookspecs import hookimpl
from corpuslint.rule import DocumentRule


class Sleepy(DocumentRule):
    """Takes 0.6 s per document, then flags its headline."""

    code = "XZ100"
    name = "sleepy"

    def check(self, document, options):
        time.sleep(0.6)
        yield self.violation(document, document.headline.span, "Slept", text="s")


@hookimpl
def corpuslint_rules():
    return [Sleepy]
'''


@pytest.mark.parametrize(
    ("setting", "finished"), [("rule-timeout = 0.2", False), ("rule-timeout = 0", True)]
)
def test_rule_timeout_setting(
    project: Path,
    cli: Callable[..., Run],
    install: Callable[..., str],
    setting: str,
    finished: bool,
) -> None:
    install("corpuslint-sleepy", "corpuslint_sleepy", textwrap.dedent(SLEEPY_RULE))
    (project / "corpuslint.toml").write_text(setting + "\n")
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    run = cli("check", "--select", "XZ", "--no-cache")
    if finished:  # 0: no limit
        assert (run.exit_code, run.findings()) == (1, ["a.txt:1:1: XZ100"])
    else:
        assert (run.exit_code, run.findings()) == (2, [])
        assert "exceeded its time budget of 0.2 s on a.txt" in run.stderr
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL  # handler given back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left running


def test_rule_timeout_reaches_the_plan(tmp_path: Path) -> None:
    registry = plugins.load()
    assert make_plan(Config(root=tmp_path), registry, Overrides()).rule_timeout == 60
    plan = make_plan(Config(root=tmp_path, rule_timeout=2.5), registry, Overrides())
    assert plan.rule_timeout == 2.5


def nap() -> str:
    time.sleep(0.4)
    return "done"


def test_a_budget_stops_a_call_and_restores_the_signal_state() -> None:
    def previous(signum: int, frame: object) -> None:
        raise AssertionError("the host's handler must not be called")

    signal.signal(signal.SIGALRM, previous)
    try:
        with pytest.raises(budget.BudgetExceeded):
            budget.within(0.1, nap)
        assert budget.within(1, lambda: "quick") == "quick"
        assert signal.getsignal(signal.SIGALRM) is previous
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


def test_a_timer_of_the_host_is_left_alone() -> None:
    fired: list[int] = []
    signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        assert budget.within(0.1, nap) == "done"  # no budget: the timer is the host's
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 25 < remaining < 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    assert fired == []


def test_outside_the_main_thread_the_budget_is_not_enforced() -> None:
    results: list[str] = []
    worker = threading.Thread(target=lambda: results.append(budget.within(0.1, nap)))
    worker.start()
    worker.join(timeout=10)
    assert results == ["done"]


def test_calls_in_a_stretch_share_one_watchdog_tick() -> None:
    with budget.handler(0.2):
        assert signal.getitimer(signal.ITIMER_REAL)[1] == pytest.approx(0.02)
        for _ in range(100):  # quick calls are never stopped, however many
            assert budget.within(0.2, lambda: "quick") == "quick"
        with pytest.raises(budget.BudgetExceeded):
            budget.within(0.2, nap)  # the tick notices the passed deadline
        assert budget.within(0, nap) == "done"  # 0: no budget, even inside a stretch
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_a_tiny_budget_ticks_at_most_a_hundred_times_a_second() -> None:
    with budget.handler(0.001):
        assert signal.getitimer(signal.ITIMER_REAL)[1] == pytest.approx(budget.MIN_TICK)
        with pytest.raises(budget.BudgetExceeded):
            budget.within(0.001, nap)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
