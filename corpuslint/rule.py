"""The rule contract: what a rule plugin subclasses and what the engine calls.

A rule is a class with a code, a name, a default severity, typed options and a
docstring that is its user documentation (``corpuslint rule CODE`` prints it).

What the engine expects back:

- ``DocumentRule.check`` yields :class:`Violation` findings, and may yield
  :class:`Notice` items (built with :meth:`Rule.notice`) for what the user should know
  that is not a finding, such as a cap the rule hit; notices are printed as warnings
  for target files.
- ``CorpusRule.signatures`` yields :class:`Signature` items; ``CorpusRule.compare``
  yields :class:`Violation` findings. ``CorpusRule.pair_test`` may return a numpy test
  of pairs that spares ``compare`` the groups it could find nothing in, and
  ``CorpusRule.crowded`` may say how widely held a key must be for its group to give
  no finding, which spares a run over a few files the loading of those groups.

Anything else is an internal error naming the plugin and the rule. So is a call that
runs past the run's time budget (``rule-timeout``, default 60 s): it is stopped with
SIGALRM where the platform has it and the call runs in a process's main thread, and
the run goes on with the other rules and files. While rules run, SIGALRM ticks every
tenth of the budget (1 s to 10 ms apart) to check the deadline: Python retries the
system calls a tick interrupts, but C code of a plugin's own that waits in one should
retry on EINTR too.
"""

from __future__ import annotations

import enum
import inspect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from corpuslint.model import (
    Document,
    Location,
    Notice,
    Severity,
    Signature,
    Span,
    Violation,
    fingerprint,
)
from corpuslint.options import Option

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

PairTest = Callable[["NDArray[np.int32]", "NDArray[np.int32]"], "NDArray[np.bool_]"]
"""Which pairs of signatures (by number, ``first[i]`` with ``second[i]``) to keep."""


@dataclass(frozen=True)
class Crowded:
    """How many files may hold a key before its group can give no finding (see ``crowded``).

    ``None`` is no such bound. A signature's first key (an exact copy's, say) and its
    other keys (near-copy candidates) may have different bounds.
    """

    first_key: int | None = None
    """A group of a first key held by more files than this gives no finding."""
    other_keys: int | None = None
    """A group of another key held by more files than this gives no finding."""


class Scope(str, enum.Enum):
    """Whether a rule judges one document at a time or the corpus as a whole."""

    DOCUMENT = "document"
    CORPUS = "corpus"


def percent(similarity: float) -> str:
    """A similarity for messages, rounded down so a near match never reads "100%"."""
    return f"{math.floor(similarity)}%"


class Rule:
    """Base of every rule; subclass :class:`DocumentRule` or :class:`CorpusRule`."""

    code: ClassVar[str]
    name: ClassVar[str]
    scope: ClassVar[Scope]
    severity: ClassVar[Severity] = Severity.ERROR
    options: ClassVar[Sequence[Option]] = ()
    enabled_by_default: ClassVar[bool] = True
    fixable: ClassVar[bool] = False
    """Whether some findings of the rule carry a :class:`~corpuslint.model.Fix` (``--fix``).

    A finding offers its fix in ``Violation.fix``: build it with
    ``dataclasses.replace(self.violation(...), fix=Fix.delete(spans))``.
    """

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The rule's options with their default values."""
        return {opt.name: opt.default for opt in cls.options}

    @classmethod
    def validate(cls, options: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` for options that are each valid but do not fit together."""

    @classmethod
    def documentation(cls) -> str:
        """The rule's user documentation: its docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "(no documentation)")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation."""
        return cls.documentation().splitlines()[0]

    def violation(
        self,
        document: Document | str,
        span: Span,
        message: str,
        *,
        text: str,
        related: Iterable[Location] = (),
        similarity: float | None = None,
        record: str | None = None,
        details: Iterable[tuple[str, str]] = (),
    ) -> Violation:
        """Build a finding of this rule; ``text`` is what its fingerprint is made of.

        ``record`` names the record of a multi-document file (JSONL, Parquet) the finding
        is in; by default the record of ``document``. ``details`` says what the rule looked
        at, as (what, description) pairs (see ``Violation.details``).
        """
        path = document if isinstance(document, str) else document.path
        if record is None and not isinstance(document, str):
            record = document.record
        return Violation(
            code=self.code,
            rule=self.name,
            severity=self.severity,
            message=message,
            path=path,
            span=span,
            related=tuple(related),
            fingerprint=fingerprint(self.code, "", text),  # the run adds the path (baseline.anchor)
            similarity=similarity,
            record=record,
            details=tuple(details),
        )

    def notice(self, document: Document, message: str) -> Notice:
        """Build a notice about ``document`` for :meth:`DocumentRule.check` to yield."""
        return Notice(document.path, message, document.record)


class DocumentRule(Rule):
    """A rule that judges one document on its own (runs in the parallel document pass)."""

    scope: ClassVar[Scope] = Scope.DOCUMENT

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation | Notice]:
        """Yield the findings of this rule in ``document``, and any notices for the user."""
        raise NotImplementedError


class CorpusRule(Rule):
    """A rule across documents: map each document to signatures, reduce each key's group."""

    scope: ClassVar[Scope] = Scope.CORPUS

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        """Yield what this rule needs to remember of ``document`` (runs per file, cached)."""
        raise NotImplementedError

    def compare(
        self, key: int, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> Iterable[Violation]:
        """Yield findings for one group of signatures that share ``key``."""
        raise NotImplementedError

    def pair_test(
        self, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> PairTest | None:
        """A test of many pairs at once, so that ``compare`` is not called in vain; or ``None``.

        The engine may call this once per corpus pass with all of the rule's signatures,
        then call the test with two arrays of positions in ``signatures`` (pair ``i`` is
        ``first[i]`` with ``second[i]``; ``first`` is the later one) to get which pairs
        to keep. ``compare`` is not called for a group none of whose pairs is kept, so
        the test must reject only pairs that can never be a finding together. Most
        groups are a few blocks sharing a key by chance: a numpy call for all of them
        instead of a Python call each. An engine may skip the test; findings are the same.
        The local engine passes a ``corpuslint.similarity.signatures.SignatureTable``: its
        ``document_numbers`` and ``sketch_rows`` give columns without making a
        signature object for each item (iterating it makes them all).
        """
        return None

    def crowded(self, options: Mapping[str, Any]) -> Crowded:
        """How many files may hold a key before ``compare`` can find nothing in its group.

        A group whose key is held by more files than the bound (a site's footer in every
        page, a release template) is one ``compare`` always returns nothing for, in every
        corpus: say, because its copies are boilerplate. A run over a few files against
        a cached corpus then neither loads the cached files of such a group nor judges
        it, where it would otherwise load every file of the corpus that holds the key.
        Files, not signatures: a file holding a key twice counts once, so a bound on
        documents (a file holds one or more) or on signatures holds for files too. The
        default: no bound. An engine may ignore it; findings are the same.
        """
        return Crowded()
