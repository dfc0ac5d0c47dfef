"""A time budget for calls into rule plugins, enforced with SIGALRM.

A call that runs longer than its budget is stopped with :class:`BudgetExceeded`, which
the engine reports as an internal error naming the rule. Signals allow this only in
the main thread of a process (the CLI, and each worker of the pool) on a platform with
``signal.setitimer``; elsewhere, or while the process runs a real-time timer of its
own, calls run without a budget.

The timer is a watchdog: :func:`handler` starts one repeating tick for a stretch of
calls, and each call only notes its deadline. Setting a timer per call cost three
system calls a call, 2.5 s of the corpus pass's 670,000 calls at 100,000 articles. A
call is stopped between its budget and its budget plus one tick (a tenth of the budget,
at most a second and at least 10 ms).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TypeVar

_T = TypeVar("_T")

MAX_TICK = 1.0  # seconds between watchdog checks, at most
MIN_TICK = 0.01  # and at least: a tiny budget must not flood the process with signals


class _Alarm(BaseException):
    """Raised by the SIGALRM handler inside a rule call that ran out of time.

    A ``BaseException``, so that a plugin's ``except Exception`` cannot swallow it.
    """


class BudgetExceeded(Exception):
    """A rule call was stopped at the time budget."""


class _Watchdog:
    """The installed handler's state: which thread owns it and the running call's deadline.

    The handler does nothing outside a budgeted call, so a late tick is harmless.
    """

    owner: int | None = None
    """``threading.get_ident()`` of the thread whose stretch installed the handler."""
    deadline: float | None = None
    """``time.monotonic()`` after which the running call is stopped; None between calls."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    deadline = _Watchdog.deadline
    if deadline is not None and time.monotonic() >= deadline:
        _Watchdog.deadline = None
        raise _Alarm


def _can_time(seconds: float) -> bool:
    """Whether a budget of ``seconds`` can be enforced here (signals: main thread only)."""
    return (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )


@contextlib.contextmanager
def handler(seconds: float) -> Iterator[None]:
    """Install the budget's SIGALRM handler and start its tick for a stretch of rule calls.

    Installing it costs more than a rule call on a small document, so the engine does
    it once per file and once per corpus pass rather than per call. Nothing is installed
    while a real-time timer that is not ours runs: the host's own alarm is left alone.
    """
    if (
        not _can_time(seconds)
        or _Watchdog.owner is not None
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return
    tick = min(MAX_TICK, max(MIN_TICK, seconds / 10))
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _Watchdog.owner = threading.get_ident()
    signal.setitimer(signal.ITIMER_REAL, tick, tick)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _Watchdog.owner = None
        _Watchdog.deadline = None
        signal.signal(signal.SIGALRM, previous)


def within(seconds: float, function: Callable[[], _T]) -> _T:
    """``function()``, stopped with :class:`BudgetExceeded` after ``seconds``.

    Runs without a budget where none can be enforced, or when a real-time timer that
    the engine did not set is running (the host's own alarm is left alone).
    """
    if _Watchdog.owner == threading.get_ident() and seconds > 0:  # the usual case
        return _timed(seconds, function)
    if not _can_time(seconds) or _Watchdog.owner is not None:
        return function()
    with handler(seconds):
        if _Watchdog.owner is None:  # a host's timer runs: no budget
            return function()
        return _timed(seconds, function)


def _timed(seconds: float, function: Callable[[], _T]) -> _T:
    """``function()`` with its deadline noted for the watchdog (the handler is installed)."""
    try:
        try:
            _Watchdog.deadline = time.monotonic() + seconds
            return function()
        finally:
            _Watchdog.deadline = None
    except _Alarm:  # also when it cut the clean-up above short
        _Watchdog.deadline = None
        raise BudgetExceeded from None
