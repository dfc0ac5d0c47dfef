"""A progress bar on stderr for long runs on a terminal (tqdm); never in CI or when piped."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

# The bar appears only once a run has taken this long, so quick runs print nothing.
DELAY_SECONDS = 1.0


def wanted() -> bool:
    """Whether to show progress: stderr is a terminal and this is not a CI job."""
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def progress_bar() -> Callable[[int, int], Callable[[int], None]] | None:
    """A factory the runner calls with (files, targets) to get a tick function, or ``None``."""
    if not wanted():
        return None

    def start(files: int, targets: int) -> Callable[[int], None]:
        from tqdm import tqdm

        bar = tqdm(
            total=files,
            unit="file",
            desc="corpuslint",
            file=sys.stderr,
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
