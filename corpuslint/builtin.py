"""The core's own rule plugin: CL001 (unreadable input) and CL002 (unused suppression)."""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.core_rules import UnreadableDocument, UnusedSuppression
from corpuslint.hookspecs import hookimpl
from corpuslint.rule import Rule


@hookimpl
def corpuslint_rules() -> Sequence[type[Rule]]:
    """CL001 and CL002, which the engine raises itself."""
    return [UnreadableDocument, UnusedSuppression]
