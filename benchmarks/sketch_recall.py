"""How many real near copies CL102's sketch filter would reject, for several `min-jaccard`.

Pairs are made from the source articles' sentences (1-6 in a row, as a paragraph) with
1-3 word edits (substitute, insert, delete), the planted kind of near copy; only pairs
at normalized ``fuzz.ratio`` >= 90 count. For each, the band keys and sketches of
``corpuslint.similarity.hashing.near_keys`` (21 x 6) tell whether a band finds the pair and which
estimates the filter would reject. Prints one line per `min-jaccard` value.

    python benchmarks/sketch_recall.py [--pairs 40000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from corpuslint.similarity import sketch
from corpuslint.similarity.hashing import near_keys
from corpuslint.similarity.normalize import normalize

sys.path.insert(0, str(Path(__file__).parent))
from make_corpus import DEFAULT_SOURCE, load_sentences

JACCARDS = (0.45, 0.5, 0.55, 0.6)
SHORT = 20  # words: the recall target is for paragraphs of 20 words or more


def edited_pairs(sentences: list[str], count: int, seed: int) -> list[tuple[str, str, int]]:
    """(original, near copy, words) pairs, normalized, at ratio 90 or more."""
    vocabulary = sorted({w.lower().strip(".,;:!?\"'") for s in sentences for w in s.split()})
    rng = random.Random(seed)
    pairs: list[tuple[str, str, int]] = []
    while len(pairs) < count:
        run = rng.choice((1, 1, 2, 2, 3, 4, 6))
        start = rng.randrange(len(sentences) - run)
        words = " ".join(sentences[start : start + run]).split()
        if len(words) < 8:  # CL102's min-words
            continue
        edited = list(words)
        for _ in range(rng.randint(1, 3)):
            op, position = rng.choice("sid"), rng.randrange(1, len(edited))
            if op == "s":
                edited[position] = rng.choice(vocabulary)
            elif op == "i":
                edited.insert(position, rng.choice(vocabulary))
            elif len(edited) > 2:
                del edited[position]
        original, copy = normalize(" ".join(words)), normalize(" ".join(edited))
        if original != copy and fuzz.ratio(original, copy) >= 90:
            pairs.append((original, copy, len(words)))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    pairs = edited_pairs(load_sentences(args.source), args.pairs, args.seed)
    first = near_keys([p[0] for p in pairs])
    second = near_keys([p[1] for p in pairs])
    # Counted as CL102's filter counts them: a pair missing a sketch agrees on every value.
    sketches = [key[1] for key in first] + [key[1] for key in second]
    index = np.arange(len(first), dtype=np.intp)
    agreeing = sketch.agreeing_pairs(sketches, index, index + len(first))
    banded = np.array(
        [
            bool(set(np.frombuffer(a[0], np.int64)) & set(np.frombuffer(b[0], np.int64)))
            for a, b in zip(first, second, strict=True)
        ]
    )
    short = np.array([p[2] < SHORT for p in pairs])
    print(f"{len(pairs)} pairs at ratio >= 90 ({short.sum()} under {SHORT} words)")
    print(f"found by a band (21 x 6): {banded.sum()} ({banded.mean():.4f})")
    for jaccard in JACCARDS:
        lost = banded & (agreeing < sketch.needed(jaccard))
        print(
            f"min-jaccard {jaccard:.2f}: rejects {lost.sum()} of {banded.sum()} found"
            f" ({lost.sum() / banded.sum():.4%}); under {SHORT} words {(lost & short).sum()},"
            f" {SHORT} or more {(lost & ~short).sum()}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
