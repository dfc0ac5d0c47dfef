"""action.yml, the GitHub composite action: its run steps, run as a runner would run them.

Each ``run:`` step is executed by bash in a temporary git repository with the ``${{ }}``
expressions substituted (``uses:`` steps, the SARIF upload, are skipped): the install
step installs this repository into a fresh virtual environment (its dependencies come
from the test environment, through a ``.pth`` file), the check step writes the SARIF
file and the last step fails the job because the corpus has findings.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.so"
)
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
HEADLINE = "Council Approves New Budget For City Parks"
PARAGRAPH = (
    "The city council approved a new budget for the parks department on Tuesday evening"
    " after a long debate about the cost of new playgrounds in the northern districts."
)


def substitute(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``${{ name }}`` replaced by its value (unknown names fail)."""
    return EXPRESSION.sub(lambda m: values[m.group(1)], text)


def run_steps(inputs: dict[str, str], work: Path, env: dict[str, str]) -> list[int]:
    """Run the action's ``run:`` steps in ``work``; the exit status of each."""
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values = {f"inputs.{k}": v for k, v in {**defaults, **inputs}.items()}
    values["github.action_path"] = env["ACTION_PATH"]
    statuses = []
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            assert step["uses"].startswith("github/codeql-action/upload-sarif@")
            continue
        output = work.parent / "github_output"
        output.write_text("", encoding="utf-8")
        step_env = {k: substitute(str(v), values) for k, v in step.get("env", {}).items()}
        script = substitute(step["run"], values)
        assert step["shell"] == "bash"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work,
            env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
            capture_output=True,
            text=True,
            check=False,
        )
        print(step.get("name"), done.returncode, done.stdout, done.stderr)
        statuses.append(done.returncode)
        for line in output.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            values[f"steps.{step['id']}.outputs.{key}"] = value
    return statuses


@pytest.fixture(scope="module")
def action_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh virtual environment on PATH, and a copy of this repository as the action."""
    base = tmp_path_factory.mktemp("action")
    action = base / "action"
    shutil.copytree(REPO, action, ignore=SKIP)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    (site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["ACTION_PATH"] = str(action)
    env["PIP_NO_DEPS"] = "1"  # the dependencies are the test environment's (see the .pth)
    env["CORPUSLINT_CACHE_DIR"] = str(base / "cache")
    return env


def corpus(work: Path) -> None:
    (work / "content").mkdir(parents=True)
    text = f"{HEADLINE}\n\n{HEADLINE}\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n"
    (work / "content" / "a.md").write_text(text, encoding="utf-8")
    (work / "corpuslint.toml").write_text('include = ["content/**"]\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)


def test_action_installs_checks_writes_sarif_and_fails(
    tmp_path: Path, action_env: dict[str, str]
) -> None:
    work = tmp_path / "repo"
    corpus(work)
    install, check, fail = run_steps({"paths": "content/"}, work, action_env)
    assert install == 0
    assert check == 0  # the status is kept for the last step, after the upload
    assert fail == 1
    sarif: dict[str, Any] = json.loads((work / "corpuslint.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert "CL101" in {r["ruleId"] for r in results}
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "content/a.md"
    installed = subprocess.run(
        ["python3", "-c", "import corpuslint; print(corpuslint.__file__)"],
        cwd=work,
        env=action_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed.stdout.startswith(str(Path(action_env["PATH"].split(os.pathsep)[0]).parent))


def test_action_passes_args_and_other_formats(tmp_path: Path, action_env: dict[str, str]) -> None:
    work = tmp_path / "repo"
    corpus(work)
    statuses = run_steps({"format": "json", "args": "--select CL101 --exit-zero"}, work, action_env)
    assert statuses == [0, 0, 0]
    assert not (work / "corpuslint.sarif").exists()


def test_inputs_never_reach_a_script_unquoted() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "inputs." not in step.get("run", "").replace("github.action_path", "")


if sys.platform == "win32":  # pragma: no cover - the action runs bash
    pytestmark = pytest.mark.skip("bash steps")
