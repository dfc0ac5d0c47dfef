"""corpuslint: a linter for text corpora and content repositories.

The public API: :func:`check` runs a check from Python; :class:`DocumentRule` and
:class:`CorpusRule` with :class:`Option`, :class:`Document`, :class:`Signature`,
:class:`Violation` (with its :class:`Fix` of :class:`Edit` items) and :data:`hookimpl`
are what a rule plugin needs.

Each name is imported on first use: the ``corpuslint`` command imports this package
before it knows whether a resident daemon will run the command (``corpuslint.launch``),
and a command handed to the daemon needs none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from corpuslint._version import __version__

if TYPE_CHECKING:
    from corpuslint.api import check
    from corpuslint.hookspecs import hookimpl
    from corpuslint.model import Document, Edit, Fix, Signature, Violation
    from corpuslint.options import Option
    from corpuslint.rule import CorpusRule, DocumentRule

__all__ = [
    "CorpusRule",
    "Document",
    "DocumentRule",
    "Edit",
    "Fix",
    "Option",
    "Signature",
    "Violation",
    "__version__",
    "check",
    "hookimpl",
]

_HOMES = {
    "check": "corpuslint.api",
    "hookimpl": "corpuslint.hookspecs",
    "Document": "corpuslint.model",
    "Edit": "corpuslint.model",
    "Fix": "corpuslint.model",
    "Signature": "corpuslint.model",
    "Violation": "corpuslint.model",
    "Option": "corpuslint.options",
    "CorpusRule": "corpuslint.rule",
    "DocumentRule": "corpuslint.rule",
}
"""The module that defines each public name."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
