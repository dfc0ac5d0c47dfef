"""Text normalization shared by every rule, so that "the same text" means one thing.

Unicode NFKC, case folded, typographic quotes and dashes unified, leftover inline
markup characters removed and whitespace collapsed. This runs on every paragraph of the
corpus, so it avoids regular expressions and ``str.translate`` with a dict (about 40 ns a
character, 1.6 s of a 10k-article run): ASCII text goes through ``bytes.translate``, and
other text replaces only the table's characters it holds, each found by a C scan.
"""

from __future__ import annotations

import re
import unicodedata

_REPLACEMENTS = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark / apostrophe
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u00ad": None,  # soft hyphen
    "\u200b": None,  # zero-width space
    "\u200c": None,
    "\u200d": None,
    "\u2060": None,
    "\ufeff": None,
    "*": None,  # Markdown emphasis left in plain text
    "_": None,
}
_PAIRS = tuple((old, new or "") for old, new in _REPLACEMENTS.items())
_ASCII_DROP = b"*_"


def collapse(text: str) -> str:
    """``text`` with runs of whitespace made one space and none at either end.

    ``" ".join(text.split())``, but most paragraphs are collapsed already: a printable
    text (no whitespace but U+0020) without double or outer spaces is returned as it is,
    after one C scan instead of a list of its words.
    """
    return _spaced(text) if text.isprintable() else " ".join(text.split())


def normalize(text: str, collapsed: bool = False) -> str:
    """Return the comparison form of ``text`` (see the module docstring).

    ``collapsed`` says ``text`` came from :func:`collapse`: ASCII text that loses no
    character is then not scanned for whitespace again (readers collapse every block).
    """
    tidy = _spaced if collapsed else collapse
    if text.isascii():  # casefold() is lower() on ASCII
        data = text.encode("ascii").translate(None, _ASCII_DROP)
        if b"`" in data:  # a copy only when needed: a paragraph may be 100 MB
            data = data.replace(b"`", b"'")
        folded = data.decode("ascii").lower()
        return folded if collapsed and len(data) == len(text) else tidy(folded)
    text = unicodedata.normalize("NFKC", text)
    for old, new in _PAIRS:  # no replacement is itself replaced: the order does not matter
        if old in text:
            text = text.replace(old, new)
    return tidy(text.casefold())


def _spaced(text: str) -> str:
    """:func:`collapse` of a text whose only whitespace is U+0020.

    That is what a collapsed text becomes after NFKC, the replacements and casefold:
    no character maps to other whitespace (checked over all of Unicode), though some
    map to a space (U+00A0, or U+00A8 to a space and a combining diaeresis). So it
    skips ``isprintable``: 2.9 us instead of 3.9 us for a non-ASCII news paragraph.
    """
    if "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


_CJK = (
    "\u3040-\u30ff"  # Hiragana and Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han: extension A, unified, compatibility
    "\uac00-\ud7a3"  # Hangul syllables
    "\U00020000-\U0003134f"  # Han: extensions B to G
)
_CJK_CHARACTER = re.compile(f"[{_CJK}]")
_OTHER_RUN = re.compile(f"[^\\s{_CJK}]+")


def word_count(text: str) -> int:
    """How long ``text`` is in words, for every ``min-words`` option.

    Words are separated by whitespace, except in Chinese, Japanese and Korean, where a
    character counts as a word: those scripts write no spaces between words (Korean
    between phrases of several syllables), and a paragraph of them would otherwise be
    one word long and never compared. Among such characters, a run of other characters
    counts as a word when it holds a letter or digit (``2024``, ``iPhone``), not when it
    is punctuation alone, so a separator line stays short in any script.
    """
    if text.isascii() or _CJK_CHARACTER.search(text) is None:
        return len(text.split())
    others = sum(1 for run in _OTHER_RUN.findall(text) if any(c.isalnum() for c in run))
    return len(_CJK_CHARACTER.findall(text)) + others


def has_words(text: str, least: int) -> bool:
    """Whether ``word_count(text) >= least``, counting no further than ``least`` words.

    Every ``min-words`` test of every paragraph asks only this: splitting off the first
    ``least`` words (``str.split`` with ``maxsplit``) costs a tenth of splitting a news
    paragraph into all of its words. Text with Chinese, Japanese or Korean characters is
    counted whole, as :func:`word_count` counts it.
    """
    if least <= 0:
        return True
    if text.isascii() or _CJK_CHARACTER.search(text) is None:
        # Fewer than ``least`` words: split returns them all; more: ``least + 1`` pieces.
        return len(text.split(None, least)) >= least
    return word_count(text) >= least
