"""The Ray engine: the same rules as the local engine, on Ray Data (extra ``[ray]``).

How the work is split, and what crosses the network:

1. The driver lists the inputs (local paths through the usual discovery, URLs through
   fsspec), cuts large JSONL files into byte ranges and large Parquet files into ranges
   of row groups (read from their footers). Small Ray tasks count the line breaks of
   each byte range, so every block knows the number of its first line; the reader
   numbers the rows of a range of row groups itself. A Parquet object of object storage
   is read in place, column-pruned: only its footer and the chunks of the columns the
   reader loads are fetched.
2. Document pass: ``map_batches`` over bundles of units (about the same number of bytes
   each, each unit with its ordinal, which makes signature ids unique). A worker reads
   its files itself (from shared storage or object storage), runs the document rules
   and the corpus rules' ``signatures``, and emits an outcome row per unit, a payload row
   per signature (id and pickled signature) and, per partition (``key % partitions``),
   one row of packed key entries (rule number, target flag, key, signature id; 19 bytes
   a key). The dataset is materialized: payloads stay where they were made.
3. First shuffle, keys only: the key rows are hash-shuffled with
   ``repartition(keys=["part"])``, and each partition keeps the groups the local engine
   judges (two or more distinct signatures sharing a rule and a key, one a target's).
   Their memberships (signature id, key) come to the driver: few, since most band keys
   are unique.
4. Second shuffle, kept signatures only: the driver cuts the memberships by bundle and
   puts them in the object store; ``map_batches`` over the payload rows joins each
   bundle's signatures with its own memberships and emits one row per kept signature and
   partition of its kept keys, carrying only those keys. These rows are hash-shuffled
   the same way, and ``map_batches`` calls each corpus rule's ``compare`` on every
   group of a partition. A document without a date of its own is dated by when its file
   first entered git: the driver makes that one ``git log`` pass and the dates go out
   with the units.
5. Only outcomes, memberships and corpus findings come back to the driver; it checks
   that every partition of both shuffles reached exactly one batch whole, then applies
   suppressions, filters and baselines as usual.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpuslint import plugins
from corpuslint._support.processes import default_jobs
from corpuslint.config import Config
from corpuslint.core_rules import UnreadableDocument
from corpuslint.engines import EngineError
from corpuslint.engines.ray.tasks import (
    ID_BITS,
    KEYS,
    MEMBER,
    OUTCOME,
    PAYLOAD,
    Gathered,
    Members,
    Spec,
    by_bundle,
    compare_batch,
    document_batch,
    group_batch,
    join_batch,
    joined_rows,
    kept_members,
    only,
)
from corpuslint.engines.ray.units import (
    Unit,
    blocks,
    first_lines,
    is_url,
    local_units,
    open_binary,
    url_units,
)
from corpuslint.model import Result
from corpuslint.run import gitstate
from corpuslint.run.blocks import count_breaks as breaks_in
from corpuslint.run.discover import Skipped, SourceFile
from corpuslint.run.executor import Checker, Occurrences
from corpuslint.run.finish import Collected, Run
from corpuslint.run.plan import Overrides

BLOCK_BYTES = 64 << 20
"""Default size of the parts a large JSONL or Parquet file is read in."""
_BUNDLE_MIN, _BUNDLE_MAX = 1 << 20, 64 << 20
_CONNECT_TIMEOUT = 10.0


def check(
    paths: Sequence[str | Path],
    config: Config,
    *,
    registry: plugins.Registry | None = None,
    overrides: Overrides | None = None,
    cwd: Path | None = None,
    address: str | None = None,
    workers: int | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Result:
    """Check ``paths`` (local paths or URLs) on Ray; the same result as the local engine.

    Without ``address`` a local Ray instance with ``workers`` CPUs (default: all) is
    started and shut down; with one, the run joins that cluster (``auto``, ``host:port``
    or ``ray://host:port``), whose nodes must have corpuslint and the same plugins.
    """
    job = prepare(paths, config, registry, overrides, cwd, block_bytes)
    with session(address, workers) as cpus:
        units = first_lines(job.units, block_breaks(job.units))
        gathered = passes(units, job.spec(partitions=max(2, cpus)), cpus, job.dates)
    return job.finish(gathered)


@dataclass(frozen=True)
class Job:
    """A run's settings and inputs, listed on the driver before any task starts."""

    run: Run
    units: list[Unit]
    targets: list[SourceFile]
    skipped: list[Skipped]
    dates: Mapping[str, str] = field(default_factory=dict)
    """When each local file (by display path) first entered git, for undated documents."""

    def dates_of(self, units: Sequence[Unit]) -> list[str]:
        """The git date of each unit's file (``""`` where unknown), to send with the units."""
        return [self.dates.get(unit.display, "") for unit in units]

    def spec(self, partitions: int) -> Spec:
        """What the workers need: the plan, the partition count and the rule plugins."""
        owners = tuple((p.name, p.rules) for p in self.run.registry.plugins if p.rules)
        return Spec(self.run.plan, partitions, owners)

    def finish(self, gathered: Gathered) -> Result:
        """The result, from what the workers sent back."""
        targets = {t.display for t in self.targets}
        return self.run.finish(_collect(gathered, self.run, targets), self.targets, self.skipped)


def prepare(
    paths: Sequence[str | Path],
    config: Config,
    registry: plugins.Registry | None = None,
    overrides: Overrides | None = None,
    cwd: Path | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Job:
    """Validate the settings and list the units: local paths by discovery, URLs by fsspec."""
    registry = registry or plugins.load()
    run = Run.prepare(config, registry, overrides, use_cache=False)
    corpus = bool(Checker(registry, run.plan).corpus_rules)
    texts = [str(p) for p in paths] or [str(config.root)]
    local = [Path(t) for t in texts if not is_url(t)]
    # run.config: the root's, also leaving out what nested configurations exclude.
    units, targets, skipped = local_units(local, run.config, registry, cwd, corpus)
    more_units, more_targets, more_skipped = url_units([t for t in texts if is_url(t)], registry)
    return Job(
        run,
        blocks([*units, *more_units], block_bytes, registry),
        targets + more_targets,
        skipped + more_skipped,
        git_dates(units, cwd) if corpus else {},
    )


def git_dates(units: Sequence[Unit], cwd: Path | None) -> dict[str, str]:
    """When the file of each local unit first entered git, by display path.

    The local engine's fallback for documents whose reader found no date
    (``corpuslint.run.gitstate.first_added``, one pass, for the repository of the first
    file), made on the driver so that workers need neither git nor the repository.
    Display paths are relative to the run's working directory, as in the local engine.
    """
    base = cwd or Path.cwd()
    places = {u.display: os.path.normpath(os.path.join(base, u.display)) for u in units}
    if not places:
        return {}
    known = gitstate.first_added(Path(next(iter(places.values()))).parent)
    return {display: known[place] for display, place in places.items() if place in known}


@contextmanager
def session(address: str | None, workers: int | None) -> Iterator[int]:
    """A connected Ray (started locally without ``address``); yields its CPU count."""
    import ray

    started = not ray.is_initialized()
    if started:
        quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
        if address:
            _probe(address)
            try:
                ray.init(address=address, **quiet)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise EngineError(
                    f"cannot connect to the Ray cluster at {address}: {exc}"
                ) from None
        else:
            cpus = workers or default_jobs()
            ray.init(num_cpus=cpus, include_dashboard=False, **quiet)
    try:
        # Ray Data configures "ray.data" itself; its internals log each execution at INFO.
        logging.getLogger("ray.data._internal").setLevel(logging.ERROR)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        yield max(1, int(ray.cluster_resources().get("CPU", 1)))
    finally:
        if started:
            ray.shutdown()


def _probe(address: str) -> None:
    """Fail fast on an address nothing listens at: Ray itself retries for minutes."""
    if address == "auto":
        return
    where = address.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise EngineError(
            f"bad Ray address {address!r}: expected host:port, ray://host:port or auto"
        )
    try:
        socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise EngineError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}"
        ) from None


