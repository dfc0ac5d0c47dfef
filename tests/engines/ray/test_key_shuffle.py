"""The Ray engine's key-only first shuffle, run in-process (see ``simulate.py``).

Only keys travel in the first shuffle; the groups the local engine would judge are kept,
and only their signatures are joined back and shuffled again. So the bytes moved per
document do not grow with the number of partitions, and the findings stay the local
engine's.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.engines.ray.driver import prepare
from corpuslint.engines.ray.tasks import (
    ID_BITS,
    KEY_ROW,
    MEMBER,
    PAYLOAD,
    by_bundle,
    document_batch,
    joined_rows,
    kept_groups,
    kept_members,
)
from corpuslint.engines.ray.units import first_lines
from corpuslint.run.plan import Overrides
from corpuslint.similarity.grouping import KeyIndex
from tests.corpus_helpers import article, paragraph
from tests.engines.ray.corpora import write_mixed_corpus
from tests.engines.ray.simulate import gathered, simulate

REGISTRY = plugins.load()
ALL = Overrides(select=("ALL",), cache=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_mixed_corpus(tmp_path)
    long = article("A long read", [paragraph(20 + number) for number in range(6)])
    (tmp_path / "docs" / "long.md").write_text(long)
    (tmp_path / "docs" / "long-copy.md").write_text(long)  # a whole copy: CL103
    return tmp_path


ENTRIES = st.lists(
    st.tuples(
        st.integers(0, 2),  # rule
        st.integers(-4, 4),  # key: few, so that groups form
        st.integers(0, 9),  # signature
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ENTRIES, st.sets(st.integers(0, 9)))
def test_kept_groups_are_the_groups_the_local_index_judges(
    entries: list[tuple[int, int, int]], targets: set[int]
) -> None:
    # A signature belongs to one rule: number them apart per rule.
    entries = [(rule, key, 100 * rule + owner) for rule, key, owner in entries]
    targets = {100 * rule + owner for rule in range(3) for owner in targets}
    rows = np.zeros(len(entries), dtype=KEY_ROW)
    for row, (rule, key, owner) in zip(rows, entries, strict=True):
        row["rule"], row["key"], row["signature"] = rule, key, owner
        row["target"] = owner in targets
    found = kept_groups(rows)
    kept = {(int(m["key"]), int(m["signature"])) for m in found}
    for member in found:  # the anchor is the group's lowest signature
        group = {int(m["signature"]) for m in found if m["key"] == member["key"]}
        group = {o for o in group if o // 100 == member["signature"] // 100}
        assert member["anchor"] == min(group)
    expected = set()
    for rule in range(3):
        index = KeyIndex()
        for _, key, owner in (e for e in entries if e[0] == rule):
            index.add(np.array([key], dtype=np.int64).tobytes(), owner)
        wanted = sorted({o for r, _, o in entries if r == rule and o in targets})
        for key, members in index.groups(wanted) if wanted else ():
            expected |= {(key, owner) for owner in members}
    assert kept == expected
    assert len(found) == len(kept)  # no membership twice


def test_signature_ids_are_unique_across_the_blocks_of_one_file(corpus: Path) -> None:
    job = prepare([corpus], Config(root=corpus), REGISTRY, ALL, corpus, block_bytes=700)
    units = first_lines(job.units, [0] * len(job.units))
    assert sum(u.display == "feed.jsonl" for u in units) > 20
    spec = job.spec(4)
    ids: list[int] = []
    for first in range(0, len(units), 5):  # bundles of five units
        bundle = units[first : first + 5]
        rows = document_batch(
            {
                "unit": [pickle.dumps(u) for u in bundle],
                "date": job.dates_of(bundle),
                "ordinal": list(range(first, first + len(bundle))),
            },
            spec,
        )
        owners = rows["signature"][rows["kind"] == PAYLOAD].tolist()
        assert all(first <= owner >> ID_BITS < first + len(bundle) for owner in owners)
        ids += owners
    assert len(ids) > 200
    assert len(set(ids)) == len(ids)


def test_memberships_are_cut_by_bundle_and_counted_per_partition() -> None:
    one, two, three = 1, 2 << ID_BITS, 3 << ID_BITS  # signature ids: units 0, 2 and 3
    blob = np.array(
        [(two, 5, one), (one, 7, one), (one, 4, 4), (three, 7, one)], dtype=MEMBER
    ).tobytes()
    members = kept_members([blob, blob])  # a repeat is dropped
    assert members["key"].tolist() == [4, 7, 5, 7]
    shares = by_bundle(members, [0, 2, 3, 9])
    assert [len(s) for s in shares] == [2, 1, 1, 0]
    # Groups are judged in the partition of their anchor. Of 3, anchors 1 and 4 are both
    # in partition 1: signature 1 goes there once, with both keys. Of 2, they are not.
    assert joined_rows(members, 3).tolist() == [0, 3, 0]
    assert joined_rows(members, 2).tolist() == [1, 3]
    assert joined_rows(members, 1).tolist() == [3]


def test_bytes_per_document_stay_flat_from_2_to_100_partitions(corpus: Path) -> None:
    job = prepare([corpus], Config(root=corpus), REGISTRY, ALL, corpus, block_bytes=2500)
    few, many = gathered(job, 2), gathered(job, 100)
    assert not few.split_partitions()
    assert not many.split_partitions()
    keys = [sum(o.shuffled for o in g.outcomes) for g in (few, many)]
    assert keys[0] == keys[1] > 0  # key entries do not depend on the partitions
    assert few.member_bytes == many.member_bytes > 0
    assert many.shuffled <= 1.5 * few.shuffled
    # Only the signatures of kept groups are joined back, each to few partitions.
    signatures = sum(o.signatures for o in few.outcomes)
    kept = len(set(kept_members(many.members)["signature"].tolist()))
    assert 0 < kept < signatures
    joined = sum(many.seen[part][0] for part in many.seen)
    assert kept <= joined <= 1.5 * kept


@pytest.mark.parametrize("partitions", [2, 16])
def test_a_whole_duplicate_document_and_near_copies_give_the_local_findings(
    corpus: Path, partitions: int
) -> None:
    expected = check([corpus], Config(root=corpus), REGISTRY, ALL, cwd=corpus).violations
    assert {"CL101", "CL102", "CL103", "CL201", "CL202"} <= {v.code for v in expected}
    result = simulate(
        [corpus], Config(root=corpus), ALL, cwd=corpus, partitions=partitions, block_bytes=900
    )
    assert not result.errors
    assert result.violations == expected
