"""The rule executor every engine shares: runs the selected rules on one file at a time.

A :class:`Checker` reads a file with its reader, runs the document rules on targets and
collects every corpus rule's signatures (the document pass of one file); in the corpus
pass it asks each corpus rule for its pair test and lets it judge a group. Which files
and groups it sees, in which processes, is the engine's business.

Every call into a rule runs under the plan's time budget (``rule-timeout``, see
``corpuslint._support.budget``): a call that runs longer is reported as an internal error.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from corpuslint import plugins
from corpuslint._support import budget
from corpuslint.core_rules import UnreadableDocument
from corpuslint.model import Directive, Document, Notice, Problem, Signature, Span, Violation
from corpuslint.outcome import FileOutcome
from corpuslint.readers import limits
from corpuslint.readers.base import Reader, ReadError
from corpuslint.readers.limits import describe
from corpuslint.rule import CorpusRule, Crowded, DocumentRule, PairTest, Rule
from corpuslint.run.discover import SourceFile
from corpuslint.run.plan import Plan
from corpuslint.run.suppress import parse as parse_directives
from corpuslint.similarity.hashing import content_digest, file_digest
from corpuslint.similarity.signatures import CorpusSignatures, pack

_T = TypeVar("_T")


class RuleEscaped(Exception):
    """A rule raised ``SystemExit`` or another ``BaseException`` that is not an interrupt."""


class Occurrences:
    """Counts identical problems of one file, so each finding's fingerprint stays apart."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}

    def next(self, problem: Problem) -> int:
        """How many identical problems of the same file came before this one."""
        key = (problem.path, problem.message)
        count = self._seen[key] = self._seen.get(key, -1) + 1
        return count


