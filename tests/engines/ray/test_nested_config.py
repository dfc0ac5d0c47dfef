"""Nested configuration files on the Ray engine: the same findings as the local engine.

A nested file decides selection, severities, per-file ignores, document-rule options and
extra excludes below its folder; the Ray workers get the plan that holds them.
"""

from __future__ import annotations

from pathlib import Path

from corpuslint import plugins
from corpuslint.config import load_config
from corpuslint.engines.local.runner import check
from corpuslint.run.plan import Overrides
from tests.engines.ray.simulate import simulate

REGISTRY = plugins.load()
SHARED = "The council voted on Tuesday to extend the river walk by two miles next spring."


def article(title: str, *paragraphs: str, byline: bool = True) -> str:
    by = "By Jane Doe\n\n" if byline else ""
    return f"# {title}\n\n{by}" + "\n\n".join(paragraphs) + "\n"


def test_nested_configurations_give_the_local_engines_findings(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text('select = ["ALL"]\n', encoding="utf-8")
    news, notes, drafts = tmp_path / "news", tmp_path / "notes", tmp_path / "notes" / "drafts"
    drafts.mkdir(parents=True)
    news.mkdir()
    # Below notes/: no attribution rule, CL101 at a lower threshold, drafts left out.
    (notes / "corpuslint.toml").write_text(
        'extend-ignore = ["CL301"]\nextend-exclude = ["drafts/"]\n[rules.CL101]\nthreshold = 80\n',
        encoding="utf-8",
    )
    repeated = "Our notes repeat a long sentence about the river walk plans for spring."
    near = (
        "Our notes repeat a long sentence about the river walk and its plans for the coming spring."
    )
    (news / "a.md").write_text(article("River walk", SHARED, "A closing line."), "utf-8")
    (news / "b.md").write_text(article("Walk again", SHARED, byline=False), "utf-8")
    (notes / "n.md").write_text(article("Notes", repeated, near, SHARED, byline=False), "utf-8")
    (drafts / "d.md").write_text(article("Draft", SHARED, byline=False), "utf-8")
    config = load_config(cwd=tmp_path)
    overrides = Overrides(cache=False)
    expected = check([tmp_path], config, REGISTRY, overrides, cwd=tmp_path).violations
    found = {(v.code, v.path) for v in expected}
    assert ("CL301", "news/b.md") in found  # the root's selection
    assert ("CL301", "notes/n.md") not in found  # the nested file's ignore
    assert not any(path.startswith("notes/drafts/") for _, path in found)  # its exclude
    assert ("CL101", "notes/n.md") in found  # its option: a repeat at 88 % (default 90)
    for partitions in (2, 16):
        result = simulate([tmp_path], config, overrides, cwd=tmp_path, partitions=partitions)
        assert not result.errors
        assert result.violations == expected
