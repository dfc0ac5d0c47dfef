"""Coverage-guided fuzzing of corpuslint's readers and rules (atheris, i.e. libFuzzer).

    python benchmarks/fuzz.py [--format text|markdown|html|jsonl] [--seconds 60] [--runs N]
                              [--crash-dir /tmp/corpuslint-fuzz-crashes] [--corpus-dir DIR]
                              [--max-len 8192]
    python benchmarks/fuzz.py --replay FILE_OR_DIR [...]

What: each input is written to a file with the format's suffix and checked the way a
run checks it: ``Checker.check`` with every rule selected (the reader, all document
rules and every corpus rule's signatures), then the corpus pass over the file's
signatures and a copy of them under another path, so ``compare`` runs too. Without
``--format`` the first input byte picks the format and the rest is the file.

A crash is any of:

- an exception escaping ``Checker.check`` (or ``compare``);
- an internal error in the outcome (a reader or rule that raised);
- a span outside the file: a finding, a signature, a related location or a
  suppression comment whose line is not a line of the file, whose columns are not
  within the line (1 to length + 1), or that ends before it starts. A suppression
  comment must also point at its ``<!--``, and a JSONL signature's columns must frame
  the JSON text of its block. Lines are the file's as the format's reader decodes it:
  UTF-8 (BOM dropped) split on LF, CRLF and CR; HTML in the encoding the reader
  sniffs; JSONL split on LF only (JSONL's definition of a line), gzip decompressed first.

Each distinct crash (its kind and where it happened) is saved once, the smallest
input kept, as ``CRASH_DIR/<format>-<key>.<suffix>`` (the file itself) with a ``.log``
beside it saying what went wrong. ``--replay`` runs saved inputs (files or folders)
through the same check without atheris and prints what it finds, with the traceback
of a failing reader or rule.

Why: the property test (tests/test_properties.py) draws 150 examples from a fixed
alphabet of pieces; coverage guidance finds inputs no grammar anticipated. libFuzzer
stops at its first crash and never returns, so this harness catches crashes itself,
keeps going, and stops on its own budget (``--seconds``, ``--runs``) to print totals.
Generated inputs that add coverage go to ``--corpus-dir`` (never to the seed folders),
so a later run starts where this one stopped. Seeds: tests/rules/fixtures, examples/
and tests/readers/data. atheris is not a dependency of the package: ``pip install
atheris`` (3.0.0 has wheels for CPython 3.11).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {"text": ".txt", "markdown": ".md", "html": ".html", "jsonl": ".jsonl"}
ORDER = tuple(FORMATS)  # without --format, FORMATS[ORDER[first byte % 4]]
SEED_DIRS = (ROOT / "tests" / "rules" / "fixtures", ROOT / "examples", ROOT / "tests/readers/data")
INSTRUMENTED = ("corpuslint", "corpuslint_rules")  # pyromark is native code
INSTRUMENTED_MODULES = (
    "corpuslint.run.executor",
    "corpuslint.run.finish",
    "corpuslint.readers.text",
    "corpuslint.readers.markdown",
    "corpuslint.readers.jsonl",
    "corpuslint.readers.html",
    "corpuslint.readers.html_attribution",
    "corpuslint.readers.html_content",
    "corpuslint.readers.html_positions",
    "corpuslint_rules",
)
ARTIFACTS = ("crash-", "timeout-", "oom-", "slow-unit-", "leak-")  # libFuzzer's, mixed inputs
SLOW_SECONDS = 5.0  # an input slower than this is reported (not counted as a crash)
_COPY = "#copy"  # the path of the signatures' copy in the corpus pass


@dataclass(frozen=True)
class Crash:
    """One thing wrong with one input: ``key`` identifies the bug, ``detail`` explains it."""

    kind: str
    """``exception``, ``internal-error`` or ``span``."""
    key: str
    detail: str


# ---------------------------------------------------------------------------- lines


def _gunzip(data: bytes) -> tuple[bytes, bool]:
    """What a gzip stream decompresses to, and whether it was cut short or corrupt."""
    out: list[bytes] = []
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits=31)
            out.append(inflater.decompress(rest))
            if not inflater.eof:
                return b"".join(out), True
            rest = inflater.unused_data
            if rest and not rest.startswith(b"\x1f\x8b"):
                return b"".join(out), True
    except zlib.error:
        return b"".join(out), True
    return b"".join(out), False


def file_lines(data: bytes, fmt: str) -> list[str]:
    """The file's lines as the format's reader numbers them (see the module docstring)."""
    from corpuslint.readers.base import split_lines

    if fmt == "jsonl":
        broken = False
        if data.startswith(b"\x1f\x8b"):
            data, broken = _gunzip(data)
        data = data.removeprefix(b"\xef\xbb\xbf")
        lines = [raw.decode("utf-8", "replace").rstrip("\r") for raw in data.split(b"\n")]
        return [*lines, ""] if broken else lines  # the reader reports the line after the last
    if fmt == "html":
        from corpuslint.readers.html import sniff_encoding

        return split_lines(data.decode(sniff_encoding(data), "replace"))
    return split_lines(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace"))


def span_problem(
    lines: Sequence[str], line: int, column: int, end_line: int, end_column: int
) -> str:
    """Why a span is not inside the file, or ``""`` when it is."""
    if not 1 <= line <= end_line <= len(lines):
        return f"lines {line}-{end_line} outside 1-{len(lines)}"
    if (line, column) > (end_line, end_column):
        return f"ends ({end_line}:{end_column}) before it starts ({line}:{column})"
    for at, col in ((line, column), (end_line, end_column)):
        if not 1 <= col <= len(lines[at - 1]) + 1:
            return f"column {col} outside line {at} (1-{len(lines[at - 1]) + 1})"
    return ""


def outcome_crashes(
    outcome: Any, lines: Sequence[str], compared: Iterable[Any] = (), fmt: str = ""
) -> list[Crash]:
    """What is wrong with a ``FileOutcome`` (and corpus-pass findings) for a file of ``lines``.

    For JSONL, a signature's columns must also frame the JSON text of its block.
    """
    from corpuslint.similarity.signatures import pairs

    crashes = [
        Crash("internal-error", "internal-error " + _error_key(error), error)
        for error in outcome.errors
    ]

    def check(
        what: str, code: str, line: int, column: int, end_line: int, end_col: int, message: str = ""
    ) -> None:
        problem = span_problem(lines, line, column, end_line, end_col)
        if problem:
            where = f"{line}:{column}-{end_line}:{end_col}"
            about = " ".join(message.split()[:3])  # CL001's kind of problem, say
            key = f"span {what} {code} {_numberless(f'{about} / {problem}')}"
            detail = f"{what} {code} at {where}: {problem} ({message})"
            crashes.append(Crash("span", key, detail))

    for v in (*outcome.violations, *compared):
        check("finding", v.code, *_corners(v.span), v.message)
        for r in v.related:  # in this file, or in its copy (the same lines)
            check("related", v.code, r.line, r.column, r.line, r.column)
    for code, signature in pairs(outcome.signatures):
        s = signature.span
        check("signature", code, *_corners(s))
        # A CL103 signature stands for a whole document: its text is the document's
        # paragraph keys, not the JSON string at its span (the headline's).
        if fmt == "jsonl" and code != "CL103" and not span_problem(lines, *_corners(s)):
            problem = _jsonl_text_problem(lines[s.line - 1], s, signature.text)
            if problem:
                key = f"span signature {code} {problem.split(':')[0]}"
                crashes.append(Crash("span", key, f"signature {code} at {s}: {problem}"))
    for directive in outcome.directives:
        line, column = directive.line, directive.column
        check("directive", directive.kind, line, column, line, column)
        if 1 <= line <= len(lines) and not lines[line - 1][column - 1 :].startswith("<!--"):
            off = "column" if "<!--" in lines[line - 1] else "line"  # CRs, or a BOM, say
            key = f"span directive {directive.kind} not at its comment ({off})"
            text = lines[line - 1][max(0, column - 1) :][:20]
            crashes.append(Crash("span", key, f"directive at {line}:{column} points at {text!r}"))
    return crashes


def _corners(span: Any) -> tuple[int, int, int, int]:
    return span.line, span.column, span.end_line, span.end_column


def _jsonl_text_problem(line: str, span: Any, text: str) -> str:
    """Why the JSON string text at ``span`` (one line) is not the block's ``text``, or ``""``."""
    from corpuslint.similarity.normalize import normalize

    raw = line[span.column - 1 : span.end_column - 1]
    try:
        found = normalize(json.loads(f'"{raw}"'))
    except ValueError:
        return f"columns cut the JSON string: {raw[:40]!r}"
    if found != text:
        return f"columns frame other text: {found[:40]!r}, not {text[:40]!r}"
    return ""


