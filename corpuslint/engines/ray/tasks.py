"""The work a distributed engine runs on its workers, as functions of column batches.

Kept free of any engine's imports so it can be tested on its own: ``ray`` only wires
these functions into datasets. Four stages, each a function of a batch:

1. A *document* batch holds pickled units, each with its ordinal in the run and,
   optionally, the ``date`` its file first entered git (found once by the driver, given
   to the signatures whose reader found none). It yields an *outcome* row per unit
   (document findings, read problems, errors, suppression comments), a *payload* row per
   signature (its id and the pickled signature, never shuffled), and *key* rows: per
   partition, the packed :data:`KEY_ROW` entries (rule, target flag, key, signature id)
   of every key that hashes there (``key % partitions``).
2. A *group* batch holds every key row of some partitions. It keeps the groups the
   local engine would judge, those of two or more distinct signatures sharing a rule
   and a key, one of them a target's, and yields their :data:`MEMBER` entries
   (signature id, key, anchor): few, since most band keys are unique.
3. A *join* batch holds payload rows and the kept memberships of their signatures, and
   yields one row per kept signature and partition its kept groups are judged in (see
   :data:`MEMBER`), carrying only those groups' keys.
4. A *compare* batch holds every joined row of some partitions and yields the findings
   of their groups, each with the age of the copy it names as the original, so the
   driver keeps, of findings at one place, the one naming the oldest copy, as the local
   engine does.

Both shuffles (key rows by partition, joined rows by partition) need each partition
whole in one batch: a group cut in two would lose findings. The driver checks that with
the counts every stage sends back (:meth:`Gathered.split_partitions`).
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
from numpy.typing import NDArray

from corpuslint import plugins
from corpuslint.engines.ray.blockread import open_block
from corpuslint.engines.ray.units import Unit, is_url, open_binary, open_seekable
from corpuslint.model import Document, Problem, Signature, Span, Violation
from corpuslint.outcome import FileOutcome
from corpuslint.readers.base import Reader, ReadError
from corpuslint.readers.limits import describe
from corpuslint.run.discover import SourceFile
from corpuslint.run.executor import Checker
from corpuslint.run.plan import Plan
from corpuslint.similarity.grouping import KeyIndex
from corpuslint.similarity.signatures import SignatureBatch, pairs

OUTCOME, PAYLOAD, KEYS = 0, 1, 2
"""Kinds of the rows of a document batch."""
FINDING, ERROR, PARTS, MEMBERS = 0, 1, 2, 3
"""Kinds of the rows of a compare or group batch."""
KEY_ROW = np.dtype([("rule", "<u2"), ("target", "u1"), ("key", "<i8"), ("signature", "<i8")])
"""One key of one signature in the first shuffle: 19 bytes, packed."""
MEMBER = np.dtype([("signature", "<i8"), ("key", "<i8"), ("anchor", "<i8")])
"""One signature of a kept group: the signature's id, the group's key and its anchor.

The anchor, the group's lowest signature id, chooses the partition the group is judged
in (``anchor % partitions``): groups with the same members (an exact copy shares all
its keys) meet in one partition, so a kept signature travels to few partitions, not
to one per key.
"""
UNKNOWN_RULE = 0xFFFF
"""The rule number of a signature whose rule the plan does not list."""
ID_BITS = 32
"""A signature's id: its unit's ordinal in the run, then its number in the unit."""
Batch = Mapping[str, Any]
Columns = dict[str, Any]
Members = NDArray[np.void]
"""Kept memberships (:data:`MEMBER`), sorted by signature id, then key."""
Age = tuple[bool, bool, str]
"""How old a copy is, oldest first: whether it is new in this run, undated, its date."""


@dataclass(frozen=True)
class Spec:
    """What every worker needs to know of the run, sent along with each task."""

    plan: Plan
    partitions: int
    plugins: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The driver's rule plugins (name, rule codes), to detect one missing on a worker."""

    def rule_numbers(self) -> dict[str, int]:
        """A small number for each rule code of the plan, the same on every worker."""
        return {code: number for number, code in enumerate(sorted(self.plan.codes))}


