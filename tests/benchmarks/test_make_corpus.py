"""The benchmark corpus generator writes what its truth file says it planted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import load_benchmark

make_corpus = load_benchmark("make_corpus")
check_truth = load_benchmark("check_truth")

pytestmark = pytest.mark.skipif(
    not make_corpus.DEFAULT_SOURCE.is_file(), reason="source articles not available"
)


@pytest.mark.parametrize("fmt", ["md", "txt", "jsonl"])
def test_truth_matches_files(tmp_path: Path, fmt: str) -> None:
    truth = make_corpus.generate(50, tmp_path / "corpus", fmt, seed=5)
    assert truth["articles"] == 50
    planted = truth["planted"]
    codes = {(item["code"], item["kind"]) for item in planted}
    assert ("CL101", "exact") in codes
    assert ("CL101", "near") in codes
    assert ("CL102", "exact") in codes
    assert ("CL102", "near") in codes
    assert ("CL202", "exact") in codes
    assert ("CL301", "missing") in codes
    problems, counts = check_truth.verify(tmp_path / "corpus")
    assert problems == []
    assert counts["documents"] == 50
    assert (tmp_path / "corpus" / "corpuslint.toml").is_file()


def test_planted_lines_hold_the_text(tmp_path: Path) -> None:
    """Read the planted lines directly: copies come later and match their originals."""
    outdir = tmp_path / "corpus"
    make_corpus.generate(50, outdir, "md", seed=9)
    truth = json.loads((outdir / "truth.json").read_text(encoding="utf-8"))

    def line(path: str, number: int) -> str:
        return (outdir / path).read_text(encoding="utf-8").split("\n")[number - 1]

    normalize = make_corpus.normalize
    for item in truth["planted"]:
        if item["code"] not in ("CL101", "CL102"):
            continue
        copy, original = (
            line(item["path"], item["line"]),
            line(item["original_path"], item["original_line"]),
        )
        assert (item["original_path"], item["original_line"]) < (item["path"], item["line"])
        assert len(copy.split()) >= 20 or item["kind"] == "exact"
        if item["kind"] == "exact":
            assert normalize(copy) == normalize(original)
        else:
            assert normalize(copy) != normalize(original)
            assert check_truth.fuzz.ratio(normalize(copy), normalize(original)) >= 90
            assert 1 <= item["edits"] <= 3


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    make_corpus.generate(30, tmp_path / "a", "txt", seed=2)
    make_corpus.generate(30, tmp_path / "b", "txt", seed=2)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.txt"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.txt"))
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert (tmp_path / "a" / "truth.json").read_bytes() == (
        tmp_path / "b" / "truth.json"
    ).read_bytes()
