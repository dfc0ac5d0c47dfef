"""``github`` format: GitHub Actions workflow commands that annotate the pull request.

One ``::error``/``::warning``/``::notice`` line per finding. Everything after the command
name comes from the corpus (paths, messages), so it is escaped as the runner decodes it:
``%``, CR and LF everywhere, ``:`` and ``,`` in property values. A paragraph that reads
``::set-output name=x::y`` can therefore never become a command of its own.
"""

from __future__ import annotations

from corpuslint.model import Result, Severity, Violation
from corpuslint.report.base import Formatter
from corpuslint.report.escape import github_data, github_property

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def properties(violation: Violation) -> str:
    """The ``file=…,line=…`` list of one annotation.

    GitHub takes ``col``/``endColumn`` only when the annotation stays on one line, and
    its ``endColumn`` is the last column (inclusive), one less than the span's end.
    """
    span = violation.span
    pairs = [("file", violation.path), ("line", str(span.line))]
    end_line = max(span.end_line, span.line)
    if end_line == span.line:
        pairs.append(("col", str(span.column)))
    pairs.append(("endLine", str(end_line)))
    if end_line == span.line and span.end_column > span.column:
        pairs.append(("endColumn", str(span.end_column - 1)))
    pairs.append(("title", f"{violation.code} {violation.rule}"))
    return ",".join(f"{key}={github_property(value)}" for key, value in pairs)


def annotation(violation: Violation) -> str:
    """The workflow command line of one finding, naming the other copies below the message."""
    message = violation.message
    for location in violation.related:
        message += f"\nOther copy: {location.path}:{location.line}:{location.column}"
    command = COMMANDS.get(violation.severity, "warning")
    return f"::{command} {properties(violation)}::{github_data(message)}"


class GithubFormatter(Formatter):
    """Workflow commands; GitHub shows each finding on the changed line of the pull request."""

    name = "github"
    description = "GitHub Actions annotations (workflow commands)"

    def format(self, result: Result) -> str:
        lines = [annotation(v) for v in result.violations]
        lines.extend(
            f"::error title=corpuslint internal error::{github_data(error)}"
            for error in result.errors
        )
        return "".join(line + "\n" for line in lines)
