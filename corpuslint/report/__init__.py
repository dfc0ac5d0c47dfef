"""Output formats: one formatter module per format, registered through ``corpuslint_formatters``."""

from __future__ import annotations

from corpuslint.report.base import Formatter, Result

__all__ = ["Formatter", "Result"]
