"""``text`` format: ``path:line:col: CODE message``, one finding a line (flake8 and ruff style)."""

from __future__ import annotations

from corpuslint.model import Result
from corpuslint.report.base import Formatter
from corpuslint.report.escape import terminal_safe


class TextFormatter(Formatter):
    """One line per finding, in path and position order."""

    name = "text"
    description = "path:line:col: CODE message, one finding a line"

    def format(self, result: Result) -> str:
        lines = [
            terminal_safe(f"{v.path}:{v.span.line}:{v.span.column}: {v.code} {v.message}")
            for v in result.violations
        ]
        return "".join(line + "\n" for line in lines)
