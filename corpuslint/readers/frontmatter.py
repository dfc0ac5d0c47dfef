"""Front matter at the top of a Markdown file: YAML between ``---`` or TOML between ``+++``."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from corpuslint.readers.base import ReadError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter and where it sits: ``end`` is the 0-based index of its closing line."""

    data: Mapping[str, Any]
    end: int
    key_lines: Mapping[str, int]
    """1-based line of each top-level key, so a finding about ``title`` can point at it."""


# libyaml's safe loader when PyYAML was built with it: the pure-Python one took 4.0 of
# 21.3 s on 10,000 articles, more than markdown-it's block parser.
_FAST_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(body: str) -> Any:
    """Parse YAML fast; on an error, parse again in Python for its exact message and column."""
    try:
        return yaml.load(body, Loader=_FAST_YAML)
    except yaml.YAMLError:
        return yaml.safe_load(body)  # raises the pure-Python loader's clearer error


_FENCES = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def split_front_matter(lines: list[str]) -> FrontMatter | None:
    """Find and parse front matter; ``None`` if the file has none.

    Raises :class:`ReadError` (with the line) for an unclosed block, a syntax error, or
    front matter that is not a mapping.
    """
    if not lines or lines[0].rstrip() not in _FENCES:
        return None
    kind, closers = _FENCES[lines[0].rstrip()]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise ReadError(f"{kind.upper()} front matter opened on line 1 is never closed", 1)
    body = "\n".join(lines[1:end])
    data: Any
    try:  # TOML wants its last line ended, or it reports errors "at end of document"
        data = _load_yaml(body) if kind == "yaml" else tomllib.loads(body + "\n")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 2, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(f"malformed YAML front matter: {problem}", line, column) from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib counts lines from the opening fence's next line; report the file's line.
        where = _TOML_WHERE.search(str(exc))
        line, column = (int(where[1]) + 1, int(where[2])) if where else (1, 1)
        problem = _TOML_WHERE.sub("", str(exc))
        raise ReadError(f"malformed TOML front matter: {problem}", line, column) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError(f"front matter is a {type(data).__name__}, not a mapping of keys", 2)
    key_lines: dict[str, int] = {}
    for index in range(1, end):
        line = lines[index]
        if line and not line[0].isspace():
            key = line.split(":" if kind == "yaml" else "=", 1)[0].strip().strip("'\"")
            key_lines.setdefault(key, index + 1)
    return FrontMatter({str(k): v for k, v in data.items()}, end, key_lines)
