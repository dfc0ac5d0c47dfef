"""The README's promises: its sample output and set-up commands stay true."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpuslint.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
CI_RUN = (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_sample_output_is_what_the_examples_give(monkeypatch: pytest.MonkeyPatch) -> None:
    block = re.search(r"```console\n\$ (corpuslint .*?)\n(.*?)```", README, re.DOTALL)
    assert block is not None
    command, expected = block.group(1), block.group(2)
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, [*shlex.split(command)[1:], "--no-cache", "-q"])
    assert result.exit_code == 1
    assert result.stdout == expected


def test_setup_commands_install_and_run_the_examples_and_the_tests() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2
    assert commands[0].endswith("corpuslint check examples/")
    test_command = commands[1].split(" && ", 2)[-1]
    assert test_command == "pip install -e '.[test]' && python -m pytest"
    assert test_command in CI_RUN


def test_ray_test_command_is_the_ci_step() -> None:
    commands = re.findall(r"```sh\n(pip install .*?)\n```", README)
    assert commands == ["pip install -e '.[test,ray]' && python -m pytest -m ray"]
    assert commands[0] in CI_RUN
