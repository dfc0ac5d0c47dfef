"""Hostile structured inputs for every reader, run through the real command line.

    python benchmarks/fuzz_hostile.py [--seconds 120] [--seed 0] [--format FORMAT ...]
                                      [--crash-dir /tmp/corpuslint-hostile]

What: hypothesis draws large structured inputs that attack a reader's limits rather
than its grammar (benchmarks/fuzz.py does the grammar, with coverage guidance):
nesting thousands of levels deep in YAML and TOML front matter, JSONL records and
JSON-LD; integers of thousands of digits; impossible dates; YAML tags and alias
bombs; bogus HTML charsets; deep HTML; compression bombs; Parquet row groups far over
budget; control characters, workflow commands and ANSI escapes in text and file
names. Each input is a file in a fresh project folder (with a ``corpuslint.toml`` that
sets low budgets, so a bomb costs megabytes, not gigabytes), checked in-process by
``corpuslint check --no-cache --format FORMAT -- FILE``.

A crash is any of: an exception escaping the command, exit code 2 (internal error),
an ``internal error`` line, a line on stderr or in text output that GitHub would read
as a workflow command (``::``) or that carries a control character, or an input that
took longer than ``--slow`` seconds. Each crash is saved once under ``--crash-dir``
with a ``.log`` saying what went wrong. The script prints inputs tried and crashes
found per format and exits 1 if there was any crash.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import re
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from corpuslint.cli import main

# Low budgets: the bombs below are sized just past them, so a run stays small.
CONFIG = """\
[text]
max-file-mb = 1
[markdown]
max-file-mb = 1
max-depth = 32
[html]
max-file-mb = 1
max-depth = 64
[jsonl]
max-record-mb = 1
max-inflated-mb = 4
max-depth = 32
[parquet]
max-row-group-mb = 1
"""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NASTY_TEXT = st.sampled_from(
    [
        "::error title=pwned::owned",
        "\x1b[31mred\x1b[0m",
        "::add-mask::secret",
        "line\rbreak",
        "\u202eevil\u202c",
        "%0A::warning::x",
        "\x00nul",
        "\u2028sep",
    ]
)


@dataclass(frozen=True)
class Sample:
    """One hostile input: its file name and bytes."""

    name: str
    data: bytes


def _nested_json(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def _nested_yaml(depth: int) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}v"


def _yaml_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines)


def _file_name(text: str) -> str:
    """``text`` as a file name: what a file system refuses (NUL, ``/``) becomes ``_``."""
    return re.sub(r"[\x00/]", "_", text)[:40] or "_"


def _markdown(front: str, body: str, toml: bool = False) -> bytes:
    fence = "+++" if toml else "---"
    return f"{fence}\n{front}\n{fence}\n\n# Headline\n\n{body}\n".encode(errors="surrogatepass")


_DEPTH = st.integers(min_value=100, max_value=200_000)
_DIGITS = st.integers(min_value=4_301, max_value=200_000)
_BODY = st.text(min_size=0, max_size=2_000).map(lambda s: s.encode("utf-8", "replace").decode())


def _text_samples() -> st.SearchStrategy[Sample]:
    long_line = st.integers(min_value=1 << 20, max_value=4 << 20).map(
        lambda n: Sample("long.txt", b"word " * (n // 5))
    )
    nasty = st.tuples(_NASTY_TEXT, _BODY).map(
        lambda t: Sample("nasty.txt", f"Headline {t[0]}\n\n{t[1]} {t[0]}\n\n{t[0]}\n".encode())
    )
    binary = st.binary(min_size=1, max_size=50_000).map(lambda b: Sample("binary.txt", b))
    return st.one_of(long_line, nasty, binary)


def _markdown_samples() -> st.SearchStrategy[Sample]:
    deep_yaml = _DEPTH.map(
        lambda d: Sample("deep.md", _markdown(_nested_yaml(min(d, 20_000)), "x"))
    )
    flow_yaml = _DEPTH.map(lambda d: Sample("flow.md", _markdown("k: " + _nested_json(d), "x")))
    toml = _DEPTH.map(
        lambda d: Sample("deep-toml.md", _markdown("k = " + _nested_json(d), "x", toml=True))
    )
    big_int = _DIGITS.map(lambda n: Sample("int.md", _markdown("n: " + "9" * n, "x")))
    big_toml_int = _DIGITS.map(
        lambda n: Sample("int-toml.md", _markdown("n = " + "9" * n, "x", toml=True))
    )
    dates = st.sampled_from(["2024-13-01", "2024-02-30", "0000-00-00", "9999-99-99T99:99:99"]).map(
        lambda d: Sample("date.md", _markdown(f"date: {d}\ntitle: T", "Body text here."))
    )
    tags = st.sampled_from(
        ["!!python/object/apply:os.system ['id']", "!!binary AAAA!!", "!!set {a, b}", "!!omap x"]
    ).map(lambda t: Sample("tag.md", _markdown(f"author: {t}", "x")))
    bomb = st.integers(min_value=6, max_value=9).map(
        lambda n: Sample("bomb.md", _markdown(_yaml_bomb(n), "x"))
    )
    lists = _DEPTH.map(
        lambda d: Sample(
            "lists.md", ("".join("  " * i + "- x\n" for i in range(min(d, 3000)))).encode()
        )
    )
    quotes = _DEPTH.map(lambda d: Sample("quotes.md", (">" * min(d, 100_000) + " x\n").encode()))
    nasty = st.tuples(_NASTY_TEXT, _BODY).map(
        lambda t: Sample(_file_name(t[0]) + ".md", _markdown(f"title: '{t[0]}'", t[1]))
    )
    return st.one_of(
        deep_yaml, flow_yaml, toml, big_int, big_toml_int, dates, tags, bomb, lists, quotes, nasty
    )


def _html_samples() -> st.SearchStrategy[Sample]:
    deep = _DEPTH.map(
        lambda d: Sample("deep.html", ("<div>" * d + "<p>deep text</p>" + "</div>" * d).encode())
    )
    charset = st.sampled_from(["base64", "rot13", "hex", "zlib", "utf-7", "x-nope", "bz2", ""]).map(
        lambda c: Sample("charset.html", f'<meta charset="{c}"><h1>T</h1><p>body</p>'.encode())
    )
    jsonld = _DEPTH.map(
        lambda d: Sample(
            "jsonld.html",
            (
                '<script type="application/ld+json">{"author": ' + _nested_json(d) + "}</script>"
                "<h1>T</h1><p>body</p>"
            ).encode(),
        )
    )
    huge_text = st.integers(min_value=1 << 20, max_value=3 << 20).map(
        lambda n: Sample("huge.html", b"<p>" + b"a" * n + b"</p><p>after</p>")
    )
    entity = st.just(
        Sample(
            "xxe.html",
            b'<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><h1>T</h1><p>&x;</p>',
        )
    )
    return st.one_of(deep, charset, jsonld, huge_text, entity)


def _jsonl_samples() -> st.SearchStrategy[Sample]:
    deep = _DEPTH.map(
        lambda d: Sample("deep.jsonl", ('{"text": ' + _nested_json(d) + "}\n").encode())
    )
    big_int = _DIGITS.map(
        lambda n: Sample("int.jsonl", ('{"text": "a", "n": ' + "9" * n + "}\n").encode())
    )
    floats = st.sampled_from(["1e999999", "NaN", "-Infinity", "1" * 5000 + ".5"]).map(
        lambda f: Sample("float.jsonl", ('{"text": "a b", "n": ' + f + "}\n").encode())
    )
    mixed = st.lists(
        st.one_of(
            st.just('{"text": "fine record with enough words to compare here"}'),
            st.just("{broken"),
            _DEPTH.map(lambda d: '{"text": ' + _nested_json(min(d, 50_000)) + "}"),
            st.just('"not an object"'),
        ),
        min_size=1,
        max_size=20,
    ).map(lambda lines: Sample("mixed.jsonl", ("\n".join(lines) + "\n").encode()))
    bomb = st.integers(min_value=8, max_value=64).map(
        lambda mb: Sample("bomb.jsonl.gz", gzip.compress(b"\n" * (mb << 20), compresslevel=9))
    )
    zeros = st.integers(min_value=8, max_value=64).map(
        lambda mb: Sample(
            "zeros.jsonl.gz", gzip.compress(b'{"text": "' + b"a" * (mb << 20) + b'"}\n', 9)
        )
    )
    return st.one_of(deep, big_int, floats, mixed, bomb, zeros)


def _parquet_samples() -> st.SearchStrategy[Sample]:
    def table(rows: int) -> Sample:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # Distinct texts, so the row group is not dictionary-encoded small: it is over
        # the 1 MB budget of CONFIG and must be refused from the metadata alone.
        text = pa.array(
            [f"row {i} of a text long enough to fill the group" * 3 for i in range(rows)]
        )
        sink = io.BytesIO()
        pq.write_table(pa.table({"text": text}), sink, row_group_size=rows)
        return Sample("rows.parquet", sink.getvalue())

    garbage = st.binary(min_size=0, max_size=4096).map(
        lambda b: Sample("garbage.parquet", b"PAR1" + b + b"PAR1")
    )
    return st.one_of(st.integers(min_value=20_000, max_value=60_000).map(table), garbage)


FORMATS: dict[str, Callable[[], st.SearchStrategy[Sample]]] = {
    "text": _text_samples,
    "markdown": _markdown_samples,
    "html": _html_samples,
    "jsonl": _jsonl_samples,
    "parquet": _parquet_samples,
}


def _problems(exit_code: int, stdout: str, stderr: str, exc: BaseException | None) -> list[str]:
    found: list[str] = []
    if exc is not None and not isinstance(exc, SystemExit):
        found.append("exception: " + "".join(traceback.format_exception(exc)).strip())
    if exit_code not in (0, 1):
        first = next(iter(stderr.splitlines()), "")
        found.append(f"exit code {exit_code}: {first[:300]!r}")
    for stream, text in (("stdout", stdout), ("stderr", stderr)):
        for line in text.splitlines():
            if "internal error" in line:
                found.append(f"{stream}: internal error: {line[:300]!r}")
            if line.lstrip().startswith("::"):
                found.append(f"{stream}: workflow command: {line[:300]!r}")
            if _CONTROL.search(line):
                found.append(f"{stream}: control character: {line[:300]!r}")
    return found


def run_one(sample: Sample, output_format: str = "text") -> list[str]:
    """Check one sample in a fresh project folder; what went wrong, if anything."""
    folder = Path(tempfile.mkdtemp(prefix="corpuslint-hostile-"))
    try:
        (folder / "corpuslint.toml").write_text(CONFIG, encoding="utf-8")
        path = folder / sample.name
        path.write_bytes(sample.data)
        runner = CliRunner()
        args = ["check", "--no-cache", "--format", output_format, "--config"]
        args += [str(folder / "corpuslint.toml"), "--", str(path)]
        result = runner.invoke(main, args, catch_exceptions=True)
        return _problems(result.exit_code, result.stdout, result.stderr, result.exception)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fuzz(
    fmt: str, seconds: float, seed_value: int, slow: float, crash_dir: Path
) -> tuple[int, Counter[str]]:
    """Draw and check samples of one format for ``seconds``; (inputs tried, crashes by kind)."""
    tried = 0
    crashes: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    @seed(seed_value)
    @settings(
        max_examples=1_000_000,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: every crash is saved as drawn
        suppress_health_check=list(HealthCheck),
    )
    @given(sample=FORMATS[fmt]())
    def check(sample: Sample) -> None:
        nonlocal tried
        if time.monotonic() > deadline:
            raise _Done
        tried += 1
        started = time.monotonic()
        problems = run_one(sample)
        took = time.monotonic() - started
        if took > slow:
            problems.append(f"slow: {took:.1f} s")
        for problem in problems:
            kind = problem.split(":", 1)[0]
            key = f"{fmt}-{sample.name}-{kind}".replace(" ", "_")
            if key not in crashes:
                crash_dir.mkdir(parents=True, exist_ok=True)
                (crash_dir / key).write_bytes(sample.data)
                (crash_dir / f"{key}.log").write_text(problem + "\n", encoding="utf-8")
            crashes[key] += 1

    with contextlib.suppress(_Done):
        check()
    return tried, crashes


class _Done(Exception):
    """The format's time budget ran out."""


def main_cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=120.0, help="budget per format")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow", type=float, default=20.0, help="seconds that make an input slow")
    parser.add_argument("--format", action="append", choices=sorted(FORMATS), dest="formats")
    parser.add_argument(
        "--crash-dir", type=Path, default=Path(tempfile.gettempdir()) / "corpuslint-hostile"
    )
    args = parser.parse_args(argv)
    # Hypothesis warns that the reprs of megabyte-sized samples are large; they are meant to be.
    warnings.filterwarnings("ignore", message="Generating overly large repr")
    total = 0
    failed = 0
    print(f"{'format':<10} {'inputs':>7} {'crashes':>8}  kinds")
    for fmt in args.formats or list(FORMATS):
        tried, crashes = fuzz(fmt, args.seconds, args.seed, args.slow, args.crash_dir)
        total += tried
        failed += sum(crashes.values())
        kinds = ", ".join(f"{key} x{count}" for key, count in sorted(crashes.items())) or "-"
        print(f"{fmt:<10} {tried:>7} {sum(crashes.values()):>8}  {kinds}", flush=True)
    print(
        f"total: {total} inputs, {failed} crashes"
        + (f" (saved in {args.crash_dir})" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main_cli())
