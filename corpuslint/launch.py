"""The ``corpuslint`` command's entry point: a running daemon runs it, else this process.

With a daemon of this installation running (``corpuslint daemon start``), the command
line goes to it before anything heavy is imported here; otherwise the click command
(``corpuslint.cli``) runs in this process as usual.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run ``corpuslint`` with ``sys.argv``."""
    from corpuslint.daemon import client

    status = client.forward(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    from corpuslint.cli import main as command

    command()
