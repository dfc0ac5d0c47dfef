"""Which parts of an HTML page are the article's prose, and which are page furniture.

The main content is the ``<article>``, ``<main>``, ``role=main`` or
``itemprop=articleBody`` element holding the most text, else ``<body>``. Inside it,
paragraphs, headings, list items and quotes are prose, and so is loose text between
blocks (``text<br><br>text``, common in blog templates). Navigation, header, footer,
asides, forms, scripts, hidden elements, elements whose role or class marks them as
menus, sharing widgets or ads, and link lists are skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corpuslint.model import BlockKind
from corpuslint.similarity.normalize import collapse

if TYPE_CHECKING:
    from lxml.html import HtmlElement

SKIP_TAGS = frozenset(
    "script style noscript template nav header footer aside form button select textarea"
    " iframe svg canvas figure video audio object embed head pre dialog menu".split()
)
INLINE_TAGS = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub"
    " sup time u var wbr img label output ins del".split()
)
_INLINE_SKIP = frozenset("script style noscript template button svg select textarea".split())
BOILERPLATE_ROLES = frozenset(
    "navigation banner contentinfo complementary search dialog alertdialog menu menubar"
    " toolbar".split()
)
BOILERPLATE_TOKENS = frozenset(
    "nav navbar navigation menu breadcrumb breadcrumbs footer sidebar share sharing social"
    " newsletter subscribe subscription cookie cookies consent related recommended promo"
    " advert advertisement ad ads comments disqus popup modal signup caption gallery"
    " slideshow carousel slider teaser trending popular poll polls"
    " cta donate paywall outbrain taboola pingback pingbacks trackback trackbacks".split()
)
# Marks of reader comments and calls to action: furniture however much text they hold
# (an open thread's comments outweigh its post), except on an article or main element.
COMMENT_TOKENS = frozenset(
    "comment comments commentlist comments-area pingback pingbacks trackback trackbacks"
    " respond disqus reply replies".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = ("p", "li", "blockquote", *HEADINGS)
MAX_LINK_SHARE = 0.5
_TOKENS = re.compile(r"[^a-z0-9]+")
_MAX_DEPTH = 400


def element_text(element: HtmlElement) -> str:
    """The element's text, ``<br>`` as a space, scripts left out, whitespace collapsed."""
    parts: list[str] = []
    _collect(element, parts, 0)
    return collapse("".join(parts))


def visible_words(body: HtmlElement) -> int:
    """How many words of text the page shows: all of ``body`` but scripts, styles, templates."""
    return sum(len(text.split()) for text in _visible(body, 0))


def _visible(element: HtmlElement, depth: int) -> Iterator[str]:
    if element.text and isinstance(element.tag, str):
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _INLINE_SKIP and depth < _MAX_DEPTH:
            yield from _visible(child, depth + 1)
        if child.tail:
            yield child.tail


def _collect(element: HtmlElement, parts: list[str], depth: int) -> None:
    if element.text and isinstance(element.tag, str):
        parts.append(element.text)
    for child in element:
        if child.tag == "br":
            parts.append(" ")
        elif isinstance(child.tag, str) and child.tag not in _INLINE_SKIP and depth < _MAX_DEPTH:
            _collect(child, parts, depth + 1)
        if child.tail:
            parts.append(child.tail)


def _link_share(element: HtmlElement, text: str) -> float:
    links = sum(len(element_text(a)) for a in element.iter("a"))
    return links / max(1, len(text))


@dataclass(frozen=True)
class Found:
    """A prose block found in the page: its text and the element that locates it."""

    kind: BlockKind
    level: int
    text: str
    element: HtmlElement
    line: int | None = None
    """For loose text, its own line (``element`` is then only a neighbour); else ``None``."""


