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
from corpuslint.config import DEFAULT_EXCLUDE, Config, load_nested
from corpuslint.model import Severity
from corpuslint.readers.base import name_suffixes
from corpuslint.run.discover import ALWAYS_EXCLUDED, Discovery, git_files, nested_config_files
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
    path: Path,
    config: Config,
    registry: plugins.Registry,
    sources: _Sources,
    cwd: Path,
    nested: Sequence[Config] = (),
) -> dict[str, Any]:
    """include/exclude and whether the file is checked when named, and in the corpus.

    ``nested`` are the nested configurations whose folders hold the file: what they
    exclude, relative to their folders, leaves it out too.
    """
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
    for scoped in nested if inside and excluded is None and extended is None else ():
        local = _local(relative, scoped, config)
        own = _Sources(scoped)
        for key, patterns in (
            ("exclude", scoped.exclude),
            ("extend-exclude", scoped.extend_exclude),
        ):
            if key == "exclude" and patterns == DEFAULT_EXCLUDE:
                continue  # not written: the root's defaults apply, as above
            hit = _matching(patterns, local)
            if hit is not None:
                reasons.append(f"excluded by {hit!r} ({own.of(key)})")
    files["checked-when-named"] = {"admitted": not reasons, "reasons": list(reasons)}
    corpus = list(reasons)  # the corpus walk applies more: include, git, fixed folders
    if not inside:
        corpus.append(f"outside the project root {discovery.root}: compared with other files named")
    else:
        if config.include and not _matching(config.include, relative):
            included = ", ".join(repr(p) for p in config.include)
            corpus.append(f"not matched by include {included} ({sources.of('include')})")
        never = [part for part in relative.split("/")[:-1] if part in ALWAYS_EXCLUDED]
        if never:
            corpus.append(f"in {never[0]}/, a folder never read")
        listed = git_files(discovery.root) if not config.follow_external_links else None
        if listed is not None and relative not in set(listed) and path.exists():
            corpus.append("ignored by git (.gitignore, .git/info/exclude or the global ignore)")
    files["in-corpus"] = {"admitted": not corpus, "reasons": corpus}
    return files


def _folder_of(scoped: Config, root: Config) -> str:
    """A nested configuration's folder relative to the root (``""`` for the root's)."""
    if scoped is root:
        return ""
    return scoped.root.resolve().relative_to(root.root.resolve()).as_posix()


def _local(relative: str, scoped: Config, root: Config) -> str:
    """A root-relative path made relative to a (nested) configuration's folder."""
    folder = _folder_of(scoped, root)
    return relative[len(folder) + 1 :] if folder and relative.startswith(folder + "/") else relative


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
    nested = load_nested(config, nested_config_files(config), registry.reader_settings())
    plan = make_plan(config, registry, overrides, nested=nested)
    resolved = path.resolve()
    relative_any = Discovery(config, (), cwd)._relative(resolved)
    holding = [c for c in nested if resolved.is_relative_to(c.root.resolve())]
    files = _files(path, config, registry, sources, cwd, holding)
    relative = files["relative-path"]
    # Selection, per-file-ignores, severities and document-rule options: the closest
    # configuration's. The corpus, corpus-rule options, the reader and the run: the root's.
    scoped = holding[0] if holding else config
    scope = plan.scope(relative if relative is not None else relative_any)
    codes = sorted(scope.codes) if scope is not None and relative is not None else plan.codes
    local_sources = _Sources(scoped)
    where = scoped.where()
    checks = Filter.build(scoped.per_file_ignores, scoped.severity, registry.rules, where)
    local = _local(relative, scoped, config) if relative is not None else None
    applying = {
        pattern: sorted(expand(patterns_codes, registry.rules, where))
        for pattern, patterns_codes in scoped.per_file_ignores.items()
        if local is not None and pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(local)
    }
    run, not_run = _selection(scoped, registry, given, local_sources)
    document_options = plan.document_options(relative) if relative is not None else plan.options
    rules: list[dict[str, Any]] = []
    for code in codes:
        rule = registry.rules[code]
        level: Severity = rule.severity
        level_source = DEFAULT
        for selector_code, configured in checks.severity:
            if selector_code == code:
                level, level_source = configured, local_sources.at("severity")
                break
        per_document = code in document_options
        owner, owner_sources = (scoped, local_sources) if per_document else (config, sources)
        tables = _rule_tables(owner, registry)
        options = {}
        values = document_options[code] if per_document else plan.options[code]
        for name, value in values.items():
            keys = [k for k in tables.get(code, []) if name in owner.rules[k]]
            option_source = owner_sources.at(f"rules.{keys[-1]}.{name}") if keys else DEFAULT
            options[name] = _setting(value, option_source)
        ignored_by = [p for p, ignored in applying.items() if code in ignored]
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
        "closest-configuration": str(scoped.source) if scoped.source else None,
        "root": str(config.root),
        "files": files,
        "reader": reader,
        "rules": rules,
        "not-run": [
            {"code": code, "name": registry.rules[code].name, "why": why}
            for code, why in not_run.items()
        ],
        "per-file-ignores": {
            pattern: _setting(ignored, local_sources.at(f"per-file-ignores.{pattern!r}"))
            for pattern, ignored in applying.items()
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
    closest = settings.get("closest-configuration")
    if closest is not None and closest != settings["configuration"]:
        lines.append(
            f"  closest configuration: {closest} (rules, severities, per-file-ignores and"
            " document-rule options of this file)"
        )
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
