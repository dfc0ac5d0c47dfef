"""The data that flows through corpuslint: spans, blocks, documents, findings, signatures.

Every value here is a frozen dataclass, so readers, rules and engines can share them
across threads and processes without copying or defensive checks.
"""

from __future__ import annotations

import enum
import hashlib
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


class Severity(enum.IntEnum):
    """How much a finding matters; ordered so that ``--fail-on`` can compare."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Read a severity name as written in config or on the command line."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A region of a file: 1-based lines and columns, ``end_column`` exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        """An empty span at one position, for findings about a place rather than a text."""
        return cls(line, column, line, column)

    def __reduce__(self) -> tuple[type[Span], tuple[int, int, int, int]]:
        # Slotted frozen dataclasses unpickle through dataclasses' generic __setstate__,
        # which is slow enough to dominate a run that moves millions of spans between
        # processes; a plain constructor call is not.
        return (Span, (self.line, self.column, self.end_line, self.end_column))

    def cover(self, other: Span) -> Span:
        """The smallest span holding both spans."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(start[0], start[1], end[0], end[1])


class BlockKind(str, enum.Enum):
    """What a block of text is; rules decide which kinds they compare.

    Readers mark each block they keep. Paragraphs and quotes are running prose; list
    items, table cells, definitions and footnotes are prose that documents repeat on
    purpose (a feature list, a row label); captions (image alt text), tables of contents,
    code and template markup (Hugo shortcodes, Liquid tags, MDX imports) are not prose.
    """

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list-item"
    QUOTE = "quote"
    TABLE_CELL = "table-cell"
    DEFINITION = "definition"
    """A term or a definition of a definition list."""
    FOOTNOTE = "footnote"
    CAPTION = "caption"
    """Text standing for an image: Markdown alt text, an image-only paragraph."""
    CONTENTS = "contents"
    """An entry of a table of contents (a list item that only links into the page)."""
    CODE = "code"
    MARKUP = "markup"
    """Template markup: Hugo shortcodes, Jekyll/Liquid tags, MDX imports and components."""

    @classmethod
    def parse_kinds(cls, names: Iterable[str]) -> frozenset[BlockKind]:
        """The kinds a setting names (``["paragraph", "list-item"]``); ``ValueError`` if unknown."""
        kinds = set()
        for name in names:
            try:
                kinds.add(cls(name.strip().lower()))
            except ValueError:
                known = ", ".join(k.value for k in cls)
                message = f"unknown block kind {name!r} (expected one of: {known})"
                raise ValueError(message) from None
        return frozenset(kinds)


PROSE_KINDS = frozenset(
    (
        BlockKind.PARAGRAPH,
        BlockKind.QUOTE,
        BlockKind.LIST_ITEM,
        BlockKind.TABLE_CELL,
        BlockKind.DEFINITION,
        BlockKind.FOOTNOTE,
    )
)
"""Body text written to be read as prose (``Document.prose``); headings are not among them."""

COMPARED_BY_DEFAULT = frozenset((BlockKind.PARAGRAPH, BlockKind.QUOTE))
"""The kinds duplicate rules compare unless a reader's ``compare`` setting names others."""


@dataclass(frozen=True)
class Block:
    """One unit of prose as the reader found it, with its normalized form for comparison."""

    kind: BlockKind
    text: str
    normalized: str
    span: Span
    level: int = 0
    """Heading level (1 for a title or H1); 0 for blocks that are not headings."""
    label: str = ""
    """How to name the block in messages when its line does not (``record 7, paragraph 3``)."""

    @property
    def place(self) -> str:
        """The block's position for messages: its label, else ``line N``."""
        return self.label or f"line {self.span.line}"

    @property
    def word_count(self) -> int:
        """Number of whitespace-separated words in the normalized text."""
        return self.normalized.count(" ") + 1 if self.normalized else 0


