"""The Ray engine's worker code, run in-process, gives the local engine's findings exactly."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.engines.ray.driver import prepare
from corpuslint.engines.ray.tasks import PARTS, Gathered, Spec, UnitOutcome, _Compared, missing
from corpuslint.engines.ray.units import Unit
from corpuslint.outcome import FileOutcome
from corpuslint.run.plan import Overrides
from tests.engines.ray.corpora import write_mixed_corpus
from tests.engines.ray.simulate import simulate

REGISTRY = plugins.load()
ALL = Overrides(select=("ALL",), cache=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_mixed_corpus(tmp_path)
    return tmp_path


def local(root: Path, targets: list[Path] | None = None) -> tuple[object, ...]:
    result = check(targets or [root], Config(root=root), REGISTRY, ALL, cwd=root)
    return result.violations


@pytest.mark.parametrize(
    ("partitions", "block_bytes"),
    [(1, 64 << 20), (2, 700), (3, 700), (8, 2500), (16, 1500), (100, 64 << 20)],
)
def test_same_findings_as_the_local_engine(corpus: Path, partitions: int, block_bytes: int) -> None:
    expected = local(corpus)
    codes = {v.code for v in expected}
    assert {"CL001", "CL101", "CL102", "CL201", "CL202", "CL301"} <= codes
    result = simulate(
        [corpus],
        Config(root=corpus),
        ALL,
        cwd=corpus,
        partitions=partitions,
        block_bytes=block_bytes,
    )
    assert not result.errors
    assert result.violations == expected


def test_the_jsonl_file_is_read_in_blocks_with_exact_lines(corpus: Path) -> None:
    job = prepare([corpus], Config(root=corpus), REGISTRY, ALL, corpus, block_bytes=700)
    feed = [u for u in job.units if u.display == "feed.jsonl"]
    assert len(feed) > 20
    assert all(u.is_block for u in feed)
    findings = [v for v in local(corpus) if v.path == "feed.jsonl"]  # type: ignore[attr-defined]
    lines = {v.span.line for v in findings}  # type: ignore[attr-defined]
    assert {18, 41, 62} <= lines  # the bad lines, numbered in the whole file


def test_only_targets_are_reported_against_the_whole_corpus(corpus: Path) -> None:
    target = corpus / "docs" / "b.md"
    expected = local(corpus, [target])
    assert expected
    assert {v.path for v in expected} == {"docs/b.md"}  # type: ignore[attr-defined]
    result = simulate([target], Config(root=corpus), ALL, cwd=corpus, block_bytes=700)
    assert result.violations == expected


def gathered_with(keys: list[int], sent: int, rows: list[int], joined: int) -> Gathered:
    """Partition 0 sent ``sent`` key entries and ``joined`` joined rows; batches got these."""
    unit = Unit("a.md", "a.md", "a.md", True, 10)
    gathered = Gathered()
    counts = np.array([sent], dtype=np.int64).tobytes()
    gathered.outcomes.append(UnitOutcome(unit, FileOutcome(), (), counts))
    for size in keys:
        out = _Compared()
        out.add(PARTS, ([0], [size], 19 * size))
        gathered.add_grouped(out.columns())
    gathered.joined = np.array([joined], dtype=np.int64)
    for size in rows:
        out = _Compared()
        out.add(PARTS, ([0], [size], 100 * size))
        gathered.add_compared(out.columns())
    return gathered


def test_a_partition_cut_in_two_is_an_error_not_a_silent_miss() -> None:
    assert gathered_with([3, 4], 7, [2], 2).split_partitions() == {"keys": [0]}
    assert gathered_with([6], 7, [2], 2).split_partitions() == {"keys": [0]}
    assert gathered_with([], 7, [], 0).split_partitions() == {"keys": [0]}
    assert gathered_with([7], 7, [1, 1], 2).split_partitions() == {"signatures": [0]}
    assert gathered_with([7], 7, [1], 2).split_partitions() == {"signatures": [0]}
    assert gathered_with([7], 7, [], 2).split_partitions() == {"signatures": [0]}
    assert gathered_with([3, 4], 7, [], 2).split_partitions() == {
        "keys": [0],
        "signatures": [0],
    }
    assert gathered_with([7], 7, [2], 2).split_partitions() == {}
    assert gathered_with([7], 7, [], 0).split_partitions() == {}


def test_a_rule_plugin_missing_on_a_worker_is_named() -> None:
    spec = Spec(
        pickle.loads(pickle.dumps(prepare([], Config(root=Path.cwd()), REGISTRY, ALL).run.plan)),
        2,
        (("corpuslint-extra", ("CL901",)), ("builtin", ("CL101",))),
    )
    plan = spec.plan
    spec = Spec(type(plan)(("CL101", "CL901"), plan.options), 2, spec.plugins)
    errors = missing(spec, REGISTRY)
    assert len(errors) == 1
    assert "'corpuslint-extra' (CL901) is not installed on Ray worker" in errors[0]
