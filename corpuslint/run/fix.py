"""``--fix`` and ``--diff``: apply the edits findings carry, whatever engine found them.

A finding's :class:`~corpuslint.model.Fix` holds edits in the coordinates of its spans.
:func:`plan` turns the fixes of a run's findings into new file contents, one file at a
time, and checks each result by reading it back: the new document must be the old one
less the blocks removed, or the file is left alone with a warning. :func:`write` writes
the planned files atomically, keeping their mode, and skips a file that changed on disk
since it was read. :func:`diff` shows the plan as a unified diff.

Per format: plain text and Markdown are edited as text; in JSONL (plain or gzip) only the
string token of a record's text field changes, so every other byte of the record and
every other record stay as they were; in HTML the repeated element is cut out of the
source, nothing re-serialized. Parquet is not rewritten.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslint import plugins
from corpuslint._support.atomic import write_bytes_atomic
from corpuslint.model import Block, Document, Edit, Fix, Problem, Result, Span, Violation
from corpuslint.readers.base import LINE_BREAK, Reader, ReadError, decode

_GZIP_MAGIC = b"\x1f\x8b"
_MARKER = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|#{1,6}[ \t]+)?[ \t>]*")
"""What may stand before a block's text on its first line: indentation, quote, list or
heading markers. A deletion covering the rest of the line removes the whole line."""
_BLANK = re.compile(r"[ \t>]*")
_TRAILING_BREAK = re.compile(r"(?:\r\n|\r|\n)$")
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_GREEDY_LIMIT = 64
"""Above this many fixes in a file, a file whose fixes do not read back is not fixed at all
rather than tried fix by fix."""


@dataclass(frozen=True)
class Change:
    """A file's new contents, and what it had when it was read."""

    display: str
    path: Path
    before: bytes
    after: bytes
    fixed: int
    """How many findings the change fixes."""
    compressed: bool = False
    """Whether the file is gzip (``before`` and ``after`` are its compressed bytes)."""


@dataclass(frozen=True)
class Plan:
    """What ``--fix`` would write, and what it could not fix and why."""

    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def fixed(self) -> int:
        """How many findings the changes fix."""
        return sum(c.fixed for c in self.changes)


@dataclass
class _Edits:
    """Edits of one text in character offsets: ``(start, end, replacement, fix number)``."""

    ranges: list[tuple[int, int, str, int]] = field(default_factory=list)


def fixable(violations: Iterable[Violation], unsafe: bool) -> list[Violation]:
    """The findings whose fix ``--fix`` applies: safe ones, and unsafe ones if asked."""
    return [
        v
        for v in violations
        if v.fix is not None and v.fix.edits and (unsafe or v.fix.applicability == "safe")
    ]


def plan(
    result: Result,
    registry: plugins.Registry,
    reader_settings: Mapping[str, Mapping[str, Any]],
    *,
    root: Path,
    cwd: Path | None = None,
    unsafe: bool = False,
    since_ns: int | None = None,
) -> Plan:
    """The changes that fix the fixable findings of ``result``.

    ``since_ns`` is when the check began: a file modified after it is not fixed, as its
    findings may no longer say where its copies are.
    """
    cwd = cwd or Path.cwd()
    by_path: dict[str, list[Violation]] = {}
    for violation in fixable(result.violations, unsafe):
        by_path.setdefault(violation.path, []).append(violation)
    changes: list[Change] = []
    warnings: list[str] = []
    notes: list[str] = []
    for display, violations in sorted(by_path.items()):
        try:
            change = _plan_file(display, violations, registry, reader_settings, root, cwd, since_ns)
        except _Skip as skip:
            (notes if skip.note else warnings).append(f"{display}: {skip}")
            continue
        except (OSError, ReadError) as exc:
            message = exc.message if isinstance(exc, ReadError) else exc.strerror or str(exc)
            warnings.append(f"{display}: not fixed: {message}")
            continue
        if change is not None:
            changes.append(change)
    return Plan(tuple(changes), tuple(warnings), tuple(notes))


class _Skip(Exception):
    """A file that is not fixed, with the reason (a note when nothing is wrong)."""

    def __init__(self, message: str, note: bool = False) -> None:
        super().__init__(message)
        self.note = note


