"""Where a corpuslint run spends its time, stage by stage, worker processes included.

    python benchmarks/profile_stages.py CORPUS [CORPUS ...] [--repeat 2] [-- CHECK-ARGS]

Runs ``corpuslint check`` (by default ``check . --no-cache``, JSON to a temporary file)
in each CORPUS folder, as a fresh process, with ``CORPUSLINT_PROFILE`` set: the local
engine then writes the wall and CPU time of its stages (discover, document pass,
corpus pass, ...; see ``corpuslint._support.profiling``). This script runs that process
itself, so that it also times what the engine has no hook for: start-up (interpreter
and imports), output (writing the report after the engine returns), and, inside each
file's check, in whichever process it runs (the document pass's workers are forked,
so they inherit the timers): read (``Reader.load``), parse (the reader's documents),
document rules, signatures and the rest of the check. Each worker writes its sums when
the pool stops it; the CPU of the corpus pass's helper process is what the children
used besides the document pass's workers.

The timers add about a microsecond a call, a few calls a file: well under 1 % of a
file's check. Stage seconds vary with the machine's load: compare shares, and repeat.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.util
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_SUBSTAGES = ("read", "parse", "document rules", "signatures")
_SUMS: dict[str, float] = {}
_STATE: dict[str, Any] = {"pid": 0, "out": ""}


def _reset_if_forked() -> None:
    """In a new (forked) worker: start the sums afresh and write them when stopped."""
    pid = os.getpid()
    if _STATE["pid"] == pid:
        return
    parent = _STATE["pid"] == 0
    _STATE["pid"] = pid
    _SUMS.clear()
    if parent:
        return

    def dump() -> None:
        if not _STATE.get("dumped"):
            _STATE["dumped"] = 1
            _write_sums(f"{_STATE['out']}.worker-{pid}")

    def stopped(_signum: int, _frame: Any) -> None:
        dump()
        os._exit(0)

    # A pool worker ends either when told there is no more work (then multiprocessing
    # runs its finalizers, not atexit) or by SIGTERM when the pool is terminated.
    multiprocessing.util.Finalize(None, dump, exitpriority=100)
    signal.signal(signal.SIGTERM, stopped)


def _write_sums(path: str) -> None:
    times = os.times()
    data = {"sums": _SUMS, "cpu": times.user + times.system}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def _add(name: str, start: float) -> None:
    _SUMS[name] = _SUMS.get(name, 0.0) + time.process_time() - start


def _install_timers(out: str) -> None:
    """Wrap the steps of a file's check with CPU timers (per process)."""
    from corpuslint.readers.base import Reader
    from corpuslint.run.executor import Checker

    _STATE["out"] = out
    _reset_if_forked()

    load = Reader.load

    def timed_load(self: Reader, path: Path) -> bytes:
        start = time.process_time()
        try:
            return load(self, path)
        finally:
            _add("read", start)

    documents = Checker.documents

    def timed_documents(self: Checker, source: Any, data: bytes | None = None) -> Iterator[Any]:
        start = time.process_time()
        items = list(documents(self, source, data))
        _add("parse", start)
        return iter(items)

    def listed(name: str, method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def timed(*args: Any) -> Iterator[Any]:
            start = time.process_time()
            items = list(method(*args))
            _add(name, start)
            return iter(items)

        return timed

    check = Checker._check

    def timed_check(self: Checker, source: Any, digest: bool) -> tuple[Any, str]:
        _reset_if_forked()
        start = time.process_time()
        try:
            return check(self, source, digest)
        finally:
            _add("check (all)", start)

    Reader.load = timed_load  # type: ignore[method-assign]
    Checker.documents = timed_documents  # type: ignore[method-assign]
    Checker._check_document = listed("document rules", Checker._check_document)  # type: ignore[method-assign]
    Checker._signatures = listed("signatures", Checker._signatures)  # type: ignore[method-assign]
    Checker._check = timed_check  # type: ignore[method-assign]


def child(out: str, args: list[str]) -> None:
    """Run ``corpuslint ARGS`` in this process with the timers on; write the profile."""
    began = time.perf_counter()
    cpu_began = time.process_time()
    from corpuslint import cli
    from corpuslint._support import profiling

    imported = time.perf_counter()
    if not profiling.enabled():
        raise SystemExit("CORPUSLINT_PROFILE is not set")
    _install_timers(out)
    sys.argv = ["corpuslint", *args]
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    ended = time.perf_counter()
    profile = json.loads(Path(out).read_text(encoding="utf-8"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    profile.update(
        {
            "imports": imported - began,
            "ended": ended,
            "began": began,
            "parent_cpu": time.process_time() - cpu_began,
            "children_cpu": children.ru_utime + children.ru_stime,
            "parent_sums": dict(_SUMS),
            "exit": code,
        }
    )
    Path(out).write_text(json.dumps(profile), encoding="utf-8")


def run_once(corpus: Path, check_args: list[str]) -> dict[str, Any]:
    """One profiled run in ``corpus``: its stages, workers' sums and wall time."""
    with tempfile.TemporaryDirectory(prefix="corpuslint-profile-") as scratch:
        out = os.path.join(scratch, "profile.json")
        report = os.path.join(scratch, "report.json")
        args = [a.replace("{report}", report) for a in check_args]
        # Bytecode is written, as an installed corpuslint's is: else start-up is compiling.
        env = {**os.environ, "CORPUSLINT_PROFILE": out}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        command = [sys.executable, os.path.abspath(__file__), "--child", out, "--", *args]
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=corpus, env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        if done.returncode not in (0, 1) or not os.path.exists(out):
            raise SystemExit(f"{corpus}: run failed ({done.returncode}): {done.stderr[-800:]}")
        profile: dict[str, Any] = json.loads(Path(out).read_text(encoding="utf-8"))
        workers = []
        for name in os.listdir(scratch):
            if ".worker-" in name:
                workers.append(json.loads(Path(scratch, name).read_text(encoding="utf-8")))
    profile["wall"] = wall
    profile["workers"] = workers
    return profile


def table(profile: dict[str, Any]) -> list[tuple[str, float | None, float | None, float | None]]:
    """Rows (stage, wall s, parent CPU s, workers' CPU s) of one profiled run."""
    rows: list[tuple[str, float | None, float | None, float | None]] = []
    stages = [s for s in profile["stages"] if "wall" in s]
    first_start = min((s["end"] - s["wall"] for s in stages), default=profile["ended"])
    startup = profile["wall"] - (profile["ended"] - first_start)
    rows.append(("start-up (interpreter, imports, config)", startup, None, None))
    worker_sums: dict[str, float] = {}
    worker_cpu = 0.0
    for worker in profile["workers"]:
        worker_cpu += worker["cpu"]
        for name, value in worker["sums"].items():
            worker_sums[name] = worker_sums.get(name, 0.0) + value
    parent_sums = profile["parent_sums"]
    for stage in stages:
        inner = ": " in stage["stage"]  # "cache: ...", "corpus pass: ...": inside a stage
        name = ("  " if inner else "") + stage["stage"]
        rows.append((name, stage["wall"], stage["cpu"], None))
        if stage["stage"] == "document pass":
            total_w = worker_sums.get("check (all)", 0.0)
            total_p = parent_sums.get("check (all)", 0.0)
            for name in _SUBSTAGES:
                w, p = worker_sums.get(name, 0.0), parent_sums.get(name, 0.0)
                rows.append((f"  {name}", None, p or None, w or None))
            rest_w = total_w - sum(worker_sums.get(n, 0.0) for n in _SUBSTAGES)
            rest_p = total_p - sum(parent_sums.get(n, 0.0) for n in _SUBSTAGES)
            rows.append(("  rest of each file's check", None, rest_p or None, rest_w or None))
            rows.append(("  workers outside checks (IPC, idle)", None, None, worker_cpu - total_w))
    last_end = max((s["end"] for s in stages), default=profile["ended"])
    rows.append(("output (report written, exit)", profile["ended"] - last_end, None, None))
    helper = profile["children_cpu"] - worker_cpu
    rows.append(("corpus pass helper and other children", None, None, helper))
    rows.append(("total", profile["wall"], profile["parent_cpu"], profile["children_cpu"]))
    return rows


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        out = argv[1]
        rest = argv[3:] if argv[2:3] == ["--"] else argv[2:]
        child(out, rest)
        return 0
    check_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, check_args = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=2, help="runs per corpus (best shown)")
    parser.add_argument("--json", type=Path, help="also write every profile here")
    args = parser.parse_args(argv)
    check_args = check_args or ["check", ".", "--no-cache", "--format", "json"]
    check_args = [*check_args, "--output-file", "{report}"]
    every = []
    # Interleaved: corpus A, B, A, B, so the machine's drift touches each alike.
    for round_ in range(args.repeat):
        for corpus in args.corpora:
            profile = run_once(corpus.resolve(), check_args)
            profile["corpus"] = str(corpus)
            profile["round"] = round_
            every.append(profile)
            print(f"{corpus} round {round_ + 1}: {profile['wall']:.2f} s", flush=True)
    print("\ncommand: corpuslint " + " ".join(check_args[:-2]).replace("{report}", "F"))
    for corpus in args.corpora:
        runs = [p for p in every if p["corpus"] == str(corpus)]
        best = min(runs, key=lambda p: p["wall"])
        files = next((s["value"] for s in best["stages"] if s["stage"] == "files"), None)
        print(f"\n{corpus}: {files} files, best of {len(runs)} runs: {best['wall']:.2f} s")
        print(f"{'stage':<44}{'wall s':>9}{'CPU s':>9}{'workers CPU s':>15}")
        for name, wall, cpu, workers in table(best):
            print(f"{name:<44}{_cell(wall):>9}{_cell(cpu):>9}{_cell(workers):>15}")
        notes = [f"{s['stage']} {s['value']:g}" for s in best["stages"] if "value" in s]
        print("notes: " + ", ".join(notes))
    if args.json:
        args.json.write_text(json.dumps(every, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
