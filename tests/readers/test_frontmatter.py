"""Front matter: YAML and TOML, where keys are, and malformed blocks as ReadErrors."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.readers.base import ReadError, decode, split_lines
from corpuslint.readers.frontmatter import split_front_matter


def lines(text: str) -> list[str]:
    return split_lines(text)


def test_no_front_matter() -> None:
    assert split_front_matter(lines("# Title\n---\n")) is None
    assert split_front_matter([]) is None
    assert split_front_matter(lines(" ---\ntitle: x\n---\n")) is None


def test_yaml() -> None:
    front = split_front_matter(lines("---\ntitle: T\nauthor:\n  - Jane\ndate: 2024-01-02\n---\nx"))
    assert front is not None
    assert front.data["title"] == "T"
    assert front.data["author"] == ["Jane"]
    assert front.end == 5
    assert front.key_lines == {"title": 2, "author": 3, "date": 5}


def test_yaml_closed_with_dots() -> None:
    front = split_front_matter(lines("---\ntitle: T\n...\nbody"))
    assert front is not None
    assert (front.data, front.end) == ({"title": "T"}, 2)


def test_toml() -> None:
    front = split_front_matter(lines('+++\ntitle = "T"\n"quoted key" = 1\n[extra]\nx = 2\n+++\n'))
    assert front is not None
    assert front.data == {"title": "T", "quoted key": 1, "extra": {"x": 2}}
    assert front.end == 5
    assert front.key_lines["title"] == 2
    assert front.key_lines["quoted key"] == 3


def test_empty_front_matter() -> None:
    front = split_front_matter(lines("---\n---\nbody"))
    assert front is not None
    assert (front.data, front.end) == ({}, 1)


def test_crlf_front_matter() -> None:
    front = split_front_matter(lines("---\r\ntitle: T\r\n---\r\nbody"))
    assert front is not None
    assert front.data == {"title": "T"}


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("---\ntitle: T\n", "YAML front matter opened on line 1 is never closed", 1, 1),
        ("+++\ntitle = 1\n", "TOML front matter opened on line 1 is never closed", 1, 1),
        ("---\ntitle: [a\n---\n", "malformed YAML front matter: expected ',' or ']'", 2, 10),
        ("---\na: 1\nb: : 2\n---\n", "malformed YAML front matter:", 3, 4),
        ("+++\ntitle = 'T'\nauthor = \n+++\n", "malformed TOML front matter: Invalid value", 3, 10),
        ("+++\ntitle = 'T'\ntitle = 'U'\n+++\n", "malformed TOML front matter:", 3, 12),
        ("---\n- a\n- b\n---\n", "front matter is a list, not a mapping of keys", 2, 1),
        ("---\njust text\n---\n", "front matter is a str, not a mapping of keys", 2, 1),
    ],
)
def test_malformed(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ReadError) as info:
        split_front_matter(lines(text))
    assert info.value.message.startswith(message)
    assert (info.value.line, info.value.column) == (line, column)
    assert "at line" not in info.value.message  # positions are the file's, in the finding


def test_decode() -> None:
    assert decode(b"\xef\xbb\xbfhello") == "hello"
    assert decode("caf\u00e9".encode()) == "caf\u00e9"
    with pytest.raises(ReadError, match="binary file"):
        decode(b"abc\x00def")
    with pytest.raises(ReadError) as info:
        decode(b"line one\nline \xff two")
    assert (info.value.line, info.value.column) == (2, 6)


def test_split_lines_only_on_line_breaks() -> None:
    assert split_lines("a\r\nb\rc\nd\u2028e") == ["a", "b", "c", "d\u2028e"]
    assert split_lines("a\nb\u2028\x85\x0c\n") == ["a", "b\u2028\x85\x0c", ""]  # no CR


@given(st.text(st.sampled_from("ab \r\n\u2028\x85\x0b")))
def test_split_lines_is_the_line_break_pattern_with_or_without_a_cr(text: str) -> None:
    assert split_lines(text) == re.split(r"\r\n|\r|\n", text)
