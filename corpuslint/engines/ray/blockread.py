"""Reading one block of a large line-based file: shared with the local engine.

The logic lives in ``corpuslint.run.blocks`` so that both engines use it without
importing each other; this module names what the Ray tasks use of it.
"""

from __future__ import annotations

from corpuslint.run.blocks import BlockLines, Seekable, open_block

__all__ = ["BlockLines", "Seekable", "open_block"]
