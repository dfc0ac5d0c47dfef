"""``rdjson`` format: reviewdog's Diagnostic Format (``reviewdog -f=rdjson``).

One ``DiagnosticResult`` object: the source (corpuslint), and a diagnostic per finding
with its message, code, severity, range and the other copies as related locations.
rdjson counts columns in UTF-8 bytes where corpuslint counts characters, so columns
are converted with the finding's source line when the file can be read (an ASCII line
needs no conversion; otherwise the character column is kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corpuslint.model import Location, Result, Severity, Violation
from corpuslint.report.base import Formatter, message_with_record
from corpuslint.report.escape import json_text
from corpuslint.report.full import SourceLines
from corpuslint.report.sarif import information_uri

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def byte_column(lines: Sequence[str] | None, line: int, column: int) -> int:
    """The 1-based UTF-8 byte column of character ``column`` on ``line``."""
    if lines is None or not 1 <= line <= len(lines) or column < 1:
        return max(column, 1)
    text = lines[line - 1][: column - 1]
    return len(text.encode("utf-8", "surrogatepass")) + 1 + max(column - 1 - len(text), 0)


def position(lines: Sequence[str] | None, line: int, column: int) -> dict[str, int]:
    """An rdjson ``Position``."""
    return {"line": max(line, 1), "column": byte_column(lines, max(line, 1), column)}


def related(location: Location, sources: SourceLines) -> dict[str, Any]:
    """A related location: where the other copy is."""
    lines = sources.get(location.path)
    return {
        "message": "Other copy",
        "location": {
            "path": location.path,
            "range": {"start": position(lines, location.line, location.column)},
        },
    }


def diagnostic(violation: Violation, sources: SourceLines) -> dict[str, Any]:
    """The rdjson ``Diagnostic`` of one finding."""
    span = violation.span
    lines = sources.get(violation.path)
    start = position(lines, span.line, span.column)
    end = position(lines, max(span.end_line, span.line), span.end_column)
    if (end["line"], end["column"]) < (start["line"], start["column"]):
        end = start
    found: dict[str, Any] = {
        "message": message_with_record(violation),
        "location": {"path": violation.path, "range": {"start": start, "end": end}},
        "severity": SEVERITIES.get(violation.severity, "WARNING"),
        "code": {"value": violation.code},
    }
    if violation.related:
        found["related_locations"] = [related(r, sources) for r in violation.related]
    return found


def report(result: Result) -> dict[str, Any]:
    """The run as one rdjson ``DiagnosticResult``."""
    sources = SourceLines()
    return {
        "source": {"name": "corpuslint", "url": information_uri()},
        "diagnostics": [diagnostic(v, sources) for v in result.violations],
    }


class RdjsonFormatter(Formatter):
    """reviewdog's rdjson, for review comments on GitHub, GitLab, Gerrit and Bitbucket."""

    name = "rdjson"
    description = "reviewdog Diagnostic Format (reviewdog -f=rdjson)"

    def format(self, result: Result) -> str:
        return json_text(report(result))

    def statistics(self, result: Result) -> str:
        """The statistics as one JSON object."""
        from corpuslint.report.statistics import statistics

        return json_text(statistics(result))
