"""A progress bar on stderr for long runs on a terminal (tqdm); never in CI or when piped.

The caller gives the stream the bar writes to: the command line gives one that escapes
every line it writes to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Protocol


class TextSink(Protocol):
    """Where the bar is drawn: a text stream, or a wrapper that escapes what it writes."""

    def write(self, text: str, /) -> int:
        """Write ``text``; the number of characters written."""
        ...

    def flush(self) -> None:
        """Push what was written to its destination."""
        ...


# The bar appears only once a run has taken this long, so quick runs print nothing.
DELAY_SECONDS = 1.0


def wanted() -> bool:
    """Whether to show progress: stderr is a terminal and this is not a CI job."""
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def progress_bar(stream: TextSink) -> Callable[[int, int], Callable[[int], None]] | None:
    """A factory the runner calls with (files, targets) to get a tick function, or ``None``.

    The bar is drawn on ``stream`` when :func:`wanted`.
    """
    if not wanted():
        return None

    def start(files: int, targets: int) -> Callable[[int], None]:
        from tqdm import tqdm

        bar = tqdm(
            total=files,
            unit="file",
            desc="corpuslint",
            file=stream,
            delay=DELAY_SECONDS,
            leave=False,
            dynamic_ncols=True,
        )

        def tick(count: int) -> None:
            bar.update(count)
            if bar.n >= files:
                bar.close()

        return tick

    return start
