"""The pre-commit hooks and the CI recipes, run or checked for real.

The hook test runs the real ``pre-commit``: it installs this repository's hooks into a
throw-away repository of articles, exactly as ``examples/ci/pre-commit-config.yaml``
tells users to, and commits. pre-commit builds a virtual environment and pip-installs
corpus-lint into it, so this is the slow test of the suite (about a minute, once).

pre-commit installs hooks from a git commit. To test the working tree as it is (new
files are not committed while they are being written), the hook repository is a
snapshot: every file git would see here (tracked and untracked, not ignored), copied
and committed in a temporary repository.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from corpuslint import __version__, plugins
from corpuslint.cli import main

REPO = Path(__file__).resolve().parents[1]
CI = REPO / "examples" / "ci"
MANIFEST = REPO / ".pre-commit-hooks.yaml"

HEADLINE_OLD = "Council Approves New Budget For City Parks"
SHARED = (
    "The city council approved a new budget for the parks department on Tuesday evening"
    " after a long and heated debate."
)
OWN = "Residents said the new playgrounds would help families in the northern districts."
NEW = "Only this new article has this paragraph, written for the pre-commit hook test."


def article(headline: str, *paragraphs: str) -> str:
    """A plain-text article with a byline, so only duplicates can fail it."""
    return "\n\n".join([headline, "By Jane Doe", *paragraphs]) + "\n"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry() -> plugins.Registry:
    return plugins.load()


# -- the manifest and the CI recipes -----------------------------------------------------


def test_manifest_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in load_yaml(MANIFEST)}
    assert set(hooks) == {"corpuslint", "corpuslint-full"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert shlex.split(hook["entry"]) == ["corpuslint", "check"]
        assert hook["require_serial"] is True
    changed = hooks["corpuslint"]
    assert changed["args"] == ["--"]  # file names after `--`: never read as options
    assert changed["types_or"] == ["text", "markdown", "html"]
    full = hooks["corpuslint-full"]
    assert full["pass_filenames"] is False
    assert full["always_run"] is True
    assert full["stages"] == ["manual", "pre-push"]


def test_manifest_selects_by_type_so_a_users_files_only_narrows_it(
    registry: plugins.Registry, tmp_path: Path
) -> None:
    identify = pytest.importorskip("identify.identify")
    [hook] = [h for h in load_yaml(MANIFEST) if h["id"] == "corpuslint"]
    assert set(hook["types_or"]) <= identify.ALL_TAGS
    # No `files`: a project's `files: ^content/` would replace it (and let YAML in).
    assert "files" not in hook
    assert "jsonl" not in identify.ALL_TAGS  # JSONL is `text` by its content
    wanted = set(hook["types_or"])
    # Every reader's files are selected, but binary data sets, left to corpuslint-full.
    for suffix, reader in registry.readers.items():
        binary = reader.format == "parquet" or suffix.endswith(".gz")
        path = tmp_path / f"a{suffix}"
        path.write_bytes(b"PAR1\x00\x01\x02" if binary else b'{"text": "A paragraph."}\n')
        assert bool(identify.tags_from_path(str(path)) & wanted) is not binary, suffix


def test_pre_commit_accepts_the_manifest_and_the_example_config() -> None:
    pytest.importorskip("pre_commit")
    for command, path in (
        ("validate-manifest", MANIFEST),
        ("validate-config", CI / "pre-commit-config.yaml"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_example_pre_commit_config_uses_the_real_hooks() -> None:
    config = load_yaml(CI / "pre-commit-config.yaml")
    [repo] = config["repos"]
    assert repo["rev"] == f"v{__version__}"
    hook_ids = {hook["id"] for hook in load_yaml(MANIFEST)}
    assert {hook["id"] for hook in repo["hooks"]} == hook_ids


def _corpuslint_commands(workflow: dict[str, Any]) -> list[list[str]]:
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                words = shlex.split(line)
                if words[:1] == ["corpuslint"]:
                    commands.append(words[1:])
    return commands


def test_example_workflow_runs_real_formats_and_uploads_the_sarif_it_writes(
    registry: plugins.Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = load_yaml(CI / "github-workflow.yml")
    commands = _corpuslint_commands(workflow)
    formats = [words[words.index("--format") + 1] for words in commands]
    assert sorted(formats) == ["github", "sarif"]
    assert set(formats) <= set(registry.formatters)

    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    installs = [step["run"] for step in steps if "pip install" in str(step.get("run", ""))]
    assert installs
    assert all("corpus-lint" in run.split() for run in installs)
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/")]
    assert upload["uses"].split("@")[0] == "github/codeql-action/upload-sarif"
    sarif_command = commands[formats.index("sarif")]
    written = sarif_command[sarif_command.index("--output-file") + 1]
    assert upload["with"]["sarif_file"] == written
    code_scanning = next(j for j in workflow["jobs"].values() if upload in j["steps"])
    assert code_scanning["permissions"]["security-events"] == "write"

    # Run the workflow's own command lines on a small corpus: they are valid as written.
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "corpuslint.toml").write_text("", encoding="utf-8")
    (tmp_path / "a.txt").write_text(article("A Headline", SHARED, SHARED), encoding="utf-8")
    for words in commands:
        result = CliRunner().invoke(main, words)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    assert (tmp_path / written).is_file()


# -- the hooks, through the real pre-commit ----------------------------------------------


def _environment(home: Path) -> dict[str, str]:
    """The environment for git and pre-commit: no user or system git configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    global_config = home / "gitconfig"
    global_config.write_text("", encoding="utf-8")
    env.update(
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        GIT_CONFIG_GLOBAL=str(global_config),
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_COLOR="never",
    )
    return env


