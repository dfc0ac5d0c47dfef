"""CL102 corpus-duplicate-paragraph: a paragraph that also stands in another document."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from corpuslint.model import Block, Document, Location, Signature, Violation
from corpuslint.options import Option
from corpuslint.rule import CorpusRule, Crowded, percent
from corpuslint.similarity import sketch
from corpuslint.similarity.hashing import near_keys, packed_text_keys
from corpuslint.similarity.signatures import SignatureTable

from .duplicate_paragraph import comparable_blocks
from .negation import opposite

EXACT_SALT = b"paragraph\0"
MANY_FROM = 16  # candidate groups larger than this are filtered and scored with numpy
BOILERPLATE_MIN_DOCUMENTS = 5
"""Default of ``boilerplate-min-documents`` (CL102 and CL104): measured on the Rust blog,
where release-post templates stand in 5 to 89 posts and real copies in 2 to 4."""

_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_ASCII_NUMBER = re.compile(r"[0-9]+(?:[.,:/][0-9]+)*")
"""``_NUMBER`` for ASCII text, where ``\\d`` is ``[0-9]``: ``re`` tests a character range
faster than the Unicode digit category."""
_DIGIT_MARKS = bytes(b"0"[0] if byte in b"0123456789" else b" "[0] for byte in range(256))
"""A ``bytes.translate`` table: each ASCII digit to ``0``, every other byte to a space."""


@lru_cache(maxsize=4096)
def template(text: str) -> str:
    """``text`` with every number made ``0``: the form copies of one template share.

    A release post's "getting Rust 1.20 is as easy as" and the next one's "1.21.0" are
    one template; grouping and candidate keys use this form, so every copy of a
    template lands in every group any of them is in.
    """
    # Cached: CL102 and CL103 ask for the same paragraphs' forms, and a group's
    # signatures again when judged.
    if not text.isascii():
        return _NUMBER.sub("0", text)
    # Most paragraphs are ASCII. One C pass over the bytes finds the first and the last
    # digit: a text without any (half of news paragraphs) comes back as is, and the
    # expression scans only from the first digit to the last, where every number lies
    # (a number starts and ends with a digit): a news paragraph's figures stand in a
    # sixth of it, and this takes half the time of a scan of the whole text.
    marks = text.encode("ascii").translate(_DIGIT_MARKS)
    first = marks.find(b"0")
    if first < 0:
        return text
    end = marks.rfind(b"0") + 1
    return text[:first] + _ASCII_NUMBER.sub("0", text[first:end]) + text[end:]


def boilerplate(group: Sequence[Signature], min_documents: int) -> set[bytes]:
    """The templates that stand in ``min_documents`` documents or more, as their keys.

    Every copy of a template is in every group one of them is in, so any group
    holding a paragraph tells whether it is boilerplate. 0 turns boilerplate off.

    A signature's first key is the hash of its text's template (see :func:`template`
    and ``signatures``): copies of one template have equal first keys. The corpus pass
    compares those 8 bytes rather than making the template of every member of every
    group again (a paragraph is in a group per band): that was a tenth of judging the
    groups at 100,000 articles.
    """
    if not min_documents or len(group) < min_documents:
        return set()
    documents: dict[bytes, set[tuple[str, str | None]]] = {}
    for signature in group:
        documents.setdefault(signature.keys[:8], set()).add(signature.document)
    return {key for key, where in documents.items() if len(where) >= min_documents}


@lru_cache(maxsize=32)
def _allowed(allow: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for every `allow` entry (regular expressions, matched on normalized text)."""
    if not allow:
        return None
    return re.compile("|".join(f"(?:{entry})" for entry in allow), re.IGNORECASE)


