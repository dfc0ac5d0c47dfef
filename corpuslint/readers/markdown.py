"""Markdown reader: CommonMark events with source ranges (pyromark), plus front matter.

Each block is marked with its kind (see ``BlockKind``): headings, paragraphs, quotes,
list items, table cells (GFM tables), definitions, footnotes, captions (the alt text of
an image-only paragraph; alt text inside a paragraph is left out of its text) and
table-of-contents entries (list items that only link into the page). Code blocks, HTML
blocks (comments included) and front matter are skipped. Template markup is blanked
before parsing, so it is never prose and never joins the prose around it: Hugo
shortcodes (``{{< x >}}``, ``{{% x %}}``; the content of a paired ``{{< x >}}...{{< /x >}}``
too, which Hugo hands to the template raw, while a ``{{% x %}}`` pair's content is
Markdown and stays prose), Jekyll/Liquid tags (``{% x %}``, ``{{ x }}``; the content of
``highlight``, ``raw``, ``comment`` and ``capture`` blocks too), kramdown attribute lists
(``{:toc}``) and MDX (``import``/``export`` lines, ``<Component ...>`` tags).

pyromark binds pulldown-cmark, a CommonMark parser in Rust: on the benchmark articles it
parses 15 times faster than markdown-it-py, whose parse was a third of a cold run's CPU
time.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyromark

from corpuslint.model import COMPARED_BY_DEFAULT, Block, BlockKind, Document, Problem, Span
from corpuslint.options import Option
from corpuslint.readers import dates, limits
from corpuslint.readers.base import Reader, decode, split_lines
from corpuslint.readers.frontmatter import FRONT_MATTER_SETTINGS, split_front_matter
from corpuslint.similarity.normalize import collapse, normalize

# Blocks whose text is not prose: everything inside them is skipped.
_OPAQUE = frozenset(("CodeBlock", "HtmlBlock", "MetadataBlock"))
# Container blocks, and what a paragraph directly inside one of them is.
_IN = {
    "BlockQuote": BlockKind.QUOTE,
    "List": BlockKind.LIST_ITEM,
    "Item": BlockKind.LIST_ITEM,
    "Table": BlockKind.TABLE_CELL,
    "DefinitionList": BlockKind.DEFINITION,
    "FootnoteDefinition": BlockKind.FOOTNOTE,
}
# Which container decides a paragraph's kind when it is inside several (a table in a
# quote is a table cell): the highest ranked.
_KIND_RANK = {
    BlockKind.PARAGRAPH: 0,
    BlockKind.LIST_ITEM: 1,
    BlockKind.QUOTE: 2,
    BlockKind.DEFINITION: 3,
    BlockKind.FOOTNOTE: 4,
    BlockKind.TABLE_CELL: 5,
}
# Inline markup: its text belongs to the surrounding block.
_INLINE_TAGS = frozenset(
    ("Emphasis", "Strong", "Strikethrough", "Link", "Image", "Superscript", "Subscript")
)
_BREAKS = frozenset(("SoftBreak", "HardBreak"))
_PARSE_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_HEADING_ATTRIBUTES
    | pyromark.Options.ENABLE_DEFINITION_LIST
)

# Template markup, blanked before parsing. A paired Hugo ``{{< x >}}...{{< /x >}}`` (its
# content is handed to the template raw: code, config) and Liquid's raw-content blocks are
# blanked whole; then every remaining tag on its own.
_HUGO_PAIR = re.compile(
    r"\{\{<\s*(?:/\*\s*)?([A-Za-z0-9_.-]+)\b[^\n]*?>\}\}.*?\{\{<\s*(?:/\*\s*)?/\s*\1\s*(?:\*/\s*)?>\}\}",
    re.DOTALL,
)
_LIQUID_PAIR = re.compile(
    r"\{%-?\s*(highlight|raw|comment|capture)\b.*?%\}.*?\{%-?\s*end\1\s*-?%\}", re.DOTALL
)
_TAG = re.compile(r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# kramdown attribute lists (``{:toc}``, ``{: .note}``) on a line of their own.
_IAL = re.compile(r"^[ \t]*\{:[^\n]*\}[ \t]*$", re.MULTILINE)
# MDX: ES module lines (to the next blank line) and JSX component tags (capitalized names).
_MDX_MODULE = re.compile(
    r"^(?:import\s+(?:[\w*{}\s,]+\s+from\s+)?[\"'][^\n]*|export\s+(?:default|const|let|var|function|class|async)\b[^\n]*)(?:\n[^\n]*\S[^\n]*)*",
    re.MULTILINE,
)
_MDX_WORDS = ("import", "export")  # what a line of ``_MDX_MODULE`` starts with
_JSX_TAG = re.compile(r"</?[A-Z][\w.]*(?:\s(?:[^<>\"'{}]|\"[^\"]*\"|'[^']*'|\{[^{}]*\})*)?/?>")


@dataclass(frozen=True)
class KindsOption(Option):
    """A list of block kinds; an unknown kind is a configuration error."""

    def coerce(self, value: Any) -> Any:
        """The configured list, checked to name only block kinds."""
        kinds = super().coerce(value)
        BlockKind.parse_kinds(kinds)
        return kinds


COMPARE = KindsOption(
    "compare",
    tuple,
    tuple(sorted(k.value for k in COMPARED_BY_DEFAULT)),
    "block kinds the duplicate rules compare (paragraph, quote, list-item, table-cell,"
    " definition, footnote, caption, ...)",
)


def compared_kinds(options: Mapping[str, Any] | None) -> frozenset[BlockKind]:
    """The kinds a reader's ``compare`` setting names (the default: paragraphs and quotes)."""
    names = (options or {}).get(COMPARE.name)
    return COMPARED_BY_DEFAULT if names is None else BlockKind.parse_kinds(names)


