"""Large files read in parts by the local pool: the same findings as a one-process read.

Each case checks one file with ``--jobs 1`` (read whole) and ``--jobs 2`` with a tiny
block size (read in many parts) and compares the JSON output, CL001 occurrence numbers
included (problems repeated across parts are numbered in file order).
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from corpuslint.engines.local import document_pass, split
from tests.helpers import run_cli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")

BAD = b'{"text": "unterminated\n'  # the same malformed line, so the same CL001 message


def sentence(seed: int) -> str:
    """A sentence of made-up words, far from every other seed's."""
    rng = random.Random(seed)
    words = ["".join(rng.choices("abcdefghijklmnoprstuvw", k=rng.randint(3, 9))) for _ in range(14)]
    return " ".join(words).capitalize() + "."


def records(count: int) -> bytes:
    """JSONL with exact and near copies, missing authors and repeated malformed lines."""
    lines = []
    for n in range(count):
        if n % 17 == 5:
            lines.append(BAD)
            continue
        if n % 23 == 7:
            lines.append(b"\n")  # a blank line still counts
            continue
        own, shared = sentence(1000 + n), sentence(n % (count // 2))  # shared by two records
        body = f"{own}\n\n{shared}"
        if n % 3 == 0:
            body += f"\n\n{own}"
        record: dict[str, Any] = {"id": f"r{n}", "title": f"Headline {n % 9}", "text": body}
        if n % 4:
            record["author"] = "Ann Lee"
        lines.append(json.dumps(record).encode() + b"\n")
    return b"".join(lines)


def check(path: Path, jobs: int) -> list[dict[str, Any]]:
    (path.parent / "corpuslint.toml").touch()  # the project: nothing above it is read
    result = run_cli("check", str(path), "--format", "json", "--no-cache", "--jobs", str(jobs))
    assert result.exit_code == 1, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


@pytest.fixture
def parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A block size of 1 kB (so the test files are read in tens of parts); the kinds used."""
    monkeypatch.setattr(split, "BLOCK_BYTES", 1024)
    monkeypatch.setattr(split, "STREAM_BYTES", 700)
    used: list[str] = []
    plan = split.plan

    def noting(*args: Any) -> dict[int, split.Split]:
        found = plan(*args)
        used.extend(s.kind for s in found.values())
        return found

    monkeypatch.setattr(split, "plan", noting)
    return used


def same(alone: list[dict[str, Any]], parted: list[dict[str, Any]]) -> None:
    assert parted == alone
    codes = {f["code"] for f in alone}
    assert {"CL001", "CL101", "CL102", "CL301"} <= codes, codes
    repeated = [f for f in alone if f["code"] == "CL001"]
    assert len(repeated) > 5  # identical problems in many parts, told apart by occurrence
    assert len({f.get("fingerprint") for f in repeated}) == len(repeated)


def test_jsonl_in_byte_ranges(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(records(200))
    same(check(path, 1), check(path, 2))
    assert parts == ["lines"]


def test_gzip_stream_in_batches_of_lines(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(records(200)))
    same(check(path, 1), check(path, 2))
    assert parts == ["stream"]


def test_truncated_gzip_is_reported_where_a_whole_read_reports_it(
    tmp_path: Path, parts: list[str]
) -> None:
    data = gzip.compress(records(200))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    alone = check(path, 1)
    assert any("truncated or corrupt" in f["message"] for f in alone)
    assert check(path, 2) == alone
    assert parts == ["stream"]


def test_parquet_in_row_groups(tmp_path: Path, parts: list[str]) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [json.loads(line) for line in records(200).splitlines() if line.startswith(b'{"id')]
    path = tmp_path / "big.parquet"
    table = pa.Table.from_pylist([{"author": None, **r} for r in rows])
    pq.write_table(table, path, row_group_size=16)
    alone = check(path, 1)
    assert check(path, 2) == alone
    assert {"CL101", "CL102", "CL301"} <= {f["code"] for f in alone}
    assert parts == ["groups"]


def test_a_split_file_is_cached_as_one_entry(
    tmp_path: Path, parts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(records(120))
    monkeypatch.chdir(tmp_path)
    uncached = check(path, 1)

    def cached_run() -> list[dict[str, Any]]:
        result = run_cli("check", str(path), "--format", "json", "--jobs", "2")
        found: list[dict[str, Any]] = json.loads(result.stdout)
        return found

    assert cached_run() == uncached  # stored from the parts
    assert parts == ["lines"]
    assert cached_run() == uncached  # read back from the cache: nothing is split
    assert parts == ["lines"]


def test_small_files_are_not_split(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "small.jsonl"
    path.write_bytes(records(3))
    assert len(path.read_bytes()) < split.BLOCK_BYTES
    check(path, 2)
    assert parts == []
    assert document_pass.PARALLEL_MIN_FILES > 1
