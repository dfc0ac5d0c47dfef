"""The documentation stays true: rule pages, links, the plugin example, no outside citations."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import corpuslint
from corpuslint import plugins
from tests.helpers import LONG_A, LONG_B, Run, article, write

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = DOCS / "rules"
REGISTRY = plugins.load()
README = (REPO / "README.md").read_text(encoding="utf-8")
MARKDOWN = sorted([REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "benchmarks" / "README.md"])
MARKDOWN += sorted(DOCS.rglob("*.md"))
PLUGIN_API = ("DocumentRule", "CorpusRule", "Option", "Document", "Signature", "Violation")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("code", list(REGISTRY.rules))
def test_rule_page_holds_the_rule_documentation(code: str) -> None:
    rule = REGISTRY.rules[code]
    page = PAGES / f"{code}.md"
    assert page.is_file(), f"no {_relative(page)}: run python docs/rules/generate.py"
    text = page.read_text(encoding="utf-8")
    stale = f"{_relative(page)} is out of date: run python docs/rules/generate.py"
    assert text.startswith(f"# {rule.name} ({code})\n"), stale
    assert _flat(rule.documentation()) in _flat(text), stale
    options = text.split("## Options", 1)[1]
    for option in rule.options:
        assert f"`{option.name}`" in options, stale


def test_every_rule_page_is_of_a_rule() -> None:
    pages = {page.stem for page in PAGES.glob("*.md")}
    assert pages == set(REGISTRY.rules)


def test_readme_lists_every_rule_with_its_page() -> None:
    rows = dict(re.findall(r"^\| \[(\w+)\]\(docs/rules/\w+\.md\) \| ([\w-]+) \|", README, re.M))
    assert rows == {code: rule.name for code, rule in REGISTRY.rules.items()}
    for code in rows:
        assert f"[{code}](docs/rules/{code}.md)" in README


def test_formats_page_names_every_suffix() -> None:
    formats = (DOCS / "formats.md").read_text(encoding="utf-8")
    for suffix in REGISTRY.readers:
        assert f"`{suffix}`" in formats, f"docs/formats.md does not name {suffix}"


@pytest.mark.parametrize("path", MARKDOWN, ids=_relative)
def test_relative_links_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        linked = (path.parent / target.split("#", 1)[0]).resolve()
        assert linked.exists(), f"{_relative(path)} links to {target}, which does not exist"
        assert linked.is_relative_to(REPO), f"{_relative(path)} links outside the repository"


@pytest.mark.parametrize("path", MARKDOWN, ids=_relative)
def test_docs_cite_nothing_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for outside in ("DESIGN", "../shared", "/work/"):
        assert outside not in text, f"{_relative(path)} cites {outside}"


def test_readme_is_short() -> None:
    assert len(README.splitlines()) <= 160


def test_readme_performance_line_links_the_figures() -> None:
    section = README.split("## Performance", 1)[1].split("\n## ", 1)[0]
    assert "docs/performance.md" in section
    assert "|" not in section  # the tables live in docs/performance.md


def test_performance_tables_say_when_and_how() -> None:
    text = (DOCS / "performance.md").read_text(encoding="utf-8")
    text += (DOCS / "ray.md").read_text(encoding="utf-8").split("## Performance", 1)[1]
    for section in re.split(r"\n#+ ", text):
        if re.search(r"^\|.*\|$", section, re.M):
            assert re.search(r"Measured on \d{4}-\d{2}-\d{2}", section), section[:80]
            assert "`python benchmarks/" in section, section[:80]


# The plugin example of docs/plugins.md, run as a plugin.

PLUGIN_DOC = (DOCS / "plugins.md").read_text(encoding="utf-8")
PLUGIN_SOURCE = "\n".join(re.findall(r"```python\n(.*?)```", PLUGIN_DOC, re.DOTALL))


def test_plugin_example_imports_only_the_top_level_package() -> None:
    tree = ast.parse(PLUGIN_SOURCE)
    imported = [
        (node.module, [alias.name for alias in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corpuslint")
    ]
    assert imported == [("corpuslint", sorted([*PLUGIN_API, "hookimpl"]))]
    assert not [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("corpuslint")
    ]


@pytest.fixture
def example_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """docs/plugins.md's example installed as distribution ``my-rules``."""
    site = tmp_path / "site"
    info = site / "my_rules-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: my-rules\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[corpuslint]\nmy-rules = my_rules\n", encoding="utf-8")
    (site / "my_rules.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("my_rules", None)
    importlib.invalidate_caches()


@pytest.mark.skipif(
    not all(hasattr(corpuslint, name) for name in (*PLUGIN_API, "hookimpl")),
    reason="corpuslint/__init__.py does not export the plugin API yet",
)
@pytest.mark.usefixtures("example_plugin")
def test_plugin_example_runs(project: Path, cli: Callable[..., Run]) -> None:
    shouty = "WEWORK TO CUT JOBS AFTER FAILED LISTING"
    write(
        project,
        {
            "a.txt": article(LONG_A, LONG_B, byline=False),
            "b.txt": article(LONG_A, title=shouty, byline=False),
            "c.txt": article(LONG_B, title="IBM", byline=False),
        },
    )
    assert "my-rules  (my-rules 1.0)  rules: X100, X200" in cli("plugins").stdout
    run = cli("check", "--select", "X", "--no-cache", "-q")
    assert run.findings() == ["b.txt:1:1: X100", "b.txt:3:1: X200"]
    assert cli("rule", "X200").stdout.startswith("# same-first-paragraph (X200)")


# Project metadata.


def test_license_file_is_the_declared_licence() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 The corpuslint authors\n")
    assert all(url.startswith("https://github.com/corpuslint/") for url in project["urls"].values())


def test_own_pre_commit_config_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
