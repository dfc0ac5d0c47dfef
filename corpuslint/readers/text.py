"""Plain-text reader: blank-line paragraphs, or one paragraph per line when there are none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from corpuslint.model import Block, BlockKind, Document, Problem, Span
from corpuslint.readers import limits
from corpuslint.readers.base import Reader, decode, split_lines
from corpuslint.similarity.normalize import normalize

HEADLINE_MAX_WORDS = 20
_SENTENCE_END = (".", "!", "?", ";", ":", ",", "\u2026")
_CLOSERS = "\"'\u201d\u2019)]"


def looks_like_headline(text: str) -> bool:
    """A short line without sentence-final punctuation, which is not a byline."""
    words = text.split()
    if not words or len(words) > HEADLINE_MAX_WORDS:
        return False
    if words[0].casefold() == "by":
        return False
    return not text.rstrip(_CLOSERS).endswith(_SENTENCE_END)


def _paragraph_groups(lines: list[str]) -> list[list[int]]:
    """Indexes of the lines of each paragraph.

    Blank-line separated blocks, unless the file has no blank line between two
    non-empty lines: then it is written one paragraph per line (the seed's shape).
    """
    groups: list[list[int]] = []
    current: list[int] = []
    for index, line in enumerate(lines):
        if line.strip():
            current.append(index)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    if len(groups) == 1:
        return [[index] for index in groups[0]]
    return groups


def parse_text(text: str, path: str) -> Document:
    """Build the document of a plain-text file."""
    lines = split_lines(text)
    blocks: list[Block] = []
    headline: Block | None = None
    for number, group in enumerate(_paragraph_groups(lines)):
        first, last = lines[group[0]], lines[group[-1]].rstrip()
        raw = " ".join(lines[i].strip() for i in group)
        span = Span(
            group[0] + 1, len(first) - len(first.lstrip()) + 1, group[-1] + 1, len(last) + 1
        )
        kind = BlockKind.PARAGRAPH
        if headline is None and number < 3 and len(group) == 1 and looks_like_headline(raw):
            kind = BlockKind.HEADING
        block = Block(kind, raw, normalize(raw), span, level=1 if kind is BlockKind.HEADING else 0)
        if kind is BlockKind.HEADING:
            headline = block
        blocks.append(block)
    return Document(path=path, format="text", blocks=tuple(blocks), headline=headline)


class TextReader(Reader):
    """Reads ``.txt`` files as UTF-8 prose."""

    format = "text"
    suffixes = (".txt", ".text")
    settings = (limits.MAX_FILE,)

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        yield parse_text(decode(limits.read_file(path, self.options, self.format)), display)