def _blank(match: re.Match[str]) -> str:
    """The matched text as spaces of the same UTF-8 length, its line breaks kept."""
    return "".join(c if c == "\n" else " " * len(c.encode()) for c in match.group(0))


def _dedent_blanked(source: str, blanked: str) -> tuple[str, tuple[list[int], list[int]]]:
    """``blanked`` without the spaces that markup left at the start of its lines.

    Markup opening a line (``{{< x >}} Text``) leaves spaces that would make the rest an
    indented code block; they are dropped. Returns the text and, to map its byte offsets
    back, the offsets where lines lose bytes and the bytes lost up to there (cumulative).
    """
    starts, lost = [0], [0]
    out: list[str] = []
    at = removed = 0
    for line, original in zip(blanked.split("\n"), source.split("\n"), strict=True):
        kept = line
        if line != original:  # only a line with markup blanked can start with more spaces
            own = len(original) - len(original.lstrip(" \t"))
            made = len(line) - len(line.lstrip(" \t")) - own
            if made > 0 and line.strip():
                kept = line[:own] + line[own + made :]
                removed += made  # blanked markup is ASCII spaces: characters are bytes here
                starts.append(at + own)
                lost.append(removed)
        out.append(kept)
        # The line's UTF-8 size: an ASCII string (a flag, no scan) is not encoded for it.
        at += (len(kept) if kept.isascii() else len(kept.encode())) + 1
    return "\n".join(out), (starts, lost)


def _shifted(
    events: Iterable[tuple[Any, Any]], shifts: tuple[list[int], list[int]]
) -> Iterator[tuple[Any, Any]]:
    """The events with their byte ranges mapped back to the text before dedenting."""
    starts, lost = shifts

    def back(offset: int) -> int:
        return offset + lost[bisect.bisect_right(starts, offset) - 1]

    for event, where in events:
        yield event, {"start": back(where["start"]), "end": back(where["end"])}


def blank_markup(text: str) -> str:
    """``text`` with template markup replaced by spaces: byte offsets and lines unchanged.

    Returns ``text`` itself (the same object) when it holds no markup. Each expression
    runs only on a text holding the characters that any of its matches starts with: a
    substring test is one C scan, while the expressions anchored at line starts try
    every position.
    """
    original = text
    if "{" in text:
        if "{{<" in text:
            text = _HUGO_PAIR.sub(_blank, text)
        if "{%" in text:
            text = _LIQUID_PAIR.sub(_blank, text)
        if "{{" in text or "{%" in text:
            text = _TAG.sub(_blank, text)
        if "{:" in text:
            text = _IAL.sub(_blank, text)
    if text.startswith(_MDX_WORDS) or "\nimport" in text or "\nexport" in text:
        text = _MDX_MODULE.sub(_blank, text)
    if "<" in text:
        text = _JSX_TAG.sub(_blank, text)
    return original if text == original else text


