"""Benchmark corpuslint on generated corpora: speed, memory, cache, recall and precision.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--format md] [--jobs N]
                             [--workdir DIR] [--timeout 600] [--json FILE] [--rounds R]
                             [--markdownlint] [--with-bigfile] [--with-ray] [--issue-table]

For each size N: generate a corpus with ``make_corpus.py`` (not timed) in its own
project directory, then time, each as a fresh subprocess with cwd = the corpus:

- two floors: a plain single-process Python loop that reads every file, splits it into
  paragraphs and hashes each one (xxh3), without and with ``corpuslint.similarity.normalize``;
- ``corpuslint check . --format json --output-file F --no-cache`` (the full run);
- the same with the cache: a cold run (empty cache) and a warm run (timed: the second);
- 5 changed files: a paragraph copied from another article is appended to 5 files,
  then ``corpuslint check <the 5 files>`` runs with the warm cache (and once more,
  unchanged), and must report the 5 new copies as CL102.

Recall and precision of CL101 and CL102 (exact and near separately, plus CL202 and
CL301) come from the ``--no-cache`` run against ``truth.json``: a finding matches a
planted item when code and path are equal and the copy's line is in [line, end_line].
A finding is "near" when it carries a similarity. CL102 also checks ``related[0]``.

Memory: "max RSS" is the peak resident set of the largest single process of the run
(the command or one of its worker processes), from ``os.wait4``'s rusage, which covers
the child and its reaped descendants; "tree PSS" is the peak sum of proportional set
sizes (shared pages split between processes) of the command and all its descendants,
sampled every 0.5 s from /proc/PID/smaps_rollup (Linux only; "-" elsewhere). Reading
smaps_rollup walks a process's page tables: 18 ms for the three processes of a 100k run,
so sampling every 50 ms, as this script did before, took a quarter of one of the two
cores away from the run it measured.

Runs see the environment of this script without PYTHONDONTWRITEBYTECODE, after one
``corpuslint plugins`` that imports every module: so they load cached bytecode, as an
installed corpuslint does, instead of compiling its modules in every run.

Every figure is also given as a ratio against baselines measured in the same run (the
machine is shared and noisy): ``python -c pass`` (interpreter start), ``corpuslint
--version`` (the command's start-up) and the floors. Linearity is the ratio of wall
times of consecutive sizes against the ratio of sizes.

Before the floors, every file of the corpus is read once (page cache warm). With
``--rounds R`` the floors and the ``--no-cache`` run are run R times, interleaved
(floors, no-cache, floors, no-cache, ...), and the fastest of each is kept; each round's
seconds are printed. ``--markdownlint`` adds markdownlint-cli2 with only its
duplicate-heading rule (MD024) to each round, on the same corpus (Markdown only; see
``markdownlint_baseline.py``: npm installs a pinned version into ``WORKDIR/tools`` the
first time; without node and npm the row says why it was skipped).

At the end the rows of issue #22's table are printed as measured in this run, with the
target and "met" or "not met": the no-cache run at 20,000 articles against the
read+normalize+hash floor and against markdownlint-cli2; 5 changed files at 100,000
articles; with ``--with-bigfile``, one JSONL file of ``--bigfile-articles`` articles
(100,000: about 350 MB) checked with ``--jobs 1`` and with all cores, interleaved, best of
two each ("all cores" counts as met at 80 % of the ideal speed-up with byte-identical
findings); with ``--with-ray``, ``ray_engine.py``'s shuffled kB per document with 100
partitions against 2. A row not measured says which flag or script measures it.
``--issue-table`` measures every row: sizes 20000,100000, 2 rounds, markdownlint-cli2,
the large file and Ray (if installed). The load average at the start and the end is
printed beside the table.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus
import markdownlint_baseline

POLL = 0.05  # seconds between checks whether the run ended
PSS_EVERY = 0.5  # seconds between samples of the tree's PSS (each costs milliseconds)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# The cache of each run: a folder beside the corpus, emptied for a cold run (set in main).
CACHE_VARIABLE = "CORPUSLINT_CACHE_DIR"
CHANGED_FILES = 5

FLOOR = r"""
import json, os, sys
root, suffix, mode = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    from xxhash import xxh3_64_intdigest as digest
except ImportError:
    def digest(text):
        return hash(text)
if mode == "normalize":
    from corpuslint.similarity.normalize import normalize
else:
    def normalize(text):
        return text
first = {}
count = 0
for current, dirs, files in os.walk(root):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(files):
        if not name.endswith(suffix):
            continue
        with open(os.path.join(current, name), "rb") as handle:
            text = handle.read().decode("utf-8")
        texts = [json.loads(l)["text"] for l in text.splitlines()] if suffix == ".jsonl" else [text]
        for body in texts:
            for number, para in enumerate(body.split("\n\n")):
                key = digest(normalize(para).encode("utf-8"))
                first.setdefault(key, (name, number))
                count += 1
