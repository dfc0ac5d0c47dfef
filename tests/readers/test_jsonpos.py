"""Where a field's value is in a raw JSON line: every key path, in one scan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from corpuslint.readers.jsonpos import offset_columns, value_token, value_tokens

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


def key_paths(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every value reachable through object keys alone, with its key path."""
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from key_paths(inner, (*path, key))


@given(st.dictionaries(st.text(max_size=5), VALUES), st.booleans(), st.booleans())
def test_every_key_path_points_at_its_value(
    record: dict[str, Any], ascii: bool, tight: bool
) -> None:
    separators = (",", ":") if tight else (", ", ": ")
    line = json.dumps(record, ensure_ascii=ascii, separators=separators)
    tokens = value_tokens(line)
    for path, value in key_paths(record):
        start, end = tokens[path]
        assert value_token(line, path) == (start, end)
        if isinstance(value, dict):
            assert line[start] == "{"
        elif isinstance(value, list):
            assert line[start] == "["
        else:
            assert json.loads(line[start:end]) == value
    assert len(tokens) == len(list(key_paths(record)))  # nothing from inside lists


def test_a_repeated_key_names_its_last_value_and_lists_have_no_paths() -> None:
    line = '{"title": "First", "tags": [{"title": "inside"}], "title": "Last \\u00e9"}'
    tokens = value_tokens(line)
    start, end = tokens[("title",)]
    assert json.loads(line[start:end]) == json.loads(line)["title"] == "Last é"
    assert set(tokens) == {(), ("title",), ("tags",)}
    # Columns of the decoded text's offsets: "é" is six characters in the line.
    assert offset_columns(line, (start, end), [0, 5, 6]) == [start + 2, start + 7, start + 13]
