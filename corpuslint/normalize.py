"""Text normalization shared by every rule, so that "the same text" means one thing.

Unicode NFKC, case folded, typographic quotes and dashes unified, leftover inline
markup characters removed and whitespace collapsed. Written with ``str.translate``
and ``str.split`` rather than regular expressions: this runs on every paragraph of
the corpus, and regex normalization is the measured bottleneck of the exact pass.
"""

from __future__ import annotations

import unicodedata

_TABLE = str.maketrans(
    {
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
)


def normalize(text: str) -> str:
    """Return the comparison form of ``text`` (see the module docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.translate(_TABLE).casefold().split())


def word_count(text: str) -> int:
    """Number of whitespace-separated words in ``text``."""
    return len(text.split())
