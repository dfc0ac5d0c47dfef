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

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.ray.driver import BLOCK_BYTES, bundles, count_breaks, prepare
from corpuslint.engines.ray.tasks import (
    OUTCOME,
    SIGNATURE,
    Gathered,
    compare_batch,
    document_batch,
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
    breaks = [count_breaks(u.location, u.start, u.end) if u.end else 0 for u in job.units]
    units = first_lines(job.units, breaks)
    spec = job.spec(partitions)
    gathered = Gathered()
    signatures = []
    for bundle in bundles(units, cpus):
        units = [pickle.dumps(u) for u in bundle]
        rows = document_batch({"unit": units, "date": job.dates_of(bundle)}, spec)
        kinds = rows["kind"]
        gathered.outcomes.extend(pickle.loads(b) for b in rows["payload"][kinds == OUTCOME])
        signatures.append({name: column[kinds == SIGNATURE] for name, column in rows.items()})
    if signatures:
        merged = {name: np.concatenate([s[name] for s in signatures]) for name in signatures[0]}
        for part in range(partitions):
            mask = merged["part"] == part
            if mask.any():
                gathered.add_compared(
                    compare_batch({name: column[mask] for name, column in merged.items()}, spec)
                )
    return job.finish(gathered)
