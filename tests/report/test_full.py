"""The ``full`` format: finding line, source excerpt with carets, other copy."""

from __future__ import annotations

from pathlib import Path

from corpuslint import plugins
from corpuslint.model import Location, Result, Span
from corpuslint.report.full import WIDTH, FullFormatter, underline

from .samples import HEADLINE, REPEATED, run_check, violation


def render(registry: plugins.Registry, *findings: object) -> str:
    return FullFormatter(registry.rules).format(Result(tuple(findings), ()))  # type: ignore[arg-type]


def caret_columns(text_line: str, caret_line: str) -> str:
    """The characters of the excerpt line that stand above carets."""
    return "".join(c for c, mark in zip(text_line, caret_line, strict=False) if mark == "^")


def test_end_to_end_shows_source_carets_and_other_copy(article: Path) -> None:
    code, output = run_check("news/parks.txt", "--format", "full")
    assert code == 1
    blocks = output.split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [
        "news/parks.txt:1:1: CL301 [error] No attribution: no byline, author or source"
        " credit found",
        "news/parks.txt:2:1: CL201 [error] Headline repeated (first at line 1)",
        "news/parks.txt:5:1: CL101 [error] Paragraph repeats the paragraph at line 3",
    ]
    headline = blocks[1].splitlines()
    assert headline[1:] == [
        "  |",
        f"2 | {HEADLINE}",
        "  | " + "^" * len(HEADLINE),
        "  = other copy: news/parks.txt:1:1",
    ]
    paragraph = blocks[2].splitlines()
    assert paragraph[2].startswith(f"5 | {REPEATED[:40]}")
    assert paragraph[-1] == "  = other copy: news/parks.txt:3:1"


def test_caret_under_the_span_columns(workdir: Path, registry: plugins.Registry) -> None:
    (workdir / "a.txt").write_text("first line\nsome words to flag here\n", encoding="utf-8")
    output = render(registry, violation(path="a.txt", span=Span(2, 6, 2, 11)))
    lines = output.splitlines()
    assert lines[2] == "2 | some words to flag here"
    assert caret_columns(lines[2], lines[3]) == "words"


def test_missing_undecodable_and_special_files_print_no_excerpt(
    workdir: Path, registry: plugins.Registry
) -> None:
    (workdir / "latin1.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1"))
    (workdir / "binary.txt").write_bytes(b"\x00\x01\x02 binary\n")
    (workdir / "folder.txt").mkdir()
    for path in ("missing.txt", "latin1.txt", "binary.txt", "folder.txt", ""):
        found = violation(path=path, span=Span(1, 1, 1, 4), related=(Location("b.txt", 3),))
        assert render(registry, found).splitlines() == [
            f"{path}:1:1: CL101 [error] Paragraph repeats line 3",
            "  = other copy: b.txt:3:1",
        ]


def test_span_past_the_end_of_the_file_prints_what_exists(
    workdir: Path, registry: plugins.Registry
) -> None:
    (workdir / "short.txt").write_text("only line\n", encoding="utf-8")
    assert (
        len(render(registry, violation(path="short.txt", span=Span(7, 1, 7, 3))).splitlines()) == 1
    )
    output = render(registry, violation(path="short.txt", span=Span(1, 1, 9, 3)))
    assert "1 | only line" in output


def test_long_line_is_cut_around_the_finding(workdir: Path, registry: plugins.Registry) -> None:
    line = "a" * 300 + "TARGET" + "b" * 300
    (workdir / "long.txt").write_text(line + "\n", encoding="utf-8")
    output = render(registry, violation(path="long.txt", span=Span(1, 301, 1, 307)))
    text, carets = output.splitlines()[2:4]
    assert text.startswith("1 | \u2026a")
    assert text.endswith("b\u2026")
    assert len(text) - len("1 | ") <= WIDTH + 2
    assert caret_columns(text, carets) == "TARGET"


def test_long_span_shows_first_and_last_lines(workdir: Path, registry: plugins.Registry) -> None:
    (workdir / "many.txt").write_text(
        "".join(f"line number {n}\n" for n in range(1, 11)), encoding="utf-8"
    )
    output = render(registry, violation(path="many.txt", span=Span(2, 1, 9, 14)))
    lines = output.splitlines()
    assert lines[2] == "2 | line number 2"
    assert lines[4] == "3 | line number 3"
    assert lines[6] == "  : (5 more lines)"
    assert lines[7] == "9 | line number 9"
    assert lines[8] == "  | " + "^" * len("line number 9")


def test_wide_and_control_characters_keep_carets_aligned(
    workdir: Path, registry: plugins.Registry
) -> None:
    (workdir / "wide.txt").write_text("\u4e2d\u6587 \x1b[31m\tflag\n", encoding="utf-8")
    output = render(registry, violation(path="wide.txt", span=Span(1, 10, 1, 14)))
    text, carets = output.splitlines()[2:4]
    assert text == "1 | \u4e2d\u6587 \\x1b[31m    flag"
    # the two wide characters take two cells each on a terminal
    assert carets == "  | " + " " * (5 + len("\\x1b[31m") + 4) + "^^^^"
    assert "\x1b" not in output


def test_underline_of_an_empty_span_is_one_caret() -> None:
    assert underline("abc", 2, 2) == ("abc", " ^")
    assert underline("", 1, 1) == ("", "^")
