"""Keys held so widely that their groups give no finding are not loaded in a small run.

A footer in every article is boilerplate: CL102 reports no copy of it. A check of a few
files against a cached corpus must then neither load every cached article for it nor
judge a partial group of it, and must report what a run without the cache reports.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from corpuslint import plugins
from corpuslint.cache import store as cache_module
from corpuslint.config import load_config
from corpuslint.engines.local import crowded
from corpuslint.engines.local.runner import check
from corpuslint.outcome import FileOutcome
from corpuslint.rule import Crowded
from corpuslint.run.plan import Overrides
from corpuslint.similarity.signatures import SignatureBatch
from tests.corpus_helpers import article, git, paragraph, summary

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.usefixtures("own_cache"),
]

TARGET = "news/target.md"
FOOTER = paragraph(999)
ARTICLES = 14
SELECT = ("CL101", "CL102", "CL103", "CL202")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Articles most of which end with one footer; a paragraph in 2, one in 4 of them.

    The staged target copies the footer, the paragraph of 2 (a copy CL102 reports: 3
    documents are under ``boilerplate-min-documents``) and the one of 4, which has no
    footer (boilerplate once the target's copy makes 5: its key is held by exactly 4
    cached files, the bound, so it is loaded and judged, and CL102 finds it boilerplate).
    The footer is held by 10 cached files: crowded.
    """
    news = tmp_path / "news"
    news.mkdir()
    for n in range(ARTICLES):
        body = [paragraph(n)]
        if n < 2:
            body.append(paragraph(300))
        if 2 <= n < 6:
            body.append(paragraph(400))
        else:
            body.append(FOOTER)
        (news / f"a{n:02}.md").write_text(article(f"Story number {n}", body))
    (news / "target.md").write_text(article("The target story", [paragraph(50), FOOTER]))
    # Near copies of the footer are judged in groups of at most 8 paragraphs here.
    (tmp_path / "corpuslint.toml").write_text("[rules.CL102]\nbucket-limit = 8\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "corpus")
    body = [paragraph(50), paragraph(300), paragraph(400), FOOTER]
    (news / "target.md").write_text(article("The target story", body))
    git(tmp_path, "add", TARGET)
    return tmp_path


def findings(root: Path, cache: bool) -> list[tuple[str, str, int, str, int]]:
    config = load_config(cwd=root)
    overrides = Overrides(select=SELECT, jobs=1, cache=cache)
    return sorted(summary(check([root / TARGET], config, plugins.load(), overrides, cwd=root)))


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the cached outcomes each run after this loads."""
    seen: list[int] = []
    original = cache_module.Cache.outcomes

    def spy(self: cache_module.Cache, rowids: object) -> Iterator[tuple[int, FileOutcome]]:
        wanted = list(rowids)  # type: ignore[call-overload]
        seen.extend(wanted)
        return original(self, wanted)

    monkeypatch.setattr(cache_module.Cache, "outcomes", spy)
    return seen


def test_a_small_run_skips_the_footer_and_reports_what_a_full_run_does(
    repo: Path, loaded: list[int]
) -> None:
    expected = findings(repo, cache=False)
    assert sorted({(code, related) for code, _, _, related, _ in expected}) == [
        ("CL102", "news/a00.md")  # the paragraph of 2; not the one of 4, not the footer
    ]
    assert findings(repo, cache=True) == expected  # fills the cache and its key index
    findings(repo, cache=True)  # saves the corpus listing
    loaded.clear()
    assert findings(repo, cache=True) == expected
    # The target and the 2 + 4 articles that share a paragraph with it, not the 10
    # with the footer: its exact key and its near-copy keys are held by more files than
    # their bounds. Two of those loaded hold the footer: a group of the footer judged
    # with them alone would be a copy in 3 documents, reported; it is not judged.
    assert len(set(loaded)) == 1 + 2 + 4


def test_without_bounds_every_article_holding_the_footer_is_loaded(
    repo: Path, loaded: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same corpus when rules give no bound: what the bounds save.
    monkeypatch.setattr("corpuslint.run.executor.Checker.crowded", lambda *_: Crowded())
    expected = findings(repo, cache=False)
    findings(repo, cache=True)
    findings(repo, cache=True)
    loaded.clear()
    assert findings(repo, cache=True) == expected
    assert len(set(loaded)) == 1 + ARTICLES


def _batch(code: str, signatures: list[list[int]]) -> SignatureBatch:
    keys = [k for keys in signatures for k in keys]
    counts = np.array([len(keys) for keys in signatures], dtype=np.uint32)
    return SignatureBatch(
        code,
        keys=np.array(keys, dtype=np.int64).tobytes(),
        key_counts=counts.tobytes(),
        paths=("a.md",) * len(signatures),
    )


def test_first_and_other_keys_take_their_own_bounds() -> None:
    outcome = FileOutcome(
        signatures=(
            _batch("CL102", [[10, 11, 12], [20, 21]]),
            _batch("CL202", [[30], [21]]),  # unbounded: key 21 is looked up as usual
        )
    )
    bounds = {"CL102": Crowded(4, 100)}
    found = crowded.bounded_keys([outcome], bounds)
    assert found.keys.tolist() == [10, 11, 12, 20]
    assert found.limits.tolist() == [4, 100, 100, 4]
    assert found.codes == ("CL102",) * 4
    assert not len(crowded.bounded_keys([outcome], {"CL102": Crowded()}))


def test_a_count_past_the_bound_is_confirmed_in_the_stored_keys() -> None:
    bounded = crowded.Bounded(
        np.array([7, 9], dtype=np.int64), ("CL102", "CL103"), np.array([2, 2], dtype=np.int64)
    )
    # The index says entries 1-4 hold key 7 and 1-5 key 9; entry 6 is not in the corpus.
    positions = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], dtype=np.intp)
    holders = np.array([1, 2, 3, 4, 1, 2, 3, 4, 5, 6], dtype=np.int64)
    candidates = np.array([1, 2, 3, 4, 5], dtype=np.int64)
    stored = {
        1: np.array([7, 9], dtype=np.int64).tobytes(),
        2: np.array([7, 8], dtype=np.int64).tobytes(),  # 9 here was a look-alike
        3: np.array([7], dtype=np.int64).tobytes(),
        4: np.array([1], dtype=np.int64).tobytes(),
        5: np.array([9], dtype=np.int64).tobytes(),
    }
    asked: list[set[int]] = []

    def read(rowids: object) -> dict[int, bytes]:
        wanted = set(rowids)  # type: ignore[call-overload]
        asked.append(wanted)
        return {r: stored[r] for r in wanted}

    # Key 7: 3 confirmed holders of 4 > 2, crowded. Key 9: 2 confirmed (1 and 5) of the
    # 5 the index names in the corpus: not past 2, so it is looked up as usual.
    assert crowded.crowded_keys(bounded, positions, holders, candidates, read) == {7: "CL102"}
    assert asked == [{1, 2, 3, 4, 5}]
    none = np.zeros(0, dtype=np.int64)
    assert crowded.crowded_keys(bounded, positions[:0], none, candidates, read) == {}


def _raises(self: object, options: object) -> Crowded:
    raise ValueError("bound exploded")


def _negative(self: object, options: object) -> object:
    return Crowded(-1, None)


@pytest.mark.parametrize("broken", [_raises, _negative, lambda self, options: 4])
def test_a_failing_bound_is_an_internal_error_and_no_bound(
    repo: Path, loaded: list[int], monkeypatch: pytest.MonkeyPatch, broken: object
) -> None:
    expected = findings(repo, cache=False)
    findings(repo, cache=True)
    findings(repo, cache=True)
    monkeypatch.setattr(
        "corpuslint_rules.corpus_paragraph.CorpusDuplicateParagraph.crowded", broken
    )
    loaded.clear()
    config = load_config(cwd=repo)
    overrides = Overrides(select=SELECT, jobs=1, cache=True)
    result = check([repo / TARGET], config, plugins.load(), overrides, cwd=repo)
    assert sorted(summary(result)) == expected
    (error,) = result.errors
    assert error.startswith(
        "internal error: rule CL102 (corpus-duplicate-paragraph) from plugin 'builtin' failed on"
        " the corpus pass (crowded): "
    )
    assert len(set(loaded)) == 1 + ARTICLES  # no bound: every holder of the footer


def test_a_target_whose_entry_is_damaged_is_checked_again_before_the_look_up(
    repo: Path, own_cache: Path
) -> None:
    # Its keys pick the cached files it shares: checked only at the end, it would have
    # none, and the copy of a00's paragraph would go unreported.
    expected = findings(repo, cache=False)
    findings(repo, cache=True)
    findings(repo, cache=True)
    (database,) = own_cache.rglob("cache.sqlite")
    connection = sqlite3.connect(database)
    with connection:
        (rowid,) = connection.execute(
            "SELECT id FROM files WHERE path = ?", (str(repo / TARGET),)
        ).fetchone()
        connection.execute("UPDATE blobs SET outcome = ? WHERE id = ?", (b"damaged!" * 4, rowid))
    connection.close()
    assert findings(repo, cache=True) == expected