@dataclass(frozen=True)
class UnitOutcome:
    """What comes back to the driver of one unit: all but its signatures."""

    unit: Unit
    outcome: FileOutcome
    problems: tuple[Problem, ...] = ()
    """Read problems of a part of a file (a block, some row groups), numbered into CL001
    findings by the driver in file order."""
    rows_per_partition: bytes = b""
    """int64 count of the unit's key entries sent to each partition (checked after the
    first shuffle)."""
    shuffled: int = 0
    """Bytes of the unit's key entries (what the first shuffle moves of it)."""
    signatures: int = 0
    """The unit's signatures (their payloads stay where they were made until joined)."""


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
    """Read and check each unit of the batch: outcome, payload and key rows.

    ``ordinal`` gives each unit's place in the run's list of units, which makes the ids
    of its signatures unique in the run (see :data:`ID_BITS`).
    """
    state = worker(spec)
    rows = _Rows(spec.partitions, spec.rule_numbers())
    dates = batch.get("date")
    for number, (blob, ordinal) in enumerate(zip(batch["unit"], batch["ordinal"], strict=True)):
        unit: Unit = pickle.loads(blob)
        if state.missing:
            rows.outcome(UnitOutcome(unit, FileOutcome(errors=state.missing)))
            continue
        outcome, problems = check_unit(state.checker, unit)
        date = str(dates[number]) if dates is not None else ""
        counts = rows.signatures(outcome.signatures, unit.target, int(ordinal), date)
        kept = replace(outcome, signatures=())
        shuffled = int(counts.sum()) * KEY_ROW.itemsize
        sent = sum(map(len, outcome.signatures))
        rows.outcome(UnitOutcome(unit, kept, problems, counts.tobytes(), shuffled, sent))
    return rows.columns()


def check_unit(checker: Checker, unit: Unit) -> tuple[FileOutcome, tuple[Problem, ...]]:
    """The unit's outcome, and its read problems if it is part of a file (else they are in it).

    A Parquet object of object storage is read in place, through fsspec range reads;
    another object is copied to a temporary local file first.
    """
    source = SourceFile(unit.location, unit.display, unit.relative, unit.target)
    if unit.is_block:
        return _check_block(checker, unit, source)
    if unit.location.startswith("file://"):
        source = replace(source, location=unit.location[len("file://") :])
    if unit.groups is not None or (is_url(source.location) and _reads_groups(checker, source)):
        return _check_groups(checker, unit, source)
    if is_url(source.location):
        return _check_remote(checker, unit, source), ()
    return checker.check(source), ()


def _reads_groups(checker: Checker, source: SourceFile) -> bool:
    """Whether the file's reader reads row groups from a file object (Parquet)."""
    return hasattr(checker.reader(source), "read_groups")


def _check_groups(
    checker: Checker, unit: Unit, source: SourceFile
) -> tuple[FileOutcome, tuple[Problem, ...]]:
    """Check the file's row groups (all of them, or the unit's range), read in place.

    A URL is opened through fsspec as a seekable file, so pyarrow fetches the footer and
    the chunks of the columns the reader loads, not the whole object. The problems of a
    part are kept apart; those of a whole file are in its outcome.
    """
    reader = checker.reader(source)
    start, end = unit.groups if unit.groups is not None else (0, None)
    if reader is None or not hasattr(reader, "read_groups"):  # a worker without the reader
        if start:
            return FileOutcome(), ()
        return checker.check(source), ()
    read_groups: Any = getattr(reader, "read_groups")  # noqa: B009
    problems: list[Problem] = []
    if unit.groups is None and is_url(source.location):
        # A server that cannot send ranges (no length given) hands out a stream:
        # pyarrow needs to seek to the footer, so such an object is copied whole.
        try:
            with open_seekable(source.location) as handle:
                streamed = not handle.seekable()
        except Exception:  # reading it below reports why, as a problem
            streamed = False
        if streamed:
            return _check_remote(checker, unit, source), ()

    def read() -> Iterator[Document | Problem]:
        if not is_url(source.location):
            yield from read_groups(source.path, unit.display, start, end)
            return
        with open_seekable(source.location) as handle:
            yield from read_groups(handle, unit.display, start, end)

    def items() -> Iterator[Document | Problem]:
        for item in _guarded(reader, unit.display, read()):
            if unit.groups is not None and isinstance(item, Problem):
                problems.append(item)
            else:
                yield item

    return checker.outcome(source, items(), ()), tuple(problems)