print(count, len(first))
"""


# --------------------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_kb(pid: int) -> int:
    """Sum of PSS over ``pid`` and its descendants (0 where /proc is not available)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _pss_kb(current)
        stack.extend(_children(current))
    return total


def measure(
    cmd: list[str], cwd: Path, timeout: float, stdout: Path | None = None
) -> dict[str, Any]:
    """Run ``cmd``; wall time, peak memory, exit code, stderr tail; kill it after ``timeout``."""
    # Start from a settled disk: the writeback of what the step before wrote (the corpus,
    # a cache of 1.1 GB) otherwise lands in this run, whose time then depends on it.
    os.sync()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    err = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=err, start_new_session=True, env=ENV
        )
        done: dict[str, Any] = {}

        def wait() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            done.update(end=time.perf_counter(), status=status, usage=usage)

        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        peak, timed_out, sampled = 0, False, started - PSS_EVERY + 2 * POLL  # first at 0.1 s
        while waiter.is_alive():
            waiter.join(POLL)
            if waiter.is_alive() and time.perf_counter() - sampled >= PSS_EVERY:
                peak = max(peak, tree_pss_kb(proc.pid))
                sampled = time.perf_counter()
                if time.perf_counter() - started > timeout:
                    timed_out = True
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    waiter.join()
        proc.returncode = os.waitstatus_to_exitcode(done["status"])
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    finally:
        err.close()
        if stdout:
            out.close()  # type: ignore[union-attr]
    return {
        "wall": done["end"] - started,
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "max_rss_mb": done["usage"].ru_maxrss / 1024,
        "cpu_s": done["usage"].ru_utime + done["usage"].ru_stime,
        "tree_pss_mb": peak / 1024 if peak else None,
        "stderr": stderr[-2000:],
    }


def median_wall(cmd: list[str], cwd: Path, repeat: int) -> float:
    walls: list[float] = [measure(cmd, cwd, 60)["wall"] for _ in range(repeat)]
    return statistics.median(walls)


def corpuslint_command() -> list[str]:
    script = Path(sys.executable).with_name("corpuslint")
    if script.is_file():
        return [str(script)]
    found = shutil.which("corpuslint")
    return [found] if found else [sys.executable, "-m", "corpuslint"]


def check_flags(command: list[str]) -> set[str]:
    """The long options ``corpuslint check --help`` lists."""
    result = subprocess.run(
        [*command, "check", "--help"], capture_output=True, text=True, check=False
    )
    return set(re.findall(r"(--[a-z][a-z-]+)", result.stdout))


# --------------------------------------------------------------------------- scoring


def _covers(finding: dict[str, Any], line: int) -> bool:
    first: int = finding["line"]
    last: int = finding.get("end_line", first)
    return first <= line <= last


def _related_of(finding: dict[str, Any]) -> tuple[str, int] | None:
    related = finding.get("related") or []
    return (related[0]["path"], related[0]["line"]) if related else None


def score(findings: list[dict[str, Any]], truth: make_corpus.Truth) -> dict[str, Any]:
    """Recall per planted code and kind, precision per finding code and kind."""
    by_path: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        by_path[(finding["code"], finding["path"])].append(finding)
    record_lines = truth["format"] == "jsonl"
    originals: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for item in truth["planted"]:
        if "original_path" not in item:
            continue
        for f in by_path.get((item["code"], item["path"]), []):
            if _covers(f, item["line"]):
                originals[id(f)].add((item["original_path"], item["original_line"]))
    matched: set[int] = set()
    rows: dict[str, dict[str, Any]] = {}
    for item in truth["planted"]:
        code = item["code"]
        key = f"{code} {item['kind']}"
        row = rows.setdefault(key, {"planted": 0, "found": 0, "related_ok": 0})
        row["planted"] += 1
        candidates = by_path.get((code, item["path"]), [])
        if code == "CL301" and not record_lines:
            hits = candidates
        else:
            hits = [f for f in candidates if _covers(f, item["line"])]
        if not hits:
            continue
        row["found"] += 1
        matched.update(id(f) for f in hits)
        # A CL101 run is one finding naming the original of its first paragraph.
        if any(_related_of(f) in originals.get(id(f), ()) for f in hits):
            row["related_ok"] += 1
    for row in rows.values():
        row["recall"] = row["found"] / row["planted"] if row["planted"] else None
    precision: dict[str, dict[str, Any]] = {}
    for finding in findings:
        kind = "near" if finding.get("similarity") is not None else "exact"
        if finding["code"] == "CL301":
            kind = "missing"
        key = f"{finding['code']} {kind}"
        row = precision.setdefault(key, {"findings": 0, "true": 0})
        row["findings"] += 1
        row["true"] += id(finding) in matched
    for row in precision.values():
        row["precision"] = row["true"] / row["findings"]
    return {"recall": rows, "precision": precision}


