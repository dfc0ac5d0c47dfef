"""A reader's notices about a document are printed by the run, whatever rules are selected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Run, write

MENU = " ".join(f"item{i}" for i in range(300))
THIN = f"<html><body><footer>{MENU}</footer><p>Only a few words.</p></body></html>"
NOTICE = "p.html: only 4 of the page's 304 visible words were read as its prose"


@pytest.mark.parametrize("select", ["CL301", "CL201", "CL102"])
def test_a_page_with_little_prose_gets_a_notice_under_any_selection(
    project: Path, cli: Callable[..., Run], select: str
) -> None:
    write(project, {"p.html": THIN})
    run = cli("check", "--select", select, "--no-cache", "p.html")
    assert NOTICE in run.stderr, run.output
    assert run.stderr.count("visible words") == 1, run.output


def test_no_notice_for_a_file_that_is_only_corpus(project: Path, cli: Callable[..., Run]) -> None:
    write(project, {"p.html": THIN, "a.txt": "Budget\n\nThe council approved the budget.\n"})
    run = cli("check", "--select", "CL102", "--no-cache", "a.txt")
    assert "visible words" not in run.output, run.output
