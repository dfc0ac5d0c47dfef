"""A document's date, as readers find it: in its metadata, else in its file name.

Duplicate rules take the oldest copy of a text for the original, so every reader sets
``Document.date`` the same way: an ISO 8601 string (``2022-03-15``, or
``2022-03-15T09:30:00`` when the time is known; the zone is dropped) that sorts in
time order, or ``""`` when nothing names a date.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

METADATA_KEYS = ("date", "published", "publishDate", "publish_date", "pubDate", "datePublished")
"""Front matter and record fields that hold when a document was published, by priority."""

PATH_KEYS = ("path", "permalink", "url", "slug")
"""Front matter fields that may start with the date (Zola's ``path = "2017/08/31/Rust-1.20"``)."""

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?",
)
_FILE_NAME = re.compile(r"(?:^|[/\\_.-])(\d{4})-(\d{2})-(\d{2})(?=[/\\_.-]|$)")
_URL_PATH = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?=/|$)")


def _valid(year: str, month: str, day: str) -> bool:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def parse(value: Any) -> str:
    """``value`` (a date, a datetime or a string starting with one) as ISO 8601; else ``""``."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        return ""
    found = _ISO.match(value.strip())
    if found is None or not _valid(*found.group(1, 2, 3)):
        return ""
    year, month, day, hour, minute, second = found.groups()
    if hour is None:
        return f"{year}-{month}-{day}"
    return f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"


def from_metadata(metadata: Mapping[str, Any], keys: Iterable[str] = METADATA_KEYS) -> str:
    """The first of ``keys`` in ``metadata`` that holds a date, as ISO 8601; else ``""``."""
    for key in keys:
        date = parse(metadata.get(key))
        if date:
            return date
    for key in PATH_KEYS:
        value = metadata.get(key)
        if isinstance(value, str):
            found = _URL_PATH.search(value)
            if found is not None and _valid(*found.groups()):
                return "-".join(found.groups())
    return ""


def from_file_name(path: str) -> str:
    """The date a file name starts or ends a part with (``2022-03-15-title.md``); else ``""``."""
    for found in _FILE_NAME.finditer(path):
        if _valid(*found.groups()):
            return "-".join(found.groups())
    return ""


def of_document(metadata: Mapping[str, Any], path: str) -> str:
    """A document's date: from its metadata, else from its file name; ``""`` if neither has one."""
    return from_metadata(metadata) or from_file_name(path)


HTML_META = ("article:published_time", "datepublished", "date", "pubdate", "dc.date")
"""``<meta>`` names or properties (lower case) that hold a page's publication date."""

MAX_JSON_LD = 1 << 20
"""Bytes of a JSON-LD script read for ``datePublished``; a longer one is not looked into."""


def of_page(root: Any, path: str) -> str:
    """A page's date: its ``<meta>`` publication date, JSON-LD ``datePublished``, file name.

    ``root`` is the parsed page (an lxml element); nothing of the page is executed, and
    JSON-LD that is too long, nested too deep or not JSON is passed over.
    """
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in HTML_META:
            date = parse(meta.get("content") or "")
            if date:
                return date
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = script.text or ""
        if len(text) > MAX_JSON_LD:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        date = _json_ld_date(data, 0)
        if date:
            return date
    return from_file_name(path)


def _json_ld_date(value: Any, depth: int) -> str:
    """The first ``datePublished`` in JSON-LD (objects, lists and ``@graph``), a few levels deep."""
    if depth > 4:
        return ""
    if isinstance(value, list):
        for item in value[:100]:
            date = _json_ld_date(item, depth + 1)
            if date:
                return date
    elif isinstance(value, dict):
        date = parse(value.get("datePublished"))
        if date:
            return date
        graph = value.get("@graph")
        if graph is not None:
            return _json_ld_date(graph, depth + 1)
    return ""
