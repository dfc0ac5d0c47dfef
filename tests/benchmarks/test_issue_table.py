"""run.py's rows of issue #22's table, its best-of-rounds bookkeeping, the MD024 baseline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import load_benchmark

bench = load_benchmark("run")
mdl = load_benchmark("markdownlint_baseline")
make_corpus = load_benchmark("make_corpus")


def result(wall: float, code: int = 0, timed_out: bool = False) -> dict[str, Any]:
    return {"wall": wall, "returncode": code, "timed_out": timed_out, "stderr": "", "cpu_s": wall}


def test_keep_best_keeps_the_fastest_successful_round() -> None:
    runs: dict[str, Any] = {}
    bench.keep_best(runs, "no-cache", result(3.0))
    bench.keep_best(runs, "no-cache", result(1.0, code=2))  # failed: faster but not kept
    bench.keep_best(runs, "no-cache", result(2.5))
    assert runs["no-cache"]["wall"] == 2.5
    assert runs["no-cache"]["rounds"] == [3.0, 1.0, 2.5]
    assert bench.ok_wall(runs, "no-cache") == 2.5


def test_keep_best_replaces_a_failed_first_round() -> None:
    runs: dict[str, Any] = {}
    bench.keep_best(runs, "floor", result(1.0, timed_out=True))
    assert bench.ok_wall(runs, "floor") is None
    bench.keep_best(runs, "floor", result(4.0))
    assert bench.ok_wall(runs, "floor") == 4.0


def size(n: int, walls: dict[str, float]) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for label, wall in walls.items():
        bench.keep_best(runs, label, result(wall))
    return {"n": n, "runs": runs}


def args(fmt: str = "md") -> argparse.Namespace:
    return argparse.Namespace(format=fmt, rounds=2)


def test_issue_rows_met_and_not_met() -> None:
    sizes = [
        size(
            20_000,
            {
                "floor: read+split+normalize": 2.0,
                "no-cache": 5.0,
                "markdownlint-cli2 MD024": 50.0,
            },
        ),
        size(100_000, {"changed-5 (warm cache)": 0.4}),
    ]
    extra = {
        "bigfile": {
            "mb": 350,
            "cores": 2,
            "jobs_1": 40.0,
            "jobs_all": 30.0,  # a speed-up of 1.33 on 2 cores: under 80 % of 2
            "busy": 1.3,
            "same": True,
        },
        "ray": {"narrow_kb": 15.0, "wide_kb": 20.0},
    }
    rows = bench.issue_rows(sizes, args(), extra)
    assert [row.met for row in rows] == [False, True, True, False, True]
    assert rows[0].measured.startswith("2.50x")
    assert rows[1].measured.startswith("0.100x")


def test_issue_rows_say_what_was_not_measured() -> None:
    rows = bench.issue_rows([size(1000, {"no-cache": 1.0})], args(), {})
    assert all(row.met is None for row in rows)
    assert "20000" in rows[0].measured
    assert "--with-bigfile" in rows[3].measured
    assert "--with-ray" in rows[4].measured
    # The first three rows are about Markdown: another format measures none of them.
    text = bench.issue_rows([size(20_000, {"no-cache": 1.0})], args("txt"), {})
    assert text[0].met is None


def test_markdownlint_output_is_read() -> None:
    output = (
        "markdownlint-cli2 v0.22.0 (markdownlint v0.40.0)\nFinding: **/*.md\n"
        "Linting: 20000 file(s)\nSummary: 3 error(s)\n"
    )
    assert mdl.linted_files(output) == 20000
    assert mdl.findings(output) == 3
    assert mdl.linted_files("no such line") is None


def test_markdownlint_local_configs_and_files(tmp_path: Path) -> None:
    (tmp_path / "000").mkdir()
    (tmp_path / "000" / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.md").write_text("# B\n", encoding="utf-8")
    assert mdl.markdown_files(tmp_path) == 1  # the glob skips dot folders
    assert mdl.local_configs(tmp_path) == []
    (tmp_path / "000" / ".markdownlint.json").write_text("{}", encoding="utf-8")
    assert mdl.local_configs(tmp_path) == [tmp_path / "000" / ".markdownlint.json"]


def test_markdownlint_is_never_installed_in_the_repository() -> None:
    baseline = mdl.prepare(mdl.REPOSITORY / "node-tools")
    assert baseline.skipped
    assert not (mdl.REPOSITORY / "node-tools").exists()


@pytest.mark.skipif(
    not make_corpus.DEFAULT_SOURCE.is_file(), reason="source articles not available"
)
def test_bigfile_row_runs_without_a_corpus_size(tmp_path: Path) -> None:
    # With --sizes "" no corpus run makes the results folder: the large-file row makes its own.
    options = argparse.Namespace(workdir=tmp_path, bigfile_articles=30, seed=1, timeout=300.0)
    row = bench.bigfile_row(options, {"corpuslint": bench.corpuslint_command()})
    assert "skipped" not in row, row
    assert row["same"] is True
    assert row["jobs_1"] > 0
    assert row["jobs_all"] > 0
