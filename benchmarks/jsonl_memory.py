"""Memory and speed of ``corpuslint check`` on one large JSONL file, against baselines.

Generates a JSONL corpus of about ``--size-mb`` megabytes in a temporary folder, then
runs, each in its own process: ``wc -l``, a plain Python loop that parses every line
with ``json``, and ``corpuslint check`` with the document rules. Prints wall time, MB/s
and peak RSS of each. Streaming shows as a peak RSS that does not grow with the file.

    python benchmarks/jsonl_memory.py [--size-mb 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "council budget vote mayor harbour bridge river report minister election market share"
    " price rain storm court judge police school hospital energy water road train plan"
).split()

# Runs a command and prints the peak RSS of its children (the command) in kilobytes.
MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)
JSON_LOOP = (
    "import json, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        json.loads(line)\n"
)
RULES = "CL001,CL101,CL201,CL301"


def generate(path: Path, size_mb: int) -> int:
    """Write records of three to six paragraphs until the file holds ``size_mb`` MB."""
    rng = random.Random(5)
    target = size_mb * 1_000_000
    written = records = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            paragraphs = [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 90))).capitalize() + "."
                for _ in range(rng.randint(3, 6))
            ]
            record = {"id": f"r{records}", "title": f"Story {records}", "author": "Desk"}
            record["text"] = "\n\n".join(paragraphs)
            line = json.dumps(record) + "\n"
            out.write(line)
            written += len(line)
            records += 1
    return records


def measure(label: str, command: list[str], size: int) -> None:
    """Run ``command`` in its own measuring process and print time, throughput and peak RSS."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - started
    rss_kb, code = result.stdout.split()
    print(
        f"{label:<32} {elapsed:8.2f} s {size / 1e6 / elapsed:9.1f} MB/s"
        f" {int(rss_kb) / 1024:9.1f} MB peak RSS  (exit {code})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "corpus.jsonl"
        started = time.perf_counter()
        records = generate(path, args.size_mb)
        size = path.stat().st_size
        print(
            f"corpus: {size / 1e6:.0f} MB, {records} records"
            f" (generated in {time.perf_counter() - started:.0f} s)"
        )
        check = ["check", str(path), "--no-cache", "--select", RULES, "--format", "json", "-q"]
        measure("wc -l (baseline)", ["wc", "-l", str(path)], size)
        measure("python json loop (baseline)", [sys.executable, "-c", JSON_LOOP, str(path)], size)
        measure("corpuslint check", [sys.executable, "-m", "corpuslint", *check], size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