@dataclass(frozen=True)
class Document:
    """A parsed document: what every rule sees, whatever the input format.

    ``path`` is the file as shown to the user; ``record`` names the record inside a
    multi-document file (a JSONL line or Parquet row), and is ``None`` otherwise.
    """

    path: str
    format: str
    blocks: tuple[Block, ...]
    headline: Block | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    record: str | None = None
    date: str = ""
    """When the document was published, ISO 8601 (``2022-03-15`` or ``2022-03-15T09:30:00``),
    from its metadata or its file name; ``""`` when unknown. The oldest copy is the original."""
    compare: frozenset[BlockKind] = COMPARED_BY_DEFAULT
    """The block kinds duplicate rules compare in this document (a reader's ``compare``)."""
    notices: tuple[str, ...] = ()
    """What the reader tells the user about the document that is not a finding (little
    prose found on an HTML page); the run prints them as warnings for target files,
    whatever rules are selected."""

    @property
    def prose(self) -> tuple[Block, ...]:
        """The blocks that are body prose: no headings, captions, contents, code or markup."""
        return tuple(b for b in self.blocks if b.kind in PROSE_KINDS)

    def comparable(self) -> tuple[Block, ...]:
        """The blocks duplicate rules compare: those of the kinds in ``compare``."""
        return tuple(b for b in self.blocks if b.kind in self.compare)


@dataclass(frozen=True)
class Problem:
    """A reader's report that (part of) a file could not be read; becomes a CL001 finding."""

    path: str
    message: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Notice:
    """Something a rule tells the user about a file that is not a finding (a cap it hit, say).

    A document rule's ``check`` may yield notices besides its violations; they reach the
    user as warnings, never change the exit code and cannot be suppressed or baselined.
    """

    path: str
    message: str
    record: str | None = None
    """The record of a multi-document file the notice is about (see ``Document.record``)."""


@dataclass(frozen=True, order=True)
class Location:
    """A place in the corpus that a finding points to (for example the other copy)."""

    path: str
    line: int
    column: int = 1