def _error_key(error: str) -> str:
    """An internal error's identity: who failed with which exception, not on which file."""
    found = re.match(r"internal error: (rule \S+|reader \S+).*?: (\w+): ", error)
    return f"{found[1]} {found[2]}" if found else _numberless(error[:80])


def _numberless(text: str) -> str:
    """``text`` with numbers (and hex bytes) as ``N``, so one bug has one key."""
    return re.sub(r"0x[0-9a-fA-F]+|(?<![A-Z]-)(?<![A-Z])[0-9]+", "N", text)


def _exception_key(exc: BaseException) -> str:
    """An exception's identity: its type and the innermost frame in corpuslint's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/corpuslint" in f.filename or "/rules/" in f.filename]
    frame = (ours or frames)[-1] if frames else None
    where = f"{Path(frame.filename).name}:{frame.lineno}" if frame is not None else "?"
    return f"exception {type(exc).__name__} {where}"


# ---------------------------------------------------------------------------- harness


class Harness:
    """Checks inputs the way ``corpuslint check`` does, one file at a time."""

    def __init__(self, workdir: Path) -> None:
        from corpuslint import plugins
        from corpuslint.config import Config
        from corpuslint.run.executor import Checker
        from corpuslint.run.plan import Overrides, make_plan

        self.workdir = workdir
        registry = plugins.load()
        plan = make_plan(Config(root=workdir), registry, Overrides(select=("ALL",)))
        self.checker = Checker(registry, plan)

    def source(self, fmt: str, data: bytes) -> Any:
        """The input written as this format's file, as a ``SourceFile``."""
        from corpuslint.run.discover import SourceFile

        name = f"fuzz{FORMATS[fmt]}"
        path = self.workdir / name
        path.write_bytes(data)
        return SourceFile(str(path), name, name)

    def check(self, fmt: str, data: bytes) -> list[Crash]:
        """Every crash that checking ``data`` as a ``fmt`` file shows (none: ``[]``)."""
        from corpuslint.engines.local.corpus_pass import compare
        from corpuslint.similarity.signatures import pack, pairs

        source = self.source(fmt, data)
        try:
            outcome = self.checker.check(source)
            errors: list[str] = []
            copies = pack(
                (code, replace(s, path=s.path + _COPY)) for code, s in pairs(outcome.signatures)
            )
            both = [(True, outcome.signatures), (False, copies)]
            compared = list(compare(self.checker, both, errors))
        except Exception as exc:
            return [Crash("exception", _exception_key(exc), _format_exception(exc))]
        crashes = outcome_crashes(outcome, file_lines(data, fmt), compared, fmt)
        crashes += [Crash("internal-error", "internal-error " + _error_key(e), e) for e in errors]
        return crashes

    def explain(self, fmt: str, data: bytes) -> str:
        """Tracebacks of the reader and rules run directly, for internal errors."""
        from corpuslint.model import Document

        source = self.source(fmt, data)
        reader = self.checker.reader(source)
        assert reader is not None
        try:
            items = list(reader.read(source.path, source.display))
        except Exception as exc:
            return _format_exception(exc)
        out = []
        for item in items:
            if not isinstance(item, Document):
                continue
            for rule in self.checker.document_rules:
                try:
                    list(rule.check(item, self.checker.plan.options[rule.code]))
                except Exception as exc:
                    out.append(f"{rule.code}: {_format_exception(exc)}")
            for corpus_rule in self.checker.corpus_rules:
                try:
                    list(corpus_rule.signatures(item, self.checker.plan.options[corpus_rule.code]))
                except Exception as exc:
                    out.append(f"{corpus_rule.code}: {_format_exception(exc)}")
        return "\n".join(out)


