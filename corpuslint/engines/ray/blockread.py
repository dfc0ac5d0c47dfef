"""Reading one block of a large line-based file: the lines that start inside a byte range.

Blocks are cut at fixed byte offsets, so a cut usually falls inside a line. That line
belongs to the block it starts in: a block skips the partial line at its start and reads
past its end to finish its last line. Every line is read by exactly one block.
"""

from __future__ import annotations

from typing import Protocol

_CHUNK = 1 << 20


class Seekable(Protocol):
    """A binary file object that can seek (a local file, an fsspec file)."""

    def seek(self, offset: int, whence: int = 0, /) -> int:
        """Move to ``offset``."""
        ...

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes."""
        ...

    def readline(self, size: int = -1, /) -> bytes:
        """Read up to the next line break, at most ``size`` bytes."""
        ...


class BlockLines:
    """The lines of ``handle`` that start before ``end``, read from the current position."""

    def __init__(self, handle: Seekable, position: int, end: int) -> None:
        self._handle = handle
        self._position = position
        self._end = end
        self._line_start = True

    def readline(self, size: int = -1, /) -> bytes:
        """The next line (or the next ``size`` bytes of it); empty once the block is done."""
        if self._line_start and self._position >= self._end:
            return b""
        data = self._handle.readline(size)
        self._position += len(data)
        self._line_start = data.endswith(b"\n")
        return data


def open_block(handle: Seekable, start: int, end: int, line: int) -> tuple[BlockLines, int]:
    """The block's lines and the number of its first one.

    ``line`` is the number of the line that byte ``start`` lies in (one past the line
    breaks before ``start``). If ``start`` is inside a line, that line is the previous
    block's: it is skipped and the block begins at the next line.
    """
    if start == 0:
        handle.seek(0)
        return BlockLines(handle, 0, end), line
    handle.seek(start - 1)
    position = start
    if handle.read(1) != b"\n":
        while True:
            rest = handle.readline(_CHUNK)
            position += len(rest)
            if not rest or rest.endswith(b"\n"):
                break
        line += 1
    return BlockLines(handle, position, end), line
