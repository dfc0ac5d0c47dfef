"""The corpus pass shared with a forked helper: the same findings and errors as alone."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from corpuslint.engines.local import corpus_pass
from corpuslint.model import Result, Signature, Violation
from corpuslint_rules.corpus_paragraph import CorpusDuplicateParagraph
from tests.corpus_helpers import article, paragraph, run

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")


EXACT = {"CL102": {"threshold": 100}}
"""Exact copies only: each copy is found through one key, so in one share of the keys."""


def corpus(root: Path) -> None:
    """Articles sharing exact and near copies of paragraphs, and headlines."""
    for n in range(16):
        near = paragraph(100 + n % 3).replace("were", "was") if n % 2 else paragraph(100 + n % 3)
        body = [paragraph(n), near, paragraph(200 + n // 2), paragraph(300 + n)]
        headline = f"Shared headline {n // 4}" if n % 2 else f"Story {n}"
        (root / f"{n:02}.md").write_text(article(headline, body), encoding="utf-8")


def findings(result: Result) -> list[tuple[str, str, int, str]]:
    return [(v.code, v.path, v.span.line, v.message) for v in result.violations]


@pytest.fixture
def helped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Fork the helper for any corpus; counts the helpers started (in this process)."""
    monkeypatch.setattr(corpus_pass, "HELPER_MIN_SIGNATURES", 0)
    started: list[int] = []
    start = corpus_pass._Helper.__init__

    def counting(self: Any, work: Any) -> None:
        started.append(1)
        start(self, work)

    monkeypatch.setattr(corpus_pass._Helper, "__init__", counting)
    return started


def test_the_helper_finds_what_one_process_finds(tmp_path: Path, helped: list[int]) -> None:
    corpus(tmp_path)
    for rules in (None, EXACT):
        alone = run(tmp_path, jobs=1, rules=rules)
        shared = run(tmp_path, jobs=2, rules=rules)
        assert len(alone.violations) >= 10
        assert findings(shared) == findings(alone)
    targets = ["03.md", "08.md"]  # a pre-commit run: only groups with a target
    assert findings(run(tmp_path, targets, jobs=2)) == findings(run(tmp_path, targets, jobs=1))
    assert helped == [1, 1, 1]


def test_a_dead_helper_s_share_is_done_by_the_parent(
    tmp_path: Path, helped: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path)
    alone = run(tmp_path, jobs=1, rules=EXACT)

    def dying(work: Any, sender: Any) -> None:
        os._exit(3)  # killed before it sent anything

    monkeypatch.setattr(corpus_pass, "_serve", dying)
    shared = run(tmp_path, jobs=2, rules=EXACT)
    assert helped == [1]
    assert findings(shared) == findings(alone)
    assert shared.errors == ()


_COMPARE = CorpusDuplicateParagraph.compare


def _failing(
    self: CorpusDuplicateParagraph,
    key: int,
    signatures: Sequence[Signature],
    options: Mapping[str, Any],
) -> Iterable[Violation]:
    """CL102's compare, failing on every group that holds one of paragraph 101's copies."""
    if any("paragraph 101 " in s.text for s in signatures):  # texts are normalized
        raise RuntimeError(f"boom at {key}")
    return _COMPARE(self, key, signatures, options)


def test_the_helper_s_errors_are_reported(
    tmp_path: Path, helped: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path)
    monkeypatch.setattr(CorpusDuplicateParagraph, "compare", _failing)
    alone = run(tmp_path, jobs=1)
    shared = run(tmp_path, jobs=2)
    assert helped == [1]
    assert alone.errors
    assert all("boom at" in error for error in alone.errors)
    assert sorted(shared.errors) == sorted(alone.errors)
    assert findings(shared) == findings(alone)