class Checker:
    """Runs the selected rules of a plan on one file at a time (one per process)."""

    def __init__(self, registry: plugins.Registry, plan: Plan) -> None:
        self.registry = registry
        self.plan = plan
        rules = [registry.rules[code]() for code in plan.codes if code in registry.rules]
        self.document_rules = [r for r in rules if isinstance(r, DocumentRule)]
        self.corpus_rules = [r for r in rules if isinstance(r, CorpusRule)]
        self.unreadable = UnreadableDocument() if UnreadableDocument.code in plan.codes else None
        self._readers: dict[str, Reader] = {}

    def reader(self, source: SourceFile) -> Reader | None:
        """The reader for a file, created once per format with its settings."""
        cls = self.registry.reader_for_name(source.path.name)
        if cls is None:
            return None
        if cls.format not in self._readers:
            self._readers[cls.format] = cls(self.plan.reader_settings.get(cls.format))
        return self._readers[cls.format]

    def _internal(self, rule: Rule, where: str, exc: BaseException) -> str:
        """The error line for a rule call that raised, returned garbage or ran out of time."""
        plugin = self.registry.rule_plugins.get(rule.code, "?")
        what = f"internal error: rule {rule.code} ({rule.name}) from plugin {plugin!r}"
        if isinstance(exc, budget.BudgetExceeded):
            limit = f"{self.plan.rule_timeout:g} s"
            return f"{what} exceeded its time budget of {limit} on {where} (see rule-timeout)"
        return f"{what} failed on {where}: {type(exc).__name__}: {exc}"

    def _call(self, hook: Callable[..., Iterable[_T]], *args: Any) -> list[_T]:
        """Everything a rule's hook yields for ``args``, within the plan's time budget.

        A rule that calls ``sys.exit`` (or raises another ``BaseException`` that is not
        an interrupt) is a rule that failed, named like one that raised: it must not end
        the run, or a worker process, as if everything had been checked.
        """
        try:
            return budget.within(self.plan.rule_timeout, lambda: list(hook(*args)))
        except KeyboardInterrupt:
            raise
        except Exception:
            raise
        except BaseException as exc:
            raise RuleEscaped(f"{type(exc).__name__}: {exc}") from None

    def documents(
        self, source: SourceFile, data: bytes | None = None
    ) -> Iterator[Document | Problem | str]:
        """The file's documents and problems.

        ``data`` is the file's content when the caller has read it already. Whatever a
        reader raises is a problem of the file (a CL001 finding where it is a target),
        never an error of the run: readers meet hostile data (nesting past Python's
        recursion limit, values no parser accepts), and it belongs to its file.
        """
        reader = self.reader(source)
        if reader is None:
            yield Problem(source.display, f"no reader for {source.path.suffix!r} files")
            return
        try:
            if data is None and source.buffer is not None:
                yield from _buffered(reader, source, source.buffer)
            elif data is None:
                yield from reader.read(source.path, source.display)
            else:
                yield from reader.parse(data, source.display)
        except ReadError as exc:
            yield Problem(source.display, exc.message, exc.line, exc.column)
        except (OSError, MemoryError) as exc:
            yield _unreadable(source, exc)
        except Exception as exc:  # RecursionError, ValueError, lxml's and yaml's errors...
            yield Problem(
                source.display,
                f"cannot read file: reader {type(reader).__name__} ({reader.format}) failed:"
                f" {describe(exc)}",
            )

    def check(self, source: SourceFile) -> FileOutcome:
        """Read one file, run document rules (on targets) and collect signatures.

        A file that may hold suppression comments is read once for its reader and its
        comments when the reader parses bytes (Markdown and HTML do).
        """
        return self._check(source, digest=False)[0]

    def check_with_digest(self, source: SourceFile) -> tuple[FileOutcome, str]:
        """:meth:`check`, and the digest of what was read (``""`` if it could not be read).

        For a cached run: the file is read once for its outcome and its digest.
        """
        return self._check(source, digest=True)

    def _check(self, source: SourceFile, digest: bool) -> tuple[FileOutcome, str]:
        reader = self.reader(source)
        if source.buffer is not None:  # content in memory: the file is not read
            comments = reader is not None and reader.comments
            directives = _comments(source.buffer) if comments else ()
            outcome = self.outcome(source, self.documents(source), directives)
            return outcome, content_digest(source.buffer) if digest else ""
        if reader is None or not reader.parses_bytes or not reader.comments:
            # Digest first: if the file changes before the reader is done, the entry
            # then holds the old digest, which the next run sees differ, not the new one.
            content = _file_digest(source) if digest else ""
            return self.outcome(source, self.documents(source)), content
        try:
            data = reader.load(source.path)
        except ReadError as exc:  # over the reader's file budget
            problem = Problem(source.display, exc.message, exc.line, exc.column)
            return self.outcome(source, [problem], ()), ""
        except (OSError, MemoryError) as exc:
            return self.outcome(source, [_unreadable(source, exc)], ()), ""
        outcome = self.outcome(source, self.documents(source, data), _comments(data))
        return outcome, content_digest(data) if digest else ""

    def outcome(
        self,
        source: SourceFile,
        items: Iterable[Document | Problem | str],
        directives: tuple[Directive, ...] | None = None,
    ) -> FileOutcome:
        """Run document rules (on targets) and collect signatures of already read items.

        ``items`` is what a reader yielded for ``source`` (or for a part of it, such as
        a block of a large JSONL file read by another engine); ``directives`` are the
        file's suppression comments, read from the file when not given.
        """
        violations: list[Violation] = []
        signatures: list[tuple[str, Signature]] = []
        errors: list[str] = []
        notices: list[str] = []
        occurrences = Occurrences()
        count = 0
        options = self.plan.document_options(source.relative)  # its closest configuration's
        with budget.handler(self.plan.rule_timeout):
            for item in items:
                if isinstance(item, str):
                    errors.append(item)
                elif isinstance(item, Problem):
                    if self.unreadable is not None:
                        seen = occurrences.next(item)
                        violations.append(self.unreadable.from_problem(item, seen))
                else:
                    count += 1
                    if source.target or self.plan.check_all:
                        notices.extend(_document_notice_line(item, m) for m in item.notices)
                        violations.extend(self._check_document(item, options, errors, notices))
                    signatures.extend(self._signatures(item, errors))
        if directives is None:
            reader = self.reader(source)
            directives = _directives(source) if reader is not None and reader.comments else ()
        return FileOutcome(
            tuple(violations), pack(signatures), tuple(errors), count, directives, tuple(notices)
        )

    def _check_document(
        self,
        document: Document,
        options: Mapping[str, Mapping[str, Any]],
        errors: list[str],
        notices: list[str],
    ) -> Iterator[Violation]:
        """Each document rule's findings; notices go to ``notices`` and failures to ``errors``.

        ``options`` are the document rules' options for the document's file.
        """
        for rule in self.document_rules:
            try:
                found = self._call(rule.check, document, options[rule.code])
                _expect(found, (Violation, Notice), "check")
            except Exception as exc:
                errors.append(self._internal(rule, document.path, exc))
                continue
            for item in found:
                if isinstance(item, Notice):
                    notices.append(_notice_line(rule, item))
                else:
                    yield item

    def _signatures(self, document: Document, errors: list[str]) -> Iterator[tuple[str, Signature]]:
        """Each corpus rule's signatures of ``document``, tagged with its code."""
        for rule in self.corpus_rules:
            try:
                found = self._call(rule.signatures, document, self.plan.options[rule.code])
                _expect(found, Signature, "signatures")
                _expect_keys(found)
            except Exception as exc:
                errors.append(self._internal(rule, document.path, exc))
                continue
            for signature in found:
                yield rule.code, signature

    def signatures(self) -> CorpusSignatures:
        """An empty collection of signatures for :meth:`compare`, a table per corpus rule."""
        return CorpusSignatures(rule.code for rule in self.corpus_rules)

    def pair_test(
        self, rule: CorpusRule, found: Sequence[Signature], errors: list[str]
    ) -> PairTest | None:
        """The rule's test of candidate pairs (see ``CorpusRule.pair_test``), failing safe.

        If getting the test or running it fails, the error is reported and every pair
        goes on to ``compare``: the test only ever saves time.
        """
        try:
            test = budget.within(
                self.plan.rule_timeout,
                lambda: rule.pair_test(found, self.plan.options[rule.code]),
            )
        except Exception as exc:
            errors.append(self._internal(rule, "the corpus pass (pair test)", exc))
            return None
        if test is None:
            return None
        failed: list[bool] = []

        def guarded(first: NDArray[np.int32], second: NDArray[np.int32]) -> NDArray[np.bool_]:
            if not failed:
                try:
                    kept = np.asarray(test(first, second), dtype=bool)
                    if kept.shape == first.shape:
                        return kept
                    raise ValueError(f"{kept.shape} answers for {len(first)} pairs")
                except Exception as exc:  # a plugin's bug: name it, keep going
                    failed.append(True)
                    errors.append(self._internal(rule, "the corpus pass (pair test)", exc))
            return np.ones(len(first), dtype=bool)

        return guarded

    def crowded(self, rule: CorpusRule, errors: list[str]) -> Crowded:
        """The rule's bound on how widely held a judged key can be (``CorpusRule.crowded``).

        If asking fails or gives something else than counts, the error is reported and
        there is no bound: the bound only ever saves time.
        """
        try:
            found = budget.within(
                self.plan.rule_timeout, lambda: rule.crowded(self.plan.options[rule.code])
            )
            bounds = (found.first_key, found.other_keys) if isinstance(found, Crowded) else ()
            if not bounds or not all(b is None or (type(b) is int and b >= 0) for b in bounds):
                raise TypeError(f"crowded() returned {found!r}, not a Crowded of counts")
        except Exception as exc:
            errors.append(self._internal(rule, "the corpus pass (crowded)", exc))
            return Crowded()
        return found

    def judge(
        self,
        rule: CorpusRule,
        key: int,
        group: Sequence[Signature],
        best: dict[tuple[str, Span], Violation],
        errors: list[str],
    ) -> None:
        """Let ``rule`` compare one group sharing ``key``; keep one finding per place in ``best``.

        Any engine calls this for every group that holds a target's signature; the
        groups may come in any order and be spread over processes, because :func:`keep`
        picks the same finding whatever the order.
        """
        try:
            verdicts = self._call(rule.compare, key, group, self.plan.options[rule.code])
            _expect(verdicts, Violation, "compare")
        except Exception as exc:
            errors.append(self._internal(rule, f"the corpus pass (key {key})", exc))
            return
        for violation in verdicts:
            keep(best, violation)


