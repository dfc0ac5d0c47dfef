"""Every rule is documented in the fixed sections that ``corpuslint rule CODE`` prints."""

from __future__ import annotations

import pytest

from corpuslint import plugins

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Options")
REGISTRY = plugins.load()


@pytest.mark.parametrize("code", list(REGISTRY.rules))
def test_rule_documentation_has_the_sections(code: str) -> None:
    rule = REGISTRY.rules[code]
    doc = rule.documentation()
    lines = doc.splitlines()
    positions = [lines.index(section) if section in lines else -1 for section in SECTIONS]
    assert -1 not in positions, (
        f"{code}: missing {[s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]}"
    )
    assert positions == sorted(positions), f"{code}: sections out of order"
    assert lines[0].strip(), f"{code}: no summary line"
    assert not lines[0].startswith("#"), f"{code}: the first line must be a summary"
    for start, end in zip(positions, [*positions[1:], len(lines)], strict=True):
        assert any(line.strip() for line in lines[start + 1 : end]), f"{code}: empty section"


@pytest.mark.parametrize("code", list(REGISTRY.rules))
def test_rule_options_are_documented(code: str) -> None:
    rule = REGISTRY.rules[code]
    options = rule.documentation().split("## Options", 1)[1]
    for option in rule.options:
        assert f"`{option.name}`" in options, f"{code}: option {option.name} not documented"
    if not rule.options:
        assert "None." in options


@pytest.mark.parametrize("code", list(REGISTRY.rules))
def test_rule_identity(code: str) -> None:
    rule = REGISTRY.rules[code]
    assert rule.code == code
    assert rule.name == rule.name.lower()
    assert " " not in rule.name


@pytest.mark.parametrize("code", list(REGISTRY.rules))
def test_rule_documentation_holds_no_measurements(code: str) -> None:
    """Figures belong in docs/performance.md, where each has its date and command."""
    doc = REGISTRY.rules[code].documentation()
    for word in ("benchmark", "measured", "took ", "100k", "100,000"):
        assert word not in doc.lower(), f"{code}: its documentation cites a measurement ({word})"
