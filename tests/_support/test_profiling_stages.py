"""The stage timings hook: off by default at no cost, on with CORPUSLINT_PROFILE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpuslint._support import profiling
from tests.corpus_helpers import article, paragraph, run


def _corpus(root: Path) -> None:
    for n in range(4):
        body = [paragraph(n), paragraph(100)]
        (root / f"{n}.md").write_text(article(f"Story {n}", body), encoding="utf-8")


def test_off_is_one_shared_null_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiling, "_TARGET", [None])
    assert profiling.stage("discover") is profiling.stage("corpus pass")
    assert not profiling.enabled()


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiling, "_TARGET", [None])
    monkeypatch.setattr(profiling, "_STAGES", [])
    _corpus(tmp_path)
    run(tmp_path)
    assert profiling._STAGES == []


def test_on_writes_every_stage_of_a_cached_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, out = tmp_path / "corpus", tmp_path / "profile.json"
    corpus.mkdir()
    _corpus(corpus)
    monkeypatch.setenv("CORPUSLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(profiling, "_TARGET", [str(out)])
    monkeypatch.setattr(profiling, "_STAGES", [])
    result = run(corpus, cache=True)
    assert [v.code for v in result.violations] == ["CL102"] * 3  # the first is the original
    written = json.loads(out.read_text(encoding="utf-8"))
    timed = {s["stage"]: s for s in written["stages"] if "wall" in s}
    expected = {"prepare", "discover", "open cache", "cache: classify", "document pass"}
    assert expected | {"corpus pass", "close cache", "finish"} <= set(timed)
    assert all(s["wall"] >= 0 and s["cpu"] >= 0 for s in timed.values())
    notes = {s["stage"]: s["value"] for s in written["stages"] if "value" in s}
    assert notes["files"] == 4
    assert notes["cache misses"] == 4


def test_configure_reads_the_environment_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profiling, "_TARGET", [None])
    monkeypatch.setattr(profiling, "_STAGES", [{"stage": "from before", "value": 1}])
    out = tmp_path / "profile.json"
    monkeypatch.setenv(profiling.ENVIRONMENT, str(out))
    profiling.configure()
    assert profiling.enabled()
    with profiling.stage("discover"):
        pass
    profiling.write()
    stages = json.loads(out.read_text(encoding="utf-8"))["stages"]
    assert [s["stage"] for s in stages] == ["discover"]
