"""``gitlab`` format: a GitLab Code Quality report (``artifacts: reports: codequality``).

A JSON array of issues with the fields GitLab reads: ``description``, ``check_name``,
``fingerprint``, ``severity`` (``info``, ``minor``, ``major``, ``critical`` or
``blocker``) and ``location`` with a ``path`` and ``lines.begin``. GitLab shows an issue
once per fingerprint, so a fingerprint that repeats within a report (the same text
flagged twice in one file) is made distinct by its occurrence number. Paths are as
corpuslint shows them: run it from the repository root, where GitLab resolves them.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import Any

from corpuslint.model import Result, Severity, Violation
from corpuslint.report.base import Formatter, message_with_record
from corpuslint.report.escape import json_text

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def fingerprint(violation: Violation, occurrence: int) -> str:
    """A 32-hex-digit fingerprint, stable across line shifts, distinct per occurrence."""
    digest = hashlib.md5(usedforsecurity=False)
    for part in (violation.code, violation.path, violation.fingerprint, str(occurrence)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def issue(violation: Violation, occurrence: int) -> dict[str, Any]:
    """The Code Quality issue of one finding."""
    span = violation.span
    begin = max(span.line, 1)
    return {
        "type": "issue",
        "description": f"{violation.code} {message_with_record(violation)}",
        "check_name": violation.code,
        "categories": ["Duplication" if violation.related else "Style"],
        "fingerprint": fingerprint(violation, occurrence),
        "severity": SEVERITIES.get(violation.severity, "minor"),
        "location": {
            "path": posixpath.normpath(violation.path) if violation.path else ".",
            "lines": {"begin": begin, "end": max(span.end_line, begin)},
        },
    }


def report(result: Result) -> list[dict[str, Any]]:
    """The Code Quality issues of a run, in report order."""
    seen: dict[tuple[str, str, str], int] = {}
    issues = []
    for violation in result.violations:
        key = (violation.code, violation.path, violation.fingerprint)
        seen[key] = seen.get(key, 0) + 1
        issues.append(issue(violation, seen[key]))
    return issues


class GitlabFormatter(Formatter):
    """GitLab Code Quality JSON, shown in merge requests and pipelines."""

    name = "gitlab"
    description = "GitLab Code Quality report (artifacts: reports: codequality)"

    def format(self, result: Result) -> str:
        return json_text(report(result))

    def statistics(self, result: Result) -> str:
        """The statistics as one JSON object (a Code Quality report has no place for them)."""
        from corpuslint.report.statistics import statistics

        return json_text(statistics(result))
