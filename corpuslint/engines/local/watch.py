"""Worker deaths in the document pass: noticed, and the file each dead worker was checking.

A ``multiprocessing`` pool replaces a worker that dies (killed by the out-of-memory
killer, crashed in a compiled library) but loses the task the worker held, and waits
for its result forever: the run would hang. So each worker notes, in memory it shares
with the parent, the position of the file it is checking, and the parent, whenever no
result has come for a while, looks at its workers: a dead one raises :class:`Died`,
naming the file it was on when the worker was inside a file's check.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.pool
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

_T = TypeVar("_T")

PATIENCE = 0.5
"""Seconds without a result after which the parent looks for dead workers."""

_SPARE = 8
"""Slots beyond one per worker, for the workers the pool starts in place of dead ones."""

_IDLE = -1

_HINTS = {
    "SIGKILL": " (out of memory?)",
    "SIGSEGV": " (a crash in compiled code)",
    "SIGBUS": " (a crash in compiled code)",
    "SIGABRT": " (a crash in compiled code)",
}


@dataclass(frozen=True)
class Death:
    """A worker process that ended during the run."""

    index: int | None
    """The position of the file it was checking, ``None`` if it was between files."""
    exitcode: int
    """The process's exit code: minus the signal's number for a signal."""

    def reason(self) -> str:
        """How the worker ended, for an error line: "was killed by SIGKILL (out of memory?)"."""
        if self.exitcode >= 0:
            return f"exited with status {self.exitcode}"
        try:
            name = signal.Signals(-self.exitcode).name
        except ValueError:
            name = f"signal {-self.exitcode}"
        return f"was killed by {name}{_HINTS.get(name, '')}"


class Died(Exception):
    """A worker of the pool died while the parent waited for a result."""

    def __init__(self, death: Death) -> None:
        super().__init__(f"a worker process {death.reason()}")
        self.death = death


Shared = tuple[Any, Any]
"""What a worker receives to note its file: the slots array and the count of claimed slots."""

_SLOT: list[Any] = []  # in a worker: the slots array and the position of its own slot


class Watch:
    """The slots where a pool's workers note the file they check, and the workers watched."""

    def __init__(self, context: multiprocessing.context.BaseContext, jobs: int) -> None:
        self._slots = context.RawArray("q", 2 * (jobs + _SPARE))  # a worker's pid, its file
        self._claimed = context.Value("i", 0)
        self._workers: list[Any] = []

    @property
    def shared(self) -> Shared:
        """What each worker's initializer passes to :func:`claim`."""
        return (self._slots, self._claimed)

    def watch(self, workers: list[Any]) -> None:
        """Watch these workers, those a pool started with (its ``Process`` objects).

        ``Pool`` has no public way to tell that one died. Only those are watched: the
        run stops using the pool at the first death.
        """
        self._workers = list(workers)

    def death(self) -> Death | None:
        """The first watched worker found dead, if any."""
        for worker in self._workers:
            code = worker.exitcode
            if code is not None:
                return Death(self._file_of(worker.pid), code)
        return None

    def _file_of(self, pid: int) -> int | None:
        slots = self._slots
        for at in range(0, len(slots), 2):
            if slots[at] == pid:
                index = int(slots[at + 1])
                return None if index == _IDLE else index
        return None

    def results(self, iterator: multiprocessing.pool.IMapIterator[_T]) -> Iterator[_T]:
        """The results of ``pool.imap``, in order; :class:`Died` if a worker dies meanwhile."""
        while True:
            try:
                yield iterator.next(timeout=PATIENCE)
            except StopIteration:
                return
            except multiprocessing.TimeoutError:
                death = self.death()
                if death is not None:
                    raise Died(death) from None

    def wait(self, result: multiprocessing.pool.AsyncResult[_T]) -> _T:
        """The value of an asynchronous call; :class:`Died` if a worker dies meanwhile."""
        while not result.ready():
            result.wait(PATIENCE)
            death = None if result.ready() else self.death()
            if death is not None:
                raise Died(death)
        return result.get()


def claim(shared: Shared) -> None:
    """In a new worker: take a free slot (none once they are all taken: deaths go unnamed)."""
    slots, claimed = shared
    with claimed.get_lock():
        number = claimed.value
        claimed.value = number + 1
    at = 2 * number
    if at + 1 < len(slots):
        slots[at + 1] = _IDLE  # first: a slot naming this process names no file yet
        slots[at] = os.getpid()
        _SLOT[:] = [slots, at + 1]


def checking(index: int) -> None:
    """In a worker: note that it now checks the file at ``index`` (``-1``: none)."""
    if _SLOT:
        _SLOT[0][_SLOT[1]] = index


def done() -> None:
    """In a worker: note that it checks no file now."""
    checking(_IDLE)
