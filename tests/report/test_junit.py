"""The ``junit`` format: one suite, a test case per checked file, a failure per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from corpuslint import plugins
from corpuslint.model import Location, Result, Span
from corpuslint.report.junit import JunitFormatter

from .samples import HOSTILE, run_check, violation


def render(registry: plugins.Registry, result: Result) -> ET.Element:
    text = JunitFormatter(registry.rules).format(result)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))  # a strict XML 1.0 parser


def test_end_to_end_one_case_per_file(article: Path, workdir: Path) -> None:
    (workdir / "news" / "clean.txt").write_text(
        "A Quiet Headline\n\nBy Jane Doe\n\nNothing is repeated in this short article at all.\n",
        encoding="utf-8",
    )
    code, output = run_check("news", "--format", "junit")
    assert code == 1
    root = ET.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert sorted(cases) == ["news/clean.txt", "news/parks.txt"]
    assert cases["news/clean.txt"].findall("failure") == []
    failures = cases["news/parks.txt"].findall("failure")
    assert [f.get("message") for f in failures] == [
        "CL301 No attribution: no byline, author or source credit found",
        "CL201 Headline repeated (first at line 1)",
        "CL101 Paragraph repeats the paragraph at line 3",
    ]
    assert failures[2].text is not None
    assert failures[2].text.splitlines() == [
        "news/parks.txt:5:1: CL101 Paragraph repeats the paragraph at line 3",
        "rule: duplicate-paragraph, severity: error",
        "other copy: news/parks.txt:3:1",
    ]


def test_markup_and_forbidden_characters(registry: plugins.Registry) -> None:
    path = 'a<b>&"c".txt'
    found = violation(
        path=path,
        message=f"</failure><x/> & {HOSTILE} \x00\x0b\ufffe\udcff",
        related=(Location("o\x1b.txt", 2),),
    )
    root = render(registry, Result((found,), (path,)))
    [case] = root.iter("testcase")
    assert case.get("name") == path
    [failure] = case.findall("failure")
    message = failure.get("message") or ""
    assert message.startswith("CL101 </failure><x/> & Breaking \\x1b[31mred")
    assert "\\x00\\x0b\\ufffe\\udcff" in message
    assert "other copy: o\\x1b.txt:2:1" in (failure.text or "")


def test_findings_outside_the_checked_files_and_errors(registry: plugins.Registry) -> None:
    result = Result(
        (violation(code="CL001", rule="unreadable-document", path="gone.txt", span=Span.point(1)),),
        ("a.txt",),
        errors=("rule CL999 failed",),
    )
    root = render(registry, result)
    suite = root.find("testsuite")
    assert suite is not None
    names = [case.get("name") for case in suite.findall("testcase")]
    assert names == ["a.txt", "gone.txt", "corpuslint internal"]
    assert suite.get("errors") == "1"
    assert suite.get("failures") == "1"
    error = suite.findall("testcase")[2].find("error")
    assert error is not None
    assert error.get("message") == "rule CL999 failed"