def finding_keys(findings: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(f["code"], f["path"], f["line"], f.get("end_line")) for f in findings}


# --------------------------------------------------------------------------- changed files


def change_files(outdir: Path, truth: make_corpus.Truth, count: int) -> list[dict[str, Any]]:
    """Append to ``count`` files a paragraph copied from another, unplanted article."""
    fmt = truth["format"]
    suffix = "." + fmt
    files = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob(f"*{suffix}"))
    involved = {(i["path"], i["line"]) for i in truth["planted"]} | {
        (i.get("original_path"), i.get("original_line")) for i in truth["planted"]
    }
    planted_paths = {i["path"] for i in truth["planted"]} | {
        i.get("original_path") for i in truth["planted"]
    }
    changes: list[dict[str, Any]] = []
    if fmt == "jsonl":
        sources = [(f, n) for f in files for n in range(1, 200)]
        targets = [files[(k * len(files)) // count] for k in range(count)] if files else []
        targets = list(dict.fromkeys(targets))
    else:
        step = max(1, len(files) // (count + 1))
        targets = [files[step * (k + 1) - 1] for k in range(count)]
        sources = [(files[(step * (k + 1) + step // 2) % len(files)], 0) for k in range(count)]
    for k, target in enumerate(targets):
        if fmt == "jsonl":
            # A record of another file (or another record of this one), line k*37+5.
            source = files[(files.index(target) + 1) % len(files)]
            line = 5 + 37 * k
            with open(outdir / source, encoding="utf-8") as handle:
                records = handle.read().splitlines()
            line = min(line, len(records))
            text = json.loads(records[line - 1])["text"]
            para = max(text.split("\n\n"), key=lambda p: len(p.split()))
            src_line = line
            body = f"Changed article {k} of the incremental benchmark, with one copied paragraph."
            record = {
                "id": f"changed-{k}",
                "title": f"Incremental benchmark article number {k}",
                "author": "Bench Mark",
                "text": body + "\n\n" + para,
            }
            path = outdir / target
            content = path.read_text(encoding="utf-8")
            new = content.rstrip("\n") + "\n" + json.dumps(record, ensure_ascii=False) + "\n"
            path.write_text(new, encoding="utf-8")
            changes.append({"path": target, "line": new.count("\n"), "source": [source, src_line]})
            continue
        source, _ = sources[k]
        if source == target or source in planted_paths:
            source = next(f for f in files[files.index(source) :] + files if f not in planted_paths)
        lines = (outdir / source).read_text(encoding="utf-8").split("\n")
        src_line, para = next(
            (n, text)
            for n, text in enumerate(lines, start=1)
            if len(text.split()) >= 25 and (source, n) not in involved
        )
        path = outdir / target
        new = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + para + "\n"
        path.write_text(new, encoding="utf-8")
        changes.append({"path": target, "line": new.count("\n"), "source": [source, src_line]})
    return changes


def changed_reported(findings: list[dict[str, Any]], changes: list[dict[str, Any]]) -> str:
    found = related = 0
    for change in changes:
        hits = [
            f
            for f in findings
            if f["code"] == "CL102" and f["path"] == change["path"] and _covers(f, change["line"])
        ]
        found += bool(hits)
        related += any(
            f["related"] and [f["related"][0]["path"], f["related"][0]["line"]] == change["source"]
            for f in hits
        )
    return f"{found}/{len(changes)} new copies reported, related correct {related}/{len(changes)}"


# --------------------------------------------------------------------------- one size


def keep_best(runs: dict[str, Any], label: str, result: dict[str, Any]) -> None:
    """Record ``result`` under ``label``, keeping the fastest successful one of the rounds."""
    walls = [*runs.get(label, {}).get("rounds", []), result["wall"]]
    previous = runs.get(label)
    ok = not result["timed_out"] and result["returncode"] in (0, 1)
    better = previous is None or (ok and (previous["wall"] > result["wall"] or not previous["ok"]))
    if better:
        runs[label] = {**result, "ok": ok}
    runs[label]["rounds"] = walls


def warm_page_cache(root: Path) -> None:
    """Read every file under ``root`` once, so the timed runs all find it in memory."""
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 20):
                    pass


def run_markdownlint(
    mdl: markdownlint_baseline.Baseline, outdir: Path, timeout: float, runs: dict[str, Any]
) -> str:
    """One markdownlint-cli2 run (MD024 only) in ``outdir``; a note on what it linted."""
    label = "markdownlint-cli2 MD024"
    output = outdir.parent / "results" / "markdownlint.out"
    result = measure(list(mdl.command), outdir, timeout, stdout=output)
    # markdownlint-cli2 exits 1 when it reports findings, 2 on an error.
    keep_best(runs, label, result)
    text = output.read_text(encoding="utf-8", errors="replace")
    linted = markdownlint_baseline.linted_files(text)
    expected = markdownlint_baseline.markdown_files(outdir)
    if result["timed_out"] or result["returncode"] not in (0, 1):
        note = f"failed: exit {result['returncode']}: {' '.join(result['stderr'][-300:].split())}"
    elif linted != expected:
        note = f"failed: linted {linted} files, the corpus has {expected} .md files"
    else:
        note = (
            f"markdownlint-cli2 {markdownlint_baseline.VERSION}, MD024 only: linted"
            f" {linted} of {expected} .md files, {markdownlint_baseline.findings(text)} findings"
        )
    print(f"  {label}: {result['wall']:.2f} s", flush=True)
    if note.startswith("failed"):
        runs[label]["ok"] = False
    return note


def run_size(n: int, args: argparse.Namespace, ctx: dict[str, Any]) -> dict[str, Any]:
    outdir = args.workdir / f"corpus-{args.format}-{n}"
    results_dir = args.workdir / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    truth = make_corpus.generate(n, outdir, args.format, args.seed)
    size: dict[str, Any] = {
        "n": n,
        "mb": truth["bytes"] / 1e6,
        "paragraphs": truth["paragraphs"],
        "files": truth["files"],
        "generate_s": truth["seconds"],
        "runs": {},
    }
    print(
        f"\n== N = {n:,}: {size['mb']:.1f} MB, {truth['paragraphs']:,} paragraphs,"
        f" {truth['files']:,} files (generated in {truth['seconds']} s) ==",
        flush=True,
    )
    runs = size["runs"]
    suffix = "." + args.format
    floors = {
        f"floor: read+split+{mode}": [sys.executable, "-c", FLOOR, ".", suffix, mode]
        for mode in ("hash", "normalize")
    }

    cl = ctx["corpuslint"]
    base = [*cl, "check"]
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    has_no_cache = "--no-cache" in ctx["flags"]

    def lint(label: str, extra: list[str], targets: list[str]) -> list[dict[str, Any]] | None:
        report = results_dir / f"{args.format}-{n}-{label.split(maxsplit=1)[0]}.json"
        with contextlib.suppress(FileNotFoundError):
            report.unlink()
        cmd = [*base, *targets, "--format", "json", "--output-file", str(report), *jobs, *extra]
        result = measure(cmd, outdir, args.timeout)
        keep_best(runs, label, result)
        if result["timed_out"]:
            print(f"  {label}: TIMED OUT after {args.timeout:.0f} s", flush=True)
            return None
        if result["returncode"] not in (0, 1) or not report.is_file():
            print(f"  {label}: exit {result['returncode']}: {result['stderr'][-600:]}")
            return None
        print(f"  {label}: {result['wall']:.2f} s", flush=True)
        findings: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))
        return findings

    cache_dir = outdir / ".corpuslint_cache"
    ENV[CACHE_VARIABLE] = str(cache_dir)
    shutil.rmtree(cache_dir, ignore_errors=True)
    mdl = ctx.get("markdownlint")
    if mdl is not None and args.format != "md":
        size["markdownlint"] = "skipped: the corpus is not Markdown"
        mdl = None
    elif mdl is not None and mdl.skipped:
        size["markdownlint"] = mdl.skipped
        mdl = None
    elif mdl is not None and markdownlint_baseline.local_configs(outdir):
        size["markdownlint"] = "skipped: the corpus holds markdownlint configuration files"
        mdl = None
    warm_page_cache(outdir)
    reference: list[dict[str, Any]] | None = None
    # Interleaved rounds (floors, no-cache, markdownlint-cli2; again): the machine's drift
    # touches each alike, and the best of each round is kept.
    for round_ in range(args.rounds):
        if args.rounds > 1:
            print(f"  round {round_ + 1} of {args.rounds}", flush=True)
        for label, command in floors.items():
            keep_best(runs, label, measure(command, outdir, args.timeout))
        found = lint("no-cache", ["--no-cache"] if has_no_cache else [], ["."])
        reference = found if reference is None else reference
        if mdl is not None:
            size["markdownlint"] = run_markdownlint(mdl, outdir, args.timeout, runs)
    if reference is not None:
        size["accuracy"] = score(reference, truth)
        size["findings"] = dict(Counter(f["code"] for f in reference))
    if reference is not None:
        shutil.rmtree(cache_dir, ignore_errors=True)
        cold = lint("cache-cold", [], ["."])
        warm = lint("cache-warm", [], ["."]) if cold is not None else None
        if warm is not None:
            same = finding_keys(warm) == finding_keys(reference)
            size["cache_consistent"] = same
            size["cache_dir_mb"] = (
                sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file()) / 1e6
                if cache_dir.is_dir()
                else 0.0
            )
        if warm is not None:
            changes = change_files(outdir, truth, CHANGED_FILES)
            targets = sorted({c["path"] for c in changes})
            changed = lint("changed-5 (warm cache)", [], targets)
            if changed is not None:
                size["changed"] = changed_reported(changed, changes)
                again = lint("unchanged-5 (warm cache)", [], targets)
                if again is not None:
                    size["changed_again"] = changed_reported(again, changes)
    if not args.keep:
        shutil.rmtree(outdir, ignore_errors=True)
    return size


# --------------------------------------------------------------------------- printing


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def print_size(size: dict[str, Any], ctx: dict[str, Any]) -> None:
    runs = size["runs"]
    floor = runs.get("floor: read+split+hash", {}).get("wall")
    floor_norm = runs.get("floor: read+split+normalize", {}).get("wall")
    start = ctx["python_start"]
    header = (
        f"{'run':<29}{'wall s':>9}{'MB/s':>8}{'docs/s':>9}{'maxRSS MB':>11}{'treePSS MB':>12}"
        f"{'x floor':>9}{'x floor+norm':>13}{'x py-start':>11}"
    )
    print(f"\nN = {size['n']:,} ({size['mb']:.1f} MB, {size['paragraphs']:,} paragraphs)")
    print(header)
    print("-" * len(header))
    for label, run in runs.items():
        wall = run["wall"]
        bad = run["timed_out"] or run["returncode"] not in (0, 1)
        status = " TIMEOUT" if run["timed_out"] else (f" exit {run['returncode']}" if bad else "")
        whole = label.startswith(("floor", "no-cache", "cache", "markdownlint"))
        print(
            f"{label:<29}{wall:>9.3f}"
            f"{_fmt(size['mb'] / wall if whole else None, '.1f'):>8}"
            f"{_fmt(size['n'] / wall if whole else None, ',.0f'):>9}"
            f"{run['max_rss_mb']:>11.0f}{_fmt(run['tree_pss_mb'], '.0f'):>12}"
            f"{_fmt(wall / floor if floor else None):>9}"
            f"{_fmt(wall / floor_norm if floor_norm else None):>13}"
            f"{wall / start:>11.1f}{status}"
        )
    several = {k: r["rounds"] for k, r in runs.items() if len(r.get("rounds", ())) > 1}
    if several:
        print("\nbest of interleaved rounds (each round's wall s):")
        for label, walls in several.items():
            print(f"  {label}: " + ", ".join(f"{w:.2f}" for w in walls))
    if "markdownlint" in size:
        print(f"markdownlint-cli2 baseline: {size['markdownlint']}")
    accuracy = size.get("accuracy")
    if accuracy:
        print(f"\n{'planted item':<16}{'planted':>8}{'found':>7}{'recall':>8}{'related ok':>12}")
        for key, row in sorted(accuracy["recall"].items()):
            related = f"{row['related_ok']}/{row['found']}" if key[:5] != "CL301" else "-"
            print(
                f"{key:<16}{row['planted']:>8}{row['found']:>7}{row['recall']:>8.3f}{related:>12}"
            )
        print(f"\n{'findings':<16}{'count':>8}{'true':>7}{'precision':>10}")
        for key, row in sorted(accuracy["precision"].items()):
            print(f"{key:<16}{row['findings']:>8}{row['true']:>7}{row['precision']:>10.3f}")
    if "cache_consistent" in size:
        print(
            f"\nwarm-cache findings identical to --no-cache findings: {size['cache_consistent']};"
            f" cache size {size['cache_dir_mb']:.1f} MB"
        )
    if "changed" in size:
        print(f"5 changed files: {size['changed']}; rerun unchanged: {size.get('changed_again')}")


def print_summary(sizes: list[dict[str, Any]], ctx: dict[str, Any]) -> None:
    print("\nSummary (wall seconds; ratios against baselines of this run)")
    header = (
        f"{'N':>8}{'MB':>8}{'floor':>8}{'no-cache':>10}{'x floor':>9}{'warm':>8}"
        f"{'warm/cold':>10}{'changed-5':>10}{'x py-start':>11}{'x cl-start':>11}{'rec101':>8}"
        f"{'rec102':>8}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        runs = size["runs"]

        def wall(label: str, runs: dict[str, Any] = runs) -> float | None:
            run = runs.get(label)
            if not run or run["timed_out"] or run["returncode"] not in (0, 1):
                return None
            return float(run["wall"])

        floor, full = wall("floor: read+split+hash"), wall("no-cache")
        cold, warm = wall("cache-cold"), wall("cache-warm")
        changed = wall("changed-5 (warm cache)")
        recall = size.get("accuracy", {}).get("recall", {})

        def rec(code: str, recall: dict[str, Any] = recall) -> str:
            rows = [r for k, r in recall.items() if k.startswith(code)]
            planted = sum(r["planted"] for r in rows)
            return f"{sum(r['found'] for r in rows) / planted:.3f}" if planted else "-"

        print(
            f"{size['n']:>8,}{size['mb']:>8.1f}{_fmt(floor):>8}{_fmt(full):>10}"
            f"{_fmt(full / floor if full and floor else None):>9}{_fmt(warm):>8}"
            f"{_fmt(warm / cold if warm and cold else None):>10}{_fmt(changed, '.3f'):>10}"
            f"{_fmt(changed / ctx['python_start'] if changed else None, '.1f'):>11}"
            f"{_fmt(changed / ctx['corpuslint_start'] if changed else None, '.1f'):>11}"
            f"{rec('CL101'):>8}{rec('CL102'):>8}"
        )
    for prev, cur in itertools.pairwise(sizes):
        for label in ("floor: read+split+hash", "no-cache", "cache-warm"):
            a, b = prev["runs"].get(label), cur["runs"].get(label)
            if a and b and not a["timed_out"] and not b["timed_out"]:
                print(
                    f"linearity {label}: wall({cur['n']:,})/wall({prev['n']:,}) ="
                    f" {b['wall'] / a['wall']:.1f} for {cur['n'] / prev['n']:.0f}x the articles"
                )


# --------------------------------------------------------------------------- issue #22's table

ISSUE_SIZE = 20_000  # the articles of the table's first two rows
PRECOMMIT_SIZE = 100_000  # the corpus of its third row


@dataclass(frozen=True)
class Row:
    """One row of issue #22's table as measured in this run (met is None: not measured)."""

    what: str
    before: str
    measured: str
    target: str
    met: bool | None


def ok_wall(runs: dict[str, Any], label: str) -> float | None:
    """The best wall seconds of a successful run ``label`` (None if none succeeded)."""
    run = runs.get(label)
    if not run or run["timed_out"] or run["returncode"] not in (0, 1) or not run.get("ok", 1):
        return None
    return float(run["wall"])


def bigfile_row(args: argparse.Namespace, ctx: dict[str, Any]) -> dict[str, Any]:
    """One large JSONL file, ``--jobs 1`` against all cores, interleaved, best of each."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return {"skipped": "skipped: one core only"}
    folder = args.workdir / f"bigfile-{args.bigfile_articles}"
    big = folder / "corpus.jsonl"
    if not big.is_file():
        parts = folder / "parts"
        make_corpus.generate(args.bigfile_articles, parts, "jsonl", args.seed)
        shutil.copy(parts / "corpuslint.toml", folder / "corpuslint.toml")
        with big.open("wb") as out:
            for part in sorted(parts.glob("part-*.jsonl")):
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 22)
        shutil.rmtree(parts)
    warm_page_cache(folder)
    print(f"\n== one JSONL file: {big.stat().st_size / 1e6:.0f} MB ==", flush=True)
    runs: dict[str, Any] = {}
    (args.workdir / "results").mkdir(parents=True, exist_ok=True)
    outputs = {jobs: args.workdir / "results" / f"bigfile-jobs{jobs}.json" for jobs in (1, cores)}
    for jobs in (1, cores, cores, 1):
        command = [*ctx["corpuslint"], "check", big.name, "--no-cache", "--format", "json"]
        command += ["--output-file", str(outputs[jobs]), "--jobs", str(jobs)]
        result = measure(command, folder, args.timeout)
        keep_best(runs, f"jobs {jobs}", result)
        print(f"  --jobs {jobs}: {result['wall']:.2f} s", flush=True)
    one, many = ok_wall(runs, "jobs 1"), ok_wall(runs, f"jobs {cores}")
    if one is None or many is None:
        failed = runs["jobs 1"] if one is None else runs[f"jobs {cores}"]
        return {"skipped": "failed: " + " ".join(failed["stderr"][-300:].split())}
    return {
        "mb": big.stat().st_size / 1e6,
        "cores": cores,
        "jobs_1": one,
        "jobs_all": many,
        "busy": runs[f"jobs {cores}"]["cpu_s"] / many,
        "same": outputs[1].read_bytes() == outputs[cores].read_bytes(),
    }


def ray_row(args: argparse.Namespace) -> dict[str, Any]:
    """``ray_engine.py`` with 2 workers and 100 partitions: shuffled kB per document."""
    try:
        import ray  # noqa: F401
    except ImportError:
        return {"skipped": "skipped: Ray is not installed (the [ray] extra)"}
    script = Path(__file__).resolve().with_name("ray_engine.py")
    command = [sys.executable, str(script), "--size", str(args.ray_articles), "--workers", "2"]
    command += ["--partitions", "100", "--workdir", str(args.workdir / "ray")]
    print("\n== Ray shuffle: " + " ".join(command[1:]), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
    print(done.stdout, flush=True)
    narrow = re.search(r"^shuffled: .* = ([\d.]+) kB per document", done.stdout, re.MULTILINE)
    wide = re.search(
        r"^measured with (\d+) partitions: ([\d.]+) kB per document", done.stdout, re.MULTILINE
    )
    if done.returncode != 0 or narrow is None or wide is None:
        tail = " ".join(done.stderr[-300:].split())
        return {"skipped": f"failed: ray_engine.py exit {done.returncode}: {tail}"}
    return {"narrow_kb": float(narrow.group(1)), "wide_kb": float(wide.group(2))}


def _unmeasured(found: dict[str, Any] | None, hint: str) -> tuple[str, bool | None]:
    """What a row measured by another script says when it was not measured (met: None)."""
    if found is None:
        return f"not measured: {hint}", None
    return str(found.get("skipped", "")), None


def issue_rows(
    sizes: list[dict[str, Any]], args: argparse.Namespace, extra: dict[str, Any]
) -> list[Row]:
    """The rows of issue #22's table from this run's measurements."""
    by_n = {size["n"]: size for size in sizes}
    md = args.format == "md"
    rows: list[Row] = []
    what = f"{ISSUE_SIZE:,} Markdown articles, all rules, no cache, against read+normalize+hash"
    size = by_n.get(ISSUE_SIZE) if md else None
    runs = size["runs"] if size else {}
    full = ok_wall(runs, "no-cache")
    floor = ok_wall(runs, "floor: read+split+normalize")
    if size is None:
        measured, met = f"not measured: needs --format md and {ISSUE_SIZE} in --sizes", None
    elif full is None or floor is None:
        measured, met = "failed (see above)", None
    else:
        ratio = full / floor
        measured = f"{ratio:.2f}x ({full:.2f} s / {floor:.2f} s, best of {args.rounds})"
        met = ratio <= 2.0
    rows.append(Row(what, "2.8x that loop", measured, "at most 2.0x", met))

    what = "same corpus, against markdownlint-cli2 running only MD024"
    mdl = ok_wall(runs, "markdownlint-cli2 MD024")
    if size is None:
        measured, met = "not measured (see the row above)", None
    elif mdl is None or full is None:
        measured = size.get("markdownlint", "not measured: pass --markdownlint")
        met = None
    else:
        ratio = full / mdl
        measured = f"{ratio:.3f}x ({full:.2f} s / {mdl:.2f} s, best of {args.rounds})"
        met = ratio <= 0.12
    rows.append(Row(what, "0.17x its time", measured, "at most 0.12x", met))

    what = f"5 changed files against {PRECOMMIT_SIZE:,} articles, warm cache, wall"
    size = by_n.get(PRECOMMIT_SIZE) if md else None
    changed = ok_wall(size["runs"], "changed-5 (warm cache)") if size else None
    if size is None:
        measured, met = f"not measured: add {PRECOMMIT_SIZE} to --sizes", None
    elif changed is None:
        measured, met = "failed (see above)", None
    else:
        measured = f"{changed:.2f} s (one run; benchmarks/precommit.py gives medians)"
        met = changed < 0.5
    rows.append(Row(what, "1.7 s", measured, "under 0.5 s", met))

    big = extra.get("bigfile")
    what = "one 350 MB JSONL file"
    measured, met = _unmeasured(big, "pass --with-bigfile (or run benchmarks/bigfile.py)")
    if big is not None and "skipped" not in big:
        speedup = big["jobs_1"] / big["jobs_all"]
        measured = (
            f"{big['mb']:.0f} MB: --jobs 1 {big['jobs_1']:.1f} s, --jobs {big['cores']}"
            f" {big['jobs_all']:.1f} s (speed-up {speedup:.2f}, {big['busy']:.2f} cores busy),"
            f" findings {'identical' if big['same'] else 'DIFFER'}"
        )
        # "All cores": at least 80 % of the ideal speed-up, with byte-identical findings.
        met = big["same"] and speedup >= 0.8 * big["cores"]
    rows.append(Row(what, "one core", measured, "all cores, same findings", met))

    ray = extra.get("ray")
    what = "Ray shuffle per document, 100 partitions vs 2"
    measured, met = _unmeasured(ray, "pass --with-ray (or run benchmarks/ray_engine.py)")
    if ray is not None and "skipped" not in ray:
        ratio = ray["wide_kb"] / ray["narrow_kb"]
        measured = f"{ray['wide_kb']:.1f} kB vs {ray['narrow_kb']:.1f} kB ({ratio:.2f}x)"
        met = ratio <= 1.5
    rows.append(Row(what, "133 kB vs 15 kB", measured, "within 1.5x", met))
    return rows


def print_issue_table(rows: list[Row], ctx: dict[str, Any]) -> None:
    """The table of issue #22, Markdown, with this run's figures and whether each is met."""
    print(f"\nIssue #22's table as measured in this run ({ctx['load']})")
    print("| what | before | measured | target | met |")
    print("|---|---|---|---|---|")
    for row in rows:
        met = "-" if row.met is None else ("met" if row.met else "not met")
        print(f"| {row.what} | {row.before} | {row.measured} | {row.target} | {met} |")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (as ``uptime`` prints them)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="articles per corpus (default 1000,10000,100000)")
    parser.add_argument("--format", choices=make_corpus.FORMATS, default="md")
    parser.add_argument("--jobs", type=int, help="passed to corpuslint --jobs")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "corpuslint-bench"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per corpuslint run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora")
    parser.add_argument(
        "--rounds", type=int, help="interleaved rounds of floors and no-cache, best kept (1)"
    )
    parser.add_argument(
        "--markdownlint",
        action="store_true",
        help="time markdownlint-cli2 (MD024 only) in each round; npm installs it in the workdir",
    )
    parser.add_argument("--with-bigfile", action="store_true", help="time one large JSONL file")
    parser.add_argument("--bigfile-articles", type=int, default=100_000)
    parser.add_argument("--with-ray", action="store_true", help="run ray_engine.py's shuffle")
    parser.add_argument("--ray-articles", type=int, default=100_000)
    parser.add_argument(
        "--issue-table",
        action="store_true",
        help="every row of issue #22: sizes 20000,100000, 2 rounds, markdownlint-cli2,"
        " the large file and Ray",
    )
    args = parser.parse_args(argv)
    if args.issue_table:
        args.sizes = f"{ISSUE_SIZE},{PRECOMMIT_SIZE}" if args.sizes is None else args.sizes
        args.rounds = args.rounds or 2
        args.markdownlint = args.with_bigfile = args.with_ray = True
    args.rounds = max(1, args.rounds or 1)
    listed = "1000,10000,100000" if args.sizes is None else args.sizes  # "": no corpus
    sizes = [int(s.replace("_", "")) for s in listed.split(",") if s.strip()]
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)

    command = corpuslint_command()
    version = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    ctx: dict[str, Any] = {"corpuslint": command, "flags": check_flags(command)}
    if args.markdownlint:
        ctx["markdownlint"] = markdownlint_baseline.prepare(args.workdir / "tools")
    ctx["load"] = load_average()
    measure([*command, "plugins"], args.workdir, 60)  # writes the bytecode of every module
    ctx["python_start"] = median_wall([sys.executable, "-c", "pass"], args.workdir, 7)
    ctx["corpuslint_start"] = median_wall([*command, "--version"], args.workdir, 5)
    print(
        f"corpuslint benchmark: {version}; format {args.format}; jobs {args.jobs or 'default'};"
        f" seed {args.seed}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(
        f"baselines: python -c pass {ctx['python_start'] * 1000:.0f} ms;"
        f" corpuslint --version {ctx['corpuslint_start'] * 1000:.0f} ms;"
        f" --no-cache {'supported' if '--no-cache' in ctx['flags'] else 'NOT supported'}"
    )
    results = []
    for n in sizes:
        size = run_size(n, args, ctx)
        results.append(size)
        print_size(size, ctx)
    if results:
        print_summary(results, ctx)
    extra: dict[str, Any] = {}
    if args.with_bigfile:
        extra["bigfile"] = bigfile_row(args, ctx)
    if args.with_ray:
        extra["ray"] = ray_row(args)
    ctx["load"] += f" at the start; {load_average()} at the end"
    rows = issue_rows(results, args, extra)
    print_issue_table(rows, ctx)
    if args.json:
        payload = {
            "version": version,
            "format": args.format,
            "jobs": args.jobs,
            "seed": args.seed,
            "python_start_s": ctx["python_start"],
            "corpuslint_start_s": ctx["corpuslint_start"],
            "sizes": results,
            "rounds": args.rounds,
            "load": ctx["load"],
            "extra": extra,
            "issue_table": [dataclasses.asdict(row) for row in rows],
        }
        args.json.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
