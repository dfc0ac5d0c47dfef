"""Helpers shared by the tests: run the CLI in-process, write small corpora."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from click.testing import CliRunner

from corpuslint.cli import main


@dataclass(frozen=True)
class Run:
    """What one CLI invocation printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(self.stdout)
        return data

    def findings(self) -> list[str]:
        """``path:line:col: CODE`` of each finding in text output, message dropped."""
        return [" ".join(line.split(" ", 2)[:2]) for line in self.stdout.splitlines()]


def run_cli(*args: str) -> Run:
    """Run ``corpuslint ARGS`` in this process (the working directory is the caller's)."""
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Create ``files`` (relative path to text or bytes) under ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def paragraphs(*texts: str) -> str:
    """A plain-text document of blank-line separated paragraphs."""
    return "\n\n".join(texts) + "\n"


LONG_A = "The city council approved the new budget on Tuesday after a long and heated debate."
LONG_B = "Members argued for hours about spending on roads, schools and the new public library."
LONG_C = "The mayor said she would sign the budget next week, and payments begin in the spring."
LONG_D = "Residents lined up outside city hall before dawn to speak at the public hearing."
BYLINE = "By Jane Doe"


def article(*body: str, title: str = "Council Approves Budget", byline: bool = True) -> str:
    """A plain-text article: a headline, a byline, then ``body`` paragraphs."""
    head: Sequence[str] = (title, BYLINE) if byline else (title,)
    return paragraphs(*head, *body)


BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """A script of ``benchmarks/`` imported as a module (it is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# A parallel run whose workers each take 0.1 s per file and write their pid to a file
# (argv[1]) as they start one; argv[2] is the corpus. For tests that stop it half-way.
SLOW_PARALLEL_RUN = """
import os, sys, time
from corpuslint.run import executor
from corpuslint.cli import main

original = executor.Checker.check
pids = sys.argv[1]

def slow(self, source):
    with open(pids, "a") as handle:
        handle.write(f"{os.getpid()}\\n")
    time.sleep(0.1)
    return original(self, source)

executor.Checker.check = slow
print("started", flush=True)
main(["check", sys.argv[2], "--jobs", "2", "--no-cache", "-q"])
"""


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state
