"""``details`` of a finding (what the rule looked at) in the ``json`` and ``sarif`` formats."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from corpuslint.model import Result
from corpuslint.report.json import JsonFormatter
from corpuslint.report.sarif import SarifFormatter

from .samples import HOSTILE, run_check, violation

BODY = "The council approved the budget on Tuesday after a long and heated debate in the hall."


def test_json_cl301_findings_say_what_was_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_text(f'---\ntitle: Budget\nauthor: ""\n---\n\n{BODY}\n', "utf-8")
    code, out = run_check("--select", "CL301", "--format", "json", "--no-cache", "a.md")
    assert code == 1, out
    [finding] = json.loads(out)
    details: dict[str, Any] = finding["details"]
    assert list(details) == ["metadata", "bylines", "credit-lines", "outlet-dateline", "languages"]
    assert "present but naming no one: author=''" in details["metadata"]
    assert details["languages"].startswith("credit forms of languages: ")


def test_sarif_cl301_results_carry_details_as_properties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(f"Council Approves Budget\n\n{BODY}\n", "utf-8")
    code, out = run_check("--select", "CL301", "--format", "sarif", "--no-cache", "a.txt")
    assert code == 1, out
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["properties"]["details"]["bylines"].endswith(" block(s): line 3")


def test_findings_without_details_have_no_details_key() -> None:
    finding = violation()
    result = Result((finding,), ("news/parks.txt",))
    assert "details" not in json.loads(JsonFormatter({}).format(result))[0]


def test_details_are_escaped_and_read_back_unchanged() -> None:
    finding = replace(violation(code="CL301"), details=(("metadata", HOSTILE),))
    result = Result((finding,), ("news/parks.txt",))
    as_json = JsonFormatter({}).format(result)
    as_sarif = SarifFormatter({}).format(result)
    for text in (as_json, as_sarif):
        assert "\x1b" not in text
        assert "##[" not in text
        assert "\u202e" not in text
        assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert json.loads(as_json)[0]["details"] == {"metadata": HOSTILE}
    sarif_result = json.loads(as_sarif)["runs"][0]["results"][0]
    assert sarif_result["properties"]["details"] == {"metadata": HOSTILE}
