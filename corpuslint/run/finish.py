"""Finishing a run, whichever engine ran it: suppressions, filters, baselines, the exit code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.core_rules import UnreadableDocument, UnusedSuppression
from corpuslint.model import Directive, Result, Severity, Span, Violation
from corpuslint.rule import Rule
from corpuslint.run import baseline, suppress
from corpuslint.run.discover import Skipped, SourceFile
from corpuslint.run.plan import Overrides, Plan, make_plan
from corpuslint.run.selection import Filter


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
        unused = UnusedSuppression.code in plan.codes
        report_unused = UnusedSuppression().from_directive if unused else None
        found = superseded(collected.violations, registry.rules)
        violations = suppress.apply(found, collected.directives, report_unused)
        relative = {s.display: s.relative for s in targets}
        kept = [
            findings_filter.apply(v)
            for v in violations
            if not findings_filter.ignored(relative.get(v.path, v.path), v.code)
        ]
        kept = baseline.anchor(kept, relative)  # fingerprints hold root-relative paths
        if known is not None:
            kept = baseline.new_findings(kept, known)
        unreadable = registry.rules.get(UnreadableDocument.code)
        if unreadable is not None and UnreadableDocument.code in plan.codes:
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
            tuple(skip.display for skip in skipped),
        )


def superseded(violations: Sequence[Violation], rules: Mapping[str, type[Rule]]) -> list[Violation]:
    """``violations`` without those another finding stands for.

    A rule whose finding is about a whole document (CL103, a duplicated document)
    names in a ``supersedes`` class attribute the codes whose findings inside it (same
    file, starting within its span; or same record) it replaces: its paragraphs' CL102 findings and
    its headline's CL202 one. This runs on the findings of both passes, whichever
    engine found them, before suppressions: suppressing the document's finding accepts
    the duplicate, and brings back none of the findings it stood for.
    """
    covering: dict[tuple[str, str | None], list[tuple[Span, frozenset[str]]]] = {}
    for violation in violations:
        codes = getattr(rules.get(violation.code), "supersedes", ())
        if codes:
            where = (violation.path, violation.record)
            covering.setdefault(where, []).append((violation.span, frozenset(codes)))
    if not covering:
        return list(violations)
    return [v for v in violations if not _covered(v, covering.get((v.path, v.record), ()))]


def _covered(violation: Violation, covers: Iterable[tuple[Span, frozenset[str]]]) -> bool:
    """Whether a covering finding of the same document replaces ``violation``.

    A record of a JSONL or Parquet file is its own document: any finding of the record
    is inside it, whatever its columns (a record's finding spans only its headline, as
    its text sits beside other JSON fields on the same line).
    """
    start = (violation.span.line, violation.span.column)
    return any(
        violation.code in codes
        and (
            violation.record is not None
            or (span.line, span.column) <= start <= (span.end_line, span.end_column)
        )
        for span, codes in covers
    )


def exit_code(result: Result, fail_on: Severity) -> int:
    """0 when nothing at or above ``fail_on`` was found, 1 when something was, 2 on errors."""
    if result.errors:
        return 2
    return 1 if any(v.severity >= fail_on for v in result.violations) else 0
