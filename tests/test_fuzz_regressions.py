"""What the fuzzing harness (benchmarks/fuzz.py) found, pinned down; and that the harness works.

Each regression test holds the crashing input inline, minimized, and asserts what
corpuslint should report for it. A test marked ``xfail(strict=True)`` pins a bug whose
fix lies outside the readers (its reason names the file): it starts failing, as a
reminder to drop the mark, once the bug is fixed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.model import Directive, Document, Location, Severity, Span, Violation
from corpuslint.outcome import FileOutcome
from corpuslint.readers.html import parse_html
from corpuslint.readers.jsonl import JsonlReader
from corpuslint.run.plan import Overrides
from tests.helpers import load_benchmark

fuzz = load_benchmark("fuzz")
REGISTRY = plugins.load()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return fuzz.Harness(tmp_path_factory.mktemp("fuzz"))


def findings(harness: Any, fmt: str, data: bytes) -> list[Violation]:
    """The findings of one file of ``fmt`` holding ``data``, every rule selected."""
    outcome = harness.checker.check(harness.source(fmt, data))
    assert not outcome.errors, outcome.errors
    return sorted(outcome.violations, key=lambda v: v.sort_key)


# ------------------------------------------------------------------ the harness itself


def test_seeds_check_clean_within_a_budget(harness: Any) -> None:
    """A handful of seeds of each format go through the harness's check without a crash."""
    start = time.monotonic()
    checked: dict[str, int] = {}
    for fmt in fuzz.ORDER:
        for data in fuzz.seeds(fmt):
            if checked.get(fmt, 0) >= 4 or time.monotonic() - start > 2:
                break
            assert harness.check(fmt, data) == [], (fmt, data[:80])
            checked[fmt] = checked.get(fmt, 0) + 1
    assert set(checked) == set(fuzz.ORDER), checked


def _violation(span: Span, related: tuple[Location, ...] = ()) -> Violation:
    return Violation("CL101", "duplicate-paragraph", Severity.ERROR, "m", "f.txt", span, related)


LINES = ["first line", "", "third"]


def test_clean_outcome_has_no_crash() -> None:
    outcome = FileOutcome(
        violations=(
            _violation(Span(1, 1, 3, 6), (Location("f.txt", 3, 6),)),
            _violation(Span.point(2)),
        ),
        directives=(Directive("disable", ("*",), 1, 1),),
    )
    assert fuzz.outcome_crashes(outcome, ["<!-- corpuslint-disable -->", "", "third"]) == []
    assert fuzz.outcome_crashes(FileOutcome(), LINES) == []


@pytest.mark.parametrize(
    "span",
    [
        Span.point(4),  # below the last line
        Span.point(0),  # above the first
        Span(1, 12, 1, 12),  # past the end of the line (10 characters: 11 is its end)
        Span(3, 1, 3, 7),  # end column past "third"
        Span(1, 0, 1, 3),  # column 0
        Span(3, 1, 1, 1),  # ends before it starts
    ],
)
def test_planted_span_outside_the_file_is_a_crash(span: Span) -> None:
    crashes = fuzz.outcome_crashes(FileOutcome(violations=(_violation(span),)), LINES)
    assert [c.kind for c in crashes] == ["span"]


def test_related_location_and_directive_are_checked() -> None:
    outcome = FileOutcome(violations=(_violation(Span.point(1), (Location("f.txt", 9),)),))
    assert [c.kind for c in fuzz.outcome_crashes(outcome, LINES)] == ["span"]
    misplaced = FileOutcome(directives=(Directive("disable", ("*",), 3, 1),))
    assert [c.kind for c in fuzz.outcome_crashes(misplaced, LINES)] == ["span"]


def test_internal_error_is_a_crash() -> None:
    error = (
        "internal error: rule CL101 (duplicate-paragraph) from plugin 'builtin' failed on"
        " f.txt: IndexError: list index out of range"
    )
    crashes = fuzz.outcome_crashes(FileOutcome(errors=(error,)), LINES)
    assert [(c.kind, c.key) for c in crashes] == [
        ("internal-error", "internal-error rule CL101 IndexError")
    ]


