"""What the document pass keeps of one file: the data every engine and the cache exchange."""

from __future__ import annotations

from dataclasses import dataclass

from corpuslint.model import Directive, Violation
from corpuslint.similarity.signatures import SignatureBatch


@dataclass(frozen=True)
class FileOutcome:
    """What the document pass keeps of one file."""

    violations: tuple[Violation, ...] = ()
    signatures: tuple[SignatureBatch, ...] = ()
    """Each corpus rule's signatures, a batch per rule that has any."""
    errors: tuple[str, ...] = ()
    documents: int = 0
    directives: tuple[Directive, ...] = ()
    """Inline suppression comments of the file (Markdown and HTML)."""
    notices: tuple[str, ...] = ()
    """Things the user should know that are not findings (a cap that was hit, say)."""
