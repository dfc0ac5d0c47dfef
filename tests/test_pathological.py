"""Pathological documents complete in bounded time and memory, with sane findings.

Each run is a subprocess with a timeout (the time bound) whose peak resident memory is
read from its own resource usage (the memory bound). The bounds are a few times what
the runs take, so they catch a quadratic blow-up, not a slow machine; the full-size
figures (100 MB, a million paragraphs) are in docs/reliability.md.
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import LONG_A

MB = 1 << 20
WORDS = (
    "council budget river harbour festival library station market school bridge garden"
    " museum hospital theatre approved rejected delayed opened closed the a of and to in"
).split()


@dataclass(frozen=True)
class Finished:
    """What a corpuslint subprocess printed, returned and used."""

    code: int
    stdout: str
    stderr: str
    peak_mb: float


# The peak memory of a child counts the image it was forked from, and pytest's can be
# gigabytes by now; so a small launcher starts corpuslint and reports its child's peak.
LAUNCHER = """
import resource, subprocess, sys
timeout, peak_file, command = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
try:
    code = subprocess.run(command, timeout=timeout).returncode
except subprocess.TimeoutExpired:
    code = 124
with open(peak_file, "w") as peak:
    peak.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def corpuslint(root: Path, *args: str, timeout: float) -> Finished:
    """Run ``corpuslint check ARGS`` in ``root``; fail if it takes longer than ``timeout``."""
    peak = root.parent / "peak"
    command = [sys.executable, "-m", "corpuslint", "check", "--no-cache", *args]
    launcher = [sys.executable, "-c", LAUNCHER, str(timeout), str(peak), *command]
    done = subprocess.run(launcher, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode == 124:
        pytest.fail(f"corpuslint check {' '.join(args)} took more than {timeout} s")
    kilobytes = int(peak.read_text())  # kilobytes on Linux, bytes on macOS
    megabytes = kilobytes / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return Finished(done.returncode, done.stdout, done.stderr, megabytes)


def prose(size: int) -> str:
    """About ``size`` characters of words on one line (one paragraph)."""
    rng = random.Random(7)
    chunk = " ".join(rng.choice(WORDS) for _ in range(50_000))
    return (chunk + " ") * (size // (len(chunk) + 1) + 1)


def test_a_20_mb_paragraph(project: Path) -> None:
    text = f"Headline\n\nBy Jane Doe\n\n{prose(20 * MB)}\n\n{LONG_A}\n\n{LONG_A}\n"
    (project / "big.txt").write_text(text)
    done = corpuslint(project, timeout=120)
    assert (done.code, done.stdout.splitlines()) == (
        1,
        ["big.txt:9:1: CL101 [error] Paragraph repeats the paragraph at line 7"],
    ), done.stderr
    assert done.peak_mb < 2500  # measured: 1.3 GB, 60 times the text (reader and CL102)


def test_200k_tiny_paragraphs(project: Path) -> None:
    tiny = "".join(f"p{n} x\n\n" for n in range(200_000))
    (project / "tiny.md").write_text(f"# Headline\n\nBy Jane Doe\n\n{tiny}{LONG_A}\n\n{LONG_A}\n")
    done = corpuslint(project, timeout=120)
    assert (done.code, done.stdout.splitlines()) == (
        1,
        ["tiny.md:400007:1: CL101 [error] Paragraph repeats the paragraph at line 400005"],
    ), done.stderr
    assert done.peak_mb < 1200  # measured: 450 MB


def test_200k_identical_lines_are_one_finding(project: Path) -> None:
    line = "The council approved the new budget on Tuesday after a long debate.\n"
    (project / "same.txt").write_text(line * 200_000)
    # Every rule: CL102 holds the 200,000 copies in one exact group, judged in one pass.
    done = corpuslint(project, timeout=120)
    assert (done.code, done.stdout.splitlines()) == (
        1,
        [
            "same.txt:1:1: CL301 [error] No attribution: no byline, author or source credit found",
            "same.txt:2:1: CL101 [error] 199999 paragraphs (lines 2-200000) repeat the"
            " paragraph at line 1",
        ],
    ), done.stderr
    assert "same.txt: CL101 near duplicates not checked: 200000 comparable paragraphs" in (
        done.stderr
    )
    assert done.peak_mb < 800  # measured: 210 MB


def test_markdown_nested_200k_deep(project: Path) -> None:
    # The parser is native code: deep nesting must neither overflow its stack nor go
    # quadratic. Block quotes, list items, brackets and emphasis 200,000 levels deep.
    depth = 200_000
    text = "\n\n".join(
        [
            "# Headline",
            "By Jane Doe",
            ">" * depth + " quoted deep down",
            "- " * depth + "listed deep down",
            "[" * depth + "bracketed" + "]" * depth,
            "*" * depth + "emphasised" + "*" * depth,
            LONG_A,
            LONG_A,
        ]
    )
    (project / "deep.md").write_text(text + "\n")
    done = corpuslint(project, timeout=120)
    assert (done.code, done.stdout.splitlines()) == (
        1,
        ["deep.md:15:1: CL101 [error] Paragraph repeats the paragraph at line 13"],
    ), done.stderr
    assert done.peak_mb < 800
