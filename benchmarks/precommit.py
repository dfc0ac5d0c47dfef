"""The pre-commit path: 5 changed files checked against a large corpus, warm cache.

    python benchmarks/precommit.py CORPUS [--rounds 5] [--git] [--profile] [--daemon]

CORPUS is a folder written by ``make_corpus.py`` (generate it once and reuse it). The
first time, this appends to 5 of its articles a paragraph copied from another (as
``run.py`` does; the list is kept in ``CORPUS/precommit-changes.json``, so later runs
reuse it) and fills the cache (``CORPUSLINT_CACHE_DIR`` = ``CORPUS/.corpuslint_cache``)
with a full run. ``--git`` first makes CORPUS a git repository with every article
committed and the 5 changes staged, as a pre-commit hook sees it.

Then, in ``--rounds`` interleaved rounds, each as a fresh process with the corpus as
working directory: ``python -c pass``, ``corpuslint --version``, a one-file check in
an empty folder, ``git ls-files -co --exclude-standard`` and ``git status
--porcelain`` (with ``--git``), and ``corpuslint check <the 5 files>``. It prints the
median wall time of each and the check's ratio to the two start-up baselines, and
whether the check reported the 5 copies. ``--profile`` also runs the check once under
``profile_stages.py`` and prints where its time goes. ``--baseline PYTHON`` also runs
``--version``, the empty-folder check and the check of the 5 files with another
installation's corpuslint (an older version, same cache), interleaved with the others,
and says whether both reported the same findings. ``--daemon`` starts a daemon
(``corpuslint daemon start``, in a runtime folder of its own) after the warm-up check,
runs the check of the 5 files through it in each round too, and says whether it
reported the same findings as the check alone; the other rows run without a daemon.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["CORPUSLINT_DAEMON"] = "off"  # a daemon the user runs must not serve the plain rows
DAEMON_ROW = "check 5 changed files (daemon)"
CORPUSLINT = [sys.executable, "-m", "corpuslint"]


def _wall(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env or ENV, capture_output=True, check=False)
    return time.perf_counter() - started, done


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, check=True)


def prepare(corpus: Path, git: bool) -> list[dict[str, object]]:
    """The 5 changes (made once) and a warm cache; with ``git``, a repository."""
    record = corpus / "precommit-changes.json"
    if git and not (corpus / ".git").exists():
        _git(corpus, "init", "-q")
        (corpus / ".gitignore").write_text(".corpuslint_cache/\nprecommit-*\n", encoding="utf-8")
        _git(corpus, "add", "-A")
        _git(corpus, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "corpus")
    if record.is_file():
        changes: list[dict[str, object]] = json.loads(record.read_text(encoding="utf-8"))
    else:
        # The cache first holds the unchanged corpus, as after the last commit's run.
        _wall([*CORPUSLINT, "check", ".", "--format", "json", "--output-file", os.devnull], corpus)
        truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
        changes = bench.change_files(corpus, truth, bench.CHANGED_FILES)
        record.write_text(json.dumps(changes), encoding="utf-8")
    if git:
        paths = [str(c["path"]) for c in changes]
        _git(corpus, "add", "--", *paths)
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--git", action="store_true", help="make the corpus a git repository")
    parser.add_argument("--profile", action="store_true", help="also profile the check's stages")
    parser.add_argument(
        "--daemon",
        action="store_true",
        help="also run the check through a resident daemon (corpuslint daemon start)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a Python whose corpuslint (an older version) runs the same commands interleaved",
    )
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    ENV[bench.CACHE_VARIABLE] = str(corpus / ".corpuslint_cache")
    changes = prepare(corpus, args.git)
    targets = sorted({str(c["path"]) for c in changes})
    report = Path(tempfile.mkdtemp(prefix="corpuslint-precommit-")) / "report.json"
    empty = report.parent / "empty"
    empty.mkdir()
    (empty / "one.md").write_text("---\ntitle: One\nauthor: A\n---\n\nA paragraph.\n", "utf-8")
    check = [*CORPUSLINT, "check", *targets, "--format", "json", "--output-file", str(report)]
    commands: dict[str, tuple[list[str], Path]] = {
        "python -c pass": ([sys.executable, "-c", "pass"], corpus),
        "corpuslint --version": ([*CORPUSLINT, "--version"], corpus),
        "check one.md in an empty folder": ([*CORPUSLINT, "check", "one.md"], empty),
    }
    if args.git:
        listing = ["git", "ls-files", "-co", "--exclude-standard", "-z"]
        commands["git ls-files -co --exclude-standard"] = (listing, corpus)
        status = ["git", "status", "--porcelain", "-z", "--untracked-files=all"]
        commands["git status --porcelain -uall"] = (status, corpus)
    commands["check 5 changed files (warm cache)"] = (check, corpus)
    old_report = report.parent / "baseline.json"
    if args.baseline is not None:
        old = [str(args.baseline), "-m", "corpuslint"]
        commands["baseline: corpuslint --version"] = ([*old, "--version"], corpus)
        commands["baseline: check one.md in an empty folder"] = ([*old, "check", "one.md"], empty)
        old_check = [*old, "check", *targets, "--format", "json", "--output-file", str(old_report)]
        commands["baseline: check 5 changed files"] = (old_check, corpus)
        _wall(old_check, corpus)
    _wall(check, corpus)  # the cache holds the 5 changed files from here on, as on a rerun
    envs = dict.fromkeys(commands, ENV)
    daemon_report = report.parent / "daemon.json"
    if args.daemon:
        runtime = report.parent / "run"
        runtime.mkdir(mode=0o700)
        served_env = {**ENV, "XDG_RUNTIME_DIR": str(runtime), "CORPUSLINT_DAEMON": "use"}
        served = [*check[:-1], str(daemon_report)]
        for name, command, cwd in (
            ("corpuslint --version (daemon)", [*CORPUSLINT, "--version"], corpus),
            ("check one.md in an empty folder (daemon)", [*CORPUSLINT, "check", "one.md"], empty),
            (DAEMON_ROW, served, corpus),
        ):
            commands[name] = (command, cwd)
            envs[name] = served_env
        _, started = _wall([*CORPUSLINT, "daemon", "start"], empty, envs[DAEMON_ROW])
        if started.returncode != 0:
            raise SystemExit(f"the daemon did not start: {started.stderr.decode()[-600:]}")
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        _rounds(args.rounds, commands, envs, times)
    finally:
        if args.daemon:
            _wall([*CORPUSLINT, "daemon", "stop"], empty, envs[DAEMON_ROW])
    found = json.loads(report.read_text(encoding="utf-8"))
    reported = bench.changed_reported(found, changes)
    python = statistics.median(times["python -c pass"])
    version = statistics.median(times["corpuslint --version"])
    print(f"{corpus}: median of {args.rounds} interleaved rounds (git: {args.git})")
    print(f"{'command':<40}{'median s':>10}{'min s':>8}{'x python':>10}{'x --version':>12}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<40}{median:>10.3f}{min(values):>8.3f}"
            f"{median / python:>10.1f}{median / version:>12.2f}"
        )
    print(f"check: {reported}")
    if args.baseline is not None:
        same = json.loads(old_report.read_text("utf-8")) == json.loads(report.read_text("utf-8"))
        new, old_seconds = (
            statistics.median(times[name])
            for name in ("check 5 changed files (warm cache)", "baseline: check 5 changed files")
        )
        print(f"against the baseline: {new / old_seconds:.2f}x its time; same findings: {same}")
    if args.daemon:
        same = json.loads(daemon_report.read_text("utf-8")) == found
        new, alone = (
            statistics.median(times[name])
            for name in (DAEMON_ROW, "check 5 changed files (warm cache)")
        )
        print(f"through the daemon: {new / alone:.2f}x the time alone; same findings: {same}")
    if args.profile:
        profiler = Path(__file__).resolve().parent / "profile_stages.py"
        rest = ["--", "check", *targets, "--format", "json"]
        subprocess.run([sys.executable, str(profiler), str(corpus), *rest], env=ENV, check=True)
    return 0


def _rounds(
    rounds: int,
    commands: dict[str, tuple[list[str], Path]],
    envs: dict[str, dict[str, str]],
    times: dict[str, list[float]],
) -> None:
    """Run every command once per round, in order (the machine's drift touches each alike)."""
    for _ in range(rounds):
        for name, (command, cwd) in commands.items():
            seconds, done = _wall(command, cwd, envs[name])
            times[name].append(seconds)
            if name.startswith("check 5") and done.returncode not in (0, 1):
                raise SystemExit(f"{name} failed: {done.stderr.decode()[-600:]}")


if __name__ == "__main__":
    raise SystemExit(main())
