"""The local engine: a parallel document pass over files, then the corpus pass.

Document pass (per file, in worker processes): read the file with its reader, run the
document rules on target files, and collect every corpus rule's signatures. Corpus
pass (once): group signatures by rule and key and let each corpus rule compare its
groups. Only signatures outlive the document pass, never whole documents.

Every call into a rule runs under the plan's time budget (``rule-timeout``, see
``corpuslint._support.budget``): a call that runs longer is reported as an internal error.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from corpuslint import plugins
from corpuslint._support import budget
from corpuslint.config import DEFAULT_RULE_TIMEOUT
from corpuslint.core_rules import UnreadableDocument
from corpuslint.engines.local.corpus_pass import CorpusPass, keep
from corpuslint.model import Document, Notice, Problem, Signature, Span, Violation
from corpuslint.readers.base import Reader, ReadError
from corpuslint.rule import CorpusRule, DocumentRule, Rule
from corpuslint.run.discover import SourceFile
from corpuslint.run.suppress import Directive, supports_comments
from corpuslint.run.suppress import parse as parse_directives
from corpuslint.similarity.grouping import PairTest
from corpuslint.similarity.hashing import content_digest, file_digest
from corpuslint.similarity.signatures import CorpusSignatures, SignatureBatch, pack

# Below this many files the pool's start-up costs more than it saves.
PARALLEL_MIN_FILES = 16

_T = TypeVar("_T")


@dataclass(frozen=True)
class Plan:
    """What to run, in a form that can be sent to worker processes."""

    codes: tuple[str, ...]
    options: Mapping[str, Mapping[str, Any]]
    """Validated options of each selected rule, by code."""
    reader_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Validated settings of each reader, by format name."""
    check_all: bool = False
    """Run document rules on every file, not only targets (so cached outcomes serve any run)."""
    rule_timeout: float = DEFAULT_RULE_TIMEOUT
    """Seconds one call into a rule may take before it is stopped; 0 for no limit."""


@dataclass(frozen=True)
class FileOutcome:
    """What the document pass keeps of one file."""

    violations: tuple[Violation, ...] = ()
    signatures: tuple[SignatureBatch, ...] = ()
    """Each corpus rule's signatures, a batch per rule that has any."""
    errors: tuple[str, ...] = ()
    documents: int = 0
    directives: tuple[Directive, ...] = ()
    """Inline suppression comments of the file (Markdown and HTML)."""
    notices: tuple[str, ...] = ()
    """Things the user should know that are not findings (a cap that was hit, say)."""


