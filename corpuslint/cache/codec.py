"""A file's outcome as bytes for the cache, in a format that can only hold data.

The cache is read back on later runs, possibly from a folder someone else could write
to, so decoding must never run code: no pickle, no marshal. An outcome is encoded as

* a 4-byte magic (``CLO`` and the format number),
* one byte for the machine's byte order (the signature columns are native arrays),
* the length of the header, a little-endian ``uint32``,
* the header: JSON (ASCII, lone surrogates escaped) holding every field that is not a
  byte column, field by field, as lists (the fixes of findings apart, by the finding's
  position, as most findings have none),
* the byte columns of every signature batch, end to end, their lengths in the header.

:func:`decode` checks everything it reads (types, ranges, lengths of the columns
against one another, UTF-8 of the texts and where each text starts) and raises
:class:`DecodeError`, and nothing else, for anything it would not have written: the
cache then drops the entry and checks the file again.
"""

from __future__ import annotations

import json
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import accumulate, pairwise
from typing import Any

import numpy as np

from corpuslint.model import Directive, Edit, Fix, Location, Severity, Span, Violation
from corpuslint.outcome import FileOutcome
from corpuslint.similarity.signatures import SignatureBatch

_MAGIC = b"CLO\x02"
_ORDER = b"<" if sys.byteorder == "little" else b">"
_LENGTH = struct.Struct("<I")
_PREFIX = len(_MAGIC) + 1 + _LENGTH.size
_INT32 = (-(1 << 31), (1 << 31) - 1)
_INT64 = (-(1 << 63), (1 << 63) - 1)
_SEVERITIES = frozenset(int(s) for s in Severity)
_KINDS = frozenset({"disable", "enable", "disable-next-line", "disable-file"})
_COLUMNS = 8  # byte columns of a batch: keys .. sketch_sizes, in the order of _columns
_encoder = json.JSONEncoder(ensure_ascii=True, check_circular=False, separators=(",", ":"))
# The decoder's scanner: (value, end) of the JSON value at an index, at C speed.
_scan: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # noqa: B009


class DecodeError(Exception):
    """A cache entry that is not an outcome this module wrote."""


def encode(outcome: FileOutcome) -> bytes:
    """The outcome as bytes that :func:`decode` turns back into an equal outcome."""
    columns: list[bytes] = []
    batches = []
    for batch in outcome.signatures:
        own = _columns(batch)
        columns += own
        batches.append(
            [
                batch.code,
                _strings_column(batch.paths),
                _strings_column(batch.records),
                _strings_column(batch.labels),
                [len(c) for c in own],
                _strings_column(batch.dates) if batch.dates else [],
            ]
        )
    violations = [
        [
            v.code,
            v.rule,
            int(v.severity),
            v.message,
            v.path,
            v.span.line,
            v.span.column,
            v.span.end_line,
            v.span.end_column,
            [[r.path, r.line, r.column] for r in v.related],
            v.fingerprint,
            v.similarity,
            v.record,
            [[what, description] for what, description in v.details],
        ]
        for v in outcome.violations
    ]
    directives = [[d.kind, d.codes, d.line, d.column, d.reason] for d in outcome.directives]
    fixes = [
        [index, v.fix.applicability, [[*_span_list(e.span), e.replacement] for e in v.fix.edits]]
        for index, v in enumerate(outcome.violations)
        if v.fix is not None
    ]
    header = [
        outcome.documents,
        outcome.errors,
        outcome.notices,
        directives,
        violations,
        batches,
        fixes,
    ]
    text = _encoder.encode(header).encode("ascii")
    return b"".join((_MAGIC, _ORDER, _LENGTH.pack(len(text)), text, *columns))


