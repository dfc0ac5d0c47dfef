"""The work a distributed engine runs on its workers, as functions of column batches.

Kept free of any engine's imports so it can be tested on its own: ``ray`` only wires
these functions into datasets. A document batch holds pickled units and
yields two kinds of rows: one *outcome* row per unit (document findings, read problems,
errors, suppression comments) and *signature* rows, one per signature and partition,
carrying the signature's keys that hash to that partition. A document batch may carry a
``date`` column beside ``unit``: the date each unit's file first entered git, found once
by the driver, given to the signatures whose reader found no date. A compare batch holds
every signature row of some partitions and yields the findings of their groups, each
with the age of the copy it names as the original, so the driver keeps, of findings at
one place, the one naming the oldest copy, as the local engine does.
"""

from __future__ import annotations

import pickle
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from corpuslint import plugins
from corpuslint.engines.ray.blockread import open_block
from corpuslint.engines.ray.units import Unit, is_url, open_binary
from corpuslint.model import Document, Problem, Signature, Span, Violation
from corpuslint.outcome import FileOutcome
from corpuslint.run.discover import SourceFile
from corpuslint.run.executor import Checker
from corpuslint.run.plan import Plan
from corpuslint.similarity.grouping import KeyIndex
from corpuslint.similarity.signatures import SignatureBatch, pairs

OUTCOME, SIGNATURE = 0, 1
FINDING, ERROR, PARTS = 0, 1, 2
Batch = Mapping[str, Any]
Columns = dict[str, Any]
Age = tuple[bool, bool, str]
"""How old a copy is, oldest first: whether it is new in this run, undated, its date."""


@dataclass(frozen=True)
class Spec:
    """What every worker needs to know of the run, sent along with each task."""

    plan: Plan
    partitions: int
    plugins: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The driver's rule plugins (name, rule codes), to detect one missing on a worker."""


@dataclass(frozen=True)
class UnitOutcome:
    """What comes back to the driver of one unit: all but its signatures."""

    unit: Unit
    outcome: FileOutcome
    problems: tuple[Problem, ...] = ()
    """Read problems of a block, numbered into CL001 findings by the driver in file order."""
    rows_per_partition: bytes = b""
    """int64 count of signature rows sent to each partition (checked after the shuffle)."""
    shuffled: int = 0
    """Bytes of keys and signatures in the unit's signature rows (what the shuffle moves)."""
    signatures: int = 0
    """The unit's signatures (each sent once per partition its keys fall in)."""


@dataclass(frozen=True)
class _Worker:
    """A worker process's checker for one run, and the rule plugins it could not load."""

    checker: Checker
    missing: tuple[str, ...] = ()


_WORKERS: dict[bytes, _Worker] = {}  # one per spec and worker process: plugins load once


def worker(spec: Spec, registry: plugins.Registry | None = None) -> _Worker:
    """The checker of this process for ``spec``, with the rule plugins it lacks."""
    token = pickle.dumps(spec)
    found = _WORKERS.get(token)
    if found is None:
        registry = registry or plugins.load()
        found = _WORKERS[token] = _Worker(Checker(registry, spec.plan), missing(spec, registry))
    return found


def missing(spec: Spec, registry: plugins.Registry) -> tuple[str, ...]:
    """One error per rule plugin of the driver that this worker cannot load."""
    host = socket.gethostname()
    errors = []
    for name, codes in spec.plugins:
        absent = [code for code in codes if code in spec.plan.codes and code not in registry.rules]
        if absent:
            errors.append(
                f"rule plugin {name!r} ({', '.join(absent)}) is not installed on Ray worker"
                f" {host}; install it on every node of the cluster"
            )
    return tuple(errors)


def document_batch(batch: Batch, spec: Spec) -> Columns:
    """Read and check each unit of the batch; one outcome row each, plus signature rows."""
    state = worker(spec)
    rows = _Rows(spec.partitions)
    dates = batch.get("date")
    for number, blob in enumerate(batch["unit"]):
        unit: Unit = pickle.loads(blob)
        if state.missing:
            rows.outcome(UnitOutcome(unit, FileOutcome(errors=state.missing)))
            continue
        outcome, problems = check_unit(state.checker, unit)
        before = rows.size
        date = str(dates[number]) if dates is not None else ""
        counts = rows.signatures(outcome.signatures, unit.target, date)
        kept = replace(outcome, signatures=())
        shuffled = rows.size - before
        sent = sum(map(len, outcome.signatures))
        rows.outcome(UnitOutcome(unit, kept, problems, counts.tobytes(), shuffled, sent))
    return rows.columns()


def check_unit(checker: Checker, unit: Unit) -> tuple[FileOutcome, tuple[Problem, ...]]:
    """The unit's outcome, and its read problems if it is a block (else they are in it)."""
    source = SourceFile(unit.location, unit.display, unit.relative, unit.target)
    if unit.is_block:
        return _check_block(checker, unit, source)
    if unit.location.startswith("file://"):
        source = replace(source, location=unit.location[len("file://") :])
    elif is_url(unit.location):
        return _check_remote(checker, unit, source), ()
    return checker.check(source), ()


