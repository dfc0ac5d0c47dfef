"""What a formatter is: it turns a run's result into the text of one output format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from corpuslint.model import Violation
from corpuslint.rule import Rule


@dataclass(frozen=True)
class Result:
    """Everything a run found, in report order, for formatters and the exit code."""

    violations: tuple[Violation, ...]
    files: tuple[str, ...]
    """The target files that were checked, as shown to the user."""
    errors: tuple[str, ...] = ()
    """Internal errors (a rule or plugin that failed), one line each."""
    warnings: tuple[str, ...] = ()
    """Problems that did not change the findings (a cache that could not be used)."""


class Formatter:
    """Renders a :class:`Result`; one subclass per ``--format`` name."""

    name: ClassVar[str]
    description: ClassVar[str] = ""

    def __init__(self, rules: Mapping[str, type[Rule]]) -> None:
        self.rules = rules

    def format(self, result: Result) -> str:
        """The whole output for ``result``, ending with a newline when not empty."""
        raise NotImplementedError
