"""Every rule fixture, run through the real CLI with only its rule selected.

Layout (markdownlint / sqlfluff style)::

    tests/rules/fixtures/<CODE>/<case>.<ext>       one document (.txt, .md, ...)
    tests/rules/fixtures/<CODE>/<case>/            or a small corpus, checked as a whole
    tests/rules/fixtures/<CODE>/<case>.expected    the findings, one ``line:col: CODE`` a line
                                                   (``path:line:col: CODE`` for a folder case)

Lines starting with ``#`` in an ``.expected`` file say what the case is about; one
``# select: CODE,CODE`` line runs more rules than the case's own (a rule about other
rules' findings, such as CL002, needs them). A case whose expectation lists no finding
is a negative case (a hard negative where it matters: a look-alike the rule must not
report).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpuslint import plugins
from tests.helpers import Run

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    source: Path
    expected: tuple[str, ...]
    select: str

    @property
    def positive(self) -> bool:
        return bool(self.expected)


def read_expected(path: Path, code: str) -> tuple[tuple[str, ...], str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    select = [line.split(":", 1)[1].strip() for line in lines if line.startswith("# select:")]
    expected = tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    return expected, select[0] if select else code


def collect_cases() -> list[Case]:
    cases = []
    for expected in sorted(FIXTURES.glob("*/*.expected")):
        stem = expected.with_suffix("")
        sources = [p for p in expected.parent.iterdir() if p.stem == stem.name and p != expected]
        assert len(sources) == 1, f"{expected}: expected exactly one case beside it, {sources}"
        code = expected.parent.name
        cases.append(Case(code, stem.name, sources[0], *read_expected(expected, code)))
    return cases


CASES = collect_cases()


def test_every_fixture_has_an_expectation() -> None:
    orphans = [
        path
        for path in FIXTURES.glob("*/*")
        if path.suffix != ".expected"
        and not path.with_suffix(".expected").exists()
        and not (path.parent / f"{path.name}.expected").exists()
    ]
    assert orphans == []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}/{c.name}" for c in CASES])
def test_fixture(case: Case, project: Path, cli: Callable[..., Run]) -> None:
    if case.source.is_dir():
        shutil.copytree(case.source, project / case.source.name)
        target = case.source.name
    else:
        shutil.copyfile(case.source, project / case.source.name)
        target = case.source.name
    run = cli("check", target, "--select", case.select, "--format", "json", "--no-cache")
    assert run.stderr == "", run.stderr
    found = []
    for finding in run.json():
        assert finding["code"] in case.select.split(",")
        where = f"{finding['line']}:{finding['column']}: {finding['code']}"
        found.append(
            where if case.source.is_file() else f"{finding['path'].split('/', 1)[1]}:{where}"
        )
    assert found == list(case.expected), run.stdout
    assert run.exit_code == (1 if case.positive else 0)


def test_every_rule_has_positive_and_negative_fixtures() -> None:
    registry = plugins.load()
    missing = []
    for code in registry.rules:
        cases = [c for c in CASES if c.code == code]
        if not any(c.positive for c in cases):
            missing.append(f"{code}: no positive fixture in {FIXTURES / code}")
        if not any(not c.positive for c in cases):
            missing.append(f"{code}: no negative fixture in {FIXTURES / code}")
    assert missing == []


def test_fixture_folders_are_rules() -> None:
    codes = set(plugins.load().rules)
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} <= codes
