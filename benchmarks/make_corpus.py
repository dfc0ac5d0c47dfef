"""Generate a synthetic corpus with known planted duplicates, for benchmarks and recall.

    python benchmarks/make_corpus.py N OUTDIR [--format md|txt|jsonl] [--seed S] [--footer]

Paragraphs are recombined real sentences from the 181 article bodies of the
article-extraction-benchmark (MIT licence): its ``ground-truth.json``, given with ``--source``
or the environment variable CORPUSLINT_BENCHMARK_SOURCE.
Every paragraph has two to a few sentences, and no two paragraphs of the corpus share
two sentences (an unordered sentence pair is used once) while no sentence is more than
60 % of its paragraph: so unplanted paragraphs are never equal and stay far below
rapidfuzz ratio 90 of each other. Then, with a seeded RNG, the generator plants:

- CL101 exact: a paragraph (or a run of 2-3 consecutive paragraphs) repeated later in
  its own document; CL101 near: a later copy with 1-3 word edits (substitute, insert,
  delete) in a paragraph of 20+ words, kept at rapidfuzz ratio >= 91 on normalized text;
- CL102 exact / near: a paragraph of one document copied (exactly, or with 1-3 word
  edits) into a document later in path-then-line order;
- CL202: a document's headline reused by a later document (sometimes in other case);
- CL301: a few documents with no author, byline or credit line.

With ``--footer`` every article ends with the same newsletter paragraph, as a site's
template adds one: boilerplate, which no rule reports (nothing is planted in it), but
whose keys every article holds.

``OUTDIR/truth.json`` lists every planted item with the copy's path and line (the
later one), the original's path and line, exact/near and the number of word edits.
``OUTDIR/corpuslint.toml`` makes OUTDIR its own corpuslint project. The same N, format
and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from rapidfuzz import fuzz

from corpuslint.similarity.normalize import normalize

SOURCE_VARIABLE = "CORPUSLINT_BENCHMARK_SOURCE"
DEFAULT_SOURCE = Path(os.environ.get(SOURCE_VARIABLE, "ground-truth.json"))
"""The source articles: the environment variable's path, else ``ground-truth.json`` here."""
FORMATS = ("md", "txt", "jsonl")
RECORDS_PER_FILE = 1000
MARKER = ".make_corpus"  # lets a rerun replace an interrupted corpus
NEAR_MIN_RATIO = 91.0  # planted near copies stay this similar (the rule's default is 90)
MAX_SENTENCE_SHARE = 0.6  # no sentence is more than this share of its paragraph's text

# Planted items per article (expected counts; at least one of each for N >= 10).
RATES = {
    "CL101-exact": 0.015,
    "CL101-near": 0.015,
    "CL102-exact": 0.02,
    "CL102-near": 0.02,
    "CL202": 0.01,
    "CL301": 0.005,
}

_SPLIT = re.compile(r"(?<=[.!?][\"”’)])\s+|(?<=[.!?])\s+(?=[\"“‘(]?[A-Z])")
_START = re.compile(r"[\"“‘]?[A-Z]")
# Markup that would change how a Markdown reader sees the text, links, and anything that
# looks like attribution (datelines, credit lines, bylines): the pool must stay neutral.
_REJECT = re.compile(
    r"[*_`<>\[\]#|~&\\{}^$]|https?:|www\.|@|©|\.com\b"
    r"|\((?:[A-Z][A-Za-z]*)\)\s*[-–—:]"
    r"|^(?:By|Source|Sources|Credit|Credits|Via|Disclosure|Photo|Image|Advertisement)\b"
    r"|\b(?:reporting|written|reported|compiled|edited|produced|writing|editing)\s+by\b"
    r"|\bbased on (?:the )?(?:reporting|research|work)",
    re.IGNORECASE,
)
_WORD = re.compile(r"^[a-z]{3,10}$")
_HEADLINE_STRIP = " \t.,;:!?…\"'“”‘’()-–—"

