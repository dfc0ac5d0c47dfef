"""CL301 internals: bylines, the byline window and extra patterns."""

from __future__ import annotations

import pytest

from corpuslint.readers.text import parse_text
from corpuslint_rules.attribution import MissingAttribution, is_byline

BODY = "The council approved the budget on Tuesday after a long and heated debate."


@pytest.mark.parametrize(
    "text",
    [
        "By Jane Doe",
        "by Jane Doe",
        "By JANE DOE, Reuters",
        "By Jane Doe and John Roe",
        "By Jean de la Fontaine",
        "By Jane Doe | Staff Writer",
        "By J. R. Smith - Special to the Times",
    ],
)
def test_bylines(text: str) -> None:
    assert is_byline(text)


@pytest.mark.parametrize(
    "text",
    [
        "By March, the figure had doubled",
        "By Tuesday the council had voted.",
        "By then, it was too late.",
        "By the way, nobody came.",
        "By far the largest budget in years",
        "By",
        "Bystanders Jane Doe",
        "by jane doe",
        "By Jane Doe " + "and more words " * 6,
    ],
)
def test_not_bylines(text: str) -> None:
    assert not is_byline(text)


def findings(text: str, **options: object) -> list[str]:
    rule = MissingAttribution()
    settings = {**rule.defaults(), **options}
    document = parse_text(text, "a.txt")
    return [f"{v.span.line}:{v.span.column}" for v in rule.check(document, settings)]


def article_with_byline_at(position: int) -> str:
    body = [f"{BODY} Paragraph {n}." for n in range(1, 9)]
    body.insert(position, "By Jane Doe")
    return "\n\n".join(["Council Approves Budget", *body])


def test_byline_window_counts_blocks_after_the_headline() -> None:
    assert findings(article_with_byline_at(0)) == []
    assert findings(article_with_byline_at(4)) == []  # the fifth block under the headline
    assert findings(article_with_byline_at(5)) == ["1:1"]
    assert findings(article_with_byline_at(1), **{"byline-window": 1}) == ["1:1"]
    assert findings(article_with_byline_at(1), **{"byline-window": 2}) == []


def test_credit_lines_count_anywhere() -> None:
    assert findings(article_with_byline_at(8).replace("By Jane", "Reporting by Jane")) == []


def test_extra_patterns_and_metadata_keys() -> None:
    text = "Council Approves Budget\n\n" + BODY + "\n\nFiled from the city desk"
    assert findings(text) == ["1:1"]
    assert findings(text, patterns=("^filed from",)) == []


def test_agencies_option() -> None:
    # Past the first paragraph, only the agencies in the option make a dateline.
    text = "Council Approves Budget\n\n" + BODY + "\n\nPARIS (Le Monde) - " + BODY
    assert findings(text) == ["1:1"]
    assert findings(text, agencies=("Le Monde",)) == []


def test_byline_window_is_the_same_with_a_front_matter_title() -> None:
    from corpuslint.readers.markdown import parse_markdown

    rule = MissingAttribution()
    body = [f"{BODY} Paragraph {n}." for n in range(1, 9)]
    for position, expected in ((4, 0), (5, 1)):
        blocks = [*body[:position], "By Jane Doe", *body[position:]]
        text = "---\ntitle: Council Approves Budget\n---\n\n" + "\n\n".join(blocks) + "\n"
        document = parse_markdown(text, "a.md")
        assert len(list(rule.check(document, rule.defaults()))) == expected, position
