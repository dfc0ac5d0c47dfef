"""Fixtures for the formatter tests: the loaded plugins, sample findings, a project folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint import plugins

from .samples import ARTICLE


@pytest.fixture(scope="session")
def registry() -> plugins.Registry:
    """The core and the installed plugins, as ``corpuslint check`` loads them."""
    return plugins.load()


@pytest.fixture
def workdir(project: Path) -> Path:
    """An empty project that is the working directory, so finding paths are relative."""
    return project


@pytest.fixture
def article(workdir: Path) -> Path:
    """A plain-text article with CL201 (line 2), CL101 (line 5) and CL301 findings."""
    path = workdir / "news" / "parks.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path
