"""Finishing a run, whichever engine ran it: suppressions, filters, baselines, the exit code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from corpuslint import plugins
from corpuslint.config import Config, load_nested, with_nested_excludes
from corpuslint.core_rules import UnreadableDocument, UnusedSuppression
from corpuslint.model import Directive, Result, Severity, Span, Violation
from corpuslint.rule import Rule
from corpuslint.run import baseline, suppress
from corpuslint.run.discover import Skipped, SourceFile, nested_config_files
from corpuslint.run.plan import Overrides, Plan, Scope, make_plan
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
        """Validate the selection and options (raises ``ConfigError``).

        The nested configuration files below the root are read here: the run's
        ``config`` is the root's, also leaving out what they exclude, and the plan holds
        their scopes (none with ``--config``).
        """
        overrides = overrides or Overrides()
        nested = load_nested(config, nested_config_files(config), registry.reader_settings())
        plan = make_plan(config, registry, overrides, use_cache, nested)
        return cls(with_nested_excludes(config, nested), registry, overrides, plan)

    def finish(
        self, collected: Collected, targets: Sequence[SourceFile], skipped: Sequence[Skipped]
    ) -> Result:
        """Apply suppressions, per-file ignores, severities and the baseline; sort."""
        known = baseline.load(self.overrides.baseline) if self.overrides.baseline else None
        registry, plan = self.registry, self.plan
        scoped = _Scoped(plan, self.config, registry)
        unused = UnusedSuppression.code in plan.codes
        report_unused = UnusedSuppression().from_directive if unused else None
        relative = {s.display: s.relative for s in targets}
        # A rule its file's configuration does not select is as if it had not run there:
        # its findings go before suppressions are matched, so a comment for it is unused.
        found = [
            v
            for v in superseded(collected.violations, registry.rules)
            if scoped.reported(relative.get(v.path, v.path), v.code)
        ]
        violations = suppress.apply(found, collected.directives, report_unused)
        kept = [
            scoped.apply(relative.get(v.path, v.path), v)
            for v in violations
            if scoped.kept(relative.get(v.path, v.path), v.code)
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


class _Scoped:
    """Each finding judged by its file's closest configuration: selection, ignores, severity."""

    def __init__(self, plan: Plan, config: Config, registry: plugins.Registry) -> None:
        scopes = plan.scopes or (
            Scope(
                "",
                config.where(),
                frozenset(plan.codes),
                {},
                config.per_file_ignores,
                config.severity,
            ),
        )
        self._scopes = [
            (s, Filter.build(s.per_file_ignores, s.severity, registry.rules, s.where))
            for s in scopes
        ]

    def _closest(self, relative: str) -> tuple[Scope, Filter]:
        found = next((pair for pair in self._scopes if pair[0].holds(relative)), None)
        return found if found is not None else self._scopes[-1]

    def reported(self, relative: str, code: str) -> bool:
        """Whether the file's configuration selects ``code``."""
        return code in self._closest(relative)[0].codes

    def kept(self, relative: str, code: str) -> bool:
        """Whether a finding of ``code`` is reported in the file (selected, not ignored)."""
        scope, checks = self._closest(relative)
        return code in scope.codes and not checks.ignored(scope.local(relative), code)

    def apply(self, relative: str, violation: Violation) -> Violation:
        """The finding with the severity its file's configuration gives it."""
        return self._closest(relative)[1].apply(violation)


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
