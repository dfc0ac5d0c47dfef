"""Benchmark scripts handle every kind of item a document rule yields."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from tests.helpers import load_benchmark

html_survey = load_benchmark("html_survey")


def test_survey_reports_a_notice_instead_of_failing_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page past CL101's near-limit makes the rule yield a notice beside its findings."""
    paragraphs = "".join(
        f"<p>Paragraph {i} says alpha beta gamma delta epsilon zeta eta.</p>" for i in range(2001)
    )
    page = (
        f"<html><head><title>Many</title></head><body><article>{paragraphs}</article></body></html>"
    )
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "many.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
    (tmp_path / "ground-truth.json").write_text(
        json.dumps({"many": {"articleBody": ""}}), encoding="utf-8"
    )
    monkeypatch.setattr(sys, "argv", ["html_survey.py", str(tmp_path)])
    assert html_survey.main() == 0
    out = capsys.readouterr().out
    assert "pages read: 1 of 1 (0 unreadable)" in out
    assert "notice: many.html.gz: near duplicates not checked: 2001 comparable paragraphs" in out
