"""Signatures column by column: a file's as they cross processes and the cache, a rule's in the run.

At 100k articles the corpus pass holds a million signatures. As objects (a
``Signature`` with its span, text, keys and sketch) each cost five allocations and
about 300 bytes besides its data, and unpickling them was most of the parent's work in
the document pass. A :class:`SignatureBatch` holds one file's signatures as a few
strings and byte arrays; a :class:`SignatureTable` appends a rule's batches into
flat arrays and makes a ``Signature`` only for a member of a group that is judged.
"""

from __future__ import annotations

import itertools
import operator
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from corpuslint.model import Signature, Span
from corpuslint.similarity.grouping import KeyIndex

_KEY = 8  # bytes of one packed key (int64)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate survives the trip


def _decode(data: bytes | bytearray | memoryview) -> str:
    return str(data, "utf-8", "surrogatepass")


@dataclass(frozen=True)
class SignatureBatch(Sequence[Signature]):
    """One corpus rule's signatures of one file, in their order, column by column.

    A sequence of signatures like the list it was packed from. The integer columns are
    native ``array`` bytes: ``key_counts``, ``text_sizes`` and ``sketch_sizes`` hold a
    ``uint32`` per signature, ``spans`` four ``int32``.
    """

    code: str
    """The rule's code."""
    keys: bytes = b""
    key_counts: bytes = b""
    paths: tuple[str, ...] = ()
    records: tuple[str | None, ...] = ()
    labels: tuple[str, ...] = ()
    spans: bytes = b""
    texts: bytes = b""
    """Every text, UTF-8, end to end."""
    text_sizes: bytes = b""
    targets: bytes = b""
    """One byte a signature: 1 for ``Signature.target``."""
    sketches: bytes = b""
    sketch_sizes: bytes = b""
    dates: tuple[str, ...] = ()
    """Each signature's ``Signature.date``; empty when none is known for any of them."""

    @classmethod
    def pack(cls, code: str, signatures: Sequence[Signature]) -> SignatureBatch:
        """The batch of these signatures of rule ``code``."""
        # One pass over the signatures: this runs for every file, in the workers.
        keys, texts, sketches = [], [], []
        paths, records, labels, dates = [], [], [], []
        spans: list[int] = []
        targets = bytearray()
        for s in signatures:
            keys.append(s.keys)
            texts.append(_encode(s.text))
            sketches.append(s.sketch)
            paths.append(s.path)
            records.append(s.record)
            labels.append(s.label)
            dates.append(s.date)
            span = s.span
            spans += (span.line, span.column, span.end_line, span.end_column)
            targets.append(s.target)
        return cls(
            code,
            b"".join(keys),
            array("I", [len(k) // _KEY for k in keys]).tobytes(),
            tuple(paths),
            tuple(records),
            tuple(labels),
            array("i", spans).tobytes(),
            b"".join(texts),
            array("I", map(len, texts)).tobytes(),
            bytes(targets),
            b"".join(sketches),
            array("I", map(len, sketches)).tobytes(),
            tuple(dates) if any(dates) else (),
        )

    def __reduce__(self) -> tuple[type[SignatureBatch], tuple[Any, ...]]:
        # A tuple of fields, not the generic dataclass state: one dict less per file.
        fields = (self.code, self.keys, self.key_counts, self.paths, self.records, self.labels)
        rest = (self.spans, self.texts, self.text_sizes, self.targets, self.sketches)
        return (SignatureBatch, (*fields, *rest, self.sketch_sizes, self.dates))

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, index: int) -> Signature: ...

    @overload
    def __getitem__(self, index: slice) -> list[Signature]: ...

    def __getitem__(self, index: int | slice) -> Signature | list[Signature]:
        return list(self)[index]  # makes them all: a batch is one file's, and read whole

    def __iter__(self) -> Iterator[Signature]:
        table = SignatureTable()
        table.add(self)
        return iter(table.members(range(len(self))))


def pack(pairs: Iterable[tuple[str, Signature]]) -> tuple[SignatureBatch, ...]:
    """(code, signature) pairs as a batch per code, codes in order of first appearance."""
    by_code: dict[str, list[Signature]] = {}
    for code, signature in pairs:
        by_code.setdefault(code, []).append(signature)
    return tuple(SignatureBatch.pack(code, found) for code, found in by_code.items())


def pairs(batches: Iterable[SignatureBatch]) -> Iterator[tuple[str, Signature]]:
    """Each signature of these batches with its rule's code."""
    for batch in batches:
        for signature in batch:
            yield batch.code, signature


class SignatureTable(Sequence[Signature]):
    """Every signature of one corpus rule in a run, in flat arrays, numbered as appended.

    ``table[i]`` makes signature ``i`` (once: it is kept for the next group that holds
    it). Its target flag is the one its file was appended with, whatever was cached.
    ``key_index``, ``document_numbers`` and ``sketch_rows`` serve the corpus pass
    without making any signature; while a key index is in use, nothing can be appended.
    """

    def __init__(self) -> None:
        self._keys = bytearray()  # int64 keys, packed
        self._key_counts = array("I")
        self._paths: list[str] = []
        self._records: list[str | None] = []
        self._labels: list[str] = []
        self._spans = array("i")
        self._texts = bytearray()
        self._text_sizes = array("I")
        self._targets = bytearray()
        self._sketches = bytearray()
        self._sketch_sizes = array("I")
        self._dates: list[str] = []
        self._sealed: _Sealed | None = None

    def add(self, batch: SignatureBatch, target: bool | None = None) -> None:
        """Append the batch's signatures, all with this target flag (``None``: their own)."""
        self._sealed = None
        self._keys += batch.keys
        self._key_counts.frombytes(batch.key_counts)
        self._paths.extend(batch.paths)
        self._records.extend(batch.records)
        self._labels.extend(batch.labels)
        self._spans.frombytes(batch.spans)
        self._texts += batch.texts
        self._text_sizes.frombytes(batch.text_sizes)
        if target is None:
            self._targets += batch.targets
        else:
            self._targets += b"\1" * len(batch) if target else bytes(len(batch))
        self._sketches += batch.sketches
        self._sketch_sizes.frombytes(batch.sketch_sizes)
        self._dates.extend(batch.dates or ("",) * len(batch))

    def __len__(self) -> int:
        return len(self._paths)

    @overload
    def __getitem__(self, index: int) -> Signature: ...

    @overload
    def __getitem__(self, index: slice) -> list[Signature]: ...

    def __getitem__(self, index: int | slice) -> Signature | list[Signature]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("signature number out of range")
        return self.members((index,))[0]

    def _seal(self) -> _Sealed:
        """Where each signature's data ends in its column (worked out once, after appending)."""
        if self._sealed is None:
            self._sealed = _Sealed(
                memoryview(self._keys),
                _cumulative(self._key_counts, _KEY),
                memoryview(self._texts),
                _cumulative(self._text_sizes),
                memoryview(self._sketches),
                _cumulative(self._sketch_sizes),
                [None] * len(self),
            )
        return self._sealed

    def members(self, numbers: Iterable[int]) -> list[Signature]:
        """The signatures of these numbers (``[table[n] for n in numbers]``, faster)."""
        made = self._seal().made
        found = []
        for number in numbers:
            signature = made[number]
            if signature is None:
                signature = made[number] = self._make(number)
            found.append(signature)
        return found

    def _make(self, i: int) -> Signature:
        sealed = self._sealed
        assert sealed is not None
        keys, texts, sketches = sealed.key_ends, sealed.text_ends, sealed.sketch_ends
        spans = self._spans
        at = 4 * i
        return Signature(
            bytes(sealed.keys[keys[i] : keys[i + 1]]),
            self._paths[i],
            Span(spans[at], spans[at + 1], spans[at + 2], spans[at + 3]),
            _decode(sealed.texts[texts[i] : texts[i + 1]]),
            self._records[i],
            self._labels[i],
            self._targets[i] == 1,
            bytes(sealed.sketches[sketches[i] : sketches[i + 1]]),
            self._dates[i],
        )

    def date_missing(self, dates: Callable[[Collection[str]], Mapping[str, str]]) -> None:
        """Give each signature without a date the one ``dates`` tells for its path.

        The engine's fallback for documents whose reader found no date (when their file
        first entered git): ``dates`` is asked once, for every path that lacks one, and
        leaves out the paths it does not know. Call it before the first signature is made.
        """
        # A million signatures at 100,000 articles: filtered in C, one comprehension.
        lacking = set(itertools.compress(self._paths, map(operator.not_, self._dates)))
        if not lacking:
            return
        told = dates(lacking).get
        every = zip(self._paths, self._dates, strict=True)
        self._dates[:] = [date or told(path, "") for path, date in every]
        self._sealed = None

    def dates(self) -> list[str]:
        """Each signature's date, by number (``""`` where unknown)."""
        return self._dates

    def paths(self) -> list[str]:
        """Each signature's path, by number."""
        return self._paths

    def target_flags(self) -> list[bool]:
        """Each signature's target flag, by number."""
        return [flag == 1 for flag in self._targets]

    def span_starts(self) -> list[tuple[int, int]]:
        """Each signature's first line and column, by number."""
        spans = self._spans
        return [(spans[at], spans[at + 1]) for at in range(0, len(spans), 4)]

    def targets(self) -> NDArray[np.intp]:
        """The numbers of the signatures appended as targets."""
        return np.flatnonzero(np.frombuffer(self._targets, dtype=np.uint8))

    def key_index(self) -> KeyIndex:
        """Every signature's keys, for grouping."""
        return KeyIndex.of(self._keys, self._key_counts)

    def document_numbers(self) -> NDArray[np.int64]:
        """A number per signature, the same for signatures of one document (path and record)."""
        numbers: dict[tuple[str, str | None], int] = {}
        return np.fromiter(
            (
                numbers.setdefault(place, len(numbers))
                for place in zip(self._paths, self._records, strict=True)
            ),
            dtype=np.int64,
            count=len(self),
        )

    def sketch_rows(self, size: int) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
        """Every sketch of ``size`` bytes as a row (zeros for other sizes), and which are."""
        sizes = np.frombuffer(self._sketch_sizes, dtype=np.uint32)
        known = sizes == size
        rows = np.zeros((len(self), size), dtype=np.uint8)
        if known.all():
            rows[:] = np.frombuffer(self._sketches, dtype=np.uint8).reshape(-1, size)
        elif known.any():
            data = np.frombuffer(self._sketches, dtype=np.uint8)
            ends = np.cumsum(sizes, dtype=np.int64)
            starts = ends[known] - size
            rows[known] = data[starts[:, np.newaxis] + np.arange(size)]
        return rows, known


class CorpusSignatures:
    """A run's signatures, a table per corpus rule, appended file by file as they come.

    Appending each file's batches at once, and letting go of them, keeps one copy of
    the signatures in memory: a list of every file's batches would be a second.
    """

    def __init__(self, codes: Iterable[str]) -> None:
        self._tables = {code: SignatureTable() for code in codes}

    def add(self, batches: Iterable[SignatureBatch], target: bool) -> None:
        """Append one file's batches (of rules not in the run: ignored)."""
        for batch in batches:
            table = self._tables.get(batch.code)
            if table is not None:
                table.add(batch, target)

    def take(self, code: str) -> SignatureTable:
        """The table of rule ``code``, given up by this collection (to be freed after use)."""
        return self._tables.pop(code, None) or SignatureTable()


@dataclass(frozen=True)
class _Sealed:
    """A table's columns as views, and where each signature's part of them ends.

    The views keep the columns from growing: :meth:`SignatureTable.add` drops them first.
    """

    keys: memoryview
    key_ends: array[int]
    """Byte offsets: signature ``i``'s keys end at ``key_ends[i + 1]``. (Arrays, not numpy:
    indexing one gives a Python int at once, and slicing with numpy integers is slow.)"""
    texts: memoryview
    text_ends: array[int]
    sketches: memoryview
    sketch_ends: array[int]
    made: list[Signature | None]


def _cumulative(sizes: array[int], unit: int = 1) -> array[int]:
    """Ends of items of these sizes (times ``unit``) after a leading 0."""
    ends = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(sizes, dtype=np.uint32), out=ends[1:])
    ends *= unit
    return array("q", ends.tobytes())
