"""Independent check of a generated corpus against its ``truth.json``.

    python benchmarks/check_truth.py OUTDIR            # check an existing corpus
    python benchmarks/check_truth.py --generate 200     # generate 200 articles, then check

Parses the files itself (not with corpuslint's readers) and checks that:

- every planted CL101/CL102 item's copy and original lines exist and hold the claimed
  relation: equal after ``corpuslint.similarity.normalize.normalize`` (exact), or different with
  rapidfuzz ``ratio`` >= 90 and a word-level edit distance of 1..edits (near);
- every CL202 item's two headlines are equal after normalization, and every CL301
  article has no author, byline or credit line;
- brute force over all paragraphs: every group of equal paragraphs, every pair at
  ratio >= 90 and every group of equal headlines is a planted item (all-pairs ``cdist``
  up to 8,000 paragraphs; above that, pairs sharing a word 4-gram are compared).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from corpuslint.similarity.normalize import normalize

THRESHOLD = 90.0
MIN_WORDS = 8
ALL_PAIRS_LIMIT = 8000


@dataclass(frozen=True)
class Paragraph:
    path: str
    line: int
    index: int  # position in its document
    text: str
    norm: str


@dataclass
class Doc:
    path: str
    line: int  # record line (jsonl) or 1
    headline: str
    headline_line: int
    author: str | None
    paragraphs: list[Paragraph]
    credit: bool  # a "By ..." or "Reporting by ..." line in the body


def _body(
    path: str, record_line: int, blocks: list[tuple[int, str]]
) -> tuple[list[Paragraph], bool]:
    paragraphs: list[Paragraph] = []
    credit = False
    for line, text in blocks:
        if text.startswith(("By ", "Reporting by ")):
            credit = True
        if len(text.split()) >= MIN_WORDS:
            paragraphs.append(Paragraph(path, line, len(paragraphs), text, normalize(text)))
    return paragraphs, credit


def read_corpus(outdir: Path, fmt: str) -> list[Doc]:
    docs: list[Doc] = []
    suffix = {"md": ".md", "txt": ".txt", "jsonl": ".jsonl"}[fmt]
    for file in sorted(outdir.rglob(f"*{suffix}")):
        rel = file.relative_to(outdir).as_posix()
        raw = file.read_text(encoding="utf-8")
        if fmt == "jsonl":
            for number, line in enumerate(raw.splitlines(), start=1):
                record = json.loads(line)
                blocks = [(number, b) for b in record["text"].split("\n\n")]
                paras, credit = _body(rel, number, blocks)
                docs.append(
                    Doc(rel, number, record["title"], number, record.get("author"), paras, credit)
                )
            continue
        lines = raw.split("\n")
        author = None
        if fmt == "md":
            end = lines.index("---", 1)
            meta = dict(line.split(": ", 1) for line in lines[1:end])
            headline, headline_line = json.loads(meta["title"]), 2
            author = meta.get("author")
            start = end + 1
        else:
            headline, headline_line, start = lines[0], 1, 1
        blocks = [(i + 1, lines[i]) for i in range(start, len(lines)) if lines[i].strip()]
        paras, credit = _body(rel, 1, blocks)
        docs.append(Doc(rel, 1, headline, headline_line, author, paras, credit))
    return docs


def _related(a: str, b: str, kind: str, edits: int) -> str | None:
    """None if ``a`` and ``b`` are ``kind`` copies of each other, else what is wrong."""
    if kind == "exact":
        return None if a == b else "not equal after normalization"
    if a == b:
        return "equal, planted as near"
    score = fuzz.ratio(a, b)
    if score < THRESHOLD:
        return f"ratio {score:.1f} < {THRESHOLD}"
    distance = Levenshtein.distance(a.split(), b.split())
    if not 1 <= distance <= edits:
        return f"word edit distance {distance}, planted {edits}"
    return None


def verify(outdir: Path) -> tuple[list[str], dict[str, int]]:
    """Problems found (empty when the truth file is right) and some counts."""
    outdir = Path(outdir)
    truth = json.loads((outdir / "truth.json").read_text(encoding="utf-8"))
    fmt = truth["format"]
    docs = read_corpus(outdir, fmt)
    problems: list[str] = []
    by_line: dict[tuple[str, int], list[Paragraph]] = defaultdict(list)
    doc_at: dict[tuple[str, int], Doc] = {}
    for doc in docs:
        doc_at[(doc.path, doc.line)] = doc
        for p in doc.paragraphs:
            by_line[(p.path, p.line)].append(p)
    if len(docs) != truth["articles"]:
        problems.append(f"{len(docs)} documents, truth says {truth['articles']}")

    planted_exact: set[tuple[tuple[str, int], tuple[str, int]]] = set()
    planted_near: set[frozenset[tuple[str, int]]] = set()
    for item in truth["planted"]:
        code, kind = item["code"], item["kind"]
        where = f"{code} {kind} {item['path']}:{item['line']}"
        copy_key = (item["path"], item["line"])
        if code in ("CL101", "CL102"):
            orig_key = (item["original_path"], item["original_line"])
            if (copy_key[0], copy_key[1]) <= (orig_key[0], orig_key[1]) and fmt != "jsonl":
                problems.append(f"{where}: copy does not come after its original")
            copies, originals = by_line.get(copy_key, []), by_line.get(orig_key, [])
            if not copies or not originals:
                problems.append(f"{where}: no paragraph at the copy or the original line")
                continue
            pairs = [(c, o) for c in copies for o in originals if c is not o]
            if fmt == "jsonl" and code == "CL101":
                pairs = [(c, o) for c, o in pairs if c.index > o.index]
            errors = [_related(c.norm, o.norm, kind, item["edits"]) for c, o in pairs]
            if all(e is not None for e in errors):
                problems.append(f"{where}: {errors[0] if errors else 'no pair'}")
            if code == "CL102" and copy_key[0] == orig_key[0] and fmt != "jsonl":
                problems.append(f"{where}: CL102 copy in the same file as its original")
            if kind == "exact":
                planted_exact.add((copy_key, orig_key))
            else:
                planted_near.add(frozenset((copy_key, orig_key)))
        elif code == "CL202":
            copy_doc = next((d for d in docs if (d.path, d.headline_line) == copy_key), None)
            orig_doc = next(
                (
                    d
                    for d in docs
                    if (d.path, d.headline_line) == (item["original_path"], item["original_line"])
                ),
                None,
            )
            if copy_doc is None or orig_doc is None:
                problems.append(f"{where}: no headline at the copy or the original line")
            elif normalize(copy_doc.headline) != normalize(orig_doc.headline):
                problems.append(f"{where}: headlines differ")
        elif code == "CL301":
            unattributed = doc_at.get(copy_key)
            if unattributed is None:
                problems.append(f"{where}: no such document")
            elif unattributed.author or unattributed.credit:
                problems.append(f"{where}: the document has attribution")

    # Every exact group of paragraphs is explained by planted items.
    paragraphs = [p for d in docs for p in d.paragraphs]
    groups: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        groups[p.norm].append(p)
    unplanted_exact = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        keys = sorted({(p.path, p.line) for p in group})
        first = keys[0]
        for other in keys[1:]:
            if (other, first) not in planted_exact:
                unplanted_exact += 1
                problems.append(f"unplanted exact duplicate: {other} of {first}")
        if len(keys) == 1 and (first, first) not in planted_exact:
            problems.append(f"unplanted exact duplicate inside record {first}")

    # Every near pair is explained by planted items.
    unplanted_near = 0
    for a, b, score in near_pairs(paragraphs):
        pa, pb = paragraphs[a], paragraphs[b]
        if pa.norm == pb.norm:
            continue
        if frozenset(((pa.path, pa.line), (pb.path, pb.line))) not in planted_near:
            unplanted_near += 1
            if unplanted_near <= 20:
                problems.append(
                    f"unplanted near duplicate ({score:.1f}): {pa.path}:{pa.line}"
                    f" ~ {pb.path}:{pb.line}"
                )

    headlines: dict[str, list[Doc]] = defaultdict(list)
    for doc in docs:
        headlines[normalize(doc.headline)].append(doc)
    planted_headlines = {(i["path"], i["line"]) for i in truth["planted"] if i["code"] == "CL202"}
    for alike in headlines.values():
        for doc in sorted(alike, key=lambda d: (d.path, d.line))[1:]:
            if (doc.path, doc.headline_line) not in planted_headlines:
                problems.append(f"unplanted duplicate headline at {doc.path}:{doc.headline_line}")
    counts = {
        "documents": len(docs),
        "paragraphs": len(paragraphs),
        "planted": len(truth["planted"]),
        "unplanted_exact": unplanted_exact,
        "unplanted_near": unplanted_near,
    }
    return problems, counts


def near_pairs(paragraphs: list[Paragraph]) -> list[tuple[int, int, float]]:
    """(i, j, ratio) for i < j with ratio >= THRESHOLD."""
    texts = [p.norm for p in paragraphs]
    found: list[tuple[int, int, float]] = []
    if len(texts) <= ALL_PAIRS_LIMIT:
        matrix = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=THRESHOLD, workers=-1)
        rows, cols = matrix.nonzero()
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if i < j:
                found.append((i, j, float(matrix[i, j])))
        return found
    # Candidates: pairs sharing a word 4-gram (buckets over 500 are common phrases).
    buckets: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, text in enumerate(texts):
        words = text.split()
        for gram in {tuple(words[k : k + 4]) for k in range(len(words) - 3)}:
            buckets[gram].append(index)
    candidates: set[tuple[int, int]] = set()
    for members in buckets.values():
        if 1 < len(members) <= 500:
            candidates.update((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
    for a, b in sorted(candidates):
        score = fuzz.ratio(texts[a], texts[b], score_cutoff=THRESHOLD)
        if score:
            found.append((a, b, score))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, nargs="?")
    parser.add_argument("--generate", type=int, metavar="N", help="generate N articles first")
    parser.add_argument("--format", default="md", choices=("md", "txt", "jsonl"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        outdir = args.outdir
        if args.generate:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from make_corpus import generate

            outdir = outdir or Path(scratch) / "corpus"
            generate(args.generate, outdir, args.format, args.seed)
        if outdir is None:
            parser.error("give OUTDIR or --generate N")
        problems, counts = verify(outdir)
    for problem in problems:
        print(problem)
    print(f"{'FAILED' if problems else 'OK'}: {counts}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
