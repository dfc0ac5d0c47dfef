"""Run the HTML reader and the document rules over the article-extraction benchmark pages.

Prints how many pages were read, how many carry author markup (detected here on the raw
HTML, independently of the reader), on how many the missing-attribution rule (CL301)
finds attribution, the duplicate-paragraph (CL101) findings, and how well the reader's
paragraphs match the benchmark's ground-truth article bodies (boilerplate shows up as
paragraphs, and duplicates, outside the ground truth).

    python benchmarks/html_survey.py DATA_DIR [--samples N]

DATA_DIR is a copy of the article-extraction-benchmark (its html/ and ground-truth.json).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from corpuslint import plugins
from corpuslint.model import Document, Notice, Violation
from corpuslint.readers.base import ReadError
from corpuslint.readers.html import parse_html
from corpuslint.rule import DocumentRule
from corpuslint.similarity.normalize import normalize

# Independent detection of author markup in the raw page (not the reader's code).
AUTHOR_SIGNALS = {
    "meta author": re.compile(
        rb"<meta[^>]+(?:name|property)\s*=\s*[\"']?(?:author|article:author)[\"'\s>]", re.I
    ),
    "rel=author": re.compile(rb"rel\s*=\s*[\"']?[^\"'>]*\bauthor\b", re.I),
    "JSON-LD author": re.compile(
        rb"<script[^>]+ld\+json[^>]*>(?:(?!</script).)*\"author\"\s*:", re.I | re.S
    ),
    "itemprop=author": re.compile(rb"itemprop\s*=\s*[\"']?[^\"'>]*\bauthor\b", re.I),
    "byline class": re.compile(rb"class\s*=\s*[\"'][^\"']*byline", re.I),
}


def author_signals(data: bytes) -> list[str]:
    """The names of the author-markup signals present in a raw page."""
    return [name for name, pattern in AUTHOR_SIGNALS.items() if pattern.search(data)]


def coverage(document: Document, truth: str) -> tuple[int, int, int]:
    """Characters of paragraphs found in the ground truth, of all paragraphs, of the truth."""
    body = normalize(truth)
    prose = [b.normalized for b in document.prose if b.normalized]
    matched = sum(len(text) for text in prose if text in body)
    return matched, sum(len(text) for text in prose), len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--samples", type=int, default=8)
    args = parser.parse_args()
    pages = sorted((args.data / "html").glob("*.html.gz"))
    if not pages:
        print(f"no pages under {args.data / 'html'}", file=sys.stderr)
        return 2
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))

    registry = plugins.load()
    rules: dict[str, DocumentRule] = {}
    for code in ("CL101", "CL201", "CL301"):
        rule = registry.rules[code]()
        if not isinstance(rule, DocumentRule):
            print(
                f"{code} is not a document rule: this survey checks pages one by one",
                file=sys.stderr,
            )
            return 2
        rules[code] = rule
    options = {code: rule.defaults() for code, rule in rules.items()}

    read = problems = with_markup = attributed = markup_attributed = 0
    findings: Counter[str] = Counter()
    signals: Counter[str] = Counter()
    samples: list[tuple[str, Violation, str]] = []
    boilerplate_dupes: list[tuple[str, str]] = []
    unattributed_with_markup: list[str] = []
    notices: list[Notice] = []
    matched = extracted = expected = 0
    started = time.perf_counter()
    for page in pages:
        key = page.name.split(".")[0]
        data = gzip.decompress(page.read_bytes())
        try:
            document = parse_html(data, page.name)
        except ReadError as exc:
            problems += 1
            print(f"CL001 {page.name}: {exc.message}")
            continue
        read += 1
        found = author_signals(data)
        signals.update(found)
        with_markup += bool(found)
        found_items = [v for code in rules for v in rules[code].check(document, options[code])]
        violations = [v for v in found_items if isinstance(v, Violation)]
        notices.extend(v for v in found_items if isinstance(v, Notice))
        findings.update(v.code for v in violations)
        has_attribution = not any(v.code == "CL301" for v in violations) and bool(document.prose)
        attributed += has_attribution
        markup_attributed += bool(found) and has_attribution
        if found and not has_attribution:
            unattributed_with_markup.append(f"{key[:12]} ({', '.join(found)})")
        body = normalize(truth.get(key, {}).get("articleBody", ""))
        by_place = {(b.span.line, b.span.column): b for b in document.prose}
        for violation in violations:
            if violation.code != "CL101":
                continue
            block = by_place.get((violation.span.line, violation.span.column))
            text = block.text if block else ""
            if block is not None and block.normalized not in body:
                boilerplate_dupes.append((key[:12], text[:90]))
            if len(samples) < args.samples:
                samples.append((key[:12], violation, text[:90]))
        m, e, x = coverage(document, truth.get(key, {}).get("articleBody", ""))
        matched, extracted, expected = matched + m, extracted + e, expected + x
    elapsed = time.perf_counter() - started

    print(f"pages read: {read} of {len(pages)} ({problems} unreadable) in {elapsed:.1f} s")
    print(f"pages with author markup (raw HTML signals): {with_markup}")
    for name, count in signals.most_common():
        print(f"    {name}: {count}")
    print(f"pages where CL301 finds attribution: {attributed}")
    print(f"    of the pages with author markup: {markup_attributed} of {with_markup}")
    for page_name in unattributed_with_markup:
        print(f"    markup but no attribution found: {page_name}")
    print(f"CL101 findings: {findings['CL101']}")
    print(f"    whose paragraph is not in the ground-truth body: {len(boilerplate_dupes)}")
    print(f"CL201 findings: {findings['CL201']}   CL301 findings: {findings['CL301']}")
    if extracted and expected:
        print(
            f"paragraph text in the ground truth: {matched / extracted:.1%} of what was read;"
            f" ground truth covered: {matched / expected:.1%}"
        )
    print("sample findings:")
    for key, violation, text in samples:
        print(f"    {key}:{violation.span.line}:{violation.span.column} {violation.code}")
        print(f"        {violation.message}")
        print(f"        {text!r}")
    for key, text in boilerplate_dupes[: args.samples]:
        print(f"    duplicate outside the ground truth: {key} {text!r}")
    for notice in notices:
        print(f"notice: {notice.path}: {notice.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