@dataclass(slots=True)
class _Open:
    """A block of prose being collected: where it starts and the text seen so far."""

    heading: int
    """Heading level, 0 for a paragraph."""
    kind: BlockKind
    """What a paragraph is in the containers around it (see ``_IN``)."""
    end: int | None = None
    """Byte offset where the block's source ends; None for a tight list item's text."""
    parts: list[str] = field(default_factory=list)
    first: int | None = None
    """Byte offset of the first inline content (the block's column)."""
    last: int = 0
    """Byte offset just past the last inline content."""
    image_parts: list[str] = field(default_factory=list)
    """Alt text of images in the block: a caption, not part of the block's prose."""
    anchor_links: int = 0
    """Characters of text inside links into the page (``[Intro](#intro)``)."""


_ONES = itertools.repeat(1)
"""An endless run of 1s: the LF after each line, for ``_Lines``."""


class _Lines:
    """Maps UTF-8 byte offsets of the parsed text to 1-based lines and character columns.

    ``text`` is ``lines`` joined by LF. The line starts are summed in C (``map``); in an
    ASCII text, where bytes are characters, no line is encoded for it.
    """

    def __init__(self, lines: Sequence[str], text: str) -> None:
        self.lines = lines
        self.last = len(lines) - 1
        sizes = map(len, lines) if text.isascii() else (len(x.encode()) for x in lines)
        # Each line's size plus its LF, summed: the byte offset where each line starts.
        self.starts: list[int] = list(
            itertools.accumulate(map(operator.add, sizes, _ONES), initial=0)
        )

    def line_of(self, offset: int) -> int:
        """The 0-based index of the line holding byte ``offset``."""
        return min(bisect.bisect_right(self.starts, offset) - 1, self.last)

    def span(self, first: int, end: int) -> Span:
        """From the first inline byte to the last non-blank line before byte ``end``.

        Most blocks are one line of prose starting at its first byte, so that case is
        answered with one search and no encoding.
        """
        starts, lines = self.starts, self.lines
        line = self.line_of(first)
        stop = max(first, end - 1)
        last = line if stop < starts[line + 1] else max(line, self.line_of(stop))
        while last > line and not lines[last].strip():
            last -= 1
        # The column counts characters: the bytes before ``first`` decoded, unless ASCII.
        before = first - starts[line]
        text = lines[line]
        if before and not text[:before].isascii():
            before = len(text.encode()[:before].decode())
        return Span(line + 1, before + 1, last + 1, len(lines[last].rstrip()) + 1)


