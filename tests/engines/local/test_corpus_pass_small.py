"""A corpus pass with few target signatures is judged in-process: no helper, same findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from corpuslint.engines.local import corpus_pass
from tests.corpus_helpers import run
from tests.engines.local.test_corpus_pass import corpus, findings

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")

TARGETS = ["03.md", "08.md"]
"""A pre-commit run: 2 of the corpus's 16 articles."""


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, bool]]:
    """Per corpus pass made: its target signatures, all its signatures, whether it forked."""
    made: list[tuple[int, int, bool]] = []
    start = corpus_pass.CorpusPass.__init__

    def counting(self: corpus_pass.CorpusPass, *args: Any, **kwargs: Any) -> None:
        start(self, *args, **kwargs)
        total = sum(len(part.found) for part in self._rules)
        made.append((self.judged(), total, self._helper is not None))

    monkeypatch.setattr(corpus_pass.CorpusPass, "__init__", counting)
    return made


def test_few_targets_start_no_helper_and_find_what_the_helper_finds(
    tmp_path: Path, passes: list[tuple[int, int, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path)
    monkeypatch.setattr(corpus_pass, "HELPER_MIN_SIGNATURES", 0)  # forced: the helper path
    helped = run(tmp_path, TARGETS, jobs=2)
    ((targets, total, forked),) = passes
    assert forked
    assert 0 < targets < total  # the targets' signatures are a share of the corpus's

    # Forced the other way: more signatures than the targets hold, fewer than the corpus.
    monkeypatch.setattr(corpus_pass, "HELPER_MIN_SIGNATURES", targets + 1)
    alone = run(tmp_path, TARGETS, jobs=2)
    assert passes[1] == (targets, total, False)
    assert findings(helped)
    assert findings(alone) == findings(helped)
    assert alone.errors == helped.errors == ()
    assert findings(run(tmp_path, TARGETS, jobs=1)) == findings(alone)

    # A full run at that threshold judges all signatures: it still forks.
    run(tmp_path, jobs=2)
    assert passes[-1] == (total, total, True)
