"""Benchmark the Ray engine against the local engine on a generated JSONL corpus.

    python benchmarks/ray_engine.py [--size 100000] [--workers 1,2] [--workdir DIR]
                                    [--block-mb 64] [--partitions 100] [--json FILE]

Generates ``--size`` articles as JSONL (``make_corpus.py``, not timed), then runs, each
in a fresh subprocess with the corpus as working directory:

- the local engine: ``corpuslint check . --no-cache --jobs W`` for the largest W;
- the Ray engine with a local Ray instance of W CPUs for each W in ``--workers``,
  timing Ray's start-up apart from the passes;
- with ``--partitions P``, the Ray engine once more with the most workers and P
  partitions, to see whether the shuffles grow with the partitions.

It prints wall times, throughput (documents/s, MB/s), each as a ratio against the local
engine measured in the same run (the machine is shared and noisy), whether the findings
are identical, and the bytes moved between the passes per document: key entries of the
first shuffle, kept memberships (to the driver and back out), and the joined signature
rows of the second shuffle. With ``--partitions``, the ratio of bytes per document
between the two partition counts and what the wider run's figure means for 100 million
documents on 100 workers.
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
    from corpuslint.engines.ray.tasks import kept_members
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
    seen = gathered.seen
    figures = {
        "startup": ready - start,
        "passes": passes,
        "documents": documents,
        "keys": sum(o.shuffled for o in gathered.outcomes),
        "members": gathered.member_bytes,
        "joined": gathered.joined_bytes,
        "shuffled": gathered.shuffled,
        "signatures": sum(o.signatures for o in gathered.outcomes),
        "kept": len(set(kept_members(gathered.members)["signature"].tolist())),
        "rows": sum(sizes[0] for sizes in seen.values() if sizes),
        "partitions": partitions,
        "units": len(units),
        "errors": list(result.errors),
    }
    print(json.dumps(figures))


def per_document(run: dict[str, Any]) -> float:
    """Bytes moved between the passes per document."""
    shuffled: int = run["shuffled"]
    documents: int = run["documents"]
    return shuffled / max(1, documents)


def report_shuffle(run: dict[str, Any]) -> None:
    """What the run's shuffles moved, in total and per document."""
    documents = max(1, run["documents"])
    print(
        f"\n{run['partitions']} partitions: {per_document(run) / 1e3:.2f} kB per document"
        f" ({run['shuffled'] / 1e6:.1f} MB for {run['documents']} documents): key entries"
        f" {run['keys'] / documents:.0f} B, memberships {2 * run['members'] / documents:.0f} B,"
        f" joined signatures {run['joined'] / documents:.0f} B; {run['kept']} of"
        f" {run['signatures']} signatures joined back in {run['rows']} rows"
    )


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
    if wide is not None:
        wide["same"] = same_findings(runs[0]["findings"], wide["findings"])
        ray_runs.append(wide)
    for run in ray_runs[-2:] if wide is not None else ray_runs[-1:]:
        report_shuffle(run)
    if wide is not None:
        narrow = ray_runs[-2]
        ratio = per_document(wide) / max(1.0, per_document(narrow))
        total = per_document(wide) * 1e8
        print(
            f"\n{wide['partitions']} vs {narrow['partitions']} partitions: {ratio:.2f}x the bytes"
            f" per document; same findings with {wide['partitions']}:"
            f" {'yes' if wide['same'] else 'NO'} ({wide['wall']:.1f} s)"
        )
        print(
            f"100 million documents at {per_document(wide) / 1e3:.2f} kB each:"
            f" {total / 1e12:.2f} TB moved, {total / 100 / 1e9:.1f} GB per worker with"
            " 100 workers"
        )
    for run in ray_runs:
        if run["errors"]:
            print(f"errors with {run['workers']} workers: {run['errors']}")
    if args.json:
        done = [*runs, wide] if wide is not None else runs
        for run in done:
            run["findings"] = str(run["findings"])
        args.json.write_text(json.dumps(done, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
