"""What record-based readers (JSONL, Parquet) share: field settings and record → document.

A record is a mapping (a parsed JSON object, a Parquet row); its fields are named by
dotted paths (``meta.author``) so nested data needs no preprocessing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpuslint.model import Block, BlockKind, Document, Problem, Span
from corpuslint.options import Option
from corpuslint.readers import dates
from corpuslint.similarity.normalize import collapse, normalize

ATTRIBUTION_FIELDS = ("author", "authors", "byline", "source", "credit")

RECORD_SETTINGS = (
    Option("text-field", str, "text", "field holding the document's text (dotted path)"),
    Option("title-field", str, "title", "field holding the headline (dotted path)"),
    Option("id-field", str, "id", "field holding the record id used in messages (dotted path)"),
    Option(
        "attribution-fields",
        tuple,
        ATTRIBUTION_FIELDS,
        "fields whose non-empty value is attribution (dotted paths)",
    ),
    Option(
        "date-field",
        str,
        "date",
        "field holding when the document was published (dotted path; the oldest copy is"
        " the original)",
    ),
)

_LINES = re.compile(r"[^\r\n]+")

Columns = Callable[[Sequence[int]], Sequence[int]]
"""Maps sorted offsets into a field's text to 1-based columns of the record's line."""


@dataclass(frozen=True)
class Fields:
    """The record fields a reader looks at, from the reader's settings."""

    text: str
    title: str
    id: str
    attribution: tuple[str, ...]
    date: str = "date"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Fields:
        """The fields named by ``RECORD_SETTINGS`` values."""
        return cls(
            options["text-field"],
            options["title-field"],
            options["id-field"],
            tuple(options["attribution-fields"]),
            options.get("date-field", "date"),
        )

    def top_level(self) -> tuple[str, ...]:
        """Each field's own name and its first dotted component (columns to load)."""
        names = (self.text, self.title, self.id, *self.attribution, self.date)
        return tuple(dict.fromkeys(n for name in names for n in (name, name.split(".")[0])))


_MISSING = object()


def resolve(record: Mapping[str, Any], name: str) -> tuple[tuple[str, ...], Any] | None:
    """The key path and value of field ``name``: a literal key first, else its dotted path."""
    if name in record:
        return (name,), record[name]
    value: Any = record
    path = tuple(name.split("."))
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return None
    return path, value


def paragraph_offsets(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each paragraph in ``text``.

    Paragraphs are separated by blank lines; text without any blank line between two
    non-empty lines is one paragraph per line (as in the plain-text reader).
    """
    lines = [m.span() for m in _LINES.finditer(text) if not m.group().isspace()]
    blank_after = [
        _blank_gap(text[end:start]) for (_, end), (start, _) in itertools.pairwise(lines)
    ]
    if not any(blank_after):
        return [_trim(text, start, end) for start, end in lines]
    paragraphs: list[tuple[int, int]] = []
    first = 0
    for index, blank in enumerate([*blank_after, True]):
        if blank:
            paragraphs.append(_trim(text, lines[first][0], lines[index][1]))
            first = index + 1
    return paragraphs


def _blank_gap(gap: str) -> bool:
    """Whether the text between two non-empty lines holds a blank line."""
    return gap.count("\n") + gap.count("\r") - gap.count("\r\n") >= 2


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _kind(value: Any) -> str:
    """A JSON-ish name for a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


@dataclass(frozen=True)
class Place:
    """Where a record is: its file, its line (JSONL) or row (Parquet), and how to name it."""

    path: str
    format: str
    line: int
    unit: str
    """``line`` or ``row``: how messages name the record's position."""

    @property
    def name(self) -> str:
        """The record's position for labels, ``line 12`` or ``row 7``."""
        return f"{self.unit} {self.line}"


def build_document(
    record: Mapping[str, Any],
    fields: Fields,
    place: Place,
    columns: Callable[[tuple[str, ...]], Columns | None] | None = None,
) -> Document | Problem:
    """The document of one record, or the problem that keeps it from being one.

    ``columns`` gives, for a field's key path, the mapping from text offsets to columns
    in the record's line (JSONL); without it every block is at column 1 (Parquet).
    """
    found = resolve(record, fields.text)
    if found is None:
        return Problem(
            place.path,
            f"record has no {fields.text!r} field (the {place.format} text-field setting)",
            place.line,
        )
    text_path, text = found
    text_columns = columns(text_path) if columns else None
    if not isinstance(text, str):
        column = text_columns([0])[0] - 1 if text_columns else 1
        return Problem(
            place.path,
            f"field {fields.text!r} is {_kind(text)}, not a string",
            place.line,
            max(column, 1),
        )
    blocks = _paragraphs(text, text_columns, place)
    return Document(
        path=place.path,
        format=place.format,
        blocks=tuple(blocks),
        headline=_headline(record, fields, place, columns),
        metadata=_attribution(record, fields),
        record=_record_id(record, fields) or place.name,
        date=_date(record, fields),
    )


def _paragraphs(text: str, text_columns: Columns | None, place: Place) -> list[Block]:
    offsets = paragraph_offsets(text)
    flat = [offset for pair in offsets for offset in pair]
    cols = text_columns(flat) if text_columns and flat else [1] * len(flat)
    blocks: list[Block] = []
    for number, (start, end) in enumerate(offsets, start=1):
        raw = collapse(text[start:end])
        span = Span(place.line, cols[2 * number - 2], place.line, cols[2 * number - 1])
        label = f"{place.name}, paragraph {number}"
        blocks.append(Block(BlockKind.PARAGRAPH, raw, normalize(raw), span, label=label))
    return blocks


def _headline(
    record: Mapping[str, Any],
    fields: Fields,
    place: Place,
    columns: Callable[[tuple[str, ...]], Columns | None] | None,
) -> Block | None:
    found = resolve(record, fields.title)
    if found is None or not isinstance(found[1], str) or not found[1].strip():
        return None
    path, title = found
    title_columns = columns(path) if columns else None
    start, end = _trim(title, 0, len(title))
    first, last = title_columns([start, end]) if title_columns else (1, 1)
    raw = collapse(title)
    span = Span(place.line, first, place.line, last)
    label = f"{place.name}, title"
    return Block(BlockKind.HEADING, raw, normalize(raw), span, level=1, label=label)


def _date(record: Mapping[str, Any], fields: Fields) -> str:
    """The record's date (its ``date-field``) as ISO 8601; ``""`` when it has none."""
    found = resolve(record, fields.date) if fields.date else None
    return dates.parse(found[1]) if found is not None else ""


def _record_id(record: Mapping[str, Any], fields: Fields) -> str | None:
    found = resolve(record, fields.id)
    if found is None or isinstance(found[1], bool) or not isinstance(found[1], (str, int)):
        return None
    return str(found[1]) or None


def _attribution(record: Mapping[str, Any], fields: Fields) -> dict[str, Any]:
    """Attribution values under their configured names, and under their last component.

    ``meta.author`` is kept as ``metadata["meta.author"]`` and ``metadata["author"]``, so
    the missing-attribution rule's default ``metadata-keys`` see nested fields too.
    """
    metadata: dict[str, Any] = {}
    for name in fields.attribution:
        found = resolve(record, name)
        if found is None or found[1] is None:
            continue
        metadata[name] = found[1]
        metadata.setdefault(name.rsplit(".", 1)[-1], found[1])
    return metadata