def _span_list(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def _columns(batch: SignatureBatch) -> tuple[bytes, ...]:
    return (
        batch.keys,
        batch.key_counts,
        batch.spans,
        batch.texts,
        batch.text_sizes,
        batch.targets,
        batch.sketches,
        batch.sketch_sizes,
    )


def decode(data: bytes | bytearray | memoryview) -> FileOutcome:
    """The outcome :func:`encode` wrote; :class:`DecodeError` if ``data`` is anything else."""
    try:
        return _decode(data if type(data) is bytes else bytes(data))
    except DecodeError:
        raise
    # What malformed input makes the standard library raise (a number too long to
    # convert, JSON nested too deep, a struct too short): the same verdict.
    except (
        ValueError,
        TypeError,
        IndexError,
        OverflowError,
        RecursionError,
        StopIteration,
        struct.error,
    ) as e:
        raise DecodeError(f"malformed cache entry ({type(e).__name__}: {e})") from None


def _decode(data: bytes) -> FileOutcome:
    if data[:5] != _MAGIC + _ORDER:
        if data[:4] == _MAGIC and len(data) >= 5:
            raise DecodeError("cache entry written on a machine of the other byte order")
        raise DecodeError("not a corpuslint cache entry")
    (size,) = _LENGTH.unpack_from(data, 5)
    end = _PREFIX + size
    if end > len(data):
        raise DecodeError("cache entry cut short")
    # The scanner alone, not json.loads: its wrapping cost as much as the parse.
    text = data[_PREFIX:end].decode("ascii")
    header, stop = _scan(text, 0)
    if stop != len(text):
        raise DecodeError("cache entry: text after the header")
    documents, errors, notices, directives, violations, batches, fixes = _items(header, 7, "entry")
    found = tuple(map(_violation, _items(violations, None, "violations"))) if violations else ()
    return FileOutcome(
        _with_fixes(found, fixes) if fixes else found,
        _batches(batches, data, end),
        _strings(errors, "errors") if errors else (),
        _int(documents, (0, _INT64[1]), "documents"),
        tuple(map(_directive, _items(directives, None, "directives"))) if directives else (),
        _strings(notices, "notices") if notices else (),
    )


def _items(value: Any, count: int | None, what: str) -> list[Any]:
    """``value`` as a JSON list, of ``count`` items when given."""
    if type(value) is not list or (count is not None and len(value) != count):
        raise DecodeError(f"cache entry: {what} is not a list of the expected length")
    return value


def _int(value: Any, bounds: tuple[int, int], what: str) -> int:
    if type(value) is not int or not bounds[0] <= value <= bounds[1]:
        raise DecodeError(f"cache entry: {what} is not an integer in range")
    return value


def _str(value: Any, what: str) -> str:
    if type(value) is not str:
        raise DecodeError(f"cache entry: {what} is not a string")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    items = _items(value, None, what)
    if not all(type(s) is str for s in items):
        raise DecodeError(f"cache entry: {what} holds something other than strings")
    return tuple(items)


def _violation(value: Any) -> Violation:
    *head, related, fingerprint, similarity, record, details = _items(value, 14, "a violation")
    code, rule, severity, message, path, *span = head
    if similarity is not None and (
        type(similarity) not in (int, float) or not 0 <= similarity <= 100
    ):
        raise DecodeError("cache entry: a similarity is not a number from 0 to 100")
    return Violation(
        _str(code, "a code"),
        _str(rule, "a rule name"),
        Severity(_int(severity, (1, 3), "a severity")),
        _str(message, "a message"),
        _str(path, "a path"),
        _span(span),
        tuple(_location(r) for r in _items(related, None, "related places")),
        _str(fingerprint, "a fingerprint"),
        None if similarity is None else float(similarity),
        None if record is None else _str(record, "a record"),
        details=tuple(map(_detail, _items(details, None, "details"))),
    )


def _detail(value: Any) -> tuple[str, str]:
    what, description = _items(value, 2, "a detail")
    return (_str(what, "a detail's name"), _str(description, "a detail"))


def _span(value: list[Any]) -> Span:
    line, column, end_line, end_column = (_int(n, _INT32, "a span") for n in value)
    return Span(line, column, end_line, end_column)


def _location(value: Any) -> Location:
    path, line, column = _items(value, 3, "a related place")
    return Location(
        _str(path, "a path"), _int(line, _INT32, "a line"), _int(column, _INT32, "a column")
    )


_APPLICABILITY: dict[Any, Any] = {"safe": "safe", "unsafe": "unsafe"}


def _with_fixes(violations: tuple[Violation, ...], value: Any) -> tuple[Violation, ...]:
    """``violations`` with the fixes the header lists, each at its finding's position."""
    found = list(violations)
    seen: set[int] = set()
    for item in _items(value, None, "fixes"):
        index, applicability, edits = _items(item, 3, "a fix")
        at = _int(index, (0, len(found) - 1), "a fix's finding")
        if at in seen or applicability not in _APPLICABILITY:
            raise DecodeError("cache entry: a fix is malformed")
        seen.add(at)
        fix = Fix(tuple(map(_edit, _items(edits, None, "edits"))), _APPLICABILITY[applicability])
        found[at] = replace(found[at], fix=fix)
    return tuple(found)


def _edit(value: Any) -> Edit:
    *span, replacement = _items(value, 5, "an edit")
    return Edit(_span(span), _str(replacement, "a replacement"))


def _directive(value: Any) -> Directive:
    kind, codes, line, column, reason = _items(value, 5, "a directive")
    if kind not in _KINDS:
        raise DecodeError("cache entry: unknown directive kind")
    return Directive(
        kind,
        _strings(codes, "directive codes"),
        _int(line, _INT32, "a line"),
        _int(column, _INT32, "a column"),
        _str(reason, "a reason"),
    )


_SPAN = struct.Struct("=4i")
_FEW_SPANS = 128
"""Up to this many spans are checked one by one: numpy's five passes over a file's ten
cost ten times as much, and a run over a few files decodes a thousand cached ones."""


def _check_spans(code: str, spans: bytes) -> None:
    """Refuse spans that start before line 1 column 1 or end before they start.

    A forged span would otherwise be reported as a place in the file.
    """
    if len(spans) <= _FEW_SPANS * _SPAN.size:
        for line, column, end_line, end_column in _SPAN.iter_unpack(spans):
            if (
                line < 1
                or column < 1
                or end_line < line
                or (end_line == line and end_column < column)
            ):
                break
        else:
            return
        raise DecodeError(f"cache entry: {code} signature spans outside the file")
    corners = np.frombuffer(spans, dtype=np.int32).reshape(-1, 4)
    line, column, end_line, end_column = corners.T
    if (
        (line < 1).any()
        or (column < 1).any()
        or (end_line < line).any()
        or ((end_line == line) & (end_column < column)).any()
    ):
        raise DecodeError(f"cache entry: {code} signature spans outside the file")


def _batches(value: Any, data: bytes, start: int) -> tuple[SignatureBatch, ...]:
    """The batches the header describes, their columns read from ``data`` after ``start``."""
    batches = []
    offset = start
    for item in _items(value, None, "signatures"):
        code, paths, records, labels, sizes, dates = _items(item, 6, "a signature batch")
        if type(code) is not str or type(sizes) is not list or len(sizes) != _COLUMNS:
            raise DecodeError("cache entry: a signature batch is malformed")
        ends = list(accumulate(sizes, initial=offset))  # TypeError for what is not a number
        if min(sizes) < 0 or ends[-1] > len(data):
            raise DecodeError("cache entry: signature columns cut short")
        columns = [data[a:b] for a, b in pairwise(ends)]  # TypeError for a float
        offset = ends[-1]
        keys, key_counts, spans, texts, text_sizes, targets, sketches, sketch_sizes = columns
        n, odd = divmod(len(key_counts), 4)
        if odd or (len(spans), len(text_sizes), len(targets), len(sketch_sizes)) != (
            16 * n,
            4 * n,
            n,
            4 * n,
        ):
            raise DecodeError(f"cache entry: {code} columns of different lengths")
        if targets.translate(None, b"\x00\x01"):
            raise DecodeError(f"cache entry: {code} target flags that are not 0 or 1")
        if sum(memoryview(key_counts).cast("I")) * 8 != len(keys):
            raise DecodeError(f"cache entry: {code} key counts do not add up")
        if sum(memoryview(sketch_sizes).cast("I")) != len(sketches):
            raise DecodeError(f"cache entry: {code} sketch sizes do not add up")
        _check_texts(code, texts, text_sizes)
        _check_spans(code, spans)
        batches.append(
            SignatureBatch(
                code,
                keys,
                key_counts,
                _column(paths, n, False, "signature paths"),
                _column(records, n, True, "signature records"),
                _column(labels, n, False, "signature labels"),
                spans,
                texts,
                text_sizes,
                targets,
                sketches,
                sketch_sizes,
                () if dates == [] else _column(dates, n, False, "signature dates"),
            )
        )
    if offset != len(data):
        raise DecodeError("cache entry: bytes left over after the signature columns")
    return tuple(batches)


def _strings_column(values: Sequence[str | None]) -> Sequence[str | None] | str | None:
    """A column of strings for the header: one value when all are the same (paths, say)."""
    if values and values.count(values[0]) == len(values):
        return values[0]
    return values


def _column(value: Any, n: int, optional: bool, what: str) -> tuple[Any, ...]:
    """A column of ``n`` strings (or ``None`` where ``optional``) from the header."""
    if type(value) is list:
        if len(value) != n:
            raise DecodeError(f"cache entry: {what} of the wrong length")
        present = [v for v in value if v is not None] if optional else value
        if not all(type(v) is str for v in present):
            raise DecodeError(f"cache entry: {what} holds something other than strings")
        return tuple(value)
    if type(value) is not str and not (optional and value is None):
        raise DecodeError(f"cache entry: {what} is not a string")
    return (value,) * n


def _check_texts(code: str, texts: bytes, text_sizes: bytes) -> None:
    """Raise :class:`DecodeError` unless each text of the column decodes alone.

    That is: the sizes add up, the whole is UTF-8 (lone surrogates allowed, as
    ``signatures`` writes them) and no text starts inside a character.
    """
    sizes = memoryview(text_sizes).cast("I")
    if texts.isascii():  # the common case: any cut is between characters
        if sum(sizes) != len(texts):
            raise DecodeError(f"cache entry: {code} text sizes do not add up")
        return
    texts.decode("utf-8", "surrogatepass")  # UnicodeDecodeError is a ValueError
    end = 0
    for size in sizes:
        if size and end < len(texts) and texts[end] & 0xC0 == 0x80:
            raise DecodeError(f"cache entry: {code} a text starts inside a character")
        end += size
    if end != len(texts):
        raise DecodeError(f"cache entry: {code} text sizes do not add up")
