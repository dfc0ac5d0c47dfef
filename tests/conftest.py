"""Shared fixtures: paths to the shared data and a helper that runs the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_489af2047bc44a5d.txt"


@pytest.fixture
def seed_text() -> str:
    """The archetype article (DESIGN.md section 1)."""
    if SEED.is_file():
        return SEED.read_text(encoding="utf-8")
    return (REPO / "examples" / "articles" / "kremlin-trump-putin.txt").read_text(encoding="utf-8")
