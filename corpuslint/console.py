"""Everything corpuslint writes to stderr, one escaped line at a time.

Diagnostics quote corpus text (file names, reader and rule messages, plugin errors),
and a GitHub runner reads stderr for workflow commands as it reads stdout. Every line
goes through :func:`line`, which makes it inert with
:func:`corpuslint.report.escape.stderr_safe`: no control character, no line break, no
``::`` at its start, no ``##[`` anywhere.
"""

from __future__ import annotations

import re
from typing import TextIO

import click

from corpuslint.report.escape import stderr_safe

PREFIX = "corpuslint: "


def line(text: str) -> None:
    """Write ``text`` to stderr as one escaped line."""
    click.echo(stderr_safe(text), err=True)


def error(message: str) -> None:
    """``corpuslint: error: <message>`` on stderr."""
    line(f"{PREFIX}error: {message}")


def warning(message: str) -> None:
    """``corpuslint: warning: <message>`` on stderr."""
    line(f"{PREFIX}warning: {message}")


def note(message: str) -> None:
    """``corpuslint: note: <message>`` on stderr: something to know that changes no result."""
    line(f"{PREFIX}note: {message}")


_BREAKS = re.compile(r"(\r|\n)")


class SafeStream:
    """A text stream for a progress bar: what it writes is escaped between line breaks.

    A terminal progress bar redraws itself with carriage returns, so those (and line
    feeds) pass; every stretch between them goes through :func:`stderr_safe`.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with each stretch between line breaks escaped."""
        parts = _BREAKS.split(text)
        return self._stream.write("".join(p if p in "\r\n" else stderr_safe(p) for p in parts))

    def flush(self) -> None:
        """Flush the underlying stream."""
        self._stream.flush()

    def isatty(self) -> bool:
        """Whether the underlying stream is a terminal."""
        return self._stream.isatty()

    @property
    def encoding(self) -> str:
        """The underlying stream's encoding."""
        return getattr(self._stream, "encoding", None) or "utf-8"
