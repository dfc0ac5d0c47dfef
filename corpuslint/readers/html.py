"""HTML reader (lxml): the main content's prose with source lines, headline, attribution.

What counts as content is decided in ``html_content``, attribution in
``html_attribution`` and columns in ``html_positions``. lxml is imported only when an
HTML file is read, so it is needed only by those who check HTML.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuslint.model import Block, BlockKind, Document, Problem, Span
from corpuslint.options import Option
from corpuslint.readers import dates, limits
from corpuslint.readers.base import Reader, ReadError, split_lines
from corpuslint.readers.markdown import COMPARE, compared_kinds
from corpuslint.similarity.normalize import collapse, normalize

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from corpuslint.readers.html_content import Page
    from corpuslint.readers.html_positions import TagPositions

INSTALL_HINT = "reading HTML needs lxml: pip install 'corpus-lint[html]'"

MIN_PROSE_SHARE = 0.1
"""A page whose prose holds fewer words than this share of its visible text gets a notice."""
_CR = re.compile(r"\r\n?")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Text codecs that do not read a page's bytes as characters: escapes and domain names.
_NOT_PAGE_ENCODINGS = frozenset(
    ("unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "utf-7")
)
MAX_HTML_DEPTH = Option(
    "max-depth",
    int,
    256,
    "pages whose elements (or JSON-LD) nest deeper are reported and not read",
    1,
    1024,
)


def sniff_encoding(data: bytes) -> str:
    """The page's encoding: BOM, else UTF-8 if valid, else ``<meta charset>``, else cp1252.

    A declared charset counts only if it names a real text encoding of a page's bytes:
    ``base64``, ``rot13`` or ``unicode_escape`` fall back to cp1252.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        found = _CHARSET.search(data[:8192])
        if found:
            try:
                info = codecs.lookup(found.group(1).decode("ascii"))
            except LookupError:
                return "cp1252"
            name = info.name.replace("_", "-")
            if getattr(info, "_is_text_encoding", True) and name not in _NOT_PAGE_ENCODINGS:
                return info.name
        return "cp1252"
    return "utf-8"


def _decode(data: bytes) -> str:
    """The page's text in its encoding; cp1252 if that codec fails even with replacement."""
    try:
        return data.decode(sniff_encoding(data), "replace")
    except (UnicodeError, LookupError, ValueError, TypeError):
        return data.decode("cp1252", "replace")


@functools.lru_cache(maxsize=4)
def _too_deep(limit: int) -> Any:
    """An XPath selecting the elements nested ``limit`` + 1 deep (evaluated in C, linear)."""
    import lxml.etree

    return lxml.etree.XPath("/*" * (limit + 1))


class _Locator:
    """Spans of parsed elements, from their ``sourceline`` and the source's start tags."""

    def __init__(self, source: str, root: HtmlElement, wanted: list[HtmlElement]) -> None:
        from corpuslint.readers.html_positions import TagPositions

        self.lines = split_lines(source)
        targets = set(wanted)
        tags = {str(e.tag) for e in targets}
        self.positions: TagPositions = TagPositions(source, tags)
        counts: dict[tuple[int, str], int] = defaultdict(int)
        self.ranks: dict[HtmlElement, int] = {}
        for element in root.iter(*tags):
            key = (element.sourceline or 1, str(element.tag))
            if element in targets:
                self.ranks[element] = counts[key]
            counts[key] += 1

    def span(self, element: HtmlElement) -> Span:
        """Where the element's start tag begins (an empty span: lxml gives no end)."""
        line = element.sourceline or 1
        found = self.positions.find(str(element.tag), line, self.ranks.get(element, 0))
        return Span.point(*found) if found else Span.point(line)

    def text_span(self, line: int, text: str, anchor: HtmlElement) -> Span:
        """Where loose text starting on ``line`` begins: its first words, else the line's start.

        The words are looked for after the start tag of ``anchor`` (the element before the
        text) when it is on the same line: on a one-line page every copy of a paragraph
        has a column of its own.
        """
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        after = self.span(anchor)
        start = after.column - 1 if after.line == line else 0
        at = source.find(text[:12], start) if text else -1
        if at < 0 and start:
            column = start + 1
        else:
            column = at + 1 if at >= 0 else len(source) - len(source.lstrip()) + 1
        return Span.point(line, column)


def parse_html(data: bytes, path: str, options: Mapping[str, Any] | None = None) -> Document:
    """Build the document of an HTML page (raises ``ReadError`` when there is none)."""
    return read_html(data, path, options)[0]


