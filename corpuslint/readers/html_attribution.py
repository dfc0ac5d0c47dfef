"""Attribution metadata of an HTML page: author meta tags, rel=author, JSON-LD, bylines.

Collected from the whole page (a byline usually sits in the article's header, outside
its body) into ``author`` and ``byline`` metadata, the keys the missing-attribution
rule looks for, and ``header-lines``: the short lines of the page's ``<header>``
elements and around its headline, which the rule reads for bylines ("By Cara Stiles |
April 13, 2020", "Posted by Konstantin") as it reads the top of the body.

An author that only names the site (its ``og:site_name``, ``application-name`` or
domain), a ``twitter:creator`` handle, or an empty value is left out: it credits no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from lxml.html import HtmlElement

from corpuslint.readers import limits
from corpuslint.readers.base import ReadError
from corpuslint.similarity.normalize import collapse

AUTHOR_META = frozenset(
    {
        "author",
        "article:author",
        "og:article:author",
        "byl",
        "byline",
        "dc.creator",
        "dcterms.creator",
        "parsely-author",
        "sailthru.author",
        "creator",
    }
)
SITE_META = frozenset({"og:site_name", "application-name", "publisher", "dc.publisher"})
HEADER_KEY = "header-lines"
HEADER_MAX_LINES = 40
"""At most this many header lines are kept, the nearest to the headline first."""
_HEADLINE_REACH = 3
"""How many levels above the headline's ``<h1>`` the lines around it are taken from."""
_LINE_TAGS = frozenset(
    "p div span time address small li a strong em b i section header figcaption".split()
)
_ALNUM = re.compile(r"[\W_]+")
BYLINE_MARKERS = ("byline", "author")
_NOT_BYLINE = frozenset({"comment", "comments", "avatar", "bio", "photo", "img", "image"})
_TOKENS = re.compile(r"[^a-z0-9]+")
BYLINE_MAX_WORDS = 30
_CDATA = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


def _clean(text: str | None) -> str:
    return collapse(text or "")


def attribution(
    root: HtmlElement,
    skip: frozenset[str],
    options: Mapping[str, Any] | None = None,
    problems: list[ReadError] | None = None,
) -> dict[str, Any]:
    """The page's ``author`` and ``byline`` metadata (lists of strings), where present.

    Byline elements inside tags in ``skip`` (navigation, scripts, forms) do not count.
    JSON-LD is parsed within the ``max-depth`` and ``max-int-digits`` budgets of
    ``options``; a script over them is left out and its error added to ``problems``.
    """
    json_ld = list(_json_ld(root, options or {}, problems if problems is not None else []))
    site = _site_names(root)
    authors = list(
        dict.fromkeys(
            a for a in (*_meta(root), *_rel(root), *json_ld) if a and not _only_site(a, site)
        )
    )
    bylines = list(dict.fromkeys(b for b in _bylines(root, skip) if b and not _only_site(b, site)))
    header = list(dict.fromkeys(_header_lines(root, skip)))[:HEADER_MAX_LINES]
    metadata: dict[str, Any] = {}
    if authors:
        metadata["author"] = authors
    if bylines:
        metadata["byline"] = bylines
    if header:
        metadata[HEADER_KEY] = header
    return metadata


def _key(text: str) -> str:
    return _ALNUM.sub("", text.casefold())


def _site_names(root: HtmlElement) -> frozenset[str]:
    """The site's names as keys: ``og:site_name`` and the like, and its domain's name."""
    names: set[str] = set()
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower().strip()
        value = meta.get("content") or ""
        if key in SITE_META:
            names.add(_key(value))
        elif key in ("og:url", "twitter:domain"):
            names.update(_domain_names(value))
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            names.update(_domain_names(link.get("href") or ""))
    names.discard("")
    return frozenset(names)


