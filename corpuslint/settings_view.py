"""``corpuslint check --show-settings PATH``: the settings that apply to one file, and whence.

Every value is paired with where it came from: ``default``, the configuration file and
key, or ``command line`` and the option. The answer is data (:func:`settings_for`) that
:func:`as_text` prints for people; ``--format json`` prints the data itself. Nothing is
checked: the file is not read, only its name is matched against the configuration.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from corpuslint import plugins
from corpuslint._support.processes import default_jobs
from corpuslint.config import DEFAULT_EXCLUDE, Config
from corpuslint.model import Severity
from corpuslint.readers.base import name_suffixes
from corpuslint.run.discover import ALWAYS_EXCLUDED, Discovery, git_files
from corpuslint.run.plan import Overrides, make_plan
from corpuslint.run.selection import Filter, expand

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT = "default"


@dataclass(frozen=True)
class CommandLine:
    """The options of ``corpuslint check`` that change settings, as given (``None``: not)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    jobs: int | None = None
    fail_on: str | None = None
    no_cache: bool = False
    baseline: Path | None = None


def _written(config: Config) -> Mapping[str, Any]:
    """The corpuslint table as written in the configuration file (empty without one)."""
    if config.source is None:
        return {}
    try:
        with config.source.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # it was read a moment ago; a file gone since says nothing more
    if config.source.name == "pyproject.toml":
        table = data.get("tool", {}).get("corpuslint", {})
        return table if isinstance(table, dict) else {}
    return data


class _Sources:
    """Names where a key's value comes from: the configuration file's key, or the default."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.written = _written(config)
        pyproject = config.source is not None and config.source.name == "pyproject.toml"
        self.prefix = "[tool.corpuslint] " if pyproject else ""

    def at(self, key: str) -> str:
        """``<file>: <key>``, the key as written in the configuration file."""
        return f"{self.config.source}: {self.prefix}{key}"

    def of(self, key: str) -> str:
        """Where a top-level key's value comes from."""
        return self.at(key) if key in self.written else DEFAULT