class Checker:
    """Runs the selected rules of a plan on one file at a time (one per process)."""

    def __init__(self, registry: plugins.Registry, plan: Plan) -> None:
        self.registry = registry
        self.plan = plan
        rules = [registry.rules[code]() for code in plan.codes if code in registry.rules]
        self.document_rules = [r for r in rules if isinstance(r, DocumentRule)]
        self.corpus_rules = [r for r in rules if isinstance(r, CorpusRule)]
        self.unreadable = UnreadableDocument() if "CL001" in plan.codes else None
        self._readers: dict[str, Reader] = {}

    def reader(self, source: SourceFile) -> Reader | None:
        """The reader for a file, created once per format with its settings."""
        cls = self.registry.reader_for_name(source.path.name)
        if cls is None:
            return None
        if cls.format not in self._readers:
            self._readers[cls.format] = cls(self.plan.reader_settings.get(cls.format))
        return self._readers[cls.format]

    def _internal(self, rule: Rule, where: str, exc: BaseException) -> str:
        """The error line for a rule call that raised, returned garbage or ran out of time."""
        plugin = self.registry.rule_plugins.get(rule.code, "?")
        what = f"internal error: rule {rule.code} ({rule.name}) from plugin {plugin!r}"
        if isinstance(exc, budget.BudgetExceeded):
            limit = f"{self.plan.rule_timeout:g} s"
            return f"{what} exceeded its time budget of {limit} on {where} (see rule-timeout)"
        return f"{what} failed on {where}: {type(exc).__name__}: {exc}"

    def _call(self, hook: Callable[..., Iterable[_T]], *args: Any) -> list[_T]:
        """Everything a rule's hook yields for ``args``, within the plan's time budget."""
        return budget.within(self.plan.rule_timeout, lambda: list(hook(*args)))

    def documents(
        self, source: SourceFile, data: bytes | None = None
    ) -> Iterator[Document | Problem | str]:
        """The file's documents and problems; a string is an internal error of its reader.

        ``data`` is the file's content when the caller has read it already.
        """
        reader = self.reader(source)
        if reader is None:
            yield Problem(source.display, f"no reader for {source.path.suffix!r} files")
            return
        try:
            if data is None:
                yield from reader.read(source.path, source.display)
            else:
                yield from reader.parse(data, source.display)
        except ReadError as exc:
            yield Problem(source.display, exc.message, exc.line, exc.column)
        except (OSError, MemoryError) as exc:
            yield _unreadable(source, exc)
        except Exception as exc:  # a reader plugin's bug: name it, keep going
            yield (
                f"internal error: reader {type(reader).__name__} ({reader.format}) failed on"
                f" {source.display}: {type(exc).__name__}: {exc}"
            )

    def check(self, source: SourceFile) -> FileOutcome:
        """Read one file, run document rules (on targets) and collect signatures.

        A file that may hold suppression comments is read once for its reader and its
        comments when the reader parses bytes (Markdown and HTML do).
        """
        return self._check(source, digest=False)[0]

    def cache_entry(self, source: SourceFile) -> tuple[FileOutcome, bytes, str]:
        """:meth:`check`, also pickled for the cache, and the digest of what was read.

        In a worker, the parent then stores the pickle as it came (it has to unpickle
        it anyway) and need not read the file again for its digest. ``""`` is the
        digest of a file that could not be read.
        """
        outcome, digest = self._check(source, digest=True)
        return outcome, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL), digest

    def _check(self, source: SourceFile, digest: bool) -> tuple[FileOutcome, str]:
        reader = self.reader(source)
        if reader is None or not reader.parses_bytes or not supports_comments(source.path.name):
            # Digest first: if the file changes before the reader is done, the entry
            # then holds the old digest, which the next run sees differ, not the new one.
            content = _file_digest(source) if digest else ""
            return self.outcome(source, self.documents(source)), content
        try:
            data = source.path.read_bytes()
        except (OSError, MemoryError) as exc:
            return self.outcome(source, [_unreadable(source, exc)], ()), ""
        outcome = self.outcome(source, self.documents(source, data), _comments(data))
        return outcome, content_digest(data) if digest else ""

    def outcome(
        self,
        source: SourceFile,
        items: Iterable[Document | Problem | str],
        directives: tuple[Directive, ...] | None = None,
    ) -> FileOutcome:
        """Run document rules (on targets) and collect signatures of already read items.

        ``items`` is what a reader yielded for ``source`` (or for a part of it, such as
        a block of a large JSONL file read by another engine); ``directives`` are the
        file's suppression comments, read from the file when not given.
        """
        violations: list[Violation] = []
        signatures: list[tuple[str, Signature]] = []
        errors: list[str] = []
        notices: list[str] = []
        problems: dict[str, int] = {}
        count = 0
        with budget.handler(self.plan.rule_timeout):
            for item in items:
                if isinstance(item, str):
                    errors.append(item)
                elif isinstance(item, Problem):
                    if self.unreadable is not None:
                        seen = problems[item.message] = problems.get(item.message, -1) + 1
                        violations.append(self.unreadable.from_problem(item, seen))
                else:
                    count += 1
                    if source.target or self.plan.check_all:
                        violations.extend(self._check_document(item, errors, notices))
                    signatures.extend(self._signatures(item, errors))
        if directives is None:
            directives = _directives(source) if supports_comments(source.path.name) else ()
        return FileOutcome(
            tuple(violations), pack(signatures), tuple(errors), count, directives, tuple(notices)
        )

    def _check_document(
        self, document: Document, errors: list[str], notices: list[str]
    ) -> Iterator[Violation]:
        """Each document rule's findings; notices go to ``notices`` and failures to ``errors``."""
        for rule in self.document_rules:
            try:
                found = self._call(rule.check, document, self.plan.options[rule.code])
                _expect(found, (Violation, Notice), "check")
            except Exception as exc:
                errors.append(self._internal(rule, document.path, exc))
                continue
            for item in found:
                if isinstance(item, Notice):
                    notices.append(_notice_line(rule, item))
                else:
                    yield item

    def _signatures(self, document: Document, errors: list[str]) -> Iterator[tuple[str, Signature]]:
        """Each corpus rule's signatures of ``document``, tagged with its code."""
        for rule in self.corpus_rules:
            try:
                found = self._call(rule.signatures, document, self.plan.options[rule.code])
                _expect(found, Signature, "signatures")
                _expect_keys(found)
            except Exception as exc:
                errors.append(self._internal(rule, document.path, exc))
                continue
            for signature in found:
                yield rule.code, signature

    def signatures(self) -> CorpusSignatures:
        """An empty collection of signatures for :meth:`compare`, a table per corpus rule."""
        return CorpusSignatures(rule.code for rule in self.corpus_rules)

    def compare(
        self,
        outcomes: CorpusSignatures | Iterable[tuple[bool, Iterable[SignatureBatch]]],
        errors: list[str],
        jobs: int = 1,
    ) -> Iterator[Violation]:
        """The corpus pass: each corpus rule compares each group of signatures sharing a key.

        Only groups holding a target's signature can yield a reported finding, so the
        others are skipped. A pair that shares several keys is seen in several groups;
        one finding per place is kept, the one whose related copy comes first.
        ``outcomes`` are the signatures (see :meth:`signatures`), or pairs of a file's
        signature batches with whether the file is a target (its signatures are marked
        so, whatever they were cached with). See ``corpuslint.engines.local.corpus_pass``
        for ``jobs``.
        """
        yield from self.corpus_pass(outcomes, errors, jobs).findings()

    def corpus_pass(
        self,
        outcomes: CorpusSignatures | Iterable[tuple[bool, Iterable[SignatureBatch]]],
        errors: list[str],
        jobs: int = 1,
    ) -> CorpusPass:
        """:meth:`compare`, prepared now and run by the result's ``findings``."""
        if isinstance(outcomes, CorpusSignatures):
            tables = outcomes
        else:
            tables = self.signatures()
            for target, batches in outcomes:
                tables.add(batches, target)
        return CorpusPass(self, tables, errors, jobs)

    def pair_test(
        self, rule: CorpusRule, found: Sequence[Signature], errors: list[str]
    ) -> PairTest | None:
        """The rule's test of candidate pairs (see ``CorpusRule.pair_test``), failing safe.

        If getting the test or running it fails, the error is reported and every pair
        goes on to ``compare``: the test only ever saves time.
        """
        try:
            test = budget.within(
                self.plan.rule_timeout,
                lambda: rule.pair_test(found, self.plan.options[rule.code]),
            )
        except Exception as exc:
            errors.append(self._internal(rule, "the corpus pass (pair test)", exc))
            return None
        if test is None:
            return None
        failed: list[bool] = []

        def guarded(first: NDArray[np.int32], second: NDArray[np.int32]) -> NDArray[np.bool_]:
            if not failed:
                try:
                    kept = np.asarray(test(first, second), dtype=bool)
                    if kept.shape == first.shape:
                        return kept
                    raise ValueError(f"{kept.shape} answers for {len(first)} pairs")
                except Exception as exc:  # a plugin's bug: name it, keep going
                    failed.append(True)
                    errors.append(self._internal(rule, "the corpus pass (pair test)", exc))
            return np.ones(len(first), dtype=bool)

        return guarded

    def judge(
        self,
        rule: CorpusRule,
        key: int,
        group: Sequence[Signature],
        best: dict[tuple[str, Span], Violation],
        errors: list[str],
    ) -> None:
        """Let ``rule`` compare one group sharing ``key``; keep one finding per place in ``best``.

        Any engine calls this for every group that holds a target's signature; the
        groups may come in any order and be spread over processes, because ``keep``
        picks the same finding whatever the order.
        """
        try:
            verdicts = self._call(rule.compare, key, group, self.plan.options[rule.code])
            _expect(verdicts, Violation, "compare")
        except Exception as exc:
            errors.append(self._internal(rule, f"the corpus pass (key {key})", exc))
            return
        for violation in verdicts:
            keep(best, violation)