def block_breaks(units: Sequence[Unit]) -> list[int]:
    r"""The ``\n`` bytes in each block's range (0 for whole files), counted by Ray tasks."""
    import ray

    count = ray.remote(max_retries=3)(count_breaks)
    pending = {
        i: count.remote(u.location, u.start, u.end) for i, u in enumerate(units) if u.is_block
    }
    found = dict(zip(pending, ray.get(list(pending.values())), strict=True))
    return [found.get(i, 0) for i in range(len(units))]


def count_breaks(location: str, start: int, end: int) -> int:
    r"""The ``\n`` bytes in ``[start, end)`` of a file (local or remote)."""
    with open_binary(location) as handle:
        return breaks_in(handle, start, end)


def bundles(units: Sequence[Unit], cpus: int) -> list[list[Unit]]:
    """Units grouped into bundles of about the same bytes, a few per CPU at least."""
    total = sum(u.weight for u in units)
    target = min(_BUNDLE_MAX, max(_BUNDLE_MIN, math.ceil(total / (4 * cpus))))
    out: list[list[Unit]] = [[]]
    size = 0
    for unit in units:
        if size >= target:
            out.append([])
            size = 0
        out[-1].append(unit)
        size += max(unit.weight, 1)
    return [bundle for bundle in out if bundle]


