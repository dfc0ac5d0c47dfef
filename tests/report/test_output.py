"""Issue 20 output: severity in text, colour, excerpts and record ids, statistics, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpuslint.cli import main
from corpuslint.model import Result, Severity, Span
from corpuslint.report.color import enabled
from corpuslint.report.json import JsonFormatter, span_text
from corpuslint.report.text import TextFormatter

from .samples import HEADLINE, REPEATED, run_check, violation

ESC = "\x1b["


def test_text_names_the_severity() -> None:
    result = Result((violation(severity=Severity.WARNING),), ("news/parks.txt",))
    text = TextFormatter({}).format(result)
    assert text == "news/parks.txt:5:1: CL101 [warning] Paragraph repeats line 3\n"


def test_text_names_the_record_of_a_jsonl_finding() -> None:
    found = violation(path="feed.jsonl", span=Span(3, 9, 3, 40))
    found = type(found)(**{**found.__dict__, "record": "wire-0003"})
    text = TextFormatter({}).format(Result((found,), ("feed.jsonl",)))
    assert text.endswith("Paragraph repeats line 3 (record wire-0003)\n")


@pytest.mark.parametrize(
    ("choice", "tty", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # empty means unset (no-color.org)
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", False, {"FORCE_COLOR": ""}, False),
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_when_to_colour(choice: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    assert enabled(choice, tty, env) is expected


def test_colour_on_request_and_never_in_a_pipe(
    article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, plain = run_check("news/parks.txt")
    assert ESC not in plain  # CliRunner's stdout is not a terminal
    _, coloured = run_check("news/parks.txt", "--color", "always")
    assert "\x1b[31mCL201\x1b[0m" in coloured
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in run_check("news/parks.txt", "--format", "full")[1]
    assert ESC not in run_check("news/parks.txt", "--format", "json")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in run_check("news/parks.txt")[1]


def test_colour_never_lets_corpus_escapes_through(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "a.txt").write_text(
        f"Title\n\n{REPEATED} \x1b[32mgreen\n\n{REPEATED} \x1b[32mgreen\n", encoding="utf-8"
    )
    _, out = run_check("a.txt", "--color", "always", "--select", "CL101")
    assert "\x1b[32m" not in out


def test_json_carries_the_excerpt_and_the_record(workdir: Path) -> None:
    record = {"id": "w-7", "title": "T", "author": "A", "text": f"{REPEATED}\n\n{REPEATED}"}
    (workdir / "feed.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (workdir / "b.txt").write_text(f"{HEADLINE}\n\n{REPEATED}\n\n{REPEATED}\n", encoding="utf-8")
    _, out = run_check("--format", "json", "--select", "CL101")
    found = {f["path"]: f for f in json.loads(out)}
    assert found["feed.jsonl"]["record"] == "w-7"
    assert found["feed.jsonl"]["excerpt"] == REPEATED
    assert found["b.txt"]["record"] is None
    assert found["b.txt"]["excerpt"] == REPEATED


def test_excerpt_is_escaped_as_json_does(workdir: Path) -> None:
    text = 'Quote "x" and \x1b[31m and ##[set-output]\n'
    found = violation(path="a.txt", span=Span(1, 1, 1, len(text)))
    (workdir / "a.txt").write_text(text, encoding="utf-8")
    out = JsonFormatter({}).format(Result((found,), ("a.txt",)))
    assert "\x1b" not in out
    assert "##[" not in out
    assert json.loads(out)[0]["excerpt"] == text.strip()


def test_excerpt_of_a_point_is_the_rest_of_its_line() -> None:
    found = violation(span=Span.point(2, 3))
    assert span_text(found, ["one", "  <p>two</p>"]) == "<p>two</p>"
    assert span_text(violation(span=Span.point(9)), ["one"]) is None


def test_statistics_count_files_in_every_format(article: Path) -> None:
    code, text = run_check("news/parks.txt", "--statistics")
    assert code == 1
    assert text.splitlines()[-1] == "Files: 1 checked, 1 with findings, 0 skipped"
    data = json.loads(run_check("news/parks.txt", "--statistics", "--format", "json")[1])
    assert data["files"] == {"checked": 1, "with_findings": 1, "skipped": 0}
    assert {row["code"] for row in data["rules"]} == {"CL101", "CL201", "CL301"}
    sarif = json.loads(run_check("news/parks.txt", "--statistics", "--format", "sarif")[1])
    assert sarif["runs"][0]["properties"]["statistics"] == data


def test_statistics_count_skipped_targets(article: Path) -> None:
    data = json.loads(
        run_check("news/parks.txt", "missing.txt", "--statistics", "--format", "json")[1]
    )
    assert data["files"]["skipped"] == 1


@pytest.mark.parametrize("option", ["--ignore", "--select", "--extend-select"])
def test_unknown_code_on_the_command_line_blames_the_option(article: Path, option: str) -> None:
    result = CliRunner().invoke(main, ["check", option, "XX"])
    assert result.exit_code == 2
    assert f"command line: {option}: unknown rule code 'XX'" in result.stderr
    assert "configuration:" not in result.stderr
