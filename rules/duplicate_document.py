"""CL103 duplicate-document: a document most of whose prose repeats one other document."""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from corpuslint.model import Document, Location, Signature, Span, Violation
from corpuslint.options import Option
from corpuslint.rule import CorpusRule, Crowded
from corpuslint.similarity.hashing import pack, text_key

from .corpus_paragraph import BOILERPLATE_MIN_DOCUMENTS, template
from .duplicate_paragraph import comparable_blocks

SALT = b"document\0"
MAX_KEYS = 500
"""Paragraphs of one document that are keys; a longer document is judged on its first ones."""
_END = operator.attrgetter("span.end_line", "span.end_column")
"""Where a block ends, as a (line, column) pair that orders as positions do."""


def _parse(text: str) -> dict[int, int]:
    """The paragraph keys of a signature's text, with the words each stands for."""
    found: dict[int, int] = {}
    for item in text.split():
        key, _, words = item.partition(":")
        found[int(key, 16)] = int(words)
    return found


class DuplicateDocument(CorpusRule):
    r"""Flags a document most of whose prose repeats one other document, once.

    ## What it does
    Compares documents by their paragraphs (the ones CL102 compares, equal once
    normalized and once numbers are set aside). A document whose paragraphs, counted
    in words, stand `threshold` percent or more in one older document (CL102's
    original: the oldest copy, files new in this run last) is reported once, at its
    headline, naming the other. Its paragraphs are then not reported one by one under
    CL102, and its headline not under CL202.

    ## Why is this bad?
    A second copy of an article (under another category, a renamed file, a
    re-import) is one defect, not twenty: one finding says which file to delete or
    merge. In a training corpus it is a duplicated sample.

    ## Example
    ```text
    bbc/tech/199.txt:1:1: CL103 Document repeats bbc/tech/127.txt (100% of its prose stands there)
    ```

    ## Options
    - `threshold` (float, default 80): percent of a document's compared words that
      must stand in one other document. Duplicated BBC articles share 100 %, articles
      that quote a paragraph or two of another under 30 %.
    - `min-paragraphs` (int, default 5): documents with fewer compared paragraphs are
      not judged (CL102 still reports their copies).
    - `min-words` (int, default 8): shorter paragraphs are not compared.
    - `boilerplate-min-documents` (int, default 5): a paragraph standing in this many
      documents is boilerplate and does not pair documents, so posts written from one
      template (the Rust blog's pre-release announcements) are no duplicates unless
      they share a paragraph of their own. Keep it equal to CL102's.
    """

    code = "CL103"
    name = "duplicate-document"
    supersedes: ClassVar[tuple[str, ...]] = ("CL102", "CL202")
    """Codes whose findings inside this rule's finding (same file, within its span) it
    replaces: the paragraphs and headline of a duplicated document."""
    options = (
        Option("threshold", float, 80.0, "percent of a document's prose repeated", 1, 100),
        Option("min-paragraphs", int, 5, "documents with fewer paragraphs are not judged", 1),
        Option("min-words", int, 8, "paragraphs with fewer words are not compared", 0),
        Option(
            "boilerplate-min-documents",
            int,
            BOILERPLATE_MIN_DOCUMENTS,
            "paragraphs in this many documents do not pair documents",
            2,
        ),
    )

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        blocks = comparable_blocks(document, options["min-words"])
        words: dict[int, int] = {}
        for block in blocks:
            if len(words) >= MAX_KEYS:
                break
            key = text_key(template(block.normalized), SALT)
            words[key] = words.get(key, 0) + block.word_count
        if len(words) < options["min-paragraphs"]:
            return
        head = document.headline.span if document.headline is not None else blocks[0].span
        end = (head.end_line, head.end_column)
        if document.record is None:  # a record's finding stays on its headline (see finish)
            # The finding runs from the headline to the furthest end of any block: the end
            # ``Span.cover`` of them all would give, without a span made per block.
            end = max(itertools.chain((end,), map(_END, document.blocks)))
        label = document.headline.label if document.headline is not None else ""
        text = " ".join(f"{key:x}:{count}" for key, count in words.items())
        yield Signature(
            pack(sorted(words)),
            document.path,
            Span(head.line, head.column, end[0], end[1]),
            text,
            document.record,
            label,
            True,
            b"",
            document.date,
        )

    def crowded(self, options: Mapping[str, Any]) -> Crowded:
        """A paragraph in ``boilerplate-min-documents`` files or more pairs no documents."""
        bound = options["boilerplate-min-documents"] - 1
        return Crowded(bound, bound)

    def compare(
        self, key: int, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> Iterable[Violation]:
        if not 2 <= len({s.document for s in signatures}) < options["boilerplate-min-documents"]:
            return
        ordered = sorted(signatures, key=Signature.order)
        parsed = [_parse(s.text) for s in ordered]
        threshold = options["threshold"]
        for position, copy in enumerate(ordered):
            if not copy.target or position == 0:
                continue
            mine = parsed[position]
            total = sum(mine.values())
            for earlier in range(position):
                original = ordered[earlier]
                if original.document == copy.document:
                    continue
                theirs = parsed[earlier]
                shared = sum(words for k, words in mine.items() if k in theirs)
                share = 100.0 * shared / total if total else 0.0
                if share >= threshold:
                    yield self._finding(copy, original, share)
                    break

    def _finding(self, copy: Signature, original: Signature, share: float) -> Violation:
        where = original.path if original.record is None else f"{original.path} ({original.place})"
        rounded = math.floor(share)
        return self.violation(
            copy.path,
            copy.span,
            f"Document repeats {where} ({rounded}% of its prose stands there)",
            text=f"{original.path}\0{original.record}",
            related=[Location(original.path, original.span.line, original.span.column)],
            similarity=None if share >= 100 else round(share, 1),
        )
