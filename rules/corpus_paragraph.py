"""CL102 corpus-duplicate-paragraph: a paragraph that also stands in another document."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from corpuslint.hashing import band_keys, pack, text_key
from corpuslint.model import Document, Location, Signature, Violation
from corpuslint.rule import CorpusRule, Option, percent

from .duplicate_paragraph import comparable_blocks

EXACT_SALT = b"paragraph\0"
CDIST_FROM = 16  # candidate groups larger than this are scored in one rapidfuzz call


@lru_cache(maxsize=32)
def _allowed(allow: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for every `allow` entry (regular expressions, matched on normalized text)."""
    if not allow:
        return None
    return re.compile("|".join(f"(?:{entry})" for entry in allow), re.IGNORECASE)


def _original_first(group: Sequence[Signature]) -> list[Signature]:
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


class CorpusDuplicateParagraph(CorpusRule):
    r"""Flags a paragraph that also stands, exactly or nearly, in another document.

    ## What it does
    Compares every paragraph of the corpus with the paragraphs of every other document.
    Exact copies (after normalization) are found by hashing. Near copies (rapidfuzz
    `ratio` at or above `threshold`) are found through candidate keys, a one-permutation
    MinHash of character 5-grams cut into `bands` bands of `rows` values, and every
    candidate is verified with rapidfuzz. Nothing is compared all-pairs across the
    corpus.

    Every copy but the original is reported, with the original as the related location.
    The original is the first copy in path-then-line order among files that are not
    new in this run (neither targets nor staged in git); if all copies are new, the
    first of them. So a new article that copies an old one is the one flagged, even when
    only the new one is checked, and however pre-commit splits the staged files.

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
      21 x 6 keeps 0.99 of 1-3 word edits (on the Jaccard distribution of real ones) and
      draws 2.7 times fewer false candidates than 25 x 5 from paragraphs sharing a sentence.
    - `bucket-limit` (int, default 100): near-copy candidates sharing one key with more
      paragraphs than this are not compared (exact copies are still all reported).
    """

    code = "CL102"
    name = "corpus-duplicate-paragraph"
    options = (
        Option("threshold", float, 90.0, "similarity (0-100) that counts as a near copy"),
        Option("min-words", int, 8, "paragraphs with fewer words are not compared"),
        Option("allow", tuple, (), "regular expressions of legitimate boilerplate"),
        Option("bands", int, 21, "candidate keys per paragraph for near matching"),
        Option("rows", int, 6, "MinHash values each candidate key stands for"),
        Option("bucket-limit", int, 100, "near-copy candidate groups larger than this are skipped"),
    )

    def signatures(self, document: Document, options: Mapping[str, Any]) -> Iterable[Signature]:
        allowed = _allowed(tuple(options["allow"]))
        blocks = [
            block
            for block in comparable_blocks(document, options["min-words"])
            if allowed is None or not allowed.search(block.normalized)
        ]
        texts = [block.normalized for block in blocks]
        if options["threshold"] < 100:
            bands = band_keys(texts, options["bands"], options["rows"])
        else:
            bands = [()] * len(blocks)
        for block, text, near in zip(blocks, texts, bands, strict=True):
            keys = pack([text_key(text, EXACT_SALT), *near])
            yield Signature(keys, document.path, block.span, text, document.record, block.label)

    def compare(
        self, key: int, signatures: Sequence[Signature], options: Mapping[str, Any]
    ) -> Iterable[Violation]:
        exact = signatures[0].first_key == key
        if not exact and len(signatures) > options["bucket-limit"]:
            return
        ordered = _original_first(signatures)
        if exact:
            yield from self._exact(ordered)
        else:
            yield from self._near(ordered, options["threshold"])

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

    def _near(self, ordered: Sequence[Signature], threshold: float) -> Iterator[Violation]:
        """Candidates sharing a band, verified with rapidfuzz; the first match is the original.

        Small groups (most of them) are compared pair by pair, stopping at the first match;
        a large one is scored in one ``cdist`` call and only its matches are looked at.
        """
        if len(ordered) > CDIST_FROM:
            yield from self._near_many(ordered, threshold)
            return
        for position, copy in enumerate(ordered):
            if not copy.target:
                continue
            for earlier in range(position):
                original = ordered[earlier]
                if original.path == copy.path and original.record == copy.record:
                    continue
                score = fuzz.ratio(copy.text, original.text, score_cutoff=threshold)
                if score:
                    yield self._near_finding(copy, original, score)
                    break

    def _near_many(self, ordered: Sequence[Signature], threshold: float) -> Iterator[Violation]:
        """``_near`` for a large group: one ``cdist`` call, then only the pairs that match."""
        texts = [s.text for s in ordered]
        scores = process.cdist(
            texts, texts, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.float32, workers=-1
        )
        # (copy, earlier) pairs at or above the threshold, by copy then earlier: few per group.
        matches = np.argwhere(np.tril(scores, -1)).tolist()
        reported = -1
        for position, earlier in matches:
            copy, original = ordered[position], ordered[earlier]
            if position == reported or not copy.target:
                continue
            if original.path == copy.path and original.record == copy.record:
                continue
            yield self._near_finding(copy, original, float(scores[position, earlier]))
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
        )
