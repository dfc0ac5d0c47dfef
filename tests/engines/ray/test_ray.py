"""The Ray engine on a real local Ray instance (2 CPUs): same findings as the local engine.

These tests need the ``[ray]`` extra and run in their own CI step (``pytest -m ray``),
so Ray's start-up cost is visible apart from the rest of the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("ray.data")
import ray

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.engines.ray import driver as ray_engine
from corpuslint.engines.ray.units import first_lines
from corpuslint.model import Violation
from corpuslint.rule import DocumentRule
from corpuslint.run.plan import Overrides
from tests.corpus_helpers import article, paragraph
from tests.engines.ray.corpora import write_mixed_corpus
from tests.helpers import Run

pytestmark = pytest.mark.ray
REGISTRY = plugins.load()
ALL = Overrides(select=("ALL",), cache=False)


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    """One local Ray instance for the module: the engine joins it instead of starting one."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_mixed_corpus(tmp_path)
    return tmp_path


def local(root: Path) -> tuple[Violation, ...]:
    return check([root], Config(root=root), REGISTRY, ALL, cwd=root).violations


def test_markdown_and_jsonl_give_the_local_engines_findings(corpus: Path) -> None:
    expected = local(corpus)
    assert len({v.code for v in expected}) >= 6
    result = ray_engine.check([corpus], Config(root=corpus), overrides=ALL, cwd=corpus)
    assert not result.errors
    assert result.violations == expected


@pytest.mark.parametrize("partitions", [2, 16])
def test_ray_and_local_give_identical_findings_at_2_and_16_partitions(
    corpus: Path, partitions: int
) -> None:
    long = article("A long read", [paragraph(20 + number) for number in range(6)])
    (corpus / "docs" / "long.md").write_text(long)
    (corpus / "docs" / "long-copy.md").write_text(long)  # a duplicate document
    expected = local(corpus)
    # Exact and near copies, repeated headlines, a duplicate document.
    assert {"CL101", "CL102", "CL103", "CL201", "CL202"} <= {v.code for v in expected}
    job = ray_engine.prepare([corpus], Config(root=corpus), None, ALL, corpus, block_bytes=1500)
    with ray_engine.session(None, None) as cpus:
        units = first_lines(job.units, ray_engine.block_breaks(job.units))
        gathered = ray_engine.passes(units, job.spec(partitions), cpus, job.dates)
    assert not gathered.split_partitions()
    result = job.finish(gathered)
    assert not result.errors
    assert result.violations == expected


def test_one_large_jsonl_file_read_in_several_blocks(corpus: Path) -> None:
    feed = corpus / "feed.jsonl"
    expected = [v for v in local(corpus) if v.path == "feed.jsonl"]
    job = ray_engine.prepare([feed], Config(root=corpus), None, ALL, corpus, block_bytes=2000)
    assert sum(u.display == "feed.jsonl" for u in job.units) > 10
    result = ray_engine.check(
        [feed], Config(root=corpus), overrides=ALL, cwd=corpus, block_bytes=2000
    )
    assert not result.errors
    assert list(result.violations) == expected


def test_file_urls_give_the_same_findings_under_their_urls(corpus: Path) -> None:
    expected = [(v.code, f"file://{corpus}/{v.path}", v.span) for v in local(corpus)]
    result = ray_engine.check([f"file://{corpus}"], Config(root=corpus), overrides=ALL)
    assert not result.errors
    found = [(v.code, v.path, v.span) for v in result.violations]
    assert sorted(found) == sorted(expected)


def _kill_one_worker(marker: str, killed: list[int], stop: threading.Event) -> None:
    """SIGKILL the first Ray worker process seen running a task named ``marker``."""
    while not stop.is_set() and not killed:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    command = handle.read()
            except OSError:
                continue
            if marker.encode() in command:
                os.kill(int(pid), signal.SIGKILL)
                killed.append(int(pid))
                return
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds worker processes in /proc")
def test_a_worker_killed_mid_run_is_retried_and_the_findings_are_the_same(
    corpus: Path,
) -> None:
    feed = corpus / "feed.jsonl"
    with feed.open("a") as handle:  # enough records for document tasks that last a while
        for line in (corpus / "feed.jsonl").read_text().splitlines()[:100] * 40:
            handle.write(line + "\n")
    expected = local(corpus)
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_one_worker, args=("_document_rows", killed, stop))
    killer.start()
    try:
        result = ray_engine.check(
            [corpus], Config(root=corpus), overrides=ALL, cwd=corpus, block_bytes=50_000
        )
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was caught running a document task"
    assert not result.errors
    assert result.violations == expected


class NotOnWorkers(DocumentRule):
    """A rule the driver has but the Ray workers cannot load."""

    code = "CL951"
    name = "not-on-workers"
    summary = "never installed on the workers"

    def check(self, document: object, options: object) -> Iterator[Violation]:
        return iter(())


def test_a_rule_plugin_missing_on_the_workers_is_a_clear_error(corpus: Path) -> None:
    rules = {**REGISTRY.rules, "CL951": NotOnWorkers}
    owners = {**REGISTRY.rule_plugins, "CL951": "corpuslint-extra"}
    info = plugins.PluginInfo("corpuslint-extra", "corpuslint-extra", "1.0", ("CL951",))
    registry = plugins.Registry(
        rules, owners, REGISTRY.readers, REGISTRY.formatters, (*REGISTRY.plugins, info)
    )
    result = ray_engine.check(
        [corpus],
        Config(root=corpus),
        registry=registry,
        overrides=Overrides(select=("CL951", "CL101"), cache=False),
        cwd=corpus,
    )
    assert result.errors
    assert (
        "rule plugin 'corpuslint-extra' (CL951) is not installed on Ray worker"
        in (result.errors[0])
    )


def test_an_object_gone_before_it_is_read_is_a_cl001_and_the_run_goes_on(corpus: Path) -> None:
    job = ray_engine.prepare([f"file://{corpus}"], Config(root=corpus), None, ALL)
    (corpus / "docs" / "a.md").unlink()
    with ray_engine.session(None, None) as cpus:
        gathered = ray_engine.passes(
            first_lines(job.units, [0] * len(job.units)), job.spec(2), cpus
        )
    result = job.finish(gathered)
    assert not result.errors
    gone = [v for v in result.violations if v.path == f"file://{corpus}/docs/a.md"]
    assert [v.code for v in gone] == ["CL001"]
    assert "cannot read file" in gone[0].message
    assert any(v.code == "CL102" for v in result.violations)


def test_cli_engine_ray_prints_what_the_local_engine_prints(
    corpus: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus)
    (corpus / "corpuslint.toml").write_text("")
    local_run = cli("check", "--no-cache", "--select", "ALL", ".")
    ray_run = cli("check", "--engine", "ray", "--select", "ALL", ".")
    assert ray_run.exit_code == local_run.exit_code == 1
    assert ray_run.stdout == local_run.stdout


def test_cli_unreachable_cluster_is_one_line_and_exit_2(corpus: Path) -> None:
    # A fresh process: this one has joined the module's Ray instance already.
    command = [sys.executable, "-m", "corpuslint", "check", "--engine", "ray"]
    done = subprocess.run(
        [*command, "--address", "127.0.0.1:9", "."],
        cwd=corpus,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "corpuslint: error: cannot reach the Ray cluster at 127.0.0.1:9: Connection refused"
    ]