class Page:
    """A parsed page's text weights, for telling content from furniture.

    An element's weight is the length of the paragraph text it holds (all its text on
    pages without ``<p>`` elements): article bodies are heavy, menus and widgets light.
    """

    def __init__(self, body: HtmlElement) -> None:
        self.body = body
        self.weight: dict[HtmlElement, int] = defaultdict(int)
        for paragraph in body.iter("p"):
            self._add(paragraph, len(element_text(paragraph)))
        if not self.weight[body]:
            for element in body.iter():
                if isinstance(element.tag, str) and element.tag not in _INLINE_SKIP:
                    own = len((element.text or "").strip())
                    self._add(element, own + sum(len((c.tail or "").strip()) for c in element))

    def _add(self, element: HtmlElement, weight: int) -> None:
        if weight:
            self.weight[element] += weight
            for ancestor in element.iterancestors():
                self.weight[ancestor] += weight

    def boilerplate(self, element: HtmlElement) -> bool:
        """Whether an element is page furniture rather than the article's prose.

        A class or id such as ``sidebar`` or ``share`` counts only for elements holding
        less than half of the page's weight: wrappers named ``with-sidebar`` hold the article.
        """
        if element.tag in SKIP_TAGS:
            return True
        if element.get("hidden") is not None or element.get("aria-hidden") == "true":
            return True
        if (element.get("role") or "").lower() in BOILERPLATE_ROLES:
            return True
        if _HIDDEN_STYLE.search(element.get("style") or ""):
            return True
        marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        tokens = set(_TOKENS.split(marks))
        if BOILERPLATE_TOKENS.isdisjoint(tokens) and COMMENT_TOKENS.isdisjoint(tokens):
            return False
        if not COMMENT_TOKENS.isdisjoint(tokens) and element.tag not in ("article", "main"):
            return True
        return self.weight[element] * 2 < self.weight[self.body]

    def content_root(self) -> HtmlElement:
        """The heaviest article-like element if it holds a third of the weight, else body."""
        candidates = [
            element
            for element in self.body.iter()
            if isinstance(element.tag, str)
            and (
                element.tag in ("article", "main")
                or (element.get("role") or "").lower() == "main"
                or (element.get("itemprop") or "") == "articleBody"
            )
            and not self.boilerplate(element)
        ]
        if not candidates:
            return self.body
        best = max(reversed(candidates), key=lambda e: self.weight[e])
        return best if self.weight[best] * 3 >= self.weight[self.body] else self.body

    def blocks(self, root: HtmlElement) -> list[Found]:
        """The prose blocks under ``root`` in document order."""
        found: list[Found] = []
        self._walk(root, False, 0, found)
        return found

    def _walk(self, element: HtmlElement, quote: bool, depth: int, found: list[Found]) -> None:
        run = _Run(element)
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                pass
            elif tag == "br":
                run.line_break(found)
            elif tag in INLINE_TAGS:
                if not self.boilerplate(child):
                    run.add_element(child)
            else:
                run.flush(found)
                if not self.boilerplate(child):
                    self._block(child, quote, depth, found)
            run.add_tail(child)
        run.flush(found)

    def _block(self, element: HtmlElement, quote: bool, depth: int, found: list[Found]) -> None:
        tag = str(element.tag)
        if tag == "p":
            kind = BlockKind.QUOTE if quote else BlockKind.PARAGRAPH
            found.append(Found(kind, 0, element_text(element), element))
        elif tag in HEADINGS:
            found.append(Found(BlockKind.HEADING, int(tag[1]), element_text(element), element))
        elif tag in ("li", "blockquote") and not _has_blocks(element):
            kind = BlockKind.QUOTE if quote or tag == "blockquote" else BlockKind.LIST_ITEM
            text = element_text(element)
            if _link_share(element, text) <= MAX_LINK_SHARE:
                found.append(Found(kind, 0, text, element))
        elif depth < _MAX_DEPTH:
            self._walk(element, quote or tag == "blockquote", depth + 1, found)


def _has_blocks(element: HtmlElement) -> bool:
    return next(element.iterdescendants(*BLOCK_TAGS, "div"), None) is not None


class _Run:
    """Loose text between blocks, gathered until a block or a double ``<br>`` ends it."""

    def __init__(self, parent: HtmlElement) -> None:
        self.parts: list[str] = []
        self.links = 0
        self.breaks = 0
        self.line: int | None = None
        self.anchor = parent
        if parent.text and parent.text.strip():
            before = parent.text[: len(parent.text) - len(parent.text.lstrip())]
            self._add(parent.text, parent, (parent.sourceline or 1) + before.count("\n"))

    def _add(self, text: str, anchor: HtmlElement, line: int) -> None:
        if not self.parts:
            self.anchor, self.line = anchor, line
        self.parts.append(text)
        self.breaks = 0

    def add_element(self, element: HtmlElement) -> None:
        """An inline element: its text joins the run."""
        text = element_text(element)
        if text:
            if element.tag == "a":
                self.links += len(text)
            self._add(f" {text} ", element, element.sourceline or 1)

    def add_tail(self, element: HtmlElement) -> None:
        """The text after ``element``: its line is counted back from the next element's."""
        tail = element.tail
        if not tail or not tail.strip():
            return
        following = element.getnext()
        stripped = tail.lstrip()
        if following is not None and following.sourceline:
            line = following.sourceline - stripped.count("\n")
        else:  # exact after a void element such as <br>, close enough after others
            line = (element.sourceline or 1) + tail[: len(tail) - len(stripped)].count("\n")
        self._add(tail, element, max(line, element.sourceline or 1))  # never above ``element``

    def line_break(self, found: list[Found]) -> None:
        """A ``<br>``: a space, and two in a row end the paragraph."""
        self.breaks += 1
        if self.breaks >= 2:
            self.flush(found)
        elif self.parts:
            self.parts.append(" ")

    def flush(self, found: list[Found]) -> None:
        """End the run, keeping it as a paragraph unless it is mostly links."""
        text = collapse("".join(self.parts))
        if text and self.links <= MAX_LINK_SHARE * len(text):
            found.append(Found(BlockKind.PARAGRAPH, 0, text, self.anchor, self.line or 1))
        self.parts, self.links, self.line = [], 0, None