def _check_remote(checker: Checker, unit: Unit, source: SourceFile) -> FileOutcome:
    """Copy an object to a temporary local file and check it there, under its URL."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="corpuslint-") as folder:
        local = Path(folder) / unit.name
        try:
            with open_binary(unit.location) as remote, local.open("wb") as copy:
                while chunk := remote.read(1 << 22):
                    copy.write(chunk)
        except (OSError, ValueError) as exc:
            return checker.outcome(source, [Problem(unit.display, f"cannot read: {exc}")])
        return checker.check(replace(source, location=str(local)))


def _check_block(
    checker: Checker, unit: Unit, source: SourceFile
) -> tuple[FileOutcome, tuple[Problem, ...]]:
    """Check the documents of one block of a file, keeping its problems apart."""
    reader = checker.reader(source)
    problems: list[Problem] = []

    def documents() -> Iterator[Document | Problem | str]:
        assert reader is not None
        assert unit.end is not None
        try:
            with open_binary(unit.location) as handle:
                lines, first = open_block(handle, unit.start, unit.end, unit.first_line)
                for item in reader.read_stream(lines, unit.display, first):
                    if isinstance(item, Problem):
                        problems.append(item)
                    else:
                        yield item
        except OSError as exc:
            problems.append(Problem(unit.display, f"cannot read file: {exc.strerror or exc}"))

    if reader is None or not reader.splittable(unit.name):
        return checker.check(source), ()
    outcome = checker.outcome(source, documents())
    return outcome, tuple(problems)


class _Rows:
    """Output columns of a document batch."""

    def __init__(self, partitions: int) -> None:
        self.partitions = partitions
        self.kind: list[int] = []
        self.part: list[int] = []
        self.rule: list[str] = []
        self.target: list[bool] = []
        self.keys: list[bytes] = []
        self.payload: list[bytes] = []
        self.size = 0
        """Bytes of keys and payloads of the signature rows so far."""

    def _add(
        self, kind: int, part: int, rule: str, target: bool, keys: bytes, payload: bytes
    ) -> None:
        self.kind.append(kind)
        self.part.append(part)
        self.rule.append(rule)
        self.target.append(target)
        self.keys.append(keys)
        self.payload.append(payload)

    def outcome(self, outcome: UnitOutcome) -> None:
        blob = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        self._add(OUTCOME, -1, "", outcome.unit.target, b"", blob)

    def signatures(
        self, batches: Iterable[SignatureBatch], target: bool, date: str = ""
    ) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Add one row per signature and partition its keys fall in; rows per partition.

        ``date`` is the file's git date, for signatures whose reader found none.
        """
        counts = np.zeros(self.partitions, dtype=np.int64)
        for code, found in pairs(batches):
            signature = found
            if found.target != target or (date and not found.date):
                signature = replace(found, target=target, date=found.date or date)
            payload = pickle.dumps(signature, pickle.HIGHEST_PROTOCOL)
            keys = np.frombuffer(signature.keys, dtype=np.int64)
            parts = keys % self.partitions
            for part in np.unique(parts).tolist():
                mine = keys[parts == part].tobytes()
                self._add(SIGNATURE, part, code, target, mine, payload)
                self.size += len(mine) + len(payload)
                counts[part] += 1
        return counts

    def columns(self) -> Columns:
        return {
            "kind": np.asarray(self.kind, dtype=np.int8),
            "part": np.asarray(self.part, dtype=np.int32),
            "rule": np.asarray(self.rule, dtype=object),
            "target": np.asarray(self.target, dtype=bool),
            "keys": _binary(self.keys),
            "payload": _binary(self.payload),
        }


def _binary(values: list[bytes]) -> np.ndarray[Any, np.dtype[Any]]:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def only(kind: int) -> Callable[[Batch], Columns]:
    """A batch filter keeping the rows of one kind (outcome or signature rows)."""

    def keep_kind(batch: Batch) -> Columns:
        mask = np.asarray(batch["kind"]) == kind
        return {name: np.asarray(values)[mask] for name, values in batch.items()}

    return keep_kind


