"""CL301 findings carry what the rule looked at (``Violation.details``), as ``explain`` says."""

from __future__ import annotations

from corpuslint.model import Violation
from corpuslint.readers.text import parse_text
from corpuslint_rules.attribution import MissingAttribution

BODY = "The council approved the budget on Tuesday after a long and heated debate in the hall."


def test_a_finding_carries_what_explain_says_was_looked_at() -> None:
    rule = MissingAttribution()
    options = rule.defaults()
    document = parse_text(f"Council Approves Budget\n\n{BODY}\n", "a.txt")
    [finding] = list(rule.check(document, options))
    assert isinstance(finding, Violation)
    names = [what for what, _ in finding.details]
    assert names == ["metadata", "bylines", "credit-lines", "outlet-dateline", "languages"]
    described = [f"looked at {text}" for _, text in finding.details]
    assert described == rule.explain(document, options)[1:]
    assert dict(finding.details)["bylines"].endswith(" block(s): line 3")


def test_an_attributed_document_has_no_finding() -> None:
    rule = MissingAttribution()
    document = parse_text(f"Council Approves Budget\n\nBy Jane Doe\n\n{BODY}\n", "a.txt")
    assert list(rule.check(document, rule.defaults())) == []
