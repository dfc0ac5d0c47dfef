"""The archetype article: exactly the findings it is known to hold."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from corpuslint.cli import main


def run_json(path: Path) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "-q"])
    return result.exit_code, json.loads(result.stdout)


def test_seed_reports_headline_and_repeated_block(tmp_path: Path, seed_text: str) -> None:
    article = tmp_path / "seed.txt"
    article.write_text(seed_text, encoding="utf-8")
    code, findings = run_json(article)
    assert code == 1
    summary = [(f["code"], f["line"], f["end_line"]) for f in findings]
    assert summary == [("CL201", 3, 3), ("CL101", 12, 17)]
    assert findings[0]["related"] == [{"path": findings[0]["path"], "line": 2, "column": 1}]
    assert findings[1]["related"][0]["line"] == 6


def test_seed_without_repeats_is_clean(tmp_path: Path, seed_text: str) -> None:
    lines = seed_text.splitlines()
    clean = [line for number, line in enumerate(lines, 1) if number not in (3, *range(12, 18))]
    article = tmp_path / "clean.txt"
    article.write_text("\n".join(clean) + "\n", encoding="utf-8")
    code, findings = run_json(article)
    assert findings == []
    assert code == 0
