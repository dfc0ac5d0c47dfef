"""``json`` format: an array of finding objects with every field of a finding."""

from __future__ import annotations

from typing import Any

from corpuslint.model import Result, Violation
from corpuslint.report.base import Formatter
from corpuslint.report.escape import json_text


def as_dict(violation: Violation) -> dict[str, Any]:
    """The JSON object of one finding."""
    data: dict[str, Any] = {
        "path": violation.path,
        "line": violation.span.line,
        "column": violation.span.column,
        "end_line": violation.span.end_line,
        "end_column": violation.span.end_column,
        "code": violation.code,
        "rule": violation.rule,
        "severity": str(violation.severity),
        "message": violation.message,
        "related": [
            {"path": r.path, "line": r.line, "column": r.column} for r in violation.related
        ],
        "fingerprint": violation.fingerprint,
    }
    if violation.similarity is not None:
        data["similarity"] = violation.similarity
    return data


class JsonFormatter(Formatter):
    """A JSON array, one object per finding, escaped so no control byte or command reaches a log."""

    name = "json"
    description = "a JSON array of findings"

    def format(self, result: Result) -> str:
        return json_text([as_dict(v) for v in result.violations])
