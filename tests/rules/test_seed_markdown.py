"""The seed article rewritten as Markdown with front matter: the same findings, Markdown lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import Run

CLI = Callable[..., Run]


def to_markdown(seed_text: str) -> str:
    """Front matter (4 lines), a blank line, then each seed line as a block: line n -> 2n + 4.

    The headline lines (2 and 3) become H1 headings; ``***`` stays a thematic break.
    """
    lines = seed_text.splitlines()
    blocks = [f"# {line}" if number in (2, 3) else line for number, line in enumerate(lines, 1)]
    front = "---\ndate: 2024-12-27\ntags: [russia, ukraine]\n---\n"
    return front + "\n" + "\n\n".join(blocks) + "\n"


def test_markdown_seed(project: Path, seed_text: str, cli: CLI) -> None:
    (project / "seed.md").write_text(to_markdown(seed_text), encoding="utf-8")
    run = cli("check", "seed.md", "--format", "json")
    findings = run.json()
    assert [(f["code"], f["line"], f["end_line"]) for f in findings] == [
        ("CL201", 10, 10),  # seed line 3
        ("CL101", 28, 38),  # seed lines 12-17
    ]
    assert [r["line"] for f in findings for r in f["related"]] == [8, 16]  # seed lines 2 and 6
    assert findings[1]["message"] == "5 paragraphs (lines 28-38) repeat lines 16-26"
    assert run.exit_code == 1


def test_markdown_seed_without_repeats(project: Path, seed_text: str, cli: CLI) -> None:
    lines = seed_text.splitlines()
    clean = "\n".join(line for n, line in enumerate(lines, 1) if n not in (3, *range(12, 18)))
    (project / "seed.md").write_text(to_markdown(clean), encoding="utf-8")
    run = cli("check", "seed.md")
    assert (run.exit_code, run.stdout) == (0, "")


def test_markdown_seed_with_title_in_front_matter(project: Path, seed_text: str, cli: CLI) -> None:
    # With the title in front matter, an identical H1 is the convention only at the top of
    # the body; here the lead paragraph comes first, so both H1s repeat the title.
    headline = seed_text.splitlines()[1]
    markdown = to_markdown(seed_text).replace("---\ndate:", f'---\ntitle: "{headline}"\ndate:', 1)
    (project / "seed.md").write_text(markdown, encoding="utf-8")
    findings = cli("check", "seed.md", "--format", "json").json()
    assert [(f["code"], f["line"]) for f in findings] == [
        ("CL201", 9),
        ("CL201", 11),
        ("CL101", 29),
    ]
    assert [f["related"][0]["line"] for f in findings[:2]] == [2, 2]  # the title's line
