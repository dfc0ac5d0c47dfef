"""Spare the garbage collector from walking, again and again, what a run keeps to its end.

The parent process keeps what the document pass found until the corpus pass. When it
kept every signature as objects (now columns, see ``corpuslint.similarity.signatures``) that was
three tracked objects a paragraph, and CPython ran a full collection, walking all of
them, whenever the kept objects grew by a quarter: 8 of the 52 s of the document pass
at 100,000 articles. Freezing what has been kept so far moves it out of the collector's
sight (``gc.freeze``), in constant time; the corpus pass still makes and keeps an object
per member of a judged group.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

_T = TypeVar("_T")

FREEZE_EVERY = 4096  # items between freezes: small against the growth that starts a collection


def freezing(items: Iterable[_T], every: int = FREEZE_EVERY) -> Iterator[_T]:
    """Yield ``items``, freezing every object alive every ``every`` items; unfreeze at the end.

    Garbage cycles made meanwhile are collected after the end instead of during the loop.
    Nothing is frozen when the collector is disabled (a host may have its own policy).
    """
    if not gc.isenabled():
        yield from items
        return
    try:
        for number, item in enumerate(items, 1):
            yield item
            if number % every == 0:
                gc.freeze()
    finally:
        gc.unfreeze()


@contextmanager
def frozen() -> Iterator[None]:
    """Freeze every object alive now until the block ends: for a pass over what is kept.

    The corpus pass only reads the signatures the document pass kept, but its own
    short-lived objects start collections that walk all of them, a large share of its
    time in a big corpus.
    """
    if not gc.isenabled():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
