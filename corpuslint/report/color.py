"""Colour for terminal output: when to use it, and the ANSI sequences of the text formats.

``--color auto`` (the default) colours only a terminal: ``NO_COLOR`` set to anything
but the empty string turns colour off (https://no-color.org), ``FORCE_COLOR`` likewise
turns it on even when the output is not a terminal (https://force-color.org), and
``TERM=dumb`` is a terminal that shows no colour. ``always`` and ``never`` override
the environment. Sequences are only ever added around text that was escaped first, so
corpus text cannot carry a sequence of its own into the output.
"""

from __future__ import annotations

from collections.abc import Mapping

from corpuslint.model import Severity

CHOICES = ("auto", "always", "never")

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
YELLOW = "\x1b[33m"
CYAN = "\x1b[36m"

SEVERITY = {Severity.ERROR: RED, Severity.WARNING: YELLOW, Severity.INFO: CYAN}


def enabled(choice: str, is_tty: bool, environ: Mapping[str, str]) -> bool:
    """Whether to colour output for ``--color choice`` on a stream that is or is not a tty."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", ""):
        return True
    return is_tty and environ.get("TERM", "") != "dumb"


class Painter:
    """Wraps escaped text in ANSI sequences, or returns it unchanged when colour is off."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def paint(self, text: str, *styles: str) -> str:
        """``text`` between ``styles`` and a reset (``text`` itself when colour is off)."""
        if not self.on or not styles or not text:
            return text
        return "".join(styles) + text + RESET

    def severity(self, text: str, severity: Severity) -> str:
        """``text`` in the colour of ``severity``."""
        return self.paint(text, BOLD, SEVERITY.get(severity, YELLOW))
