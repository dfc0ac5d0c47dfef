"""CL101 internals: finding repeats and merging them into runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from corpuslint_rules.duplicate_paragraph import _Repeat, find_repeats, group_runs
from tests.helpers import LONG_A, LONG_B, Run, paragraphs, write

CLI = Callable[..., Run]

A = "the city council approved the new budget on tuesday after a long and heated debate."
B = "members argued for hours about spending on roads, schools and the new public library."
C = "the mayor said she would sign the budget next week, and payments begin in the spring."
D = "residents lined up outside city hall before dawn to speak at the public hearing."
NEAR_B = B.replace("new public library", "public library downtown")


def summary(texts: list[str], threshold: float = 90, cap: int = 2000) -> list[tuple[int, int]]:
    return [(r.index, r.original) for r in find_repeats(texts, threshold, cap)]


def test_exact_repeats_point_at_the_first_copy() -> None:
    assert summary([A, B, A, A]) == [(2, 0), (3, 0)]


def test_near_repeats_respect_threshold_and_cap() -> None:
    assert summary([A, B, C, NEAR_B]) == [(3, 1)]
    assert summary([A, B, C, NEAR_B], threshold=100) == []
    assert summary([A, B, C, NEAR_B], threshold=99) == []
    assert summary([A, B, C, NEAR_B], cap=3) == []  # too many paragraphs: exact only
    (repeat,) = find_repeats([B, NEAR_B], 90, 10)
    assert 90 <= repeat.similarity < 100


def test_a_near_copy_saying_the_opposite_repeats_nothing() -> None:
    present = "where the color parameter is present in front matter, compare to nil"
    absent = "where the color parameter is not present in front matter, compare to nil"
    assert find_repeats([present, absent], 90, 10) == []
    assert find_repeats([absent, present], 90, 10) == []
    # ``present`` is closest to ``absent``, which says the opposite: its original is
    # the closest text that does not, the same words punctuated otherwise.
    punctuated = "where (the color parameter) is present... in front matter: compare to nil!"
    repeats = find_repeats([punctuated, absent, present], 90, 10)
    assert [(r.index, r.original) for r in repeats] == [(2, 0)]
    # Not the same words but for the negation: an edited copy, still a copy.
    edited = "where the color parameter is not present in the front matter, compare to nil"
    assert [(r.index, r.original) for r in find_repeats([present, edited], 90, 10)] == [(1, 0)]


def test_runs_merge_consecutive_copies_of_consecutive_originals() -> None:
    repeats = find_repeats([A, B, C, A, B, C, B], 100, 10)
    runs = [[(r.index, r.original) for r in run] for run in group_runs(repeats)]
    assert runs == [[(3, 0), (4, 1), (5, 2)], [(6, 1)]]


def test_a_run_does_not_overlap_its_original() -> None:
    # A near chain A, A', A'': the third block's original is the second, itself a copy.
    chain = [_Repeat(1, 0, 95.0), _Repeat(2, 1, 95.0)]
    assert [[(r.index, r.original) for r in run] for run in group_runs(chain)] == [
        [(1, 0)],
        [(2, 1)],
    ]


def test_one_paragraph_repeated_over_and_over_is_one_run() -> None:
    repeats = find_repeats([A, A, A, A, B, A], 100, 10)
    runs = [[(r.index, r.original) for r in run] for run in group_runs(repeats)]
    assert runs == [[(1, 0), (2, 0), (3, 0)], [(5, 0)]]


def test_repeated_paragraph_is_one_finding_through_the_cli(project: Path, cli: CLI) -> None:
    write(project, {"a.txt": paragraphs("Headline", LONG_A, LONG_A, LONG_A, LONG_A, LONG_B)})
    run = cli("check", "--select", "CL101", "--no-cache")
    assert run.stdout.splitlines() == [
        "a.txt:5:1: CL101 [error] 3 paragraphs (lines 5-9) repeat the paragraph at line 3"
    ]
    (project / "corpuslint.toml").write_text("[rules.duplicate-paragraph]\nmerge-runs = false\n")
    unmerged = cli("check", "--select", "CL101", "--no-cache").findings()
    assert unmerged == ["a.txt:5:1: CL101", "a.txt:7:1: CL101", "a.txt:9:1: CL101"]


def capped_project(project: Path, limit: int) -> None:
    """Five distinct paragraphs, a near copy and an exact repeat, with ``near-limit``."""
    (project / "corpuslint.toml").write_text(f"[rules.duplicate-paragraph]\nnear-limit = {limit}\n")
    write(project, {"big.txt": paragraphs("Headline", A, B, C, D, NEAR_B, A)})


def test_near_limit_hit_is_a_warning_and_exact_repeats_are_still_found(
    project: Path, cli: CLI
) -> None:
    capped_project(project, 4)
    run = cli("check", "--select", "CL101", "--no-cache")
    assert run.exit_code == 1
    assert run.findings() == ["big.txt:13:1: CL101"]  # the exact repeat, not the near copy
    assert (
        "corpuslint: warning: big.txt: CL101 near duplicates not checked: 6 comparable"
        " paragraphs, more than near-limit 4; raise near-limit under"
        " [rules.duplicate-paragraph] to check them (exact repeats are still reported)"
    ) in run.stderr.splitlines()


def test_below_the_near_limit_there_is_no_warning(project: Path, cli: CLI) -> None:
    capped_project(project, 6)
    run = cli("check", "--select", "CL101", "--no-cache")
    assert run.findings() == ["big.txt:11:1: CL101", "big.txt:13:1: CL101"]
    assert "warning" not in run.stderr


def test_exact_only_runs_never_warn_about_the_near_limit(project: Path, cli: CLI) -> None:
    capped_project(project, 4)
    config = project / "corpuslint.toml"
    config.write_text(config.read_text() + "threshold = 100\n")
    run = cli("check", "--select", "CL101", "--no-cache")
    assert run.findings() == ["big.txt:13:1: CL101"]
    assert "warning" not in run.stderr


def test_the_notice_survives_the_cache(project: Path, cli: CLI) -> None:
    capped_project(project, 4)
    cold = cli("check", "--select", "CL101")
    warm = cli("check", "--select", "CL101")
    assert "near-limit 4" in cold.stderr
    assert (warm.stdout, warm.stderr) == (cold.stdout, cold.stderr)


def test_the_notice_names_the_record_of_a_jsonl_file(project: Path, cli: CLI) -> None:
    capped_project(project, 2)
    (project / "big.txt").unlink()
    record = {"id": "r7", "title": "Headline", "text": "\n\n".join([A, B, C, A])}
    (project / "feed.jsonl").write_text(json.dumps(record) + "\n")
    run = cli("check", "--select", "CL101", "--no-cache")
    assert run.findings() == ["feed.jsonl:1:309: CL101"]
    assert "corpuslint: warning: feed.jsonl (record r7): CL101 near duplicates not checked: 4" in (
        run.stderr
    )
