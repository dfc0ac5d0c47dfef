"""Near copies keep their meaning: a pair where one side negates the other is no copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint_rules.negation import opposite
from tests.corpus_helpers import article, run, summary

BASE = "Lists in the configuration file must be at least three items long for the parser"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("must be at least 3 items long", "must be no more than 3 items long"),
        ("this option is not supported by the tool", "this option is still supported by the tool"),
        ("we don't ship the binary", "we do ship the binary"),
        ("die Option wird nicht unterstützt", "die Option wird unterstützt"),
        ("l'option n'est pas prise en charge", "l'option est prise en charge"),
        ("la opción no está disponible", "la opción está disponible"),
        ("de optie wordt niet ondersteund", "de optie wordt ondersteund"),
        ("a opção não é suportada", "a opção é suportada"),
        ("l'opzione non è supportata", "l'opzione è supportata"),
        ("must be at least 3 items long", "must be at most 3 items long"),
    ],
)
def test_opposites(first: str, second: str) -> None:
    assert opposite(first, second)
    assert opposite(second, first)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("rust 1.20 is out with 12 fixes", "rust 1.21 is out with 15 fixes"),
        ("this is not supported, as said", "as said, this is not supported"),
        ("the mayor approved the budget", "the mayor praised the budget"),
    ],
)
def test_same_meaning(first: str, second: str) -> None:
    assert not opposite(first, second)


def test_negated_near_copy_is_not_reported(tmp_path: Path) -> None:
    text = BASE + " and the checker rejects anything shorter than that in every section."
    negated = text.replace("must be at least", "must be no more than")
    (tmp_path / "a.md").write_text(article("One", [text]), encoding="utf-8")
    (tmp_path / "b.md").write_text(article("Two", [negated]), encoding="utf-8")
    assert summary(run(tmp_path, select="CL102")) == []


def test_number_change_stays_a_near_copy(tmp_path: Path) -> None:
    text = BASE + " and the checker rejects anything shorter than 3 in every section."
    changed = text.replace("shorter than 3", "shorter than 4")
    (tmp_path / "a.md").write_text(article("One", [text]), encoding="utf-8")
    (tmp_path / "b.md").write_text(article("Two", [changed]), encoding="utf-8")
    result = run(tmp_path, select="CL102")
    assert summary(result) == [("CL102", "b.md", 6, "a.md", 6)]
    assert result.violations[0].similarity is not None
