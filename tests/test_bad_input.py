"""Bad input: each file gets a clear CL001 finding (or nothing, when there is nothing wrong),
the run goes on with the other files, and no traceback ever reaches the user."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import LONG_A, LONG_B, Run, article, paragraphs, write

CLI = Callable[..., Run]
GOOD = {"good.txt": paragraphs("Good Headline", "Good Headline", "By Jane Doe", LONG_A)}
GOOD_FINDING = "good.txt:3:1: CL201 [error] Headline repeated (first at line 1)"


def check_folder(cli: CLI) -> Run:
    run = cli("check", ".", "--no-cache")
    assert GOOD_FINDING in run.stdout.splitlines(), "the other files must still be checked"
    return run


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param(
            "binary.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "binary.txt:1:1: CL001 [error] binary file (contains NUL bytes), not text",
            id="binary",
        ),
        pytest.param(
            "latin1.txt",
            "Headline\n\nLe café est fermé depuis des années.\n".encode("latin-1"),
            "latin1.txt:3:7: CL001 [error] not valid UTF-8: byte 0xe9 at line 3, column 7"
            " (corpuslint reads UTF-8; convert the file, e.g. with iconv)",
            id="latin-1",
        ),
        pytest.param(
            "bad.md",
            "---\ntitle: [unclosed\n---\n\nBody text.\n",
            "bad.md:2:17: CL001 [error] malformed YAML front matter: expected ',' or ']',"
            " but got '<stream end>'",
            id="malformed-yaml",
        ),
        pytest.param(
            "bad.md",
            "---\ntitle: x\n  - nested: [\n---\n",
            "bad.md:3:11: CL001 [error] malformed YAML front matter: mapping values are not"
            " allowed here",
            id="malformed-yaml-indent",
        ),
        pytest.param(
            "open.md",
            "---\ntitle: never closed\n\nBody text.\n",
            "open.md:1:1: CL001 [error] YAML front matter opened on line 1 is never closed",
            id="unclosed-front-matter",
        ),
    ],
)
def test_unreadable_file_is_one_finding(
    project: Path, cli: CLI, name: str, content: bytes | str, expected: str
) -> None:
    write(project, {**GOOD, name: content})
    run = check_folder(cli)
    assert expected in run.stdout.splitlines()
    assert [line for line in run.stdout.splitlines() if line.startswith(name)] == [expected]
    assert run.exit_code == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("empty.txt", "", id="empty-text"),
        pytest.param("empty.md", "", id="empty-markdown"),
        pytest.param("blank.txt", "\n\n   \n", id="only-blank-lines"),
        pytest.param("meta.md", "---\ntitle: Only Metadata\n---\n", id="only-front-matter"),
        pytest.param("meta.md", "+++\ntitle = 'Only Metadata'\n+++\n", id="only-toml"),
        pytest.param("empty-fm.md", "---\n---\n", id="empty-front-matter"),
    ],
)
def test_file_with_nothing_to_check_is_clean(
    project: Path, cli: CLI, name: str, content: str
) -> None:
    write(project, {**GOOD, name: content})
    run = check_folder(cli)
    assert run.stdout.splitlines() == [GOOD_FINDING]
    assert run.stderr == "Found 1 finding in 1 of 2 checked files.\n"


def test_huge_single_line_file(project: Path, cli: CLI) -> None:
    sentence = "The council met again on Tuesday to discuss the budget for next year. "
    with (project / "huge.txt").open("w", encoding="utf-8") as handle:
        for _ in range(50 * 1024 * 1024 // len(sentence) + 1):
            handle.write(sentence)
    assert (project / "huge.txt").stat().st_size > 50 * 1024 * 1024
    write(project, GOOD)
    run = check_folder(cli)
    # One 50 MB paragraph: read, compared with nothing, and reported as unattributed.
    assert run.stdout.splitlines() == [
        GOOD_FINDING,
        "huge.txt:1:1: CL301 [error] No attribution: no byline, author or source credit found",
    ]


def test_folder_without_supported_files(project: Path, cli: CLI) -> None:
    write(project, {**GOOD, "assets/logo.png": b"\x89PNG", "assets/notes.csv": "a,b\n"})
    run = cli("check", "assets", "good.txt", "--no-cache")
    assert run.findings() == ["assets:1:1: CL001", "good.txt:3:1: CL201"]
    assert "assets:1:1: CL001 [error] no files to check in this folder (" in run.stdout
    assert run.exit_code == 1


def test_named_file_without_reader(project: Path, cli: CLI) -> None:
    write(project, {**GOOD, "data.csv": "a,b\n"})
    run = cli("check", "data.csv", "good.txt", "--no-cache")
    # A file no reader reads is left out with a note (a pre-commit hook may name any
    # staged file), never a finding that fails the commit.
    assert run.stdout.splitlines() == [GOOD_FINDING]
    assert "data.csv" in run.stderr
    assert "no reader" in run.stderr


def test_missing_file(project: Path, cli: CLI) -> None:
    write(project, GOOD)
    run = cli("check", "gone.txt", "good.txt", "--no-cache")
    assert run.stdout.splitlines() == [
        "gone.txt:1:1: CL001 [error] no such file or directory",
        GOOD_FINDING,
    ]


def test_unreadable_file(project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, {**GOOD, "secret.txt": article(LONG_B)})
    secret = project / "secret.txt"
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            # Running as root: permissions do not stop reads, so make the read fail instead.
            real = pathlib.Path.open

            def open_(self: pathlib.Path, *args: Any, **kwargs: Any) -> Any:
                if self.name == "secret.txt":
                    raise PermissionError(13, "Permission denied", str(self))
                return real(self, *args, **kwargs)

            monkeypatch.setattr(pathlib.Path, "open", open_)
        run = check_folder(cli)
    finally:
        secret.chmod(0o644)
    expected = "secret.txt:1:1: CL001 [error] cannot read file: Permission denied"
    assert expected in run.stdout.splitlines()
    assert run.exit_code == 1


def test_symlink_loop(project: Path, cli: CLI) -> None:
    write(project, GOOD)
    (project / "loop.txt").symlink_to("loop.txt")
    run = check_folder(cli)
    loop = [line for line in run.stdout.splitlines() if line.startswith("loop.txt")]
    assert loop == [
        "loop.txt:1:1: CL001 [error] cannot read file: Too many levels of symbolic links"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_in_the_tree_is_skipped_not_read(project: Path, cli: CLI) -> None:
    write(project, GOOD)
    os.mkfifo(project / "pipe.txt")  # reading it would block forever
    expected = "pipe.txt:1:1: CL001 [error] not a regular file (FIFO, device or socket); skipped"
    run = check_folder(cli)
    assert expected in run.stdout.splitlines()
    named = cli("check", "pipe.txt", "good.txt", "--no-cache")
    assert named.stdout.splitlines() == [GOOD_FINDING, expected]


def test_fifo_outside_the_targets_is_not_reported(project: Path, cli: CLI) -> None:
    write(project, GOOD)
    os.mkfifo(project / "pipe.txt")
    assert cli("check", "good.txt", "--no-cache").stdout.splitlines() == [GOOD_FINDING]


def test_crashing_reader_is_a_finding_on_its_file_not_a_traceback(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuslint.readers import markdown

    def broken(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(markdown, "parse_markdown", broken)
    write(project, {**GOOD, "a.md": "# Title\n"})
    run = check_folder(cli)
    expected = "a.md:1:1: CL001 [error] cannot read file: reader MarkdownReader (markdown) failed:"
    assert f"{expected} RuntimeError: boom" in run.stdout.splitlines()
    assert "internal error" not in run.output
    assert run.exit_code == 1
