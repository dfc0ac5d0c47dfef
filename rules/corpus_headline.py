"""CL202 corpus-duplicate-headline: a headline equal to another document's headline."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpuslint.model import Document, Location, Signature, Violation
from corpuslint.options import Option
from corpuslint.rule import CorpusRule
from corpuslint.similarity.hashing import packed_text_key

HEADLINE_SALT = b"headline\0"


@dataclass(frozen=True)
class _Choice(Option):
    """A string option that takes one of a few words."""

    choices: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        """The configured word, checked to be one of ``choices``."""
        value = super().coerce(value)
        if value not in self.choices:
            raise ValueError(
                f"option {self.name!r} takes one of {', '.join(self.choices)}, not {value!r}"
            )
        return value


class CorpusDuplicateHeadline(CorpusRule):
    """Flags a headline equal, after normalization, to another document's headline.

    ## What it does
    Collects every document's headline (the same one CL201 uses: front-matter `title`,
    first H1, `<h1>`, a record's `title` field, or a plain-text headline line) and
    reports documents whose headline equals an earlier document's, ignoring case,
    typographic quotes and dashes, and spacing. Every copy but the original is
    reported; the original is the oldest copy among files that are not new in this run
    (neither targets nor staged in git), else among the new ones. A document's age is
    its metadata date, else a date in its file name, else when its file entered git,
    else path order.

    ## Why is this bad?
    Two articles with one headline confuse readers, search engines and editors; in a
    dataset, it usually means one article was ingested twice.

    ## Example
    ```text
    2025/11/budget.md:2:1: CL202 Headline also used by 2024/03/budget.md (line 2)
    ```

    ## Options
    - `min-words` (int, default 3): headlines with fewer words are not compared. One-
      and two-word titles ("FAQ", "Truncate", "Getting started") are generic names of
      documentation pages, not copies; on the Hugo docs 96 % of the repeated titles are
      that short, on the news corpus none.
    - `scope` (`"corpus"` or `"folder"`, default `"corpus"`): with `"folder"`, a headline
      is compared only with those of documents in the same folder (documentation sites
      reuse a title across sections, a blog's posts share one folder).
    """

    code = "CL202"
    name = "corpus-duplicate-headline"
    options = (
        Option("min-words", int, 3, "headlines with fewer words are not compared", 0),
        _Choice(
            "scope",
            str,
            "corpus",
            "compare headlines in the whole corpus or only within one folder",
            choices=("corpus", "folder"),
        ),
    )

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        headline = document.headline
        if headline is None or not headline.normalized:
            return
        if headline.word_count < options["min-words"]:
            return
        salt = HEADLINE_SALT
        if options["scope"] == "folder":
            salt += posixpath.dirname(document.path).encode("utf-8", "surrogatepass") + b"\0"
        yield Signature(
            packed_text_key(headline.normalized, salt),
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
        if options["scope"] == "folder":  # keys of two folders may collide: keep one folder
            folder = posixpath.dirname(ordered[0].path)
            ordered = [s for s in ordered if posixpath.dirname(s.path) == folder]
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
