"""``junit`` format: JUnit XML, which CI servers (GitLab, Jenkins, Azure) show as test results.

One test suite; one test case per checked file, passing when the file has no finding
and carrying a ``failure`` element per finding otherwise. Corpus text is made XML 1.0
safe (characters XML forbids become visible escapes) before ElementTree escapes markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from corpuslint.model import Result, Violation
from corpuslint.report.base import Formatter
from corpuslint.report.escape import xml_safe

SUITE = "corpuslint"


def failure(violation: Violation) -> ET.Element:
    """The ``failure`` element of one finding: a one-line message, details as text."""
    span = violation.span
    element = ET.Element(
        "failure",
        {
            "message": xml_safe(f"{violation.code} {violation.message}"),
            "type": xml_safe(f"{violation.code} {violation.rule}"),
        },
    )
    lines = [
        f"{violation.path}:{span.line}:{span.column}: {violation.code} {violation.message}",
        f"rule: {violation.rule}, severity: {violation.severity}",
        *(f"other copy: {r.path}:{r.line}:{r.column}" for r in violation.related),
    ]
    element.text = "\n".join(xml_safe(line) for line in lines)
    return element


def testcase(path: str, violations: Sequence[Violation]) -> ET.Element:
    """The test case of one file, failed by each of its findings."""
    shown = xml_safe(path)
    element = ET.Element("testcase", {"classname": SUITE, "name": shown, "file": shown})
    element.extend(failure(v) for v in violations)
    return element


def report(result: Result) -> ET.Element:
    """The ``testsuites`` element holding the one suite of the run."""
    by_path: dict[str, list[Violation]] = {path: [] for path in result.files}
    for violation in result.violations:
        by_path.setdefault(violation.path, []).append(violation)
    cases = [testcase(path, found) for path, found in by_path.items()]
    if result.errors:
        internal = ET.Element("testcase", {"classname": SUITE, "name": "corpuslint internal"})
        for error in result.errors:
            ET.SubElement(internal, "error", {"message": xml_safe(error)}).text = xml_safe(error)
        cases.append(internal)
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for found in by_path.values() if found)),
        "errors": str(len(result.errors)),
        "skipped": "0",
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    suite.extend(cases)
    ET.indent(root)
    return root


class JunitFormatter(Formatter):
    """JUnit XML for CI servers' test-result views."""

    name = "junit"
    description = "JUnit XML, one test case per checked file"

    def format(self, result: Result) -> str:
        body = ET.tostring(report(result), encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