def passes(
    units: Sequence[Unit], spec: Spec, cpus: int, dates: Mapping[str, str] | None = None
) -> Gathered:
    """The document pass and both shuffles on Ray Data.

    Only outcomes, memberships and findings reach the driver.

    ``dates`` are the git dates of files by display path (:func:`git_dates`).
    """
    import ray

    gathered = Gathered()
    if not units:
        return gathered
    known = dates or {}
    parcels = bundles(units, cpus)
    firsts = np.cumsum([0] + [len(b) for b in parcels[:-1]]).tolist()
    items = [
        {
            "units": pickle.dumps(b, pickle.HIGHEST_PROTOCOL),
            "dates": pickle.dumps([known.get(u.display, "") for u in b]),
            "first": first,
        }
        for b, first in zip(parcels, firsts, strict=True)
    ]
    documents = (
        ray.data.from_items(items, override_num_blocks=len(items))
        .map_batches(
            _document_rows,
            fn_kwargs={"spec": spec},
            batch_size=1,
            batch_format="numpy",
        )
        .materialize()
    )
    outcomes = documents.map_batches(only(OUTCOME, ("payload",)), batch_format="numpy")
    for batch in outcomes.iter_batches(batch_size=None, batch_format="numpy"):
        gathered.outcomes.extend(pickle.loads(blob) for blob in batch["payload"])
    if not any(o.rows_per_partition.strip(b"\0") for o in gathered.outcomes):
        return gathered
    grouped = (
        documents.map_batches(only(KEYS, ("part", "keys")), batch_format="numpy")
        .repartition(spec.partitions, keys=["part"])
        .map_batches(group_batch, batch_size=None, batch_format="numpy")
    )
    for batch in grouped.iter_batches(batch_size=None, batch_format="numpy"):
        gathered.add_grouped(batch)
    members = by_bundle(kept_members(gathered.members), firsts)
    gathered.joined = np.sum([joined_rows(m, spec.partitions) for m in members], axis=0)
    if not any(len(m) for m in members):
        return gathered
    shares = [ray.put(m) for m in members]
    columns = ("rule", "target", "signature", "payload")
    compared = (
        documents.map_batches(only(PAYLOAD, columns), batch_format="numpy")
        .map_batches(
            _joined_rows,
            fn_kwargs={"spec": spec, "shares": shares, "firsts": firsts},
            batch_format="numpy",
        )
        .repartition(spec.partitions, keys=["part"])
        .map_batches(
            compare_batch,
            fn_kwargs={"spec": spec},
            batch_size=None,
            batch_format="numpy",
        )
    )
    for batch in compared.iter_batches(batch_size=None, batch_format="numpy"):
        gathered.add_compared(batch)
    return gathered


def _document_rows(batch: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """A batch of one pickled bundle, unpacked into the units ``document_batch`` reads."""
    units: list[bytes] = []
    ordinals: list[int] = []
    for blob, first in zip(batch["units"], batch["first"], strict=True):
        bundle = pickle.loads(blob)
        units.extend(pickle.dumps(u) for u in bundle)
        ordinals.extend(range(int(first), int(first) + len(bundle)))
    dates = [d for blob in batch["dates"] for d in pickle.loads(blob)]
    return document_batch({"unit": units, "date": dates, "ordinal": ordinals}, spec)


def _joined_rows(
    batch: dict[str, Any], spec: Spec, shares: Sequence[Any], firsts: Sequence[int]
) -> dict[str, Any]:
    """The joined rows of a batch of payload rows, with the memberships of its bundles.

    Each bundle's memberships are fetched from the object store only by the tasks that
    hold its signatures.
    """
    import ray

    ordinals = np.asarray(batch["signature"], dtype=np.int64) >> ID_BITS
    places = np.unique(np.searchsorted(np.asarray(firsts), ordinals, side="right") - 1)
    found: list[Members] = ray.get([shares[int(p)] for p in places.tolist()])
    members = np.concatenate(found) if found else np.zeros(0, dtype=MEMBER)
    return join_batch(batch, members, spec)


def _collect(gathered: Gathered, run: Run, targets: set[str]) -> Collected:
    """Findings of target files, read problems numbered per file, and every error."""
    collected = Collected(errors=list(gathered.errors))
    rule = UnreadableDocument() if UnreadableDocument.code in run.plan.codes else None
    occurrences = Occurrences()  # problems of one file are counted across its parts
    for item in sorted(gathered.outcomes, key=lambda o: (o.unit.display, o.unit.position)):
        unit, outcome = item.unit, item.outcome
        collected.errors.extend(outcome.errors)
        if not unit.target:
            continue
        collected.violations.extend(outcome.violations)
        if outcome.directives:
            collected.directives[unit.display] = outcome.directives
        collected.warnings.extend(outcome.notices)
        for problem in item.problems:
            if rule is None:
                break
            collected.violations.append(rule.from_problem(problem, occurrences.next(problem)))
    collected.violations.extend(v for v in gathered.best if v.path in targets)
    for shuffle, parts in gathered.split_partitions().items():
        collected.errors.append(
            f"internal error: the Ray shuffle of {shuffle} delivered partitions {parts}"
            " in pieces; their corpus findings may be incomplete"
        )
    return collected


def available() -> bool:
    """Whether the ``[ray]`` extra is installed."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True