def _expect(items: list[Any], kind: type | tuple[type, ...], hook: str) -> None:
    """Reject what a plugin returned if it is not what the contract says (a TypeError)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for item in items:
        if not isinstance(item, kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise TypeError(f"{hook}() returned {type(item).__name__} {item!r:.60}, not {expected}")


def _expect_keys(signatures: list[Signature]) -> None:
    """Reject signatures whose keys are not whole int64s: they would shift every key after."""
    for signature in signatures:
        if len(signature.keys) % 8:
            raise TypeError(
                f"signatures() returned keys of {len(signature.keys)} bytes, not a multiple"
                " of 8 (pack them with corpuslint.similarity.hashing.pack)"
            )


def _notice_line(rule: Rule, notice: Notice) -> str:
    """How a rule's notice reaches the user: the file (and record), the rule, the message."""
    where = f"{notice.path} (record {notice.record})" if notice.record else notice.path
    return f"{where}: {rule.code} {notice.message}"


def _document_notice_line(document: Document, message: str) -> str:
    """How a reader's notice about a document (``Document.notices``) reaches the user.

    Printed whatever rules are selected: a page whose article was missed matters to
    every rule, so no rule code names it.
    """
    where = f"{document.path} (record {document.record})" if document.record else document.path
    return f"{where}: {message}"


