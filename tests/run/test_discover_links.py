"""Reading stays inside the project: links out are skipped, loops and unreadable folders warned.

A pull request can add a symbolic link to any path on the CI machine; reading it would
print that file's text in the report. Each case runs the real command on a project
whose corpus holds such an entry, and checks the secret text never appears.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint.run import discover
from tests.helpers import Run

CLI = Callable[..., Run]
SECRET = "Confidential: the launch codes are written on this line of text."


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the project (outside it) holding a file with SECRET text."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(f"# Secret\n\n{SECRET}\n", encoding="utf-8")
    return folder


def own_article(project: Path) -> None:
    (project / "own.md").write_text("# Own\n\nBy Jane Doe\n\nA paragraph of ours.\n")


def test_a_link_to_a_file_outside_is_skipped_with_a_warning(
    project: Path, outside: Path, cli: CLI
) -> None:
    own_article(project)
    (project / "leak.md").symlink_to(outside / "secret.md")
    run = cli("check", "--format", "json")
    assert "leak.md" not in run.stdout
    assert SECRET not in run.output
    assert "corpuslint: warning: leak.md: links to outside the project" in run.stderr
    assert run.stderr.count("leak.md") == 1  # the corpus walk does not warn again


def test_a_link_to_a_folder_outside_is_skipped_with_a_warning(
    project: Path, outside: Path, cli: CLI
) -> None:
    own_article(project)
    (project / "news").mkdir()
    (project / "news" / "ext").symlink_to(outside, target_is_directory=True)
    run = cli("check", "--format", "json")
    assert "secret" not in run.stdout
    assert "corpuslint: warning: news/ext: links to outside the project" in run.stderr


def test_a_named_link_out_is_skipped_but_a_named_path_outside_is_read(
    project: Path, outside: Path, cli: CLI
) -> None:
    (project / "leak.md").symlink_to(outside / "secret.md")
    run = cli("check", "--format", "json", "leak.md")
    assert run.json() == []
    assert "leak.md: links to outside the project" in run.stderr
    # Naming a file outside the project is the user's own choice: it is read.
    run = cli("check", "--format", "json", str(outside / "secret.md"))
    assert [f["code"] for f in run.json()] == ["CL301"]


def test_follow_external_links_reads_them(project: Path, outside: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text("follow-external-links = true\n")
    (project / "leak.md").symlink_to(outside / "secret.md")
    (project / "ext").symlink_to(outside, target_is_directory=True)
    (outside / "back").symlink_to(outside, target_is_directory=True)  # a loop out there
    run = cli("check", "--format", "json")
    assert {f["path"] for f in run.json()} == {"ext/secret.md", "leak.md"}  # copies, too
    assert "warning" not in run.stderr


def test_links_inside_the_project_are_read_as_before(project: Path, cli: CLI) -> None:
    (project / "news").mkdir()
    (project / "news" / "a.md").write_text("# A\n\nNo byline here at all.\n")
    (project / "alias.md").symlink_to(project / "news" / "a.md")
    (project / "mirror").symlink_to(project / "news", target_is_directory=True)
    run = cli("check", "--format", "json")
    # The link to a file is that file, read once; the link to a folder is not walked twice.
    assert {f["path"] for f in run.json()} == {"news/a.md"}
    assert "warning" not in run.stderr


PARAGRAPH = "The council voted on Tuesday to extend the river walk by two miles next spring."


def article(title: str) -> str:
    return f"# {title}\n\nBy Jane Doe\n\n{PARAGRAPH}\n\nA closing line of {title.lower()}.\n"


@pytest.mark.parametrize("git", [False, True], ids=["walk", "git listing"])
@pytest.mark.parametrize(
    ("named", "reported"),
    [((), "news/a.md"), (("alias.md",), "news/a.md"), (("news/a.md",), "news/a.md")],
)
def test_a_link_to_a_file_inside_is_not_a_copy_of_it(
    project: Path, cli: CLI, git: bool, named: tuple[str, ...], reported: str
) -> None:
    """Whether the run names the file, its link or neither, the file is read once."""
    if git:
        subprocess.run(["git", "init", "-q", str(project)], check=True, capture_output=True)
    (project / "news").mkdir()
    (project / "news" / "a.md").write_text(article("River walk"), encoding="utf-8")
    (project / "news" / "b.md").write_text(article("Other news"), encoding="utf-8")
    (project / "alias.md").symlink_to(project / "news" / "a.md")
    run = cli("check", "--select", "CL102,CL103", "--format", "json", *named)
    found = {(f["code"], f["path"], f["related"][0]["path"]) for f in run.json()}
    if named:  # the name given is checked against the rest of the corpus, not the file itself
        assert found == {("CL102", reported, "news/b.md")}
    else:  # b.md copies a.md's paragraph; a.md comes first in path order
        assert found == {("CL102", "news/b.md", "news/a.md")}


def test_symlink_loops_are_warnings_and_the_run_goes_on(project: Path, cli: CLI) -> None:
    own_article(project)
    (project / "loop.md").symlink_to(project / "loop.md")
    (project / "spin").symlink_to(project / "spin")
    run = cli("check", "spin", ".")
    assert run.exit_code == 1, run.output  # loop.md is a corpus file that cannot be read
    assert run.stdout == (
        "loop.md:1:1: CL001 [error] cannot read file: Too many levels of symbolic links\n"
    )
    assert run.stderr.count("corpuslint: warning: spin: symlink loop; skipped") == 1
    assert "internal error" not in run.stderr


def test_unreadable_folders_are_warnings_and_the_run_goes_on(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_article(project)
    (project / "locked").mkdir()
    (project / "locked" / "a.md").write_text("# A\n\nNo byline.\n")
    real_scandir = os.scandir

    def scandir(path: str) -> object:  # the tests may run as root, which chmod cannot lock
        if os.path.basename(path) == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    for args in (("check",), ("check", "locked", "own.md")):
        run = cli(*args)
        assert run.exit_code == 0, run.output
        assert run.stderr.count("locked: cannot read folder: Permission denied") == 1
        assert "no files to check" not in run.output


def test_a_named_path_that_cannot_be_looked_at_is_a_warning(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_article(project)
    real_stat = Path.stat

    def stat(self: Path, *, follow_symlinks: bool = True) -> os.stat_result:
        if self.name == "hidden.md":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(Path, "stat", stat)
    run = cli("check", "hidden.md", "own.md")
    assert run.exit_code == 0, run.output
    assert "corpuslint: warning: hidden.md: cannot read: Permission denied" in run.stderr
