"""Configuration: find ``corpuslint.toml`` or ``[tool.corpuslint]``, read it, validate it.

The root configuration is the outermost one at or above the working directory, within
its repository; configuration files below it are nested ones, each deciding what is
reported for the files below its folder (see :func:`load_nested`). Every key, rule code
and option is checked; a wrong one is a :class:`ConfigError` with the nearest valid
name, never silently ignored.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pathspec

from corpuslint.model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAMES = ("corpuslint.toml", ".corpuslint.toml", "pyproject.toml")
LIST_KEYS = (
    "include",
    "exclude",
    "extend-exclude",
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
)
TABLE_KEYS = ("per-file-ignores", "severity", "rules")
SCALAR_KEYS = (
    "fail-on",
    "jobs",
    "cache",
    "rule-timeout",
    "follow-external-links",
    "baseline",
    "extend",
)
NESTED_KEYS = frozenset(
    (
        "select",
        "ignore",
        "extend-select",
        "extend-ignore",
        "per-file-ignores",
        "severity",
        "rules",
        "exclude",
        "extend-exclude",
        "extend",
    )
)
"""The keys a nested configuration may set: what is reported below its folder, and how.

The others decide the corpus and the run (include, fail-on, jobs, cache, baseline,
rule-timeout, follow-external-links, reader settings): the root configuration's alone.
"""
PATTERN_KEYS = ("include", "exclude", "extend-exclude")
"""List keys whose entries are gitignore-style patterns, parsed when the file is read."""
DEFAULT_RULE_TIMEOUT = 60.0  # seconds; generous, because a slow machine must not fail a run

_META_FILES = (
    "README",
    "LICENSE",
    "LICENCE",
    "COPYING",
    "CHANGELOG",
    "CHANGES",
    "CONTRIBUTING",
    "CODE_OF_CONDUCT",
    "SECURITY",
    "SUPPORT",
    "AUTHORS",
)


def _any_case(name: str) -> tuple[str, ...]:
    """Patterns for a file name as written in upper, lower or title case, with any suffix."""
    spellings = dict.fromkeys((name, name.lower(), name.title()))
    return tuple(p for s in spellings for p in (s, f"{s}.*"))


DEFAULT_EXCLUDE: tuple[str, ...] = (
    # Dependencies, virtual environments and build output: other people's text or copies.
    "node_modules/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "site-packages/",
    "vendor/",
    "_site/",
    # Repository furniture: meta files and the forge's templates are not articles.
    ".github/",
    ".gitlab/",
    *(pattern for name in _META_FILES for pattern in _any_case(name)),
    # Templates of static site generators: Hugo, Jekyll, then Zola (whose `templates/`
    # holds Tera templates; other generators name their template folder so too).
    "layouts/",
    "archetypes/",
    "themes/",
    "_layouts/",
    "_includes/",
    "templates/",
)
"""What ``exclude`` holds unless configured (``extend-exclude`` adds to it, as in ruff)."""


class ConfigError(Exception):
    """The configuration is wrong; the message says where and what to write instead."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


@dataclass(frozen=True)
class Config:
    """The settings of one run, before they are checked against the loaded plugins."""

    root: Path
    source: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    """Patterns of files not to check: the defaults, or what ``exclude`` says instead."""
    extend_exclude: tuple[str, ...] = ()
    """Patterns excluded besides ``exclude``."""
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    severity: Mapping[str, str] = field(default_factory=dict)
    fail_on: str = "info"
    jobs: int | None = None
    cache: bool = True
    rule_timeout: float = DEFAULT_RULE_TIMEOUT
    """Seconds one call into a rule may take before it is stopped (0: no limit)."""
    follow_external_links: bool = False
    """Read files and folders that links in the project point to outside of it."""
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Rule options by rule name (or code), as written."""
    readers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Reader settings by format name (``[tool.corpuslint.jsonl]``), as written."""
    baseline: Path | None = None
    """The baseline file (``baseline = "path"``, relative to the configuration file)."""
    hierarchical: bool = True
    """Whether nested configuration files below the root apply (not with ``--config``)."""

    @property
    def excluded(self) -> tuple[str, ...]:
        """Every exclude pattern in force: ``exclude`` then ``extend-exclude``."""
        return self.exclude + self.extend_exclude

    def where(self) -> str:
        """The configuration file's name for messages."""
        return str(self.source) if self.source else "configuration"


