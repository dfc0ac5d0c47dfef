"""CL104 boilerplate-paragraph: a paragraph that stands in many documents, listed once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpuslint.model import Document, Location, Severity, Signature, Violation
from corpuslint.options import Option
from corpuslint.rule import CorpusRule
from corpuslint.similarity.hashing import packed_text_keys

from .corpus_paragraph import BOILERPLATE_MIN_DOCUMENTS, template
from .duplicate_paragraph import comparable_blocks

SALT = b"boilerplate\0"
SHOWN = 5
"""Documents a message names; the related locations name up to ``RELATED``."""
RELATED = 50


class BoilerplateParagraph(CorpusRule):
    r"""Lists each paragraph that stands in many documents (boilerplate), once.

    ## What it does
    Groups the paragraphs of the corpus that are equal once normalized and once their
    numbers are set aside ("getting Rust 1.20 is as easy as" and "... Rust 1.21.0 ..."
    are one template). A group whose copies stand in `boilerplate-min-documents`
    documents or more is boilerplate: it is reported once, at its oldest copy in a
    file being checked, with how many copies and documents it has, the first few
    documents by name and every other document's first copy (up to 50) as related
    locations. CL102 does not report copies of boilerplate; this rule is where they
    are listed. Off by default: select it with `--extend-select CL104`.

    ## Why is this bad?
    Usually it is not: a release template, a license notice or a call to action is
    meant to repeat, which is why CL102 stays silent about it. In a training corpus
    it is duplicated data all the same, and this is the list of it to review or strip.

    ## Example
    ```text
    content/Rust-1.20.md:52:1: CL104 Boilerplate paragraph: 89 copies in 89 documents
    (content/Rust-1.20.md, content/Rust-1.21.md, ... and 84 more)
    ```

    ## Options
    - `boilerplate-min-documents` (int, default 5): copies in this many documents make
      a paragraph boilerplate. Keep it equal to CL102's.
    - `min-words` (int, default 8): shorter paragraphs are not grouped.
    """

    code = "CL104"
    name = "boilerplate-paragraph"
    severity = Severity.INFO
    enabled_by_default = False
    options = (
        Option(
            "boilerplate-min-documents",
            int,
            BOILERPLATE_MIN_DOCUMENTS,
            "a paragraph with copies in this many documents is boilerplate",
            2,
        ),
        Option("min-words", int, 8, "paragraphs with fewer words are not grouped", 0),
    )

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        blocks = comparable_blocks(document, options["min-words"])
        keys = packed_text_keys([template(block.normalized) for block in blocks], SALT)
        path, record, date = document.path, document.record, document.date
        for block, key in zip(blocks, keys, strict=True):
            yield Signature(
                key, path, block.span, block.normalized, record, block.label, True, b"", date
            )

    def compare(
        self, key: int, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> Iterable[Violation]:
        firsts: dict[tuple[str, str | None], Signature] = {}
        for signature in sorted(signatures, key=Signature.order):
            firsts.setdefault(signature.document, signature)
        if len(firsts) < options["boilerplate-min-documents"]:
            return
        at = next((s for s in firsts.values() if s.target), None)
        if at is None:
            return
        others = [s for s in firsts.values() if s is not at]
        names = [s.path if s.record is None else f"{s.path} ({s.place})" for s in firsts.values()]
        shown = ", ".join(names[:SHOWN])
        if len(names) > SHOWN:
            shown += f", ... and {len(names) - SHOWN} more"
        message = (
            f"Boilerplate paragraph: {len(signatures)} copies in {len(firsts)} documents ({shown})"
        )
        yield self.violation(
            at.path,
            at.span,
            message,
            text=at.text,
            related=[Location(s.path, s.span.line, s.span.column) for s in others[:RELATED]],
        )