FIRST_NAMES = (
    "Amelia Ben Carla Daniel Elena Farid Grace Hiro Ines Jonas Kavya Liam Maya Nadia Omar"
    " Priya Quentin Rosa Samuel Tomas Uma Victor Wen Ximena Yusuf Zoe Aisha Bruno Chloe"
    " Dmitri Esther Felix Gabriela Hannah Ivan Julia Kwame Lena Mateo Nora"
).split()
LAST_NAMES = (
    "Abbott Baker Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Lopez"
    " Murphy Nakamura Okafor Petrov Quinn Rossi Schmidt Tanaka Usman Varga Weber Xu Yilmaz"
    " Zhang Almeida Brennan Chen Dalton Evans Ferreira Gupta Holm Ibrahim Jovanovic Kim"
    " Larsen Moreau Novak"
).split()


# --------------------------------------------------------------------------- source


def load_sentences(source: Path) -> list[str]:
    """Usable sentences of the source articles, in a deterministic order, deduplicated.

    A sentence is dropped if its normalized text, its first five or its last five
    normalized words were seen before: this removes near-identical boilerplate
    ("Portion Fix Containers: 1 Green, ...") that would make unplanted near copies.
    """
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(
            f"make_corpus: {source}: cannot read the source articles ({exc.strerror});"
            f" pass --source or set {SOURCE_VARIABLE}"
        ) from None
    seen: set[str] = set()
    sentences: list[str] = []
    for key in sorted(data):
        for block in data[key]["articleBody"].split("\n"):
            for raw in _SPLIT.split(block.strip()):
                sentence = " ".join(raw.split())
                if not 6 <= len(sentence.split()) <= 45:
                    continue
                if not _START.match(sentence) or sentence[-1] not in '.!?"”’':
                    continue
                if _REJECT.search(sentence):
                    continue
                words = re.findall(r"\w+", normalize(sentence))
                keys = (" ".join(words), "f " + " ".join(words[:5]), "l " + " ".join(words[-5:]))
                if any(k in seen for k in keys):
                    continue
                seen.update(keys)
                sentences.append(sentence)
    return sentences


# --------------------------------------------------------------------------- model


@dataclass
class Para:
    """A paragraph of the output; ``line`` is set when its article is rendered."""

    text: str
    words: int
    line: int = 0
    used: bool = False  # already the original of a planted item (or itself a copy)


@dataclass
class Plant:
    code: str
    kind: str  # exact | near | missing
    copy: Para | None = None
    copy_path: str = ""
    original: Para | None = None
    original_path: str = ""
    edits: int = 0
    ops: tuple[str, ...] = ()
    similarity: float = 100.0
    group: int | None = None  # CL101 runs: the planted items of one repeated run
    variant: str = ""  # exact copies that differ before normalization
    headline: str = ""  # CL202: the shared headline
    line: int = 0  # CL202 / CL301: line of the copy (headline or record)
    original_line: int = 0

    def record(self) -> dict[str, object]:
        if self.code in ("CL101", "CL102"):
            assert self.copy is not None
            assert self.original is not None
            line, original_line = self.copy.line, self.original.line
        else:
            line, original_line = self.line, self.original_line
        item: dict[str, object] = {
            "code": self.code,
            "kind": self.kind,
            "path": self.copy_path,
            "line": line,
        }
        if self.code != "CL301":
            item.update(
                original_path=self.original_path,
                original_line=original_line,
                edits=self.edits,
            )
        if self.kind == "near":
            item.update(ops=list(self.ops), similarity=round(self.similarity, 2))
        if self.group is not None:
            item["group"] = self.group
        if self.variant:
            item["variant"] = self.variant
        return item


@dataclass
class Article:
    index: int
    path: str
    headline: str
    author: str | None
    attribution: str  # meta | byline | credit | none
    paras: list[Para] = field(default_factory=list)
    line: int = 1  # jsonl: the record's line
    footer: str = ""  # a paragraph every article ends with (--footer)


class Truth(TypedDict):
    """``truth.json``: what the generated corpus holds and every item planted in it."""

    generator: str
    version: int
    format: str
    seed: int
    articles: int
    files: int
    paragraphs: int
    bytes: int
    source: str
    sentences: int
    sentence_reuse: float
    near_min_ratio: float
    counts: dict[str, int]
    planted: list[dict[str, Any]]  # JSON records: which keys, and their types, follow the code


class Generated(Truth):
    """The truth data and the seconds the generation took (not written to the file)."""

    seconds: float


