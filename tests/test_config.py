"""Configuration: where it is found, what it may say, and what a mistake looks like."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint.config import Config, ConfigError, find_config_file, load_config, rule_options
from corpuslint.plugins import load
from tests.helpers import LONG_A, LONG_B, LONG_C, Run, article, paragraphs, write

CLI = Callable[..., Run]
NEAR = LONG_B.replace("new public library", "public library downtown")


def test_pyproject_table(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").unlink()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.corpuslint]\nignore = ["CL301"]\n', encoding="utf-8"
    )
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    assert cli("check", "a.txt").exit_code == 0
    assert cli("check", "a.txt", "--config", "pyproject.toml").exit_code == 0


def test_corpuslint_toml(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text('ignore = ["CL301"]\n', encoding="utf-8")
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    assert cli("check", "a.txt").stdout == ""


def test_nearest_configuration_wins(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "corpuslint.toml").write_text('ignore = ["CL301"]\n', encoding="utf-8")
    sub = project / "sub"
    write(sub, {"a.txt": paragraphs("Headline", "Headline", LONG_A)})
    assert cli("check", "sub/a.txt").findings() == ["sub/a.txt:3:1: CL201"]
    (sub / "pyproject.toml").write_text('[tool.corpuslint]\nselect = ["CL3"]\n', encoding="utf-8")
    monkeypatch.chdir(sub)
    assert cli("check", "a.txt").findings() == ["a.txt:1:1: CL301"]


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text('select = ["CL1"]\n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    found = find_config_file(sub)
    assert found is not None
    assert found == (tmp_path / "corpuslint.toml", {"select": ["CL1"]})


def test_corpuslint_toml_before_pyproject_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text('select = ["CL1"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.corpuslint]\nselect = ["CL2"]\n')
    config = load_config(cwd=tmp_path)
    assert config.select == ("CL1",)
    assert config.source == tmp_path / "corpuslint.toml"
    assert config.root == tmp_path


def test_no_configuration_uses_the_git_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    config = load_config(cwd=sub)
    assert (config.root, config.source, config.select) == (tmp_path, None, None)


def test_missing_explicit_configuration(project: Path, cli: CLI) -> None:
    run = cli("check", "--config", "nope.toml")
    assert run.exit_code == 2
    assert "nope.toml: configuration file not found" in run.stderr


def test_invalid_toml(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text("select = [\n", encoding="utf-8")
    run = cli("check", ".")
    assert run.exit_code == 2
    assert "corpuslint.toml: not valid TOML" in run.stderr


def test_include_exclude_and_gitignore(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text(
        'include = ["news/**"]\nexclude = ["news/drafts/"]\nselect = ["CL201"]\n',
        encoding="utf-8",
    )
    dup = paragraphs("Headline", "Headline", LONG_A)
    write(
        project,
        {
            "news/a.txt": dup,
            "news/b.md": "# T\n\n# T\n",
            "news/drafts/c.txt": dup,
            "news/generated/d.txt": dup,
            "news/.gitignore": "generated/\n",
            "other/e.txt": dup,
        },
    )
    expected = ["news/a.txt:3:1: CL201", "news/b.md:3:3: CL201"]
    assert cli("check").findings() == expected
    assert cli("check", ".").findings() == expected
    # Named files: .gitignore does not apply, exclude does (a pre-commit hook honours it).
    named = cli("check", "news/drafts/c.txt", "news/generated/d.txt")
    assert named.findings() == ["news/generated/d.txt:3:1: CL201"]


def test_per_file_ignores(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text(
        '[per-file-ignores]\n"legacy/**" = ["CL2", "missing-attribution"]\n', encoding="utf-8"
    )
    write(
        project,
        {
            "legacy/old.txt": paragraphs("Old Headline", "Old Headline", LONG_B),
            "new.txt": paragraphs("Headline", "Headline", LONG_A),
        },
    )
    assert cli("check", ".").findings() == ["new.txt:1:1: CL301", "new.txt:3:1: CL201"]
    assert cli("check", "legacy").findings() == []


def test_severity_overrides_with_fail_on(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").write_text(
        '[severity]\nmissing-attribution = "info"\n', encoding="utf-8"
    )
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    (finding,) = cli("check", "a.txt", "--format", "json").json()
    assert (finding["code"], finding["severity"]) == ("CL301", "info")
    assert cli("check", "a.txt", "--fail-on", "warning").exit_code == 0
    assert cli("check", "a.txt", "--fail-on", "info").exit_code == 1


@pytest.mark.parametrize("table", ["duplicate-paragraph", "CL101", "cl101"])
def test_rule_options_by_name_or_code(project: Path, cli: CLI, table: str) -> None:
    write(project, {"a.txt": article(LONG_B, LONG_C, NEAR)})
    assert cli("check", "a.txt").findings() == ["a.txt:9:1: CL101"]
    (project / "corpuslint.toml").write_text(f"[rules.{table}]\nthreshold = 100\n")
    assert cli("check", "a.txt").findings() == []
    (project / "corpuslint.toml").write_text(f'[rules."{table}"]\nmin-words = 20\n')
    assert cli("check", "a.txt").findings() == []


def test_rule_options_under_tool_corpuslint(project: Path, cli: CLI) -> None:
    (project / "corpuslint.toml").unlink()
    (project / "pyproject.toml").write_text(
        "[tool.corpuslint.rules.duplicate-paragraph]\nthreshold = 100\n", encoding="utf-8"
    )
    write(project, {"a.txt": article(LONG_B, LONG_C, NEAR)})
    assert cli("check", "a.txt").findings() == []


def test_attribution_patterns_option(project: Path, cli: CLI) -> None:
    write(project, {"a.txt": paragraphs("Headline", LONG_A, "Filed from the city desk")})
    assert cli("check", "a.txt").findings() == ["a.txt:1:1: CL301"]
    (project / "corpuslint.toml").write_text(
        '[rules.missing-attribution]\npatterns = ["^filed from"]\n', encoding="utf-8"
    )
    assert cli("check", "a.txt").findings() == []


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('exclde = ["x"]\n', "unknown key 'exclde' (did you mean 'exclude'?)"),
        ('select = ["CL3O1"]\n', "unknown rule code 'CL3O1' (did you mean 'CL301'?)"),
        ('ignore = ["duplicate-paragrah"]\n', "(did you mean 'duplicate-paragraph'?)"),
        (
            '[per-file-ignores]\n"a/*" = ["CL2O1"]\n',
            "per-file-ignores: unknown rule code 'CL2O1' (did you mean 'CL201'?)",
        ),
        ('[severity]\nCL3O1 = "info"\n', "severity: unknown rule code 'CL3O1'"),
        ('[severity]\nCL301 = "fatal"\n', "unknown severity 'fatal'"),
        ('fail-on = "warn"\n', "unknown severity 'warn'"),
        (
            "[rules.duplicate-paragrap]\nthreshold = 95\n",
            "rules.duplicate-paragrap: no such rule (did you mean 'duplicate-paragraph'?)",
        ),
        (
            "[rules.duplicate-paragraph]\nthreshhold = 95\n",
            "rules.duplicate-paragraph: unknown option 'threshhold' (did you mean 'threshold'?)",
        ),
        (
            '[rules.duplicate-paragraph]\nthreshold = "high"\n',
            "rules.duplicate-paragraph: option 'threshold' takes float, not 'high'",
        ),
        (
            "[rules.duplicate-paragraph]\nmin-words = 8.5\n",
            "option 'min-words' takes int, not 8.5",
        ),
        (
            "[rules.duplicate-paragraph]\nmerge-runs = 1\n",
            "option 'merge-runs' takes bool, not 1",
        ),
        (
            "[rules.missing-attribution]\npatterns = [1]\n",
            "option 'patterns' takes a list of strings",
        ),
        ("[rules.CL201]\nthreshold = 95\n", "unknown option 'threshold' (duplicate-headline"),
        ("[rules.CL102]\nbands = 0\n", "rules.CL102: option 'bands' is at least 1, not 0"),
        ("[rules.CL101]\nthreshold = 101\n", "option 'threshold' is at most 100, not 101.0"),
        ("[rules.CL101]\nthreshold = nan\n", "option 'threshold' takes a finite number, not nan"),
        ("[rules.CL102]\nmin-jaccard = -0.1\n", "option 'min-jaccard' is at least 0, not -0.1"),
        ("[rules.missing-attribution]\nbyline-window = -1\n", "'byline-window' is at least 0"),
        (
            "[rules.CL102]\nbands = 22\n",  # with the default 6 rows: 132 MinHash values
            "rules.corpus-duplicate-paragraph: bands x rows is at most 128, not 22 x 6 = 132",
        ),
        ("[jsonl]\nmax-record-mb = 0\n", "jsonl: option 'max-record-mb' is at least 1, not 0"),
        ('select = "CL1"\nignore = 3\n', "'ignore' must be a list of strings"),
        ("jobs = 0\n", "'jobs' must be a whole number of at least 1"),
        ("rule-timeout = -1\n", "'rule-timeout' must be a number of seconds (0 for no limit)"),
        ('rule-timeout = "10 s"\n', "'rule-timeout' must be a number of seconds"),
        ("rule-timeout = true\n", "'rule-timeout' must be a number of seconds"),
        ("rule-timeout = inf\n", "'rule-timeout' must be a number of seconds"),
        ("rule-timout = 10\n", "unknown key 'rule-timout' (did you mean 'rule-timeout'?)"),
        ('rules = "x"\n', "'rules' must be a table"),
    ],
)
def test_configuration_errors(project: Path, cli: CLI, toml: str, message: str) -> None:
    (project / "corpuslint.toml").write_text(toml, encoding="utf-8")
    write(project, {"a.txt": paragraphs("Headline", LONG_A)})
    run = cli("check", "a.txt")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"corpuslint: error: {project / 'corpuslint.toml'}")
    assert message in run.stderr
    assert run.stderr.count("\n") == 1


def test_rule_options_defaults_and_coercion(tmp_path: Path) -> None:
    registry = load()
    config = Config(root=tmp_path, rules={"duplicate-paragraph": {"threshold": 95}})
    options = rule_options(config, registry.rules)
    assert options["CL101"]["threshold"] == 95.0
    assert isinstance(options["CL101"]["threshold"], float)
    assert options["CL101"]["min-words"] == 8
    assert options["CL301"]["byline-window"] == 5
    with pytest.raises(ConfigError, match="no such rule"):
        rule_options(Config(root=tmp_path, rules={"nope": {}}), registry.rules)


@pytest.mark.parametrize(
    ("toml", "seconds"),
    [
        ("", 60.0),
        ("rule-timeout = 5\n", 5.0),
        ("rule-timeout = 0.5\n", 0.5),
        ("rule-timeout = 0\n", 0.0),
    ],
)
def test_rule_timeout(tmp_path: Path, toml: str, seconds: float) -> None:
    (tmp_path / "corpuslint.toml").write_text(toml, encoding="utf-8")
    config = load_config(cwd=tmp_path)
    assert config.rule_timeout == seconds
    assert isinstance(config.rule_timeout, float)