def _expect(items: list[Any], kind: type | tuple[type, ...], hook: str) -> None:
    """Reject what a plugin returned if it is not what the contract says (a TypeError)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for item in items:
        if not isinstance(item, kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise TypeError(f"{hook}() returned {type(item).__name__} {item!r:.60}, not {expected}")


def _expect_keys(signatures: list[Signature]) -> None:
    """Reject signatures whose keys are not whole int64s: they would shift every key after."""
    for signature in signatures:
        if len(signature.keys) % 8:
            raise TypeError(
                f"signatures() returned keys of {len(signature.keys)} bytes, not a multiple"
                " of 8 (pack them with corpuslint.similarity.hashing.pack)"
            )


def _notice_line(rule: Rule, notice: Notice) -> str:
    """How a rule's notice reaches the user: the file (and record), the rule, the message."""
    where = f"{notice.path} (record {notice.record})" if notice.record else notice.path
    return f"{where}: {rule.code} {notice.message}"


def _directives(source: SourceFile) -> tuple[Directive, ...]:
    """The file's suppression comments (its read errors are the reader's to report)."""
    try:
        return _comments(source.path.read_bytes())
    except (OSError, MemoryError):
        return ()


def _comments(data: bytes) -> tuple[Directive, ...]:
    """The suppression comments in a file's bytes."""
    # utf-8-sig: the readers drop a BOM, so columns must not count it either.
    return parse_directives(data.decode("utf-8-sig", "replace"))


