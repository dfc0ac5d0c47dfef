"""Helpers for tests that build a small corpus in a folder and check it."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Sequence
from pathlib import Path

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.model import Result
from corpuslint.run.plan import Overrides

WORDS = (
    "council budget river harbour festival library station market school bridge garden"
    " museum hospital theatre stadium factory airport village forest mountain island"
    " mayor teacher farmer nurse driver pilot singer painter writer doctor engineer"
    " approved rejected delayed opened closed funded praised criticised expanded moved"
    " quickly quietly finally again yesterday tonight during after before because"
).split()


def paragraph(seed: int, words: int = 24) -> str:
    """A distinct, sentence-like paragraph of about ``words`` words."""
    body = random.Random(seed).choices(WORDS, k=words)
    return f"Paragraph {seed} says the " + " ".join(body) + f" were discussed on day {seed}."


def article(title: str, paragraphs: Sequence[str], author: str = "Jane Doe") -> str:
    """A Markdown article with front matter."""
    head = f"---\ntitle: {title}\nauthor: {author}\n---\n\n"
    return head + "\n\n".join(paragraphs) + "\n"


def run(
    root: Path,
    targets: Sequence[str] = (),
    select: str = "CL102,CL202",
    jobs: int = 1,
    cache: bool = False,
    rules: dict[str, dict[str, object]] | None = None,
) -> Result:
    """Check ``targets`` (default: the whole folder) with ``root`` as project root and cwd."""
    config = Config(root=root, rules=rules or {})
    overrides = Overrides(select=tuple(select.split(",")), jobs=jobs, cache=cache)
    paths = [root / t for t in targets]
    return check(paths, config, plugins.load(), overrides, cwd=root)


def summary(result: Result) -> list[tuple[str, str, int, str, int]]:
    """(code, path, line, related path, related line) of each finding."""
    return [
        (v.code, v.path, v.span.line, v.related[0].path, v.related[0].line)
        for v in result.violations
    ]


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` as a committer named T."""
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args]
    subprocess.run(command, cwd=root, check=True, capture_output=True)
