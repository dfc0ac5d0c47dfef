"""Stage timings of a run, written as JSON when ``CORPUSLINT_PROFILE`` names a file.

``stage(name)`` times a block (wall and this process's CPU seconds) when profiling is
on; off, it is one shared ``nullcontext`` and no clock is read, so the hooks stay in
the engine at no cost. ``benchmarks/profile_stages.py`` reads the file and adds what
the worker processes spent (it times their stages itself).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator

ENVIRONMENT = "CORPUSLINT_PROFILE"
"""The environment variable naming the file the stage timings are written to."""

_TARGET: list[str | None] = [os.environ.get(ENVIRONMENT) or None]  # one item: the file
_OFF = contextlib.nullcontext()
_STAGES: list[dict[str, object]] = []


def configure() -> None:
    """Read ``CORPUSLINT_PROFILE`` again: a command forked by the daemon has its own."""
    _TARGET[0] = os.environ.get(ENVIRONMENT) or None
    _STAGES.clear()


def enabled() -> bool:
    """Whether stage timings are recorded in this process."""
    return _TARGET[0] is not None


@contextlib.contextmanager
def _timed(name: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        _STAGES.append(
            {
                "stage": name,
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "end": time.perf_counter(),
            }
        )


def stage(name: str) -> contextlib.AbstractContextManager[None]:
    """A block timed as stage ``name`` when profiling is on; nothing otherwise."""
    return _timed(name) if _TARGET[0] is not None else _OFF


def note(name: str, value: float) -> None:
    """A number about the run (files listed, entries loaded) to write beside the stages."""
    if _TARGET[0] is not None:
        _STAGES.append({"stage": name, "value": value})


def write() -> None:
    """Write the stages recorded so far to the profile file (when profiling is on)."""
    if _TARGET[0] is None:
        return
    with open(_TARGET[0], "w", encoding="utf-8") as handle:
        json.dump({"pid": os.getpid(), "stages": _STAGES}, handle)