def _format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()


def split_input(data: bytes, fmt: str | None) -> tuple[str, bytes]:
    """The format and file bytes of a fuzz input (the first byte picks the format if none)."""
    if fmt is not None:
        return fmt, data
    if not data:
        return ORDER[0], b""
    return ORDER[data[0] % len(ORDER)], data[1:]


# ---------------------------------------------------------------------------- crash store


class CrashStore:
    """Distinct crashes found so far, each saved once (the smallest input kept)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.found: dict[str, tuple[Crash, Path, int]] = {}

    def add(self, fmt: str, data: bytes, crashes: Sequence[Crash]) -> list[Crash]:
        """Record the input's crashes; return those never seen before."""
        new = []
        for crash in crashes:
            digest = hashlib.blake2b(f"{fmt} {crash.key}".encode(), digest_size=6).hexdigest()
            seen = self.found.get(crash.key)
            if seen is not None and seen[2] <= len(data):
                continue
            if seen is None:
                new.append(crash)
            path = self.directory / f"{fmt}-{digest}{FORMATS[fmt]}"
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.with_name(path.name + ".log").write_text(
                f"format: {fmt}\nkind: {crash.kind}\nkey: {crash.key}\n"
                f"input: {data!r}\n\n{crash.detail}\n",
                encoding="utf-8",
            )
            self.found[crash.key] = (crash, path, len(data))
        return new


