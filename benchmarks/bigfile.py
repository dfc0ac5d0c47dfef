"""One large file on all cores: ``--jobs 1`` against ``--jobs 2``, and the same findings.

Generates a corpus with ``make_corpus.py`` (jsonl format, ``--articles`` articles: 100k
is about 350 MB) and joins its parts into one file, then writes the same records as one
gzip stream (``.jsonl.gz``) and as Parquet (``--row-group`` rows a group). Each file is
checked, all rules, no cache, in rounds interleaved as ``--jobs 1``, ``--jobs 2``,
``--jobs 2``, ``--jobs 1`` (the machine is shared: the best of each is kept). Prints the
seconds of each, the ratio jobs-2 / jobs-1, and whether both runs printed the same
findings (JSON output, byte for byte).

    python benchmarks/bigfile.py [--articles 100000] [--block-mb 64] [--keep DIR]

``--block-mb`` sets the local engine's block size for the run (a smaller corpus needs a
smaller block to be split at all); the default is the engine's own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Runs the CLI with the local engine's block size set first (argv[1], in MB).
CLI = (
    "import sys; from corpuslint.engines.local import split; "
    "split.BLOCK_BYTES = int(sys.argv.pop(1)) << 20; "
    "from corpuslint.cli import main; main()"
)
JSONL = ("--format", "jsonl")
OPTIONS = ("--no-cache", "--format", "json", "-q", "--jobs")


def make(articles: int, folder: Path, row_group: int) -> list[Path]:
    """The corpus as one JSONL file, one gzip stream and one Parquet file, in ``folder``."""
    parts = folder / "parts"
    subprocess.run(
        [sys.executable, str(HERE / "make_corpus.py"), str(articles), str(parts), *JSONL],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Each file in a folder of its own: it is the whole corpus of its run.
    for name in ("jsonl", "gz", "parquet"):
        (folder / name).mkdir()
        shutil.copy(parts / "corpuslint.toml", folder / name / "corpuslint.toml")
    big = folder / "jsonl" / "corpus.jsonl"
    with big.open("wb") as out:
        for part in sorted(parts.glob("part-*.jsonl")):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 22)
    shutil.rmtree(parts)
    packed = folder / "gz" / "corpus.jsonl.gz"
    with big.open("rb") as source, gzip.open(packed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(source, out, 1 << 22)
    made = [big, packed]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow is not installed: no Parquet run")
        return made
    table = folder / "parquet" / "corpus.parquet"
    with big.open("rb") as source:
        rows = [json.loads(line) for line in source]
    pq.write_table(pa.Table.from_pylist(rows), table, row_group_size=row_group)
    return [*made, table]


def check(path: Path, jobs: int, block_mb: int, out: Path) -> float:
    """Seconds of one ``corpuslint check`` of ``path``; its JSON output goes to ``out``."""
    started = time.perf_counter()
    with out.open("wb") as findings:
        result = subprocess.run(
            [sys.executable, "-c", CLI, str(block_mb), "check", str(path), *OPTIONS, str(jobs)],
            stdout=findings,
            cwd=path.parent,
            check=False,
        )
    if result.returncode not in (0, 1):
        raise SystemExit(f"corpuslint check {path.name} --jobs {jobs}: exit {result.returncode}")
    return time.perf_counter() - started


def measure(path: Path, block_mb: int, scratch: Path) -> None:
    """Interleaved rounds of jobs 1 and 2; the best of each, their ratio, same findings."""
    best: dict[int, float] = {}
    outputs = {1: scratch / "jobs1.json", 2: scratch / "jobs2.json"}
    for jobs in (1, 2, 2, 1):
        seconds = check(path, jobs, block_mb, outputs[jobs])
        best[jobs] = min(seconds, best.get(jobs, seconds))
    same = outputs[1].read_bytes() == outputs[2].read_bytes()
    count = len(json.loads(outputs[1].read_bytes()))
    print(
        f"{path.name:<16} {path.stat().st_size / 1e6:7.0f} MB"
        f"  jobs 1 {best[1]:7.2f} s  jobs 2 {best[2]:7.2f} s"
        f"  ratio {best[2] / best[1]:5.2f}  findings {count} {'identical' if same else 'DIFFER'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--block-mb", type=int, default=64)
    parser.add_argument("--row-group", type=int, default=4096, help="Parquet rows a group")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        files = make(args.articles, folder, args.row_group)
        print(
            f"{args.articles} articles, block {args.block_mb} MB"
            f" (files made in {time.perf_counter() - started:.0f} s)"
        )
        for path in files:
            measure(path, args.block_mb, Path(temporary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
