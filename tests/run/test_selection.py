"""Selection: codes, prefixes, names and ALL; per-file ignores and severity overrides."""

from __future__ import annotations

import pytest

from corpuslint.config import ConfigError
from corpuslint.model import Severity, Span, Violation
from corpuslint.run.selection import Filter, expand, selected_codes


class Rule:
    def __init__(self, name: str, enabled_by_default: bool = True) -> None:
        self.name = name
        self.enabled_by_default = enabled_by_default


RULES = {
    "CL001": Rule("unreadable-document"),
    "CL101": Rule("duplicate-paragraph"),
    "CL102": Rule("corpus-duplicate-paragraph"),
    "CL201": Rule("duplicate-headline"),
    "CL301": Rule("missing-attribution"),
    "CL901": Rule("experimental", enabled_by_default=False),
}


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        (["CL101"], {"CL101"}),
        (["cl101"], {"CL101"}),
        (["CL1"], {"CL101", "CL102"}),
        (["CL10"], {"CL101", "CL102"}),
        (["CL"], set(RULES)),
        (["ALL"], set(RULES)),
        (["all"], set(RULES)),
        (["duplicate-headline", " CL301 "], {"CL201", "CL301"}),
        ([], set()),
    ],
)
def test_expand(selectors: list[str], expected: set[str]) -> None:
    assert expand(selectors, RULES, "here") == expected


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("CL3O1", "here: unknown rule code 'CL3O1' (did you mean 'CL301'?)"),
        ("duplicate-headlin", "here: unknown rule code 'duplicate-headlin' (did you mean"),
        ("XYZ", "here: unknown rule code 'XYZ'"),
    ],
)
def test_expand_unknown(selector: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        expand([selector], RULES, "here")
    assert str(info.value).startswith(message)


def test_selected_codes_defaults_to_rules_on_by_default() -> None:
    assert selected_codes(RULES, None, ()) == ("CL001", "CL101", "CL102", "CL201", "CL301")
    assert "CL901" in selected_codes(RULES, ["ALL"], ())
    assert selected_codes(RULES, None, (), ["CL9"])[-1] == "CL901"


def test_selected_codes_ignore_wins_and_order_is_sorted() -> None:
    assert selected_codes(RULES, ["CL3", "CL1"], ["CL102"]) == ("CL101", "CL301")
    assert selected_codes(RULES, ["ALL"], ["CL"], ["CL101"]) == ()


def finding(code: str, severity: Severity = Severity.ERROR) -> Violation:
    return Violation(code, "rule", severity, "message", "p", Span.point(1))


def test_filter_per_file_ignores() -> None:
    filt = Filter.build({"legacy/**": ["CL1"], "*.md": ["missing-attribution"]}, {}, RULES, "here")
    assert filt.ignored("legacy/a/b.txt", "CL101")
    assert filt.ignored("legacy/a/b.txt", "CL102")
    assert not filt.ignored("legacy/a/b.txt", "CL201")
    assert not filt.ignored("news/legacy.txt", "CL101")
    assert filt.ignored("docs/x.md", "CL301")
    assert not filt.ignored("docs/x.txt", "CL301")


def test_filter_severity_overrides() -> None:
    filt = Filter.build({}, {"CL1": "warning", "missing-attribution": "INFO"}, RULES, "here")
    assert filt.apply(finding("CL101")).severity is Severity.WARNING
    assert filt.apply(finding("CL102")).severity is Severity.WARNING
    assert filt.apply(finding("CL301")).severity is Severity.INFO
    unchanged = finding("CL201")
    assert filt.apply(unchanged) is unchanged


def test_filter_rejects_unknown_codes() -> None:
    with pytest.raises(ConfigError, match="here: per-file-ignores: unknown rule code 'CL7'"):
        Filter.build({"x": ["CL7"]}, {}, RULES, "here")
    with pytest.raises(ConfigError, match="here: severity: unknown rule code 'CL7'"):
        Filter.build({}, {"CL7": "info"}, RULES, "here")
