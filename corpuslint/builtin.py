"""The core's own plugin: registers the built-in readers and formatters through the hooks."""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.core_rules import UnreadableDocument
from corpuslint.hookspecs import hookimpl
from corpuslint.readers.base import Reader
from corpuslint.readers.markdown import MarkdownReader
from corpuslint.readers.text import TextReader
from corpuslint.report.base import Formatter
from corpuslint.report.json import JsonFormatter
from corpuslint.report.text import TextFormatter
from corpuslint.rule import Rule


@hookimpl
def corpuslint_rules() -> Sequence[type[Rule]]:
    """CL001, which the engine raises for input it cannot read."""
    return [UnreadableDocument]


@hookimpl
def corpuslint_readers() -> Sequence[type[Reader]]:
    """Plain text and Markdown."""
    return [TextReader, MarkdownReader]


@hookimpl
def corpuslint_formatters() -> Sequence[type[Formatter]]:
    """``text`` and ``json``."""
    return [TextFormatter, JsonFormatter]
