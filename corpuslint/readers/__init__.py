"""Input formats: one reader module per format, registered through ``corpuslint_readers``."""

from __future__ import annotations

from corpuslint.readers.base import Reader, ReadError, decode, split_lines

__all__ = ["ReadError", "Reader", "decode", "split_lines"]
