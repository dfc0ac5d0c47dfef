"""The model: spans, fingerprints that survive line shifts, severities."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint.model import Severity, Span, fingerprint
from tests.helpers import Run

CLI = Callable[..., Run]


def test_span_cover() -> None:
    a = Span(3, 5, 3, 20)
    b = Span(7, 1, 9, 4)
    assert a.cover(b) == Span(3, 5, 9, 4)
    assert b.cover(a) == Span(3, 5, 9, 4)
    assert a.cover(a) == a
    # Same line: the smaller start column and the larger end column.
    assert Span(2, 8, 2, 10).cover(Span(2, 3, 2, 9)) == Span(2, 3, 2, 10)
    assert Span(1, 1, 4, 2).cover(Span(2, 1, 3, 50)) == Span(1, 1, 4, 2)


def test_span_point_and_order() -> None:
    assert Span.point(4) == Span(4, 1, 4, 1)
    assert Span.point(4, 7) == Span(4, 7, 4, 7)
    assert sorted([Span(2, 1, 2, 5), Span(1, 9, 1, 10), Span(1, 2, 3, 1)]) == [
        Span(1, 2, 3, 1),
        Span(1, 9, 1, 10),
        Span(2, 1, 2, 5),
    ]


def test_fingerprint_depends_on_code_path_and_text_only() -> None:
    base = fingerprint("CL101", "a.txt", "some text")
    assert base == fingerprint("CL101", "a.txt", "some text")
    assert (
        len(
            {
                base,
                fingerprint("CL201", "a.txt", "some text"),
                fingerprint("CL101", "b.txt", "some text"),
                fingerprint("CL101", "a.txt", "other text"),
                fingerprint("CL101", "a.txt", "some text", salt="x"),
            }
        )
        == 5
    )
    # Parts are separated, so moving a character from one part to the next changes it.
    assert fingerprint("CL1", "01a", "") != fingerprint("CL10", "1a", "")


def test_fingerprints_survive_line_shifts(project: Path, seed_text: str, cli: CLI) -> None:
    (project / "seed.txt").write_text(seed_text, encoding="utf-8")
    before = cli("check", "seed.txt", "--format", "json", "--no-cache").json()
    lines = seed_text.splitlines()
    shifted = [
        lines[0],
        "Editor's note: this article was updated with new figures today.",
        *lines[1:],
    ]
    (project / "seed.txt").write_text("\n".join(shifted) + "\n", encoding="utf-8")
    after = cli("check", "seed.txt", "--format", "json", "--no-cache").json()
    assert [f["line"] + 1 for f in before] == [f["line"] for f in after]
    assert [f["fingerprint"] for f in before] == [f["fingerprint"] for f in after]
    assert len({f["fingerprint"] for f in after}) == 2


def test_severity_parse_and_order() -> None:
    assert Severity.parse(" Warning ") is Severity.WARNING
    assert Severity.INFO < Severity.WARNING < Severity.ERROR
    assert str(Severity.ERROR) == "error"
    with pytest.raises(ValueError, match="unknown severity 'fatal'"):
        Severity.parse("fatal")
