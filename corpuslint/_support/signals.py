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
from collections.abc import Iterator
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
    raise exc


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