def compare_batch(batch: Batch, spec: Spec) -> Columns:
    """Judge every group of the batch's partitions; findings, errors and partition sizes.

    Keys are grouped with the local engine's numpy index, and only the signatures of
    groups that hold a target are unpickled: most band keys are unique. Each finding is
    sent with the age of the copy it names (see :func:`keep_oldest`).
    """
    state = worker(spec)
    out = _Compared()
    for error in state.missing:
        out.add(ERROR, error)
    if state.missing:
        return out.columns()
    rules = {rule.code: rule for rule in state.checker.corpus_rules}
    codes = np.asarray(batch["rule"])
    targets = np.asarray(batch["target"], dtype=bool)
    keys, payloads = batch["keys"], batch["payload"]
    found: list[dict[tuple[str, Span], tuple[Violation, Age]]] = []  # one per place, per rule
    errors: list[str] = []
    for code in sorted(set(codes.tolist()) & rules.keys()):
        best: dict[tuple[str, Span], tuple[Violation, Age]] = {}
        found.append(best)
        rows = np.flatnonzero(codes == code).tolist()
        index = KeyIndex()
        for number, row in enumerate(rows):
            index.add(keys[row], number)
        wanted = {n for n, row in enumerate(rows) if targets[row]}
        loaded: dict[int, Signature] = {}
        for key, members in index.groups(wanted):
            group = [_load(loaded, payloads, rows[m]) for m in members]
            judged: dict[tuple[str, Span], Violation] = {}
            state.checker.judge(rules[code], key, group, judged, errors)
            for violation in judged.values():
                keep_oldest(
                    best, (violation.path, violation.span), violation, _age(violation, group)
                )
    for best in found:
        for item in best.values():
            out.add(FINDING, item)
    for error in errors:
        out.add(ERROR, error)
    parts, sizes = np.unique(np.asarray(batch["part"], dtype=np.int64), return_counts=True)
    out.add(PARTS, (parts.tolist(), sizes.tolist()))
    return out.columns()


def _age(violation: Violation, group: Iterable[Signature]) -> Age:
    """The age of the copy ``violation`` names first, from the group that found it.

    The same as the local engine's (``corpuslint.engines.local.corpus_pass``): the
    oldest signature at that place; a finding naming no copy is as old as can be.
    """
    if not violation.related:
        return (False, True, "")
    first = violation.related[0]
    ages = [
        (s.target, not s.date, s.date)
        for s in group
        if (s.path, s.span.line, s.span.column) == (first.path, first.line, first.column)
    ]
    return min(ages, default=(True, True, ""))


def keep_oldest(
    best: dict[Any, tuple[Violation, Age]], place: Any, violation: Violation, age: Age
) -> None:
    """Keep one finding per place: the one naming the oldest copy, then the preferred one.

    Of two findings at a place that name different copies, the one whose copy is older
    (see :data:`Age`); otherwise :func:`corpuslint.run.executor.keep`'s order. The
    result is the same whatever order the findings come in, as in the local engine.
    """
    kept = best.get(place)
    if kept is None:
        best[place] = (violation, age)
    elif kept[0].related != violation.related:
        if (age, _preference(violation)) < (kept[1], _preference(kept[0])):
            best[place] = (violation, age)
    elif _preference(violation) < _preference(kept[0]):
        best[place] = (violation, age)


def _load(loaded: dict[int, Signature], payloads: Any, row: int) -> Signature:
    found = loaded.get(row)
    if found is None:
        found = loaded[row] = pickle.loads(payloads[row])
    return found


class _Compared:
    """Output columns of a compare batch: a kind and a pickled payload per row."""

    def __init__(self) -> None:
        self.kinds: list[int] = []
        self.payloads: list[bytes] = []

    def add(self, kind: int, item: object) -> None:
        self.kinds.append(kind)
        self.payloads.append(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))

    def columns(self) -> Columns:
        return {"kind": np.asarray(self.kinds, dtype=np.int8), "payload": _binary(self.payloads)}


@dataclass
class Gathered:
    """The driver's view of a distributed run: outcomes, findings and shuffle checks."""

    outcomes: list[UnitOutcome] = field(default_factory=list)
    kept: dict[tuple[str, str, Span], tuple[Violation, Age]] = field(default_factory=dict)
    """One finding per rule and place, with the age of the copy it names."""
    errors: list[str] = field(default_factory=list)
    seen: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Rows of each partition, per compare batch that held some."""

    def add_compared(self, batch: Batch) -> None:
        for kind, payload in zip(batch["kind"], batch["payload"], strict=True):
            item = pickle.loads(payload)
            if kind == FINDING:
                violation, age = item
                place = (violation.code, violation.path, violation.span)
                keep_oldest(self.kept, place, violation, age)
            elif kind == ERROR:
                self.errors.append(item)
            else:
                for part, size in zip(*item, strict=True):
                    self.seen[part].append(size)

    @property
    def best(self) -> list[Violation]:
        """The finding kept at each rule and place."""
        return [violation for violation, _ in self.kept.values()]

    def split_partitions(self) -> list[int]:
        """Partitions that did not reach one compare batch whole (their groups were cut)."""
        sent = [np.frombuffer(o.rows_per_partition, np.int64) for o in self.outcomes]
        sent = [counts for counts in sent if len(counts)]
        expected = np.sum(sent, axis=0) if sent else np.zeros(0, np.int64)
        whole = [[int(rows)] if rows else [] for rows in expected]
        return [part for part, want in enumerate(whole) if self.seen.get(part, []) != want]


def _preference(violation: Violation) -> tuple[tuple[object, ...], str]:
    """``corpuslint.run.executor.keep``'s order: related copy first, then message."""
    return (violation.related, violation.message)
