"""How many processes a run may use, and how to start them."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys

CAN_FORK = sys.platform.startswith("linux")
"""Whether child processes are forked: they then share the parent's memory without copying.

Only on Linux: macOS forks unsafely once system frameworks run threads, and Windows cannot.
"""


def default_jobs() -> int:
    """All cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def context() -> multiprocessing.context.BaseContext:
    """The start method of worker processes: fork where :data:`CAN_FORK`, else the default."""
    return multiprocessing.get_context("fork" if CAN_FORK else None)
