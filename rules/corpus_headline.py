"""CL202 corpus-duplicate-headline: a headline equal to another document's headline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpuslint.model import Document, Location, Signature, Violation
from corpuslint.rule import CorpusRule
from corpuslint.similarity.hashing import packed_text_key

HEADLINE_SALT = b"headline\0"


class CorpusDuplicateHeadline(CorpusRule):
    """Flags a headline equal, after normalization, to another document's headline.

    ## What it does
    Collects every document's headline (the same one CL201 uses: front-matter `title`,
    first H1, `<h1>`, a record's `title` field, or a plain-text headline line) and
    reports documents whose headline equals an earlier document's, ignoring case,
    typographic quotes and dashes, and spacing. Every copy but the original is
    reported; the original is the first in path order among files that are not new in
    this run (neither targets nor staged in git), else among the new ones.

    ## Why is this bad?
    Two articles with one headline confuse readers, search engines and editors; in a
    dataset, it usually means one article was ingested twice.

    ## Example
    ```text
    2025/11/budget.md:2:1: CL202 Headline also used by 2024/03/budget.md (line 2)
    ```

    ## Options
    None.
    """

    code = "CL202"
    name = "corpus-duplicate-headline"

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        headline = document.headline
        if headline is None or not headline.normalized:
            return
        yield Signature(
            packed_text_key(headline.normalized, HEADLINE_SALT),
            document.path,
            headline.span,
            headline.normalized,
            document.record,
            headline.label,
        )

    def compare(
        self, key: int, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> Iterable[Violation]:
        ordered = sorted(signatures, key=Signature.order)
        original = ordered[0]
        for copy in ordered[1:]:
            if copy.target and copy.document != original.document:
                yield self.violation(
                    copy.path,
                    copy.span,
                    f"Headline also used by {original.path} ({original.place})",
                    text=copy.text,
                    related=[Location(original.path, original.span.line, original.span.column)],
                    record=copy.record,
                )
