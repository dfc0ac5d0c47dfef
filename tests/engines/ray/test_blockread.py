"""Blocks of a line-based file: every line read once, by the block it starts in, numbered."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint.engines.ray.blockread import open_block
from corpuslint.engines.ray.driver import count_breaks
from corpuslint.engines.ray.units import Unit, blocks, first_lines

LINES = st.lists(
    st.sampled_from(["", "a", "record", "x" * 300, "\r", "é", '{"text": "hi"}']), max_size=40
)


def read_in_blocks(data: bytes, path: Path, size: int) -> list[tuple[int, bytes]]:
    """(number, line) of every line, read block by block as the Ray engine does."""
    path.write_bytes(data)
    whole = Unit(str(path), "f.jsonl", "f.jsonl", True, len(data))
    units = blocks([whole], size)
    breaks = [count_breaks(u.location, u.start, u.end) if u.end else 0 for u in units]
    found = []
    for unit in first_lines(units, breaks):
        with path.open("rb") as handle:
            start, end = unit.start, unit.end if unit.end is not None else len(data)
            lines, number = open_block(handle, start, end, unit.first_line)
            while line := lines.readline():
                found.append((number, line))
                number += 1
    return found


@settings(max_examples=200, deadline=None)
@given(lines=LINES, size=st.integers(min_value=1, max_value=400), final=st.booleans())
def test_every_line_is_read_once_with_its_number(
    tmp_path_factory: object, lines: list[str], size: int, final: bool
) -> None:
    data = "\n".join(lines).encode() + (b"\n" if final and lines else b"")
    path = tmp_path_factory.mktemp("blocks") / "f.jsonl"  # type: ignore[attr-defined]
    expected = list(enumerate(io.BytesIO(data).readlines(), start=1))
    assert read_in_blocks(data, path, size) == expected


def test_a_line_longer_than_a_block_is_read_whole_by_the_block_it_starts_in(
    tmp_path: Path,
) -> None:
    data = b"short\n" + b"y" * 5000 + b"\nlast\n"
    found = read_in_blocks(data, tmp_path / "f.jsonl", 1000)
    assert found == [(1, b"short\n"), (2, b"y" * 5000 + b"\n"), (3, b"last\n")]


def test_only_plain_jsonl_files_over_the_block_size_are_split() -> None:
    units = [
        Unit("big.jsonl", "big.jsonl", "big.jsonl", True, 2500),
        Unit("big.jsonl.gz", "big.jsonl.gz", "big.jsonl.gz", True, 2500),
        Unit("big.md", "big.md", "big.md", True, 2500),
        Unit("small.ndjson", "small.ndjson", "small.ndjson", True, 900),
    ]
    split = blocks(units, 1000)
    assert [(u.display, u.start, u.end) for u in split] == [
        ("big.jsonl", 0, 1000),
        ("big.jsonl", 1000, 2000),
        ("big.jsonl", 2000, 2500),
        ("big.jsonl.gz", 0, None),
        ("big.md", 0, None),
        ("small.ndjson", 0, None),
    ]
