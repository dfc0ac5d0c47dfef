"""Markdown reader: markdown-it-py block tokens with their line maps, plus front matter.

Headings, paragraphs, list items and block quotes are prose; code blocks, HTML blocks
(comments included) and front matter are not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from corpuslint.model import Block, BlockKind, Document, Problem, Span
from corpuslint.normalize import normalize
from corpuslint.readers.base import Reader, decode, split_lines
from corpuslint.readers.frontmatter import split_front_matter

_PARSER = MarkdownIt("commonmark")


def inline_text(token: Token) -> str:
    """The plain text of an inline token: markup, HTML and link targets removed."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def _span(lines: Sequence[str], token: Token, inline: Token) -> Span:
    start, end = token.map or (0, 1)
    first = lines[start] if start < len(lines) else ""
    head = inline.content.split("\n", 1)[0].strip()[:40]
    found = first.find(head) if head else -1
    column = found + 1 if found >= 0 else len(first) - len(first.lstrip()) + 1
    last_index = max(start, min(end, len(lines)) - 1)
    while last_index > start and not lines[last_index].strip():
        last_index -= 1
    last = lines[last_index].rstrip() if last_index < len(lines) else ""
    return Span(start + 1, column, last_index + 1, len(last) + 1)


def parse_markdown(text: str, path: str) -> Document:
    """Build the document of a Markdown file (raises ``ReadError`` for bad front matter)."""
    lines = split_lines(text)
    front = split_front_matter(lines)
    metadata = dict(front.data) if front else {}
    body = lines
    if front is not None:  # blank the front matter so line maps stay those of the file
        body = [""] * (front.end + 1) + lines[front.end + 1 :]
    tokens = _PARSER.parse("\n".join(body))

    blocks: list[Block] = []
    containers: list[str] = []
    opener: Token | None = None
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open", "list_item_open"):
            containers.append("list")
        elif token.type == "blockquote_open":
            containers.append("quote")
        elif (
            token.type in ("bullet_list_close", "ordered_list_close", "list_item_close")
            or token.type == "blockquote_close"
        ):
            containers.pop()
        elif token.type in ("heading_open", "paragraph_open"):
            opener = token
        elif token.type == "inline" and opener is not None:
            raw = inline_text(token)
            if raw:
                if opener.type == "heading_open":
                    kind, level = BlockKind.HEADING, int(opener.tag[1:])
                elif "quote" in containers:
                    kind, level = BlockKind.QUOTE, 0
                elif "list" in containers:
                    kind, level = BlockKind.LIST_ITEM, 0
                else:
                    kind, level = BlockKind.PARAGRAPH, 0
                blocks.append(Block(kind, raw, normalize(raw), _span(lines, opener, token), level))
            opener = None

    headline = _front_matter_title(metadata, front.key_lines if front else {}, lines)
    if headline is None:
        headline = next((b for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    return Document(
        path=path, format="markdown", blocks=tuple(blocks), headline=headline, metadata=metadata
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

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        yield parse_markdown(decode(path.read_bytes()), display)
