"""``--format gitlab`` and ``--format rdjson``, validated against their published schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from corpuslint.model import Location, Result, Severity, Span
from corpuslint.report.gitlab import GitlabFormatter
from corpuslint.report.rdjson import RdjsonFormatter, byte_column

from .samples import HOSTILE, run_check, violation

SCHEMAS = Path(__file__).parent / "schemas"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


GITLAB = schema("gitlab-codequality.schema.json")
RDJSON = schema("rdjson.schema.json")


def validate(data: Any, against: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(against)
    cls.check_schema(against)
    cls(against).validate(data)


def test_the_schemas_reject_what_the_formats_must_not_write() -> None:
    good = {
        "description": "d",
        "check_name": "CL101",
        "fingerprint": "f",
        "severity": "major",
        "location": {"path": "a.md", "lines": {"begin": 1}},
    }
    validate([good], GITLAB)
    for bad in (
        {**good, "severity": "error"},
        {k: v for k, v in good.items() if k != "fingerprint"},
        {**good, "location": {"path": "./a.md", "lines": {"begin": 1}}},
        {**good, "location": {"path": "a.md"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate([bad], GITLAB)
    with pytest.raises(jsonschema.ValidationError):
        validate({"diagnostics": [{"severity": "FATAL"}]}, RDJSON)


def test_gitlab_report_of_a_real_run_is_valid(article: Path) -> None:
    code, out = run_check("news/parks.txt", "--format", "gitlab")
    assert code == 1
    issues = json.loads(out)
    validate(issues, GITLAB)
    assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("CL301", 1),
        ("CL201", 2),
        ("CL101", 5),
    ]
    assert {i["severity"] for i in issues} == {"major"}
    assert len({i["fingerprint"] for i in issues}) == 3


def test_gitlab_severities_paths_and_distinct_fingerprints() -> None:
    same = violation(path="./a/../news/x.md", severity=Severity.WARNING)
    info = violation(code="CL002", severity=Severity.INFO, span=Span(9, 1, 9, 2))
    issues = json.loads(GitlabFormatter({}).format(Result((same, same, info), ("news/x.md",))))
    validate(issues, GITLAB)
    assert [i["severity"] for i in issues] == ["minor", "minor", "info"]
    assert issues[0]["location"]["path"] == "news/x.md"
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]  # GitLab shows one per print
    again = json.loads(GitlabFormatter({}).format(Result((same,), ())))
    assert again[0]["fingerprint"] == issues[0]["fingerprint"]


def test_rdjson_report_of_a_real_run_is_valid(article: Path) -> None:
    code, out = run_check("news/parks.txt", "--format", "rdjson")
    assert code == 1
    report = json.loads(out)
    validate(report, RDJSON)
    assert report["source"]["name"] == "corpuslint"
    found = report["diagnostics"]
    assert [(d["code"]["value"], d["severity"]) for d in found] == [
        ("CL301", "ERROR"),
        ("CL201", "ERROR"),
        ("CL101", "ERROR"),
    ]
    for d in found:  # what reviewdog needs to place a comment
        assert d["message"]
        assert d["location"]["path"] == "news/parks.txt"
        assert d["location"]["range"]["start"]["line"] >= 1
    assert found[2]["related_locations"][0]["location"]["range"]["start"] == {
        "line": 3,
        "column": 1,
    }


def test_rdjson_columns_are_utf8_bytes(workdir: Path) -> None:
    assert byte_column(["a\U00010400b"], 1, 3) == 6  # reviewdog's own example
    (workdir / "a.md").write_text("Café è x\n", encoding="utf-8")
    found = violation(path="a.md", span=Span(1, 6, 1, 7))
    report = json.loads(RdjsonFormatter({}).format(Result((found,), ("a.md",))))
    validate(report, RDJSON)
    assert report["diagnostics"][0]["location"]["range"] == {
        "start": {"line": 1, "column": 7},
        "end": {"line": 1, "column": 9},
    }


def test_ci_formats_escape_corpus_text() -> None:
    hostile = violation(message=HOSTILE, related=(Location("b.md", 1),))
    for formatter in (GitlabFormatter({}), RdjsonFormatter({})):
        out = formatter.format(Result((hostile,), ()))
        assert "\x1b" not in out
        assert "##[" not in out
        assert not any(line.startswith("::") for line in out.splitlines())


@pytest.mark.parametrize("fmt", ["gitlab", "rdjson"])
def test_statistics_in_ci_formats_are_data(article: Path, fmt: str) -> None:
    data = json.loads(run_check("news/parks.txt", "--format", fmt, "--statistics")[1])
    assert data["files"]["checked"] == 1