def _safe_path(display: str, root: Path, cwd: Path) -> Path:
    """The file to fix: a regular file in the project, reached through no symbolic link."""
    path = Path(os.path.abspath(cwd / display))
    real = Path(os.path.realpath(path))
    if real != path:
        raise _Skip("not fixed: reached through a symbolic link")
    project = Path(os.path.realpath(root))
    if project != real and project not in real.parents:
        raise _Skip("not fixed: outside the project")
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise _Skip("not fixed: not a regular file")
    return path


def _plan_file(
    display: str,
    violations: Sequence[Violation],
    registry: plugins.Registry,
    reader_settings: Mapping[str, Mapping[str, Any]],
    root: Path,
    cwd: Path,
    since_ns: int | None,
) -> Change | None:
    path = _safe_path(display, root, cwd)
    cls = registry.reader_for_name(path.name)
    if cls is None:
        raise _Skip("not fixed: no reader for this file")
    if cls.format == "parquet":
        raise _Skip("Parquet files are not rewritten; fix the source they were made from", True)
    writer = _WRITERS.get(cls.format)
    if writer is None:
        raise _Skip(f"{cls.format} files cannot be fixed", True)
    reader = cls(reader_settings.get(cls.format))
    info = os.stat(path)
    if since_ns is not None and info.st_mtime_ns > since_ns:
        raise _Skip("changed on disk since it was checked; not fixed")
    before = path.read_bytes()
    compressed = before.startswith(_GZIP_MAGIC)
    data = gzip.decompress(before) if compressed else before
    if cls.comments:
        violations = _unsuppressed(violations, data)
    fixes = _resolve([v.fix for v in violations if v.fix is not None])
    after, fixed = writer(data, fixes, reader, display)
    if fixed == 0 or after == data:
        return None
    if compressed:
        after = gzip.compress(after, mtime=int.from_bytes(before[4:8], "little"))
    return Change(display, path, before, after, fixed, compressed)


def _unsuppressed(violations: Sequence[Violation], data: bytes) -> list[Violation]:
    """The findings none of whose edits touches a line a suppression comment covers.

    A fix that removed a suppressed copy along with a reported one would undo the
    suppression (and orphan its comment).
    """
    from corpuslint.run.suppress import Suppressions, parse

    rules = Suppressions(parse(data.decode("utf-8-sig", "replace")))
    return [
        v
        for v in violations
        if v.fix is not None
        and not any(
            rules.covering(v.code, line)
            for e in v.fix.edits
            for line in range(e.span.line, e.span.end_line + 1)
        )
    ]


def _start(span: Span) -> tuple[int, int]:
    return (span.line, span.column)


def _end(span: Span) -> tuple[int, int]:
    return (span.end_line, span.end_column)


def _overlap(a: Edit, b: Edit) -> bool:
    if _start(a.span) == _start(b.span):
        return True
    return _start(a.span) < _end(b.span) and _start(b.span) < _end(a.span)


def _resolve(fixes: Sequence[Fix]) -> list[Fix]:
    """The fixes to apply: in report order, each unless it overlaps one taken before it."""
    taken: list[Fix] = []
    edits: list[Edit] = []
    for fix in fixes:
        own = list(fix.edits)
        clash = any(_overlap(a, b) for i, a in enumerate(own) for b in own[i + 1 :])
        if clash or any(_overlap(a, b) for a in own for b in edits):
            continue
        taken.append(fix)
        edits.extend(own)
    return taken


# --- applying edits to a text -----------------------------------------------------------


