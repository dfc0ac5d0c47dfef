"""Escaping of corpus text for the places it is printed."""

from __future__ import annotations

import re

# C0 and C1 control characters (ESC among them) except tab, and the bidi overrides
# that can make a terminal show text in another order than it is.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Replace control characters (ESC, CR, LF, bidi overrides) with visible escapes."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
