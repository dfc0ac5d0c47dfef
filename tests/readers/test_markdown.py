"""Markdown reader: blocks and their spans, what is prose, the headline."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint.model import Span
from corpuslint.readers.base import ReadError
from corpuslint.readers.markdown import MarkdownReader, parse_markdown

DOCUMENT = """\
# Title

Para one text.

```
A fenced code block is not prose.
```

<!-- An HTML comment is not prose. -->

- item one
- item two

1. ordered item

> quoted text
> on two lines

Setext
======

    indented code is not prose

Para *with* [a link](http://example.com) and `code` <b>html</b>.
"""


def summary(text: str) -> list[tuple[str, int, str, Span]]:
    return [(b.kind.value, b.level, b.text, b.span) for b in parse_markdown(text, "a.md").blocks]


def test_blocks_kinds_and_spans() -> None:
    assert summary(DOCUMENT) == [
        ("heading", 1, "Title", Span(1, 3, 1, 8)),
        ("paragraph", 0, "Para one text.", Span(3, 1, 3, 15)),
        ("list-item", 0, "item one", Span(11, 3, 11, 11)),
        ("list-item", 0, "item two", Span(12, 3, 12, 11)),
        ("list-item", 0, "ordered item", Span(14, 4, 14, 16)),
        ("quote", 0, "quoted text on two lines", Span(16, 3, 17, 15)),
        ("heading", 1, "Setext", Span(19, 1, 20, 7)),
        ("paragraph", 0, "Para with a link and code html.", Span(24, 1, 24, 65)),
    ]


def test_code_and_comments_are_not_prose() -> None:
    texts = " ".join(b.text for b in parse_markdown(DOCUMENT, "a.md").blocks)
    assert "code block" not in texts
    assert "HTML comment" not in texts
    assert "indented code" not in texts
    assert "example.com" not in texts


def test_headline_is_first_h1_without_front_matter() -> None:
    document = parse_markdown("## Section\n\n# First\n\n# Second\n", "a.md")
    assert document.headline is not None
    assert (document.headline.text, document.headline.span.line) == ("First", 3)


def test_headline_from_front_matter_title() -> None:
    text = "---\nauthor: Jane\ntitle: '  The Title  '\n---\n\n# Other\n\nBody.\n"
    document = parse_markdown(text, "a.md")
    assert document.headline is not None
    assert document.headline.text == "The Title"
    assert document.headline.span == Span(3, 1, 3, 23)
    assert document.headline not in document.blocks
    assert document.metadata == {"author": "Jane", "title": "  The Title  "}
    # Front matter is not prose, and the body keeps the file's line numbers.
    assert [(b.text, b.span.line) for b in document.blocks] == [("Other", 6), ("Body.", 8)]


def test_non_string_title_falls_back_to_h1() -> None:
    document = parse_markdown("---\ntitle: 2024\n---\n# Real\n", "a.md")
    assert document.headline is not None
    assert document.headline.text == "Real"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    text = newline.join(["---", "title: T", "---", "", "# T", "", "Body", "text.", ""])
    document = parse_markdown(text, "a.md")
    assert [(b.text, b.span.line, b.span.end_line) for b in document.blocks] == [
        ("T", 5, 5),
        ("Body text.", 7, 8),
    ]
    assert document.metadata == {"title": "T"}


def test_reader_bom_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbf---\ntitle: T\n---\nBody.\n")
    (document,) = MarkdownReader().read(path, "a.md")
    assert document.metadata == {"title": "T"}  # type: ignore[union-attr]
    path.write_bytes(b"# Caf\xe9\n")
    with pytest.raises(ReadError, match="not valid UTF-8: byte 0xe9 at line 1, column 6"):
        list(MarkdownReader().read(path, "a.md"))


def test_empty_document() -> None:
    document = parse_markdown("", "a.md")
    assert (document.blocks, document.headline, document.format) == ((), None, "markdown")


def test_tight_list_item_text_ends_where_a_nested_block_starts() -> None:
    text = "- outer item\n  - inner item\n  - second inner\n- after\n"
    assert summary(text) == [
        ("list-item", 0, "outer item", Span(1, 3, 1, 13)),
        ("list-item", 0, "inner item", Span(2, 5, 2, 15)),
        ("list-item", 0, "second inner", Span(3, 5, 3, 17)),
        ("list-item", 0, "after", Span(4, 3, 4, 8)),
    ]


def test_loose_items_quotes_in_lists_and_lazy_lines() -> None:
    text = "1. first para\n\n   second para\n\n- > quoted in a list\n\n> lazy\ncontinuation\n"
    assert summary(text) == [
        ("list-item", 0, "first para", Span(1, 4, 1, 14)),
        ("list-item", 0, "second para", Span(3, 4, 3, 15)),
        ("quote", 0, "quoted in a list", Span(5, 5, 5, 21)),
        ("quote", 0, "lazy continuation", Span(7, 3, 8, 13)),
    ]


def test_columns_count_characters_not_bytes() -> None:
    assert summary("> ¿Qué? *énfasis*\n")[0][3] == Span(1, 3, 1, 18)
    assert summary("- 中文 item\n")[0][3] == Span(1, 3, 1, 10)


def test_link_reference_definitions_follow_commonmark() -> None:
    # A list starting at 2 cannot interrupt a paragraph, so after the definition is
    # taken out, "2) two" is paragraph text (as in cmark, the reference parser).
    assert summary("[ref]: http://example.com\n2) two\n\nsee [ref]\n") == [
        ("paragraph", 0, "2) two", Span(2, 1, 2, 7)),
        ("paragraph", 0, "see ref", Span(4, 1, 4, 10)),
    ]


def test_entities_escapes_images_and_breaks() -> None:
    # An image's alt text is a caption, not part of the paragraph's prose.
    text = "AT&amp;T \\*not em\\* ![alt words](x.png) end  \nnext\\\nlast\n"
    assert summary(text) == [("paragraph", 0, "AT&T *not em* end next last", Span(1, 1, 3, 5))]


def test_code_inside_quotes_and_html_blocks_are_skipped() -> None:
    text = "> ```\n> quoted code\n> ```\n\n<div>\n*html block*\n</div>\n\nprose\n"
    assert summary(text) == [("paragraph", 0, "prose", Span(9, 1, 9, 6))]
