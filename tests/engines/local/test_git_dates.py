"""Git dates kept in the cache: the whole history is read once, then only what is new.

Each case compares what :class:`GitDates` gives with a fresh read of the whole history
(``gitstate.first_added``), and checks which of the two ways it took.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from corpuslint.cache import store as cache_module
from corpuslint.cache.store import Cache
from corpuslint.engines.local.git_dates import GitDates
from corpuslint.run import gitstate

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(root: Path, *args: str, when: str = "2020-01-01T00:00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def commit(root: Path, names: Mapping[str, str], when: str) -> None:
    for name, text in names.items():
        (root / name).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", when, when=when)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(tmp_path / "cache-home"))
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, {"a.md": "a", "b.md": "b"}, "2019-01-01T00:00:00")
    commit(root, {"c.md": "c"}, "2020-06-01T00:00:00")
    return root


def dates(root: Path, names: list[str]) -> dict[str, str]:
    """What a run's ``GitDates`` gives for ``names`` (a new one each time, as each run)."""
    cache = Cache(root, "settings")
    try:
        return GitDates(root, cache)(names)
    finally:
        cache.close()


def truth(root: Path, names: list[str]) -> dict[str, str]:
    """The dates a read of the whole history gives."""
    whole = gitstate.first_added(root)
    return {n: whole[str(root / n)] for n in names if str(root / n) in whole}


def count_whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commits whose whole history is read from here on."""
    heads: list[str] = []
    original = gitstate.first_added_relative

    def spy(top: str, head: str) -> Mapping[str, str]:
        heads.append(head)
        return original.__wrapped__(top, head)

    monkeypatch.setattr(gitstate, "first_added_relative", spy)
    return heads


def test_a_second_run_at_the_same_commit_reads_no_history(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a.md", "b.md", "c.md", "unknown.md"]
    expected = truth(repo, names)
    whole = count_whole_reads(monkeypatch)
    first = dates(repo, names)
    second = dates(repo, names)
    assert len(whole) == 1  # the second run looked its dates up in the cache
    assert first == second == expected
    assert first["a.md"].startswith("2019-01-01")
    assert first["c.md"].startswith("2020-06-01")


def test_new_commits_are_read_alone_and_renames_keep_their_first_date(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a.md", "b.md", "c.md", "d.md", "moved.md"]
    dates(repo, names)
    commit(repo, {"d.md": "d"}, "2021-01-01T00:00:00")
    git(repo, "mv", "a.md", "moved.md")
    git(repo, "commit", "-q", "-m", "move", when="2022-01-01T00:00:00")
    expected = truth(repo, names)
    whole = count_whole_reads(monkeypatch)
    found = dates(repo, names)
    assert whole == []  # only the two new commits were read
    assert found == expected
    assert found["moved.md"].startswith("2019-01-01")  # a.md's date, not the move's
    assert found["d.md"].startswith("2021-01-01")


def test_a_rewritten_history_is_read_again(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["a.md", "c.md", "e.md"]
    dates(repo, names)
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # the kept commit is no longer an ancestor
    commit(repo, {"e.md": "e"}, "2023-03-03T00:00:00")
    expected = truth(repo, names)
    whole = count_whole_reads(monkeypatch)
    found = dates(repo, names)
    assert len(whole) == 1
    assert found == expected
    assert "c.md" not in found
    assert found["e.md"].startswith("2023-03-03")


@pytest.mark.parametrize("planted", ["not a date", "2020-01-01; DROP TABLE files", ""])
def test_a_kept_value_that_is_not_a_date_is_read_from_git_again(
    repo: Path, planted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a.md", "b.md"]
    dates(repo, names)
    database = cache_module.directory_for(repo) / "cache.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE added SET date = ? WHERE path = 'a.md'", (planted,))
    db.close()
    expected = truth(repo, names)
    whole = count_whole_reads(monkeypatch)
    assert dates(repo, names) == expected
    assert len(whole) == 1


def test_without_a_cache_the_history_is_read(repo: Path) -> None:
    names = ["a.md", "c.md"]
    assert GitDates(repo)(names) == truth(repo, names)


def test_outside_a_repository_nothing_is_known(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("x", encoding="utf-8")
    assert GitDates(tmp_path)(["x.md"]) == {}


def test_apply_keeps_the_first_date_of_a_name() -> None:
    added = [("a", "", "2019"), ("b", "a", "2020"), ("a", "", "2021"), ("c", "x", "2022")]
    assert gitstate.apply(added, {"x": "2001"}.get) == {"a": "2019", "b": "2019", "c": "2001"}
    assert gitstate.apply(added, {"a": "2000"}.get) == {"b": "2000", "c": "2022"}
