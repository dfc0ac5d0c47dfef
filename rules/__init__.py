"""corpuslint's built-in rules, registered through the ``corpuslint`` entry-point group.

This package is a plugin like any third-party one: the core never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpuslint.hookspecs import hookimpl
from corpuslint.rule import Rule

from .attribution import MissingAttribution
from .boilerplate import BoilerplateParagraph
from .corpus_headline import CorpusDuplicateHeadline
from .corpus_paragraph import CorpusDuplicateParagraph
from .duplicate_document import DuplicateDocument
from .duplicate_headline import DuplicateHeadline
from .duplicate_paragraph import DuplicateParagraph


@hookimpl
def corpuslint_rules() -> Sequence[type[Rule]]:
    """The built-in rules."""
    return [
        DuplicateParagraph,
        CorpusDuplicateParagraph,
        DuplicateDocument,
        BoilerplateParagraph,
        DuplicateHeadline,
        CorpusDuplicateHeadline,
        MissingAttribution,
    ]