class _Collector:
    """Turns a CommonMark event stream into prose blocks.

    An event is a name (``SoftBreak``, ``HardBreak``, ``Rule``) or a dict of one item:
    ``Start`` or ``End`` with a tag (a name, or a dict with the name as only key), or
    ``Text``, ``Code``, ``InlineHtml``, ``FootnoteReference``... with a value. Every
    event but a ``Rule`` and the start or end of a block is inline content: it marks
    where the block's text starts and ends, and text (``Text``, ``Code``) adds to it.

    ``collect`` is one loop that keeps the block being collected in a local variable: it
    runs for every event of every file. On four documentation sites (1.6 million events)
    the walk costs three times pulldown-cmark's parse, and method calls for each event
    were a fifth of it. Rarer events (links, images, containers) get a method.
    """

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.blocks: list[Block] = []
        self.images = 0  # depth inside images: their text is alt text
        self.links: list[bool] = []  # open links: whether each goes to a ``#fragment``
        self.anchors = 0  # how many of ``links`` go to a ``#fragment``
        self.kinds = [BlockKind.PARAGRAPH]  # what a paragraph is in the containers open

    def collect(self, events: Iterable[tuple[Any, Any]]) -> tuple[Block, ...]:
        """The prose blocks of ``events``, in source order."""
        current: _Open | None = None
        opaque = 0  # depth inside blocks whose text is not prose
        for event, where in events:
            if event.__class__ is not str:
                ((what, value),) = event.items()
                if what in {"Start", "End"}:
                    name = value if value.__class__ is str else next(iter(value))
                else:
                    what, name = "", what
            else:  # a break or a rule: no value
                what, name, value = "", event, None
            if opaque:
                if name in _OPAQUE:
                    opaque += 1 if what == "Start" else -1
            elif (not what and name != "Rule") or name in _INLINE_TAGS:
                if current is None:  # text straight inside a tight list item
                    current = _Open(0, self.kinds[-1])
                if current.first is None:
                    current.first = where["start"]
                end = where["end"]
                current.last = end if end > current.last else current.last  # max(), no call
                if name in {"Text", "Code"}:
                    if self.images:
                        current.image_parts.append(value)
                    else:
                        current.parts.append(value)
                        if self.anchors:
                            current.anchor_links += len(value.strip())
                elif name in _BREAKS:
                    current.parts.append(" ")
                elif name in {"Image", "Link"}:
                    self._nest(what, name, value)
            else:
                if current is not None and current.end is None:
                    self.close(current)  # a block ends the text of a tight list item
                    current = None
                if name in {"Paragraph", "Heading"}:
                    if what == "Start":
                        level = int(value[name]["level"][1:]) if name == "Heading" else 0
                        current = _Open(level, self.kinds[-1], where["end"])
                    elif current is not None:
                        self.close(current)
                        current = None
                elif name in _OPAQUE:
                    opaque += 1
                elif name in _IN:
                    self._contain(what, name)
        if current is not None:
            self.close(current)
        return tuple(self.blocks)

    def _contain(self, what: str, name: str) -> None:
        """Open or close a container: a paragraph in it is of the highest ranked kind."""
        if what == "Start":
            self.kinds.append(max(self.kinds[-1], _IN[name], key=_KIND_RANK.__getitem__))
        else:
            self.kinds.pop()

    def _nest(self, what: str, name: str, value: Any) -> None:
        """Track images (alt text) and in-page links (tables of contents)."""
        if name == "Image":
            self.images = self.images + 1 if what == "Start" else max(0, self.images - 1)
        elif what == "Start":  # {"Link": {... "dest_url": ...}}
            anchor = str(value[name].get("dest_url", "")).startswith("#")
            self.links.append(anchor)
            self.anchors += anchor
        elif self.links:
            self.anchors -= self.links.pop()

    def close(self, block: _Open) -> None:
        """Finish a collected block; empty ones are dropped."""
        if block.first is None:
            return
        parts = block.parts
        raw = collapse(parts[0] if len(parts) == 1 else "".join(parts))
        # Characters of text outside images: counted here, once a block, not per text.
        chars = 0 if block.heading else sum(map(len, map(str.strip, parts)))
        if raw and (block.heading or chars):
            kind = BlockKind.HEADING if block.heading else block.kind
            if kind is BlockKind.LIST_ITEM and block.anchor_links * 2 > chars:
                kind = BlockKind.CONTENTS  # an entry of a table of contents
        else:
            raw, kind = collapse(" ".join(block.image_parts)), BlockKind.CAPTION
            if not raw:
                return
        span = self.lines.span(block.first, block.last if block.end is None else block.end)
        self.blocks.append(Block(kind, raw, normalize(raw, collapsed=True), span, block.heading))


def _blocks(events: Iterable[tuple[Any, Any]], lines: _Lines) -> tuple[Block, ...]:
    """The prose blocks of a CommonMark event stream, in source order."""
    return _Collector(lines).collect(events)


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
    source = "\n".join(body)
    parsed = blank_markup(source)
    events: Iterable[tuple[Any, Any]]
    if parsed is source:
        events = pyromark.events_with_range(source, options=_PARSE_OPTIONS)
    else:
        parsed, shifts = _dedent_blanked(source, parsed)
        events = pyromark.events_with_range(parsed, options=_PARSE_OPTIONS)
        if len(shifts[0]) > 1:
            events = _shifted(events, shifts)
    blocks = _blocks(events, _Lines(body, source))

    headline = _front_matter_title(metadata, front.key_lines if front else {}, lines)
    if headline is None:
        headline = next((b for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    return Document(
        path=path,
        format="markdown",
        blocks=blocks,
        headline=headline,
        metadata=metadata,
        date=dates.of_document(metadata, path),
        compare=compared_kinds(options),
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
    settings = (limits.MAX_FILE, *FRONT_MATTER_SETTINGS, COMPARE)
    comments = True

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        yield from self.parse(limits.read_file(path, self.options, self.format), display)

    def parse(self, data: bytes, display: str) -> Iterator[Document | Problem]:
        limits.check_size(len(data), self.options, self.format)
        yield parse_markdown(decode(data), display, self.options)
