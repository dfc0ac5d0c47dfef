"""The cache: unchanged files are reused, changed ones re-read, a broken cache survived."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpuslint import plugins
from corpuslint.cache import store as cache_module
from corpuslint.config import Config
from corpuslint.engines.local import document_pass, incremental
from corpuslint.engines.local.runner import check
from corpuslint.readers.text import TextReader
from corpuslint.run import executor
from corpuslint.run.plan import Overrides
from tests.corpus_helpers import article, paragraph, run, summary


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every project's cache in a folder of the test's own, never the user's."""
    home = tmp_path_factory.mktemp("cache-home")
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(home))
    return home


def cache_dir(root: Path) -> Path:
    """Where the cache of the project at ``root`` lives."""
    return cache_module.directory_for(root)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "old.md").write_text(article("The old story", [paragraph(1), paragraph(2)]))
    (tmp_path / "other.md").write_text(article("The other story", [paragraph(3)]))
    return tmp_path


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the engine checks (reads and parses)."""
    seen: list[str] = []
    original = executor.Checker._check  # where check and cache_entry read a file

    def spy(
        self: executor.Checker, source: executor.SourceFile, digest: bool
    ) -> tuple[executor.FileOutcome, str]:
        seen.append(source.display)
        return original(self, source, digest)

    monkeypatch.setattr(executor.Checker, "_check", spy)
    return seen


def test_cache_is_created_and_ignored_by_git(corpus: Path) -> None:
    run(corpus, cache=True)
    assert (cache_dir(corpus) / "cache.sqlite").is_file()
    assert (cache_dir(corpus) / ".gitignore").read_text().strip().endswith("*")


def test_new_copy_of_a_cached_file_is_found_without_rereading_it(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(corpus, cache=True)
    (corpus / "new.md").write_text(article("New", [paragraph(2)]))
    seen = count_reads(monkeypatch)
    result = run(corpus, ["new.md"], cache=True)
    assert seen == ["new.md"]
    assert summary(result) == [("CL102", "new.md", 6, "old.md", 8)]


def test_changed_file_is_reread(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(corpus, cache=True)
    (corpus / "other.md").write_text(article("Other", [paragraph(3), paragraph(1)]))
    seen = count_reads(monkeypatch)
    result = run(corpus, cache=True)
    assert seen == ["other.md"]
    assert summary(result) == [("CL102", "other.md", 8, "old.md", 6)]


def test_touched_but_unchanged_file_is_not_reparsed(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(corpus, cache=True)
    path = corpus / "old.md"
    path.write_text(path.read_text())  # new mtime, same content
    seen = count_reads(monkeypatch)
    run(corpus, cache=True)
    assert seen == []


def test_cached_and_uncached_runs_agree(corpus: Path) -> None:
    (corpus / "z-copy.md").write_text(article("The old story", [paragraph(1)]))
    cold = summary(run(corpus, select="ALL", cache=False))
    run(corpus, select="ALL", cache=True)
    warm = summary(run(corpus, select="ALL", cache=True))
    assert cold == warm
    assert {c for c, *_ in cold} == {"CL102", "CL202"}


def test_corrupt_cache_is_rebuilt_with_a_warning(corpus: Path) -> None:
    run(corpus, cache=True)
    (cache_dir(corpus) / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    result = run(corpus, cache=True)
    assert summary(result) == [("CL102", "z-copy.md", 6, "old.md", 6)]
    assert any("corrupt" in w for w in result.warnings)
    assert not run(corpus, cache=True).warnings  # rebuilt


def test_a_damaged_entry_is_detected_and_its_file_checked_again(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(corpus, cache=True)
    with sqlite3.connect(cache_dir(corpus) / "cache.sqlite") as db:
        old = "SELECT id FROM files WHERE path LIKE '%old.md'"
        (blob,) = db.execute(f"SELECT outcome FROM blobs WHERE id = ({old})").fetchone()
        # One byte of the text changed: still a valid entry, with a wrong paragraph.
        damaged = blob.replace(b"paragraph 1 says", b"paragraph 1 sayz")
        assert damaged != blob
        db.execute(f"UPDATE blobs SET outcome = ? WHERE id = ({old})", (damaged,))
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    seen = count_reads(monkeypatch)
    result = run(corpus, cache=True)
    assert "old.md" in seen
    assert summary(result) == [("CL102", "z-copy.md", 6, "old.md", 6)]
    assert any("does not match its checksum" in w for w in result.warnings)


def test_unusable_cache_directory_is_bypassed(corpus: Path) -> None:
    cache_dir(corpus).parent.mkdir(parents=True, exist_ok=True)
    cache_dir(corpus).write_text("a file where the cache directory should be")
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    result = run(corpus, cache=True)
    assert summary(result) == [("CL102", "z-copy.md", 6, "old.md", 6)]
    assert result.warnings


def test_full_run_writes_a_key_index_used_by_runs_over_a_few_files(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(corpus, cache=True)
    assert list(cache_dir(corpus).glob("keys3-*.idx"))
    # A file cached after the index was written is still found as an original.
    (corpus / "later.md").write_text(article("Later", [paragraph(7)]))
    assert summary(run(corpus, ["later.md"], cache=True)) == []
    (corpus / "new.md").write_text(article("New", [paragraph(7), paragraph(1)]))
    seen = count_reads(monkeypatch)
    result = run(corpus, ["new.md"], cache=True)
    assert seen == ["new.md"]
    assert summary(result) == [
        ("CL102", "new.md", 6, "later.md", 6),
        ("CL102", "new.md", 8, "old.md", 6),
    ]


@pytest.mark.parametrize(
    "damage",
    [lambda data: b"not a key index", lambda data: data[: len(data) // 2]],
    ids=["garbage", "cut-short"],
)
@pytest.mark.parametrize("chunk", [4096, 2])  # every entry's keys at once, or two at a time
def test_unreadable_key_index_falls_back_to_every_entry(
    corpus: Path, damage: Callable[[bytes], bytes], chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "_SHARING_CHUNK", chunk)
    run(corpus, cache=True)
    indexes = list(cache_dir(corpus).glob("keys3-*.idx"))
    assert indexes
    for index in indexes:
        index.write_bytes(damage(index.read_bytes()))
    (corpus / "new.md").write_text(article("New", [paragraph(2)]))
    result = run(corpus, ["new.md"], cache=True)
    assert summary(result) == [("CL102", "new.md", 6, "old.md", 8)]
    assert any("key index" in w for w in result.warnings)


def test_a_new_time_budget_keeps_the_cache(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = Overrides(select=("CL102",), cache=True)
    check([corpus], Config(root=corpus, rule_timeout=60), plugins.load(), overrides, cwd=corpus)
    seen = count_reads(monkeypatch)
    check([corpus], Config(root=corpus, rule_timeout=5), plugins.load(), overrides, cwd=corpus)
    assert seen == []


def test_workers_fill_the_cache_that_a_later_run_reuses(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(document_pass.PARALLEL_MIN_FILES + 4):  # enough files for the pool
        shared = [paragraph(7)] if number % 5 == 0 else []  # in four files: not boilerplate
        (corpus / f"n{number:02}.md").write_text(
            article(f"N {number}", [paragraph(50 + number), *shared])
        )
    expected = summary(run(corpus, select="ALL", cache=False))
    assert summary(run(corpus, select="ALL", cache=True, jobs=2)) == expected
    seen = count_reads(monkeypatch)  # in this process: jobs=1 would check files here
    assert summary(run(corpus, select="ALL", cache=True, jobs=1)) == expected
    assert seen == []
    assert len([f for f in expected if f[0] == "CL102"]) == 3  # every copy but the oldest


def test_the_key_index_is_written_in_sorted_runs_beside_the_block(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RUN", 5)  # every file's keys split across runs
    run(corpus, cache=True)
    (index,) = cache_dir(corpus).glob("keys3-*.idx")
    runs, rowids = cache_module._load_index(index)
    assert len(runs) > 2
    assert all(len(values) <= 5 and list(values) == sorted(values) for values in runs)
    assert len(rowids) == len(list(corpus.glob("*.md"))) + len(list(corpus.glob("*.txt")))
    # Every entry's every key is found through the runs.
    cache = cache_module.Cache(corpus, _settings(corpus))
    every = cache.keys_of(rowids.tolist())
    for rowid, keys in every.items():
        found = cache.holders(np.frombuffer(keys, dtype=np.int64))
        assert found is not None
        assert rowid in found[1]
    cache.close()


def test_a_key_index_is_given_up_when_the_block_beside_it_fails(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(corpus, cache=True)
    cache = cache_module.Cache(corpus, _settings(corpus))
    (index,) = cache_dir(corpus).glob("keys3-*.idx")
    index.unlink()
    cache.index_due = True
    arrays = cache_module.Cache._index_arrays
    stopped: list[bool] = []

    def after_the_block_failed(self: Any, stop: Any) -> Any:
        stopped.append(stop.wait(10))  # the writer reads its first row once the block failed
        return arrays(self, stop)

    monkeypatch.setattr(cache_module.Cache, "_index_arrays", after_the_block_failed)
    with pytest.raises(KeyboardInterrupt), cache.key_index_meanwhile():
        raise KeyboardInterrupt
    assert stopped == [True]
    assert cache.index_due
    assert not index.exists()
    assert not list(cache_dir(corpus).glob("*.tmp"))
    monkeypatch.undo()
    with cache.key_index_meanwhile():
        pass
    assert not cache.index_due
    assert index.is_file()
    cache.close()


def test_key_index_lookup_finds_every_holder_and_strangers_only_in_the_low_bits() -> None:
    rowids = np.array([40, 41, 42, 43, 44], dtype=np.int64)  # 3 bits number 5 entries
    held = {0: [8, -16], 1: [8, 1 << 40], 2: [15], 3: [2**63 - 1], 4: [-(2**63)]}
    values = np.sort(np.array([(key & ~7) | entry for entry, keys in held.items() for key in keys]))

    def lookup(*keys: int) -> set[int]:
        runs = [values[:3], values[3:]]  # one entry's keys in two runs
        found = cache_module._lookup_pairs(runs, rowids, np.array(keys, dtype=np.int64))
        return set(found[1].tolist())

    assert lookup(8) == {40, 41, 42}  # 15 differs from 8 only in the 3 low bits
    assert lookup(-16, 2**63 - 1, -(2**63)) == {40, 43, 44}
    assert lookup(1 << 41, 16) == set()
    damaged = np.array([8 | 6], dtype=np.int64)  # entry 6 of 5
    with pytest.raises(ValueError, match="out of range"):
        cache_module._lookup_pairs([damaged], rowids, np.array([8], dtype=np.int64))


def test_a_file_changed_while_it_is_read_is_not_cached_under_its_new_content(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = corpus / "z-notes.txt"
    path.write_text(f"Notes\n\n{paragraph(5)}\n")
    read = TextReader.read

    def read_then_change(self: TextReader, file: Path, display: str) -> Iterator[Any]:
        yield from read(self, file, display)
        if file == path:  # changed after the reader, before anything else looks at it
            file.write_text(f"Notes\n\n{paragraph(5)}\n\n{paragraph(1)}\n")

    monkeypatch.setattr(TextReader, "read", read_then_change)
    run(corpus, cache=True)
    monkeypatch.undo()
    fresh = summary(run(corpus, cache=False))
    assert ("CL102", "z-notes.txt", 5, "old.md", 6) in fresh
    assert summary(run(corpus, cache=True)) == fresh


def test_a_file_changed_after_the_key_index_is_seen_with_its_new_keys(corpus: Path) -> None:
    for number in range(6):  # enough unchanged files that the runs below use the index
        (corpus / f"a{number}.md").write_text(article(f"A {number}", [paragraph(30 + number)]))
    run(corpus, cache=True)  # whole corpus: the key index is written
    # The newest entry (other.md, stored last) changes; a run over another file stores it
    # again, alone. Under its old id the index would still give its old keys for it.
    (corpus / "other.md").write_text(article("Other", [paragraph(3), paragraph(9)]))
    assert summary(run(corpus, ["a0.md"], cache=True)) == []
    (corpus / "two.md").write_text(article("Two", [paragraph(9)]))
    assert summary(run(corpus, ["two.md"], cache=True)) == [("CL102", "two.md", 6, "other.md", 8)]


def _settings(corpus: Path) -> str:
    """The settings digest the runs above stored their entries under."""
    database = sqlite3.connect(cache_dir(corpus) / "cache.sqlite")
    try:
        (settings,) = database.execute("SELECT DISTINCT settings FROM files").fetchone()
    finally:
        database.close()
    return str(settings)


def test_a_cache_another_process_holds_locked_is_bypassed_with_a_warning(corpus: Path) -> None:
    run(corpus, cache=True)
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    expected = summary(run(corpus, cache=False))
    holder = sqlite3.connect(cache_dir(corpus) / "cache.sqlite", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another run writing, for longer than we wait
        result = run(corpus, cache=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert summary(result) == expected
    assert len(result.warnings) == 1
    assert "locked" in result.warnings[0]
    assert summary(run(corpus, cache=True)) == expected  # and usable again once released
