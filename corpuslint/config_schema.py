"""A JSON Schema (draft-07) of the configuration, made from the loaded plugins' declarations.

The top-level keys are :mod:`corpuslint.config`'s, described here; each rule's options
(``[rules.<name-or-code>]``) and each reader's settings (``[<format>]``) come from their
:class:`~corpuslint.options.Option` declarations: type, default, bounds and help text.
Where corpuslint rejects an unknown key, so does the schema (``additionalProperties``).
The schema describes a ``corpuslint.toml``; in ``pyproject.toml`` the same table sits
under ``tool.corpuslint``. The copy shipped in ``corpuslint/data/`` holds the built-in
plugins' rules and readers (``corpuslint schema --builtin`` writes it).
"""

from __future__ import annotations

import importlib.metadata
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpuslint import plugins
from corpuslint.config import LIST_KEYS, SCALAR_KEYS, TABLE_KEYS
from corpuslint.model import Severity
from corpuslint.options import INT_MAX, Option

SCHEMA_ID = (
    "https://raw.githubusercontent.com/corpuslint/corpuslint/main/"
    "corpuslint/data/corpuslint.schema.json"
)
SHIPPED = "data/corpuslint.schema.json"
"""Where the generated schema is shipped, relative to the ``corpuslint`` package."""
BUILTIN_ENTRY_POINT = ("builtin", "corpuslint_rules")
"""The entry point of the built-in rules (``[project.entry-points.corpuslint]``)."""

_DESCRIPTIONS: Mapping[str, str] = {
    "include": "Gitignore-style patterns of the files that make up the corpus, relative to "
    "the configuration file (default: every file a reader reads).",
    "exclude": "Gitignore-style patterns of files left out of the corpus; replaces the "
    "default excludes (dependency folders, repository meta files, site templates).",
    "extend-exclude": "Gitignore-style patterns of files left out in addition to `exclude`.",
    "select": "Rule codes, code prefixes or names to run (`ALL` for every rule); replaces "
    "the rules on by default.",
    "ignore": "Rule codes, code prefixes or names not to run.",
    "extend-select": "Rule codes, code prefixes or names to run in addition to `select`.",
    "extend-ignore": "Rule codes, code prefixes or names not to run, in addition to `ignore`.",
    "per-file-ignores": "Rules not reported in the files a gitignore-style pattern matches: "
    "pattern = list of codes.",
    "severity": "A rule's severity: code, prefix or name = `error`, `warning` or `info`.",
    "rules": "Rule options: one table per rule, named by the rule's name or code.",
    "fail-on": "The lowest severity that fails the run (default: `info`).",
    "jobs": "Worker processes of the document pass (default: all cores).",
    "cache": "Whether to read and write the cache (default: true).",
    "rule-timeout": "Seconds one call into a rule may take before it is stopped; 0 for no "
    "limit (default: 60).",
    "follow-external-links": "Whether to read files and folders whose links resolve outside "
    "the project (default: false).",
    "baseline": "Baseline file whose findings are hidden, relative to the configuration file.",
    "extend": "Another configuration file whose keys this one inherits (its own take"
    " precedence), relative to this file.",
}
"""What each top-level key means: a key that :func:`corpuslint.config.parse_config` accepts
without a line here is an error when the schema is made, so none is left undescribed."""


def _case_free(text: str) -> str:
    """A regular expression matching ``text`` in any letter case (JSON Schema has no flags)."""
    out = []
    for char in text:
        if char.isalpha() and char.lower() != char.upper():
            out.append(f"[{char.upper()}{char.lower()}]")
        else:
            out.append(_escape(char))
    return "".join(out)


def _escape(char: str) -> str:
    return "\\" + char if char in r"\^$.|?*+()[]{}" else char


def _severity_schema() -> dict[str, Any]:
    """``error``, ``warning`` or ``info``: offered as written, accepted in any case."""
    names = [s.name.lower() for s in Severity]
    return {
        "type": "string",
        "anyOf": [
            {"enum": names},
            {"pattern": "^\\s*(" + "|".join(_case_free(n) for n in names) + ")\\s*$"},
        ],
    }


def _selector_schema(rules: Mapping[str, type]) -> dict[str, Any]:
    """Codes, code prefixes (any case), rule names and ``ALL``, as ``expand`` takes them."""
    prefixes = sorted({code[:n] for code in rules for n in range(1, len(code) + 1)} | {"ALL"})
    names = sorted(str(getattr(rule, "name", "")) for rule in rules.values())
    alternatives = [_case_free(p) for p in prefixes] + [
        "".join(_escape(c) for c in name) for name in names if name
    ]
    return {
        "type": "string",
        "pattern": "^\\s*(" + "|".join(alternatives) + ")\\s*$",
        "description": "A rule code, a code prefix (CL1 is every CL1xx rule), a rule name, or ALL.",
    }


