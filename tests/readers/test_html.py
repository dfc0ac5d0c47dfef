"""HTML reader: block lines and columns, boilerplate skipped, headline and attribution sources."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("lxml")

from corpuslint.cli import main
from corpuslint.model import BlockKind
from corpuslint.readers.base import ReadError
from corpuslint.readers.html import parse_html

DATA = Path(__file__).parent / "data"
ARTICLE = (
    "<p>The council approved the budget on Tuesday after a debate that ran late.</p>\n"
    "<p>The vote was seven to two, with the mayor casting the deciding ballot.</p>\n"
)


def run_json(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "-q"])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def page(head: str = "", body: str = ARTICLE) -> bytes:
    return f"<html><head>{head}</head><body>\n{body}</body></html>\n".encode()


def test_duplicate_paragraph_at_its_source_line(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    shutil.copy(DATA / "page.html", target)
    findings = run_json(target)
    # Menus, masthead, footer, aside, form, script and comment copies are not prose.
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("CL301", 13, 3),
        ("CL101", 21, 3),
    ]
    assert findings[1]["related"][0]["line"] == 14


def test_blocks_keep_line_and_column_of_their_start_tag() -> None:
    document = parse_html((DATA / "page.html").read_bytes(), "page.html")
    lines = (DATA / "page.html").read_text(encoding="utf-8").splitlines()
    assert [(b.kind, b.span.line) for b in document.blocks] == [
        (BlockKind.HEADING, 13),
        (BlockKind.PARAGRAPH, 14),
        (BlockKind.PARAGRAPH, 16),
        (BlockKind.LIST_ITEM, 18),
        (BlockKind.PARAGRAPH, 21),
    ]
    for block in document.blocks:
        assert lines[block.span.line - 1][block.span.column - 1 :].startswith("<")
    assert document.headline is document.blocks[0]


def test_columns_on_one_minified_line() -> None:
    body = "<p>First paragraph here.</p><p>Second one.</p><ul><li>An item</li></ul>"
    document = parse_html(page(body=body), "min.html")
    line = page(body=body).decode().splitlines()[1]
    assert [line[b.span.column - 1 :][:4] for b in document.blocks] == ["<p>F", "<p>S", "<li>"]


def test_start_tag_over_several_lines_is_found_where_it_begins() -> None:
    body = '<p\n  class="lead"\n  id="x">Opening words of the article.</p>\n<p>Next.</p>\n'
    document = parse_html(page(body=body), "multi.html")
    assert [(b.span.line, b.span.column) for b in document.blocks] == [(2, 1), (5, 1)]


def test_loose_text_between_line_breaks_is_prose() -> None:
    body = "<div class='post-body'>First loose paragraph of a blog post.<br><br>\nSecond one.</div>"
    document = parse_html(page(body=body), "blog.html")
    assert [(b.text, b.span.line) for b in document.prose] == [
        ("First loose paragraph of a blog post.", 2),
        ("Second one.", 3),
    ]


def test_wrapper_named_like_a_sidebar_is_still_content() -> None:
    body = f"<div class='content-with-sidebar'>{ARTICLE}</div><div class='sidebar'><p>Ad</p></div>"
    document = parse_html(page(body=body), "wrapped.html")
    assert len(document.prose) == 2


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta name="author" content="Jane Doe">', ARTICLE, {"author": ["Jane Doe"]}),
        ('<meta property="article:author" content="Jane Doe">', ARTICLE, {"author": ["Jane Doe"]}),
        ("", f'<a rel="author" href="/jd">Jane Doe</a>{ARTICLE}', {"author": ["Jane Doe"]}),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",'
            ' "author": [{"@type": "Person", "name": "Jane Doe"}, "Ann Lee"]}]}</script>',
            ARTICLE,
            {"author": ["Jane Doe", "Ann Lee"]},
        ),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "Article",'
            ' "author": {"@id": "#p1"}}, {"@type": "Person", "@id": "#p1", "name": "Jane Doe"}]}'
            "</script>",
            ARTICLE,
            {"author": ["Jane Doe"]},
        ),
        (
            "",
            f'<div class="article__byline">By Jane Doe</div>{ARTICLE}',
            {"byline": ["By Jane Doe"]},
        ),
        ("", f'<span itemprop="author">Jane Doe</span>{ARTICLE}', {"byline": ["Jane Doe"]}),
        ('<script type="application/ld+json">{not json</script>', ARTICLE, {}),
        ("", f'<div class="comment-author">Troll</div>{ARTICLE}', {}),
    ],
)
def test_attribution_sources(head: str, body: str, expected: dict[str, Any]) -> None:
    assert dict(parse_html(page(head, body), "a.html").metadata) == expected


def test_attribution_markup_satisfies_missing_attribution(tmp_path: Path) -> None:
    target = tmp_path / "credited.html"
    target.write_bytes(page('<meta name="author" content="Jane Doe">'))
    assert run_json(target) == []
    bare = tmp_path / "bare.html"
    bare.write_bytes(page())
    assert [f["code"] for f in run_json(bare)] == ["CL301"]


@pytest.mark.parametrize(
    ("head", "body", "headline"),
    [
        ("<title>Site | Title</title>", "<h1>Main heading</h1>" + ARTICLE, "Main heading"),
        (
            '<title>Site | Title</title><meta property="og:title" content="OG title">',
            ARTICLE,
            "OG title",
        ),
        ("<title>Only the title</title>", ARTICLE, "Only the title"),
    ],
)
def test_headline_sources(head: str, body: str, headline: str) -> None:
    document = parse_html(page(head, body), "h.html")
    assert document.headline is not None
    assert document.headline.text == headline
    assert document.headline.span.line == 1 or headline == "Main heading"


def test_broken_markup_does_not_crash() -> None:
    document = parse_html(b"<p>Unclosed <b>bold <div></p></span>text & more <<>>", "broken.html")
    assert "Unclosed" in " ".join(b.text for b in document.blocks)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "no HTML content"), (b"  \n ", "no HTML content"), (b"\x00\x01PNG", "binary")],
)
def test_unreadable_pages_are_read_errors(data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        parse_html(data, "bad.html")


def test_empty_page_is_one_cl001(tmp_path: Path) -> None:
    target = tmp_path / "empty.html"
    target.write_bytes(b"")
    assert [(f["code"], f["line"]) for f in run_json(target)] == [("CL001", 1)]


def test_legacy_encoding_from_meta_charset() -> None:
    data = '<meta charset="iso-8859-1"><p>Caf\xe9 society returns</p>'.encode("latin-1")
    assert parse_html(data, "latin.html").blocks[0].text == "Caf\xe9 society returns"


def test_real_page_with_author_markup(tmp_path: Path) -> None:
    """A benchmark page (MIT, see LICENSE-article-extraction-benchmark): credited, no repeats."""
    target = tmp_path / "europa.html"
    target.write_bytes(gzip.decompress((DATA / "benchmark-14cc2a0c.html.gz").read_bytes()))
    document = parse_html(target.read_bytes(), target.name)
    assert document.metadata["author"] == ["Victor Tangermann, Futurism"]
    assert document.headline is not None
    assert document.headline.text.startswith("NASA Just Confirmed There Are Water Plumes")
    assert len(document.prose) >= 15
    assert run_json(target) == []


def test_real_page_keeps_only_the_article(tmp_path: Path) -> None:
    data = gzip.decompress((DATA / "benchmark-85439e26.html.gz").read_bytes())
    document = parse_html(data, "jp.html")
    paragraphs = [b for b in document.blocks if b.kind is BlockKind.PARAGRAPH]
    assert len(paragraphs) == 9
    assert paragraphs[0].text.startswith("先日、不正に改造したiPhoneを販売した")
    assert paragraphs[0].span.line == 187
