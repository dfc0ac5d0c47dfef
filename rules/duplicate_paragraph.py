"""CL101 duplicate-paragraph: a paragraph that repeats an earlier one of the same document."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process

from corpuslint.model import Block, BlockKind, Document, Fix, Location, Notice, Violation
from corpuslint.options import Option
from corpuslint.rule import DocumentRule, percent
from corpuslint.similarity.normalize import has_words

from .negation import negated


@dataclass(frozen=True)
class _Repeat:
    index: int  # position among the compared blocks
    original: int
    similarity: float  # 100.0 when exact


_LAST: tuple[Document | None, int, tuple[Block, ...]] = (None, 0, ())
"""The last document's comparable blocks: CL101, CL102, CL103 and CL104 ask for them in
turn, and testing the length of every block is a tenth of the rules' time."""


def comparable_blocks(document: Document, min_words: int) -> tuple[Block, ...]:
    """Body prose long enough to compare; text equal to the headline is CL201's business."""
    global _LAST  # noqa: PLW0603 (one slot, replaced whole: a reader never sees it half-made)
    last = _LAST
    if last[0] is document and last[1] == min_words:
        return last[2]
    headline = document.headline.normalized if document.headline else None
    found = tuple(
        block
        for block in document.comparable()
        if has_words(block.normalized, min_words) and block.normalized != headline
    )
    _LAST = (document, min_words, found)
    return found


def find_repeats(texts: Sequence[str], threshold: float, near_cap: int) -> list[_Repeat]:
    """Each text that repeats an earlier one, exactly or at ``threshold`` similarity or more.

    Exact copies are found by hashing; near copies with rapidfuzz over all earlier texts,
    but only when there are at most ``near_cap`` texts (a quadratic comparison). A near
    copy that is an earlier text negated (see ``negation.negated``) repeats no text.
    """
    first_seen: dict[str, int] = {}
    repeats: list[_Repeat] = []
    for index, text in enumerate(texts):
        original = first_seen.setdefault(text, index)
        if original != index:
            repeats.append(_Repeat(index, original, 100.0))
    if 1 < len(texts) <= near_cap and threshold < 100:
        exact = {r.index for r in repeats}
        for index in range(1, len(texts)):
            if index in exact:
                continue
            best = process.extractOne(
                texts[index], texts[:index], scorer=fuzz.ratio, score_cutoff=threshold
            )
            if best is not None and negated(texts[index], best[0]):
                # It says the opposite ("is not present" after "is present"): the next
                # most similar earlier text that does not, if any, is the original.
                candidates = process.extract(
                    texts[index],
                    texts[:index],
                    scorer=fuzz.ratio,
                    score_cutoff=threshold,
                    limit=None,
                )
                best = next((c for c in candidates if not negated(texts[index], c[0])), None)
            if best is not None:
                repeats.append(_Repeat(index, best[2], float(best[1])))
        repeats.sort(key=lambda r: r.index)  # exact repeats come in order already
    return repeats


def group_runs(repeats: Sequence[_Repeat]) -> list[list[_Repeat]]:
    """Merge repeats of consecutive blocks that copy a run of blocks or one block over and over.

    A block copied a million times in a row is then one finding, not a million.
    """
    runs: list[list[_Repeat]] = []
    for repeat in repeats:
        if runs and _extends(runs[-1], repeat):
            runs[-1].append(repeat)
        else:
            runs.append([repeat])
    return runs


def _extends(run: Sequence[_Repeat], repeat: _Repeat) -> bool:
    """Whether ``repeat`` continues ``run``: the next block, copying the next original.

    The next original is the one after the last (a copied run that does not overlap
    its original) or the same one when the whole run copies a single block.
    """
    last = run[-1]
    if repeat.index != last.index + 1:
        return False
    if repeat.original == last.original + 1:
        return repeat.original < run[0].index
    return repeat.original == last.original == run[0].original


_KEPT_KINDS = frozenset((BlockKind.CODE, BlockKind.MARKUP))
"""Blocks a fix never removes, even between copies: code and template markup."""


class _Layout:
    """Where each block of a document stands, for building fixes (made once per document)."""

    def __init__(self, document: Document, compared: Sequence[Block]) -> None:
        self.blocks = document.blocks
        self.position = {id(b): i for i, b in enumerate(document.blocks)}
        self.compared = {id(b) for b in compared}
        self.first: dict[str, int] = {}
        for index, block in enumerate(document.blocks):
            self.first.setdefault(block.normalized, index)

    def repeat(self, index: int) -> bool:
        """Whether the block at ``index`` repeats an earlier block and may go with a copy."""
        block = self.blocks[index]
        return block.kind not in _KEPT_KINDS and self.first[block.normalized] < index

    def fix(self, blocks: Sequence[Block], run: Sequence[_Repeat], near: bool) -> Fix:
        """Remove the later copy: its blocks and the repeats between them.

        The separator between the two copies goes too when the copies are bracketed by
        that separator.
        """
        start = self.position[id(blocks[run[0].index])]
        end = self.position[id(blocks[run[-1].index])]
        original = self.position[id(blocks[run[0].original])]
        original_end = self.position[id(blocks[run[-1].original])]
        doomed = [
            i
            for i in range(start, end + 1)
            if id(self.blocks[i]) in self.compared or self.repeat(i)
        ]
        before = start - 1
        if before > original_end and id(self.blocks[before]) not in self.compared:
            separator = self.blocks[before].normalized
            brackets = [original - 1, end + 1]
            if self.repeat(before) and any(
                0 <= i < len(self.blocks) and self.blocks[i].normalized == separator
                for i in brackets
            ):
                doomed.insert(0, before)
        return Fix.delete((self.blocks[i].span for i in doomed), "unsafe" if near else "safe")


