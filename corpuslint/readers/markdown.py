"""Markdown reader: CommonMark events with source ranges (pyromark), plus front matter.

Headings, paragraphs, list items and block quotes are prose; code blocks, HTML blocks
(comments included) and front matter are not. pyromark binds pulldown-cmark, a
CommonMark parser in Rust: on the benchmark articles it parses 15 times faster than
markdown-it-py, whose parse was a third of a cold run's CPU time.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyromark

from corpuslint.model import Block, BlockKind, Document, Problem, Span
from corpuslint.readers import limits
from corpuslint.readers.base import Reader, decode, split_lines
from corpuslint.readers.frontmatter import FRONT_MATTER_SETTINGS, split_front_matter
from corpuslint.similarity.normalize import collapse, normalize

# Blocks whose text is not prose: everything inside them is skipped.
_OPAQUE = frozenset(("CodeBlock", "HtmlBlock", "MetadataBlock"))
# Container blocks, and what a paragraph inside one of them is.
_CONTAINERS = {"BlockQuote": "quote", "List": "list", "Item": "list"}
# Inline markup: its text belongs to the surrounding block.
_INLINE_TAGS = frozenset(
    ("Emphasis", "Strong", "Strikethrough", "Link", "Image", "Superscript", "Subscript")
)
_BREAKS = frozenset(("SoftBreak", "HardBreak"))


@dataclass
class _Open:
    """A block of prose being collected: where it starts and the text seen so far."""

    heading: int
    """Heading level, 0 for a paragraph."""
    containers: tuple[str, ...]
    end: int | None = None
    """Byte offset where the block's source ends; None for a tight list item's text."""
    parts: list[str] = field(default_factory=list)
    first: int | None = None
    """Byte offset of the first inline content (the block's column)."""
    last: int = 0
    """Byte offset just past the last inline content."""


class _Lines:
    """Maps UTF-8 byte offsets of the parsed text to 1-based lines and character columns."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.starts = list(itertools.accumulate((len(x.encode()) + 1 for x in lines), initial=0))

    def line_of(self, offset: int) -> int:
        """The 0-based index of the line holding byte ``offset``."""
        return min(bisect.bisect_right(self.starts, offset) - 1, len(self.lines) - 1)

    def column(self, index: int, offset: int) -> int:
        """The 1-based character column of byte ``offset`` on line ``index``."""
        line = self.lines[index]
        start = offset - self.starts[index]
        return (start if line.isascii() else len(line.encode()[:start].decode())) + 1

    def span(self, first: int, end: int) -> Span:
        """From the first inline byte to the last non-blank line before byte ``end``."""
        line = self.line_of(first)
        last = max(line, self.line_of(max(first, end - 1)))
        while last > line and not self.lines[last].strip():
            last -= 1
        return Span(
            line + 1, self.column(line, first), last + 1, len(self.lines[last].rstrip()) + 1
        )


class _Collector:
    """Turns a CommonMark event stream into prose blocks, one event at a time."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.containers: list[str] = []
        self.opaque = 0  # depth inside blocks whose text is not prose
        self.current: _Open | None = None
        self.blocks: list[Block] = []

    def feed(self, event: Any, where: Any) -> None:
        """Take one ``(event, range)`` pair of ``pyromark.events_with_range``."""
        # An event is a name (SoftBreak, HardBreak, Rule) or a dict of one item: Start or
        # End with a tag (a name, or a dict with the name as only key), or Text, Code...
        if event.__class__ is str:
            what, name, value = "", event, None
        else:
            ((what, value),) = event.items()
            if what in ("Start", "End"):
                name = value if value.__class__ is str else next(iter(value))
            else:
                what, name = "", what
        if self.opaque:
            if name in _OPAQUE:
                self.opaque += 1 if what == "Start" else -1
        elif name in _INLINE_TAGS or (not what and name != "Rule"):
            self._inline(name, value, where)
        else:
            if self.current is not None and self.current.end is None:
                self.close()  # a block ends the text of a tight list item
            self._block(what, name, value, where)

    def _inline(self, name: str, value: Any, where: Any) -> None:
        if self.current is None:  # text straight inside a tight list item
            self.current = _Open(0, tuple(self.containers))
        if self.current.first is None:
            self.current.first = where["start"]
        self.current.last = max(self.current.last, where["end"])
        if name in ("Text", "Code"):
            self.current.parts.append(value)
        elif name in _BREAKS:
            self.current.parts.append(" ")

    def _block(self, what: str, name: str, value: Any, where: Any) -> None:
        if name in ("Paragraph", "Heading"):
            if what == "Start":
                level = int(value["Heading"]["level"][1:]) if name == "Heading" else 0
                self.current = _Open(level, tuple(self.containers), end=where["end"])
            else:
                self.close()
        elif name in _OPAQUE:
            self.opaque += 1
        elif name in _CONTAINERS:
            if what == "Start":
                self.containers.append(_CONTAINERS[name])
            elif what == "End":
                self.containers.pop()

    def close(self) -> None:
        """Finish the block being collected, if any; empty ones are dropped."""
        block, self.current = self.current, None
        if block is None or block.first is None:
            return
        raw = collapse("".join(block.parts))
        if not raw:
            return
        span = self.lines.span(block.first, block.last if block.end is None else block.end)
        if block.heading:
            kind = BlockKind.HEADING
        elif "quote" in block.containers:
            kind = BlockKind.QUOTE
        elif "list" in block.containers:
            kind = BlockKind.LIST_ITEM
        else:
            kind = BlockKind.PARAGRAPH
        self.blocks.append(Block(kind, raw, normalize(raw, collapsed=True), span, block.heading))


def _blocks(events: Iterable[tuple[Any, Any]], lines: _Lines) -> tuple[Block, ...]:
    """The prose blocks of a CommonMark event stream, in source order."""
    collector = _Collector(lines)
    for event, where in events:
        collector.feed(event, where)
    collector.close()
    return tuple(collector.blocks)


def parse_markdown(text: str, path: str, options: Mapping[str, Any] | None = None) -> Document:
    """Build the document of a Markdown file (raises ``ReadError`` for bad front matter).

    ``options`` are the reader's settings (the front matter's budgets); defaults if not given.
    """
    lines = split_lines(text)
    front = split_front_matter(lines, options)
    metadata = dict(front.data) if front else {}
    body = lines
    if front is not None:  # blank the front matter so ranges stay those of the file
        body = [""] * (front.end + 1) + lines[front.end + 1 :]
    events = pyromark.events_with_range("\n".join(body))
    blocks = _blocks(events, _Lines(body))

    headline = _front_matter_title(metadata, front.key_lines if front else {}, lines)
    if headline is None:
        headline = next((b for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    return Document(
        path=path, format="markdown", blocks=blocks, headline=headline, metadata=metadata
    )


def _front_matter_title(
    metadata: dict[str, object], key_lines: Mapping[str, int], lines: Sequence[str]
) -> Block | None:
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    line = key_lines.get("title", 2)
    span = Span(line, 1, line, len(lines[line - 1].rstrip()) + 1)
    return Block(BlockKind.HEADING, title.strip(), normalize(title), span, level=1)


class MarkdownReader(Reader):
    """Reads ``.md`` and ``.markdown`` files (CommonMark, YAML or TOML front matter)."""

    format = "markdown"
    suffixes = (".md", ".markdown", ".mdown", ".mkd")
    settings = (limits.MAX_FILE, *FRONT_MATTER_SETTINGS)
    comments = True

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        yield from self.parse(limits.read_file(path, self.options, self.format), display)

    def parse(self, data: bytes, display: str) -> Iterator[Document | Problem]:
        limits.check_size(len(data), self.options, self.format)
        yield parse_markdown(decode(data), display, self.options)
