"""Parquet reader: rows as locations, nested fields, batches, and unreadable files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corpuslint.cli import main
from corpuslint.model import Document, Problem
from corpuslint.readers import parquet as parquet_module
from corpuslint.readers.parquet import ParquetReader

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

REPEATED = "The vote was seven to two, with the mayor casting the deciding ballot in favour."
ROWS = [
    {"id": "r1", "title": "Budget", "author": "Jane Doe", "text": f"Opening words.\n\n{REPEATED}"},
    {"id": "r2", "title": "Rain", "author": None, "text": "Rain is expected all week, they said."},
    {"id": "r3", "title": "Vote", "author": "Ann Lee", "text": f"{REPEATED}\n\nNew.\n\n{REPEATED}"},
    {"id": "r4", "title": "Null", "author": "Ann Lee", "text": None},
]


def write(path: Path, rows: list[dict[str, Any]], **options: Any) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, **options)
    return path


def run_json(path: Path, *extra: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "-q", *extra])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def test_findings_name_the_row(tmp_path: Path) -> None:
    findings = run_json(write(tmp_path / "rows.parquet", ROWS))
    findings = [f for f in findings if f["code"] in ("CL001", "CL101", "CL301")]
    assert [(f["code"], f["line"]) for f in findings] == [
        ("CL301", 2),
        ("CL101", 3),
        ("CL001", 4),
    ]
    assert "row 3, paragraph 1" in findings[1]["message"]
    assert "'text' is null" in findings[2]["message"]


def test_rows_are_counted_across_batches_and_row_groups(tmp_path: Path) -> None:
    rows = [{"text": f"Row {n} text, by Ann."} for n in range(25)]
    path = write(tmp_path / "many.parquet", rows, row_group_size=7)
    documents = list(ParquetReader({"batch-size": 4}).read(path, "many.parquet"))
    assert [d.blocks[0].span.line for d in documents if isinstance(d, Document)] == list(
        range(1, 26)
    )
    assert documents[-1].record == "row 25"  # type: ignore[union-attr]


def test_nested_struct_fields(tmp_path: Path) -> None:
    rows = [{"body": {"text": "Some prose here."}, "meta": {"author": "Jane", "title": "T"}}]
    path = write(tmp_path / "nested.parquet", rows)
    settings = {
        "text-field": "body.text",
        "title-field": "meta.title",
        "attribution-fields": ("meta.author",),
    }
    (document,) = ParquetReader(settings).read(path, "nested.parquet")
    assert isinstance(document, Document)
    assert document.headline is not None
    assert document.headline.text == "T"
    assert document.metadata["author"] == "Jane"
    assert document.blocks[0].label == "row 1, paragraph 1"


def test_missing_text_column_is_one_clear_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "notext.parquet", [{"body": "x", "id": 1}])
    (problem,) = ParquetReader().read(path, "notext.parquet")
    assert isinstance(problem, Problem)
    assert "no column 'text'" in problem.message
    assert "body, id" in problem.message


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"this is not parquet at all")
    (problem,) = ParquetReader().read(path, "fake.parquet")
    assert isinstance(problem, Problem)
    assert "not a readable Parquet file" in problem.message


def test_missing_pyarrow_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "rows.parquet", ROWS)
    monkeypatch.setattr(parquet_module, "_pyarrow_parquet", lambda: None)
    (problem,) = ParquetReader().read(path, "rows.parquet")
    assert isinstance(problem, Problem)
    assert "pip install 'corpus-lint[parquet]'" in problem.message