class _Lines:
    """Line starts of a text, counted as the readers count them (LF, CRLF or CR)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
        self.ends = [m.start() for m in LINE_BREAK.finditer(text)] + [len(text)]

    def offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self.starts):
            return None
        at = self.starts[line - 1] + column - 1
        return at if self.starts[line - 1] <= at <= self.ends[line - 1] else None

    def index(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self.starts, offset) - 1

    def blank(self, index: int) -> bool:
        return _BLANK.fullmatch(self.text, self.starts[index], self.ends[index]) is not None

    @property
    def count(self) -> int:
        # A text ending in a line break has no line after it.
        return len(self.starts) - (1 if self.starts[-1] == len(self.text) else 0)


def _line_deletion(lines: _Lines, start: int, end: int) -> tuple[int, int] | None:
    """The whole lines (and the blank lines setting them apart) a block deletion removes.

    ``None`` when the block shares a line with other text: then only its text goes.
    """
    first, last = lines.index(start), lines.index(max(start, end - 1))
    text = lines.text
    if not _MARKER.fullmatch(text, lines.starts[first], start):
        return None
    if text[end : lines.ends[last]].strip():
        return None
    before = first
    while before > 0 and lines.blank(before - 1):
        before -= 1
    after = last
    while after + 1 < lines.count and lines.blank(after + 1):
        after += 1
    at_end = last + 1 >= lines.count
    if before < first and (after > last or at_end):
        first = before  # the blank lines above go with it; those below separate what stays
    elif before == first == 0 and after > last:
        last = after  # at the top: the blank lines below go
    cut_start = lines.starts[first]
    cut_end = lines.starts[last + 1] if last + 1 < len(lines.starts) else len(text)
    return cut_start, cut_end


def _ranges(text: str, fixes: Sequence[Fix], html: bool = False) -> _Edits | None:
    """The character ranges of the fixes' edits in ``text``; ``None`` if one is not there."""
    lines = _Lines(text)
    edits = _Edits()
    for number, fix in enumerate(fixes):
        for edit in fix.edits:
            start = lines.offset(edit.span.line, edit.span.column)
            end = lines.offset(edit.span.end_line, edit.span.end_column)
            if start is None or end is None or end < start:
                return None
            if html and not edit.replacement and start == end:
                found = _element(text, start)
                if found is None:
                    return None
                start, end = found
                whole = _whole_lines(lines, start, end)
                start, end = whole or (start, end)
            elif not edit.replacement:
                whole = _line_deletion(lines, start, end)
                start, end = whole or (start, end)
            edits.ranges.append((start, end, edit.replacement, number))
    return edits


def _merge(text: str, edits: _Edits) -> list[tuple[int, int, str]] | None:
    """The ranges in order, deletions that touch merged; ``None`` if others clash."""
    merged: list[tuple[int, int, str]] = []
    for start, end, replacement, _ in sorted(edits.ranges):
        touching = merged and start == merged[-1][1] and not replacement and not merged[-1][2]
        if merged and (start < merged[-1][1] or touching):
            last = merged[-1]
            if replacement or last[2]:
                return None
            merged[-1] = (last[0], max(last[1], end), "")
        else:
            merged.append((start, end, replacement))
    if merged and merged[-1][1] == len(text) and not merged[-1][2]:
        # The text's last line had no line break: the line now last keeps it that way.
        start = merged[-1][0]
        before = _TRAILING_BREAK.search(text, max(0, start - 2), start)
        if not text.endswith(("\n", "\r")) and before is not None:
            merged[-1] = (before.start(), len(text), "")
    return merged


