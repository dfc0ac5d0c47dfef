"""The package's layers hold: lint-imports passes, and its contracts catch a broken one."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(
    not LINT_IMPORTS.is_file(), reason="import-linter is not installed (extra [test])"
)


def lint_imports(config: Path, cwd: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_keeps_its_import_contracts() -> None:
    run = lint_imports(REPO / "pyproject.toml", REPO, str(REPO))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        # a reader reaching up for the rule executor of a run
        ("corpuslint/readers/bad.py", "import corpuslint.run.executor\n", "never reach for"),
        # one engine borrowing the other's code
        (
            "corpuslint/engines/ray/bad.py",
            "import corpuslint.engines.local.runner\n",
            "independent",
        ),
        # the data layer importing the cache
        ("corpuslint/model.py", "import corpuslint.cache.store\n", "Helpers and data"),
    ],
)
def test_the_contracts_fail_when_an_import_breaks_them(
    tmp_path: Path, module: str, source: str, contract: str
) -> None:
    """The project's own contracts, run on a copy of the package with one bad import added."""
    copy = tmp_path / "copy"
    for package in ("corpuslint", "rules"):
        for path in (REPO / package).rglob("*.py"):
            target = copy / path.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (copy / "rules").rename(copy / "corpuslint_rules")
    bad = copy / module
    bad.write_text((bad.read_text() if bad.exists() else "") + source, encoding="utf-8")
    config = copy / "pyproject.toml"
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    config.write_text(text[text.index("[tool.importlinter]") :], encoding="utf-8")
    run = lint_imports(config, copy, str(copy))
    assert run.returncode == 1, run.stdout + run.stderr
    broken = [line for line in run.stdout.splitlines() if "BROKEN" in line]
    assert any(contract in line for line in broken), run.stdout
    assert "0 broken" not in run.stdout
