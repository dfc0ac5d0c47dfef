"""Shared fixtures: the archetype article, a project folder and the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Run, run_cli

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "articles" / "kremlin-trump-putin.txt"
# The benchmark generator's source articles, where a copy of the benchmark data set lies
# beside this checkout (the tests that need it skip without it).
_SOURCE = REPO.parent / "shared" / "data" / "article-extraction-benchmark" / "ground-truth.json"
if _SOURCE.is_file():
    os.environ.setdefault("CORPUSLINT_BENCHMARK_SOURCE", str(_SOURCE))


@pytest.fixture(autouse=True, scope="session")
def _cache_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every run's cache in a folder of this test session, never the user's cache directory.

    Set in the environment, so corpuslint started in a subprocess uses it too.
    """
    os.environ["CORPUSLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("corpuslint-cache"))
    # A daemon the developer runs must not serve the commands tests start in subprocesses
    # (tests/daemon starts its own).
    os.environ["CORPUSLINT_DAEMON"] = "off"


@pytest.fixture
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, empty at its start."""
    home = tmp_path_factory.mktemp("cache-home")
    monkeypatch.setenv("CORPUSLINT_CACHE_DIR", str(home))
    return home


@pytest.fixture
def seed_text() -> str:
    """The archetype article: a news story with a repeated paragraph and headline."""
    return SEED.read_text(encoding="utf-8")


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
