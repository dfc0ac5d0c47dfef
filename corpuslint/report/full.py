"""``full`` format: each finding's line, then the offending text underlined and the other copy.

For people at a terminal: like ``text``, but a finding also shows the source line(s) it
is about, cut to a readable width around the finding, with a caret line under the
flagged columns, and where the other copy is. Source text is corpus text, so it is
escaped character by character (a caret must still stand under its column).
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpuslint.model import Result, Violation
from corpuslint.readers.base import ReadError, decode, split_lines
from corpuslint.report.base import Formatter
from corpuslint.report.color import DIM, Painter
from corpuslint.report.escape import safe_chars, terminal_safe
from corpuslint.report.text import line as text_line

WIDTH = 88
"""Display cells of source text shown per line; longer lines are cut around the finding."""
CONTEXT = 16
"""Display cells kept before the finding's first column when a line is cut."""
MAX_LINES = 3
"""Source lines shown per finding; longer spans show their first and last lines."""
MAX_BYTES = 32 * 1024 * 1024
"""Larger files (data sets) are not read again for excerpts; their findings print without."""
TAB = "    "


@dataclass(frozen=True)
class Cell:
    """One character of a source line as printed: its escaped text and its display width."""

    text: str
    width: int


def cells(line: str) -> list[Cell]:
    """The printed form of each character of ``line`` (wide characters take two cells)."""
    result: list[Cell] = []
    for char, shown in zip(line, safe_chars(line), strict=True):
        if char == "\t":
            result.append(Cell(TAB, len(TAB)))
        elif shown != char:
            result.append(Cell(shown, len(shown)))
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            result.append(Cell(char, 0))
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            result.append(Cell(char, 2))
        else:
            result.append(Cell(char, 1))
    return result


def underline(line: str, start: int, end: int, width: int = WIDTH) -> tuple[str, str]:
    """``line`` cut to ``width`` cells around a span, and the caret line under the span.

    ``start`` and ``end`` are 1-based columns, ``end`` exclusive; an empty span still
    gets one caret.
    """
    shown = cells(line)
    first = min(max(start - 1, 0), len(shown))
    last = max(min(end - 1, len(shown)), first + 1)  # an empty span still gets one caret
    offsets = [0]
    for cell in shown:
        offsets.append(offsets[-1] + cell.width)
    begin = 0
    if offsets[-1] > width and offsets[first] > CONTEXT:
        target = offsets[first] - CONTEXT
        begin = next(i for i, offset in enumerate(offsets) if offset >= target)
    stop = begin
    while stop < len(shown) and offsets[stop + 1] - offsets[begin] <= width:
        stop += 1
    prefix = "\u2026" if begin > 0 else ""
    suffix = "\u2026" if stop < len(shown) else ""
    text = prefix + "".join(cell.text for cell in shown[begin:stop]) + suffix
    lead = len(prefix) + offsets[max(first, begin)] - offsets[begin]
    marked = offsets[min(last, stop)] - offsets[max(first, begin)]
    carets = " " * lead + "^" * max(marked, 1)
    return text, carets


class SourceLines:
    """Reads the files that findings point to, once each, as the readers number their lines."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def get(self, path: str) -> list[str] | None:
        """The lines of ``path``, or ``None`` when it cannot be read or decoded as text."""
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    @staticmethod
    def _read(path: str) -> list[str] | None:
        try:
            status = os.stat(path)
            if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_BYTES:
                return None  # a FIFO would block; a large data set is not worth reading again
            return split_lines(decode(Path(path).read_bytes()))
        except (OSError, ValueError, ReadError):
            return None


def excerpt(violation: Violation, lines: Sequence[str]) -> list[str]:
    """The gutter-and-caret lines that show ``violation``'s span in ``lines``."""
    span = violation.span
    if not 1 <= span.line <= len(lines):
        return []
    end_line = min(max(span.end_line, span.line), len(lines))
    numbers = list(range(span.line, end_line + 1))
    if len(numbers) > MAX_LINES:
        numbers = [*numbers[: MAX_LINES - 1], 0, numbers[-1]]  # 0 stands for the gap
    gutter = len(str(end_line))
    out = [f"{'':>{gutter}} |"]
    for number in numbers:
        if number == 0:
            skipped = end_line - span.line + 1 - (MAX_LINES - 1) - 1
            out.append(f"{'':>{gutter}} : ({skipped} more line{'s' if skipped != 1 else ''})")
            continue
        line = lines[number - 1]
        start = span.column if number == span.line else 1
        last = number == span.end_line  # False when the span runs past the end of the file
        end = span.end_column if last else len(line) + 1
        text, carets = underline(line, start, end)
        out.append(f"{number:>{gutter}} | {text}".rstrip())
        out.append(f"{'':>{gutter}} | {carets}")
    return out


def related_lines(violation: Violation) -> list[str]:
    """One ``= other copy`` line per location the finding names."""
    return [
        terminal_safe(f"  = other copy: {loc.path}:{loc.line}:{loc.column}")
        for loc in violation.related
    ]


class FullFormatter(Formatter):
    """A finding per block: its ``text`` line, the source excerpt, the other copies."""

    name = "full"
    description = "each finding with its source lines underlined and the other copy named"

    def format(self, result: Result) -> str:
        sources = SourceLines()
        painter = Painter(self.color)
        blocks: list[str] = []
        for v in result.violations:
            lines = [text_line(v, painter)]
            source = sources.get(v.path)
            if source is not None:
                lines.extend(excerpt(v, source))
            lines.extend(painter.paint(line, DIM) for line in related_lines(v))
            blocks.append("\n".join(lines) + "\n")
        return "\n".join(blocks)
