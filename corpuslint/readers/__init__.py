"""Input formats: one reader module per format, registered through ``corpuslint_readers``.

This package is also the core plugin that provides the built-in readers; a plugin
replaces one by returning a reader for the same suffix.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.hookspecs import hookimpl
from corpuslint.readers.base import Reader, ReadError, decode, split_lines


@hookimpl
def corpuslint_readers() -> Sequence[type[Reader]]:
    """The built-in readers."""
    from corpuslint.readers.html import HtmlReader
    from corpuslint.readers.jsonl import JsonlReader
    from corpuslint.readers.markdown import MarkdownReader
    from corpuslint.readers.parquet import ParquetReader
    from corpuslint.readers.text import TextReader

    return [TextReader, MarkdownReader, JsonlReader, ParquetReader, HtmlReader]


__all__ = ["ReadError", "Reader", "decode", "split_lines"]
