"""``corpuslint check -`` with ``--stdin-filename``: stdin checked as if it were that file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpuslint.cli import main
from tests.helpers import LONG_A, LONG_B, LONG_C, Run, article, write


def run_stdin(data: bytes, *args: str) -> Run:
    """``corpuslint ARGS`` with ``data`` on stdin, in this process."""
    result = CliRunner().invoke(main, list(args), input=data)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return Run(result.exit_code, result.stdout, result.stderr)


def run(*args: str) -> Run:
    return run_stdin(b"", *args)


def _jsonl(*records: dict[str, str]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


REPEATING = {
    "a.md": f"# Council\n\nBy Jane Doe\n\n{LONG_A}\n\n{LONG_B}\n\n{LONG_A}\n".encode(),
    "a.txt": article(LONG_A, LONG_B, LONG_A).encode(),
    "a.html": (
        "<html><head><title>Council</title></head><body><article><h1>Council</h1>"
        f"<p class='byline'>By Jane Doe</p><p>{LONG_A}</p><p>{LONG_B}</p><p>{LONG_A}</p>"
        "</article></body></html>\n"
    ).encode(),
    "a.jsonl": _jsonl(
        {"id": "r1", "title": "Council", "text": f"{LONG_A}\n\n{LONG_B}\n\n{LONG_A}"},
        {"id": "r2", "title": "Budget", "text": LONG_C},
    ),
}


def _findings(result: Run) -> list[dict[str, object]]:
    found = result.json()
    assert found, result.output
    return found


@pytest.mark.parametrize("name", sorted(REPEATING))
def test_findings_from_stdin_equal_findings_from_the_same_file_on_disk(
    project: Path, name: str
) -> None:
    content = REPEATING[name]
    write(project, {name: content, "other.md": f"# Other\n\nBy Jim Roe\n\n{LONG_C}\n"})
    on_disk = run("check", "--format", "json", "--no-cache", name)
    from_stdin = run_stdin(content, "check", "--format", "json", "--stdin-filename", name, "-")
    assert from_stdin.exit_code == on_disk.exit_code == 1
    assert _findings(from_stdin) == _findings(on_disk)
    assert any(f["code"] == "CL101" for f in _findings(from_stdin))


def test_gzip_jsonl_from_stdin_is_inflated(project: Path) -> None:
    content = gzip.compress(REPEATING["a.jsonl"])
    write(project, {"a.jsonl.gz": content})
    on_disk = run("check", "--format", "json", "--no-cache", "a.jsonl.gz")
    from_stdin = run_stdin(content, "check", "--format", "json", "--stdin-filename", "a.jsonl.gz")
    assert _findings(from_stdin) == _findings(on_disk)


def test_copy_of_another_corpus_file_is_found_and_the_file_need_not_exist(project: Path) -> None:
    write(project, {"older.txt": article(LONG_A, LONG_B)})
    text = article(LONG_C, LONG_B, title="Budget Signed").encode()
    result = run_stdin(text, "check", "--stdin-filename", "news/new.txt", "-")
    assert result.exit_code == 1
    assert result.findings() == ["news/new.txt:7:1: CL102"]
    assert "older.txt (line 7)" in result.stdout
    assert not (project / "news").exists()


def test_the_buffer_replaces_the_file_on_disk(project: Path) -> None:
    # On disk: not UTF-8 (a CL001 if it were read) and a repeat; stdin: neither.
    write(project, {"a.txt": article(LONG_A, LONG_B, LONG_A).encode() + b"\xff\n"})
    assert "CL001" in run("check", "--no-cache", "a.txt").stdout
    clean = article(LONG_A, LONG_B).encode()
    result = run_stdin(clean, "check", "--stdin-filename", "a.txt", "-")
    assert result.exit_code == 0, result.output
    assert "All checks passed (1 file)" in result.stderr


def test_the_cache_keeps_nothing_of_the_buffer(project: Path) -> None:
    # The buffer has the same size as the file: an entry stored under the file's size
    # and timestamp would be taken for the file's own by the next run.
    on_disk = article(LONG_A, LONG_B, LONG_A[::-1])
    write(project, {"a.txt": on_disk})
    repeated = article(LONG_A, LONG_B, LONG_A)
    assert len(repeated) == len(on_disk)
    from_stdin = run_stdin(repeated.encode(), "check", "--stdin-filename", "a.txt", "-")
    assert "CL101" in from_stdin.stdout
    cached = run("check", "a.txt")
    assert cached.exit_code == 0, cached.output
    assert cached.stdout == run("check", "--no-cache", "a.txt").stdout


def test_stdin_without_a_name_is_stdin_txt(project: Path) -> None:
    result = run_stdin(article(LONG_A, LONG_B, LONG_A).encode(), "check", "-")
    assert result.findings() == ["stdin.txt:9:1: CL101"]


def test_stdin_filename_alone_reads_stdin(project: Path) -> None:
    result = run_stdin(
        article(LONG_A, LONG_B, LONG_A).encode(), "check", "--stdin-filename", "x.txt"
    )
    assert result.findings() == ["x.txt:9:1: CL101"]


def test_suppression_comments_in_the_buffer_apply(project: Path) -> None:
    comment = "<!-- corpuslint-disable-next-line CL101 -->"
    text = f"# Council\n\nBy Jane Doe\n\n{LONG_A}\n\n{comment}\n{LONG_A}\n"
    result = run_stdin(text.encode(), "check", "--stdin-filename", "a.md", "-")
    assert result.exit_code == 0, result.output


def test_fix_with_stdin_is_a_usage_error(project: Path) -> None:
    for flag in ("--fix", "--diff"):
        result = run_stdin(b"text\n", "check", flag, "--stdin-filename", "a.txt", "-")
        assert result.exit_code == 2
        assert "cannot be used with stdin" in result.stderr


def test_stdin_with_other_paths_is_a_usage_error(project: Path) -> None:
    write(project, {"a.txt": article(LONG_A)})
    result = run_stdin(b"text\n", "check", "-", "a.txt")
    assert result.exit_code == 2
    assert "`-` (stdin) cannot be combined with other paths" in result.stderr


def test_excluded_or_unread_names_are_not_checked(project: Path) -> None:
    write(project, {"corpuslint.toml": 'extend-exclude = ["drafts/"]\n'})
    text = article(LONG_A, LONG_A).encode()
    excluded = run_stdin(text, "check", "--stdin-filename", "drafts/a.txt", "-")
    assert excluded.exit_code == 0
    assert "drafts/a.txt: excluded by the configuration" in excluded.stderr
    unread = run_stdin(text, "check", "--stdin-filename", "a.yaml", "-")
    assert unread.exit_code == 0
    assert "no reader for 1 file(s) named, not checked: a.yaml" in unread.stderr
