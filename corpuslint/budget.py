"""A time budget for calls into rule plugins, enforced with SIGALRM.

A call that runs longer than its budget is stopped with :class:`BudgetExceeded`, which
the engine reports as an internal error naming the rule. Signals allow this only in
the main thread of a process (the CLI, and each worker of the pool) on a platform with
``signal.setitimer``; elsewhere, or while the process runs a real-time timer of its
own, calls run without a budget.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TypeVar

_T = TypeVar("_T")


class _Alarm(BaseException):
    """Raised by the SIGALRM handler inside a rule call that ran out of time.

    A ``BaseException``, so that a plugin's ``except Exception`` cannot swallow it.
    """


class BudgetExceeded(Exception):
    """A rule call was stopped at the time budget."""


class _AlarmState:
    """Whether the budget's handler is installed, and whether a budgeted call is running.

    The handler does nothing outside a budgeted call, so a late alarm is harmless.
    """

    installed = False
    armed = False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _AlarmState.armed:
        _AlarmState.armed = False
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
    """Install the budget's SIGALRM handler for a stretch of rule calls.

    Installing it costs more than a rule call on a small document, so the engine does
    it once per file and once per corpus pass rather than per call.
    """
    if not _can_time(seconds) or _AlarmState.installed:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _AlarmState.installed = True
    try:
        yield
    finally:
        signal.signal(signal.SIGALRM, previous)
        _AlarmState.installed = False


def within(seconds: float, function: Callable[[], _T]) -> _T:
    """``function()``, stopped with :class:`BudgetExceeded` after ``seconds``.

    Runs without a budget where none can be enforced, or when a real-time timer that
    the engine did not set is running (the host's own alarm is left alone).
    """
    if not _can_time(seconds):
        return function()
    if _AlarmState.installed:  # the usual case: inside a file's or the corpus pass's stretch
        return _timed(seconds, function)
    with handler(seconds):
        return _timed(seconds, function)


def _timed(seconds: float, function: Callable[[], _T]) -> _T:
    """``function()`` with the alarm set ``seconds`` ahead (the handler is installed)."""
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return function()
    try:
        try:
            _AlarmState.armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return function()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _AlarmState.armed = False
    except _Alarm:  # also when it cut the clean-up above short: disarm again
        signal.setitimer(signal.ITIMER_REAL, 0)
        _AlarmState.armed = False
        raise BudgetExceeded from None
