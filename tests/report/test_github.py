"""The ``github`` format: one workflow command per finding, escaped as the runner decodes it."""

from __future__ import annotations

from pathlib import Path

from corpuslint import plugins
from corpuslint.model import Location, Result, Severity, Span
from corpuslint.report.github import GithubFormatter

from . import workflow
from .samples import run_check, violation


def render(registry: plugins.Registry, *findings: object, errors: tuple[str, ...] = ()) -> str:
    result = Result(tuple(findings), (), errors)  # type: ignore[arg-type]
    return GithubFormatter(registry.rules).format(result)


def test_single_line_finding(registry: plugins.Registry) -> None:
    found = violation(span=Span(5, 3, 5, 20), related=(Location("news/parks.txt", 3, 1),))
    assert render(registry, found) == (
        "::error file=news/parks.txt,line=5,col=3,endLine=5,endColumn=19,"
        "title=CL101 duplicate-paragraph::Paragraph repeats line 3"
        "%0AOther copy: news/parks.txt:3:1\n"
    )


def test_multi_line_span_has_no_columns(registry: plugins.Registry) -> None:
    """GitHub rejects columns on an annotation that spans lines."""
    output = render(registry, violation(span=Span(12, 1, 17, 105)))
    command = workflow.parse(output.rstrip("\n"))
    assert command is not None
    assert command.properties == {
        "file": "news/parks.txt",
        "line": "12",
        "endLine": "17",
        "title": "CL101 duplicate-paragraph",
    }


def test_severities_map_to_commands(registry: plugins.Registry) -> None:
    output = render(
        registry,
        violation(severity=Severity.ERROR),
        violation(severity=Severity.WARNING),
        violation(severity=Severity.INFO, span=Span.point(1)),
    )
    names = [c.name for c in map(workflow.parse, workflow.lines(output)) if c is not None]
    assert names == ["error", "warning", "notice"]
    assert "endColumn" not in output.splitlines()[2]  # a point has no extent


def test_properties_and_message_survive_the_runner_unchanged(registry: plugins.Registry) -> None:
    path = "news/odd: name, 100%.txt"
    message = "Line one\nline two %0A ::set-output name=x::y\r"
    output = render(registry, violation(path=path, message=message))
    assert output.count("\n") == 1
    assert "\r" not in output
    assert "%3A" in output
    assert "%2C" in output
    assert "%25" in output
    command = workflow.parse(output.rstrip("\n"))
    assert command is not None
    assert command.name == "error"
    assert command.properties["file"] == path
    assert command.data == message


def test_internal_errors_are_annotations(registry: plugins.Registry) -> None:
    output = render(registry, errors=("rule X failed\n::add-mask::y",))
    assert output == "::error title=corpuslint internal error::rule X failed%0A::add-mask::y\n"


def test_end_to_end(article: Path) -> None:
    code, output = run_check("news/parks.txt", "--format", "github")
    assert code == 1
    commands = [workflow.parse(line) for line in workflow.lines(output) if line]
    assert [(c.name, c.properties["line"], c.properties["title"]) for c in commands if c] == [
        ("error", "1", "CL301 missing-attribution"),
        ("error", "2", "CL201 duplicate-headline"),
        ("error", "5", "CL101 duplicate-paragraph"),
    ]
    assert all(c is not None and c.properties["file"] == "news/parks.txt" for c in commands)


def test_clean_run_prints_nothing(workdir: Path) -> None:
    (workdir / "ok.txt").write_text(
        "A Quiet Headline\n\nBy Jane Doe\n\nNothing is repeated in this short article at all.\n",
        encoding="utf-8",
    )
    assert run_check("ok.txt", "--format", "github") == (0, "")