def _guarded(
    reader: Reader, display: str, items: Iterator[Document | Problem]
) -> Iterator[Document | Problem]:
    """A reader's items, then what it raised as a problem, as the local engine names it."""
    try:
        yield from items
    except ReadError as exc:
        yield Problem(display, exc.message, exc.line, exc.column)
    except MemoryError:
        yield Problem(display, "file too large to read into memory")
    except OSError as exc:
        yield Problem(display, f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # fsspec's, the storage clients' and the reader's errors vary
        yield Problem(
            display,
            f"cannot read file: reader {type(reader).__name__} ({reader.format}) failed:"
            f" {describe(exc)}",
        )


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

    def __init__(self, partitions: int, rules: Mapping[str, int]) -> None:
        self.partitions = partitions
        self.rules = rules
        self.kind: list[int] = []
        self.part: list[int] = []
        self.rule: list[str] = []
        self.target: list[bool] = []
        self.signature: list[int] = []
        self.keys: list[bytes] = []
        self.payload: list[bytes] = []
        self.entries: list[NDArray[np.void]] = []
        """Key entries (:data:`KEY_ROW`) of the units so far, one array per unit."""

    def _add(
        self,
        kind: int,
        part: int,
        rule: str,
        target: bool,
        signature: int,
        keys: bytes,
        payload: bytes,
    ) -> None:
        self.kind.append(kind)
        self.part.append(part)
        self.rule.append(rule)
        self.target.append(target)
        self.signature.append(signature)
        self.keys.append(keys)
        self.payload.append(payload)

    def outcome(self, outcome: UnitOutcome) -> None:
        blob = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        self._add(OUTCOME, -1, "", outcome.unit.target, -1, b"", blob)

    def signatures(
        self, batches: Iterable[SignatureBatch], target: bool, ordinal: int, date: str = ""
    ) -> NDArray[np.int64]:
        """Add a payload row per signature and its key entries; entries per partition.

        ``ordinal`` is the unit's, ``date`` its file's git date, for signatures whose
        reader found none.
        """
        first = ordinal << ID_BITS
        keys: list[NDArray[np.int64]] = []
        owners: list[tuple[int, int, int]] = []  # (id, rule number, key count)
        for number, (code, found) in enumerate(pairs(batches)):
            signature = found
            if found.target != target or (date and not found.date):
                signature = replace(found, target=target, date=found.date or date)
            payload = pickle.dumps(signature, pickle.HIGHEST_PROTOCOL)
            self._add(PAYLOAD, -1, code, target, first + number, b"", payload)
            held = np.frombuffer(signature.keys, dtype=np.int64)
            keys.append(held)
            owners.append((first + number, self.rules.get(code, UNKNOWN_RULE), len(held)))
        entries = np.zeros(sum(count for _, _, count in owners), dtype=KEY_ROW)
        if len(entries):
            counts = [count for _, _, count in owners]
            entries["key"] = np.concatenate(keys)
            entries["signature"] = np.repeat([owner for owner, _, _ in owners], counts)
            entries["rule"] = np.repeat([rule for _, rule, _ in owners], counts)
            entries["target"] = target
            self.entries.append(entries)
        parts = entries["key"] % self.partitions
        return np.bincount(parts, minlength=self.partitions).astype(np.int64)

    def columns(self) -> Columns:
        """The rows, with one key row per partition that the batch's keys reach."""
        if self.entries:
            entries = np.concatenate(self.entries)
            parts = entries["key"] % self.partitions
            order = np.argsort(parts, kind="stable")
            entries, parts = entries[order], parts[order]
            present, starts = np.unique(parts, return_index=True)
            for part, piece in zip(present.tolist(), np.split(entries, starts[1:]), strict=True):
                self._add(KEYS, part, "", False, -1, piece.tobytes(), b"")
            self.entries.clear()
        return {
            "kind": np.asarray(self.kind, dtype=np.int8),
            "part": np.asarray(self.part, dtype=np.int32),
            "rule": np.asarray(self.rule, dtype=object),
            "target": np.asarray(self.target, dtype=bool),
            "signature": np.asarray(self.signature, dtype=np.int64),
            "keys": _binary(self.keys),
            "payload": _binary(self.payload),
        }


def _binary(values: list[bytes]) -> np.ndarray[Any, np.dtype[Any]]:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def only(kind: int, names: Iterable[str] | None = None) -> Callable[[Batch], Columns]:
    """A batch filter keeping the rows of one kind, and only the columns ``names``."""
    wanted = None if names is None else tuple(names)

    def keep_kind(batch: Batch) -> Columns:
        mask = np.asarray(batch["kind"]) == kind
        kept = batch.keys() if wanted is None else wanted
        return {name: np.asarray(batch[name])[mask] for name in kept}

    return keep_kind


def group_batch(batch: Batch) -> Columns:
    """The kept memberships of the groups of the batch's key rows, and the entries seen.

    A group is kept when two or more distinct signatures share its rule and key and
    one of them is a target's: exactly the groups the local engine judges
    (``KeyIndex.groups`` with the targets wanted). All numpy: no Python object per key.
    """
    out = _Compared()
    blobs = list(batch["keys"])
    entries = np.frombuffer(b"".join(blobs), dtype=KEY_ROW)
    sizes = [len(blob) // KEY_ROW.itemsize for blob in blobs]
    seen: dict[int, int] = defaultdict(int)
    for part, size in zip(np.asarray(batch["part"]).tolist(), sizes, strict=True):
        seen[part] += size
    out.add(PARTS, (list(seen), list(seen.values()), int(entries.nbytes)))
    members = kept_groups(entries)
    if len(members):
        out.add_raw(MEMBERS, members.tobytes())
    return out.columns()


def kept_groups(entries: NDArray[np.void]) -> NDArray[np.void]:
    """The :data:`MEMBER` entries of the groups of ``entries`` the local engine judges.

    Those of two or more distinct signatures, one of them a target's.
    """
    if not len(entries):
        return np.zeros(0, dtype=MEMBER)
    rule, key, owner = entries["rule"], entries["key"], entries["signature"]
    order = np.lexsort((owner, key, rule))
    rule, key, owner = rule[order], key[order], owner[order]
    target = entries["target"][order].astype(bool)
    changed = (rule[1:] != rule[:-1]) | (key[1:] != key[:-1])
    distinct = np.r_[True, changed | (owner[1:] != owner[:-1])]  # a key held twice is one
    rule, key, owner, target = rule[distinct], key[distinct], owner[distinct], target[distinct]
    starts = np.flatnonzero(np.r_[True, (rule[1:] != rule[:-1]) | (key[1:] != key[:-1])])
    sizes = np.diff(np.r_[starts, len(key)])
    keep = (sizes >= 2) & np.logical_or.reduceat(target, starts)
    chosen = np.repeat(keep, sizes)
    members = np.zeros(int(chosen.sum()), dtype=MEMBER)
    members["signature"], members["key"] = owner[chosen], key[chosen]
    members["anchor"] = np.repeat(owner[starts][keep], sizes[keep])  # sorted: the lowest
    return members


def kept_members(blobs: Iterable[bytes]) -> Members:
    """Memberships from group batches, sorted by signature id and key, without repeats."""
    members = np.frombuffer(b"".join(blobs), dtype=MEMBER)
    order = np.lexsort((members["key"], members["signature"]))
    members = members[order]
    if len(members) > 1:
        same = (members["signature"][1:] == members["signature"][:-1]) & (
            members["key"][1:] == members["key"][:-1]
        )
        members = members[np.r_[True, ~same]]
    return members


def by_bundle(members: Members, firsts: Iterable[int]) -> list[Members]:
    """``members`` cut into the bundles of units whose first ordinals are ``firsts``.

    Bundles hold consecutive units, so the memberships of each bundle's signatures are
    a slice of the sorted ones: each join task gets only its own bundle's.
    """
    firsts = np.asarray(list(firsts), dtype=np.int64)
    ordinals = members["signature"] >> ID_BITS
    cuts = np.searchsorted(ordinals, firsts[1:], side="left")
    return list(np.split(members, cuts))


def joined_rows(members: Members, partitions: int) -> NDArray[np.int64]:
    """Rows per partition that :func:`join_batch` makes of these memberships."""
    if not len(members):
        return np.zeros(partitions, dtype=np.int64)
    pairs = np.unique(
        np.stack((members["signature"], members["anchor"] % partitions), axis=1), axis=0
    )
    return np.bincount(pairs[:, 1], minlength=partitions).astype(np.int64)


def join_batch(batch: Batch, members: Members, spec: Spec) -> Columns:
    """The payload rows of kept signatures, once per partition of their kept groups.

    Each row carries only the keys of the signature's kept groups judged in its
    partition (see :data:`MEMBER`), so the compare batch groups exactly the kept groups.
    ``members`` must hold every membership of the batch's signatures (it may hold
    others).
    """
    owners = np.asarray(batch["signature"], dtype=np.int64)
    low = np.searchsorted(members["signature"], owners, side="left")
    high = np.searchsorted(members["signature"], owners, side="right")
    parts: list[int] = []
    rules: list[str] = []
    targets: list[bool] = []
    keys: list[bytes] = []
    payloads: list[bytes] = []
    for row in np.flatnonzero(high > low).tolist():
        held = members["key"][low[row] : high[row]]
        where = members["anchor"][low[row] : high[row]] % spec.partitions
        for part in np.unique(where).tolist():
            parts.append(part)
            rules.append(str(batch["rule"][row]))
            targets.append(bool(batch["target"][row]))
            keys.append(held[where == part].tobytes())
            payloads.append(batch["payload"][row])
    return {
        "part": np.asarray(parts, dtype=np.int32),
        "rule": np.asarray(rules, dtype=object),
        "target": np.asarray(targets, dtype=bool),
        "keys": _binary(keys),
        "payload": _binary(payloads),
    }


def compare_batch(batch: Batch, spec: Spec) -> Columns:
    """Judge every group of the batch's partitions; findings, errors and rows received.

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
    size = sum(len(k) + len(p) for k, p in zip(keys, payloads, strict=True))
    out.add(PARTS, (parts.tolist(), sizes.tolist(), size))
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
    """Output columns of a compare or group batch: a kind and a payload per row.

    Payloads are pickled, but for :data:`MEMBERS` rows: packed :data:`MEMBER` entries.
    """

    def __init__(self) -> None:
        self.kinds: list[int] = []
        self.payloads: list[bytes] = []

    def add(self, kind: int, item: object) -> None:
        self.add_raw(kind, pickle.dumps(item, pickle.HIGHEST_PROTOCOL))

    def add_raw(self, kind: int, payload: bytes) -> None:
        self.kinds.append(kind)
        self.payloads.append(payload)

    def columns(self) -> Columns:
        return {"kind": np.asarray(self.kinds, dtype=np.int8), "payload": _binary(self.payloads)}


@dataclass
class Gathered:
    """The driver's view of a distributed run: outcomes, findings and shuffle checks."""

    outcomes: list[UnitOutcome] = field(default_factory=list)
    kept: dict[tuple[str, str, Span], tuple[Violation, Age]] = field(default_factory=dict)
    """One finding per rule and place, with the age of the copy it names."""
    errors: list[str] = field(default_factory=list)
    grouped: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Key entries of each partition, per group batch that held some."""
    members: list[bytes] = field(default_factory=list)
    """Packed :data:`MEMBER` entries of the kept groups, as the group batches sent them."""
    joined: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """Joined rows sent to each partition (:func:`joined_rows`), once known."""
    seen: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Joined rows of each partition, per compare batch that held some."""
    joined_bytes: int = 0
    """Bytes of keys and signatures in the joined rows (what the second shuffle moves)."""

    def add_grouped(self, batch: Batch) -> None:
        for kind, payload in zip(batch["kind"], batch["payload"], strict=True):
            if kind == MEMBERS:
                self.members.append(bytes(payload))
            else:
                parts, sizes, _ = pickle.loads(payload)
                for part, size in zip(parts, sizes, strict=True):
                    self.grouped[part].append(size)

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
                parts, sizes, size = item
                self.joined_bytes += size
                for part, rows in zip(parts, sizes, strict=True):
                    self.seen[part].append(rows)

    @property
    def best(self) -> list[Violation]:
        """The finding kept at each rule and place."""
        return [violation for violation, _ in self.kept.values()]

    @property
    def member_bytes(self) -> int:
        """Bytes of the kept memberships: sent to the driver, and from it to the joins."""
        return sum(map(len, self.members))

    @property
    def shuffled(self) -> int:
        """Bytes moved between the passes.

        Key entries, memberships to the driver and back, and the joined rows.
        """
        keys = sum(o.shuffled for o in self.outcomes)
        return keys + 2 * self.member_bytes + self.joined_bytes

    def split_partitions(self) -> dict[str, list[int]]:
        """Partitions that did not reach one batch whole, per shuffle.

        The shuffles are named ``keys`` and ``signatures``; a group cut in two may lose
        findings.
        """
        sent = [np.frombuffer(o.rows_per_partition, np.int64) for o in self.outcomes]
        sent = [counts for counts in sent if len(counts)]
        expected = np.sum(sent, axis=0) if sent else np.zeros(0, np.int64)
        split = {
            "keys": _split(expected, self.grouped),
            "signatures": _split(self.joined, self.seen),
        }
        return {name: parts for name, parts in split.items() if parts}


def _split(expected: NDArray[np.int64], seen: Mapping[int, list[int]]) -> list[int]:
    """Partitions whose rows did not arrive as one batch of ``expected[part]`` rows."""
    whole = [[int(rows)] if rows else [] for rows in expected]
    strays = sorted(set(seen) - set(range(len(whole))))
    return [part for part, want in enumerate(whole) if seen.get(part, []) != want] + strays


def _preference(violation: Violation) -> tuple[tuple[object, ...], str]:
    """``corpuslint.run.executor.keep``'s order: related copy first, then message."""
    return (violation.related, violation.message)