# --------------------------------------------------------------------------- generator


class Generator:
    def __init__(self, n: int, fmt: str, seed: int, sentences: list[str]) -> None:
        self.n = n
        self.fmt = fmt
        self.rng = random.Random(seed)
        self.seed = seed
        self.sentences = sentences
        self.sentence_words = [len(s.split()) for s in sentences]
        self.sentence_chars = [len(s) for s in sentences]
        self.used_pairs: set[int] = set()
        self.headlines: set[str] = set()
        vocabulary = {w for s in sentences for w in s.lower().split() if _WORD.match(w)}
        self.vocabulary = sorted(vocabulary)
        self.digits = max(6, len(str(max(n - 1, 0))))
        self.paragraph_count = 0
        self.sentence_uses = 0
        self.plants: list[Plant] = []
        self.groups = 0

    # -- names

    def path_of(self, index: int) -> tuple[str, int]:
        """(path relative to OUTDIR, line of the record) of article ``index``."""
        if self.fmt == "jsonl":
            return f"part-{index // RECORDS_PER_FILE:05d}.jsonl", index % RECORDS_PER_FILE + 1
        name = f"{index:0{self.digits}d}"
        return f"{name[:-3]}/{name}.{self.fmt}", 1

    # -- text

    def paragraph(self) -> Para:
        """A new paragraph of 2+ real sentences, 25-150 words, sharing no sentence pair."""
        rng, count = self.rng, len(self.sentences)
        roll = rng.random()
        if roll < 0.8:
            target = rng.randint(25, 40)
        elif roll < 0.95:
            target = rng.randint(41, 90)
        else:
            target = rng.randint(91, 150)
        while True:
            chosen: list[int] = []
            words = chars = 0
            while words < target or len(chosen) < 2:
                s = rng.randrange(count)
                if s in chosen:
                    continue
                if words + self.sentence_words[s] > 150:
                    break
                chosen.append(s)
                words += self.sentence_words[s]
                chars += self.sentence_chars[s] + 1
            if len(chosen) < 2 or words < 25:
                continue
            if max(self.sentence_chars[s] for s in chosen) > MAX_SENTENCE_SHARE * chars:
                continue
            pairs = [
                a * count + b if a < b else b * count + a
                for i, a in enumerate(chosen)
                for b in chosen[i + 1 :]
            ]
            if any(p in self.used_pairs for p in pairs):
                continue
            self.used_pairs.update(pairs)
            self.paragraph_count += 1
            self.sentence_uses += len(chosen)
            return Para(" ".join(self.sentences[s] for s in chosen), words)

    def headline(self) -> str:
        """A new headline: a 5-12 word window of a real sentence, unique after normalization."""
        rng = self.rng
        while True:
            words = self.sentences[rng.randrange(len(self.sentences))].split()
            size = rng.randint(5, 12)
            if len(words) < size:
                continue
            start = rng.randint(0, len(words) - size)
            text = " ".join(words[start : start + size]).strip(_HEADLINE_STRIP)
            if len(text.split()) < 4 or text.split()[0].lower() == "by":
                continue
            text = text[0].upper() + text[1:]
            key = normalize(text)
            if key in self.headlines:
                continue
            self.headlines.add(key)
            return text

    def author(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def near_copy(self, para: Para) -> tuple[str, tuple[str, ...], float] | None:
        """``para``'s text with 1-3 word edits and ratio >= NEAR_MIN_RATIO, or None."""
        rng = self.rng
        original = normalize(para.text)
        for attempt in range(30):
            edits = rng.randint(1, 3) if attempt < 20 else 1
            words = para.text.split()
            ops: list[str] = []
            for _ in range(edits):
                op = rng.choice(("substitute", "insert", "delete"))
                position = rng.randrange(1, len(words))  # keep the first word
                if op == "substitute":
                    old = words[position].lower().strip(".,;:!?\"'“”‘’()")
                    new = rng.choice(self.vocabulary)
                    if new == old:
                        continue
                    words[position] = new
                elif op == "insert":
                    words.insert(position, rng.choice(self.vocabulary))
                else:
                    del words[position]
                ops.append(op)
            if not ops:
                continue
            text = " ".join(words)
            edited = normalize(text)
            if edited == original:
                continue
            similarity = fuzz.ratio(original, edited)
            if similarity >= NEAR_MIN_RATIO:
                return text, tuple(ops), similarity
        return None

    def exact_copy(self, text: str) -> tuple[str, str]:
        """``text`` or a variant equal to it after normalization (quotes, spacing)."""
        roll = self.rng.random()
        if roll < 0.1 and any(c in text for c in "’“”‘"):
            swapped = text.translate(str.maketrans("’‘“”", "''\"\""))
            return swapped, "straight-quotes"
        if roll < 0.2 and ". " in text:
            return text.replace(". ", ".  ", 1), "double-space"
        return text, ""

    # -- planning

    def counts(self) -> dict[str, int]:
        minimum = 1 if self.n >= 10 else 0
        return {k: max(minimum, round(rate * self.n)) for k, rate in RATES.items()}

    def plan(self) -> None:
        """Decide which articles hold which planted items (texts are chosen later)."""
        rng, n = self.rng, self.n
        counts = self.counts()
        self.within: dict[int, list[tuple[str, int]]] = {}  # article -> [(kind, run length)]
        for kind in ("exact", "near"):
            for _ in range(counts[f"CL101-{kind}"]):
                run = rng.choice((1, 1, 2, 3)) if kind == "exact" else 1
                self.within.setdefault(rng.randrange(n), []).append((kind, run))
        # Cross-document copies: original in article i, copy in a later article j.
        self.outgoing: dict[int, list[Plant]] = {}
        self.incoming: dict[int, list[Plant]] = {}
        if n >= 2:
            for kind in ("exact", "near"):
                for _ in range(counts[f"CL102-{kind}"]):
                    j = rng.randrange(1, n)
                    i = rng.randrange(0, j)
                    plant = Plant("CL102", kind)
                    self.outgoing.setdefault(i, []).append(plant)
                    self.incoming.setdefault(j, []).append(plant)
        # Headlines: each source used once, and never itself a copy.
        self.headline_from: dict[int, int] = {}
        sources: set[int] = set()
        for _ in range(counts["CL202"] if n >= 2 else 0):
            for _attempt in range(100):
                j = rng.randrange(1, n)
                i = rng.randrange(0, j)
                if j in self.headline_from or j in sources or i in sources:
                    continue
                if i in self.headline_from:
                    continue
                self.headline_from[j] = i
                sources.add(i)
                break
        self.headline_sources = sources
        self.missing = set(rng.sample(range(n), min(n, counts["CL301"])))
        self.headline_of: dict[int, str] = {}  # headlines of sources, kept until copied

    # -- one article

    def article(self, index: int) -> Article:
        rng = self.rng
        path, record_line = self.path_of(index)
        if index in self.headline_from:
            source = self.headline_from[index]
            text = self.headline_of.pop(source)
            variant = ""
            roll = rng.random()
            if roll < 0.25:
                text, variant = text.upper(), "upper-case"
            elif roll < 0.5:
                text, variant = text.lower(), "lower-case"
            src_path, src_line = self.path_of(source)
            plant = Plant("CL202", "exact", original_path=src_path, copy_path=path, variant=variant)
            plant.original_line = self._headline_line(src_line)
            plant.line = self._headline_line(record_line)
            plant.headline = text
            self.plants.append(plant)
        else:
            text = self.headline()
        if index in self.headline_sources:
            self.headline_of[index] = text
        if index in self.missing:
            author, attribution = None, "none"
            self.plants.append(Plant("CL301", "missing", copy_path=path, line=record_line))
        else:
            author = self.author()
            roll = rng.random()
            meta_share = 0.9 if self.fmt != "txt" else 0.0
            if roll < meta_share:
                attribution = "meta"
            elif roll < meta_share + (1 - meta_share) * 0.7:
                attribution = "byline"
            else:
                attribution = "credit"
        article = Article(index, path, text, author, attribution, line=record_line)
        paras = [self.paragraph() for _ in range(rng.randint(8, 12))]
        article.paras = list(paras)

        # Originals of later cross-document copies.
        for plant in self.outgoing.pop(index, []):
            pool = [p for p in paras if not p.used and (plant.kind == "exact" or p.words >= 20)]
            original = rng.choice(pool)
            original.used = True
            plant.original, plant.original_path = original, path
        # Copies within the document.
        for kind, run in self.within.get(index, []):
            self._plant_within(article, kind, run, path)
        # Copies of earlier documents' paragraphs.
        for plant in self.incoming.pop(index, []):
            assert plant.original is not None
            if plant.kind == "exact":
                text_copy, plant.variant = self.exact_copy(plant.original.text)
            else:
                made = self.near_copy(plant.original)
                if made is None:  # cannot happen for 20+ words; keep the run going
                    continue
                text_copy, plant.ops, plant.similarity = made
                plant.edits = len(plant.ops)
            copy = Para(text_copy, len(text_copy.split()), used=True)
            article.paras.insert(rng.randint(0, len(article.paras)), copy)
            plant.copy, plant.copy_path = copy, path
            self.plants.append(plant)
        return article

    def _plant_within(self, article: Article, kind: str, run: int, path: str) -> None:
        rng, paras = self.rng, article.paras
        base = [p for p in paras if not p.used]
        if kind == "near":
            candidates = [p for p in base if p.words >= 20]
            if not candidates:
                return
            original = rng.choice(candidates)
            made = self.near_copy(original)
            if made is None:
                return
            text, ops, similarity = made
            original.used = True
            copy = Para(text, len(text.split()), used=True)
            paras.insert(rng.randint(paras.index(original) + 1, len(paras)), copy)
            self.plants.append(
                Plant(
                    "CL101",
                    "near",
                    copy=copy,
                    copy_path=path,
                    original=original,
                    original_path=path,
                    edits=len(ops),
                    ops=ops,
                    similarity=similarity,
                )
            )
            return
        # Exact: a run of `run` consecutive unused paragraphs, repeated later as a block.
        starts = [
            i for i in range(len(paras) - run + 1) if all(not p.used for p in paras[i : i + run])
        ]
        if not starts:
            return
        start = rng.choice(starts)
        originals = paras[start : start + run]
        group = None
        if run > 1:
            group = self.groups
            self.groups += 1
        copies = []
        for original in originals:
            original.used = True
            text, variant = self.exact_copy(original.text)
            copy = Para(text, original.words, used=True)
            copies.append(copy)
            self.plants.append(
                Plant(
                    "CL101",
                    "exact",
                    copy=copy,
                    copy_path=path,
                    original=original,
                    original_path=path,
                    group=group,
                    variant=variant,
                )
            )
        at = rng.randint(start + run, len(paras))
        paras[at:at] = copies

    def _headline_line(self, record_line: int) -> int:
        # md: "---" then "title:" on line 2; txt: line 1; jsonl: the record's line.
        return {"md": 2, "txt": 1}.get(self.fmt, record_line)


# --------------------------------------------------------------------------- rendering


def render_md(article: Article) -> str:
    head = ["---", "title: " + json.dumps(article.headline, ensure_ascii=False)]
    if article.attribution == "meta":
        head.append(f"author: {article.author}")
    return _render_body(article, [*head, "---", ""])


def render_txt(article: Article) -> str:
    return _render_body(article, [article.headline, ""])


def _render_body(article: Article, lines: list[str]) -> str:
    """The article's byline, paragraphs and credit after ``lines``, noting each paragraph's line."""
    if article.attribution == "byline":
        lines += [f"By {article.author}", ""]
    for para in article.paras:
        para.line = len(lines) + 1
        lines += [para.text, ""]
    if article.footer:
        lines += [article.footer, ""]
    if article.attribution == "credit":
        lines += [f"Reporting by {article.author}", ""]
    return "\n".join(lines)


def render_jsonl(article: Article) -> str:
    blocks = [p.text for p in article.paras]
    for para in article.paras:
        para.line = article.line
    record: dict[str, object] = {"id": f"doc-{article.index:06d}", "title": article.headline}
    if article.attribution == "meta":
        record["author"] = article.author
    if article.attribution == "byline":
        blocks.insert(0, f"By {article.author}")
    if article.footer:
        blocks.append(article.footer)
    if article.attribution == "credit":
        blocks.append(f"Reporting by {article.author}")
    record["text"] = "\n\n".join(blocks)
    return json.dumps(record, ensure_ascii=False) + "\n"


RENDER = {"md": render_md, "txt": render_txt, "jsonl": render_jsonl}


# --------------------------------------------------------------------------- driver


def prepare_outdir(outdir: Path) -> None:
    if outdir.exists() and any(outdir.iterdir()):
        if not (outdir / MARKER).is_file() and not (outdir / "truth.json").is_file():
            raise SystemExit(
                f"{outdir} is not empty and holds no generated corpus: not touching it"
            )
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / MARKER).write_text("written by benchmarks/make_corpus.py\n", encoding="utf-8")


