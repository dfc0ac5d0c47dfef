"""Inputs of the Ray engine: URLs told from paths, folders and globs listed through fsspec."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint import plugins
from corpuslint.engines.ray.driver import bundles
from corpuslint.engines.ray.units import Unit, is_url, url_units

REGISTRY = plugins.load()


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("s3://bucket/articles/", True),
        ("gs://b/x.jsonl", True),
        ("file:///tmp/a.md", True),
        ("simplecache::s3://b/x", False),
        ("articles/a.md", False),
        ("C:\\articles\\a.md", False),
        ("weird name://x", False),
    ],
)
def test_urls_are_told_from_local_paths(text: str, url: bool) -> None:
    assert is_url(text) is url


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    for name in ("a.md", "b.txt", "sub/c.jsonl", "sub/d.png"):
        (tmp_path / name).write_text("text\n")
    return tmp_path


def test_a_folder_url_lists_every_readable_file_below_it(tree: Path) -> None:
    units, targets, skipped = url_units([f"file://{tree}"], REGISTRY)
    assert [u.display for u in units] == [
        f"file://{tree}/a.md",
        f"file://{tree}/b.txt",
        f"file://{tree}/sub/c.jsonl",
    ]
    assert all(u.target and u.size == 5 for u in units)
    assert [t.display for t in targets] == [u.display for u in units]
    assert not skipped


def test_a_glob_url_lists_its_matches(tree: Path) -> None:
    units, _, _ = url_units([f"file://{tree}/*.md", f"file://{tree}/sub/*"], REGISTRY)
    assert [u.display for u in units] == [f"file://{tree}/a.md", f"file://{tree}/sub/c.jsonl"]


def test_a_url_naming_nothing_is_skipped_with_the_reason(tree: Path) -> None:
    _, _, skipped = url_units(
        [
            f"file://{tree}/missing.md",
            f"file://{tree}/sub/d.png",
            f"file://{tree}/*.rst",
            "nosuchproto://x/y.md",
        ],
        REGISTRY,
    )
    reasons = {s.display: s.reason for s in skipped}
    assert reasons[f"file://{tree}/missing.md"] == "no such file or folder"
    assert reasons[f"file://{tree}/sub/d.png"] == "no files to check there"
    assert reasons[f"file://{tree}/*.rst"] == "no files match this pattern"
    assert reasons["nosuchproto://x/y.md"].startswith("cannot list:")


def test_bundles_hold_about_the_same_bytes() -> None:
    units = [Unit(f"{i}.md", f"{i}.md", f"{i}.md", True, 300_000) for i in range(40)]
    found = bundles(units, cpus=2)
    assert len(found) == 8  # 12 MB over 4 bundles per CPU: 1.5 MB each, 5 files
    assert [u for bundle in found for u in bundle] == units
