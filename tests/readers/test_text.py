"""Plain-text reader: paragraphs, line endings, spans and the headline ."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint.model import BlockKind, Span
from corpuslint.readers.text import TextReader, looks_like_headline, parse_text


def summary(text: str) -> list[tuple[str, str, Span]]:
    return [(b.kind.value, b.text, b.span) for b in parse_text(text, "a.txt").blocks]


def test_blank_line_paragraphs() -> None:
    text = "Title Here\n\nFirst line of a paragraph\n  continued here.\n\n\nSecond one.\n"
    assert summary(text) == [
        ("heading", "Title Here", Span(1, 1, 1, 11)),
        ("paragraph", "First line of a paragraph continued here.", Span(3, 1, 4, 18)),
        ("paragraph", "Second one.", Span(7, 1, 7, 12)),
    ]


def test_one_paragraph_per_line_when_no_blank_lines() -> None:
    text = "A lead paragraph that ends.\nThe Headline\nAnother paragraph.\n"
    assert summary(text) == [
        ("paragraph", "A lead paragraph that ends.", Span(1, 1, 1, 28)),
        ("heading", "The Headline", Span(2, 1, 2, 13)),
        ("paragraph", "Another paragraph.", Span(3, 1, 3, 19)),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    text = newline.join(["Title", "", "Body one.", "more.", "", "Body two."]) + newline
    assert [(b.text, b.span.line, b.span.end_line) for b in parse_text(text, "a").blocks] == [
        ("Title", 1, 1),
        ("Body one. more.", 3, 4),
        ("Body two.", 6, 6),
    ]


def test_indented_paragraph_column() -> None:
    (block,) = parse_text("    Indented text goes here and ends.\n", "a").blocks
    assert block.span == Span(1, 5, 1, 38)


def test_reader_drops_bom_and_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffTitre Caf\u00e9\r\n\r\nUn paragraphe.\r\n".encode())
    (document,) = TextReader().read(path, "a.txt")
    assert not isinstance(document, type(None))
    assert document.headline is not None
    assert document.headline.text == "Titre Caf\u00e9"
    assert document.headline.span == Span(1, 1, 1, 11)
    assert document.format == "text"
    assert document.path == "a.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kremlin Signals Openness for Trump-Putin Meeting", True),
        ("Council approves budget: what it means", True),
        ("\u201cWe will not yield\u201d", True),
        ("A sentence that ends with a full stop.", False),
        ("Is this a question?", False),
        ("Is this a question?\u201d", False),
        ("Ellipsis\u2026", False),
        ("By Jane Doe", False),
        (" ".join(["word"] * 20), True),
        (" ".join(["word"] * 21), False),
        ("", False),
    ],
)
def test_looks_like_headline(text: str, expected: bool) -> None:
    assert looks_like_headline(text) is expected


def test_headline_is_first_short_line_among_first_three() -> None:
    text = "\n".join(
        [
            "A lead paragraph that ends.",
            "Another paragraph that ends.",
            "The Real Headline",
            "Yet another paragraph.",
        ]
    )
    document = parse_text(text, "a")
    assert document.headline is not None
    assert (document.headline.text, document.headline.span.line) == ("The Real Headline", 3)
    assert [b.kind for b in document.blocks].count(BlockKind.HEADING) == 1


def test_no_headline_beyond_the_third_line() -> None:
    text = "\n".join(["One ends.", "Two ends.", "Three ends.", "Short Title Line"])
    assert parse_text(text, "a").headline is None


def test_only_one_headline() -> None:
    document = parse_text("First Title\nSecond Title\nBody text.\n", "a")
    assert [b.kind.value for b in document.blocks] == ["heading", "paragraph", "paragraph"]


def test_byline_is_not_the_headline() -> None:
    document = parse_text("By Jane Doe\nThe Headline\nBody text.\n", "a")
    assert document.headline is not None
    assert document.headline.text == "The Headline"


def test_multi_line_group_is_not_a_headline() -> None:
    document = parse_text("Short\nLines\n\nBody text.\n", "a")
    assert document.headline is None


def test_empty_text() -> None:
    document = parse_text("", "a")
    assert (document.blocks, document.headline) == ((), None)


def test_normalized_form() -> None:
    (block,) = parse_text("  \u201cHello\u201d   WORLD \u2014 again.  \n", "a").blocks
    assert block.normalized == '"hello" world - again.'
