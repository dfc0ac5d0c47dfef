"""Sample articles and findings shared by the formatter tests."""

from __future__ import annotations

from click.testing import CliRunner

from corpuslint.cli import main
from corpuslint.model import Location, Severity, Span, Violation

HEADLINE = "Council Approves New Budget For City Parks"
REPEATED = (
    "The city council approved a new budget for the parks department on Tuesday evening"
    " after a long debate."
)
ARTICLE = (
    "\n".join(
        [
            HEADLINE,
            HEADLINE,
            REPEATED,
            "Residents said the new playgrounds would help families in the northern districts.",
            REPEATED,
        ]
    )
    + "\n"
)
"""Line 2 repeats the headline (CL201), line 5 repeats line 3 (CL101), no byline (CL301)."""

HOSTILE = (
    "Breaking \x1b[31mred\x1b[0m news \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"
    " \x1b]0;pwned title\x07 %0A::set-output name=x::y\r\n::add-mask::secret\n"
    "  ::stop-commands::token ##[set-output name=z;]w %25 \x9b31m c1 \x85 next \u202eevil"
)
"""Text that would drive a terminal or a GitHub runner if printed as it is."""


def violation(
    code: str = "CL101",
    message: str = "Paragraph repeats line 3",
    path: str = "news/parks.txt",
    span: Span | None = None,
    related: tuple[Location, ...] = (),
    severity: Severity = Severity.ERROR,
    rule: str = "duplicate-paragraph",
    fingerprint: str = "0123456789abcdef",
    similarity: float | None = None,
) -> Violation:
    """A finding built directly, with defaults for what a test does not care about."""
    return Violation(
        code=code,
        rule=rule,
        severity=severity,
        message=message,
        path=path,
        span=span or Span(5, 1, 5, 20),
        related=related,
        fingerprint=fingerprint,
        similarity=similarity,
    )


def run_check(*args: str) -> tuple[int, str]:
    """``corpuslint check ARGS -q`` in-process: its exit code and standard output."""
    result = CliRunner().invoke(main, ["check", *args, "-q"])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout
