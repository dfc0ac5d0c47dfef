"""``check --fix`` and ``--diff``: what goes, what stays byte for byte, when nothing is written."""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint import plugins
from corpuslint.config import load_config
from corpuslint.engines.local.runner import check
from corpuslint.model import Edit, Fix, Span
from corpuslint.run import fix as fixes
from corpuslint.run.plan import Overrides, make_plan
from tests.conftest import SEED
from tests.helpers import Run

FIXTURES = Path(__file__).parent / "fixtures" / "fix"
ONLY_INSIDE = ("--no-cache", "--select", "CL101,CL201")

P = [
    "The council approved the new budget on Tuesday after a long debate about school funding.",
    "Residents who spoke at the meeting asked for more money for roads and for the library.",
    "The mayor said the budget would be reviewed again in the spring when tax figures arrive.",
    "Critics argued that the plan leaves too little in reserve for an emergency next winter.",
    "A second vote on the transport levy is expected before the end of the month, officials said.",
    "Teachers welcomed the extra money but said it would not cover the rise in class sizes.",
]


def _fixed_name(source: Path) -> str:
    return f"{source.stem}.fixed{source.suffix}"


@pytest.mark.parametrize("name", ["markdown.md", "separators.txt", "records.jsonl", "page.html"])
def test_each_format_is_fixed_to_its_expected_file_and_a_second_fix_changes_nothing(
    project: Path, cli: Callable[..., Run], name: str
) -> None:
    source = FIXTURES / name
    shutil.copy(source, project / name)
    run = cli("check", "--fix", *ONLY_INSIDE, "--", name)
    assert run.exit_code == 0, run.output
    assert "Fixed " in run.stderr
    expected = (FIXTURES / _fixed_name(source)).read_bytes()
    assert (project / name).read_bytes() == expected
    again = cli("check", "--fix", *ONLY_INSIDE, "--", name)
    assert again.exit_code == 0
    assert "Fixed" not in again.stderr
    assert (project / name).read_bytes() == expected


def test_the_archetype_loses_line_3_and_lines_12_to_17_and_nothing_else(
    project: Path, cli: Callable[..., Run]
) -> None:
    original = SEED.read_text(encoding="utf-8").split("\n")
    shutil.copy(SEED, project / "article.txt")
    run = cli("check", "--fix", "--no-cache", "--", "article.txt")
    assert "Fixed 2 findings in 1 file." in run.stderr
    assert run.exit_code == 0, run.output
    kept = original[:2] + original[3:11]
    assert (project / "article.txt").read_text(encoding="utf-8").split("\n") == kept
    fixed = (project / "article.txt").read_bytes()
    second = cli("check", "--fix", "--no-cache", "--", "article.txt")
    assert second.exit_code == 0
    assert "Fixed" not in second.stderr
    assert (project / "article.txt").read_bytes() == fixed


def test_diff_shows_the_change_writes_nothing_and_exits_1(
    project: Path, cli: Callable[..., Run]
) -> None:
    shutil.copy(SEED, project / "article.txt")
    before = (project / "article.txt").read_bytes()
    run = cli("check", "--diff", "--no-cache", "--", "article.txt")
    assert run.exit_code == 1
    assert (project / "article.txt").read_bytes() == before
    lines = run.stdout.splitlines()
    assert lines[:2] == ["--- a/article.txt", "+++ b/article.txt"]
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    assert len(removed) == 7  # one headline, six lines of the repeated run
    assert not [line for line in lines if line.startswith("+") and not line.startswith("+++")]
    cli("check", "--fix", "--no-cache", "--", "article.txt")
    clean = cli("check", "--diff", "--no-cache", "--", "article.txt")
    assert clean.exit_code == 0
    assert clean.stdout == ""


def test_jsonl_gz_stays_gzip_with_every_other_record_byte_identical(
    project: Path, cli: Callable[..., Run]
) -> None:
    data = (FIXTURES / "records.jsonl").read_bytes()
    (project / "records.jsonl.gz").write_bytes(gzip.compress(data))
    run = cli("check", "--fix", *ONLY_INSIDE, "--", "records.jsonl.gz")
    assert run.exit_code == 0, run.output
    written = (project / "records.jsonl.gz").read_bytes()
    assert written[:2] == b"\x1f\x8b"
    assert gzip.decompress(written) == (FIXTURES / "records.fixed.jsonl").read_bytes()
    assert gzip.decompress(written).split(b"\n")[0] == data.split(b"\n")[0]


def test_near_repeats_are_removed_only_with_unsafe_fixes(
    project: Path, cli: Callable[..., Run]
) -> None:
    near = P[0].replace("Tuesday", "Wednesday")
    text = "\n\n".join([P[0], P[1], near, P[2]]) + "\n"
    (project / "a.txt").write_text(text, encoding="utf-8")
    safe = cli("check", "--fix", *ONLY_INSIDE, "--", "a.txt")
    assert safe.exit_code == 1
    assert (project / "a.txt").read_text(encoding="utf-8") == text
    unsafe = cli("check", "--fix", "--unsafe-fixes", *ONLY_INSIDE, "--", "a.txt")
    assert unsafe.exit_code == 0, unsafe.output
    assert (project / "a.txt").read_text(encoding="utf-8") == "\n\n".join([P[0], P[1], P[2]]) + "\n"
    assert cli("check", "--unsafe-fixes", "--", "a.txt").exit_code == 2