def _value(value: Any) -> Any:
    """A setting's value as data: tuples as lists, paths as strings."""
    if isinstance(value, tuple):
        return [_value(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    return value


def _setting(value: Any, source: str, **more: Any) -> dict[str, Any]:
    return {"value": _value(value), "source": source, **more}


def _matching(patterns: Sequence[str], relative: str) -> str | None:
    """The first gitignore-style pattern that matches ``relative`` or a folder above it."""
    folders = relative.split("/")[:-1]
    candidates = [relative] + ["/".join(folders[: n + 1]) + "/" for n in range(len(folders))]
    for pattern in patterns:
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        if any(spec.match_file(c) for c in candidates):
            return pattern
    return None


def _files(
    path: Path, config: Config, registry: plugins.Registry, sources: _Sources, cwd: Path
) -> dict[str, Any]:
    """include/exclude and whether the file is checked when named, and in the corpus."""
    discovery = Discovery(config, registry.readers, cwd)
    resolved = path.resolve()
    inside = discovery.inside(resolved)
    relative = discovery._relative(resolved)
    exclude_source = sources.of("exclude")
    if exclude_source == DEFAULT and config.exclude != DEFAULT_EXCLUDE:
        exclude_source = "configuration (not from a file)"
    files: dict[str, Any] = {
        "relative-path": relative if inside else None,
        "include": _setting(config.include, sources.of("include")),
        "exclude": _setting(config.exclude, exclude_source),
        "extend-exclude": _setting(config.extend_exclude, sources.of("extend-exclude")),
    }
    reasons: list[str] = []  # why the file is not checked when named on the command line
    if not any(s in discovery.suffixes for s in name_suffixes(path.name)):
        suffixes = ", ".join(sorted(discovery.suffixes))
        reasons.append(f"no reader reads its suffix (readers read {suffixes})")
    elif not path.exists():
        reasons.append("no such file")
    excluded = _matching(config.exclude, relative) if inside else None
    extended = _matching(config.extend_exclude, relative) if inside and not excluded else None
    if excluded is not None:
        reasons.append(f"excluded by {excluded!r} ({exclude_source})")
    elif extended is not None:
        reasons.append(f"excluded by {extended!r} ({sources.of('extend-exclude')})")
    files["checked-when-named"] = {"admitted": not reasons, "reasons": list(reasons)}
    corpus = list(reasons)  # the corpus walk applies more: include, git, fixed folders
    if not inside:
        corpus.append(f"outside the project root {discovery.root}: compared with other files named")
    else:
        if config.include and not _matching(config.include, relative):
            patterns = ", ".join(repr(p) for p in config.include)
            corpus.append(f"not matched by include {patterns} ({sources.of('include')})")
        never = [part for part in relative.split("/")[:-1] if part in ALWAYS_EXCLUDED]
        if never:
            corpus.append(f"in {never[0]}/, a folder never read")
        listed = git_files(discovery.root) if not config.follow_external_links else None
        if listed is not None and relative not in set(listed) and path.exists():
            corpus.append("ignored by git (.gitignore, .git/info/exclude or the global ignore)")
    files["in-corpus"] = {"admitted": not corpus, "reasons": corpus}
    return files


def _selection(
    config: Config, registry: plugins.Registry, given: CommandLine, sources: _Sources
) -> tuple[dict[str, str], dict[str, str]]:
    """Why each rule runs, and why each other rule does not, by code."""
    rules = registry.rules
    where = config.where()
    if given.select is not None:
        base, base_source = expand(given.select, rules, "command line"), "command line: --select"
    elif config.select is not None:
        base, base_source = expand(config.select, rules, where), sources.at("select")
    else:
        base = {c for c, r in rules.items() if r.enabled_by_default}
        base_source = "on by default"
    extra = [
        (expand(config.extend_select, rules, where), sources.at("extend-select")),
        (expand(given.extend_select, rules, "command line"), "command line: --extend-select"),
    ]
    ignored_key = "ignore" if "ignore" in sources.written else "extend-ignore"
    ignores = [
        (expand(config.ignore, rules, where), sources.at(ignored_key)),
        (expand(given.ignore, rules, "command line"), "command line: --ignore"),
    ]
    run: dict[str, str] = {}
    not_run: dict[str, str] = {}
    for code, rule in rules.items():
        why = base_source if code in base else None
        why = next((s for codes, s in extra if code in codes), why) if why is None else why
        stopped = next((s for codes, s in ignores if code in codes), None)
        if why is not None and stopped is None:
            run[code] = why
        elif why is None:
            not_run[code] = (
                "off by default"
                if not rule.enabled_by_default and base_source.startswith("on")
                else f"not selected ({base_source})"
            )
        else:
            not_run[code] = f"ignored ({stopped})"
    return run, not_run


def _rule_tables(config: Config, registry: plugins.Registry) -> dict[str, list[str]]:
    """The ``rules.<key>`` tables that set each rule's options, in the order they apply."""
    by_name = {rule.name: code for code, rule in registry.rules.items()}
    tables: dict[str, list[str]] = {}
    for key in config.rules:
        code = key.upper() if key.upper() in registry.rules else by_name.get(key)
        if code is not None:
            tables.setdefault(code, []).append(key)
    return tables


def settings_for(
    path: Path,
    config: Config,
    registry: plugins.Registry,
    given: CommandLine | None = None,
    cwd: Path | None = None,
) -> dict[str, Any]:
    """The settings that apply to ``path`` and where each came from, as data.

    Raises ``ConfigError`` where a run would: an unknown rule, option or setting.
    """
    given = given or CommandLine()
    cwd = (cwd or Path.cwd()).resolve()
    sources = _Sources(config)
    overrides = Overrides(
        select=given.select, ignore=given.ignore, extend_select=given.extend_select
    )
    plan = make_plan(config, registry, overrides)
    checks = Filter.build(config.per_file_ignores, config.severity, registry.rules, config.where())
    files = _files(path, config, registry, sources, cwd)
    relative = files["relative-path"]
    applying = {
        pattern: sorted(expand(codes, registry.rules, config.where()))
        for pattern, codes in config.per_file_ignores.items()
        if relative is not None
        and pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(relative)
    }
    run, not_run = _selection(config, registry, given, sources)
    tables = _rule_tables(config, registry)
    rules: list[dict[str, Any]] = []
    for code in plan.codes:
        rule = registry.rules[code]
        level: Severity = rule.severity
        level_source = DEFAULT
        for selector_code, configured in checks.severity:
            if selector_code == code:
                level, level_source = configured, sources.at("severity")
                break
        options = {}
        for name, value in plan.options[code].items():
            keys = [k for k in tables.get(code, []) if name in config.rules[k]]
            where = sources.at(f"rules.{keys[-1]}.{name}") if keys else DEFAULT
            options[name] = _setting(value, where)
        ignored_by = [p for p, codes in applying.items() if code in codes]
        rules.append(
            {
                "code": code,
                "name": rule.name,
                "why": run.get(code, ""),
                "severity": _setting(str(level), level_source),
                "reported": not ignored_by,
                "per-file-ignores": ignored_by,
                "options": options,
            }
        )
    reader_cls = registry.reader_for_name(path.name)
    reader: dict[str, Any] | None = None
    if reader_cls is not None:
        written = config.readers.get(reader_cls.format, {})
        reader = {
            "format": reader_cls.format,
            "class": f"{reader_cls.__module__}.{reader_cls.__qualname__}",
            "settings": {
                name: _setting(
                    value, sources.at(f"{reader_cls.format}.{name}") if name in written else DEFAULT
                )
                for name, value in plan.reader_settings.get(reader_cls.format, {}).items()
            },
        }
    return {
        "path": str(path),
        "configuration": str(config.source) if config.source else None,
        "root": str(config.root),
        "files": files,
        "reader": reader,
        "rules": rules,
        "not-run": [
            {"code": code, "name": registry.rules[code].name, "why": why}
            for code, why in not_run.items()
        ],
        "per-file-ignores": {
            pattern: _setting(codes, sources.at(f"per-file-ignores.{pattern!r}"))
            for pattern, codes in applying.items()
        },
        "run": _run_settings(config, given, sources),
    }


def _run_settings(config: Config, given: CommandLine, sources: _Sources) -> dict[str, Any]:
    """fail-on, jobs, cache, baseline, rule-timeout and follow-external-links."""
    from corpuslint.cache.store import directory_for

    run: dict[str, Any] = {}
    if given.fail_on is not None:
        run["fail-on"] = _setting(given.fail_on, "command line: --fail-on")
    else:
        run["fail-on"] = _setting(config.fail_on, sources.of("fail-on"))
    cores = default_jobs()
    if given.jobs is not None:
        jobs, jobs_source = given.jobs, "command line: --jobs"
    elif config.jobs is not None:
        jobs, jobs_source = config.jobs, sources.of("jobs")
    else:
        jobs, jobs_source = cores, f"{DEFAULT}: the {cores} core(s) available"
    run["jobs"] = _setting(
        min(jobs, cores), jobs_source, **({"asked": jobs} if jobs > cores else {})
    )
    if given.no_cache:
        cache_on, cache_source = False, "command line: --no-cache"
    else:
        cache_on, cache_source = config.cache, sources.of("cache")
    try:
        location: str | None = str(directory_for(config.root))
    except RuntimeError:  # no home folder to put it in
        location = None
    run["cache"] = _setting(cache_on, cache_source, directory=location)
    baseline: Path | None
    if given.baseline is not None:
        baseline, baseline_source = given.baseline, "command line: --baseline"
    else:
        baseline, baseline_source = config.baseline, sources.of("baseline")
    run["baseline"] = _setting(
        baseline, baseline_source, exists=baseline.exists() if baseline is not None else None
    )
    run["rule-timeout"] = _setting(config.rule_timeout, sources.of("rule-timeout"))
    run["follow-external-links"] = _setting(
        config.follow_external_links, sources.of("follow-external-links")
    )
    return run


def _shown(value: Any) -> str:
    """A value as it would be written in TOML (near enough: JSON's strings and lists)."""
    import json

    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False)


def _line(name: str, setting: Mapping[str, Any], indent: str = "  ") -> str:
    return f"{indent}{name} = {_shown(setting['value'])}  ({setting['source']})"


def as_text(settings: Mapping[str, Any]) -> list[str]:
    """The settings as lines for people (not yet escaped for a terminal)."""
    lines = [f"Settings for {settings['path']}"]
    lines.append(f"  configuration: {settings['configuration'] or '(none: defaults)'}")
    lines.append(f"  project root: {settings['root']}")
    files = settings["files"]
    lines.append("Files")
    lines.append(f"  relative path: {files['relative-path'] or '(outside the project)'}")
    for key in ("include", "exclude", "extend-exclude"):
        setting = files[key]
        if key == "exclude" and setting["source"] == DEFAULT:
            count = len(setting["value"])
            lines.append(
                f"  exclude = the {count} default patterns  (default; --format json lists them)"
            )
        else:
            lines.append(_line(key, setting))
    for key, label in (
        ("checked-when-named", "checked when named"),
        ("in-corpus", "in the corpus"),
    ):
        verdict = files[key]
        why = "; ".join(verdict["reasons"])
        lines.append(f"  {label}: {'yes' if verdict['admitted'] else 'no: ' + why}")
    reader = settings["reader"]
    if reader is None:
        lines.append("Reader: none")
    else:
        lines.append(f"Reader: {reader['format']} ({reader['class']})")
        lines.extend(_line(name, s, "  ") for name, s in reader["settings"].items())
    lines.append(f"Rules that run ({len(settings['rules'])})")
    for rule in settings["rules"]:
        severity = rule["severity"]
        reported = (
            ""
            if rule["reported"]
            else ", not reported: per-file-ignores " + ", ".join(rule["per-file-ignores"])
        )
        lines.append(
            f"  {rule['code']} {rule['name']}: {severity['value']} ({severity['source']});"
            f" runs: {rule['why']}{reported}"
        )
        lines.extend(_line(name, s, "      ") for name, s in rule["options"].items())
    if settings["not-run"]:
        lines.append("Rules that do not run")
        lines.extend(f"  {r['code']} {r['name']}: {r['why']}" for r in settings["not-run"])
    for pattern, applied in settings["per-file-ignores"].items():
        lines.append(f"per-file-ignores {pattern!r} applies: {_line('', applied, '').strip()}")
    lines.append("Run")
    for name, setting in settings["run"].items():
        line = _line(name, setting)
        if name == "jobs" and "asked" in setting:
            line += f"; {setting['asked']} asked, capped at the cores available"
        if name == "cache":
            line += f"; folder {setting['directory'] or '(none: no home folder)'}"
        if name == "baseline" and setting["value"] is not None and not setting["exists"]:
            line += "; the file does not exist yet: every finding shows"
        lines.append(line)
    return lines
