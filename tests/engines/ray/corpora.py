"""A small mixed corpus with every kind of finding, for comparing engines."""

from __future__ import annotations

import json
from pathlib import Path

from tests.corpus_helpers import article, paragraph

JSONL_RECORDS = 120


def write_mixed_corpus(root: Path) -> None:
    """Markdown, text and one JSONL file of many records, with planted findings.

    Planted: exact and near copies across files and records, a repeated headline
    across files, a repeat inside one document, missing attribution, a suppressed
    finding, and bad JSONL lines (two with the same problem, so CL001 occurrence
    numbering across blocks is exercised).
    """
    shared, near = paragraph(1), paragraph(2)
    edited = near.replace("says the", "tells the", 1)
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "a.md").write_text(article("Harbour news tonight", [shared, near, paragraph(3)]))
    (docs / "b.md").write_text(article("Harbour news tonight", [paragraph(4), shared, edited]))
    (docs / "c.md").write_text(
        article("Council", [paragraph(5), paragraph(6), paragraph(5)], author="")
    )
    (docs / "d.md").write_text(
        article("Quiet", ["<!-- corpuslint: disable-next-line CL102 -->", shared, paragraph(7)])
    )
    (docs / "e.md").write_text(
        f"# Budget vote tonight\n\nBy Ana Ruiz\n\n# Budget vote tonight\n\n{paragraph(9)}\n"
    )
    (root / "notes.txt").write_text(
        f"Notes on the harbour\nNotes on the harbour\nBy Sam Lee\n\n{paragraph(8)}\n\n{shared}\n"
    )
    lines = []
    for number in range(JSONL_RECORDS):
        if number in (17, 61):
            lines.append("[1, 2]")
            continue
        if number == 40:
            lines.append('{"text": "unterminated')
            continue
        body = [paragraph(100 + number), paragraph(1000 + number % 7)]
        # Each copy stands in fewer than five documents: copies, not boilerplate.
        if number % 40 == 3:
            body.append(paragraph(12))
        if number % 40 == 11:
            body.append(edited)
        record = {
            "id": f"r{number}",
            "title": f"Record {number % 50}",
            "author": "Wire" if number % 9 else "",
            "text": "\n\n".join(body),
        }
        lines.append(json.dumps(record))
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n")
