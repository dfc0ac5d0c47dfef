"""Output formats: one formatter module per format, registered through ``corpuslint_formatters``.

This package is also the core plugin that provides the built-in formats.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.hookspecs import hookimpl
from corpuslint.model import Result
from corpuslint.report.base import Formatter


@hookimpl
def corpuslint_formatters() -> Sequence[type[Formatter]]:
    """The built-in output formats."""
    from corpuslint.report.full import FullFormatter
    from corpuslint.report.github import GithubFormatter
    from corpuslint.report.gitlab import GitlabFormatter
    from corpuslint.report.json import JsonFormatter
    from corpuslint.report.junit import JunitFormatter
    from corpuslint.report.rdjson import RdjsonFormatter
    from corpuslint.report.sarif import SarifFormatter
    from corpuslint.report.text import TextFormatter

    return [
        TextFormatter,
        FullFormatter,
        JsonFormatter,
        SarifFormatter,
        GithubFormatter,
        GitlabFormatter,
        RdjsonFormatter,
        JunitFormatter,
    ]


__all__ = ["Formatter", "Result"]