def crowded_lines(document: Document) -> frozenset[int]:
    """Lines where more than one block of ``document`` starts (a minified HTML page)."""
    starts = Counter(block.span.line for block in document.blocks)
    return frozenset(line for line, count in starts.items() if count > 1)


def _place(block: Block, crowded: frozenset[int]) -> str:
    """``line 12``, or ``line 1, column 240`` where the line alone names several blocks."""
    if not block.label and block.span.line in crowded:
        return f"line {block.span.line}, column {block.span.column}"
    return block.place


def _extent(first: Block, last: Block, crowded: frozenset[int]) -> str:
    """``lines 12-17``, or ``paragraphs 3-5 of record 7`` for blocks labelled by a reader.

    Where a line holds several blocks, each end is named by line and column.
    """
    if first.label or last.label:
        return f"{first.place} to {last.place}"
    if first.span.line in crowded or last.span.line in crowded:
        return f"{_place(first, crowded)} to {_place(last, crowded)}"
    return f"lines {first.span.line}-{last.span.end_line}"


class DuplicateParagraph(DocumentRule):
    """Flags a paragraph that repeats an earlier paragraph of the same document.

    ## What it does
    Compares every paragraph, list item and quote of a document with the ones before it,
    after normalization (Unicode NFKC, case folded, quotes, dashes and whitespace unified).
    A paragraph equal to an earlier one, or at least `threshold` percent similar to it
    (rapidfuzz `ratio`), is reported with the location of the earlier copy (its line,
    and its column too where a line holds several paragraphs, as a minified HTML page
    does). A run of
    consecutive repeated paragraphs that copies a run of consecutive paragraphs is one
    finding spanning the run, and so is one paragraph repeated several times in a row.

    ## Why is this bad?
    A block of paragraphs printed twice is a classic publishing accident: a bad merge, a
    CMS that saved an edit as an append, a scraper that read a page twice. Readers notice.

    ## Example
    ```text
    6   The backdrop of this potential meeting remains tense. As Russia continues ...
    ...
    12  The backdrop of this potential meeting remains tense. As Russia continues ...
    ```
    is reported at line 12, naming line 6.

    A near pair whose words are the same but for a negation ("where the parameter is
    present" / "where the parameter is *not* present"; negations of English, German,
    French, Spanish, Portuguese, Italian and Dutch) says the opposite: it is no repeat.

    Paragraphs shorter than `min-words` (separators such as `***`, "Advertisement") are
    not compared, and a paragraph equal to the headline is left to CL201.

    ## Options
    - `threshold` (float, default 90): similarity from 0 to 100 at or above which two
      different paragraphs are near duplicates; 100 reports exact copies only.
    - `min-words` (int, default 8): shorter paragraphs are not compared.
    - `merge-runs` (bool, default true): report a run of repeated paragraphs once.
    - `near-limit` (int, default 2000): documents with more comparable paragraphs than
      this are checked for exact repeats only (near comparison is quadratic), and a
      warning names the document.
    """

    code = "CL101"
    name = "duplicate-paragraph"
    fixable = True
    options = (
        Option(
            "threshold", float, 90.0, "similarity (0-100) that counts as a near duplicate", 0, 100
        ),
        Option("min-words", int, 8, "paragraphs with fewer words are not compared", 0),
        Option("merge-runs", bool, True, "report a run of repeated paragraphs as one finding"),
        Option("near-limit", int, 2000, "above this many paragraphs, exact repeats only", 0),
    )

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation | Notice]:
        blocks = comparable_blocks(document, options["min-words"])
        limit = options["near-limit"]
        if options["threshold"] < 100 and len(blocks) > limit:
            yield self._capped(document, len(blocks), limit)
        repeats = find_repeats([b.normalized for b in blocks], options["threshold"], limit)
        runs = group_runs(repeats) if options["merge-runs"] else [[r] for r in repeats]
        layout = _Layout(document, blocks) if runs else None
        crowded = crowded_lines(document) if runs else frozenset()
        for run in runs:
            finding = self._finding(document, blocks, run, crowded)
            if layout is not None:
                near = finding.similarity is not None
                finding = replace(finding, fix=layout.fix(blocks, run, near))
            yield finding

    def _capped(self, document: Document, count: int, limit: int) -> Notice:
        """Tell the user that near duplicates were not looked for, and how to have them."""
        return self.notice(
            document,
            f"near duplicates not checked: {count} comparable paragraphs, more than near-limit"
            f" {limit}; raise near-limit under [rules.{self.name}] to check them"
            " (exact repeats are still reported)",
        )

    def _finding(
        self,
        document: Document,
        blocks: Sequence[Block],
        run: list[_Repeat],
        crowded: frozenset[int] = frozenset(),
    ) -> Violation:
        first, last = blocks[run[0].index], blocks[run[-1].index]
        original, original_last = blocks[run[0].original], blocks[run[-1].original]
        lowest = min(r.similarity for r in run)
        near = lowest < 100
        if len(run) == 1:
            what = f"near duplicate ({percent(lowest)} similar) of" if near else "repeats"
            message = f"Paragraph {what} the paragraph at {_place(original, crowded)}"
        else:
            message = f"{len(run)} paragraphs ({_extent(first, last, crowded)}) repeat"
            if original is original_last:
                message += f" the paragraph at {_place(original, crowded)}"
            else:
                message += f" {_extent(original, original_last, crowded)}"
            if near:
                message += f" (lowest similarity {percent(lowest)})"
        return self.violation(
            document,
            first.span.cover(last.span),
            message,
            text="\n".join(blocks[r.index].normalized for r in run),
            related=[Location(document.path, original.span.line, original.span.column)],
            similarity=round(lowest, 1) if near else None,
        )
