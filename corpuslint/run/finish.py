"""One ``check`` run from paths to a :class:`Result`: discover, both passes, then filters."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpuslint import plugins
from corpuslint._support.gc_pause import freezing, frozen
from corpuslint.cache.store import Cache, settings_digest
from corpuslint.config import Config, reader_settings, rule_options
from corpuslint.core_rules import UnusedSuppression
from corpuslint.engines.local.incremental import cached_pass
from corpuslint.model import Severity, Span, Violation
from corpuslint.report.base import Result
from corpuslint.run import baseline, gitstate, suppress
from corpuslint.run.discover import Discovery, Skipped, SourceFile
from corpuslint.run.executor import Checker, Plan, default_jobs, document_pass
from corpuslint.run.selection import Filter, selected_codes
from corpuslint.run.suppress import Directive


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
    return Plan(codes, {c: options[c] for c in codes}, settings, check_all, config.rule_timeout)


def _open_cache(config: Config, registry: plugins.Registry, plan: Plan) -> Cache:
    """The project's cache for this run's settings (plugin versions included)."""
    from corpuslint import __version__

    versions = sorted((p.name, p.version) for p in registry.plugins)
    # The time budget changes no outcome that is cached (errors are not): leave it out.
    outcomes_depend_on = replace(plan, rule_timeout=0)
    return Cache(config.root, settings_digest(__version__, versions, outcomes_depend_on))


@dataclass
class Collected:
    """What an engine's two passes found, before suppressions, filters and baselines."""

    violations: list[Violation] = field(default_factory=list)
    """Findings in target files (document and corpus rules)."""
    directives: dict[str, tuple[Directive, ...]] = field(default_factory=dict)
    """Each target file's suppression comments, by display path."""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    """One run's validated settings, shared by every engine."""

    config: Config
    registry: plugins.Registry
    overrides: Overrides
    plan: Plan

    @classmethod
    def prepare(
        cls,
        config: Config,
        registry: plugins.Registry,
        overrides: Overrides | None = None,
        use_cache: bool = False,
    ) -> Run:
        """Validate the selection and options (raises ``ConfigError``)."""
        overrides = overrides or Overrides()
        plan = make_plan(config, registry, overrides, check_all=use_cache)
        return cls(config, registry, overrides, plan)

    def finish(
        self, collected: Collected, targets: Sequence[SourceFile], skipped: Sequence[Skipped]
    ) -> Result:
        """Apply suppressions, per-file ignores, severities and the baseline; sort."""
        known = baseline.load(self.overrides.baseline) if self.overrides.baseline else None
        config, registry, plan = self.config, self.registry, self.plan
        findings_filter = Filter.build(
            config.per_file_ignores, config.severity, registry.rules, config.where()
        )
        report_unused = UnusedSuppression().from_directive if "CL002" in plan.codes else None
        violations = suppress.apply(collected.violations, collected.directives, report_unused)
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
                span = Span.point(1)
                kept.append(rule.violation(skip.display, span, skip.reason, text=skip.reason))
        kept.sort(key=lambda v: v.sort_key)
        return Result(
            tuple(kept),
            tuple(s.display for s in targets),
            tuple(collected.errors),
            tuple(collected.warnings),
        )


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
    use_cache = overrides.cache if overrides.cache is not None else config.cache
    run = Run.prepare(config, registry, overrides, use_cache)
    discovery = Discovery(config, registry.readers, cwd)
    targets, skipped = discovery.targets(paths or [config.root])
    checker = Checker(registry, run.plan)
    sources: list[SourceFile] = list(targets)
    new: frozenset[str] = frozenset()  # files that are new besides the targets (staged in git)
    if checker.corpus_rules:
        sources = discovery.corpus(targets)
        if len(sources) > len(targets):
            new = gitstate.staged(discovery.root)

    jobs = overrides.jobs or config.jobs or default_jobs()
    tick = progress(len(sources), sum(1 for s in sources if s.target)) if progress else None
    collected = Collected()
    signatures = checker.signatures()
    target_paths = {s.display for s in targets}
    cache = _open_cache(config, registry, run.plan) if use_cache else None
    if cache is not None and cache.usable:
        outcomes = cached_pass(checker, sources, jobs, cache, tick)
    else:
        outcomes = document_pass(checker, sources, jobs, tick)
    for source, outcome in freezing(outcomes):
        if source.target:
            collected.violations.extend(outcome.violations)
            collected.directives[source.display] = outcome.directives
            collected.warnings.extend(outcome.notices)
        collected.errors.extend(outcome.errors)
        signatures.add(outcome.signatures, source.target or source.location in new)
    indexing = cache.key_index_meanwhile() if cache is not None else contextlib.nullcontext()
    with frozen():
        # Prepared (and its helper process forked) before the index thread starts.
        corpus = checker.corpus_pass(signatures, collected.errors, jobs)
        del signatures
        with indexing:
            found = corpus.findings()
            collected.violations.extend(v for v in found if v.path in target_paths)
        del corpus
    if cache is not None:
        cache.close()
        collected.warnings.extend(cache.warnings)
    return run.finish(collected, targets, skipped)


def exit_code(result: Result, fail_on: Severity) -> int:
    """0 when nothing at or above ``fail_on`` was found, 1 when something was, 2 on errors."""
    if result.errors:
        return 2
    return 1 if any(v.severity >= fail_on for v in result.violations) else 0
