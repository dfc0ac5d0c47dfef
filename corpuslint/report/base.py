"""What a formatter is: it turns a run's result into the text of one output format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from corpuslint.model import Result
from corpuslint.rule import Rule


class Formatter:
    """Renders a :class:`Result`; one subclass per ``--format`` name."""

    name: ClassVar[str]
    description: ClassVar[str] = ""

    def __init__(self, rules: Mapping[str, type[Rule]]) -> None:
        self.rules = rules

    def format(self, result: Result) -> str:
        """The whole output for ``result``, ending with a newline when not empty."""
        raise NotImplementedError
