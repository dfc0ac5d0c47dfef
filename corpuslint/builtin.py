"""The core's own rule plugin: CL001, which the engine raises for unreadable input."""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.core_rules import UnreadableDocument
from corpuslint.hookspecs import hookimpl
from corpuslint.rule import Rule


@hookimpl
def corpuslint_rules() -> Sequence[type[Rule]]:
    """CL001, which the engine raises for input it cannot read."""
    return [UnreadableDocument]
