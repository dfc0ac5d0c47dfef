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


def test_only_the_configured_columns_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"text": "Words.", "title": "T", "author": "Ann", "embedding": [0.5] * 64, "x": 1}]
    path = write(tmp_path / "wide.parquet", rows)
    asked: list[list[str]] = []
    iter_batches = pq.ParquetFile.iter_batches

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(list(kwargs["columns"]))
        return iter_batches(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    (document,) = ParquetReader().read(path, "wide.parquet")
    assert isinstance(document, Document)
    assert asked == [["text", "title", "author"]]


def test_hive_partition_folders_are_fields(tmp_path: Path) -> None:
    folder = tmp_path / "source=wire" / "date=2023-05-01"
    folder.mkdir(parents=True)
    path = write(folder / "part-0.parquet", [{"text": "Words of a wire story."}])
    settings = {"attribution-fields": ("source",)}
    display = "news/source=wire/date=2023-05-01/part-0.parquet"
    (document,) = ParquetReader(settings).read(path, display)
    assert isinstance(document, Document)
    assert document.date == "2023-05-01"
    assert document.metadata["source"] == "wire"
    # A column of the same name wins over the folder, and a null partition is no value.
    path = write(folder / "part-1.parquet", [{"text": "More words.", "date": "2020-01-02"}])
    display = "news/source=__HIVE_DEFAULT_PARTITION__/date=2023-05-01/part-1.parquet"
    (document,) = ParquetReader(settings).read(path, display)
    assert isinstance(document, Document)
    assert document.date == "2020-01-02"
    assert "source" not in document.metadata


def test_a_hive_dataset_is_one_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = "The harbour authority confirmed the new ferry timetable starts in the spring."
    for year, author in (("2022", "Ann"), ("2023", None)):
        folder = tmp_path / "data" / f"year={year}"
        folder.mkdir(parents=True)
        rows = [{"text": f"Opening of {year}.\n\n{shared}", "author": author}]
        write(folder / "part-0.parquet", rows)
    (tmp_path / "corpuslint.toml").touch()
    monkeypatch.chdir(tmp_path)
    findings = run_json(Path("data"))
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [
        ("CL102", "data/year=2023/part-0.parquet", 1),
        ("CL301", "data/year=2023/part-0.parquet", 1),
    ]


def test_row_groups_read_apart_keep_their_row_numbers(tmp_path: Path) -> None:
    rows = [{"text": f"Row {n} text, by Ann."} for n in range(25)]
    path = write(tmp_path / "many.parquet", rows, row_group_size=7)
    reader = ParquetReader()
    assert reader.row_groups(path) == 4
    parts = [list(reader.read_groups(path, "many.parquet", a, a + 2)) for a in (0, 2)]
    lines = [d.blocks[0].span.line for part in parts for d in part if isinstance(d, Document)]
    assert lines == list(range(1, 26))
    missing = write(tmp_path / "notext.parquet", [{"body": "x"}] * 20, row_group_size=5)
    assert len(list(reader.read_groups(missing, "notext.parquet", 0, 2))) == 1
    assert list(reader.read_groups(missing, "notext.parquet", 2, 4)) == []  # said once
