"""Shared fixtures: paths to the shared data, a project folder and the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Run, run_cli

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_489af2047bc44a5d.txt"


@pytest.fixture(autouse=True, scope="session")
def _cache_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every run's cache in a folder of this test session, never the user's cache directory.

    Set in the environment, so corpuslint started in a subprocess uses it too.
    """
    os.environ["CORPUSLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("corpuslint-cache"))


@pytest.fixture
def seed_text() -> str:
    """The archetype article (DESIGN.md section 1)."""
    if SEED.is_file():
        return SEED.read_text(encoding="utf-8")
    return (REPO / "examples" / "articles" / "kremlin-trump-putin.txt").read_text(encoding="utf-8")


@pytest.fixture
def cli() -> Callable[..., Run]:
    """The CLI runner; every run also checks that no traceback reached the user."""

    def invoke(*args: str) -> Run:
        run = run_cli(*args)
        assert "Traceback" not in run.output
        return run

    return invoke


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project (its own ``.git`` and ``corpuslint.toml``), the working directory."""
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "corpuslint.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(root)
    return root