FOOTER = (
    "This story is part of our weekly newsletter. Sign up to get the best of our"
    " journalism delivered to your inbox every Friday morning, free of charge."
)
"""The paragraph ``--footer`` ends every article with."""


def generate(
    n: int,
    outdir: Path,
    fmt: str = "md",
    seed: int = 1,
    source: Path = DEFAULT_SOURCE,
    footer: bool = False,
) -> Generated:
    """Write the corpus and ``truth.json``; return the truth data."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    started = time.perf_counter()
    outdir = Path(outdir)
    prepare_outdir(outdir)
    generator = Generator(n, fmt, seed, load_sentences(source))
    generator.plan()
    render = RENDER[fmt]
    total_bytes = 0
    files = 0
    made_dirs: set[str] = set()
    handle = None
    handle_path = ""
    try:
        for index in range(n):
            article = generator.article(index)
            article.footer = FOOTER if footer else ""
            text = render(article)
            data = text.encode("utf-8")
            total_bytes += len(data)
            directory = os.path.dirname(article.path)
            if directory and directory not in made_dirs:
                (outdir / directory).mkdir(parents=True, exist_ok=True)
                made_dirs.add(directory)
            if fmt == "jsonl":
                if handle is None or article.path != handle_path:
                    if handle is not None:
                        handle.close()
                    handle = open(outdir / article.path, "wb")  # noqa: SIM115
                    handle_path = article.path
                    files += 1
                handle.write(data)
            else:
                with open(outdir / article.path, "wb") as out:
                    out.write(data)
                files += 1
    finally:
        if handle is not None:
            handle.close()

    planted = sorted(
        (p.record() for p in generator.plants),
        key=lambda r: (r["code"], r["path"], r["line"], r.get("original_line", 0)),
    )
    counts: dict[str, int] = {}
    for item in planted:
        key = f"{item['code']}-{item['kind']}"
        counts[key] = counts.get(key, 0) + 1
    truth: Truth = {
        "generator": "benchmarks/make_corpus.py",
        "version": 1,
        "format": fmt,
        "seed": seed,
        "articles": n,
        "files": files,
        "paragraphs": generator.paragraph_count,
        "bytes": total_bytes,
        "source": f"{source.name} of article-extraction-benchmark (MIT licence)",
        "sentences": len(generator.sentences),
        # How often each source sentence is reused on average: at 100k articles about
        # 470, far above real text, which inflates shared n-gram buckets (see README).
        "sentence_reuse": round(generator.sentence_uses / len(generator.sentences), 1),
        "near_min_ratio": NEAR_MIN_RATIO,
        "counts": dict(sorted(counts.items())),
        "planted": planted,
    }
    (outdir / "truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    (outdir / "corpuslint.toml").write_text(
        "# A generated benchmark corpus (benchmarks/make_corpus.py) is its own project.\n"
        'exclude = ["truth.json"]\n',
        encoding="utf-8",
    )
    return {**truth, "seconds": round(time.perf_counter() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--format", choices=FORMATS, default="md")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument(
        "--footer", action="store_true", help="end every article with one newsletter paragraph"
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    truth = generate(args.n, args.outdir, args.format, args.seed, args.source, args.footer)
    print(
        f"wrote {truth['articles']} articles, {truth['paragraphs']} paragraphs,"
        f" {truth['bytes'] / 1e6:.1f} MB in {truth['files']} files to {args.outdir}"
        f" in {truth['seconds']} s; planted {truth['counts']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