def fingerprint(code: str, path: str, text: str, salt: str = "") -> str:
    """A stable id for a finding that survives edits which only shift lines.

    Built from the rule code, the path and the normalized text the finding is about,
    never from line numbers, so a baseline keeps matching after lines are inserted above.
    ``path`` is relative to the project root, never to the working directory, so the
    fingerprint is the same from any folder: a rule builds the part without it (``""``)
    and the run adds the path when it knows the root (``corpuslint.run.baseline.anchor``).
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in (code, path, text, salt):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


Applicability = Literal["safe", "unsafe"]
"""How sure a fix is: ``safe`` fixes are applied by ``--fix``; ``unsafe`` ones need
``--unsafe-fixes`` as well (they may remove something an editor would keep)."""


@dataclass(frozen=True)
class Edit:
    """One change to a file: replace the text of ``span`` with ``replacement``.

    ``span`` is in the coordinates of the finding's own span (the block spans a reader
    gives). An edit with an empty ``replacement`` that covers whole lines of prose (a
    list, quote or heading marker before it aside) removes those lines and the blank
    lines that set them apart, so no two paragraphs are ever joined. In JSONL the lines
    are those of the record's text field; in HTML, whose blocks are points at their start
    tags, a deletion at a start tag removes that element.
    """

    span: Span
    replacement: str = ""


@dataclass(frozen=True)
class Fix:
    """The edits that resolve a finding, applied all together or not at all."""

    edits: tuple[Edit, ...]
    applicability: Applicability = "safe"

    @classmethod
    def delete(cls, spans: Iterable[Span], applicability: Applicability = "safe") -> Fix:
        """A fix that removes the blocks at ``spans``."""
        return cls(tuple(Edit(span) for span in spans), applicability)


@dataclass(frozen=True)
class Violation:
    """One finding: what is wrong, where, and where the other copy is."""

    code: str
    rule: str
    severity: Severity
    message: str
    path: str
    span: Span
    related: tuple[Location, ...] = ()
    fingerprint: str = ""
    similarity: float | None = None
    """Similarity (0-100) to the related copy for near duplicates; ``None`` when exact."""
    record: str | None = None
    """The record of a multi-document file the finding is in (see ``Document.record``)."""
    fix: Fix | None = None
    """Edits that resolve the finding (``--fix``), when the rule can offer them."""
    details: tuple[tuple[str, str], ...] = ()
    """What the rule looked at to reach the finding, as (what, description) pairs in the
    order the rule gives them (CL301: the metadata keys, lines and credit forms it tried);
    reports print them as a ``details`` object (``json``) or result properties (SARIF)."""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Stable report order: path, position, code, message."""
        return (self.path, self.span.line, self.span.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Signature:
    """What a corpus rule keeps of one block for the corpus pass: group keys and a little data.

    Signatures that share any of their keys (63-bit integers: an exact hash, band keys
    for near matches) are judged together by the rule's ``compare``. ``keys`` holds them
    packed as native int64 (``corpuslint.similarity.hashing.pack``): millions of signatures live in
    memory at once, and 26 Python ints would cost four times the text they stand for.
    ``text`` is what the rule needs to verify a candidate (the normalized paragraph or
    headline).
    """

    keys: bytes
    path: str
    span: Span
    text: str
    record: str | None = None
    label: str = ""
    """The block's name in messages when its line does not name it (see ``Block.label``)."""
    target: bool = True
    """Whether the signature's file is new in this run: a target (findings are reported only
    there) or, in the corpus pass, a file staged in git (see ``corpuslint.run.gitstate``)."""
    sketch: bytes = b""
    """A compact summary of the block that lets ``compare`` reject most candidates without
    verifying them (CL102 keeps a MinHash sketch, see ``corpuslint.similarity.sketch``)."""
    date: str = ""
    """The document's date (``Document.date``; in the corpus pass, else when its file first
    entered git); ``""`` when unknown."""

    def __reduce__(self) -> tuple[type[Signature], tuple[Any, ...]]:
        # See Span.__reduce__: signatures cross process boundaries and the cache by millions.
        fields = (self.keys, self.path, self.span, self.text, self.record, self.label)
        return (Signature, (*fields, self.target, self.sketch, self.date))

    @property
    def first_key(self) -> int:
        """The first of the keys (by convention a rule's exact-match key)."""
        return int.from_bytes(self.keys[:8], sys.byteorder, signed=True)

    @property
    def document(self) -> tuple[str, str | None]:
        """Which document the signature belongs to: its path and record."""
        return (self.path, self.record)

    @property
    def place(self) -> str:
        """The block's position for messages: its label, else ``line N``."""
        return self.label or f"line {self.span.line}"

    def order(self) -> tuple[bool, bool, str, str, int, int]:
        """Which copy is the original: not new in this run, oldest, then path and position.

        Files new in this run (targets, staged files) come last; then dated documents
        from the oldest, then undated ones.
        """
        return (self.target, not self.date, self.date, self.path, self.span.line, self.span.column)


ALL = "*"
"""The code a suppression comment names when it names none: every rule."""


@dataclass(frozen=True)
class Directive:
    """One suppression comment: its kind, the codes it names (``*`` for all) and its line."""

    kind: str
    codes: tuple[str, ...]
    line: int
    column: int
    reason: str = ""

    def names(self, code: str) -> bool:
        """Whether the directive applies to ``code`` (codes match by prefix, as in select)."""
        return any(c == ALL or code.startswith(c) for c in self.codes)


@dataclass(frozen=True)
class Result:
    """Everything a run found, in report order, for formatters and the exit code."""

    violations: tuple[Violation, ...]
    files: tuple[str, ...]
    """The target files that were checked, as shown to the user."""
    errors: tuple[str, ...] = ()
    """Internal errors (a rule or plugin that failed), one line each."""
    warnings: tuple[str, ...] = ()
    """Problems that did not change the findings (a cache that could not be used)."""
    skipped: tuple[str, ...] = ()
    """Paths named as targets that were not checked (no reader, not a regular file)."""
