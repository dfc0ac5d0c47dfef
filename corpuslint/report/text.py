"""``text`` format: ``path:line:col: CODE [severity] message``, one finding a line (ruff style).

The severity is printed because ``fail-on`` and ``severity`` settings make it matter: a
warning under ``fail-on = "error"`` does not fail the run and must not read as an error.
On a terminal (see ``corpuslint.report.color``) the path is bold and the code and
severity take the severity's colour.
"""

from __future__ import annotations

from corpuslint.model import Result, Violation
from corpuslint.report.base import Formatter, message_with_record
from corpuslint.report.color import BOLD, Painter
from corpuslint.report.escape import terminal_safe


def line(violation: Violation, painter: Painter) -> str:
    """The text line of one finding, escaped, and coloured when ``painter`` is on."""
    span = violation.span
    where = painter.paint(terminal_safe(f"{violation.path}:{span.line}:{span.column}:"), BOLD)
    code = painter.severity(terminal_safe(violation.code), violation.severity)
    severity = painter.severity(f"[{violation.severity}]", violation.severity)
    message = terminal_safe(message_with_record(violation))
    return f"{where} {code} {severity} {message}"


class TextFormatter(Formatter):
    """One line per finding, in path and position order."""

    name = "text"
    description = "path:line:col: CODE [severity] message, one finding a line"

    def format(self, result: Result) -> str:
        painter = Painter(self.color)
        return "".join(line(v, painter) + "\n" for v in result.violations)
