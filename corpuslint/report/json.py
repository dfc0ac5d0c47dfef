"""``json`` format: an array of finding objects with every field of a finding.

Each object also carries ``excerpt``, the text the finding is about as it stands in the
file (its span, or the rest of the line for a finding at a point; at most
``EXCERPT_CHARS`` characters; ``null`` when the file cannot be read again, and for a
finding at a point of a JSONL record), and ``record``, the id of the JSONL
or Parquet record it is in (``null`` elsewhere). A finding whose rule says what it looked
at (CL301: the metadata keys, header lines, blocks and credit forms it tried) carries
``details``, an object from each thing looked at to a description of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from corpuslint.model import Result, Violation
from corpuslint.report.base import Formatter
from corpuslint.report.escape import json_text
from corpuslint.report.full import SourceLines
from corpuslint.report.statistics import statistics

EXCERPT_CHARS = 500
"""The longest excerpt; longer ones end with an ellipsis."""
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


def span_text(violation: Violation, lines: Sequence[str]) -> str | None:
    """The text of ``violation``'s span in ``lines``; for an empty span, the rest of its line.

    Readers that place a block at a point (HTML: the start of its element) give findings
    an empty span; the rest of the line is then the text the finding points at.
    """
    span = violation.span
    empty = (span.end_line, span.end_column) <= (span.line, span.column)
    record_file = violation.path.endswith(RECORD_SUFFIXES)
    if not 1 <= span.line <= len(lines) or (empty and record_file):
        return None  # the line of a record is the whole record, as JSON
    last = span.line if empty else min(span.end_line, len(lines))
    parts = []
    for number in range(span.line, last + 1):
        line = lines[number - 1]
        start = span.column - 1 if number == span.line else 0
        end = span.end_column - 1 if number == span.end_line and not empty else len(line)
        parts.append(line[start:end])
    text = "\n".join(parts).strip()
    if record_file:
        text = _json_string(text)
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1] + "\u2026"
    return text or None


def _json_string(raw: str) -> str:
    """A stretch of a JSON string's source as the text it stands for (escapes decoded).

    A record reader's columns fall on character boundaries of the decoded text, so the
    stretch holds whole escapes; if it does not parse, the source text is kept.
    """
    try:
        decoded = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return decoded if isinstance(decoded, str) else raw


def as_dict(violation: Violation, excerpt: str | None = None) -> dict[str, Any]:
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
        "record": violation.record,
        "excerpt": excerpt,
        "related": [
            {"path": r.path, "line": r.line, "column": r.column} for r in violation.related
        ],
        "fingerprint": violation.fingerprint,
    }
    if violation.similarity is not None:
        data["similarity"] = violation.similarity
    if violation.details:
        data["details"] = dict(violation.details)
    return data


def excerpts(result: Result) -> list[str | None]:
    """The excerpt of each finding of ``result``, in order, each file read once."""
    sources = SourceLines()
    found: list[str | None] = []
    for violation in result.violations:
        lines = sources.get(violation.path)
        found.append(span_text(violation, lines) if lines is not None else None)
    return found


class JsonFormatter(Formatter):
    """A JSON array, one object per finding, escaped so no control byte or command reaches a log."""

    name = "json"
    description = "a JSON array of findings with the text each is about"

    def format(self, result: Result) -> str:
        pairs = zip(result.violations, excerpts(result), strict=True)
        return json_text([as_dict(v, text) for v, text in pairs])

    def statistics(self, result: Result) -> str:
        """The statistics as one JSON object: ``rules``, ``files`` and ``findings``."""
        return json_text(statistics(result))
