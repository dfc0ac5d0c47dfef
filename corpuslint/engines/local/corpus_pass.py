"""The corpus pass of the local engine, its groups shared with a forked helper process.

Judging groups is Python on one core (a call into the rule per group), and the threads
that sort key ranges leave the other core half idle. The signatures are flat arrays
(see ``corpuslint.similarity.signatures``), so a process forked once they are complete shares them
without copying. It judges every other key range and sends its findings back; the
parent keeps one finding per place of both shares, as it does of one. On a large corpus
that shortens the pass; on a small one, or for a few targets in a large one (a
pre-commit run), the fork costs more than it saves (see ``HELPER_MIN_SIGNATURES``).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from corpuslint._support import budget, processes, profiling
from corpuslint.engines.local.git_dates import GitDates
from corpuslint.model import Span, Violation
from corpuslint.rule import CorpusRule, PairTest
from corpuslint.run.executor import Checker
from corpuslint.similarity.grouping import KeyIndex
from corpuslint.similarity.signatures import CorpusSignatures, SignatureBatch, SignatureTable

HELPER_MIN_SIGNATURES = 50_000
"""Below this many target signatures the pass is judged in this process, no helper forked.

Only groups holding a target's signature are judged, so the targets' signatures, not
the corpus's, measure the work: a pre-commit run of a few files against a large corpus
judges a few hundred groups (a few milliseconds), less than forking a helper costs.
"""


@dataclass(frozen=True)
class _Rule:
    """One corpus rule's part of the pass, ready before any group is judged."""

    rule: CorpusRule
    found: SignatureTable
    wanted: NDArray[np.intp] | None
    """Numbers of the target signatures; ``None`` when all are targets."""
    index: KeyIndex
    pairs: PairTest | None
    ages: _Ages
    """How old the copy each finding names as the original is, to keep the oldest."""
    crowded: NDArray[np.int64] | None
    """Keys (sorted) whose groups are not judged: the run left their holders out."""


Dates = Callable[[Collection[str]], Mapping[str, str]]
"""The date of each path, for documents whose reader found none (see ``GitDates``)."""
Findings = list[dict[tuple[str, Span], Violation]]


class CorpusPass:
    """The corpus pass over a run's signatures, prepared and (if worth it) split in two.

    Creating it groups nothing yet, but forks the helper: do it before starting threads
    (a process forked while another thread holds a lock may deadlock).
    """

    def __init__(
        self,
        checker: Checker,
        tables: CorpusSignatures,
        errors: list[str],
        jobs: int = 1,
        cwd: Path | None = None,
        dates: Dates | None = None,
        crowded: Mapping[str, Collection[int]] | None = None,
    ) -> None:
        self._checker = checker
        self.errors = errors
        """Where errors of the pass go (the pair test's among them)."""
        self._rules: list[_Rule] = []
        # Display paths are relative to the run's cwd.
        dates = dates or GitDates(cwd or Path.cwd())
        with profiling.stage("corpus pass: prepare"):
            self._prepare(checker, tables, errors, dates, crowded or {})
        worth_it = jobs > 1 and self.judged() >= HELPER_MIN_SIGNATURES
        self._helper = _Helper(self) if worth_it and processes.CAN_FORK else None

    def _prepare(
        self,
        checker: Checker,
        tables: CorpusSignatures,
        errors: list[str],
        dates: Dates,
        crowded: Mapping[str, Collection[int]],
    ) -> None:
        """Each corpus rule's signatures, with dates, targets, pair test and key index."""
        for rule in checker.corpus_rules:
            found = tables.take(rule.code)
            found.date_missing(dates)
            wanted = found.targets()
            pairs = checker.pair_test(rule, found, errors)  # under the budget (budget.within)
            some = None if len(wanted) == len(found) else wanted
            index = found.key_index()
            left_out = crowded.get(rule.code)
            keys = np.array(sorted(left_out), dtype=np.int64) if left_out else None
            self._rules.append(_Rule(rule, found, some, index, pairs, _Ages(found), keys))

    def judged(self) -> int:
        """How many target signatures the pass judges the groups of, over all its rules."""
        return sum(len(p.found) if p.wanted is None else len(p.wanted) for p in self._rules)

    def findings(self) -> Iterator[Violation]:
        """Every finding of the pass, one per place (the one whose related copy comes first)."""
        helper, self._helper = self._helper, None
        try:
            parts = 1 if helper is None else 2
            with profiling.stage("corpus pass: judge own share"):
                found = self.share(0, parts, self.errors)
            if helper is not None:
                with profiling.stage("corpus pass: wait for the helper's share"):
                    theirs = helper.result()
                if theirs is None:  # the helper died (killed, out of memory): do its share
                    theirs = (self.share(1, parts, self.errors), [])
                for prepared, best, other in zip(self._rules, found, theirs[0], strict=True):
                    for violation in other.values():
                        prepared.ages.keep(best, violation)
                self.errors.extend(theirs[1])
        finally:
            if helper is not None:
                helper.stop()
        self._rules.clear()
        for best in found:
            yield from best.values()

    def share(self, part: int, parts: int, errors: list[str]) -> Findings:
        """Judge the groups of key range share ``part`` of ``parts``, rule by rule."""
        checker = self._checker
        found: Findings = []
        for prepared in self._rules:
            best: dict[tuple[str, Span], Violation] = {}
            groups = prepared.index.groups(
                prepared.wanted, prepared.pairs, (part, parts), prepared.crowded
            )
            with budget.handler(checker.plan.rule_timeout):
                for key, members in groups:
                    group = prepared.found.members(members)
                    judged: dict[tuple[str, Span], Violation] = {}
                    checker.judge(prepared.rule, key, group, judged, errors)
                    for violation in judged.values():
                        prepared.ages.keep(best, violation)
            found.append(best)
        return found