# ---------------------------------------------------------------------------- running


def seeds(fmt: str | None) -> Iterator[bytes]:
    """Seed inputs: the repository's fixtures and examples of the format (all four if none)."""
    for directory in SEED_DIRS:
        for path in sorted(directory.rglob("*")):
            if not path.is_file():
                continue
            name = path.name.lower()
            data = path.read_bytes()
            if name.endswith(".gz"):
                name = name[:-3]
                data = gzip.decompress(data)
            for index, (kind, suffix) in enumerate(FORMATS.items()):
                if name.endswith(suffix) and fmt in (None, kind):
                    yield data if fmt is not None else bytes([index]) + data


def fuzz(args: argparse.Namespace) -> int:
    """Run atheris until the budget is spent; print totals; 1 if any crash was found."""
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: pip install atheris", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=list(INSTRUMENTED)):
        for module in INSTRUMENTED_MODULES:  # first imported here, so they are instrumented
            importlib.import_module(module)
        harness = Harness(Path(tempfile.mkdtemp(prefix="corpuslint-fuzz-")))

    corpus = Path(args.corpus_dir or f"/tmp/corpuslint-fuzz-corpus/{args.format or 'mixed'}")
    corpus.mkdir(parents=True, exist_ok=True)
    for data in seeds(args.format):
        seed = corpus / f"seed-{hashlib.blake2b(data, digest_size=8).hexdigest()}"
        if not seed.exists():
            seed.write_bytes(data)
    store = CrashStore(Path(args.crash_dir))
    label = args.format or "mixed"
    counts = {"inputs": 0, "slow": 0}
    start = time.monotonic()

    def finish() -> None:
        elapsed = time.monotonic() - start
        print(f"\nformat: {label}")
        print(f"inputs executed: {counts['inputs']}")
        print(f"seconds: {elapsed:.1f} ({counts['inputs'] / max(elapsed, 1e-9):.0f}/s)")
        print(f"slow inputs (> {SLOW_SECONDS:.0f} s): {counts['slow']}")
        print(f"crashes found: {len(store.found)}")
        for crash, path, size in store.found.values():
            print(f"  {crash.key}\n    {path} ({size} bytes)")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1 if store.found else 0)  # libFuzzer never returns, and atexit never runs

    def one_input(data: bytes) -> None:
        fmt, body = split_input(data, args.format)
        began = time.monotonic()
        crashes = harness.check(fmt, body)
        took = time.monotonic() - began
        counts["inputs"] += 1
        if took > SLOW_SECONDS:
            counts["slow"] += 1
            print(f"slow input ({took:.1f} s, {len(body)} bytes) as {fmt}", file=sys.stderr)
        for crash in store.add(fmt, body, crashes):
            print(f"\nCRASH {fmt}: {crash.key}\n{crash.detail}\n", file=sys.stderr, flush=True)
        if (args.runs and counts["inputs"] >= args.runs) or (
            args.seconds and time.monotonic() - start >= args.seconds
        ):
            finish()

    libfuzzer = [
        sys.argv[0],
        str(corpus),
        f"-max_len={args.max_len}",
        f"-artifact_prefix={Path(args.crash_dir)}/",
        "-timeout=60",
        "-rss_limit_mb=4096",
    ]
    if args.seconds:  # a backstop only: the harness stops itself to print the totals
        libfuzzer.append(f"-max_total_time={int(args.seconds) + 120}")
    Path(args.crash_dir).mkdir(parents=True, exist_ok=True)
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()
    finish()  # not reached: libFuzzer exits by itself
    return 0