def _splice(text: str, merged: Sequence[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    at = 0
    for start, end, replacement in merged:
        parts.append(text[at:start])
        parts.append(replacement)
        at = end
    parts.append(text[at:])
    return "".join(parts)


def _apply(text: str, edits: _Edits) -> str | None:
    """``text`` with the ranges replaced; deletions that touch merge, other clashes fail."""
    merged = _merge(text, edits)
    return None if merged is None else _splice(text, merged)


def _same_less_removed(before: Document, after: Document, fixes: Sequence[Fix]) -> bool:
    """Whether ``after`` reads as ``before`` less the blocks the fixes delete.

    Fixes that replace text are checked more loosely: every block they do not touch is
    still there, in order.
    """
    edits = [e for fix in fixes for e in fix.edits]
    removed = {e.span for e in edits if not e.replacement}
    headline = before.headline
    kept = None if headline is None or headline.span in removed else headline.normalized
    if kept is not None and (after.headline is None or after.headline.normalized != kept):
        return False
    now = [b.normalized for b in after.blocks]
    if all(not e.replacement for e in edits):
        return now == [b.normalized for b in before.blocks if b.span not in removed]
    remaining = iter(now)
    untouched = [b for b in before.blocks if not any(_touches(b, e) for e in edits)]
    return all(any(n == b.normalized for n in remaining) for b in untouched)


def _touches(block: Block, edit: Edit) -> bool:
    return _overlap(Edit(block.span), edit) or (
        _start(edit.span) <= _start(block.span) < _end(edit.span)
    )


def _best(
    fixes: Sequence[Fix], attempt: Callable[[Sequence[Fix]], Any | None]
) -> tuple[Any, int] | None:
    """The result of all fixes if it reads back right; else of as many as do, one by one."""
    done = attempt(fixes)
    if done is not None:
        return done, len(fixes)
    if len(fixes) > _GREEDY_LIMIT:
        return None
    chosen: list[Fix] = []
    result: Any = None
    for fix in fixes:
        trial = attempt([*chosen, fix])
        if trial is not None:
            chosen.append(fix)
            result = trial
    return (result, len(chosen)) if chosen else None


# --- the writers, per format -------------------------------------------------------------

Writer = Callable[[bytes, Sequence[Fix], Reader, str], tuple[bytes, int]]


def _document(items: Iterable[Document | Problem]) -> Document | None:
    documents = []
    for item in items:
        if isinstance(item, Problem):
            return None
        documents.append(item)
    return documents[0] if len(documents) == 1 else None


def _text_like(parse: Callable[[bytes], Document | None], html: bool = False) -> Writer:
    def write(data: bytes, fixes: Sequence[Fix], reader: Reader, display: str) -> tuple[bytes, int]:
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        if html:
            try:
                text = data[len(bom) :].decode("utf-8")
            except UnicodeDecodeError:
                raise _Skip("not fixed: only UTF-8 pages are rewritten") from None
        else:
            text = decode(data)
        original = parse(data)
        if original is None:
            raise _Skip("not fixed: the file does not read as one document")

        def attempt(chosen: Sequence[Fix]) -> bytes | None:
            edits = _ranges(text, chosen, html)
            new = _apply(text, edits) if edits is not None else None
            if new is None:
                return None
            out = bom + new.encode("utf-8")
            again = parse(out)
            if again is None or not _same_less_removed(original, again, chosen):
                return None
            return out

        best = _best(fixes, attempt)
        if best is None:
            raise _Skip("not fixed: the result would not read back as the text less the copies")
        out, count = best
        return out, count

    return write


def _parse_with(reader: Reader, display: str) -> Callable[[bytes], Document | None]:
    def parse(data: bytes) -> Document | None:
        try:
            return _document(reader.parse(data, display))
        except ReadError:
            return None

    return parse


def _text(data: bytes, fixes: Sequence[Fix], reader: Reader, display: str) -> tuple[bytes, int]:
    from corpuslint.readers.text import parse_text

    def parse(raw: bytes) -> Document | None:
        try:
            return parse_text(decode(raw), display)
        except ReadError:
            return None

    return _text_like(parse)(data, fixes, reader, display)


def _markdown(data: bytes, fixes: Sequence[Fix], reader: Reader, display: str) -> tuple[bytes, int]:
    return _text_like(_parse_with(reader, display))(data, fixes, reader, display)


def _html(data: bytes, fixes: Sequence[Fix], reader: Reader, display: str) -> tuple[bytes, int]:
    return _text_like(_parse_with(reader, display), html=True)(data, fixes, reader, display)


def _element(text: str, start: int) -> tuple[int, int] | None:
    """The source range of the element whose start tag begins at ``start``, end tag included.

    Only an element closed by its own end tag, with no start tag of the same name before
    it, is cut: anything else is left alone rather than guessed at.
    """
    tag = _START_TAG.match(text, start)
    if tag is None:
        return None
    name = tag.group(1)
    closing = re.compile(rf"</{name}\s*>|<{name}[\s>/]", re.IGNORECASE)
    found = closing.search(text, tag.end())
    if found is None or not found.group().startswith("</"):
        return None
    return start, found.end()


def _whole_lines(lines: _Lines, start: int, end: int) -> tuple[int, int] | None:
    """The whole lines of an element alone on its lines, line break included."""
    first, last = lines.index(start), lines.index(max(start, end - 1))
    text = lines.text
    if text[lines.starts[first] : start].strip() or text[end : lines.ends[last]].strip():
        return None
    cut_end = lines.starts[last + 1] if last + 1 < len(lines.starts) else len(text)
    return lines.starts[first], cut_end


def _jsonl(data: bytes, fixes: Sequence[Fix], reader: Reader, display: str) -> tuple[bytes, int]:
    from corpuslint.readers.records import Fields

    fields = Fields.from_options(reader.options)
    by_line: dict[int, list[Fix]] = {}
    for fix in fixes:
        lines = {e.span.line for e in fix.edits} | {e.span.end_line for e in fix.edits}
        if len(lines) == 1:
            by_line.setdefault(lines.pop(), []).append(fix)
    raw_lines = data.split(b"\n")
    count = 0
    for number, line_fixes in sorted(by_line.items()):
        if not 1 <= number <= len(raw_lines):
            continue
        raw = raw_lines[number - 1]

        def attempt(chosen: Sequence[Fix], raw: bytes = raw, number: int = number) -> bytes | None:
            return _record(raw, number, chosen, fields, reader, display)

        done = _best(line_fixes, attempt)
        if done is not None:
            raw_lines[number - 1], fixed = done
            count += fixed
    return b"\n".join(raw_lines), count


def _record(
    raw: bytes,
    number: int,
    fixes: Sequence[Fix],
    fields: Any,
    reader: Reader,
    display: str,
) -> bytes | None:
    """The record line with its text field's token edited, or ``None`` if that fails."""
    from corpuslint.readers.jsonl import parse_line
    from corpuslint.readers.jsonpos import offset_columns, value_token
    from corpuslint.readers.records import Place, resolve

    place = Place(display, reader.format, number, "line")
    original = parse_line(raw, place, fields, reader.options)
    if not isinstance(original, Document):
        return None
    bom = b"\xef\xbb\xbf" if number == 1 and raw.startswith(b"\xef\xbb\xbf") else b""
    body = raw[len(bom) :]
    ending = b"\r" if body.endswith(b"\r") else b""
    line = body[: len(body) - len(ending)].decode("utf-8")
    found = resolve(json.loads(line), fields.text)
    if found is None or not isinstance(found[1], str):
        return None
    path, text = found
    token = value_token(line, path)
    if token is None:
        return None
    columns = offset_columns(line, token, range(len(text) + 1))
    offset_of = {column: offset for offset, column in enumerate(columns)}
    moved = []
    for fix in fixes:
        edits = []
        for edit in fix.edits:
            start, end = offset_of.get(edit.span.column), offset_of.get(edit.span.end_column)
            if start is None or end is None:
                return None
            edits.append(Edit(_text_span(text, start, end), edit.replacement))
        moved.append(Fix(tuple(edits), fix.applicability))
    edits_in_text = _ranges(text, moved)
    merged = _merge(text, edits_in_text) if edits_in_text is not None else None
    if merged is None:
        return None
    ascii_only = "\\u" in line[token[0] : token[1]] or line[token[0] : token[1]].isascii()
    # Splice the raw token: untouched escapes stay byte for byte.
    new_line = _splice(
        line,
        [
            (
                columns[start] - 1,
                columns[end] - 1,
                json.dumps(replacement, ensure_ascii=ascii_only)[1:-1] if replacement else "",
            )
            for start, end, replacement in merged
        ],
    )
    out = bom + new_line.encode("utf-8") + ending
    again = parse_line(out, place, fields, reader.options)
    if not isinstance(again, Document) or not _same_less_removed(original, again, fixes):
        return None
    return out


def _text_span(text: str, start: int, end: int) -> Span:
    """The span of ``text[start:end]`` in lines and columns of ``text``."""
    lines = _Lines(text)
    first, last = lines.index(start), lines.index(end)
    return Span(first + 1, start - lines.starts[first] + 1, last + 1, end - lines.starts[last] + 1)


_WRITERS: dict[str, Writer] = {
    "text": _text,
    "markdown": _markdown,
    "jsonl": _jsonl,
    "html": _html,
}


# --- showing and writing ----------------------------------------------------------------


def _shown(data: bytes, compressed: bool) -> list[str]:
    text = (gzip.decompress(data) if compressed else data).decode("utf-8", "replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def diff(fixes: Plan) -> str:
    """The plan as a unified diff, file by file (a gzip file's inflated text)."""
    parts: list[str] = []
    for change in fixes.changes:
        parts.extend(
            difflib.unified_diff(
                _shown(change.before, change.compressed),
                _shown(change.after, change.compressed),
                f"a/{change.display}",
                f"b/{change.display}",
            )
        )
    return "".join(parts)


@dataclass(frozen=True)
class Written:
    """What :func:`write` did: findings fixed, files written, files it would not write."""

    fixed: int
    files: int
    warnings: tuple[str, ...]


def write(fixes: Plan) -> Written:
    """Write each planned file atomically, unless it changed on disk since it was read."""
    fixed = files = 0
    warnings: list[str] = []
    for change in fixes.changes:
        try:
            now = change.path.read_bytes()
            if hashlib.blake2b(now).digest() != hashlib.blake2b(change.before).digest():
                warnings.append(f"{change.display}: changed on disk while being fixed; not written")
                continue
            write_bytes_atomic(change.path, change.after, follow_links=False)
        except OSError as exc:
            warnings.append(f"{change.display}: not fixed: {exc.strerror or exc}")
            continue
        fixed += change.fixed
        files += 1
    return Written(fixed, files, tuple(warnings))
