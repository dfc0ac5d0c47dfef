"""Typed options: what a rule takes under ``[rules.<name>]`` and a reader under its format."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    """A typed rule option with its default, as configured under ``[rules.<name>]``."""

    name: str
    type: type
    default: Any
    help: str
    low: float | None = None
    """The smallest value allowed (numbers only); ``None``: no bound but ``-INT_MAX - 1``
    for whole numbers."""
    high: float | None = None
    """The largest value allowed (numbers only); ``None``: no bound but :data:`INT_MAX`
    for whole numbers."""
    regex: bool = False
    """The value is a list of regular expressions; each must compile (``tuple`` only)."""

    def coerce(self, value: Any) -> Any:
        """Check a configured value against its type and bounds; raise ``ValueError`` if wrong."""
        value = self._typed(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"option {self.name!r} takes a finite number, not {value!r}")
        if self.regex:
            for pattern in value:
                _compiles(self.name, pattern)
        if isinstance(value, int) and self.high is None and value > INT_MAX:
            raise ValueError(f"option {self.name!r} is at most {INT_MAX}, not {value!r}")
        if isinstance(value, int) and self.low is None and value < -INT_MAX - 1:
            raise ValueError(f"option {self.name!r} is at least {-INT_MAX - 1}, not {value!r}")
        if self.low is not None and value < self.low:
            raise ValueError(f"option {self.name!r} is at least {self.low:g}, not {value!r}")
        if self.high is not None and value > self.high:
            raise ValueError(f"option {self.name!r} is at most {self.high:g}, not {value!r}")
        return value

    def _typed(self, value: Any) -> Any:
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if self.type is tuple:
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return tuple(value)
            raise ValueError(f"option {self.name!r} takes a list of strings, not {value!r}")
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise ValueError(f"option {self.name!r} takes {self.type.__name__}, not {value!r}")
        return value


INT_MAX = 2**31 - 1
"""The largest whole-number option without a bound of its own: values reach C code
(buffer sizes, numpy ``int32`` columns), where a larger one overflows."""


def _compiles(name: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(
            f"option {name!r}: {pattern!r} is not a regular expression: {exc}"
        ) from None
