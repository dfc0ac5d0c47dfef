"""``corpuslint check --show-settings PATH``: each setting for one file, and where it came from."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corpuslint.cache.store import directory_for
from tests.helpers import Run

CONFIG = """\
include = ["content/**"]
extend-exclude = ["content/drafts/"]
ignore = ["CL2"]
fail-on = "warning"
baseline = "lint/baseline.json"

[per-file-ignores]
"content/wire/**" = ["CL301"]

[severity]
CL101 = "warning"

[rules.duplicate-paragraph]
threshold = 95

[rules.CL101]
min-words = 4

[markdown]
max-file-mb = 8
"""


@pytest.fixture
def site(project: Path) -> Path:
    (project / "corpuslint.toml").write_text(CONFIG, encoding="utf-8")
    for name in ("content/wire/a.md", "content/drafts/b.md", "content/c.md"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("# Title\n\nSome text of an article.\n", encoding="utf-8")
    return project


def _settings(cli: Callable[..., Run], *args: str) -> dict[str, Any]:
    run = cli("check", "--show-settings", "--format", "json", *args)
    assert run.exit_code == 0, run.output
    data: dict[str, Any] = json.loads(run.output)
    return data


def test_each_setting_names_the_file_and_key_it_came_from(
    site: Path, cli: Callable[..., Run]
) -> None:
    config = site / "corpuslint.toml"
    settings = _settings(cli, "content/wire/a.md")
    assert settings["configuration"] == str(config)
    files = settings["files"]
    assert files["relative-path"] == "content/wire/a.md"
    assert files["include"] == {"value": ["content/**"], "source": f"{config}: include"}
    assert files["exclude"]["source"] == "default"
    assert files["checked-when-named"] == {"admitted": True, "reasons": []}
    rules = {rule["code"]: rule for rule in settings["rules"]}
    cl101 = rules["CL101"]
    assert cl101["severity"] == {"value": "warning", "source": f"{config}: severity"}
    options = cl101["options"]
    assert options["threshold"] == {
        "value": 95.0,
        "source": f"{config}: rules.duplicate-paragraph.threshold",
    }
    assert options["min-words"] == {"value": 4, "source": f"{config}: rules.CL101.min-words"}
    assert options["merge-runs"] == {"value": True, "source": "default"}
    assert rules["CL102"]["severity"] == {"value": "error", "source": "default"}
    assert rules["CL301"]["reported"] is False
    assert rules["CL301"]["per-file-ignores"] == ["content/wire/**"]
    assert rules["CL102"]["reported"] is True
    not_run = {rule["code"]: rule["why"] for rule in settings["not-run"]}
    assert not_run["CL201"] == f"ignored ({config}: ignore)"
    assert not_run["CL002"] == "off by default"
    assert not_run["CL104"] == "off by default"
    reader = settings["reader"]
    assert reader["format"] == "markdown"
    assert reader["settings"]["max-file-mb"] == {
        "value": 8,
        "source": f"{config}: markdown.max-file-mb",
    }
    assert reader["settings"]["max-depth"] == {"value": 64, "source": "default"}
    run = settings["run"]
    assert run["fail-on"] == {"value": "warning", "source": f"{config}: fail-on"}
    assert run["baseline"]["value"] == str(site / "lint" / "baseline.json")
    assert run["baseline"]["exists"] is False
    assert run["cache"]["value"] is True
    assert run["cache"]["directory"] == str(directory_for(site))
    assert run["rule-timeout"] == {"value": 60.0, "source": "default"}


def test_the_command_line_overrides_and_says_so(site: Path, cli: Callable[..., Run]) -> None:
    settings = _settings(
        cli,
        "--select",
        "CL1",
        "--ignore",
        "CL103",
        "--fail-on",
        "error",
        "--jobs",
        "1",
        "--no-cache",
        "--baseline",
        "other.json",
        "--",
        "content/c.md",
    )
    codes = [rule["code"] for rule in settings["rules"]]
    assert codes == ["CL101", "CL102", "CL104"]
    assert {r["why"] for r in settings["rules"]} == {"command line: --select"}
    not_run = {rule["code"]: rule["why"] for rule in settings["not-run"]}
    assert not_run["CL103"] == "ignored (command line: --ignore)"
    assert not_run["CL301"] == "not selected (command line: --select)"
    run = settings["run"]
    assert run["fail-on"] == {"value": "error", "source": "command line: --fail-on"}
    assert run["jobs"] == {"value": 1, "source": "command line: --jobs"}
    assert run["cache"]["value"] is False
    assert run["cache"]["source"] == "command line: --no-cache"
    assert run["baseline"]["source"] == "command line: --baseline"


def test_an_excluded_file_says_which_pattern_and_where(site: Path, cli: Callable[..., Run]) -> None:
    config = site / "corpuslint.toml"
    draft = _settings(cli, "content/drafts/b.md")["files"]
    reason = f"excluded by 'content/drafts/' ({config}: extend-exclude)"
    assert draft["checked-when-named"] == {"admitted": False, "reasons": [reason]}
    assert draft["in-corpus"]["admitted"] is False
    (site / "README.md").write_text("# Read me\n", encoding="utf-8")
    readme = _settings(cli, "README.md")["files"]
    assert readme["checked-when-named"]["reasons"] == ["excluded by 'README.*' (default)"]
    assert any("not matched by include" in r for r in readme["in-corpus"]["reasons"])
    (site / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    yaml = _settings(cli, "notes.yaml")
    assert yaml["reader"] is None
    assert yaml["files"]["checked-when-named"]["reasons"][0].startswith("no reader reads")


def test_the_text_output_is_escaped_and_names_sources(
    project: Path, cli: Callable[..., Run]
) -> None:
    (project / "corpuslint.toml").write_text(
        'extend-exclude = ["\\u001b[31mred/"]\n[rules.CL101]\nthreshold = 99\n', encoding="utf-8"
    )
    (project / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    run = cli("check", "--show-settings", "a.md")
    assert run.exit_code == 0, run.output
    assert "\x1b" not in run.output
    assert "\\u001b[31mred/" in run.output  # written as the TOML escape it came from
    (project / "b\x1b[2J.md").write_text("# B\n\nText.\n", encoding="utf-8")
    named = cli("check", "--show-settings", "b\x1b[2J.md")
    assert named.exit_code == 0, named.output
    assert "\x1b" not in named.output
    assert "Settings for b\\x1b[2J.md" in named.output
    config = project / "corpuslint.toml"
    assert f"      threshold = 99.0  ({config}: rules.CL101.threshold)" in run.output
    assert "Reader: markdown" in run.output
    assert "  checked when named: yes" in run.output
    assert "exclude = the " in run.output  # the default patterns are counted, not listed


def test_pyproject_keys_are_named_under_tool_corpuslint(
    project: Path, cli: Callable[..., Run]
) -> None:
    (project / "corpuslint.toml").unlink()
    (project / "pyproject.toml").write_text(
        '[tool.corpuslint]\nfail-on = "error"\n', encoding="utf-8"
    )
    (project / "a.txt").write_text("Text.\n", encoding="utf-8")
    run = _settings(cli, "a.txt")["run"]
    assert run["fail-on"]["source"] == f"{project / 'pyproject.toml'}: [tool.corpuslint] fail-on"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("a.md", "b.md"), "exactly one path"),
        ((), "exactly one path"),
        (("--format", "sarif", "a.md"), "text or json"),
        (("--select", "CL9", "a.md"), "command line: --select"),
    ],
)
def test_wrong_uses_are_one_line_errors(
    project: Path, cli: Callable[..., Run], args: tuple[str, ...], message: str
) -> None:
    run = cli("check", "--show-settings", *args)
    assert run.exit_code == 2
    assert message in run.output


def test_a_bad_configuration_is_reported_as_a_run_would(
    project: Path, cli: Callable[..., Run]
) -> None:
    (project / "corpuslint.toml").write_text("[rules.CL101]\nthreshhold = 1\n", encoding="utf-8")
    run = cli("check", "--show-settings", "a.md")
    assert run.exit_code == 2
    assert "unknown option 'threshhold'" in run.output