def _buffered(reader: Reader, source: SourceFile, data: bytes) -> Iterator[Document | Problem]:
    """The documents of content in memory that stands for ``source`` (see ``Buffer``).

    Parsed as bytes where the reader can, read as a stream of lines (gzip inflated under
    the reader's budgets) where it reads streams, and otherwise from a private temporary
    copy with the file's name: the file itself is never read.
    """
    limits.check_size(len(data), reader.options, reader.format)
    if reader.parses_bytes:
        yield from reader.parse(data, source.display)
    elif type(reader).read_stream is not Reader.read_stream:
        raw = io.BytesIO(data)
        if data[:2] == b"\x1f\x8b":  # gzip, known by its magic number as on disk
            options, fmt = reader.options, reader.format
            with io.BufferedReader(limits.InflateBudget(raw, options, fmt)) as inflated:
                yield from reader.read_stream(inflated, source.display)
        else:
            yield from reader.read_stream(raw, source.display)
    else:
        with tempfile.TemporaryDirectory(prefix="corpuslint-") as folder:
            copy = Path(folder) / source.path.name
            copy.write_bytes(data)
            yield from reader.read(copy, source.display)


def _directives(source: SourceFile) -> tuple[Directive, ...]:
    """The file's suppression comments (its read errors are the reader's to report)."""
    try:
        return _comments(source.path.read_bytes())
    except (OSError, MemoryError):
        return ()


def _comments(data: bytes) -> tuple[Directive, ...]:
    """The suppression comments in a file's bytes."""
    if b"corpuslint-" not in data:  # as ``parse`` asks of the text, without decoding it
        return ()
    # utf-8-sig: the readers drop a BOM, so columns must not count it either.
    return parse_directives(data.decode("utf-8-sig", "replace"))


def _file_digest(source: SourceFile) -> str:
    """The file's content digest; ``""`` if it cannot be read."""
    try:
        return file_digest(source.path)
    except OSError:
        return ""


def _unreadable(source: SourceFile, exc: OSError | MemoryError) -> Problem:
    """The problem of a file that cannot be read at all."""
    if isinstance(exc, MemoryError):
        return Problem(source.display, "file too large to read into memory")
    return Problem(source.display, f"cannot read file: {exc.strerror or exc}")


def keep(best: dict[tuple[str, Span], Violation], violation: Violation) -> None:
    """Keep one finding per place: the one whose related copy comes first (then by message)."""
    place = (violation.path, violation.span)
    kept = best.get(place)
    if kept is None or _preference(violation) < _preference(kept):
        best[place] = violation


def _preference(violation: Violation) -> tuple[tuple[Any, ...], str]:
    return (violation.related, violation.message)
