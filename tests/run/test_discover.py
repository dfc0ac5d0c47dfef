"""Discovery: which files form the corpus, which are targets, and what is skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpuslint.config import Config
from corpuslint.run.discover import Discovery, NothingToCheck, display_path

SUFFIXES = (".txt", ".md", ".jsonl.gz")


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("text\n", encoding="utf-8")


def discovery(root: Path, **settings: tuple[str, ...]) -> Discovery:
    return Discovery(Config(root=root, **settings), SUFFIXES, cwd=root)  # type: ignore[arg-type]


def relative(sources: list) -> list[str]:  # type: ignore[type-arg]
    return [s.relative for s in sources]


def test_walk_is_sorted_and_skips_tool_folders(tmp_path: Path) -> None:
    make(
        tmp_path,
        "b.txt",
        "a.md",
        "sub/c.txt",
        "A.txt",
        "x.csv",
        "data.jsonl.gz",
        ".git/notes.txt",
        ".venv/lib/readme.txt",
        "node_modules/pkg/readme.md",
        ".corpuslint_cache/x.txt",
    )
    found = list(discovery(tmp_path).walk(tmp_path, target=False))
    assert relative(found) == ["A.txt", "a.md", "b.txt", "data.jsonl.gz", "sub/c.txt"]
    assert not any(s.target for s in found)


def test_suffixes_are_case_insensitive(tmp_path: Path) -> None:
    make(tmp_path, "LOUD.TXT", "Note.Md")
    assert relative(list(discovery(tmp_path).walk(tmp_path, True))) == ["LOUD.TXT", "Note.Md"]


def test_include_and_exclude(tmp_path: Path) -> None:
    make(tmp_path, "news/a.txt", "news/drafts/b.txt", "news/c.md", "docs/d.txt")
    found = discovery(tmp_path, include=("news/**",), exclude=("drafts/", "*.md"))
    assert relative(list(found.walk(tmp_path, True))) == ["news/a.txt"]


def test_gitignore_files_at_every_level(tmp_path: Path) -> None:
    make(tmp_path, "a.txt", "build/b.txt", "news/c.txt", "news/tmp/d.txt", "news/e.md")
    (tmp_path / ".gitignore").write_text("build/\n", encoding="utf-8")
    (tmp_path / "news" / ".gitignore").write_text("tmp/\n*.md\n", encoding="utf-8")
    found = discovery(tmp_path)
    assert relative(list(found.walk(tmp_path, True))) == ["a.txt", "news/c.txt"]
    # Walking a subfolder still honours the root's and the subfolder's .gitignore.
    assert relative(list(found.walk(tmp_path / "news", True))) == ["news/c.txt"]


def test_gitignore_negation(tmp_path: Path) -> None:
    make(tmp_path, "a.txt", "keep.txt")
    (tmp_path / ".gitignore").write_text("*.txt\n!keep.txt\n", encoding="utf-8")
    assert relative(list(discovery(tmp_path).walk(tmp_path, True))) == ["keep.txt"]


def test_symlinked_folders_are_not_followed(tmp_path: Path) -> None:
    make(tmp_path, "real/a.txt")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert relative(list(discovery(tmp_path).walk(tmp_path, True))) == ["real/a.txt"]


def test_linked_files_are_read_and_odd_folders_are_walked_or_skipped(tmp_path: Path) -> None:
    make(tmp_path, "real/a.txt", "z.md/inside.txt", "a/b.txt", "a/sub/c.txt", "locked/d.txt")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real" / "a.txt")  # a link to a file: read
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")  # listed: its reader reports
    (tmp_path / "locked").chmod(0)
    try:
        found = list(discovery(tmp_path).walk(tmp_path, True))
    finally:
        (tmp_path / "locked").chmod(0o755)
    locked = [] if os.geteuid() else ["locked/d.txt"]  # root reads any folder
    # A folder's files before its subfolders'; a folder named like an article is walked.
    assert relative(found) == [
        "dangling.txt",
        "link.txt",
        "a/b.txt",
        "a/sub/c.txt",
        *locked,
        "real/a.txt",
        "z.md/inside.txt",
    ]
    stats = {s.relative: s.stat for s in found}
    assert stats["dangling.txt"] is None
    assert stats["link.txt"] == stats["real/a.txt"] != None  # noqa: E711 - the link's target


def test_targets_named_files_and_folders(tmp_path: Path) -> None:
    make(tmp_path, "a.txt", "sub/b.txt", "sub/c.md", "ignored/d.txt", "excluded/e.txt")
    (tmp_path / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    found = discovery(tmp_path, exclude=("excluded/",))
    targets, skipped = found.targets(
        [Path("sub"), Path("a.txt"), Path("ignored/d.txt"), Path("excluded/e.txt"), Path("a.txt")]
    )
    assert [t.display for t in targets] == ["a.txt", "ignored/d.txt", "sub/b.txt", "sub/c.md"]
    assert all(t.target for t in targets)
    assert skipped == []


def test_targets_skipped_with_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make(tmp_path, "data.csv", "empty/notes.rst")
    targets, skipped = discovery(tmp_path).targets(
        [Path("gone.txt"), Path("data.csv"), Path("empty")]
    )
    assert targets == []
    assert [(s.display, s.reason) for s in skipped] == [
        ("gone.txt", "no such file or directory"),
        ("empty", "no files to check in this folder (.jsonl.gz, .md, .txt)"),
    ]
    # A file no reader reads is left out with a note, not a finding (a hook passes them).
    assert "no reader for 1 file(s) named, not checked: data.csv" in capsys.readouterr().err


def test_project_root_without_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NothingToCheck, match=r"nothing to check in \. \(.*\): no file with"):
        discovery(tmp_path).targets([tmp_path])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_special_files(tmp_path: Path) -> None:
    make(tmp_path, "a.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.csv")  # not a supported suffix: not ours to mention
    found = discovery(tmp_path)
    targets, skipped = found.targets([Path(".")])
    assert [t.display for t in targets] == ["a.txt"]
    reason = "not a regular file (FIFO, device or socket); skipped"
    assert [(s.display, s.reason) for s in skipped] == [("pipe.txt", reason)]
    assert found.targets([Path("pipe.txt")]) == ([], [skipped[0]])
    # The corpus walk (not targets) passes over it in silence.
    assert relative(found.corpus([])) == ["a.txt"]


def test_corpus_marks_targets(tmp_path: Path) -> None:
    make(tmp_path, "a.txt", "b.txt", "c.txt")
    found = discovery(tmp_path)
    targets, _ = found.targets([Path("b.txt")])
    corpus = found.corpus(targets)
    assert [(s.relative, s.target) for s in corpus] == [
        ("a.txt", False),
        ("b.txt", True),
        ("c.txt", False),
    ]


def test_display_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    make(tmp_path, "news/a.txt")
    cwd = tmp_path / "news"
    found = Discovery(Config(root=tmp_path), SUFFIXES, cwd=cwd)
    (source,) = found.walk(tmp_path, True)
    assert (source.display, source.relative) == ("a.txt", "news/a.txt")
    assert display_path(tmp_path / "x" / "y.txt", cwd) == "../x/y.txt"


def test_the_root_as_target_is_the_corpus_without_a_second_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "a.txt", "sub/b.txt", "c.md")
    found = discovery(tmp_path)
    targets, _ = found.targets([tmp_path])
    one = found.corpus(targets[:1])
    walks: list[Path] = []
    walk = Discovery.walk
    monkeypatch.setattr(
        Discovery, "walk", lambda self, path, target: walks.append(path) or walk(self, path, target)
    )
    assert found.corpus(targets) == targets
    assert walks == []
    assert found.corpus(targets[:1]) == one  # other targets: the corpus is walked
    assert walks == [tmp_path]
    assert [(s.relative, s.target) for s in one] == [
        ("a.txt", True),
        ("c.md", False),
        ("sub/b.txt", False),
    ]