def _input(name: str) -> bool:
    """Whether a file in a folder given to ``--replay`` is an input to check."""
    name = name.lower()
    return name.endswith(tuple(FORMATS.values())) or name.startswith(ARTIFACTS)


def replay(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """Check saved inputs (files, or every file in folders); 1 if any crashes."""
    harness = Harness(Path(tempfile.mkdtemp(prefix="corpuslint-fuzz-")))
    paths: list[Path] = []
    for given in map(Path, args.replay):
        if given.is_dir():  # inputs only: the format's files and libFuzzer's artifacts
            paths.extend(sorted(p for p in given.rglob("*") if p.is_file() and _input(p.name)))
        else:
            paths.append(given)
    failed = 0
    for path in paths:
        fmt = args.format or next(
            (k for k, s in FORMATS.items() if path.name.lower().endswith(s)), None
        )
        fmt, data = split_input(path.read_bytes(), fmt)
        crashes = harness.check(fmt, data)
        out(f"{path}: {fmt}, {len(crashes)} crash(es)")
        for crash in crashes:
            out(f"  {crash.key}\n    {crash.detail}")
        if any(c.kind == "internal-error" for c in crashes):
            out(harness.explain(fmt, data))
        failed += bool(crashes)
    shutil.rmtree(harness.workdir, ignore_errors=True)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--format", choices=ORDER, help="the input's format (default: 1st byte)")
    parser.add_argument("--seconds", type=float, default=60, help="time budget (0: none)")
    parser.add_argument("--runs", type=int, default=0, help="input budget (0: none)")
    parser.add_argument("--crash-dir", default="/tmp/corpuslint-fuzz-crashes")
    parser.add_argument(
        "--corpus-dir", help="working corpus (default /tmp/corpuslint-fuzz-corpus/FORMAT)"
    )
    parser.add_argument("--max-len", type=int, default=8192, help="largest input in bytes")
    parser.add_argument("--replay", nargs="+", metavar="PATH", help="check saved inputs and exit")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args)
    if not args.seconds and not args.runs:
        parser.error("give a budget: --seconds or --runs")
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
