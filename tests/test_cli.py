"""The command line: exact output (flake8 style), options, exit codes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import LONG_A, LONG_B, LONG_C, LONG_D, Run, article, paragraphs, write

CLI = Callable[..., Run]
HEADLINE = "Kremlin Signals Openness for Trump-Putin Meeting Amid Ukraine War Discussions"
SEED_LINES = [
    "seed.txt:3:1: CL201 [error] Headline repeated (first at line 2)",
    "seed.txt:12:1: CL101 [error] 5 paragraphs (lines 12-17) repeat lines 6-11",
]


@pytest.fixture
def seed(project: Path, seed_text: str) -> Path:
    path = project / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    return path


def test_text_output_is_exact(seed: Path, cli: CLI) -> None:
    run = cli("check", "seed.txt")
    assert run.stdout.splitlines() == SEED_LINES
    assert run.stderr == "Found 2 findings in 1 of 1 checked file.\n"
    assert run.exit_code == 1


def test_quiet_drops_the_summary(seed: Path, cli: CLI) -> None:
    run = cli("check", "seed.txt", "-q")
    assert run.stdout.splitlines() == SEED_LINES
    assert run.stderr == ""


def test_clean_run_says_so(project: Path, cli: CLI) -> None:
    write(project, {"a.txt": article(LONG_A, LONG_B)})
    run = cli("check", "a.txt")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "All checks passed (1 file).\n")


def test_findings_are_in_path_then_position_order(project: Path, cli: CLI) -> None:
    dup = article(LONG_A, LONG_B, LONG_A)  # CL101 at line 9
    write(
        project,
        {
            "b.txt": dup,
            "a.txt": paragraphs("Headline", "Headline", LONG_D),  # CL201 at 3, CL301 at 1
            "sub/c.md": "# Title\n\n" + LONG_C + "\n\n# Title\n",  # CL301 1:3, CL201 5:3
        },
    )
    run = cli("check", ".", "-q")
    assert run.findings() == [
        "a.txt:1:1: CL301",
        "a.txt:3:1: CL201",
        "b.txt:9:1: CL101",
        "sub/c.md:1:3: CL301",
        "sub/c.md:5:3: CL201",
    ]
    assert cli("check", "sub", "b.txt", "a.txt", "-q").stdout == run.stdout


def test_json_has_exactly_the_documented_fields(seed: Path, cli: CLI) -> None:
    run = cli("check", "seed.txt", "--format", "json")
    findings = run.json()
    assert run.exit_code == 1
    assert run.stderr == ""
    fields = [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "rule",
        "severity",
        "message",
        "record",
        "excerpt",
        "related",
        "fingerprint",
    ]
    assert [list(f) for f in findings] == [fields, fields]
    headline, block = findings
    fingerprint = headline.pop("fingerprint")
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint)
    assert headline == {
        "path": "seed.txt",
        "line": 3,
        "column": 1,
        "end_line": 3,
        "end_column": len(HEADLINE) + 1,
        "code": "CL201",
        "rule": "duplicate-headline",
        "severity": "error",
        "message": "Headline repeated (first at line 2)",
        "record": None,
        "excerpt": HEADLINE,
        "related": [{"path": "seed.txt", "line": 2, "column": 1}],
    }
    assert (block["code"], block["rule"], block["line"], block["end_line"]) == (
        "CL101",
        "duplicate-paragraph",
        12,
        17,
    )
    assert block["related"] == [{"path": "seed.txt", "line": 6, "column": 1}]


def test_json_paths_are_relative_with_slashes(project: Path, cli: CLI) -> None:
    write(project, {"news/2024/a.txt": paragraphs("Headline", "Headline", LONG_A)})
    findings = cli("check", "news", "--format", "json").json()
    assert {f["path"] for f in findings} == {"news/2024/a.txt"}


def test_near_duplicate_json_has_similarity(project: Path, cli: CLI) -> None:
    near = LONG_B.replace("new public library", "public library downtown")
    write(project, {"a.txt": article(LONG_B, LONG_C, near)})
    (finding,) = cli("check", "a.txt", "--format", "json").json()
    assert finding["code"] == "CL101"
    assert 90 <= finding["similarity"] < 100
    assert finding["message"].startswith("Paragraph near duplicate (")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "CL2"], ["seed.txt:3:1: CL201"]),
        (["--select", "CL101"], ["seed.txt:12:1: CL101"]),
        (["--select", "duplicate-headline"], ["seed.txt:3:1: CL201"]),
        (["--select", "ALL", "--ignore", "CL2"], ["seed.txt:12:1: CL101"]),
        (["--ignore", "CL101,CL201"], []),
        (["--ignore", "CL"], []),
        (["--select", "CL3", "--extend-select", "CL201"], ["seed.txt:3:1: CL201"]),
        (["--select", "cl1"], ["seed.txt:12:1: CL101"]),
    ],
)
def test_select_ignore_extend_select(
    seed: Path, cli: CLI, options: list[str], expected: list[str]
) -> None:
    run = cli("check", "seed.txt", "-q", *options)
    assert run.findings() == expected
    assert run.exit_code == (1 if expected else 0)


def test_select_all_includes_rules_off_by_default(project: Path, cli: CLI) -> None:
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    assert cli("check", "a.txt", "-q", "--select", "ALL").findings() == ["a.txt:1:1: CL301"]


@pytest.mark.parametrize(
    ("option", "wrong", "hint"),
    [
        ("--select", "CL3O1", "'CL301'"),
        ("--ignore", "duplicate-paragrah", "'duplicate-paragraph'"),
        ("--extend-select", "CL999", ""),
    ],
)
def test_unknown_code_is_a_usage_error(
    seed: Path, cli: CLI, option: str, wrong: str, hint: str
) -> None:
    run = cli("check", "seed.txt", option, wrong)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert f"unknown rule code {wrong!r}" in run.stderr
    if hint:
        assert f"(did you mean {hint}?)" in run.stderr


def test_unknown_format_is_a_usage_error(seed: Path, cli: CLI) -> None:
    run = cli("check", "seed.txt", "--format", "jsn")
    assert run.exit_code == 2
    assert "unknown format 'jsn' (did you mean 'json'?)" in run.stderr


def test_fail_on_with_severity_overrides(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text(
        '[severity]\nCL301 = "info"\nCL201 = "warning"\n', encoding="utf-8"
    )
    write(project, {"a.txt": paragraphs("Headline", LONG_A), "b.txt": article(LONG_B)})
    write(project, {"c.txt": paragraphs("Other Headline", "Other Headline", "By Jane Doe", LONG_C)})
    findings = cli("check", ".", "--format", "json").json()
    assert [(f["path"], f["code"], f["severity"]) for f in findings] == [
        ("a.txt", "CL301", "info"),
        ("c.txt", "CL201", "warning"),
    ]
    assert cli("check", ".").exit_code == 1  # default: fail on info
    assert cli("check", ".", "--fail-on", "info").exit_code == 1
    assert cli("check", ".", "--fail-on", "warning").exit_code == 1
    assert cli("check", ".", "--fail-on", "error").exit_code == 0
    assert cli("check", "a.txt", "--fail-on", "warning").exit_code == 0


def test_fail_on_from_configuration(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text(
        'fail-on = "error"\n[severity]\nCL301 = "warning"\n', encoding="utf-8"
    )
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    run = cli("check", "a.txt")
    assert run.findings() == ["a.txt:1:1: CL301"]
    assert run.exit_code == 0
    assert cli("check", "a.txt", "--fail-on", "warning").exit_code == 1


def test_exit_zero_still_reports(seed: Path, cli: CLI) -> None:
    run = cli("check", "seed.txt", "--exit-zero")
    assert run.stdout.splitlines() == SEED_LINES
    assert run.exit_code == 0


def test_exit_zero_does_not_hide_usage_errors(seed: Path, cli: CLI) -> None:
    assert cli("check", "seed.txt", "--exit-zero", "--select", "NOPE").exit_code == 2


def test_statistics(project: Path, seed: Path, cli: CLI) -> None:
    write(project, {"a.txt": paragraphs("Headline", "Headline", LONG_A)})
    run = cli("check", ".", "--statistics")
    assert run.stdout == (
        "     2  CL201  duplicate-headline\n"
        "     1  CL101  duplicate-paragraph\n"
        "     1  CL301  missing-attribution\n"
        "Files: 2 checked, 2 with findings, 0 skipped\n"
    )
    assert run.exit_code == 1


def test_output_file(seed: Path, cli: CLI, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    run = cli("check", "seed.txt", "--format", "json", "--output-file", str(report))
    assert run.stdout == ""
    assert run.exit_code == 1
    stdout = cli("check", "seed.txt", "--format", "json").stdout
    assert report.read_text(encoding="utf-8") == stdout
    assert [f["code"] for f in json.loads(stdout)] == ["CL201", "CL101"]


def test_jobs_do_not_change_the_output(project: Path, cli: CLI) -> None:
    for number in range(40):
        body = [f"{LONG_A} Item {number}.", f"{LONG_B} Item {number}.", f"{LONG_C} {number}."]
        if number % 3 == 0:
            body.append(body[0])  # CL101
        title = f"Story Number {number}"
        text = paragraphs(title, title, *body) if number % 4 == 0 else article(*body, title=title)
        write(project, {f"docs/{number:02d}.txt": text})
    serial = cli("check", "docs", "--jobs", "1", "--no-cache", "--format", "json")
    parallel = cli("check", "docs", "--jobs", "2", "--no-cache", "--format", "json")
    assert serial.exit_code == parallel.exit_code == 1
    assert parallel.stdout == serial.stdout
    codes = [f["code"] for f in serial.json()]
    assert (codes.count("CL101"), codes.count("CL201"), codes.count("CL301")) == (14, 10, 10)


def test_rules_lists_every_rule_in_code_order(cli: CLI) -> None:
    run = cli("rules")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(line.split()[0] for line in lines)
    expected = {
        "CL001  unreadable-document          document  Flags a file, or a record in it, that"
        " cannot be read, decoded or parsed.",
        "CL101  duplicate-paragraph          document  Flags a paragraph that repeats an"
        " earlier paragraph of the same document.",
        "CL201  duplicate-headline           document  Flags the headline repeated inside its"
        " own document.",
        "CL301  missing-attribution          document  Flags a document with no byline,"
        " author or source credit anywhere.",
    }
    assert expected <= set(lines)


@pytest.mark.parametrize("name", ["CL101", "cl101", "duplicate-paragraph"])
def test_rule_prints_its_documentation(cli: CLI, name: str) -> None:
    run = cli("rule", name)
    assert run.exit_code == 0
    assert run.stdout.startswith(
        "# duplicate-paragraph (CL101)\n\n"
        "Provided by plugin `builtin`. Scope: document. Default severity: error.\n\n"
        "Flags a paragraph that repeats an earlier paragraph of the same document.\n"
    )
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Options"):
        assert f"\n{heading}\n" in run.stdout
    assert "`threshold` (float, default 90)" in run.stdout


def test_unknown_rule_is_a_usage_error(cli: CLI) -> None:
    run = cli("rule", "NOPE")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "corpuslint: error: unknown rule 'NOPE'\n"
    assert "(did you mean 'CL201'?)" in cli("rule", "CL2O1").stderr


def test_plugins_lists_core_and_builtin(cli: CLI) -> None:
    run = cli("plugins")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    core = next(line for line in lines if line.startswith("corpuslint-core  (corpus-lint "))
    assert "CL001" in core.split("rules: ")[1].split(", ")
    builtin = next(line for line in lines if line.startswith("builtin  (corpus-lint "))
    assert {"CL101", "CL201", "CL301"} <= set(builtin.split("rules: ")[1].split(", "))
    readers = next(line for line in lines if line.startswith("readers: "))
    assert {"markdown", "text"} <= set(readers.removeprefix("readers: ").split(", "))
    formats = next(line for line in lines if line.startswith("formats: "))
    assert {"json", "text"} <= set(formats.removeprefix("formats: ").split(", "))


def test_version(cli: CLI) -> None:
    from corpuslint import __version__
    from corpuslint.similarity import hashing

    # Says whether the compiled MinHash kernel runs: four times slower without it.
    kernel = "compiled" if hashing._compiled is not None else "numpy, no compiled kernel"
    assert cli("--version").stdout == f"corpuslint, version {__version__} (MinHash: {kernel})\n"
