"""Faults and hostile conditions: nothing touched, files vanishing, plugins misbehaving."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from corpuslint.run import executor
from corpuslint_rules.corpus_headline import CorpusDuplicateHeadline
from corpuslint_rules.duplicate_headline import DuplicateHeadline
from tests.corpus_helpers import article, paragraph
from tests.helpers import Run

REPO = Path(__file__).resolve().parents[1]


def build_corpus(root: Path) -> None:
    shared = paragraph(1)
    (root / "a.md").write_text(article("Alpha", [shared, shared]))
    (root / "b.txt").write_text(f"Beta\n\n{shared}\n\nBy Jane Doe, a line of credit here.\n")
    record = {"id": "r1", "title": "Gamma", "text": f"{shared}\n\n{paragraph(2)}"}
    (root / "c.jsonl").write_text(json.dumps(record) + "\nnot json\n")
    (root / "d.jsonl.gz").write_bytes(gzip.compress(json.dumps(record).encode() + b"\n"))
    shutil.copy(REPO / "examples" / "articles" / "macbook-pro-keyboard.html", root / "e.html")
    (root / "f.md").write_text("---\ntitle: [broken\n---\n\nBody.\n")


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".corpuslint_cache" not in path.parts:
            info = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(root))] = (digest, info.st_mtime_ns, info.st_mode)
    return found


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--format", "full"],
        ["--format", "sarif", "--jobs", "2"],
        ["--format", "github", "--no-cache"],
        ["--format", "junit", "--select", "ALL", "--statistics"],
        ["--format", "json", "--extend-select", "CL002", "--exit-zero"],
    ],
)
def test_check_touches_no_corpus_file(
    project: Path, tmp_path: Path, cli: Callable[..., Run], options: list[str]
) -> None:
    build_corpus(project)
    before = snapshot(project)
    outside = tmp_path / "out"
    outside.mkdir()
    run = cli("check", *options, "--output-file", str(outside / "report"))
    run = cli("check", *options, "--write-baseline", str(outside / "baseline.json"))
    run = cli("check", *options, "--baseline", str(outside / "baseline.json"))
    assert run.exit_code in (0, 1), run.output
    assert snapshot(project) == before
    assert (outside / "report").stat().st_size > 0


def test_file_deleted_between_discovery_and_reading(
    project: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "gone.md").write_text(article("Gone", [paragraph(1)]))
    (project / "kept.txt").write_text(f"Kept\n\n{paragraph(2)}\n\n{paragraph(2)}\n")
    original = executor.Checker.check

    def vanish(self: executor.Checker, source: executor.SourceFile) -> executor.FileOutcome:
        if source.path.name == "gone.md":
            source.path.unlink()
        return original(self, source)

    monkeypatch.setattr(executor.Checker, "check", vanish)
    run = cli("check", "--no-cache", "--select", "CL001,CL101")
    assert run.findings() == ["gone.md:1:1: CL001", "kept.txt:5:1: CL101"]
    assert "No such file or directory" in run.stdout


def test_rule_returning_garbage_is_an_internal_error_naming_it(
    project: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "a.txt").write_text(f"Head\n\n{paragraph(1)}\n\n{paragraph(1)}\n")
    monkeypatch.setattr(DuplicateHeadline, "check", lambda self, doc, options: ["garbage"])
    run = cli("check", "--no-cache", "--select", "CL101,CL201")
    assert run.exit_code == 2
    assert run.findings() == ["a.txt:5:1: CL101"]
    assert "rule CL201 (duplicate-headline) from plugin 'builtin'" in run.stderr
    assert "check() returned str 'garbage', not Violation" in run.stderr


def test_unwritable_output_file_is_one_clear_line(project: Path, cli: Callable[..., Run]) -> None:
    (project / "a.txt").write_text(f"Head\n\n{paragraph(1)}\n")
    run = cli("check", "--output-file", str(project / "missing" / "report.txt"))
    assert run.exit_code == 2
    assert run.stderr.startswith("corpuslint: error: cannot write ")
    assert "No such file or directory" in run.stderr


def test_file_truncated_between_discovery_and_reading_is_read_as_it_is_then(
    project: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = f"Cut\n\n{paragraph(1)}\n\n{paragraph(1)}\n\n{paragraph(2)}\n\n{paragraph(2)}\n"
    (project / "cut.txt").write_text(text)
    original = executor.Checker._check  # where check and cache_entry read a file
    cut: list[str] = []

    def truncate(
        self: executor.Checker, source: executor.SourceFile, digest: bool
    ) -> tuple[executor.FileOutcome, str]:
        if source.path.name == "cut.txt" and not cut:
            with source.path.open("r+b") as handle:
                handle.truncate(len(text.encode()) // 2 + 3)  # inside the first repeat
            cut.append(source.display)
        return original(self, source, digest)

    monkeypatch.setattr(executor.Checker, "_check", truncate)
    during = cli("check", "--select", "CL101")
    assert cut == ["cut.txt"]
    assert during.exit_code in (0, 1), during.output
    # The cache must not keep the outcome under the old content: the next run (cache
    # on) agrees with a run without it, on the file as it now is.
    after = cli("check", "--select", "CL101")
    fresh = cli("check", "--select", "CL101", "--no-cache")
    assert after.stdout == fresh.stdout == during.stdout


def test_signature_keys_that_are_not_whole_int64s_are_an_internal_error(
    project: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = paragraph(1)
    (project / "a.md").write_text(article("The first story here", [shared]))
    (project / "b.md").write_text(article("The second story here", [shared]))
    original = CorpusDuplicateHeadline.signatures

    def odd(self: Any, document: Any, options: Any) -> Any:
        return [replace(s, keys=s.keys + b"x") for s in original(self, document, options)]

    monkeypatch.setattr(CorpusDuplicateHeadline, "signatures", odd)
    run = cli("check", "--no-cache", "--select", "CL102,CL202")
    assert run.exit_code == 2
    assert run.findings() == ["b.md:6:1: CL102"]  # the other rule's keys are intact
    assert "rule CL202 (corpus-duplicate-headline) from plugin 'builtin'" in run.stderr
    assert "returned keys of 9 bytes, not a multiple of 8" in run.stderr
