"""What a formatter is: it turns a run's result into the text of one output format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from corpuslint.model import Result, Violation
from corpuslint.rule import Rule


class Formatter:
    """Renders a :class:`Result`; one subclass per ``--format`` name.

    ``color`` is set by the command line when the output is a terminal that shows colour
    (see ``corpuslint.report.color``); formats for machines ignore it.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    color: bool = False

    def __init__(self, rules: Mapping[str, type[Rule]]) -> None:
        self.rules = rules

    def format(self, result: Result) -> str:
        """The whole output for ``result``, ending with a newline when not empty."""
        raise NotImplementedError

    def statistics(self, result: Result) -> str:
        """The output of ``--statistics``: a table, unless the format holds data."""
        from corpuslint.report.statistics import statistics, table

        return table(statistics(result))


def record_name(violation: Violation) -> str | None:
    """The record id to name in a message, when the position does not name it already.

    A record without an id is named by its line (``line 3``), which the position of the
    finding already says; a record id (``wire-0001``) or a Parquet row is worth naming.
    """
    record = violation.record
    if not record or record == f"line {violation.span.line}":
        return None
    return record


def message_with_record(violation: Violation) -> str:
    """The finding's message, then ``(record ID)`` for a record of a JSONL or Parquet file."""
    record = record_name(violation)
    return f"{violation.message} (record {record})" if record else violation.message
