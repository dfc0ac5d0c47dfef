"""Columns in a raw JSON line: where a field's string value is, and where its text falls.

JSON parsers return values without positions; findings in a JSONL record should still
point into the line. A regular-expression scan finds the field's string token (strings
are skipped whole, so long texts cost little), and walking its escapes maps offsets in
the decoded text back to columns of the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

# A JSON string, one structural character, or a number or literal.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


def value_token(line: str, path: Sequence[str]) -> tuple[int, int] | None:
    """Start and end offsets of the value at key ``path`` (a string's quotes included).

    For an object or a list value, the span is its opening bracket only. A key that
    occurs twice names its last value, the one the ``json`` module keeps.
    ``line`` must be valid JSON (it is scanned only after parsing succeeded).
    """
    return value_tokens(line).get(tuple(path))


def value_tokens(line: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """:func:`value_token` of every key path of ``line`` at once, in one scan.

    Values inside lists have no key path and are left out.
    """
    keys: list[str | None] = []  # at each open container, the key of the current value
    objects: list[bool] = []  # whether each open container is an object
    inside_list = 0  # open containers that are lists
    expect_key = False
    found: dict[tuple[str, ...], tuple[int, int]] = {}
    for match in _TOKEN.finditer(line):
        token = match.group()
        if not expect_key and not inside_list and token not in ("}", "]", ",", ":"):
            # Outside lists every open container's key is set here: no None among them.
            found[tuple(keys)] = match.start(), match.end()  # type: ignore[arg-type]
        if token in ("{", "["):
            objects.append(token == "{")
            keys.append(None)
            inside_list += token == "["
            expect_key = token == "{"
        elif token in ("}", "]"):
            inside_list -= not objects.pop()
            keys.pop()
            expect_key = False
        elif token == ",":
            expect_key = bool(objects) and objects[-1]
        elif token == ":":
            expect_key = False
        elif expect_key:
            keys[-1] = json.loads(token)
            expect_key = False
    return found


def offset_columns(line: str, token: tuple[int, int], offsets: Sequence[int]) -> list[int]:
    """1-based columns in ``line`` of ascending ``offsets`` into the token's decoded text."""
    raw, decoded = token[0] + 1, 0  # a raw position and the decoded offset it stands for
    columns: list[int] = []
    index = 0
    high_surrogate = False  # whether the escape just before is a high surrogate
    for match in _ESCAPE.finditer(line, token[0] + 1, token[1] - 1):
        escape_at = decoded + match.start() - raw
        while index < len(offsets) and offsets[index] <= escape_at:
            columns.append(raw + offsets[index] - decoded + 1)
            index += 1
        if index == len(offsets):
            return columns
        code = match.group(1)
        low = code is not None and 0xDC00 <= int(code, 16) <= 0xDFFF
        paired = low and high_surrogate and match.start() == raw  # right after the high one
        width = 0 if paired else 1  # a surrogate pair decodes to one char
        high_surrogate = not paired and code is not None and 0xD800 <= int(code, 16) <= 0xDBFF
        raw, decoded = match.end(), escape_at + width
    columns.extend(raw + offset - decoded + 1 for offset in offsets[index:])
    return columns