def find_config_file(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest configuration file at or above ``start`` and its corpuslint table."""
    for directory in (start, *start.parents):
        found = config_in(directory)
        if found is not None:
            return found
    return None


def config_in(directory: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The configuration file of one folder and its corpuslint table, if it has one.

    ``corpuslint.toml`` comes before ``.corpuslint.toml``, which comes before a
    ``pyproject.toml`` with a ``[tool.corpuslint]`` table (one without is passed over).
    """
    for name in CONFIG_NAMES:
        candidate = directory / name
        if not candidate.is_file():
            continue
        table = corpuslint_table(candidate)
        if table is not None:
            return candidate, table
    return None


def corpuslint_table(path: Path) -> Mapping[str, Any] | None:
    """The corpuslint table of a configuration file (``None``: a pyproject without one)."""
    data = _read_toml(path)
    if path.name != "pyproject.toml":
        return data
    table = data.get("tool", {}).get("corpuslint")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.corpuslint] must be a table")
    return table


def find_root_config(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The root configuration for a run from ``start``: the outermost one in its repository.

    Every configuration file at or above ``start`` is considered, up to the folder that
    holds ``.git`` (or the file system's root outside a repository); the outermost is the
    root and those below it are nested ones. So a run from a folder with its own
    configuration sees the same corpus, and the same settings per file, as a run from
    the root.
    """
    found = None
    for directory in (start, *start.parents):
        here = config_in(directory)
        if here is not None:
            found = here
        if (directory / ".git").exists():
            break
    return found


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _project_root(start: Path) -> Path:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def root_folder(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """The project root :func:`load_config` gives, from where the configuration files are.

    Read before the plugins are loaded (which ``load_config`` needs), to start work that
    depends only on the root.
    """
    if explicit is not None:
        return explicit.resolve().parent
    cwd = (cwd or Path.cwd()).resolve()
    found = find_root_config(cwd)
    return found[0].parent if found is not None else _project_root(cwd)


def load_config(
    explicit: Path | None = None, cwd: Path | None = None, reader_formats: Iterable[str] = ()
) -> Config:
    """Read the configuration given with ``--config``, or the root one found from ``cwd``.

    With ``--config`` that file alone applies: nested configuration files are not read.
    """
    cwd = (cwd or Path.cwd()).resolve()
    if explicit is not None:
        explicit = explicit.resolve()
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        table = corpuslint_table(explicit)
        found: tuple[Path, Mapping[str, Any]] | None = (explicit, table or {})
    else:
        found = find_root_config(cwd)
    if found is None:
        return Config(root=_project_root(cwd))
    path, table = found
    config = parse_config(extended(table, path), path, set(reader_formats))
    return config if explicit is None else replace(config, hierarchical=False)


def load_nested(
    root: Config, found: Iterable[tuple[Path, Mapping[str, Any]]], reader_formats: Iterable[str]
) -> tuple[Config, ...]:
    """The nested configurations below ``root``, each a :class:`Config` rooted at its folder.

    ``found`` holds each configuration file below the root with its corpuslint table. A
    key that only the root may set (see :data:`NESTED_KEYS`) is an error naming the file,
    the key and the root configuration; keys inherited through ``extend`` that only the
    root may set are left to the root. Deepest folders come first.
    """
    formats = set(reader_formats)
    nested: list[Config] = []
    for path, table in found:
        for key in table:
            if (
                key not in NESTED_KEYS
                and key in set(LIST_KEYS + TABLE_KEYS + SCALAR_KEYS) | formats
            ):
                raise ConfigError(
                    f"{path}: {key!r} cannot be set in a nested configuration: it applies to"
                    f" the whole run; set it in the root configuration {root.where()}"
                )
        merged = {k: v for k, v in extended(table, path).items() if k in NESTED_KEYS}
        nested.append(parse_config(merged, path, formats))
    nested.sort(key=lambda c: (-len(c.root.parts), str(c.root)))
    return tuple(nested)


def anchored(folder: str, pattern: str) -> str:
    """A gitignore-style pattern written in ``folder`` (root-relative), made root-relative.

    A pattern with a slash before its end is relative to its folder; one without matches
    a name at any depth below the folder, as in a ``.gitignore``.
    """
    if "/" in pattern.rstrip("/"):
        return f"{folder}/{pattern.lstrip('/')}"
    return f"{folder}/**/{pattern}"


def with_nested_excludes(root: Config, nested: Iterable[Config]) -> Config:
    """The root configuration, also leaving out what nested ones exclude below their folders.

    A nested ``exclude`` or ``extend-exclude`` adds to the root's excludes (defaults
    included) for the files below its folder: the corpus stays the root's to decide, so
    a nested configuration can only narrow it.
    """
    added: list[str] = []
    base = root.root.resolve()
    for config in nested:
        written = config.exclude if config.exclude != DEFAULT_EXCLUDE else ()
        folder = config.root.resolve().relative_to(base).as_posix()
        for pattern in (*written, *config.extend_exclude):
            if pattern.startswith("!"):
                raise ConfigError(
                    f"{config.where()}: exclude: {pattern!r}: a nested configuration can only"
                    f" leave files out; set negations in the root configuration {root.where()}"
                )
            added.append(anchored(folder, pattern))
    if not added:
        return root
    return replace(root, extend_exclude=root.extend_exclude + tuple(added))


def extended(table: Mapping[str, Any], source: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """``table`` with what ``extend = "path"`` inherits from another configuration file.

    As in ruff, the file's own keys take precedence; a ``rules.<name>`` table is merged
    option by option. The path is relative to the file that names it; a chain that
    comes back to a file is an error. Patterns inherited this way are relative to the
    folder of the configuration that applies, as if written in it.
    """
    own = dict(table)
    target = own.pop("extend", None)
    if target is None:
        return own
    if not isinstance(target, str) or not target.strip():
        raise ConfigError(f"{source}: 'extend' must be the path of a configuration file")
    path = (source.parent / target).resolve()
    if path in seen or path == source.resolve():
        raise ConfigError(f"{source}: 'extend' comes back to {path}")
    if not path.is_file():
        raise ConfigError(f"{source}: extend: {path}: configuration file not found")
    base = extended(corpuslint_table(path) or {}, path, (*seen, source.resolve()))
    if "baseline" in base and isinstance(base["baseline"], str):
        base["baseline"] = str(path.parent / base["baseline"])
    merged = {**base, **own}
    rules_base, rules_own = base.get("rules"), own.get("rules")
    if isinstance(rules_base, dict) and isinstance(rules_own, dict):
        merged["rules"] = {
            name: (
                {**rules_base[name], **options}
                if isinstance(rules_base.get(name), dict) and isinstance(options, dict)
                else options
            )
            for name, options in rules_own.items()
        }
        merged["rules"].update({k: v for k, v in rules_base.items() if k not in rules_own})
    return merged


def parse_config(table: Mapping[str, Any], source: Path, reader_formats: set[str]) -> Config:
    """Check the shape of a corpuslint table and turn it into a :class:`Config`."""
    where = str(source)
    known = set(LIST_KEYS + TABLE_KEYS + SCALAR_KEYS) | reader_formats
    known.discard("extend")  # resolved by :func:`extended` before
    values: dict[str, Any] = {}
    readers: dict[str, Mapping[str, Any]] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, known)}")
        if key in reader_formats:
            readers[key] = _table(where, key, value)
        elif key in LIST_KEYS:
            values[key] = _strings(where, key, value)
            if key in PATTERN_KEYS:
                for pattern in values[key]:
                    _pattern(where, key, pattern)
        elif key == "per-file-ignores":
            values[key] = {
                _pattern(where, key, pattern): _strings(where, f"per-file-ignores.{pattern}", codes)
                for pattern, codes in _table(where, key, value).items()
            }
        elif key in ("severity", "rules"):
            values[key] = _table(where, key, value)
        elif key == "fail-on":
            values[key] = _severity(where, key, value)
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where}: 'jobs' must be a whole number of at least 1")
            values[key] = value
        elif key in ("cache", "follow-external-links"):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: {key!r} must be true or false")
            values[key] = value
        elif key == "rule-timeout":
            values[key] = _seconds(where, key, value)
        elif key == "baseline":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: 'baseline' must be the path of a baseline file")
            values[key] = source.parent / value
    for code, level in values.get("severity", {}).items():
        _severity(where, f"severity.{code}", level)
    return Config(
        root=source.parent,
        source=source,
        include=values.get("include", ()),
        exclude=values.get("exclude", DEFAULT_EXCLUDE),
        extend_exclude=values.get("extend-exclude", ()),
        select=values.get("select"),
        ignore=values.get("ignore", ()) + values.get("extend-ignore", ()),
        extend_select=values.get("extend-select", ()),
        per_file_ignores=values.get("per-file-ignores", {}),
        severity=values.get("severity", {}),
        fail_on=values.get("fail-on", "info"),
        jobs=values.get("jobs"),
        cache=values.get("cache", True),
        rule_timeout=values.get("rule-timeout", DEFAULT_RULE_TIMEOUT),
        follow_external_links=values.get("follow-external-links", False),
        rules=values.get("rules", {}),
        readers=readers,
        baseline=values.get("baseline"),
    )


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: {key!r} must be a list of strings")


def _pattern(where: str, key: str, pattern: str) -> str:
    """A gitignore-style pattern that pathspec can parse (checked now, not mid-walk)."""
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except (ValueError, re.error) as exc:
        raise ConfigError(f"{where}: {key}: {pattern!r} is not a valid pattern: {exc}") from None
    return pattern


def _seconds(where: str, key: str, value: Any) -> float:
    """A duration in seconds: a number of at least 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        value = -1
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{where}: {key!r} must be a number of seconds (0 for no limit)")
    return float(value)


def _table(where: str, key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key!r} must be a table")
    return value


def _severity(where: str, key: str, value: Any) -> str:
    try:
        Severity.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {key}: {exc}") from None
    return str(value).lower()


def rule_options(
    config: Config, rules: Mapping[str, Any], cli: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """Each rule's options by code: defaults, then the configured values, type-checked.

    ``rules`` maps codes to rule classes; ``[rules.<name>]`` tables may use a rule's name
    or its code. An unknown rule or option is a :class:`ConfigError` with a suggestion.
    """
    by_name = {rule.name: code for code, rule in rules.items()}
    resolved = {code: rule.defaults() for code, rule in rules.items()}
    sources = [(config.where(), config.rules)] + ([("command line", cli)] if cli else [])
    for where, tables in sources:
        for key, table in tables.items():
            code = key.upper() if key.upper() in rules else by_name.get(key)
            if code is None:
                hint = did_you_mean(key, list(by_name) + list(rules))
                raise ConfigError(f"{where}: rules.{key}: no such rule{hint}")
            rule = rules[code]
            known = {opt.name: opt for opt in rule.options}
            for name, value in _table(where, f"rules.{key}", table).items():
                option = known.get(name)
                if option is None:
                    hint = did_you_mean(name, known) or (
                        f" ({rule.name} has no options)" if not known else ""
                    )
                    raise ConfigError(f"{where}: rules.{key}: unknown option {name!r}{hint}")
                try:
                    resolved[code][name] = option.coerce(value)
                except ValueError as exc:
                    raise ConfigError(f"{where}: rules.{key}: {exc}") from None
    for code, rule in rules.items():
        try:
            rule.validate(resolved[code])
        except ValueError as exc:
            raise ConfigError(f"{config.where()}: rules.{rule.name}: {exc}") from None
    return resolved


def reader_settings(config: Config, readers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each reader's settings by format name, type-checked against its declared options."""
    resolved: dict[str, dict[str, Any]] = {}
    for fmt, reader in readers.items():
        known = {opt.name: opt for opt in reader.settings}
        values = {name: opt.default for name, opt in known.items()}
        for name, value in config.readers.get(fmt, {}).items():
            option = known.get(name)
            if option is None:
                raise ConfigError(
                    f"{config.where()}: {fmt}: unknown setting {name!r}{did_you_mean(name, known)}"
                )
            try:
                values[name] = option.coerce(value)
            except ValueError as exc:
                raise ConfigError(f"{config.where()}: {fmt}: {exc}") from None
        resolved[fmt] = values
    return resolved
