"""The local engine's document pass: each file checked by the rule executor, in a process pool.

Only what the executor keeps of a file (its outcome, never its documents) comes back to
the parent, in the order of the files whatever the number of processes. With more than
one process, a file larger than ``split.BLOCK_BYTES`` is read in parts spread over the
pool, and its parts' outcomes are combined into the outcome a one-process read gives
(see ``corpuslint.engines.local.split``).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing.pool
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from corpuslint import plugins
from corpuslint._support import budget, processes
from corpuslint.cache import codec
from corpuslint.engines.local import split
from corpuslint.outcome import FileOutcome
from corpuslint.run.blocks import PartOutcome
from corpuslint.run.discover import SourceFile
from corpuslint.run.executor import Checker
from corpuslint.run.plan import Plan
from corpuslint.similarity.hashing import file_digest

PARALLEL_MIN_FILES = 16
"""Below this many files the pool's start-up costs more than it saves."""

_T = TypeVar("_T")


_WORKER: list[Checker] = []  # the worker process's checker, set by its initializer
_WORKER_BUDGET = contextlib.ExitStack()  # its time budget's handler, never closed


def _init_worker(plan: Plan) -> None:
    # Ctrl-C is the parent's to handle: it terminates the pool, so workers never
    # print tracebacks of their own or linger as orphans.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM (the pool's own way to stop a worker, or a CI job's cancel sent to the
    # whole group) ends a worker at once and silently, whatever handler it inherited.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # What the worker inherited from the parent (modules, the corpus's file list) is
    # never garbage here: out of the collector's sight, its collections stay small.
    gc.freeze()
    _WORKER.append(Checker(plugins.load(), plan))
    # The time budget's handler stays for the worker's life (each file's own ``handler``
    # then finds it in place): installing it for every file costs a share of the worker.
    _WORKER_BUDGET.enter_context(budget.handler(plan.rule_timeout))


def _check_in_worker(source: SourceFile) -> FileOutcome:
    return _WORKER[0].check(source)


def _cache_entry(checker: Checker, source: SourceFile) -> tuple[FileOutcome, bytes, str]:
    """A file's outcome, its encoding for the cache (data only, never a pickle), its digest."""
    outcome, digest = checker.check_with_digest(source)
    return outcome, codec.encode(outcome), digest


def _cache_entry_in_worker(source: SourceFile) -> tuple[FileOutcome, bytes, str]:
    # The outcome crosses to the parent through the pool's own pickling (a pipe, not a
    # file), beside its encoding for the cache, which the parent stores as it came.
    return _cache_entry(_WORKER[0], source)


def _task_in_worker(job: tuple[Callable[[SourceFile], Any], split.Task]) -> Any:
    """A task of a run with split files: whole files' results, a part's, or a digest."""
    in_worker, task = job
    if task.kind == "files":
        return [in_worker(source) for source in task.sources]
    if task.kind == "digest":
        try:
            return file_digest(task.sources[0].path)
        except OSError:
            return ""
    return split.check_part(_WORKER[0], task)


def _outcome(outcome: FileOutcome, digest: str) -> FileOutcome:
    return outcome


def _entry(outcome: FileOutcome, digest: str) -> tuple[FileOutcome, bytes, str]:
    return outcome, codec.encode(outcome), digest


def document_pass(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[SourceFile, FileOutcome]]:
    """Each file's outcome, in the order of ``sources`` whatever ``jobs`` is."""
    return _each(checker, sources, jobs, progress, checker.check, _check_in_worker, _outcome)


def cache_entry_pass(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[SourceFile, FileOutcome, bytes, str]]:
    """Each file's outcome, its cache encoding and its digest, in the order of ``sources``."""
    entries: Iterator[tuple[SourceFile, tuple[FileOutcome, bytes, str]]] = _each(
        checker,
        sources,
        jobs,
        progress,
        functools.partial(_cache_entry, checker),
        _cache_entry_in_worker,
        _entry,
    )
    for source, (outcome, encoded, digest) in entries:
        yield source, outcome, encoded, digest