def test_a_suppressed_copy_is_not_fixed(project: Path, cli: Callable[..., Run]) -> None:
    text = f"{P[0]}\n\n{P[1]}\n\n<!-- corpuslint-disable-next-line CL101 -->\n{P[0]}\n"
    (project / "a.md").write_text(text, encoding="utf-8")
    run = cli("check", "--fix", *ONLY_INSIDE, "--", "a.md")
    assert run.exit_code == 0
    assert "Fixed" not in run.stderr
    assert (project / "a.md").read_text(encoding="utf-8") == text


def test_the_file_mode_is_kept(project: Path, cli: Callable[..., Run]) -> None:
    shutil.copy(SEED, project / "article.txt")
    os.chmod(project / "article.txt", 0o640)
    cli("check", "--fix", "--no-cache", "--", "article.txt")
    assert stat.S_IMODE((project / "article.txt").stat().st_mode) == 0o640
    assert not [p.name for p in project.iterdir() if p.name.endswith(".tmp")]


def _plan(project: Path, since_ns: int | None = None) -> fixes.Plan:
    registry = plugins.load()
    config = load_config(None, reader_formats=registry.reader_settings())
    overrides = Overrides(select=("CL101", "CL201"), cache=False)
    result = check([project], config, registry, overrides)
    settings = make_plan(config, registry, overrides).reader_settings
    return fixes.plan(result, registry, settings, root=config.root, since_ns=since_ns)


def test_a_file_changed_on_disk_after_reading_is_not_written(project: Path) -> None:
    shutil.copy(SEED, project / "article.txt")
    planned = _plan(project)
    assert planned.fixed == 2
    (project / "article.txt").write_text("edited meanwhile\n", encoding="utf-8")
    written = fixes.write(planned)
    assert written.files == 0
    assert written.warnings == ("article.txt: changed on disk while being fixed; not written",)
    assert (project / "article.txt").read_text(encoding="utf-8") == "edited meanwhile\n"


def test_a_file_modified_after_the_check_began_is_not_fixed(project: Path) -> None:
    shutil.copy(SEED, project / "article.txt")
    planned = _plan(project, since_ns=0)
    assert planned.changes == ()
    assert planned.warnings == ("article.txt: changed on disk since it was checked; not fixed",)


def test_a_symbolic_link_or_a_file_outside_is_not_written(project: Path, tmp_path: Path) -> None:
    shutil.copy(SEED, project / "article.txt")
    registry = plugins.load()
    config = load_config(None, reader_formats=registry.reader_settings())
    result = check([project], config, registry, Overrides(select=("CL101",), cache=False))
    outside = tmp_path / "outside.txt"
    shutil.copy(SEED, outside)
    (project / "link.txt").symlink_to(outside)
    moved = [
        dataclasses.replace(v, path=p)
        for v in result.violations
        for p in ("link.txt", "../outside.txt")
    ]
    planned = fixes.plan(
        dataclasses.replace(result, violations=tuple(moved)), registry, {}, root=config.root
    )
    assert planned.changes == ()
    assert planned.warnings == (
        "../outside.txt: not fixed: outside the project",
        "link.txt: not fixed: reached through a symbolic link",
    )
    assert outside.read_bytes() == SEED.read_bytes()


def test_overlapping_fixes_first_wins() -> None:
    first = Fix((Edit(Span(3, 1, 5, 10)),))
    inside = Fix((Edit(Span(4, 1, 4, 8)),))
    later = Fix((Edit(Span(6, 1, 6, 8)),))
    same_point = Fix((Edit(Span.point(3)),))
    assert fixes._resolve([first, inside, later, same_point]) == [first, later]


def test_parquet_is_not_rewritten_and_a_note_says_so(
    project: Path, cli: Callable[..., Run]
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"id": ["r1"], "text": [f"{P[0]}\n\n{P[1]}\n\n{P[0]}"]})
    pq.write_table(table, project / "data.parquet")
    before = (project / "data.parquet").read_bytes()
    run = cli("check", "--fix", *ONLY_INSIDE, "--", "data.parquet")
    assert run.exit_code == 1
    assert "note: data.parquet: Parquet files are not rewritten" in run.stderr
    assert (project / "data.parquet").read_bytes() == before


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.integers(0, len(P) - 1), min_size=1, max_size=12))
def test_fixing_keeps_every_unique_paragraph_in_order_and_is_idempotent(
    project: Path, cli: Callable[..., Run], picks: list[int]
) -> None:
    text = "Budget news\n\n" + "\n\n".join(P[i] for i in picks) + "\n"
    (project / "doc.txt").write_text(text, encoding="utf-8")
    cli("check", "--fix", *ONLY_INSIDE, "--", "doc.txt")
    once = (project / "doc.txt").read_text(encoding="utf-8")
    unique = list(dict.fromkeys(_paragraphs(text)))
    assert len(_paragraphs(once)) >= len(unique)
    assert _paragraphs(once) == unique  # every exact repeat went, nothing else
    assert cli("check", *ONLY_INSIDE, "--", "doc.txt").exit_code == 0
    cli("check", "--fix", *ONLY_INSIDE, "--", "doc.txt")
    assert (project / "doc.txt").read_text(encoding="utf-8") == once
