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
from functools import lru_cache

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
_BOUNDS = frozenset(word for pair in OPPOSITES for word in pair)


def _negation(word: str) -> bool:
    # don't, isn't, won't; French n'est, n'a
    return word in NEGATIONS or word.endswith("n't") or (word.startswith("n'") and len(word) > 2)


def _negations(words: list[str]) -> int:
    """How many of ``words`` negate: set look-ups in C; elisions only where an apostrophe is."""
    count = sum(map(NEGATIONS.__contains__, words))
    for word in words:
        if "'" in word and word not in NEGATIONS and _negation(word):
            count += 1
    return count


@lru_cache(maxsize=2048)
def _reading(text: str) -> tuple[int, Counter[str]]:
    """How many negations ``text`` holds, and how often each bounding word stands in it.

    Cached: the corpus pass checks one original against each of its near copies.
    """
    words = _WORDS.findall(text)
    return _negations(words), Counter(filter(_BOUNDS.__contains__, words))


def opposite(first: str, second: str) -> bool:
    """Whether one of two (normalized) texts negates or inverts what the other says."""
    (mine_not, mine), (theirs_not, theirs) = _reading(first), _reading(second)
    if mine_not != theirs_not:
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
    return mine == theirs and _reading(first)[0] != _reading(second)[0]