class _Helper:
    """A forked process that judges share 1 of 2 and sends back its findings and errors."""

    def __init__(self, work: CorpusPass) -> None:
        context = multiprocessing.get_context("fork")  # only where processes.CAN_FORK
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve, args=(work, sender), name="corpuslint-corpus", daemon=True
        )
        self._process.start()
        sender.close()

    def result(self) -> tuple[Findings, list[str]] | None:
        """The helper's findings and errors; ``None`` if it died without sending them."""
        try:
            sent: tuple[Findings, list[str]] = self._receiver.recv()
        except (EOFError, OSError):
            return None
        return sent

    def stop(self) -> None:
        """Wait for the helper to exit (stop it if it has not sent its share)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiver.close()


def _serve(work: CorpusPass, sender: Connection) -> None:
    """The helper's life: its share, sent in one message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    errors: list[str] = []
    before = len(work.errors)  # a failing pair test reports into the pass's own list
    found = work.share(1, 2, errors)
    sender.send((found, work.errors[before:] + errors))
    sender.close()


def compare(
    checker: Checker,
    outcomes: Iterable[tuple[bool, Iterable[SignatureBatch]]],
    errors: list[str],
    jobs: int = 1,
    cwd: Path | None = None,
) -> Iterator[Violation]:
    """The corpus pass over files' signature batches, each with whether the file is a target.

    A file's signatures are marked as the file is, whatever they were cached with. Only
    groups holding a target's signature can yield a reported finding; one finding per
    place is kept, the one whose related copy comes first.
    """
    tables = checker.signatures()
    for target, batches in outcomes:
        tables.add(batches, target)
    yield from CorpusPass(checker, tables, errors, jobs, cwd).findings()


class _Ages:
    """Which of two findings at one place to keep: the one naming the older original.

    A rule picks the oldest copy of each group it judges; a place found in several
    groups (a near copy sharing bands with different paragraphs) keeps the finding
    whose related copy is oldest (files not new in this run first, then by date), then
    the one :func:`corpuslint.run.executor.keep` prefers. The ages of the places are
    looked up only when two findings at one place name different copies.
    """

    def __init__(self, table: SignatureTable) -> None:
        self._table = table
        self._ages: dict[tuple[str, int, int], tuple[bool, bool, str]] | None = None

    def _age(self, violation: Violation) -> tuple[bool, bool, str]:
        if self._ages is None:
            table = self._table
            targets = table.target_flags()
            spans = table.span_starts()
            self._ages = {}
            for path, (line, column), target, date in zip(
                table.paths(), spans, targets, table.dates(), strict=True
            ):
                age = (target, not date, date)
                place = (path, line, column)
                if place not in self._ages or age < self._ages[place]:
                    self._ages[place] = age
        if not violation.related:
            return (False, True, "")
        first = violation.related[0]
        return self._ages.get((first.path, first.line, first.column), (True, True, ""))

    def keep(self, best: dict[tuple[str, Span], Violation], violation: Violation) -> None:
        """Keep ``violation`` in ``best`` unless a finding naming an older copy is there."""
        place = (violation.path, violation.span)
        kept = best.get(place)
        if kept is None:
            best[place] = violation
        elif kept.related != violation.related:
            if (self._age(violation), _preference(violation)) < (
                self._age(kept),
                _preference(kept),
            ):
                best[place] = violation
        elif _preference(violation) < _preference(kept):
            best[place] = violation


def _preference(violation: Violation) -> tuple[tuple[object, ...], str]:
    """:func:`corpuslint.run.executor.keep`'s order: related copy, then message."""
    return (violation.related, violation.message)
