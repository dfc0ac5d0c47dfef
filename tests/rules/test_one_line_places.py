"""CL101 names line and column where a line holds several paragraphs (a minified page)."""

from __future__ import annotations

from corpuslint.model import Violation
from corpuslint.readers.html import parse_html
from corpuslint.readers.text import parse_text
from corpuslint_rules.duplicate_paragraph import DuplicateParagraph

PARA = "The council approved the new budget on Tuesday after a long and heated debate."
OTHER = "Residents said the new playgrounds would help families in the northern districts."


def findings(document: object) -> list[Violation]:
    rule = DuplicateParagraph()
    return [v for v in rule.check(document, rule.defaults()) if isinstance(v, Violation)]  # type: ignore[arg-type]


def test_a_one_line_page_names_the_column_of_the_original() -> None:
    page = f"<html><body><p>{PARA}</p><p>{OTHER}</p><p>{PARA}</p></body></html>"
    [finding] = findings(parse_html(page.encode(), "p.html"))
    original = finding.related[0]
    assert (finding.span.line, original.line) == (1, 1)
    assert finding.message == (
        f"Paragraph repeats the paragraph at line 1, column {original.column}"
    )


def test_a_run_on_one_line_names_both_ends_by_column() -> None:
    page = f"<html><body><p>{PARA}</p><p>{OTHER}</p><hr><p>{PARA}</p><p>{OTHER}</p></body></html>"
    [finding] = findings(parse_html(page.encode(), "p.html"))
    assert finding.message.startswith("2 paragraphs (line 1, column ")
    assert " to line 1, column " in finding.message
    assert "lines 1-1" not in finding.message


def test_paragraphs_on_lines_of_their_own_are_named_by_line() -> None:
    [finding] = findings(parse_text(f"Budget\n\n{PARA}\n\n{OTHER}\n\n{PARA}\n", "a.txt"))
    assert finding.message == "Paragraph repeats the paragraph at line 3"
