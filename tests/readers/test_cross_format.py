"""CL102 across formats: a paragraph shared by a JSONL record and a Markdown article."""

from __future__ import annotations

import json
from pathlib import Path

from tests.corpus_helpers import article, paragraph, run, summary


def test_paragraph_shared_by_jsonl_record_and_markdown(tmp_path: Path) -> None:
    shared = paragraph(1)
    (tmp_path / "a-article.md").write_text(article("Article", [paragraph(2), shared]))
    records = [
        {"id": "r1", "title": "First", "author": "A", "text": paragraph(3)},
        {"id": "r2", "title": "Second", "author": "B", "text": f"{paragraph(4)}\n\n{shared}"},
    ]
    feed = tmp_path / "b-feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run(tmp_path, select="CL102")
    assert summary(result) == [("CL102", "b-feed.jsonl", 2, "a-article.md", 8)]
    # Checked alone, the feed is still compared with the article and flagged.
    assert summary(run(tmp_path, ["b-feed.jsonl"], select="CL102")) == summary(result)
    # The other way round: the record is the original of a Markdown copy.
    alone = run(tmp_path, ["a-article.md"], select="CL102")
    assert [(v.path, v.related[0].path, v.related[0].line) for v in alone.violations] == [
        ("a-article.md", "b-feed.jsonl", 2)
    ]
    assert "b-feed.jsonl (line 2, paragraph 2)" in alone.violations[0].message
