"""Run the Ray engine's worker code in this process, with the driver's own listing and collect.

Everything but Ray itself: the same units, blocks, line counts, document and compare
batches, partitions and checks, so equality with the local engine is tested without
starting a cluster. ``test_ray.py`` runs the same comparisons on a real local Ray.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.ray.driver import BLOCK_BYTES, Job, bundles, count_breaks, prepare
from corpuslint.engines.ray.tasks import (
    KEYS,
    OUTCOME,
    PAYLOAD,
    Columns,
    Gathered,
    by_bundle,
    compare_batch,
    document_batch,
    group_batch,
    join_batch,
    joined_rows,
    kept_members,
)
from corpuslint.engines.ray.units import first_lines
from corpuslint.model import Result
from corpuslint.run.plan import Overrides


def simulate(
    paths: Sequence[str | Path],
    config: Config,
    overrides: Overrides | None = None,
    *,
    registry: plugins.Registry | None = None,
    cwd: Path | None = None,
    partitions: int = 3,
    cpus: int = 2,
    block_bytes: int = BLOCK_BYTES,
) -> Result:
    """The Ray engine's result for ``paths``, computed without Ray."""
    job = prepare(paths, config, registry, overrides, cwd, block_bytes)
    return job.finish(gathered(job, partitions, cpus))


def gathered(job: Job, partitions: int = 3, cpus: int = 2) -> Gathered:
    """What the driver gathers of ``job``: every stage, in order, each partition whole."""
    breaks = [count_breaks(u.location, u.start, u.end) if u.end else 0 for u in job.units]
    units = first_lines(job.units, breaks)
    spec = job.spec(partitions)
    out = Gathered()
    keys: list[Columns] = []
    payloads: list[Columns] = []  # one per bundle, as the materialized document blocks
    firsts: list[int] = []
    ordinal = 0
    for bundle in bundles(units, cpus):
        blobs = [pickle.dumps(u) for u in bundle]
        ordinals = list(range(ordinal, ordinal + len(bundle)))
        firsts.append(ordinal)
        ordinal += len(bundle)
        rows = document_batch(
            {"unit": blobs, "date": job.dates_of(bundle), "ordinal": ordinals}, spec
        )
        kinds = rows["kind"]
        out.outcomes.extend(pickle.loads(b) for b in rows["payload"][kinds == OUTCOME])
        keys.append(_rows(rows, kinds == KEYS))
        payloads.append(_rows(rows, kinds == PAYLOAD))
    if not keys:
        return out
    for part in _partitions(_merged(keys), partitions):  # the first shuffle
        out.add_grouped(group_batch(part))
    members = by_bundle(kept_members(out.members), firsts)
    out.joined = np.sum([joined_rows(m, partitions) for m in members], axis=0)
    joined = [join_batch(rows, share, spec) for rows, share in zip(payloads, members, strict=True)]
    for part in _partitions(_merged(joined), partitions):  # the second shuffle
        out.add_compared(compare_batch(part, spec))
    return out


def _rows(columns: Columns, mask: NDArray[np.bool_]) -> Columns:
    return {name: column[mask] for name, column in columns.items()}


def _merged(parts: list[Columns]) -> Columns:
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _partitions(merged: Columns, partitions: int) -> list[Columns]:
    """The rows of each partition that has some, as one batch each."""
    found = []
    for part in range(partitions):
        mask = merged["part"] == part
        if mask.any():
            found.append(_rows(merged, mask))
    return found
