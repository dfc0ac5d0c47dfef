"""Baseline files: hide known findings, survive inserted lines, show new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpuslint.cli import main
from corpuslint.config import ConfigError
from corpuslint.run import baseline
from tests.corpus_helpers import paragraph


def check(root: Path, *args: str) -> tuple[int, list[tuple[str, int]]]:
    result = CliRunner().invoke(
        main, ["check", str(root), "--format", "json", "-q", "--no-cache", *args]
    )
    return result.exit_code, [(f["code"], f["line"]) for f in json.loads(result.stdout or "[]")]


def test_baseline_hides_findings_after_lines_are_inserted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpuslint.toml").write_text('select = ["CL101"]\n')
    article = tmp_path / "a.txt"
    article.write_text(f"Headline\n\n{paragraph(1)}\n\n{paragraph(1)}\n")
    assert check(tmp_path) == (1, [("CL101", 5)])

    written = CliRunner().invoke(main, ["check", "--write-baseline", "base.json", "--no-cache"])
    assert written.exit_code == 0
    assert check(tmp_path, "--baseline", "base.json") == (0, [])

    article.write_text("\n" * 5 + article.read_text() + f"\n{paragraph(2)}\n\n{paragraph(2)}\n")
    code, findings = check(tmp_path, "--baseline", "base.json")
    assert (code, findings) == (1, [("CL101", 14)])  # only the new repeat shows


def test_a_second_copy_of_a_baselined_finding_shows(tmp_path: Path) -> None:
    from corpuslint.model import Severity, Span, Violation

    finding = Violation("CL101", "r", Severity.ERROR, "m", "a.txt", Span(1, 1, 1, 2), (), "f1")
    path = tmp_path / "b.json"
    baseline.write(path, [finding])
    assert baseline.new_findings([finding, finding], baseline.load(path)) == [finding]


def test_bad_baseline_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="not a corpuslint baseline"):
        baseline.load(path)


def test_a_deeply_nested_baseline_is_a_configuration_error(tmp_path: Path) -> None:
    # A committed baseline is repository content: nesting past Python's recursion limit
    # must end as a one-line error naming the file, not an internal error.
    path = tmp_path / "baseline.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigError, match="not a corpuslint baseline file"):
        baseline.load(path)