def _run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = _run("git", *args, cwd=cwd, env=env)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def _new_repository(path: Path, env: dict[str, str]) -> None:
    path.mkdir()
    _git("init", "-q", cwd=path, env=env)
    _git("config", "user.name", "Test Author", cwd=path, env=env)
    _git("config", "user.email", "author@example.com", cwd=path, env=env)
    _git("config", "commit.gpgsign", "false", cwd=path, env=env)


def _snapshot(destination: Path, env: dict[str, str]) -> str:
    """Commit this working tree, as git sees it, into a new repository; return the commit."""
    if not (REPO / ".git").exists():
        pytest.skip("the hook test needs the project as a git checkout")
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO, env=env)
    _new_repository(destination, env)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git("add", "-A", cwd=destination, env=env)
    _git("commit", "-q", "-m", "snapshot of the working tree", cwd=destination, env=env)
    return _git("rev-parse", "HEAD", cwd=destination, env=env).strip()


def test_hooks_block_duplicates_and_pass_clean_commits(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = _environment(tmp_path)
    hooks = tmp_path / "hooks"
    rev = _snapshot(hooks, env)

    articles = tmp_path / "articles"
    _new_repository(articles, env)
    config = load_yaml(CI / "pre-commit-config.yaml")  # the users' recipe, pointed here
    config["repos"][0].update(repo=str(hooks), rev=rev)
    (articles / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (articles / "corpuslint.toml").write_text('include = ["content/**"]\n', encoding="utf-8")
    (articles / "README.md").write_text("# Articles\n\nNo byline here.\n", encoding="utf-8")
    content = articles / "content"
    content.mkdir()
    (content / "parks.txt").write_text(article(HEADLINE_OLD, SHARED, OWN), encoding="utf-8")
    python = [sys.executable, "-m", "pre_commit"]
    installed = _run(*python, "install", cwd=articles, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # A clean article passes (README.md is outside `files: ^content/` and not linted).
    _git("add", "-A", cwd=articles, env=env)
    clean = _run("git", "commit", "-m", "Parks budget", cwd=articles, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "corpuslint" in clean.stdout + clean.stderr
    assert "Passed" in clean.stdout + clean.stderr

    # An article that repeats its own paragraph and copies the committed one is refused.
    (content / "copy.txt").write_text(
        article("Parks Budget Passes After Debate", NEW, SHARED, NEW), encoding="utf-8"
    )
    _git("add", "-A", cwd=articles, env=env)
    refused = _run("git", "commit", "-m", "Copied article", cwd=articles, env=env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "Failed" in output
    assert "content/copy.txt:9:1: CL101" in output  # repeats its own paragraph (line 5)
    assert "content/copy.txt:7:1: CL102" in output  # copies content/parks.txt
    assert "content/parks.txt" not in output.split("CL102", 1)[0]  # the original is not flagged
    log = _git("log", "--format=%s", cwd=articles, env=env)
    assert log.splitlines() == ["Parks budget"]

    # The whole-corpus hook, by hand: the staged copy fails it too.
    full = _run(*python, "run", "corpuslint-full", "--hook-stage", "manual", cwd=articles, env=env)
    assert full.returncode != 0, full.stdout + full.stderr
    assert "CL102" in full.stdout
