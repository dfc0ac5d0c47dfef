"""CL201 duplicate-headline: the headline printed again in the same document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from corpuslint.model import (
    Block,
    BlockKind,
    Document,
    Fix,
    Location,
    Violation,
)
from corpuslint.rule import DocumentRule


class DuplicateHeadline(DocumentRule):
    """Flags the headline repeated inside its own document.

    ## What it does
    Finds the document's headline (front-matter `title`; else the first H1 or `<h1>`;
    else the `title` field of a record; else, in plain text, the first short line among
    the first three) and reports every other heading or paragraph whose normalized text
    equals it, naming the headline's location.

    ## Why is this bad?
    A headline printed twice is a template or copy-paste accident that readers see at
    once: the title above the article and again as its first line.

    ## Example
    ```text
    2  Kremlin Signals Openness for Trump-Putin Meeting Amid Ukraine War Discussions
    3  Kremlin Signals Openness for Trump-Putin Meeting Amid Ukraine War Discussions
    ```
    is reported at line 3, naming line 2.

    A front-matter `title` restated by the heading that opens the body, at any level
    (`# Hugo` or `## hugo` under `title: hugo`), is the displayed title and is not
    reported; a second copy after that is, and so is one after a lead paragraph.
    Likewise a JSONL or Parquet record whose text opens with its `title` field. An HTML
    page's `og:title` or `<title>` is evidence for which visible block is the headline,
    never a copy of it. Only headings and the blocks
    duplicate rules compare (paragraphs and quotes unless the reader's `compare` setting
    names more) are looked at: a table cell, a definition term or an image's alt text
    equal to the title is not a repeat.

    ## Options
    None.
    """

    code = "CL201"
    name = "duplicate-headline"
    fixable = True

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation]:
        headline = document.headline
        if headline is None or not headline.normalized:
            return
        copies = [
            b
            for b in document.blocks
            if b is not headline
            and b.normalized == headline.normalized
            and (b.kind is BlockKind.HEADING or b.kind in document.compare)
        ]
        if copies and headline not in document.blocks:
            # A title from metadata restated by the heading that opens the body, at any
            # level, is the displayed title (an H1, or an H2 under themes that print no
            # H1); a record's text that opens with its title field is how datasets are
            # scraped. After a lead paragraph, the same text is a repeat.
            first = document.blocks[0]
            opens_body = first.kind is BlockKind.HEADING
            if copies[0] is first and (opens_body or document.record is not None):
                copies = copies[1:]
        positions = {id(b): i for i, b in enumerate(document.blocks)} if copies else {}
        for number, block in enumerate(copies, start=1):
            finding = self.violation(
                document,
                block.span,
                f"Headline repeated (first at {headline.place})",
                text=f"{block.normalized}\n{number}",
                related=[Location(document.path, headline.span.line, headline.span.column)],
            )
            yield replace(finding, fix=in_a_row(document, block, positions))


def in_a_row(document: Document, copy: Block, positions: Mapping[int, int]) -> Fix | None:
    """Removing ``copy`` when it follows the headline (or another copy) right away.

    A headline printed twice in a row is an accident whatever else the page holds; a copy
    further down may be a section's heading and is left to an editor.
    """
    position = positions[id(copy)]
    if position == 0 or document.headline is None:
        return None
    if document.blocks[position - 1].normalized != document.headline.normalized:
        return None
    return Fix.delete([copy.span])
