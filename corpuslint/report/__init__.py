"""Output formats: one formatter module per format, registered through ``corpuslint_formatters``.

This package is also the core plugin that provides the built-in formats.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.hookspecs import hookimpl
from corpuslint.report.base import Formatter, Result


@hookimpl
def corpuslint_formatters() -> Sequence[type[Formatter]]:
    """The built-in output formats."""
    from corpuslint.report.json import JsonFormatter
    from corpuslint.report.text import TextFormatter

    return [TextFormatter, JsonFormatter]


__all__ = ["Formatter", "Result"]