def read_html(
    data: bytes, path: str, options: Mapping[str, Any] | None = None
) -> tuple[Document, list[ReadError]]:
    """The document of an HTML page, and the problems of parts left out (JSON-LD).

    Raises ``ReadError`` for a page that cannot be read: binary, no content, or over a
    budget of ``options`` (the reader's settings; defaults if not given).
    """
    import lxml.etree
    import lxml.html

    from corpuslint.readers.html_attribution import attribution
    from corpuslint.readers.html_content import Page

    settings = {option.name: option.default for option in HtmlReader.settings}
    settings.update(options or {})
    if b"\0" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError("binary file (contains NUL bytes), not HTML")
    # libxml2 numbers lines at LF only, but reads a lone CR as a line break in text: with
    # CRs left in, loose text was placed lines above the file's start. LF alone keeps its
    # ``sourceline`` equal to the file's line as editors (and ``split_lines``) count them.
    source = _CR.sub("\n", _decode(data))
    # huge_tree: libxml2's own limits (text nodes of 10 MB, 256 levels) silently drop the
    # rest of a page; the file size and depth budgets bound it instead, and say so.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(source.encode("utf-8", "surrogatepass"), parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError) as exc:
        raise ReadError(f"no HTML content: {exc}") from None
    _check_limits(root, parser, settings["max-depth"])
    body = root.find("body")
    page = Page(body if body is not None else root)
    content = page.content_root()
    found = [f for f in page.blocks(content) if f.text]
    sources = _headline_sources(page, root, content)
    wanted = [f.element for f in found] + [e for e, _ in sources]
    locator = _Locator(source, root, wanted)

    blocks: dict[HtmlElement, Block] = {}
    loose: list[Block] = []
    for item in found:
        if item.line is None:
            span = locator.span(item.element)
        else:
            span = locator.text_span(item.line, item.text, item.element)
        block = Block(item.kind, item.text, normalize(item.text), span, item.level)
        if item.line is None:
            blocks[item.element] = block
        loose.append(block)
    headline = next((blocks[e] for e, _ in sources if e in blocks), None)
    for element, text in sources if headline is None else ():
        if text:
            # Head metadata (og:title, <title>) is evidence for the headline, never a copy
            # of it: the visible block saying the same is the headline, a heading first.
            normalized = normalize(text)
            same = [b for b in loose if b.normalized == normalized]
            headline = next((b for b in same if b.kind is BlockKind.HEADING), None)
            if headline is None and same:
                headline = same[0]
            if headline is None:
                span = locator.span(element)
                headline = Block(BlockKind.HEADING, text, normalized, span, level=1)
            break
    problems: list[ReadError] = []
    skip = frozenset({"nav", "script", "style", "form", "template"})
    metadata = attribution(root, skip, settings, problems)
    document = Document(
        path=path,
        format="html",
        blocks=tuple(loose),
        headline=headline,
        metadata=metadata,
        date=dates.of_page(root, path),
        compare=compared_kinds(settings),
        notices=_thin_prose(page, loose),
    )
    return document, problems


def _thin_prose(page: Page, blocks: list[Block]) -> tuple[str, ...]:
    """A notice when the prose found is under a tenth of the page's visible words."""
    from corpuslint.readers.html_content import visible_words

    visible = visible_words(page.body)
    prose = sum(b.word_count for b in blocks if b.kind is not BlockKind.HEADING)
    if visible and prose < MIN_PROSE_SHARE * visible:
        return (
            f"only {prose} of the page's {visible} visible words were read as its prose;"
            " the article may be missed (its markup is not one corpuslint recognizes)",
        )
    return ()


def _check_limits(root: HtmlElement, parser: Any, max_depth: int) -> None:
    """Refuse a page parsed only in part: past libxml2's limits or the depth budget."""
    for error in parser.error_log:
        if error.type_name in ("ERR_RESOURCE_LIMIT", "ERR_NO_MEMORY"):
            raise ReadError(f"HTML past the parser's limits: {error.message}", error.line or 1)
    deep = _too_deep(max_depth)(root)
    if deep:
        raise limits.over(
            f"HTML elements nested deeper than max-depth ({max_depth}); not read",
            "html",
            MAX_HTML_DEPTH.name,
            deep[0].sourceline or 1,
        )


def _headline_sources(
    page: Page, root: HtmlElement, content: HtmlElement
) -> list[tuple[HtmlElement, str]]:
    """Headline candidates in order: the content's ``<h1>``, ``og:title``, ``<title>``."""
    from corpuslint.readers.html_content import element_text

    candidates: list[tuple[HtmlElement, str]] = []
    allowed = {"header"} if content.tag not in ("body", "html") else set()
    for h1 in content.iterdescendants("h1"):
        if not any(page.boilerplate(e) and e.tag not in allowed for e in _up_to(h1, content)):
            candidates.append((h1, element_text(h1)))
            break
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:title":
            candidates.append((meta, collapse(meta.get("content") or "")))
            break
    title = root.find(".//title")
    if title is not None:
        candidates.append((title, element_text(title)))
    return candidates


def _up_to(element: HtmlElement, top: HtmlElement) -> Iterator[HtmlElement]:
    """The element and its ancestors below ``top``."""
    yield element
    for ancestor in element.iterancestors():
        if ancestor is top:
            return
        yield ancestor


def _lxml_missing() -> bool:
    try:
        import lxml.html  # noqa: F401
    except ImportError:
        return True
    return False


class HtmlReader(Reader):
    """Reads ``.html`` / ``.htm`` pages with lxml (any encoding a page declares)."""

    format = "html"
    suffixes = (".html", ".htm")
    settings = (limits.MAX_FILE, MAX_HTML_DEPTH, limits.MAX_INT_DIGITS, COMPARE)
    comments = True

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        if _lxml_missing():
            yield Problem(display, INSTALL_HINT)
            return
        yield from self.parse(limits.read_file(path, self.options, self.format), display)

    def parse(self, data: bytes, display: str) -> Iterator[Document | Problem]:
        if _lxml_missing():
            yield Problem(display, INSTALL_HINT)
            return
        limits.check_size(len(data), self.options, self.format)
        document, problems = read_html(data, display, self.options)
        for problem in problems:
            yield Problem(display, problem.message, problem.line, problem.column)
        yield document
