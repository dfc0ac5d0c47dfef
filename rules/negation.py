"""Whether two near-identical texts say opposite things: one negates, the other does not.

Near copies are found by character similarity, and "is not supported" is 90 % similar
to "is supported". A pair is read as saying the opposite when the two texts hold a
different number of negations (English, German, French, Spanish, Portuguese, Italian,
Dutch: *not*, *no*, *never*, *-n't*, *without*, *nicht*, *kein*, *ne*/*n'*, *pas*,
*sin*, *não*, *non*, *niet*, *geen* and their kin) or one bounds a quantity from
below where the other bounds it from above (*at least* / *at most*, *more* / *less*).
Numbers are not meaning here: a changed figure is a stale copy, still a near copy.
"""

from __future__ import annotations

import re
from collections import Counter

NEGATIONS = frozenset(
    {
        # English
        "not", "no", "never", "without", "none", "nobody", "nothing", "nowhere", "neither",
        "nor", "cannot", "unable",
        # German
        "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
        "ohne", "nichts", "niemand", "weder",
        # French
        "ne", "pas", "jamais", "sans", "aucun", "aucune", "rien", "ni",
        # Spanish
        "nunca", "sin", "ningún", "ninguno", "ninguna", "nada", "nadie", "jamás", "tampoco",
        # Portuguese
        "não", "nao", "sem", "nenhum", "nenhuma", "ninguém",
        # Italian
        "non", "senza", "nessuno", "nessuna", "niente", "nulla", "neanche", "nemmeno",
        # Dutch
        "niet", "geen", "nooit", "zonder", "niets", "nergens",
    }
)  # fmt: skip
"""Words that negate what follows, lower case (texts are compared in normalized form)."""

OPPOSITES = (
    ("least", "most"),
    ("more", "less"),
    ("more", "fewer"),
    ("minimum", "maximum"),
    ("mindestens", "höchstens"),
    ("menos", "más"),
    ("meno", "più"),
    ("minste", "hoogste"),
)
"""Word pairs that bound a quantity from opposite sides."""

_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _negation(word: str) -> bool:
    # don't, isn't, won't; French n'est, n'a
    return word in NEGATIONS or word.endswith("n't") or (word.startswith("n'") and len(word) > 2)


def _counts(text: str) -> Counter[str]:
    words: Counter[str] = Counter()
    for word in _WORDS.findall(text):
        words["not" if _negation(word) else word] += 1
    return words


def opposite(first: str, second: str) -> bool:
    """Whether one of two (normalized) texts negates or inverts what the other says."""
    mine, theirs = _counts(first), _counts(second)
    if mine["not"] != theirs["not"]:
        return True
    for low, high in OPPOSITES:
        gained_low = mine[low] - theirs[low]
        gained_high = mine[high] - theirs[high]
        if gained_low * gained_high < 0:  # one side traded one bound for the other
            return True
    return False


def negated(first: str, second: str) -> bool:
    """Whether two (normalized) texts are the same words but for a different number of negations.

    "is present" and "is not present" are; "I couldn't focus" and "I could focus, too" not.

    Stricter than :func:`opposite`: a copy edited elsewhere too is still a copy.
    """
    mine = [w for w in _WORDS.findall(first) if not _negation(w)]
    theirs = [w for w in _WORDS.findall(second) if not _negation(w)]
    return mine == theirs and _counts(first)["not"] != _counts(second)["not"]