def _domain_names(url: str) -> set[str]:
    """``www.example.co.uk`` gives ``examplecouk`` and ``example``."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower()).split("/")[0]
    host = host.split(":")[0].removeprefix("www.")
    if not host or "." not in host:
        return {_key(host)} if host else set()
    return {_key(host), _key(host.split(".")[0])}


def _only_site(value: str, site: frozenset[str]) -> bool:
    """Whether an author value names no one: the site itself, or a bare ``@handle``."""
    if re.fullmatch(r"@\w+", value.strip()):
        return True
    key = _key(value)
    return not key or key in site


def _meta(root: HtmlElement) -> Iterator[str]:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key.strip() in AUTHOR_META:
            yield _clean(meta.get("content"))


def _rel(root: HtmlElement) -> Iterator[str]:
    for element in root.iter("a", "link"):
        if "author" in (element.get("rel") or "").lower().split():
            yield _clean(element.text_content()) or _clean(element.get("title"))


def _json_ld(
    root: HtmlElement, options: Mapping[str, Any], problems: list[ReadError]
) -> Iterator[str]:
    documents: list[Any] = []
    for script in root.iter("script"):
        if "ld+json" in (script.get("type") or "").lower():
            try:
                documents.append(
                    limits.load_json(_CDATA.sub("", script.text or ""), options, "html")
                )
            except limits.LimitExceeded as exc:
                line = script.sourceline or 1
                problems.append(ReadError(f"JSON-LD script left out: {exc.message}", line))
            except ValueError:
                continue  # malformed JSON-LD is common and is not the article's prose
    names: dict[str, str] = {}
    for data in documents:
        _ld_names(data, names, 0)
    for data in documents:
        yield from _ld_authors(data, False, names, 0)


def _ld_names(value: Any, names: dict[str, str], depth: int) -> None:
    """Every node's ``name`` by its ``@id``, to resolve ``{"@id": ...}`` author references."""
    if depth > 20:
        return
    if isinstance(value, list):
        for item in value:
            _ld_names(item, names, depth + 1)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and isinstance(value.get("name"), str):
            names[value["@id"]] = value["name"]
        for item in value.values():
            _ld_names(item, names, depth + 1)


def _ld_authors(value: Any, in_author: bool, names: dict[str, str], depth: int) -> Iterator[str]:
    """Names under every ``author`` or ``creator`` key.

    A name is a string, ``{"name": ...}``, ``{"@id": ...}``, or a list of them.
    """
    if depth > 20:
        return
    if isinstance(value, str):
        if in_author:
            yield _clean(value)
    elif isinstance(value, list):
        for item in value:
            yield from _ld_authors(item, in_author, names, depth + 1)
    elif isinstance(value, dict):
        if in_author:
            name, ref = value.get("name"), value.get("@id")
            if isinstance(name, str):
                yield _clean(name)
            elif isinstance(ref, str):
                yield _clean(names.get(ref, ref))  # an unresolved reference still names one
        for key, item in value.items():
            if key in ("author", "creator"):
                yield from _ld_authors(item, True, names, depth + 1)
            elif isinstance(item, (dict, list)):
                yield from _ld_authors(item, False, names, depth + 1)


def _bylines(root: HtmlElement, skip: frozenset[str]) -> Iterator[str]:
    """Texts of byline elements.

    Those are elements whose class, id or ``itemprop`` names a byline or an author, an
    hCard's ``.vcard .fn``, and ``<address>`` outside a footer.
    """
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "link"):
            continue  # meta tags are read above
        if element.tag == "a" and "author" in (element.get("rel") or "").lower().split():
            continue  # rel=author links are read above
        marks = " ".join(
            (element.get("class") or "", element.get("id") or "", element.get("itemprop") or "")
        ).lower()
        tokens = set(_TOKENS.split(marks))
        wanted = any(marker in marks for marker in BYLINE_MARKERS) or (
            "fn" in tokens and _in_class(element, "vcard")
        )
        if element.tag == "address":
            wanted = not any(a.tag == "footer" for a in element.iterancestors())
        if not wanted or _NOT_BYLINE & tokens or _inside(element, skip):
            continue
        if any(_in_class(element, name) for name in ("comment", "comments", "commentlist")):
            continue  # a commenter (or a pingback) is not the article's author
        text = _clean(element.text_content())
        if text and len(text.split()) <= BYLINE_MAX_WORDS:
            yield text


def _in_class(element: HtmlElement, name: str) -> bool:
    return any(
        name in _TOKENS.split((a.get("class") or "").lower()) for a in element.iterancestors()
    )


def _header_lines(root: HtmlElement, skip: frozenset[str]) -> Iterator[str]:
    """Short lines near the headline (its ``<h1>``'s surroundings), then of ``<header>``s.

    A line is the text of an element of at most ``BYLINE_MAX_WORDS`` words: the
    element's own text and its children's, so "By <a>Cara Stiles</a> | <time>April 13,
    2020</time>" is one line.
    """
    body = root.find("body")
    if body is None:
        return
    h1 = next((h for h in body.iter("h1") if not _inside(h, skip)), None)
    if h1 is not None:
        container = h1
        for _ in range(_HEADLINE_REACH):
            parent = container.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            container = parent
        yield from _short_lines(container, skip, h1)
    for header in body.iter("header"):
        if not _inside(header, skip):
            yield from _short_lines(header, skip, None)


def _short_lines(
    top: HtmlElement, skip: frozenset[str], headline: HtmlElement | None
) -> Iterator[str]:
    for element in top.iter(*_LINE_TAGS):
        if element is headline or _inside(element, skip):
            continue
        text = _clean(element.text_content())
        if text and len(text.split()) <= BYLINE_MAX_WORDS and len(text) <= 300:
            yield text


def _inside(element: HtmlElement, skip: frozenset[str]) -> bool:
    return any(ancestor.tag in skip for ancestor in element.iterancestors())
