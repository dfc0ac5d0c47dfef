"""Closest configuration per file: nested configuration files below the root, and --config.

The root configuration decides the corpus and the run; a nested one decides what is
reported below its folder: selection, per-file-ignores, severities and the options of
document rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint.config import anchored, load_config
from tests.helpers import LONG_A, LONG_B, LONG_C, Run, article, paragraphs, write

CLI = Callable[..., Run]
NEAR = LONG_B.replace("new public library", "public library downtown")


def _findings(cli: CLI, *args: str) -> list[str]:
    """The findings of ``corpuslint check ARGS``, which must run without an error."""
    run = cli("check", *args)
    assert run.exit_code in (0, 1), run.stderr
    assert "error" not in run.stderr, run.stderr
    return run.findings()


def _config(folder: Path, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpuslint.toml").write_text(text, encoding="utf-8")


def test_nested_configuration_ignores_a_rule_below_its_folder(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL301"]\n')
    _config(project / "blog", 'ignore = ["CL301"]\n')
    write(
        project,
        {
            "news/a.txt": paragraphs("Headline", LONG_A),
            "blog/a.txt": paragraphs("Headline", LONG_B),
            "blog/deep/b.txt": paragraphs("Headline", LONG_C),
        },
    )
    assert _findings(cli, ".") == ["news/a.txt:1:1: CL301"]


def test_nested_per_file_ignores_are_relative_to_its_folder(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL301"]\n')
    _config(project / "blog", '[per-file-ignores]\n"/drafts/*.txt" = ["CL301"]\n')
    write(
        project,
        {
            "drafts/a.txt": paragraphs("Headline", LONG_A),
            "blog/drafts/a.txt": paragraphs("Headline", LONG_B),
            "blog/a.txt": paragraphs("Headline", LONG_C),
        },
    )
    # The nested config selects nothing itself: the rules on by default run below it.
    assert _findings(cli, ".") == ["blog/a.txt:1:1: CL301", "drafts/a.txt:1:1: CL301"]


def test_nested_document_rule_option_applies_below_its_folder_only(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL101"]\n')
    _config(project / "blog", 'select = ["CL101"]\n[rules.duplicate-paragraph]\nmin-words = 20\n')
    write(project, {"news/a.txt": article(LONG_B, LONG_C, NEAR)})
    write(project, {"blog/a.txt": article(LONG_B, LONG_C, NEAR)})
    assert _findings(cli, ".") == ["news/a.txt:9:1: CL101"]


@pytest.mark.parametrize(
    ("nested", "key"),
    [
        ('fail-on = "error"\n', "'fail-on'"),
        ('include = ["*.txt"]\n', "'include'"),
        ("jobs = 2\n", "'jobs'"),
        ('[jsonl]\ntext-field = "body"\n', "'jsonl'"),
    ],
)
def test_nested_configuration_cannot_set_a_run_wide_key(
    project: Path, cli: CLI, nested: str, key: str
) -> None:
    _config(project / "blog", nested)
    write(project, {"blog/a.txt": paragraphs("Headline", LONG_A)})
    run = cli("check", ".")
    assert run.exit_code == 2
    (line,) = run.stderr.strip().splitlines()
    assert str(project / "blog" / "corpuslint.toml") in line
    assert key in line
    assert f"set it in the root configuration {project / 'corpuslint.toml'}" in line


def test_nested_corpus_rule_options_must_be_the_roots(project: Path, cli: CLI) -> None:
    _config(project, "[rules.corpus-duplicate-paragraph]\nthreshold = 95\n")
    write(project, {"blog/a.txt": paragraphs("Headline", LONG_A)})
    # The same value as the root's (inherited through extend, say) is no conflict.
    _config(project / "blog", "[rules.corpus-duplicate-paragraph]\nthreshold = 95\n")
    assert cli("check", ".").exit_code == 1
    _config(project / "blog", "[rules.corpus-duplicate-paragraph]\nthreshold = 80\n")
    run = cli("check", ".")
    assert run.exit_code == 2
    (line,) = run.stderr.strip().splitlines()
    assert "blog" in line
    assert "rules.corpus-duplicate-paragraph" in line
    assert "set them in the root configuration" in line


def test_config_option_overrides_nested_configurations(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL301"]\n')
    _config(project / "blog", 'ignore = ["CL301"]\n')
    write(project, {"blog/a.txt": paragraphs("Headline", LONG_A)})
    assert _findings(cli, ".") == []
    explicit = cli("check", ".", "--config", "corpuslint.toml")
    assert explicit.findings() == ["blog/a.txt:1:1: CL301"]
    assert not load_config(Path("corpuslint.toml")).hierarchical
    # --config naming the nested file: that file alone applies, its folder the root.
    only = cli("check", ".", "--config", "blog/corpuslint.toml")
    assert only.findings() == []


def test_same_findings_from_a_subfolder_with_its_own_configuration(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(project, 'select = ["CL102", "CL301"]\n')
    _config(project / "blog", 'select = ["CL102"]\n')
    write(
        project,
        {
            "news/a.txt": article(LONG_A, LONG_B),
            "blog/b.txt": paragraphs("Another Headline", LONG_C, LONG_B),
        },
    )
    from_root = _findings(cli, "blog")
    assert from_root
    assert all(f.startswith("blog/b.txt") for f in from_root)
    assert any("CL102" in f for f in from_root)  # against news/a.txt, outside blog/
    monkeypatch.chdir(project / "blog")
    from_blog = _findings(cli, ".")
    assert ["blog/" + f for f in from_blog] == from_root


def test_cache_sees_a_nested_configuration_change(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL101"]\ncache = true\n')
    _config(project / "blog", 'select = ["CL101"]\n[rules.duplicate-paragraph]\nmin-words = 20\n')
    write(project, {"blog/a.txt": article(LONG_B, LONG_C, NEAR)})
    assert _findings(cli, ".") == []
    assert _findings(cli, ".") == []  # warm
    _config(project / "blog", 'select = ["CL101"]\n')
    assert _findings(cli, ".") == ["blog/a.txt:9:1: CL101"]
    _config(project / "blog", 'ignore = ["CL101"]\n')
    assert _findings(cli, ".") == []


def test_show_settings_names_the_nested_source(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL301"]\n')
    _config(
        project / "blog",
        'select = ["CL101"]\n[severity]\nCL101 = "info"\n'
        "[rules.duplicate-paragraph]\nmin-words = 20\n",
    )
    write(project, {"blog/a.txt": "x\n", "news/a.txt": "x\n"})
    nested = project / "blog" / "corpuslint.toml"
    run = cli("check", "--show-settings", "blog/a.txt", "--format", "json")
    settings = json.loads(run.stdout)
    assert settings["configuration"] == str(project / "corpuslint.toml")
    assert settings["closest-configuration"] == str(nested)
    (rule,) = settings["rules"]
    assert rule["code"] == "CL101"
    assert rule["why"] == f"{nested}: select"
    assert rule["severity"] == {"value": "info", "source": f"{nested}: severity"}
    assert rule["options"]["min-words"] == {
        "value": 20,
        "source": f"{nested}: rules.duplicate-paragraph.min-words",
    }
    assert {r["code"]: r["why"] for r in settings["not-run"]}["CL301"].startswith("not selected")
    text = cli("check", "--show-settings", "blog/a.txt").stdout
    assert f"closest configuration: {nested}" in text
    root_side = json.loads(cli("check", "--show-settings", "news/a.txt", "--format", "json").stdout)
    assert root_side["closest-configuration"] == str(project / "corpuslint.toml")
    assert [r["code"] for r in root_side["rules"]] == ["CL301"]


def test_extend_inherits_and_overrides(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL101", "CL301"]\n[rules.duplicate-paragraph]\nmin-words = 20\n')
    _config(project / "blog", 'extend = "../corpuslint.toml"\nignore = ["CL301"]\n')
    write(project, {"blog/a.txt": article(LONG_B, LONG_C, NEAR)})
    write(project, {"news/a.txt": paragraphs("Headline", LONG_A)})
    # Inherited: select and min-words = 20 (no CL101); its own: ignore CL301.
    assert _findings(cli, ".") == ["news/a.txt:1:1: CL301"]
    _config(project / "blog", 'extend = "corpuslint.toml"\n')
    run = cli("check", ".")
    assert run.exit_code == 2
    assert "'extend' comes back" in run.stderr


def test_nested_exclude_leaves_out_files_below_its_folder(project: Path, cli: CLI) -> None:
    _config(project, 'select = ["CL301"]\n')
    _config(project / "blog", 'select = ["CL301"]\nextend-exclude = ["archive/"]\n')
    write(
        project,
        {
            "archive/a.txt": paragraphs("Headline", LONG_A),
            "blog/archive/a.txt": paragraphs("Headline", LONG_B),
        },
    )
    assert _findings(cli, ".") == ["archive/a.txt:1:1: CL301"]
    _config(project / "blog", 'extend-exclude = ["!archive/"]\n')
    assert cli("check", ".").exit_code == 2


def _git_project(project: Path) -> None:
    """A git work tree: the root selects CL301, ``blog/`` ignores it, and so does
    ``ignored/``, whose configuration file git ignores."""
    shutil.rmtree(project / ".git")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    _config(project, 'select = ["CL301"]\n')
    _config(project / "blog", 'ignore = ["CL301"]\n')
    _config(project / "ignored", 'ignore = ["CL301"]\n')
    (project / ".gitignore").write_text("ignored/corpuslint.toml\n", encoding="utf-8")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_nested_configurations_found_in_a_git_work_tree(project: Path, cli: CLI) -> None:
    _git_project(project)
    (project / "pkg").mkdir()
    (project / "pkg" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    write(
        project,
        {
            "blog/a.txt": paragraphs("Headline", LONG_A),
            "ignored/a.txt": paragraphs("Headline", LONG_B),
            "pkg/a.txt": paragraphs("Headline", LONG_C),
        },
    )
    assert _findings(cli, ".") == ["ignored/a.txt:1:1: CL301", "pkg/a.txt:1:1: CL301"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_nested_configurations_found_by_a_run_over_a_few_files(project: Path, cli: CLI) -> None:
    """Tracked, untracked and ignored configuration files, as git lists them."""
    _git_project(project)
    files = {
        "blog/a.txt": paragraphs("Headline", LONG_A),
        "news/a.txt": paragraphs("Headline", LONG_B),
        "ignored/a.txt": paragraphs("Headline", LONG_C),
    }
    write(project, files)
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "corpus"], check=True)
    _config(project / "news", 'ignore = ["CL301"]\n')  # new, not yet added
    assert _findings(cli, *files) == ["ignored/a.txt:1:1: CL301"]


def test_anchored_patterns() -> None:
    assert anchored("blog", "drafts/") == "blog/**/drafts/"
    assert anchored("blog", "/drafts/") == "blog/drafts/"
    assert anchored("blog/x", "a/b.md") == "blog/x/a/b.md"
