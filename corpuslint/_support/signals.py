"""SIGINT and SIGTERM stop a run the same quiet way: one line, no traceback, no orphan.

While :func:`handled` is active, SIGINT raises :class:`KeyboardInterrupt` and SIGTERM
raises :class:`Terminated` (a ``KeyboardInterrupt``) in the main thread, so both unwind
through the same code: the worker pool is terminated on the way out and the command
prints ``corpuslint: interrupted``. Processes forked meanwhile inherit the handler; in
them it restores the default action and re-raises the signal, so a worker or helper
that is stopped dies quietly instead of printing a traceback.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as for Ctrl-C (exit status 143, 128 + SIGTERM)."""


_raised: list[BaseException] = []  # what the handler raised, to tell it from a plugin's own
_installed: list[int] = []  # the pid that installed the handler, while it is installed


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    if not _installed or os.getpid() != _installed[-1]:
        # A forked child that kept the parent's handler: die as the default action would.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    exc: KeyboardInterrupt = Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
    _raised.append(exc)
    if signum == signal.SIGTERM:
        _end_anyway()
    raise exc


GRACE_SECONDS = 5.0
"""How long a run stopped by SIGTERM may take to unwind before it exits without it."""
_announced: list[bool] = []


def announce(write: Callable[[str], None]) -> None:
    """Write the one ``corpuslint: interrupted`` line, once per process."""
    if not _announced:
        _announced.append(True)
        write(INTERRUPTED)


INTERRUPTED = "corpuslint: interrupted"


def _end_anyway() -> None:
    """Exit 143 in :data:`GRACE_SECONDS` if the run has not ended by then.

    SIGTERM means "stop now": a CI runner sends it to the whole process group when a job
    is cancelled, and a worker process killed at the wrong moment can leave the pool's
    clean-up waiting on a lock forever. The timer's thread is a daemon, so a run that
    ends in time never waits for it.
    """

    def stop() -> None:
        if not _announced:
            _announced.append(True)
            os.write(2, (INTERRUPTED + "\n").encode())
        os._exit(128 + signal.SIGTERM)

    timer = threading.Timer(GRACE_SECONDS, stop)
    timer.daemon = True
    timer.start()


@contextmanager
def handled() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into exceptions in this (main) thread while active.

    A signal that is ignored (a job started with ``nohup`` or in the background) stays
    ignored; outside the main thread nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, _on_signal)
    _installed.append(os.getpid())
    try:
        yield
    finally:
        _installed.pop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def genuine(exc: BaseException) -> bool:
    """Whether ``exc`` is a real interrupt (a signal), not one that some code raised itself."""
    if any(exc is raised for raised in _raised):
        return True
    return not _installed and type(exc) is KeyboardInterrupt


def exit_status(exc: KeyboardInterrupt) -> int:
    """The shell's status for a run stopped by ``exc``: 128 plus the signal's number."""
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
