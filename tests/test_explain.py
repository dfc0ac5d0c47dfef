"""``corpuslint explain``: what each rule saw in a document, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.helpers import Run, write

BODY = "The council approved the budget on Tuesday after a long and heated debate in the hall."


def test_explain_names_the_headline_the_prose_and_the_credit(
    project: Path, cli: Callable[..., Run]
) -> None:
    write(project, {"a.txt": f"Council Approves Budget\n\nVon Roland Brockmann\n\n{BODY}\n"})
    run = cli("explain", "a.txt")
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[0] == "a.txt"
    assert '  headline: "Council Approves Budget" (line 1, from a heading of the body)' in lines
    assert "  prose: 2 block(s)" in lines
    assert any(
        line.startswith("  CL301: attribution counted: line 3: 'Von Roland Brockmann'")
        and "preposition (de): von" in line
        for line in lines
    ), run.stdout


def test_explain_json_says_what_was_looked_at(project: Path, cli: Callable[..., Run]) -> None:
    front = '---\ntitle: Budget\nauthor: ""\nauthors: []\n---\n\n'
    write(project, {"b.md": front + BODY + "\n"})
    run = cli("explain", "--format", "json", "--select", "CL301", "b.md")
    assert run.exit_code == 0, run.output
    [entry] = json.loads(run.stdout)
    assert entry["headline"]["text"] == "Budget"
    assert entry["headline"]["from"] == "the title of the front matter or record"
    assert [b["where"] for b in entry["prose"]] == ["line 7"]
    said = entry["rules"]["CL301"]
    assert said[0] == "no attribution: reported"
    assert "present but naming no one: author=''; authors=[]" in said[1]


def test_explain_escapes_corpus_text(project: Path, cli: Callable[..., Run]) -> None:
    write(project, {"c.txt": f"Budget \x1b[31mRed\n\n{BODY}\n"})
    run = cli("explain", "c.txt")
    assert "\x1b" not in run.stdout
    assert "\\u001b[31mRed" in run.stdout


def test_explain_reports_a_file_it_cannot_read(project: Path, cli: Callable[..., Run]) -> None:
    write(project, {"d.txt": b"\xff\xfe\x00\x00binary\x00"})
    run = cli("explain", "d.txt")
    assert run.exit_code == 0
    assert run.stdout.startswith("d.txt: cannot read:")
