"""JSONL reader: locations inside records, gzip, nested fields, and every kind of bad line."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corpuslint.cli import main
from corpuslint.model import Document, Problem
from corpuslint.readers.jsonl import JsonlReader, numbered_lines
from corpuslint.readers.records import paragraph_offsets

DATA = Path(__file__).parent / "data"


def run_json(path: Path, *extra: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "-q", *extra])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def summary(findings: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in findings]


def read(path: Path, **settings: Any) -> list[Document | Problem]:
    return list(JsonlReader(settings).read(path, path.name))


@pytest.fixture
def records(tmp_path: Path) -> Path:
    target = tmp_path / "records.jsonl"
    shutil.copy(DATA / "records.jsonl", target)
    return target


def test_findings_point_into_the_record_line(records: Path) -> None:
    findings = run_json(records)
    lines = records.read_text(encoding="utf-8").splitlines()
    repeat = next(f for f in findings if f["code"] == "CL101" and f["line"] == 1)
    second = "The vote was seven to two"
    # The finding's columns are those of the repeated paragraph's text in the raw line.
    assert repeat["column"] == lines[0].rindex(second) + 1
    assert repeat["related"][0] == {
        "path": repeat["path"],
        "line": 1,
        "column": lines[0].index(second) + 1,
    }
    assert lines[0][repeat["end_column"] - 2 : repeat["end_column"]] == '."'
    assert "line 1, paragraph 2" in repeat["message"]


def test_each_bad_line_is_one_problem_and_the_others_are_checked(records: Path) -> None:
    findings = run_json(records)
    assert [(code, line) for code, line, _ in summary(findings)] == [
        ("CL101", 1),
        ("CL301", 2),
        ("CL001", 3),
        ("CL001", 4),
        ("CL001", 5),
        ("CL001", 6),
        ("CL301", 8),
        ("CL101", 8),
    ]
    messages = {f["line"]: f["message"] for f in findings if f["code"] == "CL001"}
    assert messages[3].startswith("malformed JSON")
    assert "not a JSON object" in messages[4]
    assert "no 'text' field" in messages[5]
    assert "is a number, not a string" in messages[6]
    six = next(f for f in findings if f["code"] == "CL001" and f["line"] == 6)
    assert six["column"] == '{"id": "a6", "text": 42}'.index("42") + 1


def test_gzip_file_reads_like_plain(records: Path, tmp_path: Path) -> None:
    packed = tmp_path / "records.jsonl.gz"
    packed.write_bytes(gzip.compress(records.read_bytes()))
    plain = summary(run_json(records))
    assert summary(run_json(packed)) == plain


def test_truncated_gzip_reports_and_keeps_earlier_records(tmp_path: Path) -> None:
    body = "".join(
        json.dumps({"id": n, "text": f"Record number {n} has some words in it to read."}) + "\n"
        for n in range(2000)
    )
    packed = gzip.compress(body.encode())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    items = read(cut)
    documents = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert len(documents) > 100
    assert len(problems) == 1
    assert "gzip data truncated or corrupt" in problems[0].message
    assert problems[0].line == len(documents) + 1


def test_nested_attribution_and_dotted_title(tmp_path: Path) -> None:
    path = tmp_path / "nested.jsonl"
    shutil.copy(DATA / "records.jsonl", path)
    items = read(path, **{"title-field": "headline.main", "attribution-fields": ("meta.author",)})
    last = items[-1]
    assert isinstance(last, Document)
    assert last.headline is not None
    assert last.headline.text == "Nested title here"
    line = path.read_text(encoding="utf-8").splitlines()[7]
    assert last.headline.span.column == line.index("Nested title") + 1
    assert last.metadata["meta.author"] == {"name": "Ann Lee"}
    assert last.metadata["author"] == {"name": "Ann Lee"}
    assert last.record == "a8"


def test_reader_settings_from_config(tmp_path: Path) -> None:
    shutil.copy(DATA / "records.jsonl", tmp_path / "records.jsonl")
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.corpuslint.jsonl]\nattribution-fields = ["meta.author", "author"]\n',
        encoding="utf-8",
    )
    findings = run_json(tmp_path / "records.jsonl", "--config", str(config))
    # Record 8 credits meta.author now; record 2 still credits nobody.
    assert [f["line"] for f in findings if f["code"] == "CL301"] == [2]


def test_custom_attribution_field_needs_matching_metadata_key(tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    path.write_text(
        json.dumps({"text": "A paragraph that is long enough to be prose here.", "w": "Al"}) + "\n",
        encoding="utf-8",
    )
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.corpuslint.jsonl]\nattribution-fields = ["w"]\n'
        '[tool.corpuslint.rules.missing-attribution]\nmetadata-keys = ["w"]\n',
        encoding="utf-8",
    )
    assert run_json(path, "--config", str(config)) == []


def test_unknown_reader_setting_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.corpuslint.jsonl]\ntext-feild = "body"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "a.jsonl"), "--config", str(config)])
    assert result.exit_code == 2
    assert "text-feild" in result.output


def test_record_longer_than_the_limit_is_skipped_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = json.dumps({"text": "word " * 300_000})  # about 1.5 MB on one line
    small = json.dumps({"text": "A short record that follows the big one, by Ann."})
    path.write_text(f"{big}\n{small}\n", encoding="utf-8")
    items = read(path, **{"max-record-mb": 1})
    assert isinstance(items[0], Problem)
    assert items[0].line == 1
    assert "max-record-mb" in items[0].message
    assert isinstance(items[1], Document)
    assert items[1].blocks[0].span.line == 2


def test_large_record_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "large.jsonl"
    paragraphs = [
        f"Paragraph {n} of a very long record, with several words." for n in range(50_000)
    ]
    path.write_text(json.dumps({"text": "\n\n".join(paragraphs)}) + "\n", encoding="utf-8")
    (document,) = read(path)
    assert isinstance(document, Document)
    assert len(document.blocks) == 50_000
    assert document.blocks[-1].label == "line 1, paragraph 50000"


def test_lines_are_read_in_bounded_pieces() -> None:
    class Source:
        def __init__(self) -> None:
            self.data = b"x" * 100 + b"\nok\n"
            self.requests: list[int] = []

        def readline(self, size: int = -1, /) -> bytes:
            self.requests.append(size)
            piece, self.data = self.data[:size], self.data[size:]
            line, sep, rest = piece.partition(b"\n")
            self.data = rest + self.data
            return line + sep

    source = Source()
    assert list(numbered_lines(source, 10)) == [(1, None), (2, b"ok\n")]
    assert max(source.requests) <= 1 << 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one\n\ntwo\nmore\n\n\nthree", ["one", "two\nmore", "three"]),
        ("one\ntwo\r\nthree", ["one", "two", "three"]),
        ("  lead  \n \n tail ", ["lead", "tail"]),
        ("", []),
    ],
)
def test_paragraphs_split_on_blank_lines_else_lines(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in paragraph_offsets(text)] == expected


def test_invalid_utf8_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n{"text": "fine text, by Ann"}\n')
    first, second = read(path)
    assert isinstance(first, Problem)
    assert (first.line, first.column) == (1, 14)
    assert isinstance(second, Document)