def _file_digest(source: SourceFile) -> str:
    """The file's content digest; ``""`` if it cannot be read."""
    try:
        return file_digest(source.path)
    except OSError:
        return ""


def _unreadable(source: SourceFile, exc: OSError | MemoryError) -> Problem:
    """The problem of a file that cannot be read at all."""
    if isinstance(exc, MemoryError):
        return Problem(source.display, "file too large to read into memory")
    return Problem(source.display, f"cannot read file: {exc.strerror or exc}")


_WORKER: list[Checker] = []  # the worker process's checker, set by its initializer
_WORKER_BUDGET = contextlib.ExitStack()  # its time budget's handler, never closed


def _init_worker(plan: Plan) -> None:
    # Ctrl-C is the parent's to handle: it terminates the pool, so workers never
    # print tracebacks of their own or linger as orphans.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker inherited from the parent (modules, the corpus's file list) is
    # never garbage here: out of the collector's sight, its collections stay small.
    gc.freeze()
    _WORKER.append(Checker(plugins.load(), plan))
    # The time budget's handler stays for the worker's life (each file's own ``handler``
    # then finds it in place): installing it for every file was 1.6 % of a worker's time.
    _WORKER_BUDGET.enter_context(budget.handler(plan.rule_timeout))


def _check_in_worker(source: SourceFile) -> FileOutcome:
    return _WORKER[0].check(source)


def _cache_entry_in_worker(source: SourceFile) -> tuple[None, bytes, str]:
    _outcome, pickled, digest = _WORKER[0].cache_entry(source)
    return None, pickled, digest  # the pickle alone crosses to the parent


def default_jobs() -> int:
    """All cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def document_pass(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[SourceFile, FileOutcome]]:
    """Each file's outcome, in the order of ``sources`` whatever ``jobs`` is."""
    return _each(checker, sources, jobs, progress, checker.check, _check_in_worker)


def cache_entry_pass(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[SourceFile, FileOutcome, bytes, str]]:
    """Each file's outcome, its pickle and its digest, in the order of ``sources``."""
    entries: Iterator[tuple[SourceFile, tuple[FileOutcome | None, bytes, str]]] = _each(
        checker, sources, jobs, progress, checker.cache_entry, _cache_entry_in_worker
    )
    for source, (outcome, pickled, digest) in entries:
        yield source, outcome if outcome is not None else pickle.loads(pickled), pickled, digest


class _Pool(multiprocessing.pool.Pool):
    """A process pool whose worker handler does not wake up for every result.

    CPython's handler thread also waits on the result pipe, so while results wait
    there for the result thread it spins: 1.8 s of the parent's CPU (holding the GIL)
    in a run over 100k articles. It still wakes when a worker exits (through the
    worker's sentinel) and when the pool is closed or terminated (its notifier).
    """

    def _get_sentinels(self) -> list[Any]:
        return [getattr(self, "_change_notifier")._reader]  # noqa: B009 - private to Pool


def _each(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    progress: Callable[[int], None] | None,
    here: Callable[[SourceFile], _T],
    in_worker: Callable[[SourceFile], _T],
) -> Iterator[tuple[SourceFile, _T]]:
    """``here(source)`` for each file, or ``in_worker(source)`` in a pool of ``jobs``."""
    if jobs <= 1 or len(sources) < PARALLEL_MIN_FILES:
        for source in sources:
            yield source, here(source)
            if progress:
                progress(1)
        return
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    chunk = max(1, min(64, len(sources) // (jobs * 8)))
    # Pool's context manager terminates the workers on the way out, so an interrupt
    # (KeyboardInterrupt in the parent) stops the run at once instead of draining it.
    with _Pool(jobs, _init_worker, (checker.plan,), context=context) as pool:
        for source, result in zip(
            sources, pool.imap(in_worker, sources, chunksize=chunk), strict=True
        ):
            yield source, result
            if progress:
                progress(1)
