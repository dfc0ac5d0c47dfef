"""How well the HTML reader finds an article's prose: word-level F1 against annotated bodies.

For every page of the article-extraction benchmark, the words of the blocks corpuslint
treats as prose (``Document.prose``: paragraphs, quotes, list items, table cells,
definitions, footnotes; not headings, captions or markup) are compared with the words of
the ground truth's ``articleBody`` as bags of lower-case words (the benchmark's own
measure): precision is the share of extracted words in the body, recall the share of
body words extracted. Prints mean and median F1, precision and recall, and the pages
under 0.5 F1.

    python benchmarks/extraction.py DATA_DIR [--worst N] [--trafilatura]

DATA_DIR is a copy of the article-extraction-benchmark (its html/ and ground-truth.json).
``--trafilatura`` scores trafilatura's extraction of the same pages too (when it is
installed; it is not a dependency of corpuslint), for comparison.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from corpuslint.readers.base import ReadError
from corpuslint.readers.html import parse_html

_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    """The bag of lower-case words of ``text``."""
    return Counter(_WORD.findall(text.lower()))


def score(found: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the words of ``found`` against those of ``truth``."""
    got, want = words(found), words(truth)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else (1.0 if not want else 0.0)
    recall = common / sum(want.values()) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def corpuslint_prose(data: bytes, name: str) -> str:
    """The text of the blocks corpuslint treats as the page's prose ("" if unreadable)."""
    try:
        document = parse_html(data, name)
    except ReadError:
        return ""
    return "\n".join(block.text for block in document.prose)


def trafilatura_text(data: bytes, name: str) -> str:
    """trafilatura's main text of the page (for comparison only)."""
    import trafilatura

    return trafilatura.extract(data) or ""


def measure(
    pages: list[Path], truth: dict[str, dict[str, str]], extract: Callable[[bytes, str], str]
) -> list[tuple[str, float, float, float]]:
    """Each page's key and (precision, recall, F1) of ``extract``."""
    scores = []
    for page in pages:
        key = page.name.split(".")[0]
        text = extract(gzip.decompress(page.read_bytes()), page.name)
        scores.append((key, *score(text, truth.get(key, {}).get("articleBody", ""))))
    return scores


def report(label: str, scores: list[tuple[str, float, float, float]], worst: int) -> None:
    """Print the summary of one extractor's scores."""
    precision = [s[1] for s in scores]
    recall = [s[2] for s in scores]
    f1 = [s[3] for s in scores]
    low = sorted((s for s in scores if s[3] < 0.5), key=lambda s: s[3])
    print(f"{label}: {len(scores)} pages")
    print(f"    F1         mean {statistics.mean(f1):.3f}  median {statistics.median(f1):.3f}")
    print(f"    precision  mean {statistics.mean(precision):.3f}")
    print(f"    recall     mean {statistics.mean(recall):.3f}")
    print(f"    pages under 0.5 F1: {len(low)}")
    for key, p, r, f in low[:worst]:
        print(f"        {key[:16]}  F1 {f:.2f}  precision {p:.2f}  recall {r:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--worst", type=int, default=10, help="pages under 0.5 to list")
    parser.add_argument("--trafilatura", action="store_true", help="score trafilatura too")
    args = parser.parse_args()
    pages = sorted((args.data / "html").glob("*.html.gz"))
    if not pages:
        print(f"no pages under {args.data / 'html'}", file=sys.stderr)
        return 2
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    report("corpuslint", measure(pages, truth, corpuslint_prose), args.worst)
    if args.trafilatura:
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print("trafilatura is not installed", file=sys.stderr)
            return 2
        report("trafilatura", measure(pages, truth, trafilatura_text), args.worst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
