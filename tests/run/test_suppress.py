"""Inline suppression comments and CL002 unused-suppression."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from corpuslint.readers import limits
from corpuslint.run.suppress import ALL, Suppressions, parse
from tests.corpus_helpers import paragraph, run

REPEATED = paragraph(1)


def article(body: str) -> str:
    return f"---\ntitle: Story\nauthor: Jane Doe\n---\n\n{body}\n"


def codes_and_lines(root: Path, select: str = "CL101,CL201") -> list[tuple[str, int]]:
    return [(v.code, v.span.line) for v in run(root, select=select).violations]


def test_parse_reads_kind_codes_reason_and_position() -> None:
    text = "x\n  <!-- corpuslint-disable CL101, CL2 -- syndicated box -->\n<!--corpuslint-enable-->"
    first, second = parse(text)
    assert (first.kind, first.codes, first.line, first.column) == (
        "disable",
        ("CL101", "CL2"),
        2,
        3,
    )
    assert first.reason == "syndicated box"
    assert (second.kind, second.codes, second.line) == ("enable", (ALL,), 3)


def test_disable_enable_range_and_prefixes() -> None:
    found = Suppressions(parse("<!-- corpuslint-disable CL1 -->\n\n\n<!-- corpuslint-enable -->"))
    assert found.covering("CL101", 2) is not None
    assert found.covering("CL201", 2) is None
    assert found.covering("CL101", 5) is None


def test_disable_next_line(tmp_path: Path) -> None:
    body = f"{REPEATED}\n\n<!-- corpuslint-disable-next-line CL101 -->\n{REPEATED}"
    (tmp_path / "a.md").write_text(article(body))
    assert codes_and_lines(tmp_path) == []
    (tmp_path / "a.md").write_text(article(f"{REPEATED}\n\n{REPEATED}"))
    assert codes_and_lines(tmp_path) == [("CL101", 8)]


def test_disable_file_for_all_rules(tmp_path: Path) -> None:
    body = f"# Story\n\n# Story\n\n{REPEATED}\n\n{REPEATED}\n\n<!-- corpuslint-disable-file -->"
    (tmp_path / "a.md").write_text(article(body))
    assert codes_and_lines(tmp_path) == []


def test_disable_other_code_does_not_hide(tmp_path: Path) -> None:
    body = f"<!-- corpuslint-disable CL201 -->\n{REPEATED}\n\n{REPEATED}"
    (tmp_path / "a.md").write_text(article(body))
    assert codes_and_lines(tmp_path) == [("CL101", 9)]


def test_unused_suppression_is_reported_only_when_selected(tmp_path: Path) -> None:
    body = f"<!-- corpuslint-disable-next-line CL101 -->\n{REPEATED}\n\n{paragraph(2)}"
    (tmp_path / "a.md").write_text(article(body))
    assert codes_and_lines(tmp_path) == []
    assert codes_and_lines(tmp_path, "CL101,CL002") == [("CL002", 6)]


def test_comment_in_plain_text_is_not_a_directive(tmp_path: Path) -> None:
    text = f"Headline\n\n<!-- corpuslint-disable -->\n\n{REPEATED}\n\n{REPEATED}\n"
    (tmp_path / "a.txt").write_text(text)
    assert codes_and_lines(tmp_path, "CL101") == [("CL101", 7)]


def test_a_markdown_or_html_file_is_read_once_for_its_reader_and_its_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = f"{REPEATED}\n\n<!-- corpuslint-disable-next-line CL101 -->\n{REPEATED}"
    (tmp_path / "a.md").write_text(article(body))
    page = "<html><body><h1>Story</h1><p>{0}</p>\n{1}\n<p>{0}</p></body></html>"
    (tmp_path / "b.html").write_text(page.format(REPEATED, "<!-- corpuslint-disable-next-line -->"))
    (tmp_path / "c.html").write_text(page.format(REPEATED, ""))  # the one finding left
    reads: list[str] = []
    read_file = limits.read_file

    def counting(path: Path, options: Mapping[str, Any], fmt: str) -> bytes:
        reads.append(path.name)
        return read_file(path, options, fmt)

    monkeypatch.setattr(limits, "read_file", counting)
    assert codes_and_lines(tmp_path) == [("CL101", 3)]
    assert sorted(reads) == ["a.md", "b.html", "c.html"]
