"""CL101 internals: finding repeats and merging them into runs."""

from __future__ import annotations

from corpuslint_rules.duplicate_paragraph import find_repeats, group_runs

A = "the city council approved the new budget on tuesday after a long and heated debate."
B = "members argued for hours about spending on roads, schools and the new public library."
C = "the mayor said she would sign the budget next week, and payments begin in the spring."
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


def test_runs_merge_consecutive_copies_of_consecutive_originals() -> None:
    repeats = find_repeats([A, B, C, A, B, C, B], 100, 10)
    runs = [[(r.index, r.original) for r in run] for run in group_runs(repeats)]
    assert runs == [[(3, 0), (4, 1), (5, 2)], [(6, 1)]]


def test_a_run_does_not_overlap_its_original() -> None:
    # A A A: the third copy repeats the second, which is itself a copy: no run of 2.
    repeats = find_repeats([A, A, A], 100, 10)
    runs = [[(r.index, r.original) for r in run] for run in group_runs(repeats)]
    assert runs == [[(1, 0)], [(2, 0)]]
