"""Resource budgets of the readers: each hostile input is one CL001 naming the budget.

Every bomb here is sized just past a budget set low in the test, so the tests stay small:
a compression bomb is a few megabytes of zeros, a "huge" file is sparse.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corpuslint.model import Document, Problem
from corpuslint.readers import limits
from corpuslint.readers.base import ReadError
from corpuslint.readers.html import HtmlReader, parse_html
from corpuslint.readers.jsonl import JsonlReader
from corpuslint.readers.markdown import MarkdownReader, parse_markdown
from corpuslint.readers.text import TextReader
from tests.helpers import LONG_A, Run, write

CLI = Callable[..., Run]
MB = 1 << 20
RECORD = json.dumps({"text": LONG_A, "author": "Jane Doe"})


def jsonl(path: Path, **settings: Any) -> list[Document | Problem]:
    return list(JsonlReader(settings).read(path, path.name))


def problems(items: list[Document | Problem]) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def documents(items: list[Document | Problem]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


# Compressed inputs: inflated size and ratio, checked while streaming.


def test_gzip_bomb_stops_at_max_inflated_mb(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(RECORD.encode() + b"\n" + b" " * (3 * MB) + b"\n"))
    tracemalloc.start()
    try:
        items = jsonl(bomb, **{"max-inflated-mb": 1})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (problem,) = problems(items)
    assert len(documents(items)) == 1  # the record before the cap is checked
    assert problem.line == 2
    assert "max-inflated-mb (1 MB)" in problem.message
    assert "[tool.corpuslint.jsonl] max-inflated-mb" in problem.message
    assert peak < 3 * MB  # reading stopped at the cap, it did not inflate the 3 MB line


def test_blank_line_bomb_stops_at_the_inflation_ratio(tmp_path: Path) -> None:
    # Blank lines compress a thousand times: this is what a 10 GB bomb starts with.
    bomb = tmp_path / "blank.jsonl.gz"
    bomb.write_bytes(gzip.compress(RECORD.encode() + b"\n" + b"\n" * (6 * MB)))
    items = jsonl(bomb)
    (problem,) = problems(items)
    assert "max-inflation-ratio (200 times" in problem.message
    assert "[tool.corpuslint.jsonl] max-inflation-ratio" in problem.message
    assert len(documents(items)) == 1


def test_compressible_file_under_the_ratio_floor_is_read(tmp_path: Path) -> None:
    body = (RECORD + "\n") * 1000 + "\n" * MB  # far over 200:1, but under the floor
    path = tmp_path / "fine.jsonl.gz"
    path.write_bytes(gzip.compress(body.encode()))
    items = jsonl(path)
    assert not problems(items)
    assert len(documents(items)) == 1000


def test_inflation_budget_is_a_finding_in_a_run(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text("[jsonl]\nmax-inflated-mb = 1\n", encoding="utf-8")
    write(project, {"bomb.jsonl.gz": gzip.compress(b"\n" * (2 * MB))})
    run = cli("check", "bomb.jsonl.gz", "--no-cache")
    assert run.findings() == ["bomb.jsonl.gz:1048577:1: CL001"]  # after 1 MB of lines
    assert run.exit_code == 1


# Whole-file formats: the size on disk, before reading.


@pytest.mark.parametrize("name", ["big.txt", "big.md", "big.html"])
def test_file_over_max_file_mb_is_refused_before_reading(
    project: Path, cli: CLI, name: str
) -> None:
    fmt = {"txt": "text", "md": "markdown", "html": "html"}[name.rsplit(".", 1)[1]]
    (project / "corpuslint.toml").write_text(f"[{fmt}]\nmax-file-mb = 1\n", encoding="utf-8")
    with (project / name).open("wb") as handle:
        handle.truncate(4 << 30)  # sparse: reading it would take 4 GB of memory
    run = cli("check", name, "--no-cache")
    message = (
        f"{name}:1:1: CL001 [error] file is 4096 MB, over max-file-mb (1 MB); not read"
        f" (raise [tool.corpuslint.{fmt}] max-file-mb to check it)"
    )
    assert run.stdout.splitlines() == [message]
    assert run.exit_code == 1


def test_default_file_budget_is_64_mb(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(64 * MB + 1)
    with pytest.raises(ReadError, match=r"over max-file-mb \(64 MB\)"):
        list(TextReader().read(path, "big.txt"))
    small = tmp_path / "ok.txt"
    small.write_text(LONG_A, encoding="utf-8")
    assert [type(i) for i in TextReader({"max-file-mb": 1}).read(small, "ok.txt")] == [Document]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_file_longer_than_its_size_says_is_held_to_the_budget() -> None:
    # A device reports size 0 and never ends: read up to one byte past the budget.
    with pytest.raises(ReadError, match=r"file is 1\.0 MB, over max-file-mb \(1 MB\)"):
        limits.read_file(Path("/dev/zero"), {"max-file-mb": 1}, "text")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no procfs here")
def test_a_file_whose_size_says_zero_is_read_whole() -> None:
    data = limits.read_file(Path("/proc/self/status"), {"max-file-mb": 1}, "text")
    assert b"\nPid:" in data
    assert data.endswith(b"\n")


def test_a_small_file_is_read_without_allocating_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"x" * 5000)
    tracemalloc.start()
    try:
        data = limits.read_file(path, {"max-file-mb": 64}, "markdown")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == b"x" * 5000
    assert peak < MB  # not the 64 MB budget


def test_bytes_already_read_are_held_to_the_budget_too() -> None:
    data = b"x" * (MB + 1)
    for reader in (MarkdownReader({"max-file-mb": 1}), HtmlReader({"max-file-mb": 1})):
        with pytest.raises(ReadError, match="max-file-mb"):
            list(reader.parse(data, "a"))


# Nesting depth: measured without recursion, before a recursive parser sees it.


def test_deep_jsonl_record_is_one_finding_and_the_next_record_is_read(tmp_path: Path) -> None:
    deep = '{"text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "deep.jsonl"
    path.write_text(f"{RECORD}\n{deep}\n{RECORD}\n", encoding="utf-8")
    items = jsonl(path)
    (problem,) = problems(items)
    assert (problem.line, problem.column) == (2, 20 + 63)  # the 65th level, after {
    assert "JSON nested deeper than max-depth (64)" in problem.message
    assert len(documents(items)) == 2


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": "[" * 500 + "{" * 500}) + "\n", encoding="utf-8")
    assert not problems(jsonl(path))
    assert limits.bracket_depth('["\\"[[[", [[]]]', 2) == 11
    assert limits.bracket_depth('["\\"[[[", [[]]]', 3) is None


def front(text: str, **options: Any) -> Document:
    return parse_markdown(text + "\n\nBody paragraph.\n", "a.md", options)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("a: " + "[" * 5000 + "]" * 5000, id="yaml-flow-past-libyaml"),
        pytest.param("a: " + "[" * 70 + "]" * 70, id="yaml-flow"),
        pytest.param(
            "\n".join(" " * i + f"k{i}:" for i in range(70)) + " 1",
            id="yaml-block",
        ),
        pytest.param("a:\n" + "- " * 70 + "x", id="yaml-compact-sequences"),
    ],
)
def test_deep_yaml_front_matter_is_a_read_error(body: str) -> None:
    with pytest.raises(ReadError, match="nest"):
        front(f"---\n{body}\n---")


def test_yaml_front_matter_within_the_depth_budget_reads() -> None:
    body = "\n".join(" " * i + f"k{i}:" for i in range(10)) + " 1"
    assert front(f"---\ntitle: T\n{body}\n---").metadata["k0"]["k1"]["k2"]
    assert front("---\na: " + "[" * 70 + "]" * 70 + "\n---", **{"max-depth": 80})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("a = " + "[" * 5000 + "]" * 5000, id="toml-arrays"),
        pytest.param("a = " + "{b = " * 70 + "1" + "}" * 70, id="toml-inline-tables"),
        pytest.param("a" + ".a" * 100 + " = 1", id="toml-dotted-keys"),
    ],
)
def test_deep_toml_front_matter_is_a_read_error(body: str) -> None:
    with pytest.raises(ReadError, match="TOML front matter nested deeper than max-depth"):
        front(f"+++\n{body}\n+++")


def test_toml_brackets_in_strings_and_comments_do_not_count() -> None:
    body = 'a = "' + "[" * 100 + "\"\nb = '" + "{" * 100 + "' # " + "[" * 100
    assert front(f"+++\n{body}\n+++").metadata["a"] == "[" * 100


def test_deep_html_is_a_finding_not_silently_dropped() -> None:
    page = (
        "<html><body><p>Before the deep part.</p>\n"
        + "<div>" * 300
        + "<p>Deep.</p>"
        + "</div>" * 300
        + "<p>After the deep part.</p></body></html>"
    ).encode()
    with pytest.raises(ReadError, match=r"nested deeper than max-depth \(256\)") as raised:
        parse_html(page, "deep.html")
    assert raised.value.line == 2
    document = parse_html(page, "deep.html", {"max-depth": 400})
    assert [b.text for b in document.blocks] == [
        "Before the deep part.",
        "Deep.",
        "After the deep part.",
    ]


def test_html_past_the_parser_limit_is_a_finding() -> None:
    page = ("<html><body>" + "<div>" * 3000 + "x" + "</div>" * 3000 + "</body></html>").encode()
    with pytest.raises(ReadError, match="HTML past the parser's limits: Excessive depth"):
        parse_html(page, "deep.html", {"max-depth": 1024})


def test_text_node_over_10_mb_is_read() -> None:
    # libxml2 drops the rest of a page after 10 MB of text without huge_tree.
    page = b"<html><body><p>" + b"a " * (6 * MB) + b"</p><p>After the big text.</p></body></html>"
    document = parse_html(page, "big.html")
    assert document.blocks[-1].text == "After the big text."


def test_deep_json_ld_is_a_finding_and_the_page_is_read() -> None:
    ld = "[" * 100_000 + "]" * 100_000
    page = (
        '<html><head>\n<script type="application/ld+json">'
        + ld
        + "</script></head><body><p>Hello there, world of pages.</p></body></html>"
    ).encode()
    items = list(HtmlReader().parse(page, "ld.html"))
    (problem,) = problems(items)  # type: ignore[arg-type]
    assert problem.line == 2
    assert "JSON-LD script left out: JSON nested deeper than max-depth (256)" in problem.message
    (document,) = documents(items)  # type: ignore[arg-type]
    assert [b.text for b in document.blocks] == ["Hello there, world of pages."]


# Integer size: refused before Python's own conversion limit raises.


@pytest.mark.parametrize("digits", [1001, 5001])
def test_long_integer_in_yaml_front_matter(digits: int) -> None:
    with pytest.raises(ReadError, match=f"integer of {digits} digits, over max-int-digits"):
        front("---\ntitle: T\nn: " + "9" * digits + "\n---")


@pytest.mark.parametrize("digits", [1001, 5001])
def test_long_integer_in_toml_front_matter(digits: int) -> None:
    with pytest.raises(ReadError, match="TOML front matter"):
        front("+++\ntitle = 'T'\nn = " + "9" * digits + "\n+++")


def test_long_integer_in_a_jsonl_record(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(f'{{"text": "x", "n": {"9" * 5001}}}\n{RECORD}\n', encoding="utf-8")
    items = jsonl(path, **{"max-int-digits": 100})
    (problem,) = problems(items)
    assert problem.line == 1
    assert "integer of 5001 digits, over max-int-digits (100)" in problem.message
    assert len(documents(items)) == 1
    # Digits inside a string are text, not an integer.
    path.write_text(json.dumps({"text": "9" * 5001}) + "\n", encoding="utf-8")
    assert not problems(jsonl(path, **{"max-int-digits": 100}))


# Parquet: a row group's size by its metadata, before it is read.


def test_parquet_row_group_over_budget_is_skipped_with_a_finding(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from corpuslint.readers.parquet import ParquetReader

    path = tmp_path / "bomb.parquet"
    with pq.ParquetWriter(path, pa.schema([("text", pa.string())]), compression="zstd") as out:
        out.write_table(pa.table({"text": ["a" * (2 * MB)]}))
        out.write_table(pa.table({"text": [LONG_A, LONG_A]}))
    assert path.stat().st_size < 64 << 10
    items = list(ParquetReader({"max-row-group-mb": 1}).read(path, "bomb.parquet"))
    (problem,) = problems(items)  # type: ignore[arg-type]
    assert problem.line == 1
    assert "row group 1 (rows 1 to 1) is 2 MB uncompressed, over max-row-group-mb (1 MB)" in (
        problem.message
    )
    assert [d.record for d in documents(items)] == ["row 2", "row 3"]  # type: ignore[arg-type]
    assert not problems(list(ParquetReader().read(path, "bomb.parquet")))


# Settings: validated like every reader option.


def test_budgets_are_validated_settings(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text("[jsonl]\nmax-depth = 0\n", encoding="utf-8")
    write(project, {"a.jsonl": RECORD + "\n"})
    run = cli("check", "a.jsonl", "--no-cache")
    assert "jsonl: option 'max-depth' is at least 1, not 0" in run.stderr
    assert run.exit_code == 2
