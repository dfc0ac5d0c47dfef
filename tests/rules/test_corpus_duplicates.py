"""CL102 and CL202 across documents: which copy is reported, allow, order and jobs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpuslint.model import Signature, Span
from corpuslint.similarity.hashing import near_keys, pack
from corpuslint.similarity.normalize import normalize
from corpuslint_rules.corpus_paragraph import CorpusDuplicateParagraph
from tests.corpus_helpers import article, paragraph, run, summary


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_copied_paragraph_is_reported_once_in_the_later_file(tmp_path: Path) -> None:
    shared = paragraph(1)
    write(tmp_path, "a.md", article("First story", [paragraph(2), shared]))
    write(tmp_path, "b.md", article("Second story", [shared, paragraph(3)]))
    result = run(tmp_path)
    assert summary(result) == [("CL102", "b.md", 6, "a.md", 8)]
    assert "a.md (line 8)" in result.violations[0].message


def test_three_copies_give_two_findings(tmp_path: Path) -> None:
    shared = paragraph(1)
    for name in ("a.md", "b.md", "c.md"):
        write(tmp_path, name, article(f"Story {name}", [shared, paragraph(ord(name[0]))]))
    assert summary(run(tmp_path)) == [
        ("CL102", "b.md", 6, "a.md", 6),
        ("CL102", "c.md", 6, "a.md", 6),
    ]


def test_near_copy_is_found_with_its_similarity(tmp_path: Path) -> None:
    original = paragraph(1)
    edited = original.replace("Paragraph 1 says", "Paragraph 1 claims", 1)
    write(tmp_path, "a.md", article("One", [original]))
    write(tmp_path, "b.md", article("Two", [edited]))
    result = run(tmp_path)
    assert summary(result) == [("CL102", "b.md", 6, "a.md", 6)]
    similarity = result.violations[0].similarity
    assert similarity is not None
    assert 90 <= similarity < 100


def test_threshold_100_reports_exact_copies_only(tmp_path: Path) -> None:
    original = paragraph(1)
    write(tmp_path, "a.md", article("One", [original]))
    write(tmp_path, "b.md", article("Two", [original.replace("says", "claims")]))
    rules = {"corpus-duplicate-paragraph": {"threshold": 100}}
    assert summary(run(tmp_path, rules=rules)) == []


def test_different_paragraphs_are_not_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("One", [paragraph(1), paragraph(2)]))
    write(tmp_path, "b.md", article("Two", [paragraph(3), paragraph(4)]))
    assert summary(run(tmp_path)) == []


def test_repeat_inside_one_document_is_left_to_cl101(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("One", [paragraph(1), paragraph(1)]))
    assert summary(run(tmp_path)) == []
    assert [v.code for v in run(tmp_path, select="CL101").violations] == ["CL101"]


def test_allow_suppresses_boilerplate(tmp_path: Path) -> None:
    footer = "This story was produced by the Example Wire Service and is shared with partners."
    write(tmp_path, "a.md", article("One", [paragraph(1), footer]))
    write(tmp_path, "b.md", article("Two", [paragraph(2), footer]))
    assert [v.path for v in run(tmp_path).violations] == ["b.md"]
    rules = {"corpus-duplicate-paragraph": {"allow": ["example wire service"]}}
    assert summary(run(tmp_path, rules=rules)) == []


def test_only_targets_are_reported_and_original_prefers_non_targets(tmp_path: Path) -> None:
    shared = paragraph(1)
    write(tmp_path, "z-old.md", article("Old", [shared]))
    write(tmp_path, "a-new.md", article("New", [shared]))
    # Checking the new file alone flags it, although it sorts first: the old file is the
    # original because it is not a target of this run.
    assert summary(run(tmp_path, ["a-new.md"])) == [("CL102", "a-new.md", 6, "z-old.md", 6)]
    assert summary(run(tmp_path, ["z-old.md", "a-new.md"])) == [
        ("CL102", "z-old.md", 6, "a-new.md", 6)
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_findings_do_not_depend_on_order_or_jobs(tmp_path: Path, jobs: int) -> None:
    for number in range(40):  # enough files for the engine to use worker processes
        paragraphs = [paragraph(1000 + number), paragraph(number % 7)]
        write(tmp_path, f"d{number:02}.md", article(f"Story {number}", paragraphs))
    names = [f"d{n:02}.md" for n in range(40)]
    # Each shared paragraph stands in 5 or 6 documents: boilerplate unless turned off.
    rules: dict[str, dict[str, object]] = {
        "corpus-duplicate-paragraph": {"boilerplate-min-documents": 0}
    }
    forward = summary(run(tmp_path, names, jobs=jobs, rules=rules))
    backward = summary(run(tmp_path, list(reversed(names)), jobs=jobs, rules=rules))
    assert forward == backward
    assert len(forward) == 40 - 7  # each of the 7 shared paragraphs has one original
    assert forward == summary(run(tmp_path, names, jobs=1, rules=rules))
    assert summary(run(tmp_path, names, jobs=jobs)) == []  # boilerplate by default


def test_duplicate_headline_across_documents(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("Council approves budget", [paragraph(1)]))
    write(tmp_path, "b.md", article("Council Approves  Budget", [paragraph(2)]))
    write(tmp_path, "c.md", article("Council rejects budget", [paragraph(3)]))
    result = run(tmp_path, select="CL202")
    assert summary(result) == [("CL202", "b.md", 2, "a.md", 2)]
    assert result.violations[0].message == "Headline also used by a.md (line 2)"


@pytest.mark.parametrize("copies", [6, 24])  # pair by pair, and the numpy path (over 16)
def test_near_copies_in_small_and_large_groups(tmp_path: Path, copies: int) -> None:
    original = paragraph(1, words=40)
    words = original.split()
    for number in range(copies):
        edited = [*words]
        edited[3 + number] = "altered"  # one different word each: every pair is near
        text = " ".join(edited)
        # The same text twice in one file: a same-document pair is never a CL102 match.
        write(
            tmp_path,
            f"d{number:02}.md",
            article(f"Story {number}", [text, paragraph(99 + number), text]),
        )
    result = run(tmp_path)
    assert summary(result) == [
        (code, f"d{n:02}.md", line, "d00.md", 6)
        for n in range(1, copies)
        for code, line in (("CL102", 6), ("CL102", 10))
    ]
    assert all(v.similarity is not None and v.similarity >= 90 for v in result.violations)


def test_groups_the_pair_test_rejects_are_never_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(6):
        text = paragraph(1, words=40).replace("the", f"the{chr(97 + number)}", 1)
        # Repeated in its own file: groups of two paragraphs of one document, never a match.
        body = [text, paragraph(99 + number), text, paragraph(99 + number)]
        write(tmp_path, f"d{number}.md", article(f"Story {number}", body))
    calls: list[int] = []
    compare = CorpusDuplicateParagraph.compare

    def counted(self: CorpusDuplicateParagraph, key: int, group: Any, options: Any) -> Any:
        calls.append(len(group))
        return compare(self, key, group, options)

    monkeypatch.setattr(CorpusDuplicateParagraph, "compare", counted)
    tested = summary(run(tmp_path, select="CL102"))
    tested_calls = len(calls)
    monkeypatch.setattr(CorpusDuplicateParagraph, "pair_test", lambda self, found, options: None)
    calls.clear()
    assert summary(run(tmp_path, select="CL102")) == tested
    assert len(tested) == 10  # two copies in each of five files
    assert tested_calls < len(calls)


def _broken_pair_test(self: Any, found: Any, options: Any) -> Any:
    raise ValueError("pair test exploded")


def _short_pair_test(self: Any, found: Any, options: Any) -> Any:
    return lambda later, earlier: np.ones(1, dtype=bool)  # one answer, whatever was asked


@pytest.mark.parametrize("broken", [_broken_pair_test, _short_pair_test])
def test_a_failing_pair_test_is_an_internal_error_and_every_group_is_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: Any
) -> None:
    write(tmp_path, "a.md", article("One", [paragraph(1), paragraph(2), paragraph(3)]))
    write(tmp_path, "b.md", article("Two", [paragraph(4), paragraph(1), paragraph(2)]))
    expected = summary(run(tmp_path))
    monkeypatch.setattr(CorpusDuplicateParagraph, "pair_test", broken)
    result = run(tmp_path)
    assert (
        summary(result)
        == expected
        == [("CL102", "b.md", 8, "a.md", 6), ("CL102", "b.md", 10, "a.md", 8)]
    )
    (error,) = result.errors
    assert error.startswith(
        "internal error: rule CL102 (corpus-duplicate-paragraph) from plugin 'builtin' failed on"
        " the corpus pass (pair test): ValueError: "
    )


def test_pair_test_rejects_only_pairs_compare_cannot_report() -> None:
    rule = CorpusDuplicateParagraph()
    text = normalize(paragraph(5, words=60))
    scattered = "".join("x" if i % 7 == 6 and c != " " else c for i, c in enumerate(text))
    texts = [text, scattered, text, text]
    paths = ["a.md", "b.md", "c.md", "c.md"]
    found = [
        Signature(pack([n]), path, Span.point(n + 1), t, sketch=summary)
        for n, (path, t, (_keys, summary)) in enumerate(
            zip(paths, texts, near_keys(texts), strict=True)
        )
    ]
    later, earlier = np.array([1, 2, 3, 3]), np.array([0, 0, 0, 2])
    options = {**rule.defaults(), "threshold": 80.0}
    # Sketches far apart; the same text in two files; and in one file (CL101's business).
    assert rule.pair_test(found, options)(later, earlier).tolist() == [False, True, True, False]
    unfiltered = rule.pair_test(found, {**options, "min-jaccard": 0.0})
    assert unfiltered(later, earlier).tolist() == [True, True, True, False]


@pytest.mark.parametrize("fillers", [0, 20])  # pair by pair, and the numpy path (over 16)
def test_min_jaccard_rejects_candidates_whose_sketches_disagree(fillers: int) -> None:
    rule = CorpusDuplicateParagraph()
    text = normalize(paragraph(5, words=60))
    # Every seventh character changed: ratio about 86, yet few 5-grams survive (Jaccard 0.2).
    scattered = "".join("x" if i % 7 == 6 and c != " " else c for i, c in enumerate(text))
    texts = [text, scattered] + [normalize(paragraph(500 + n, words=60)) for n in range(fillers)]
    group = [
        Signature(pack([n]), f"{n:02}.md", Span.point(n + 1), t, target=n == 1, sketch=summary)
        for n, (t, (_keys, summary)) in enumerate(zip(texts, near_keys(texts), strict=True))
    ]
    options = {**rule.defaults(), "threshold": 80.0}
    assert list(rule.compare(-1, group, options)) == []
    (found,) = rule.compare(-1, group, {**options, "min-jaccard": 0.0})
    assert (found.path, found.related[0].path) == ("01.md", "00.md")
    # A signature without a sketch is never rejected by it.
    unsketched = [replace(group[0], sketch=b""), *group[1:]]
    assert [v.path for v in rule.compare(-1, unsketched, options)] == ["01.md"]
    assert found.similarity is not None
    assert 80 <= found.similarity < 90
