"""Front matter at the top of a Markdown file: YAML between ``---`` or TOML between ``+++``."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from corpuslint.readers import limits
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
_FAST_YAML: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters that every YAML collection shows at least one of (a flow bracket, a block
# sequence's dash, a mapping's colon or question mark): front matter with no more of
# them than the depth budget cannot nest deeper, and needs no scan of its events.
_INDICATORS = "[{-?:"
MAX_YAML_NODES = 100_000
"""Nodes front matter may hold once its aliases are expanded (an alias bomb's budget)."""


def _checked_int(loader: Any, node: yaml.ScalarNode) -> Any:
    """An integer within ``max-int-digits`` (Python refuses long ones with a ValueError)."""
    digits = sum(c.isalnum() for c in str(node.value))
    if digits > loader.max_int_digits:
        raise limits.over(
            f"YAML front matter: integer of {digits} digits, over max-int-digits"
            f" ({loader.max_int_digits})",
            "markdown",
            limits.MAX_INT_DIGITS.name,
            node.start_mark.line + 2,
            node.start_mark.column + 1,
        )
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _checked_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """A date or time; an impossible one (``2024-13-01``) is a YAML error at its place."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date or time ({exc})", node.start_mark
        ) from None


def _loader(base: type[Any]) -> type[Any]:
    """``base`` with integers and timestamps checked (see ``_checked_int``)."""
    loader: type[Any] = type(f"Checked{base.__name__}", (base,), {"max_int_digits": 1000})
    loader.add_constructor("tag:yaml.org,2002:int", _checked_int)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)
    return loader


_FAST_CHECKED = _loader(_FAST_YAML)
_SAFE_CHECKED = _loader(yaml.SafeLoader)


def _construct(body: str, loader_class: type[Any], digits: int) -> Any:
    loader = loader_class(body)
    loader.max_int_digits = digits
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _load_yaml(body: str, options: Mapping[str, Any]) -> Any:
    """Parse YAML fast; on an error, parse again in Python for its exact message and column.

    Nesting and alias expansion are measured on libyaml's event stream first (no
    recursion), when the text could exceed the budgets at all. Such text is never given
    to the pure-Python loader, which recurses: its errors are libyaml's.
    """
    scan = sum(body.count(c) for c in _INDICATORS) > options["max-depth"] or "*" in body
    if scan:
        _check_events(body, options["max-depth"])
    digits = options["max-int-digits"]
    try:
        return _construct(body, _FAST_CHECKED, digits)
    except yaml.YAMLError:
        if scan or _FAST_CHECKED is _SAFE_CHECKED:
            raise
        return _construct(body, _SAFE_CHECKED, digits)  # the pure-Python loader's clearer error


def _check_events(body: str, max_depth: int) -> None:
    """Refuse YAML nested deeper than ``max_depth`` or expanding past ``MAX_YAML_NODES``.

    Counts each collection's nodes with its aliases expanded, so an alias bomb (each
    anchor referring to the previous one ten times) is stopped before it is built.
    Raises libyaml's ``YAMLError`` for a syntax error (nesting past its own limit too).
    """
    sizes: dict[str, int] = {}
    open_counts: list[int] = [0]
    anchors: list[str | None] = []
    for event in yaml.parse(body, Loader=_FAST_YAML):
        mark = event.start_mark
        line, column = (mark.line + 2, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            anchors.append(event.anchor)
            open_counts.append(0)
            if len(anchors) > max_depth:
                raise limits.over(
                    f"YAML front matter nested deeper than max-depth ({max_depth})",
                    "markdown",
                    limits.MAX_DEPTH.name,
                    line,
                    column,
                )
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            size = open_counts.pop() + 1
            anchor = anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in anchors:
                raise ReadError(
                    f"YAML front matter refers to itself: alias *{event.anchor} inside"
                    f" &{event.anchor}",
                    line,
                    column,
                )
            size = sizes.get(str(event.anchor), 1)
        else:
            continue
        open_counts[-1] += size
        if open_counts[-1] > MAX_YAML_NODES or sum(open_counts) > MAX_YAML_NODES:
            raise ReadError(
                f"YAML front matter expands to more than {MAX_YAML_NODES:,} values"
                " through its aliases",
                line,
            )


_FENCES = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


FRONT_MATTER_SETTINGS = (limits.MAX_DEPTH, limits.MAX_INT_DIGITS)
_DEFAULTS = {option.name: option.default for option in FRONT_MATTER_SETTINGS}


def split_front_matter(
    lines: list[str], options: Mapping[str, Any] | None = None
) -> FrontMatter | None:
    """Find and parse front matter; ``None`` if the file has none.

    Raises :class:`ReadError` (with the line) for an unclosed block, a syntax error, a
    value that cannot be built (an impossible date), front matter that is not a
    mapping, or one over the ``max-depth`` or ``max-int-digits`` budgets of ``options``.
    """
    options = {**_DEFAULTS, **(options or {})}
    if not lines or lines[0].rstrip() not in _FENCES:
        return None
    kind, closers = _FENCES[lines[0].rstrip()]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise ReadError(f"{kind.upper()} front matter opened on line 1 is never closed", 1)
    body = "\n".join(lines[1:end])
    data: Any
    try:  # TOML wants its last line ended, or it reports errors "at end of document"
        data = _load_yaml(body, options) if kind == "yaml" else _load_toml(body, options)
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
    except ReadError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        # The parsers' own failures on hostile values (their messages name no line).
        raise ReadError(
            f"{kind.upper()} front matter cannot be read: {type(exc).__name__}: {exc}"[:300]
        ) from None
    limits.check_structure(data, options, "markdown", f"{kind.upper()} front matter")
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


def _load_toml(body: str, options: Mapping[str, Any]) -> Any:
    """Parse TOML after a scan of its bracket nesting (``tomllib`` recurses into it)."""
    deep = limits.bracket_depth(body, options["max-depth"], toml=True)
    if deep is not None:
        line = body.count("\n", 0, deep) + 2
        raise limits.over(
            f"TOML front matter nested deeper than max-depth ({options['max-depth']})",
            "markdown",
            limits.MAX_DEPTH.name,
            line,
        )
    return tomllib.loads(body + "\n")
