"""Documents without a date of their own are ordered by git in the Ray engine as locally.

The driver makes the one ``git log`` pass (``corpuslint.run.gitstate.first_added``) and
each unit's date travels with its signatures; where a place is found in several groups,
the finding naming the oldest copy is kept, as the local engine keeps it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.engines.ray.tasks import FINDING, Gathered, _Compared
from corpuslint.model import Location, Severity, Span, Violation
from corpuslint.run.plan import Overrides
from tests.engines.ray.simulate import simulate

REGISTRY = plugins.load()
SHARED = (
    "The council approved the new budget for the parks department on Tuesday evening after"
    " a long debate that ran past midnight and left few members satisfied."
)
OTHER = "Residents said the playgrounds would help families in the northern districts soon."


def git(root: Path, *args: str, when: str = "2020-01-01T00:00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def post(title: str, *body: str) -> str:
    return f"---\ntitle: {title}\nauthor: Jo\n---\n\n" + "\n\n".join(body) + "\n"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """Two undated copies: ``z-old.md`` entered git in 2019, ``a-new.md`` in 2021."""
    root = tmp_path / "site"
    root.mkdir()
    git(root, "init", "-q")
    (root / "z-old.md").write_text(post("Old post", SHARED, OTHER), encoding="utf-8")
    git(root, "add", "z-old.md")
    git(root, "commit", "-q", "-m", "old", when="2019-01-01T00:00:00")
    (root / "a-new.md").write_text(post("New post", OTHER + " Again.", SHARED), "utf-8")
    git(root, "add", "a-new.md")
    git(root, "commit", "-q", "-m", "new", when="2021-01-01T00:00:00")
    return root


def summary(violations: tuple[Violation, ...]) -> list[tuple[str, str, int, str]]:
    return [(v.code, v.path, v.span.line, v.related[0].path) for v in violations if v.related]


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_git_dates_order_copies_in_both_engines(repository: Path, partitions: int) -> None:
    # The process's own working directory is elsewhere: the engines use the run's cwd.
    assert Path.cwd() != repository
    overrides = Overrides(select=("CL102",), cache=False)
    config = Config(root=repository)
    local = check([repository], config, REGISTRY, overrides, cwd=repository).violations
    assert summary(local) == [
        ("CL102", "a-new.md", 6, "z-old.md"),
        ("CL102", "a-new.md", 8, "z-old.md"),
    ]
    ray = simulate([repository], config, overrides, cwd=repository, partitions=partitions)
    assert not ray.errors
    assert ray.violations == local


def finding(related: str) -> Violation:
    return Violation(
        "CL102",
        "corpus-duplicate-paragraph",
        Severity.ERROR,
        f"Paragraph also in {related}",
        "t.md",
        Span(3, 1, 3, 40),
        (Location(related, 3, 1),),
    )


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_the_driver_keeps_the_finding_naming_the_oldest_copy(order: tuple[int, int]) -> None:
    # "a.md" comes first by path, but "b.md" is older: its finding is kept, whatever the order.
    candidates = [
        (finding("a.md"), (False, False, "2022-01-01")),
        (finding("b.md"), (False, False, "2019-01-01")),
    ]
    gathered = Gathered()
    for at in order:
        out = _Compared()
        out.add(FINDING, candidates[at])
        gathered.add_compared(out.columns())
    [kept] = gathered.best
    assert kept.related[0].path == "b.md"
