"""Source positions of HTML elements: the start tag's line and column for a parsed element.

libxml2 (through lxml) gives each element a ``sourceline`` only: the line where its start
tag ends, capped at 65535. Scanning the source for start tags gives the rest: the k-th
element with a given tag and ``sourceline`` is the k-th such start tag ending on that
line, and the tag's ``<`` is its line and column.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable

from corpuslint.readers.base import LINE_BREAK

LIBXML2_MAX_LINE = 65535

# Comments and raw-text elements are consumed whole so tags inside them are not counted.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?(?:</\1\s*>|\Z)"
    r"|<([a-zA-Z][a-zA-Z0-9:-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL | re.IGNORECASE,
)


class TagPositions:
    """Where the start tags of an HTML source are, looked up by tag, ``sourceline`` and rank."""

    def __init__(self, source: str, tags: Iterable[str]) -> None:
        self._line_starts = [0] + [m.end() for m in LINE_BREAK.finditer(source)]
        wanted = {t.lower() for t in tags}
        self._tags: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        for match in _MARKUP.finditer(source):
            name = (match.group(1) or match.group(2) or "").lower()
            if name not in wanted:
                continue
            # A raw-text element's match runs to its end tag; its start tag ends at the first ">".
            tag_end = source.index(">", match.start()) if match.group(1) else match.end() - 1
            end_line = min(self._line(tag_end), LIBXML2_MAX_LINE)
            line = self._line(match.start())
            column = match.start() - self._line_starts[line - 1] + 1
            self._tags[end_line, name].append((line, column))

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def find(self, tag: str, sourceline: int, rank: int) -> tuple[int, int] | None:
        """Line and column of the ``rank``-th (from 0) ``tag`` element at ``sourceline``."""
        found = self._tags.get((min(sourceline, LIBXML2_MAX_LINE), tag.lower()), [])
        return found[rank] if rank < len(found) else None
