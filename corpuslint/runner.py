"""One ``check`` run from paths to a :class:`Result`: discover, both passes, then filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslint import baseline, plugins, suppress
from corpuslint.cache import Cache, settings_digest
from corpuslint.config import Config, reader_settings, rule_options
from corpuslint.core_rules import UnusedSuppression
from corpuslint.discover import Discovery, SourceFile
from corpuslint.engine import Checker, Plan, default_jobs, document_pass
from corpuslint.incremental import cached_pass
from corpuslint.model import Severity, Signature, Span, Violation
from corpuslint.report.base import Result
from corpuslint.selection import Filter, selected_codes
from corpuslint.suppress import Directive


@dataclass(frozen=True)
class Overrides:
    """Command-line settings that take precedence over the configuration file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    jobs: int | None = None
    cache: bool | None = None
    baseline: Path | None = None
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def make_plan(
    config: Config, registry: plugins.Registry, overrides: Overrides, check_all: bool = False
) -> Plan:
    """Validate selection and options against the loaded rules (raises ``ConfigError``)."""
    where = config.where()
    select = overrides.select if overrides.select is not None else config.select
    codes = selected_codes(
        registry.rules,
        select,
        config.ignore + overrides.ignore,
        config.extend_select + overrides.extend_select,
        where if overrides.select is None else "command line",
    )
    options = rule_options(config, registry.rules, overrides.rule_options)
    settings = reader_settings(config, registry.reader_settings())
    return Plan(codes, {c: options[c] for c in codes}, settings, check_all)


def _open_cache(config: Config, registry: plugins.Registry, plan: Plan) -> Cache:
    """The project's cache for this run's settings (plugin versions included)."""
    from corpuslint import __version__

    versions = sorted((p.name, p.version) for p in registry.plugins)
    return Cache(config.root, settings_digest(__version__, versions, plan))


def check(
    paths: Sequence[Path],
    config: Config,
    registry: plugins.Registry,
    overrides: Overrides | None = None,
    cwd: Path | None = None,
    progress: Callable[[int, int], Callable[[int], None]] | None = None,
) -> Result:
    """Check ``paths`` (the targets) against the corpus; report findings in targets only."""
    overrides = overrides or Overrides()
    known = baseline.load(overrides.baseline) if overrides.baseline is not None else None
    use_cache = overrides.cache if overrides.cache is not None else config.cache
    plan = make_plan(config, registry, overrides, check_all=use_cache)
    findings_filter = Filter.build(
        config.per_file_ignores, config.severity, registry.rules, config.where()
    )
    discovery = Discovery(config, registry.readers, cwd)
    targets, skipped = discovery.targets(paths or [config.root])
    checker = Checker(registry, plan)
    sources: list[SourceFile] = list(targets)
    if checker.corpus_rules:
        sources = discovery.corpus(targets)

    jobs = overrides.jobs or config.jobs or default_jobs()
    tick = progress(len(sources), sum(1 for s in sources if s.target)) if progress else None
    violations: list[Violation] = []
    signatures: list[tuple[bool, Sequence[tuple[str, Signature]]]] = []
    errors: list[str] = []
    notices: list[str] = []
    target_paths = {s.display for s in targets}
    cache = _open_cache(config, registry, plan) if use_cache else None
    if cache is not None and cache.usable:
        outcomes = cached_pass(checker, sources, jobs, cache, tick)
    else:
        outcomes = document_pass(checker, sources, jobs, tick)
    directives: dict[str, tuple[Directive, ...]] = {}
    for source, outcome in outcomes:
        if source.target:
            violations.extend(outcome.violations)
            directives[source.display] = outcome.directives
            notices.extend(outcome.notices)
        errors.extend(outcome.errors)
        signatures.append((source.target, outcome.signatures))
    corpus_findings = checker.compare(signatures, errors)
    violations.extend(v for v in corpus_findings if v.path in target_paths)
    del signatures  # before the cache indexes its keys: the two together peaked at 2.4 GB
    if cache is not None and cache.index_due:
        cache.write_key_index()

    report_unused = UnusedSuppression().from_directive if "CL002" in plan.codes else None
    violations = suppress.apply(violations, directives, report_unused)
    relative = {s.display: s.relative for s in targets}
    kept = [
        findings_filter.apply(v)
        for v in violations
        if not findings_filter.ignored(relative.get(v.path, v.path), v.code)
    ]
    if known is not None:
        kept = baseline.new_findings(kept, known)
    unreadable = registry.rules.get("CL001")
    if unreadable is not None and "CL001" in plan.codes:
        rule = unreadable()
        for skip in skipped:
            kept.append(rule.violation(skip.display, Span.point(1), skip.reason, text=skip.reason))
    kept.sort(key=lambda v: v.sort_key)
    warnings = tuple(notices)
    if cache is not None:
        cache.close()
        warnings += tuple(cache.warnings)
    return Result(tuple(kept), tuple(s.display for s in targets), tuple(errors), warnings)


def exit_code(result: Result, fail_on: Severity) -> int:
    """0 when nothing at or above ``fail_on`` was found, 1 when something was, 2 on errors."""
    if result.errors:
        return 2
    return 1 if any(v.severity >= fail_on for v in result.violations) else 0
