"""CL301 missing-attribution: a document with no byline, author or source credit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from corpuslint.model import Document, Span, Violation
from corpuslint.options import Option
from corpuslint.rule import DocumentRule

AGENCIES = (
    "Reuters",
    "AP",
    "AFP",
    "Bloomberg",
    "UPI",
    "dpa",
    "DPA",
    "Xinhua",
    "PA",
    "ANI",
    "IANS",
    "PTI",
    "AAP",
    "EFE",
    "ANSA",
    "Kyodo",
    "Yonhap",
    "TASS",
    "Interfax",
    "CNN",
    "BBC",
)

# Credit lines: at the start of a block, or the "based on reporting by" phrase anywhere.
CREDIT_PATTERNS = (
    r"^(?:additional\s+)?(?:reporting|writing|editing|research)\s+by\s+\S",
    r"^(?:written|reported|compiled|edited|produced|photographs?|photos?|words)\s+by\s+\S",
    r"^(?:sources?|credits?|via)\s*:\s*\S",
    r"^this\s+(?:article|story|report|piece)\s+(?:was|is)\s+(?:written|reported|produced|compiled)\s+by\s+\S",
    r"\bbased\s+on\s+(?:the\s+)?(?:reporting|research|work)\s+(?:by|of)\s+\S",
)

_NOT_NAMES = frozenset(
    (
        "january february march april may june july august september october november"
        " december monday tuesday wednesday thursday friday saturday sunday the a an this"
        " that then now far all most some late early midday noon night morning evening"
        " contrast comparison law default design nature chance mistake hand car bus train"
        " air sea road"
    ).split()
)
_CONNECTORS = frozenset("and & of de da del van von der den le la al bin y".split())
_SEPARATORS = re.compile(r"[,|\u2022\u00b7/]|\s[-\u2013\u2014]\s")


def is_byline(text: str) -> bool:
    """Whether ``text`` is a byline: "By" and then names only, up to a separator.

    "By Jane Doe" and "By JANE DOE, Reuters" are; "By March, the figure had doubled" is not.
    """
    words = text.split(None, 1)
    if len(words) < 2 or words[0].casefold() != "by" or len(text.split()) > 16:
        return False
    names = _SEPARATORS.split(words[1], maxsplit=1)[0].split()
    if not names or names[0].casefold().strip(".") in _NOT_NAMES:
        return False
    return all(w[0].isupper() or w.casefold() in _CONNECTORS for w in names) and any(
        w[0].isupper() for w in names
    )


@lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...], agencies: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    names = "|".join(re.escape(a) for a in agencies)
    dateline = rf"^(?:[A-Z][\w .,'\u2019/-]{{0,60}}\s)?\((?:{names})\)\s*[-\u2013\u2014:]"
    flags = re.IGNORECASE | re.MULTILINE
    compiled = [re.compile(p, flags) for p in CREDIT_PATTERNS + patterns]
    compiled.append(re.compile(dateline, re.MULTILINE))
    return tuple(compiled)


def _has_value(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return any(_has_value(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_value(v) for v in value)
    return value is not None and value is not False


class MissingAttribution(DocumentRule):
    """Flags a document with no byline, author or source credit anywhere.

    ## What it does
    Looks for attribution in the document's metadata (the keys in `metadata-keys`:
    front matter, JSONL fields, HTML `<meta name="author">`, JSON-LD `author`) and in
    its text: a byline among the first `byline-window` blocks ("By Jane Doe",
    "By JANE DOE, Reuters"), a credit line anywhere ("Reporting by ...", "Additional
    reporting by ...", "Written by ...", "Source: ...", "Credit: ...", "... based on
    reporting by ..."), or an agency dateline ("LONDON (Reuters) -", "(AP) —"). When
    none is found, the document is reported at its headline.

    Look-alikes do not count: "By March, the figure had doubled", "a report written by
    X" in the middle of a sentence, "a source close to the talks". Documents with no
    prose at all are not reported.

    The bylines and credit lines it recognizes in the text are English ("By ...",
    "Reporting by ..."). In other languages ("Par Marie Dupont", "Von Hans Müller")
    attribution is found only in metadata, in an agency dateline, or through extra
    `patterns`.

    ## Why is this bad?
    Unattributed text cannot be checked, corrected or credited. Newsrooms require a
    byline or a source credit; dataset curators need provenance for licensing.

    ## Example
    ```markdown
    # Council approves budget

    The city council approved the budget on Tuesday after a long debate.
    ```
    Add `author:` to the front matter, a "By Jane Doe" line, or a credit line.

    ## Options
    - `metadata-keys` (list, default `author`, `authors`, `byline`, `source`, `credit`):
      metadata fields whose non-empty value counts as attribution.
    - `patterns` (list of regular expressions, default none): extra credit patterns,
      matched case-insensitively against each block (`^` is the start of a block).
    - `agencies` (list): news agencies recognized in datelines such as "(Reuters) -".
    - `byline-window` (int, default 5): how many blocks from the top, not counting the
      headline, may hold a byline.
    """

    code = "CL301"
    name = "missing-attribution"
    options = (
        Option(
            "metadata-keys",
            tuple,
            ("author", "authors", "byline", "source", "credit"),
            "metadata fields that count as attribution",
        ),
        Option("patterns", tuple, (), "extra regular expressions for credit lines", regex=True),
        Option("agencies", tuple, AGENCIES, "agencies recognized in datelines"),
        Option("byline-window", int, 5, "blocks from the top that may hold a byline", 0),
    )

    @classmethod
    def validate(cls, options: Mapping[str, Any]) -> None:
        """The `patterns` compile with the flags they are used with (when read, not per file)."""
        try:
            _compile(tuple(options["patterns"]), tuple(options["agencies"]))
        except re.error as exc:
            raise ValueError(f"option 'patterns': {exc}") from None

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation]:
        if not document.prose:
            return
        if self._attributed(document, options):
            return
        anchor = document.headline or document.blocks[0]
        yield self.violation(
            document,
            Span.point(anchor.span.line, anchor.span.column),
            "No attribution: no byline, author or source credit found",
            text=document.record or "",
        )

    def _attributed(self, document: Document, options: Mapping[str, Any]) -> bool:
        keys = {k.casefold() for k in options["metadata-keys"]}
        if any(k.casefold() in keys and _has_value(v) for k, v in document.metadata.items()):
            return True
        # The headline is not counted: "By Jane Doe" under it is the first block of the window.
        body = [block for block in document.blocks if block is not document.headline]
        window: Sequence[Any] = body[: options["byline-window"]]
        if any(is_byline(block.text) for block in window):
            return True
        patterns = _compile(tuple(options["patterns"]), tuple(options["agencies"]))
        return any(p.search(block.text) for block in document.blocks for p in patterns)