def test_exception_escaping_check_is_a_crash(harness: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(source: object) -> FileOutcome:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(harness.checker, "check", broken)
    crashes = harness.check("text", b"Some text.\n")
    assert [c.kind for c in crashes] == ["exception"]
    assert "ZeroDivisionError" in crashes[0].key


def test_broken_rule_is_a_crash(harness: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = harness.checker.document_rules[0]

    def broken(document: object, options: object) -> list[Violation]:
        raise KeyError("planted")

    monkeypatch.setattr(rule, "check", broken)
    crashes = harness.check("markdown", b"# Title\n\nA paragraph.\n")
    assert [c.kind for c in crashes] == ["internal-error"]


def test_crash_store_keeps_the_smallest_input(tmp_path: Path) -> None:
    store = fuzz.CrashStore(tmp_path)
    crash = fuzz.Crash("span", "span finding CL101 x", "detail")
    assert store.add("text", b"longer input", [crash]) == [crash]
    assert store.add("text", b"short", [crash]) == []
    (log,) = tmp_path.glob("*.log")
    assert log.read_text(encoding="utf-8").startswith("format: text")
    assert store.found[crash.key][1].read_bytes() == b"short"
    assert store.found[crash.key][1].suffix == ".txt"


def test_split_input_picks_the_format_by_first_byte() -> None:
    assert fuzz.split_input(b"\x02<p>x</p>", None) == ("html", b"<p>x</p>")
    assert fuzz.split_input(b"\x02<p>x</p>", "text") == ("text", b"\x02<p>x</p>")
    assert fuzz.split_input(b"", None) == ("text", b"")


# ------------------------------------------------------------------ regressions


def _unreadable(harness: Any, fmt: str, data: bytes) -> list[Span]:
    return [v.span for v in findings(harness, fmt, data) if v.code == "CL001"]


def test_invalid_utf8_after_a_cr_is_reported_on_its_own_line(harness: Any) -> None:
    # Found by fuzz.py (text, then markdown): "C", CR, a truncated UTF-8 sequence.
    # Lines are "C" and "\xef": the bad byte is line 2, column 1 (was 1:3, past "C").
    assert _unreadable(harness, "text", b"\xef\xbb\xbfC\r\xef") == [Span.point(2, 1)]


def test_invalid_utf8_column_counts_characters(harness: Any) -> None:
    # Found reading decode() for the crash above (the fuzzer's CL001 inputs all had a CR):
    # "Café naïve " is 11 characters but 13 bytes, so 0xff is column 12, not 14 (past
    # the end of the 12-character line).
    data = b"Title\nCaf\xc3\xa9 na\xc3\xafve \xff"
    assert _unreadable(harness, "text", data) == [Span.point(2, 12)]
    assert harness.check("text", data) == []


PARAGRAPH = "This paragraph is long enough to be compared with its copy below."


def _lint(tmp_path: Path, name: str, data: bytes, *codes: str) -> list[tuple[str, Span]]:
    (tmp_path / name).write_bytes(data)
    overrides = Overrides(select=codes, cache=False)
    result = check([tmp_path], Config(root=tmp_path), REGISTRY, overrides, cwd=tmp_path)
    assert not result.errors, result.errors
    return [(v.code, v.span) for v in result.violations]


_NEXT_LINE = f"{PARAGRAPH}\n\n<!-- corpuslint-disable-next-line CL101 -->\n{PARAGRAPH}\n"
_DISABLE_AFTER = f"{PARAGRAPH}\n\n{PARAGRAPH}\n\n<!-- corpuslint-disable CL101 -->\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_NEXT_LINE, []),  # the copy on line 4 is suppressed
        # The copy on line 3 comes before the comment: reported, and the comment unused.
        (_DISABLE_AFTER, [("CL101", Span(3, 1, 3, 66)), ("CL002", Span.point(5))]),
    ],
    ids=["disable-next-line", "disable"],
)
def test_suppression_comments_in_a_cr_file_are_on_their_own_line(
    tmp_path: Path, text: str, expected: list[tuple[str, Span]]
) -> None:
    # Found by fuzz.py (markdown): a CR in a file with suppression comments (the
    # directive's line pointed above the comment). Line ends must not change findings.
    assert _lint(tmp_path, "doc.md", text.encode(), "CL101", "CL002") == expected
    cr_only = text.replace("\n", "\r").encode()
    assert _lint(tmp_path, "doc.md", cr_only, "CL101", "CL002") == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Found by fuzz.py (html): loose text after CRs was placed at line -1 (lines
        # 1 "<p>a</p>", 2 "", 3 "x", 4 "", 5 "y<br>").
        (b"<p>a</p>\r\rx\r\ry<br>", [("a", Span.point(1, 1)), ("x y", Span.point(3, 1))]),
        # CR-only line ends put every element on line 1; CRLF ones count once.
        (
            b"<body><p>One</p>\r\r\r<p>Two</p>\r\n<p>Three</p></body>",
            [("One", Span.point(1, 7)), ("Two", Span.point(4, 1)), ("Three", Span.point(5, 1))],
        ),
    ],
)
def test_html_lines_count_cr_as_a_line_break(data: bytes, expected: list[tuple[str, Span]]) -> None:
    document = parse_html(data, "page.html")
    assert [(b.text, b.span) for b in document.blocks] == expected