@lru_cache(maxsize=128)
def _lower_pairs(count: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Every (copy, earlier) position pair of a group of ``count``, by copy then earlier.

    Cached: ``np.tril_indices`` cost 90 us a group, more than filtering its pairs.
    """
    copies, earlier = np.tril_indices(count, -1)
    copies.setflags(write=False)
    earlier.setflags(write=False)
    return copies, earlier


def _original_first(group: Sequence[Signature]) -> Sequence[Signature]:
    if len(group) == 2:  # most groups: two paragraphs that share a band by chance
        first, second = group
        return group if first.order() <= second.order() else (second, first)
    return sorted(group, key=Signature.order)


def _originals(ordered: Sequence[Signature]) -> tuple[Signature | None, int]:
    """The first signature of a document other than the first one, and its position.

    The first copy in another document than a given copy is the very first signature,
    unless that is in the copy's own document: then it is this one. Looking it up
    once keeps a group of a million copies (a file of identical lines) linear.
    """
    first = ordered[0].document
    for position, signature in enumerate(ordered):
        if signature.document != first:
            return signature, position
    return None, len(ordered)


class _PairTest:
    """Which pairs of paragraphs ``compare`` could report: of two documents, sketches close."""

    def __init__(self, signatures: Sequence[Signature], needed: int) -> None:
        self._close: sketch.PairFilter | None = None
        if isinstance(signatures, SignatureTable):  # columns at hand: no signature is made
            self._documents = signatures.document_numbers()
            if needed:
                rows = signatures.sketch_rows(sketch.SIZE)
                self._close = sketch.PairFilter((), needed, rows)
            return
        documents: dict[tuple[str, str | None], int] = {}
        self._documents = np.fromiter(
            (documents.setdefault((s.path, s.record), len(documents)) for s in signatures),
            dtype=np.int64,
            count=len(signatures),
        )
        if needed:
            self._close = sketch.PairFilter([s.sketch for s in signatures], needed)

    def __call__(self, first: NDArray[np.int32], second: NDArray[np.int32]) -> NDArray[np.bool_]:
        kept: NDArray[np.bool_] = self._documents[first] != self._documents[second]
        if self._close is not None:
            kept &= self._close(first, second)
        return kept


class CorpusDuplicateParagraph(CorpusRule):
    r"""Flags a paragraph that also stands, exactly or nearly, in another document.

    ## What it does
    Compares every paragraph of the corpus with the paragraphs of every other document.
    Exact copies (after normalization) are found by hashing. Near copies (rapidfuzz
    `ratio` at or above `threshold`) are found through candidate keys, a one-permutation
    MinHash of character 5-grams cut into `bands` bands of `rows` values, and every
    candidate whose MinHash sketches agree enough is verified with rapidfuzz. Nothing
    is compared all-pairs across the corpus.

    Paragraphs that differ only in their numbers are copies of one template: "Rust
    1.20 is out" and "Rust 1.21.0 is out" are near copies (a stale figure is a real
    defect in news). A near pair where one side negates what the other says ("is
    *not* supported" / "is supported", *at least* / *no more than*; in English, German,
    French, Spanish, Portuguese, Italian and Dutch) says the opposite: it is no copy.

    A paragraph whose copies (equal but for numbers) stand in `boilerplate-min-documents`
    documents or more is boilerplate: a template, a disclaimer, a call to action. Its
    copies are not reported here (CL104 lists each such paragraph once), and neither
    are near copies of it.

    Every copy but the original is reported, with the original as the related location.
    The original is the oldest copy among files that are not new in this run (neither
    targets nor staged in git); if all copies are new, the oldest of them. A document's
    age is its date (front matter `date`, `published` or `publishDate`; HTML
    `article:published_time` or JSON-LD `datePublished`; a record's `date-field`), else
    the date in its file name or front-matter `path` (`2022-03-15-title.md`), else when
    its file first entered git; undated documents come after dated ones, in path order.
    So a new article that copies an old one is the one flagged, even when only the new
    one is checked, and however pre-commit splits the staged files; and once the newer
    copy of a pair is accepted with a suppression, the older one is never reported.
    When a whole document repeats another, CL103 reports it once instead of each of
    its paragraphs here.

    ## Why is this bad?
    A paragraph copied between articles is plagiarism, a syndication mistake or
    template text leaking into the body. In a training corpus it is duplicated data
    that skews what a model learns.

    ## Example
    `news/2024/wework.md` and `news/2025/wework-follow-up.md` share a paragraph:
    ```text
    news/2025/wework-follow-up.md:7:1: CL102 Paragraph also stands in news/2024/wework.md (line 9)
    ```

    ## Options
    - `threshold` (float, default 90): similarity (0-100) at or above which paragraphs
      of different documents are near copies; 100 reports exact copies only.
    - `min-words` (int, default 8): shorter paragraphs are not compared.
    - `allow` (list of regular expressions, default none): paragraphs whose normalized
      text matches one (anywhere; anchor with `^...$`) are legitimate boilerplate and are
      never reported, e.g. `"^this article was produced by .* wire service\.?$"`.
    - `bands` (int, default 21) and `rows` (int, default 6; `bands` x `rows` at most
      128): candidate keys per paragraph and how many MinHash values each must agree on.
      More bands or fewer rows find near copies with heavier edits, at more comparisons.
      The defaults are set for edits of one to three words in news-length paragraphs.
    - `min-jaccard` (float, default 0.55): candidates whose estimated Jaccard similarity
      (of character 5-grams, from a 128-value MinHash sketch) is below this are not
      verified; 0 verifies every candidate. Paragraphs that share only a sentence or a
      quote land in one band by chance; this rejects most of them before rapidfuzz.
      The estimate is coarse for short paragraphs, so a few real near copies under
      about 20 words fall below it: lower it for short paragraphs or with a lower
      `threshold` (docs/performance.md gives what each value rejects).
    - `bucket-limit` (int, default 100): near-copy candidates sharing one key with more
      paragraphs than this are not compared (exact copies are still all reported).
    - `boilerplate-min-documents` (int, default 5; 0 for none): a paragraph whose copies
      stand in this many documents is boilerplate, not reported. On the Rust blog 5
      silences the release-post templates (5 to 89 posts each) and keeps copies between
      2 to 4 posts; raise it where articles are syndicated widely. Keep it equal to
      CL104's.
    """

    code = "CL102"
    name = "corpus-duplicate-paragraph"
    options = (
        Option("threshold", float, 90.0, "similarity (0-100) that counts as a near copy", 0, 100),
        Option("min-words", int, 8, "paragraphs with fewer words are not compared", 0),
        Option("allow", tuple, (), "regular expressions of legitimate boilerplate", regex=True),
        Option("bands", int, 21, "candidate keys per paragraph for near matching", 1, 128),
        Option("rows", int, 6, "MinHash values each candidate key stands for", 1, 128),
        Option(
            "min-jaccard",
            float,
            0.55,
            "estimated similarity a candidate needs to be verified",
            0,
            1,
        ),
        Option(
            "bucket-limit", int, 100, "near-copy candidate groups larger than this are skipped", 1
        ),
        Option(
            "boilerplate-min-documents",
            int,
            BOILERPLATE_MIN_DOCUMENTS,
            "a paragraph with copies in this many documents is boilerplate (0: none)",
            0,
        ),
    )

    @classmethod
    def validate(cls, options: Mapping[str, Any]) -> None:
        """A MinHash holds 128 values: ``bands`` x ``rows`` of them make the keys.

        The `allow` entries are joined into one expression: it must compile too (an
        entry with inline flags such as ``(?i)`` compiles alone but not inside another).
        """
        try:
            _allowed(tuple(options["allow"]))
        except re.error as exc:
            raise ValueError(f"option 'allow': the entries do not combine: {exc}") from None
        if options["bands"] * options["rows"] > sketch.BINS:
            raise ValueError(
                f"bands x rows is at most {sketch.BINS}, not"
                f" {options['bands']} x {options['rows']} = {options['bands'] * options['rows']}"
            )

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        allowed = _allowed(tuple(options["allow"]))
        blocks: Sequence[Block] = comparable_blocks(document, options["min-words"])
        if allowed is not None:
            blocks = [block for block in blocks if not allowed.search(block.normalized)]
        texts = [block.normalized for block in blocks]
        templates = [template(text) for text in texts]
        if options["threshold"] < 100:
            near = near_keys(templates, options["bands"], options["rows"])
        else:
            near = [(b"", b"")] * len(blocks)
        exact = packed_text_keys(templates, EXACT_SALT)
        path, record, date = document.path, document.record, document.date
        for block, text, key, (bands, summary) in zip(blocks, texts, exact, near, strict=True):
            yield Signature(
                key + bands, path, block.span, text, record, block.label, True, summary, date
            )

    def crowded(self, options: Mapping[str, Any]) -> Crowded:
        """Copies in ``boilerplate-min-documents`` files are boilerplate; see ``bucket-limit``.

        An exact copy's group held by that many files is boilerplate, and a near-copy
        candidate group of more than ``bucket-limit`` paragraphs is skipped.
        """
        least = options["boilerplate-min-documents"]
        return Crowded(least - 1 if least else None, options["bucket-limit"])

    def pair_test(self, signatures: Sequence[Signature], options: Mapping[str, Any]) -> _PairTest:
        """Paragraphs of one document, or whose sketches agree too little, are no copies.

        Exact copies have equal text, so equal sketches: the test holds for them too.
        """
        return _PairTest(signatures, sketch.needed(options["min-jaccard"]))

    def compare(
        self, key: int, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> Iterable[Violation]:
        exact = signatures[0].first_key == key
        if not exact and len(signatures) > options["bucket-limit"]:
            return
        common = boilerplate(signatures, options["boilerplate-min-documents"])
        if exact:
            if not common:
                ordered = _original_first(signatures)
                yield from self._template(ordered, options["threshold"], options["bucket-limit"])
            return
        if common:
            signatures = [s for s in signatures if s.keys[:8] not in common]
        ordered = _original_first(signatures)
        yield from self._near(ordered, options["threshold"], sketch.needed(options["min-jaccard"]))

    def _template(
        self, ordered: Sequence[Signature], threshold: float, limit: int
    ) -> Iterator[Violation]:
        """Copies of one template: each target copy against the oldest copy in another document.

        An equal copy is preferred; else the oldest that differs only in numbers and is
        still ``threshold`` similar. A group of one text (most) is linear in its size
        however many copies one document holds.
        """
        if all(s.text == ordered[0].text for s in ordered):
            yield from self._exact(ordered)
            return
        firsts: dict[tuple[tuple[str, str | None], str], int] = {}
        for position, signature in enumerate(ordered):
            firsts.setdefault((signature.document, signature.text), position)
        heads = sorted(firsts.values())
        for position, copy in enumerate(ordered):
            if not copy.target:
                continue
            same = near = None
            for checked, at in enumerate(heads):
                if at >= position or checked > limit:
                    break
                earlier = ordered[at]
                if earlier.document == copy.document:
                    continue
                if earlier.text == copy.text:
                    same = earlier
                    break
                if near is None:
                    score = fuzz.ratio(copy.text, earlier.text, score_cutoff=threshold)
                    if score:
                        near = (earlier, score)
            if same is not None:
                yield self._finding(copy, same, None)
            elif near is not None:
                yield self._near_finding(copy, near[0], near[1])

    def _exact(self, ordered: Sequence[Signature]) -> Iterator[Violation]:
        """Copies of one text: each target copy against the first copy in another document."""
        other, other_at = _originals(ordered)
        for position, copy in enumerate(ordered):
            if not copy.target or position == 0:
                continue
            if copy.document != ordered[0].document:
                yield self._finding(copy, ordered[0], None)
            elif other is not None and other_at < position:
                yield self._finding(copy, other, None)

    def _near(
        self, ordered: Sequence[Signature], threshold: float, needed: int
    ) -> Iterator[Violation]:
        """Candidates sharing a band, verified with rapidfuzz; the first match is the original.

        A pair is verified only if its sketches agree on ``needed`` values or more. Small
        groups (most of them) are compared pair by pair, stopping at the first match; a
        large one is filtered with numpy and scored in one ``cpdist`` call. Copies of one
        template are the template group's to judge, and a pair saying opposite things
        is no copy.
        """
        if len(ordered) > MANY_FROM:
            yield from self._near_many(ordered, threshold, needed)
            return
        summaries = [sketch.as_int(s.sketch) if needed else None for s in ordered]
        forms = [s.keys[:8] for s in ordered]  # templates' keys (see boilerplate)
        for position, copy in enumerate(ordered):
            if not copy.target:
                continue
            mine = summaries[position]
            for earlier in range(position):
                original = ordered[earlier]
                if original.path == copy.path and original.record == copy.record:
                    continue
                if forms[earlier] == forms[position]:
                    continue
                theirs = summaries[earlier]  # None: no sketch (or no filter), never rejected
                if (
                    mine is not None
                    and theirs is not None
                    and sketch.agreeing(mine, theirs) < needed
                ):
                    continue
                score = fuzz.ratio(copy.text, original.text, score_cutoff=threshold)
                if score and not opposite(copy.text, original.text):
                    yield self._near_finding(copy, original, score)
                    break

    def _near_many(
        self, ordered: Sequence[Signature], threshold: float, needed: int
    ) -> Iterator[Violation]:
        """``_near`` for a large group: every (copy, earlier) pair filtered at once."""
        count = len(ordered)
        copies, earlier = _lower_pairs(count)
        documents: dict[tuple[str, str | None], int] = {}
        owner = np.fromiter(
            (documents.setdefault(s.document, len(documents)) for s in ordered),
            dtype=np.intp,
            count=count,
        )
        target = np.fromiter((s.target for s in ordered), dtype=bool, count=count)
        forms: dict[bytes, int] = {}  # templates' keys (see boilerplate)
        form = np.fromiter(
            (forms.setdefault(s.keys[:8], len(forms)) for s in ordered),
            dtype=np.intp,
            count=count,
        )
        keep = target[copies] & (owner[copies] != owner[earlier]) & (form[copies] != form[earlier])
        copies, earlier = copies[keep], earlier[keep]
        if needed:
            summaries = [s.sketch for s in ordered]
            close = sketch.agreeing_pairs(summaries, copies, earlier) >= needed
            copies, earlier = copies[close], earlier[close]
        if not len(copies):
            return
        scores = process.cpdist(
            [ordered[i].text for i in copies.tolist()],
            [ordered[i].text for i in earlier.tolist()],
            scorer=fuzz.ratio,
            score_cutoff=threshold,
            dtype=np.float32,
            workers=1,  # threads cost more than the few hundred pairs of a group
        )
        reported = -1
        for match in np.flatnonzero(scores).tolist():
            position = int(copies[match])
            if position == reported:
                continue
            original = ordered[int(earlier[match])]
            if opposite(ordered[position].text, original.text):
                continue
            yield self._near_finding(ordered[position], original, float(scores[match]))
            reported = position

    def _near_finding(self, copy: Signature, original: Signature, score: float) -> Violation:
        exact = original.text == copy.text
        return self._finding(copy, original, None if exact else round(score, 1))

    def _finding(self, copy: Signature, original: Signature, similarity: float | None) -> Violation:
        where = f"{original.path} ({original.place})"
        if similarity is None:
            message = f"Paragraph also stands in {where}"
        else:
            message = f"Paragraph is a near copy ({percent(similarity)} similar) of one in {where}"
        return self.violation(
            copy.path,
            copy.span,
            message,
            text=copy.text,
            related=[Location(original.path, original.span.line, original.span.column)],
            similarity=similarity,
            record=copy.record,
        )
