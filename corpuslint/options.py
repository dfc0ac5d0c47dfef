"""Typed options: what a rule takes under ``[rules.<name>]`` and a reader under its format."""

from __future__ import annotations

import math
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
    """The smallest value allowed (numbers only); ``None``: no bound."""
    high: float | None = None
    """The largest value allowed (numbers only); ``None``: no bound."""

    def coerce(self, value: Any) -> Any:
        """Check a configured value against its type and bounds; raise ``ValueError`` if wrong."""
        value = self._typed(value)
        if isinstance(value, float) and math.isnan(value):
            raise ValueError(f"option {self.name!r} takes a number, not nan")
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
