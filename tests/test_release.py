"""Release hygiene: the changelog, the version and the README's pre-commit rev agree."""

from __future__ import annotations

import re
from pathlib import Path

from corpuslint import __version__

REPO = Path(__file__).resolve().parents[1]


def test_changelog_has_an_entry_for_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## [{__version__}]\n" in changelog
    assert f"\n[{__version__}]: " in changelog  # Keep a Changelog's link per version


def test_precommit_revs_name_this_version() -> None:
    for name in ("README.md", "examples/ci/pre-commit-config.yaml"):
        revs = re.findall(r"rev: (\S+)", (REPO / name).read_text(encoding="utf-8"))
        assert revs
        assert set(revs) == {f"v{__version__}"}, name
