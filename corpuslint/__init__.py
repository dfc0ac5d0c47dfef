"""corpuslint: a linter for text corpora and content repositories.

The public API: :func:`check` runs a check from Python; :class:`DocumentRule` and
:class:`CorpusRule` with :class:`Option`, :class:`Document`, :class:`Signature`,
:class:`Violation` (with its :class:`Fix` of :class:`Edit` items) and :data:`hookimpl`
are what a rule plugin needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corpuslint._version import __version__
from corpuslint.hookspecs import hookimpl
from corpuslint.model import Document, Edit, Fix, Signature, Violation
from corpuslint.options import Option
from corpuslint.rule import CorpusRule, DocumentRule

if TYPE_CHECKING:
    from corpuslint.api import check

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


def __getattr__(name: str) -> Any:
    # ``check`` pulls in the engines: imported on first use, so ``corpuslint --version``
    # and rule plugins start without them.
    if name == "check":
        from corpuslint.api import check

        return check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
