"""Attribution metadata of an HTML page: author meta tags, rel=author, JSON-LD, bylines.

Collected from the whole page (a byline usually sits in the article's header, outside
its body) into ``author`` and ``byline`` metadata, the keys the missing-attribution
rule looks for.
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
        "twitter:creator",
    }
)
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
    json_ld = _json_ld(root, options or {}, problems if problems is not None else [])
    authors = list(dict.fromkeys(a for a in (*_meta(root), *_rel(root), *json_ld) if a))
    bylines = list(dict.fromkeys(b for b in _bylines(root, skip) if b))
    metadata: dict[str, Any] = {}
    if authors:
        metadata["author"] = authors
    if bylines:
        metadata["byline"] = bylines
    return metadata


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
    """Names under every ``author`` key: strings, ``{"name": ...}``, ``{"@id": ...}``, lists."""
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
            if key == "author":
                yield from _ld_authors(item, True, names, depth + 1)
            elif isinstance(item, (dict, list)):
                yield from _ld_authors(item, False, names, depth + 1)


def _bylines(root: HtmlElement, skip: frozenset[str]) -> Iterator[str]:
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "link", "a"):
            continue  # meta and rel=author links are read above
        marks = " ".join(
            (element.get("class") or "", element.get("id") or "", element.get("itemprop") or "")
        ).lower()
        if not any(marker in marks for marker in BYLINE_MARKERS):
            continue
        if _NOT_BYLINE & set(_TOKENS.split(marks)) or _inside(element, skip):
            continue
        text = _clean(element.text_content())
        if text and len(text.split()) <= BYLINE_MAX_WORDS:
            yield text


def _inside(element: HtmlElement, skip: frozenset[str]) -> bool:
    return any(ancestor.tag in skip for ancestor in element.iterancestors())
