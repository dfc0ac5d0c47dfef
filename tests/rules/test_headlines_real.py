"""Headline conventions of documentation sites and blogs: CL201's exemption, CL202's options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Run

CLI = Callable[..., Run]
BODY = "The council approved the new budget on Tuesday after a long and heated debate.\n"


def page(title: str, body: str = BODY) -> str:
    return f"---\ntitle: {title}\n---\n\n{body}"


def write(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")


def places(run: Run) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in run.json()]


@pytest.mark.parametrize("level", [1, 2, 3])
def test_the_heading_opening_the_body_may_restate_the_title_at_any_level(
    project: Path, cli: CLI, level: int
) -> None:
    marks = "#" * level
    write(project, {"hugo.md": page("hugo", f"{marks} hugo\n\n{BODY}\n{marks} hugo\n")})
    run = cli("check", "hugo.md", "--select", "CL201", "--format", "json", "--no-cache")
    assert places(run) == [("CL201", "hugo.md", 9)]  # the second copy only


def test_a_table_cell_equal_to_the_title_is_not_a_repeat(project: Path, cli: CLI) -> None:
    table = "| Sections | Non-sections |\n|---|---|\n| a | b |\n"
    write(project, {"s.md": page("Sections", f"{BODY}\n{table}")})
    run = cli("check", "s.md", "--select", "CL201", "--format", "json", "--no-cache")
    assert places(run) == []


def test_short_titles_are_generic_unless_min_words_says_otherwise(project: Path, cli: CLI) -> None:
    write(project, {"a/faq.md": page("FAQ"), "b/faq.md": page("FAQ")})
    args = ("check", ".", "--select", "CL202", "--format", "json", "--no-cache")
    assert places(cli(*args)) == []
    (project / "corpuslint.toml").write_text(
        "[rules.corpus-duplicate-headline]\nmin-words = 1\n", encoding="utf-8"
    )
    assert places(cli(*args)) == [("CL202", "b/faq.md", 2)]


def test_folder_scope_compares_only_documents_of_one_folder(project: Path, cli: CLI) -> None:
    title = "Security advisory for the standard library"
    write(
        project,
        {"blog/a.md": page(title), "blog/b.md": page(title), "docs/c.md": page(title)},
    )
    args = ("check", ".", "--select", "CL202", "--format", "json", "--no-cache")
    assert places(cli(*args)) == [("CL202", "blog/b.md", 2), ("CL202", "docs/c.md", 2)]
    (project / "corpuslint.toml").write_text(
        '[rules.corpus-duplicate-headline]\nscope = "folder"\n', encoding="utf-8"
    )
    assert places(cli(*args)) == [("CL202", "blog/b.md", 2)]


def test_an_unknown_scope_is_a_configuration_error(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text(
        '[rules.corpus-duplicate-headline]\nscope = "site"\n', encoding="utf-8"
    )
    write(project, {"a.md": page("A title of four words")})
    run = cli("check", ".", "--select", "CL202", "--no-cache")
    assert run.exit_code == 2
    assert "takes one of corpus, folder" in run.output


def test_list_items_are_compared_when_the_markdown_setting_asks(project: Path, cli: CLI) -> None:
    text = page("Budget", f"- {BODY}\n{BODY}")
    write(project, {"a.md": text})
    args = ("check", "a.md", "--select", "CL101", "--format", "json", "--no-cache")
    assert places(cli(*args)) == []
    (project / "corpuslint.toml").write_text(
        '[markdown]\ncompare = ["paragraph", "quote", "list-item"]\n', encoding="utf-8"
    )
    assert places(cli(*args)) == [("CL101", "a.md", 7)]
