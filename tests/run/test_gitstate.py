"""Staged files count as new: a pre-commit run split into several calls reports as one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from corpuslint.run import gitstate
from tests.corpus_helpers import article, paragraph, run, summary
from tests.helpers import write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with one committed article, and two staged ones sharing a paragraph."""
    git(tmp_path, "init", "-q")
    write(tmp_path, {"news/old.md": article("Old story", [paragraph(1), paragraph(2)])})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "old")
    shared = paragraph(3)
    write(tmp_path, {"news/a-new.md": article("First new", [shared, paragraph(4)])})
    write(tmp_path, {"news/b-new.md": article("Second new", [paragraph(5), shared])})
    git(tmp_path, "add", "news/a-new.md", "news/b-new.md")
    return tmp_path


def test_staged_lists_added_and_modified_files_under_the_root(repo: Path) -> None:
    write(repo, {"news/old.md": article("Old story", [paragraph(1), paragraph(9)])})
    write(repo, {"news/untracked.md": article("Untracked", [paragraph(6)])})
    git(repo, "add", "news/old.md")
    assert gitstate.staged(repo) == {
        str(repo / "news/a-new.md"),
        str(repo / "news/b-new.md"),
        str(repo / "news/old.md"),
    }
    assert gitstate.staged(repo / "news") == gitstate.staged(repo)
    assert gitstate.staged(repo / "nowhere") == frozenset()


def test_outside_a_repository_nothing_is_staged(tmp_path: Path) -> None:
    assert gitstate.staged(tmp_path) == frozenset()


def test_split_calls_report_what_one_call_reports(repo: Path) -> None:
    together = summary(run(repo, ["news/a-new.md", "news/b-new.md"]))
    assert together == [("CL102", "news/b-new.md", 8, "news/a-new.md", 6)]
    # pre-commit may pass the staged files in two calls: each sees the other as new too.
    first = summary(run(repo, ["news/a-new.md"]))
    second = summary(run(repo, ["news/b-new.md"]))
    assert first + second == together


def test_split_calls_agree_with_the_cache(repo: Path) -> None:
    run(repo, cache=True)  # a warm cache, as after a full run
    first = summary(run(repo, ["news/a-new.md"], cache=True))
    second = summary(run(repo, ["news/b-new.md"], cache=True))
    assert first + second == [("CL102", "news/b-new.md", 8, "news/a-new.md", 6)]


def test_a_committed_file_is_still_the_original(repo: Path) -> None:
    write(repo, {"news/c-new.md": article("Third new", [paragraph(1)])})
    git(repo, "add", "news/c-new.md")
    assert summary(run(repo, ["news/c-new.md"])) == [
        ("CL102", "news/c-new.md", 6, "news/old.md", 6)
    ]


def test_unstaged_files_are_not_new(repo: Path) -> None:
    git(repo, "reset", "-q")  # unstage both: only the target counts as new
    assert summary(run(repo, ["news/a-new.md"])) == [
        ("CL102", "news/a-new.md", 6, "news/b-new.md", 8)
    ]