class _Pool(multiprocessing.pool.Pool):
    """A process pool whose worker handler does not wake up for every result.

    CPython's handler thread also waits on the result pipe, so while results wait
    there for the result thread it spins, taking the parent's CPU (and the GIL) from
    the work. It still wakes when a worker exits (through the
    worker's sentinel) and when the pool is closed or terminated (its notifier).
    """

    # Pool offers no public way to choose what its worker handler waits on, so this
    # overrides a private method; where a Python version lacks the notifier it relies on,
    # the pool keeps CPython's own behaviour.

    def _get_sentinels(self) -> list[Any]:
        notifier = getattr(self, "_change_notifier", None)
        if notifier is None:
            return list(super()._get_sentinels())  # type: ignore[misc]
        return [notifier._reader]

    @staticmethod
    def _help_stuff_finish(inqueue: Any, task_handler: Any, size: int) -> None:
        # Terminating, CPython takes the task queue's read lock and keeps it, to drain the
        # queue. A worker killed while it held that lock (SIGTERM sent to the whole process
        # group, as a CI runner cancelling a job does) never releases it, and terminating
        # then waited forever. The workers are being killed: drain without the lock when
        # it does not come.
        inqueue._rlock.acquire(timeout=_LOCK_WAIT)
        while task_handler.is_alive() and inqueue._reader.poll():
            inqueue._reader.recv()
            time.sleep(0)


_LOCK_WAIT = 1.0
"""Seconds terminating waits for the task queue's lock before draining without it."""


def _each(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    progress: Callable[[int], None] | None,
    here: Callable[[SourceFile], _T],
    in_worker: Callable[[SourceFile], _T],
    combined: Callable[[FileOutcome, str], _T],
) -> Iterator[tuple[SourceFile, _T]]:
    """``here(source)`` for each file, or ``in_worker(source)`` in a pool of ``jobs``.

    A file read in parts gets ``combined(outcome, digest)`` of its parts' outcome.
    """
    splits = split.plan(checker, sources, split.BLOCK_BYTES) if jobs > 1 else {}
    if jobs <= 1 or (len(sources) < PARALLEL_MIN_FILES and not splits):
        for source in sources:
            yield source, here(source)
            if progress:
                progress(1)
        return
    chunk = max(1, min(64, len(sources) // (jobs * 8)))
    # Pool's context manager terminates the workers on the way out, so an interrupt
    # (KeyboardInterrupt in the parent) stops the run at once instead of draining it.
    with _Pool(jobs, _init_worker, (checker.plan,), context=processes.context()) as pool:
        if splits:
            yield from _split_run(
                pool, checker, sources, splits, chunk, in_worker, combined, progress
            )
            return
        for source, result in zip(
            sources, pool.imap(in_worker, sources, chunksize=chunk), strict=True
        ):
            yield source, result
            if progress:
                progress(1)


def _split_run(
    pool: multiprocessing.pool.Pool,
    checker: Checker,
    sources: Sequence[SourceFile],
    splits: dict[int, split.Split],
    chunk: int,
    in_worker: Callable[[SourceFile], _T],
    combined: Callable[[FileOutcome, str], _T],
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[SourceFile, _T]]:
    """The pass of a run with files read in parts: every task in the pool, in file order.

    The line breaks of each byte range are counted first (in the pool), so each part
    knows the number of its first line. What each task is, is noted as it is handed to
    the pool (the tasks of a gzip stream are made as the stream is inflated) and read
    back as its result comes, in the same order.
    """
    ranges = [
        (i, s.source.location, a, b)
        for i, s in splits.items()
        if s.kind == "lines"
        for a, b in s.ranges
    ]
    counts = pool.starmap(split.count_task, [r[1:] for r in ranges])
    breaks: dict[int, list[int]] = {}
    for (index, *_), count in zip(ranges, counts, strict=True):
        breaks.setdefault(index, []).append(count)
    cached = in_worker is not _check_in_worker
    notes: deque[tuple[int, str, bool]] = deque()

    def handed() -> Iterator[tuple[Callable[[SourceFile], _T], split.Task]]:
        for task in split.tasks(checker, sources, splits, breaks, chunk, cached):
            notes.append((task.index, task.kind, task.last))
            yield in_worker, task

    parts: list[PartOutcome] = []
    digest = ""
    for result in pool.imap(_task_in_worker, handed(), chunksize=1):
        index, kind, last = notes.popleft()
        if kind == "files":
            for offset, each in enumerate(result):
                yield sources[index + offset], each
                if progress:
                    progress(1)
        elif kind == "digest":
            digest = result
        else:
            parts.append(result)
            if last:
                yield sources[index], combined(split.whole(checker, parts), digest)
                parts, digest = [], ""
                if progress:
                    progress(1)