def _strings_or_one(items: dict[str, Any], description: str) -> dict[str, Any]:
    """A list of strings, or one string (as :func:`corpuslint.config._strings` takes)."""
    return {
        "description": description,
        "anyOf": [items, {"type": "array", "items": items}],
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def option_schema(option: Option) -> dict[str, Any]:
    """The schema of one option: its type, bounds, default and help text."""
    schema: dict[str, Any] = {"title": option.name, "description": option.help}
    if option.type is bool:
        schema["type"] = "boolean"
    elif option.type is int:
        schema["type"] = "integer"
        low = -INT_MAX - 1 if option.low is None else math.ceil(option.low)
        high = INT_MAX if option.high is None else math.floor(option.high)
        schema["minimum"], schema["maximum"] = low, high
    elif option.type is float:
        schema["type"] = "number"
        if option.low is not None:
            schema["minimum"] = _number(option.low)
        if option.high is not None:
            schema["maximum"] = _number(option.high)
    elif option.type is str:
        schema["type"] = "string"
    elif option.type is tuple:
        schema["type"] = "array"
        schema["items"] = {"type": "string"}
        if option.regex:
            schema["items"]["format"] = "regex"
    else:  # a plugin's own type: the schema cannot say more than "a value"
        pass
    default = option.default
    schema["default"] = list(default) if isinstance(default, tuple) else default
    return schema


def _table(
    options: Sequence[Option], title: str, description: str, strict: bool = True
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "object",
        "properties": {opt.name: option_schema(opt) for opt in options},
        "additionalProperties": not strict,
    }


def _rules_schema(registry: plugins.Registry) -> dict[str, Any]:
    """``[rules.<name>]`` and ``[rules.<code>]`` (the code in any case) for every rule."""
    properties: dict[str, Any] = {}
    patterns: dict[str, Any] = {}
    for code, rule in registry.rules.items():
        table = _table(
            rule.options,
            f"{code} {rule.name}",
            f"Options of {rule.name} ({code}): {rule.summary()}",
        )
        properties[rule.name] = table
        reference = {"$ref": f"#/properties/rules/properties/{rule.name}"}
        properties[code] = reference
        patterns["^" + _case_free(code) + "$"] = reference
    return {
        "description": _DESCRIPTIONS["rules"],
        "type": "object",
        "properties": properties,
        "patternProperties": patterns,
        "additionalProperties": False,
    }


def schema(registry: plugins.Registry) -> dict[str, Any]:
    """The JSON Schema of a ``corpuslint.toml`` for the rules and readers in ``registry``."""
    missing = [k for k in (*LIST_KEYS, *TABLE_KEYS, *SCALAR_KEYS) if k not in _DESCRIPTIONS]
    if missing:
        raise ValueError(f"configuration keys without a description: {', '.join(missing)}")
    selector = _selector_schema(registry.rules)
    pattern = {"type": "string", "description": "A gitignore-style pattern."}
    severity = _severity_schema()
    properties: dict[str, Any] = {}
    for key in LIST_KEYS:
        item = pattern if key in ("include", "exclude", "extend-exclude") else selector
        properties[key] = _strings_or_one(item, _DESCRIPTIONS[key])
    properties["per-file-ignores"] = {
        "description": _DESCRIPTIONS["per-file-ignores"],
        "type": "object",
        "additionalProperties": _strings_or_one(selector, "Rules not reported in these files."),
    }
    properties["severity"] = {
        "description": _DESCRIPTIONS["severity"],
        "type": "object",
        "propertyNames": selector,
        "additionalProperties": severity,
    }
    properties["rules"] = _rules_schema(registry)
    properties["fail-on"] = {
        "description": _DESCRIPTIONS["fail-on"],
        **severity,
        "default": "info",
    }
    properties["jobs"] = {"description": _DESCRIPTIONS["jobs"], "type": "integer", "minimum": 1}
    for key in ("cache", "follow-external-links"):
        properties[key] = {
            "description": _DESCRIPTIONS[key],
            "type": "boolean",
            "default": key == "cache",
        }
    properties["rule-timeout"] = {
        "description": _DESCRIPTIONS["rule-timeout"],
        "type": "number",
        "minimum": 0,
        "default": 60,
    }
    properties["baseline"] = {
        "description": _DESCRIPTIONS["baseline"],
        "type": "string",
        "pattern": "\\S",
    }
    properties["extend"] = {
        "description": _DESCRIPTIONS["extend"],
        "type": "string",
        "pattern": "\\S",
    }
    for fmt, reader in sorted(registry.reader_settings().items()):
        suffixes = ", ".join(sorted(s for s, r in registry.readers.items() if r is reader))
        properties[fmt] = _table(
            reader.settings,
            f"[{fmt}] reader",
            f"Settings of the {fmt} reader ({suffixes}), budgets included.",
        )
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "corpuslint configuration",
        "description": "corpuslint.toml, or the [tool.corpuslint] table of pyproject.toml: "
        "a linter for text corpora.",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def builtin_registry(
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> plugins.Registry:
    """The registry of corpuslint's own plugins only: what the shipped schema describes."""
    if entry_points is None:
        entry_points = importlib.metadata.entry_points(group=plugins.ENTRY_POINT_GROUP)
    return plugins.load([ep for ep in entry_points if (ep.name, ep.value) == BUILTIN_ENTRY_POINT])


def render(document: Mapping[str, Any]) -> str:
    """The schema as the shipped file holds it: indented JSON, keys in order, one newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
