"""Benchmark the Ray engine against the local engine on a generated JSONL corpus.

    python benchmarks/ray_engine.py [--size 100000] [--workers 1,2] [--workdir DIR]
                                    [--block-mb 64] [--json FILE]

Generates ``--size`` articles as JSONL (``make_corpus.py``, not timed), then runs, each
in a fresh subprocess with the corpus as working directory:

- the local engine: ``corpuslint check . --no-cache --jobs W`` for the largest W;
- the Ray engine with a local Ray instance of W CPUs for each W in ``--workers``,
  timing Ray's start-up apart from the two passes.

It prints wall times, throughput (documents/s, MB/s), each as a ratio against the local
engine measured in the same run (the machine is shared and noisy), whether the findings
are identical, and the bytes of signature rows the shuffle moves per document, with what
that predicts for a cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus
import numpy as np


def corpus(size: int, workdir: Path) -> Path:
    """The generated corpus (reused when it is already there)."""
    root = workdir / f"jsonl-{size}"
    if not (root / "truth.json").is_file():
        make_corpus.generate(size, root, "jsonl", 1)
    return root


def run_local(root: Path, jobs: int) -> dict[str, Any]:
    out = root / "local.json"
    command = [sys.executable, "-m", "corpuslint", "check", ".", "--no-cache", "-q"]
    command += ["--jobs", str(jobs), "--format", "json", "--output-file", str(out)]
    start = time.perf_counter()
    subprocess.run(command, cwd=root, check=False)
    wall = time.perf_counter() - start
    return {"engine": "local", "workers": jobs, "wall": wall, "startup": 0.0, "findings": out}


def run_ray(root: Path, workers: int, block_mb: int, partitions: int = 0) -> dict[str, Any]:
    out = root / f"ray-{workers}-{partitions}.json"
    command = [sys.executable, __file__, "--child", str(workers), "--block-mb", str(block_mb)]
    command += ["--partitions", str(partitions)]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=root, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"engine": "ray", "workers": workers, "wall": wall, **figures, "findings": out}


def child(workers: int, block_mb: int, out: Path, partitions: int) -> None:
    """One Ray run in this process: times of start-up and passes, shuffle bytes, findings."""
    from corpuslint.config import load_config
    from corpuslint.engines.ray import driver as engine
    from corpuslint.engines.ray.units import first_lines
    from corpuslint.report.json import JsonFormatter
    from corpuslint.run.plan import Overrides

    config = load_config(None)
    job = engine.prepare([Path(".")], config, None, Overrides(cache=False), None, block_mb << 20)
    start = time.perf_counter()
    with engine.session(None, workers) as cpus:
        ready = time.perf_counter()
        units = first_lines(job.units, engine.block_breaks(job.units))
        partitions = partitions or max(2, cpus)
        gathered = engine.passes(units, job.spec(partitions), cpus)
        passes = time.perf_counter() - ready
    result = job.finish(gathered)
    out.write_text(JsonFormatter(job.run.registry.rules).format(result))
    documents = sum(o.outcome.documents for o in gathered.outcomes)
    shuffled = sum(o.shuffled for o in gathered.outcomes)
    signatures = sum(o.signatures for o in gathered.outcomes)
    rows = sum(int(np.frombuffer(o.rows_per_partition, np.int64).sum()) for o in gathered.outcomes)
    figures = {
        "startup": ready - start,
        "passes": passes,
        "documents": documents,
        "shuffled": shuffled,
        "signatures": signatures,
        "rows": rows,
        "partitions": partitions,
        "units": len(units),
        "errors": list(result.errors),
    }
    print(json.dumps(figures))


def copies(partitions: int, keys: int) -> float:
    """Expected distinct partitions that ``keys`` keys hash to among ``partitions``."""
    return partitions * (1 - (1 - 1 / partitions) ** keys)


def same_findings(a: Path, b: Path) -> bool:
    return bool(json.loads(a.read_text()) == json.loads(b.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/corpuslint-ray-bench"))
    parser.add_argument("--block-mb", type=int, default=64)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--partitions",
        type=int,
        default=0,
        help="also run the most workers with this many partitions, to measure the shuffle",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.block_mb, args.out, args.partitions)
        return 0
    counts = [int(w) for w in args.workers.split(",")]
    root = corpus(args.size, args.workdir)
    megabytes = sum(p.stat().st_size for p in root.glob("*.jsonl")) / 1e6
    print(
        f"corpus: {args.size} articles, {megabytes:.1f} MB JSONL in {root}; {os.cpu_count()} cores"
    )
    runs = [run_local(root, max(counts))]
    runs += [run_ray(root, workers, args.block_mb) for workers in counts]
    wide = run_ray(root, max(counts), args.block_mb, args.partitions) if args.partitions else None
    base = runs[0]["wall"]
    print(
        f"\n{'engine':<8}{'workers':>8}{'wall s':>9}{'start s':>9}{'docs/s':>9}{'MB/s':>7}"
        f"{'x local':>9}  same findings"
    )
    for run in runs:
        rate = args.size / run["wall"]
        same = (
            "yes"
            if run is runs[0]
            else ("yes" if same_findings(runs[0]["findings"], run["findings"]) else "NO")
        )
        print(
            f"{run['engine']:<8}{run['workers']:>8}{run['wall']:>9.1f}{run['startup']:>9.1f}"
            f"{rate:>9.0f}{megabytes / run['wall']:>7.1f}{run['wall'] / base:>9.2f}  {same}"
        )
    ray_runs = [r for r in runs if r["engine"] == "ray"]
    if ray_runs:
        last = ray_runs[-1]
        per_doc = last["shuffled"] / max(1, last["documents"])
        print(
            f"\nshuffled: {last['shuffled'] / 1e6:.1f} MB of signature rows for "
            f"{last['documents']} documents = {per_doc / 1e3:.1f} kB per document"
        )
        # A signature travels once per partition its keys hash to: a paragraph's 22 keys
        # (1 exact, 21 bands) reach ~2 of 2 partitions but ~20 of 100. Headline
        # signatures have one key and always travel once.
        per_row = last["shuffled"] / max(1, last["rows"])
        measured = last["partitions"]
        print(
            f"{last['signatures']} signatures, {last['rows']} rows over {measured} partitions,"
            f" {per_row:.0f} bytes per row"
        )
        for partitions in (measured, 100):
            grow = copies(partitions, 22) / copies(measured, 22)
            heads = last["documents"]  # one headline signature (one row) per document
            rows = heads + (last["rows"] - heads) * grow
            doc = rows * per_row / last["documents"]
            total = doc * 1e8
            print(
                f"{partitions:>4} partitions: {doc / 1e3:.1f} kB per document; 100 million"
                f" documents: {total / 1e12:.1f} TB shuffled, {total / 100 / 1e9:.0f} GB"
                " per worker with 100 workers"
            )
        if wide is not None:
            kilobytes = wide["shuffled"] / max(1, wide["documents"]) / 1e3
            same = same_findings(runs[0]["findings"], wide["findings"])
            print(
                f"measured with {wide['partitions']} partitions: {kilobytes:.1f} kB per document,"
                f" {wide['rows'] / max(1, wide['signatures']):.2f} rows per signature,"
                f" {wide['wall']:.1f} s, same findings: {'yes' if same else 'NO'}"
            )
            ray_runs.append(wide)
        for run in ray_runs:
            if run["errors"]:
                print(f"errors with {run['workers']} workers: {run['errors']}")
    if args.json:
        for run in runs:
            run["findings"] = str(run["findings"])
        args.json.write_text(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
