"""The built wheel works outside an editable install: entry points, rules, the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    "tests",
    "*.so",  # an editable install's kernel: the wheel must compile its own
)


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    print(result.stdout, result.stderr)
    return result


def test_wheel_installs_and_runs(tmp_path: Path, seed_text: str) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the repository
    shutil.copytree(REPO, source, ignore=SKIP)
    wheels = tmp_path / "wheels"
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, source, cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("corpus_lint-*.whl")

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    installed = run(env / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    work = tmp_path / "work"
    work.mkdir()
    corpuslint = env / "bin" / "corpuslint"
    listed = run(corpuslint, "plugins", cwd=work)
    assert listed.returncode == 0, listed.stderr
    builtin = next(line for line in listed.stdout.splitlines() if line.startswith("builtin  "))
    assert {"CL101", "CL201", "CL301"} <= set(builtin.split("rules: ")[1].split(", "))

    (work / "seed.txt").write_text(seed_text, encoding="utf-8")
    checked = run(corpuslint, "check", "seed.txt", "--format", "json", cwd=work)
    assert checked.returncode == 1, checked.stderr
    findings = json.loads(checked.stdout)
    assert [(f["code"], f["line"], f["end_line"]) for f in findings] == [
        ("CL201", 3, 3),
        ("CL101", 12, 17),
    ]
    # The installed package is the wheel's, not this checkout.
    where = run(
        env / "bin" / "python", "-c", "import corpuslint; print(corpuslint.__file__)", cwd=work
    )
    assert str(env) in where.stdout
    if shutil.which("cc"):  # the wheel carries the compiled MinHash kernel
        kernel = run(
            env / "bin" / "python",
            "-c",
            "import corpuslint.similarity._minhash as k; print(k.__file__)",
            cwd=work,
        )
        assert kernel.returncode == 0, kernel.stderr
        assert str(env) in kernel.stdout
