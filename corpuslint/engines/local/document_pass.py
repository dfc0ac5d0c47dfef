"""The local engine's document pass: each file checked by the rule executor, in a process pool.

Only what the executor keeps of a file (its outcome, never its documents) comes back to
the parent, in the order of the files whatever the number of processes. With more than
one process, a file larger than ``split.BLOCK_BYTES`` is read in parts spread over the
pool, and its parts' outcomes are combined into the outcome a one-process read gives
(see ``corpuslint.engines.local.split``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import itertools
import multiprocessing.pool
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from corpuslint import plugins
from corpuslint._support import budget, processes
from corpuslint.cache import codec
from corpuslint.engines import EngineError
from corpuslint.engines.local import split, watch
from corpuslint.model import Problem
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


def _init_worker(plan: Plan, shared: watch.Shared) -> None:
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
    watch.claim(shared)


@dataclasses.dataclass(frozen=True)
class _Sealed(Generic[_T]):
    """A worker's result, pickled in the worker and unpickled by the parent's own loop.

    Pool unpickles what workers send in a thread of its own, which dies on a result it
    cannot rebuild (a plugin's object whose class the parent cannot make) and leaves
    the run waiting for ever. Sealed, the pool only carries bytes, and a result that
    cannot be rebuilt is an error about its file.
    """

    data: bytes

    @classmethod
    def of(cls, value: _T) -> _Sealed[_T]:
        """``value`` sealed (in the worker)."""
        return cls(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def open(self) -> _T:
        """The value (in the parent); raises whatever rebuilding it raises."""
        value: _T = pickle.loads(self.data)
        return value


def _watched(in_worker: Callable[[SourceFile], _T], item: tuple[int, SourceFile]) -> _Sealed[_T]:
    """``in_worker`` of the file at position ``item[0]``, noted as the one being checked."""
    index, source = item
    watch.checking(index)
    try:
        result = _Sealed.of(in_worker(source))
    except Exception:
        watch.done()
        raise
    # Left as it is on a BaseException (a plugin's sys.exit): the worker ends with it,
    # and its death names this file.
    watch.done()
    return result


def _watched_chunk(
    in_worker: Callable[[SourceFile], _T], items: list[tuple[int, SourceFile]]
) -> list[_Sealed[_T]]:
    """:func:`_watched` of each file of a chunk, the pool's unit of work."""
    return [_watched(in_worker, item) for item in items]


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
        return [_watched(in_worker, item) for item in enumerate(task.sources, task.index)]
    watch.checking(task.index)
    try:
        if task.kind == "digest":
            try:
                return file_digest(task.sources[0].path)
            except OSError:
                return ""
        return _Sealed.of(split.check_part(_WORKER[0], task))
    finally:
        watch.done()


def _count_in_worker(item: tuple[int, str, int, int]) -> int:
    """The line breaks of a byte range of the file at position ``item[0]``."""
    index, location, start, end = item
    watch.checking(index)
    try:
        return split.count_task(location, start, end)
    finally:
        watch.done()


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

    started: list[Any]
    """The workers the pool started with (see ``watch``), before any could die."""

    def _get_sentinels(self) -> list[Any]:
        # Called once the first workers are started and before the handler thread that
        # replaces dead ones: the moment to note them.
        self.started = list(getattr(self, "_pool", []))
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
        # it does not come, at once when they have been killed already (see ``_abandon``).
        inqueue._rlock.acquire(timeout=0 if getattr(inqueue, _KILLED, False) else _LOCK_WAIT)
        while task_handler.is_alive() and inqueue._reader.poll():
            inqueue._reader.recv()
            time.sleep(0)


_LOCK_WAIT = 1.0
"""Seconds terminating waits for the task queue's lock before draining without it."""

_KILLED = "corpuslint_workers_killed"
"""Set on a pool's task queue once ``_abandon`` has killed its workers."""


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
    if not splits:
        yield from _pooled(checker, sources, jobs, chunk, in_worker, combined, progress)
        return
    try:
        with _started(jobs, checker.plan) as (pool, watcher):
            yield from _split_run(
                pool, watcher, checker, sources, splits, chunk, in_worker, combined, progress
            )
    except watch.Died as died:
        at = died.death.index
        what = (
            "a worker process" if at is None else f"{sources[at].display}: the process checking it"
        )
        raise EngineError(f"{what} {died.death.reason()}; the run stopped") from None


@contextlib.contextmanager
def _started(jobs: int, plan: Plan) -> Iterator[tuple[multiprocessing.pool.Pool, watch.Watch]]:
    """A pool of ``jobs`` workers, and the watch on them (see ``watch``)."""
    context = processes.context()
    watcher = watch.Watch(context, jobs)
    pool = _Pool(jobs, _init_worker, (plan, watcher.shared), context=context)
    watcher.watch(pool.started)
    try:
        yield pool, watcher
    except BaseException:
        # A worker died, or an interrupt (KeyboardInterrupt, SIGTERM to the whole
        # process group): stopped at once, not drained, and without waiting on what a
        # killed worker held.
        _abandon(pool)
        raise
    pool.terminate()  # as Pool's own context manager does: every result has come


def _abandon(pool: _Pool) -> None:
    """Stop a pool at once, without waiting on what a dead worker held.

    A worker killed while it sent a result (by the out-of-memory killer, or by a
    SIGTERM sent to the whole process group) holds the result queue's lock for ever,
    and ``terminate`` waits for that lock before it stops the workers. So
    ``terminate`` runs in a thread of its own (it first tells the pool to start no
    more workers), the workers are killed, and the thread is given up on if it is
    still waiting after ``_STOP_WAIT`` seconds. It holds no lock the rest of the run
    needs, and the workers of a pool are daemons, which the interpreter stops on its
    way out anyway. While the interpreter shuts down (a run's generator closed by its
    last garbage collection) no thread can start: the workers are only killed.
    """
    inqueue = getattr(pool, "_inqueue", None)
    if inqueue is not None:  # terminating then drains the task queue without its lock
        setattr(inqueue, _KILLED, True)
    if sys.is_finalizing():
        _kill(pool)
        return
    stopper = threading.Thread(target=pool.terminate, name="corpuslint-stop-pool", daemon=True)
    stopper.start()
    _kill(pool)
    stopper.join(_STOP_WAIT)
    _kill(pool)  # any the pool started before ``terminate`` told it to stop


def _kill(pool: _Pool) -> None:
    """Kill the pool's workers that are alive."""
    # Pool's own list, which its handler thread changes: a copy, and the first workers.
    for worker in {*pool.started, *list(getattr(pool, "_pool", []))}:
        if worker.exitcode is None:
            worker.kill()


_STOP_WAIT = 2.0
"""Seconds a stopping pool whose worker died is waited for before it is given up on."""


_MAX_UNNAMED = 3
"""Worker deaths that name no file a run goes on after; at one more it stops."""

_MAX_FAILED = 16
"""Files whose check killed a worker that a run goes on after; at one more it stops.

Each costs a new pool: a plugin that crashes on every file would otherwise start one
per file.
"""


def _pooled(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    chunk: int,
    in_worker: Callable[[SourceFile], _T],
    combined: Callable[[FileOutcome, str], _T],
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[SourceFile, _T]]:
    """``in_worker(source)`` of each file in a pool, in order, going on past dead workers.

    A worker that dies while it checks a file (see ``watch``) takes the pool with it:
    that file gets a CL001 finding that says how the worker ended, and a new pool checks
    the files whose results had not come. A worker that dies between files names none:
    the files are checked again. After ``_MAX_UNNAMED`` deaths of the one kind or
    ``_MAX_FAILED`` of the other, the run stops with an error.
    """
    failed: dict[int, str] = {}  # the files whose check killed a worker: how it ended
    start = 0  # the first file whose result has not been yielded
    unnamed = 0
    while True:
        todo = [i for i in range(start, len(sources)) if i not in failed]
        if not todo:
            yield from _failed(checker, sources, failed, start, len(sources), combined, progress)
            return
        try:
            with _started(jobs, checker.plan) as (pool, watcher):
                # Chunks made here, not by imap: only an imap of single items can be
                # waited on with a timeout, which the watch needs.
                work = functools.partial(_watched_chunk, in_worker)
                chunks = [
                    [(i, sources[i]) for i in todo[at : at + chunk]]
                    for at in range(0, len(todo), chunk)
                ]
                results = itertools.chain.from_iterable(
                    watcher.results(pool.imap(work, chunks, chunksize=1))
                )
                for index, sealed in zip(todo, results, strict=True):
                    yield from _failed(checker, sources, failed, start, index, combined, progress)
                    yield sources[index], _opened(checker, sources[index], sealed, combined)
                    if progress:
                        progress(1)
                    start = index + 1
            yield from _failed(checker, sources, failed, start, len(sources), combined, progress)
            return
        except watch.Died as died:
            culprit = died.death.index
            if culprit is None or culprit < start or culprit in failed:
                unnamed += 1
                if unnamed > _MAX_UNNAMED:
                    raise EngineError(
                        f"worker processes keep dying between files (the last one"
                        f" {died.death.reason()}); the run stopped: --jobs 1 shows which"
                        " file stops it"
                    ) from None
            elif len(failed) < _MAX_FAILED:
                failed[culprit] = died.death.reason()
            else:
                raise EngineError(
                    f"{sources[culprit].display}: the process checking it"
                    f" {died.death.reason()}, as on {len(failed)} files before; the run stopped"
                ) from None


def _failed(
    checker: Checker,
    sources: Sequence[SourceFile],
    failed: dict[int, str],
    start: int,
    stop: int,
    combined: Callable[[FileOutcome, str], _T],
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[SourceFile, _T]]:
    """The results of the files from ``start`` to ``stop`` whose check killed a worker.

    A target's is a CL001 finding. A file of the corpus around the targets, whose
    findings are not reported, gets an error instead: the run could not compare it.
    """
    for index in sorted(i for i in failed if start <= i < stop):
        source = sources[index]
        yield (
            source,
            _casualty(checker, source, ("the process checking ", f" {failed[index]}"), combined),
        )
        if progress:
            progress(1)


def _casualty(
    checker: Checker,
    source: SourceFile,
    what: tuple[str, str],
    combined: Callable[[FileOutcome, str], _T],
) -> _T:
    """The result of a file whose check went wrong in the pool: ``what`` says how.

    ``what`` is the text before and after the file's name ("this file", "it").
    A target's result is a CL001 finding. A file of the corpus around the targets, whose
    findings are not reported, gets an error instead: the run could not compare it. No
    digest: the cache keeps no entry for it, so the next run checks it again.
    """
    before, after = what
    problem = Problem(source.display, f"{before}this file{after}")
    outcome = checker.outcome(source, [problem], directives=())
    if not source.target:
        line = f"{source.display}: {before}it{after}; not compared"
        outcome = dataclasses.replace(outcome, errors=(*outcome.errors, line))
    return combined(outcome, "")


def _opened(
    checker: Checker,
    source: SourceFile,
    sealed: _Sealed[_T],
    combined: Callable[[FileOutcome, str], _T],
) -> _T:
    """A worker's result for ``source``, or its casualty if it cannot be rebuilt here."""
    try:
        return sealed.open()
    except Exception as exc:
        why = f" could not be passed back from its worker process: {type(exc).__name__}: {exc}"
        return _casualty(checker, source, ("the result of checking ", why), combined)


def _split_run(
    pool: multiprocessing.pool.Pool,
    watcher: watch.Watch,
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
    counts = watcher.wait(pool.map_async(_count_in_worker, ranges))
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
    for result in watcher.results(pool.imap(_task_in_worker, handed(), chunksize=1)):
        index, kind, last = notes.popleft()
        if kind == "files":
            for offset, each in enumerate(result):
                source = sources[index + offset]
                yield source, _opened(checker, source, each, combined)
                if progress:
                    progress(1)
        elif kind == "digest":
            digest = result
        else:
            try:
                parts.append(result.open())
            except Exception as exc:
                raise EngineError(
                    f"{sources[index].display}: the result of a part of it could not be"
                    f" passed back from its worker process: {type(exc).__name__}: {exc}"
                ) from None
            if last:
                yield sources[index], combined(split.whole(checker, parts), digest)
                parts, digest = [], ""
                if progress:
                    progress(1)