def test_html_loose_text_after_crs_is_found_where_it_is(harness: Any) -> None:
    # The fuzzer's shape: a repeated loose paragraph after CRs, reported by CL101 at -N.
    data = f"<p>{PARAGRAPH}</p>\r\r{PARAGRAPH}<br>".encode()
    assert [(v.code, v.span) for v in findings(harness, "html", data)] == [
        ("CL301", Span.point(1, 1)),
        ("CL101", Span.point(3, 1)),
    ]
    assert harness.check("html", data) == []


def _jsonl_blocks(tmp_path: Path, line: str) -> list[tuple[str, str]]:
    """Each block of a one-record JSONL file with the JSON text its columns frame."""
    path = tmp_path / "records.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    (document,) = JsonlReader().read(path, "records.jsonl")
    assert isinstance(document, Document)
    blocks = [document.headline, *document.blocks] if document.headline else document.blocks
    framed = []
    for block in blocks:
        assert block.span.line == 1
        raw = line[block.span.column - 1 : block.span.end_column - 1]
        framed.append((block.text, json.loads(f'"{raw}"')))
    return framed


def test_jsonl_duplicate_keys_point_at_the_value_json_keeps(tmp_path: Path) -> None:
    # Found by fuzz.py (jsonl): with a key given twice, json keeps the last value but the
    # columns were those of the first ("title" framed 'Counoe", "text": "The').
    line = (
        '{"title": "Council", "text": "The council met.", "title": "Bridge reopens",'
        ' "text": "The bridge reopened on Thursday.\\n\\nTraffic is back."}'
    )
    assert _jsonl_blocks(tmp_path, line) == [
        ("Bridge reopens", "Bridge reopens"),
        ("The bridge reopened on Thursday.", "The bridge reopened on Thursday."),
        ("Traffic is back.", "Traffic is back."),
    ]


def test_jsonl_lone_surrogate_escapes_keep_columns_on_the_text(tmp_path: Path) -> None:
    # Found by reading jsonpos.py while writing the harness (the fuzzer did not get there
    # in 6 minutes): a high surrogate escape, a character, then a low one are two lone
    # surrogates, not a pair; each such triple pushed later columns one to the right,
    # three of them past the end of the line.
    lone = "\\ud83dA\\ude00"
    line = f'{{"text": "Alpha {lone}{lone}{lone}\\n\\nBeta gamma delta."}}'
    assert _jsonl_blocks(tmp_path, line) == [
        ("Alpha \ud83dA\ude00\ud83dA\ude00\ud83dA\ude00",) * 2,
        ("Beta gamma delta.", "Beta gamma delta."),
    ]
    # A real pair is one character: the columns after it stay right.
    line = '{"text": "Smile \\ud83d\\ude00 please.\\n\\nBeta gamma delta."}'
    assert _jsonl_blocks(tmp_path, line) == [
        ("Smile \U0001f600 please.", "Smile \U0001f600 please."),
        ("Beta gamma delta.", "Beta gamma delta."),
    ]


def test_jsonl_fuzz_inputs_check_clean(harness: Any) -> None:
    duplicate = (
        b'{"id": "a1", "title": "Counoe", "text": "The council rejected thea3",'
        b' "title": "Bridge r rejects plan"}\n'
    )
    paragraph = PARAGRAPH.encode()
    surrogates = b'{"text": "%s \\ud83dA\\ude00\\ud83dA\\ude00\\ud83dA\\ude00\\n\\n%s"}\n' % (
        paragraph,
        paragraph,
    )
    assert harness.check("jsonl", duplicate) == []
    assert harness.check("jsonl", surrogates) == []


def test_suppression_comment_after_a_bom_is_at_column_one(tmp_path: Path) -> None:
    # Found with the harness's directive check while writing it (not by a fuzzing run):
    # the BOM counted as a character, so the unused comment was reported at 1:2.
    data = "\ufeff<!-- corpuslint-disable CL101 -->\nSome text.\n".encode()
    assert _lint(tmp_path, "doc.md", data, "CL101", "CL002") == [("CL002", Span.point(1, 1))]
