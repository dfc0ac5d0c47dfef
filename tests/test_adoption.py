"""Adoption without friction: what a new user meets on a first run and in pre-commit.

Default excludes, git's own file listing, zero files as an error, a configured baseline
with fingerprints that do not depend on the working directory, files no reader reads,
Chinese, Japanese and Korean duplicates with default settings, and the pre-commit
recipe with ``files: ^content/`` through the real pre-commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpuslint.config import ConfigError, load_config
from corpuslint.run.discover import git_files
from tests.helpers import Run, run_cli

FIXTURES = Path(__file__).parent / "adoption_fixtures"
LONG = (
    "The city council approved a new budget for the parks department on Tuesday evening"
    " after a long and heated debate."
)
OTHER = "Residents said the new playgrounds would help families in the northern districts."


def article(headline: str, *paragraphs: str) -> str:
    return "\n\n".join([headline, "By Jane Doe", *paragraphs]) + "\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def cli(*args: str) -> Run:
    run = run_cli(*args)
    assert "Traceback" not in run.output
    return run


def git_env(home: Path) -> dict[str, str]:
    """git with no user or system configuration but a global one of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    config = home / "gitconfig"
    if not config.exists():
        config.write_text("", encoding="utf-8")
    env.update(GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1")
    return env


def git(root: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()  # a project root, but not a work tree git can list
    (root / "corpuslint.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


# -- default excludes ------------------------------------------------------------------


def test_an_unconfigured_hugo_site_checks_only_its_content(project: Path) -> None:
    write(
        project,
        {
            "content/posts/parks.md": article("Parks", LONG, OTHER),
            "archetypes/default.md": "---\ntitle: x\n---\n",
            "layouts/_default/single.html": "<main>{{ .Content }}</main>\n",
            "themes/ananke/layouts/index.html": "<p>{{ .Title }}</p>\n",
            "_layouts/post.html": "<p>{{ content }}</p>\n",
            "_includes/footer.html": "<p>{{ site.title }}</p>\n",
            "templates/page.html": "<article>{{ page.content | safe }}</article>\n",
            "README.md": "# Site\n",
            "CODE_OF_CONDUCT.md": "# Code of conduct\n",
            "LICENSE.txt": "MIT\n",
            "docs/changelog.md": "# Changes\n",
            "docs/readme-first.md": article("Read me first", "A guide, not a readme file."),
            "node_modules/pkg/readme.md": "# pkg\n",
            ".github/ISSUE_TEMPLATE/bug.md": "# Bug\n",
        },
    )
    run = cli("check", "--no-cache")
    assert run.exit_code == 0, run.output  # no CL001 on templates, no CL301 on README
    assert "All checks passed (2 files)" in run.stderr, run.output


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(project: Path) -> None:
    write(project, {"README.md": "# Readme\n\nNo byline.\n", "drafts/a.md": "# A\n\nNo byline.\n"})
    (project / "corpuslint.toml").write_text('select = ["CL301"]\nexclude = []\n')
    assert sorted(f["path"] for f in cli("check", "--format", "json").json()) == [
        "README.md",
        "drafts/a.md",
    ]
    (project / "corpuslint.toml").write_text('select = ["CL301"]\nextend-exclude = ["drafts/"]\n')
    run = cli("check", "--format", "json")
    assert run.exit_code == 2  # README.md is a default exclude, drafts/ an extra one
    assert "2 file(s) are excluded" in run.stderr


# -- zero files is an error -----------------------------------------------------------


def test_include_patterns_that_match_nothing_are_an_error(project: Path) -> None:
    write(project, {"content/a.md": article("A", LONG)})
    (project / "corpuslint.toml").write_text('include = ["posts/**"]\n')
    run = cli("check")
    assert run.exit_code == 2, run.output
    assert "include pattern(s) 'posts/**'" in run.stderr
    assert f"(relative to {project})" in run.stderr
    assert "All checks passed" not in run.output


def test_an_empty_folder_is_an_error(project: Path) -> None:
    (project / "empty").mkdir()
    for args in (["check"], ["check", "empty"]):
        run = cli(*args)
        assert run.exit_code == 2, run.output
        assert run.stderr.startswith("corpuslint: error: nothing to check in "), run.stderr


def test_a_config_outside_the_project_is_an_error_that_names_it(
    project: Path, tmp_path: Path
) -> None:
    write(project, {"a.md": article("A", LONG)})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "corpuslint.toml").write_text("", encoding="utf-8")
    run = cli("check", "--config", str(elsewhere / "corpuslint.toml"))
    assert run.exit_code == 2, run.output
    assert str(elsewhere / "corpuslint.toml") in run.stderr


def test_a_named_file_no_reader_reads_is_a_note(project: Path) -> None:
    write(project, {"content/a.yaml": "title: x\n", "content/b.md": article("B", LONG)})
    run = cli("check", "--", "content/a.yaml", "content/b.md")
    assert run.exit_code == 0, run.output
    assert "note: no reader for 1 file(s) named, not checked: content/a.yaml" in run.stderr
    assert "CL001" not in run.output
    only_yaml = cli("check", "--", "content/a.yaml")  # named files: not an empty selection
    assert only_yaml.exit_code == 0, only_yaml.output


# -- baselines from the configuration, the same from any folder -------------------------


def test_baseline_is_relative_to_the_configuration_file(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text('baseline = "lint/baseline.json"\n')
    assert load_config(cwd=tmp_path).baseline == tmp_path / "lint" / "baseline.json"
    (tmp_path / "corpuslint.toml").write_text("baseline = 1\n")
    with pytest.raises(ConfigError, match="'baseline' must be the path of a baseline file"):
        load_config(cwd=tmp_path)


def test_a_root_baseline_hides_the_same_findings_from_a_subfolder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, {"content/a.txt": article("A", LONG, LONG), "content/b.txt": article("B", LONG)})
    (project / "corpuslint.toml").write_text('baseline = "corpuslint-baseline.json"\n')
    before = cli("check", "--format", "json")
    assert before.exit_code == 1
    written = cli("check", "--write-baseline", "corpuslint-baseline.json")
    assert written.exit_code == 0, written.output
    assert cli("check").exit_code == 0
    monkeypatch.chdir(project / "content")
    everything = cli("check", "--format", "json", "--baseline", os.devnull + "x")
    assert everything.exit_code == 2  # no such baseline: an error, not a silent pass
    assert cli("check", ".").exit_code == 0, "the root's baseline hides them here too"
    assert cli("check", "b.txt").exit_code == 0
    (project / "corpuslint.toml").write_text("")
    from_here = cli("check", ".", "--format", "json")
    ids = {f["fingerprint"] for f in from_here.json()}
    assert ids == {f["fingerprint"] for f in before.json()}
    sarif = cli("check", ".", "--format", "sarif").stdout
    assert all(fingerprint in sarif for fingerprint in ids)


# -- git lists the files -------------------------------------------------------------


@needs_git
def test_git_listing_honours_info_exclude_and_the_global_ignore_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    env = git_env(tmp_path)
    git(root, "init", "-q", env=env)
    write(
        root,
        {
            "a.md": article("A", LONG),
            "local/b.md": article("B", LONG),
            "global.md": article("C", LONG),
            "kept/d.md": article("D", OTHER),
        },
    )
    (root / ".git" / "info" / "exclude").write_text("local/\n", encoding="utf-8")
    (tmp_path / "ignore").write_text("global.md\n", encoding="utf-8")
    (tmp_path / "gitconfig").write_text(f"[core]\n\texcludesFile = {tmp_path / 'ignore'}\n")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith("GIT_") and k not in env]:
        monkeypatch.delenv(key)
    assert git_files(root) == ["a.md", "kept/d.md"]
    monkeypatch.chdir(root)
    run = cli("check", "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.output  # b.md and global.md, which copy a.md, are ignored
    assert "(2 files)" in cli("check", "--no-cache").stderr


@needs_git
def test_git_listing_skips_links_out_of_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    env = git_env(tmp_path)
    git(root, "init", "-q", env=env)
    secret = tmp_path / "secret.md"
    secret.write_text(article("Secret", LONG), encoding="utf-8")
    write(root, {"a.md": article("A", OTHER)})
    (root / "leak.md").symlink_to(secret)
    monkeypatch.chdir(root)
    assert "leak.md" in (git_files(root) or [])  # git lists it: discovery must not read it
    run = cli("check", "--no-cache")
    assert run.exit_code == 0, run.output
    assert "warning: leak.md: links to outside the project; skipped" in run.stderr


# -- Chinese, Japanese and Korean -------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "ja", "ko"])
def test_cjk_duplicates_are_found_with_default_settings(project: Path, language: str) -> None:
    text = (FIXTURES / "cjk" / f"{language}.md").read_text(encoding="utf-8")
    write(project, {"a.md": text})
    run = cli("check", "--select", "CL1", "--no-cache")
    assert run.findings() == ["a.md:11:1: CL101"], run.output  # the label is not compared
    copy = text.replace("\n\n", "\n\n新\n\n", 1)  # another article with the same paragraphs
    write(project, {"b.md": copy})
    run = cli("check", "b.md", "--select", "CL102", "--no-cache")
    assert "b.md:7:1: CL102" in run.findings(), run.output


# -- the pre-commit recipe, through the real pre-commit --------------------------------


def test_pre_commit_with_files_and_a_baseline(tmp_path: Path) -> None:
    """A user's `files: ^content/` narrows the hook; a baseline lets a team adopt it."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from tests.test_precommit import _environment, _git, _new_repository, _run, _snapshot

    env = _environment(tmp_path)
    rev = _snapshot(tmp_path / "hooks", env)
    site = tmp_path / "site"
    _new_repository(site, env)
    hooks = [{"id": "corpuslint", "files": "^content/"}]
    config = {"repos": [{"repo": str(tmp_path / "hooks"), "rev": rev, "hooks": hooks}]}
    (site / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (site / "corpuslint.toml").write_text('baseline = "corpuslint-baseline.json"\n')
    write(site, {"content/old.txt": article("Old", LONG, LONG)})  # a finding from before
    python = [sys.executable, "-m", "pre_commit"]
    assert _run(*python, "install", cwd=site, env=env).returncode == 0
    written = _run(
        sys.executable, "-m", "corpuslint", "check", "--write-baseline",
        "corpuslint-baseline.json", cwd=site, env=env,
    )  # fmt: skip
    assert written.returncode == 0, written.stdout + written.stderr

    # The old finding is in the baseline; the YAML file no reader reads is left out.
    write(site, {"content/a.yaml": "title: x\n", "content/new.md": article("New", OTHER)})
    _git("add", "-A", cwd=site, env=env)
    adopted = _run("git", "commit", "-m", "Adopt corpuslint", cwd=site, env=env)
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    assert "CL001" not in adopted.stdout + adopted.stderr

    # A new copy is still refused.
    write(site, {"content/copy.txt": article("Copy", OTHER, OTHER)})
    _git("add", "-A", cwd=site, env=env)
    refused = _run("git", "commit", "-m", "Copy", cwd=site, env=env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "content/copy.txt:7:1: CL102" in refused.stdout + refused.stderr
