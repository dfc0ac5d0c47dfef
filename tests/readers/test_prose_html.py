"""The HTML reader's prose model: head metadata, one-line pages, comments, thin pages."""

from __future__ import annotations

from corpuslint import plugins
from corpuslint.model import BlockKind
from corpuslint.readers.html import parse_html

PARA = "The council approved the new budget on Tuesday after a long and heated debate."
LOOSE = "Loose text repeated on a page that was minified to a single line."


def check(code: str, data: bytes) -> list:  # type: ignore[type-arg]
    rule = plugins.load().rules[code]()
    return list(rule.check(parse_html(data, "p.html"), rule.defaults()))


def test_og_title_is_evidence_for_the_visible_headline_not_a_copy() -> None:
    page = (
        '<html><head><meta property="og:title" content="Council approves budget">'
        "<title>Council approves budget</title></head><body>"
        f"<div><h2>Council approves budget</h2><p>{PARA}</p></div></body></html>"
    ).encode()
    document = parse_html(page, "p.html")
    assert document.headline is not None
    assert document.headline in document.blocks  # the visible <h2>, not the <meta>
    assert document.headline.kind is BlockKind.HEADING
    assert check("CL201", page) == []


def test_a_visible_repeat_of_the_headline_is_still_reported_once() -> None:
    page = (
        '<html><head><meta property="og:title" content="Council approves budget"></head><body>'
        f"<div><h2>Council approves budget</h2><p>{PARA}</p><h3>Council approves budget</h3>"
        "</div></body></html>"
    ).encode()
    (finding,) = check("CL201", page)
    assert (finding.span.line, finding.related[0].line) == (1, 1)
    assert finding.span.column != finding.related[0].column


def test_every_copy_on_a_one_line_page_has_its_own_column() -> None:
    page = (
        f"<html><body><div><p>{PARA}</p><div>{LOOSE}<br><br>{LOOSE}</div><p>{PARA}</p>"
        f"<div>{LOOSE}</div></div></body></html>"
    ).encode()
    findings = check("CL101", page)
    assert len(findings) >= 2
    places = {(f.span.line, f.span.column) for f in findings}
    assert len(places) == len(findings)
    for finding in findings:
        assert (finding.span.line, finding.span.column) != (
            finding.related[0].line,
            finding.related[0].column,
        )


def test_comment_threads_and_pingbacks_are_not_prose_even_when_heavier() -> None:
    comments = "".join(
        f'<li class="comment"><div class="comment-body"><p>Reader {i} wrote a long reply about'
        " the budget vote and the library, with many words to outweigh the post itself.</p>"
        "</div></li>"
        for i in range(12)
    )
    page = (
        f"<html><body><div><p>{PARA}</p></div>"
        f'<div id="comments" class="comments-area"><ol class="commentlist">{comments}</ol>'
        '<ol class="pingbacks"><li>Pingback: another blog linked to this post today</li></ol>'
        "</div></body></html>"
    ).encode()
    assert [b.text for b in parse_html(page, "p.html").prose] == [PARA]


def test_a_page_with_little_prose_gets_a_notice() -> None:
    menu = " ".join(f"item{i}" for i in range(300))
    page = f"<html><body><footer>{menu}</footer><p>Only a few words.</p></body></html>".encode()
    (notice,) = parse_html(page, "p.html").notices
    assert "only 4 of the page's 304 visible words" in notice
    assert parse_html(f"<html><body><p>{PARA}</p></body></html>".encode(), "p.html").notices == ()
