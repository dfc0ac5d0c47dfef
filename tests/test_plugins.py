"""Plugins: a throwaway rule package installed as a fake distribution on sys.path."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpuslint import plugins
from tests.helpers import LONG_A, Run, paragraphs, write

CLI = Callable[..., Run]

RULE_MODULE = '''
from corpuslint.hookspecs import hookimpl
from corpuslint.model import Span
from corpuslint.rule import DocumentRule


class ShoutingHeadline(DocumentRule):
    """Flags a headline written in capitals.

    ## What it does
    Reports the headline when it is all upper case.

    ## Why is this bad?
    It shouts.

    ## Example
    ```text
    a.txt:1:1: XT100 [error] Headline in capitals
    ```

    ## Options
    None.
    """

    code = "{code}"
    name = "{name}"

    def check(self, document, options):
        if {fail}:
            raise ValueError("rule exploded")
        headline = document.headline
        if headline is not None and headline.text.isupper():
            yield self.violation(document, headline.span, "Headline in capitals", text="x")


@hookimpl
def corpuslint_rules():
    return [ShoutingHeadline]
'''


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Install a fake distribution providing one plugin module; returns its entry-point name."""
    modules: list[str] = []

    def installer(
        dist: str,
        module: str,
        source: str,
        entry_point: str | None = None,
        version: str = "1.2.3",
    ) -> str:
        site = tmp_path / f"site-{dist}"
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"  # as installers name it
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        name = entry_point or dist
        (info / "entry_points.txt").write_text(
            f"[corpuslint]\n{name} = {module}\n", encoding="utf-8"
        )
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        monkeypatch.syspath_prepend(str(site))
        importlib.invalidate_caches()
        modules.append(module)
        return name

    yield installer
    for module in modules:
        sys.modules.pop(module, None)
    importlib.invalidate_caches()


def rule_source(code: str = "XT100", name: str = "shouting-headline", fail: bool = False) -> str:
    return RULE_MODULE.format(code=code, name=name, fail=fail)


def test_fake_distribution_is_an_entry_point(install: Callable[..., str]) -> None:
    install("corpuslint-shout", "corpuslint_shout", rule_source())
    found = {e.name: e for e in importlib.metadata.entry_points(group="corpuslint")}
    assert found["corpuslint-shout"].value == "corpuslint_shout"


def test_plugin_rule_runs_and_is_listed(
    project: Path, cli: CLI, install: Callable[..., str]
) -> None:
    install("corpuslint-shout", "corpuslint_shout", rule_source())
    write(project, {"a.txt": paragraphs("LOUD HEADLINE", "LOUD HEADLINE", LONG_A)})
    run = cli("check", "a.txt", "--no-cache")
    assert run.findings() == ["a.txt:1:1: CL301", "a.txt:1:1: XT100", "a.txt:3:1: CL201"]
    assert "a.txt:1:1: XT100 [error] Headline in capitals" in run.stdout.splitlines()
    assert cli("check", "a.txt", "--select", "XT", "-q").findings() == ["a.txt:1:1: XT100"]

    listing = cli("plugins").stdout.splitlines()
    assert "corpuslint-shout  (corpuslint-shout 1.2.3)  rules: XT100" in listing
    rules = cli("rules").stdout.splitlines()
    assert rules[-1] == (
        "XT100  shouting-headline            document  Flags a headline written in capitals."
    )
    doc = cli("rule", "XT100").stdout
    assert doc.startswith("# shouting-headline (XT100)\n\nProvided by plugin `corpuslint-shout`.")


def test_plugin_that_fails_to_import(project: Path, cli: CLI, install: Callable[..., str]) -> None:
    install("corpuslint-broken", "corpuslint_broken", "import not_a_module_anywhere\n")
    for command in (["check", "."], ["rules"], ["plugins"]):
        run = cli(*command)
        assert run.exit_code == 2
        assert run.stdout == ""
        assert run.stderr.startswith(
            "corpuslint: error: plugin 'corpuslint-broken' (corpuslint_broken, from"
            " corpuslint-broken 1.2.3) failed to load: ModuleNotFoundError:"
        )


def test_plugin_rule_that_raises(project: Path, cli: CLI, install: Callable[..., str]) -> None:
    install("corpuslint-shout", "corpuslint_shout", rule_source(fail=True))
    write(project, {"a.txt": paragraphs("Headline", "Headline", LONG_A)})
    run = cli("check", "a.txt", "--no-cache")
    assert run.exit_code == 2
    assert run.findings() == ["a.txt:1:1: CL301", "a.txt:3:1: CL201"]  # the others still ran
    assert (
        "corpuslint: internal error: rule XT100 (shouting-headline) from plugin"
        " 'corpuslint-shout' failed on a.txt: ValueError: rule exploded"
    ) in run.stderr.splitlines()


def test_plugin_with_duplicate_code(project: Path, cli: CLI, install: Callable[..., str]) -> None:
    install("corpuslint-copycat", "corpuslint_copycat", rule_source(code="CL101", name="copy"))
    run = cli("rules")
    assert run.exit_code == 2
    assert "'CL101'" in run.stderr
    assert "'builtin'" in run.stderr
    assert "'corpuslint-copycat'" in run.stderr


def test_plugin_with_duplicate_name(install: Callable[..., str]) -> None:
    install("corpuslint-copycat", "corpuslint_copycat", rule_source(name="duplicate-paragraph"))
    with pytest.raises(plugins.PluginError, match="'duplicate-paragraph'") as info:
        plugins.load()
    assert "'builtin'" in str(info.value)
    assert "'corpuslint-copycat'" in str(info.value)


def test_two_distributions_with_one_entry_point_name(install: Callable[..., str]) -> None:
    install("corpuslint-one", "corpuslint_one", rule_source(), entry_point="shout")
    install("corpuslint-two", "corpuslint_two", rule_source("XT200", "other"), entry_point="shout")
    with pytest.raises(plugins.PluginError, match="'shout' is provided by both") as info:
        plugins.load()
    assert "corpuslint-one" in str(info.value)
    assert "corpuslint-two" in str(info.value)


def test_plugin_returning_a_non_rule(install: Callable[..., str]) -> None:
    source = (
        "from corpuslint.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef corpuslint_rules():\n    return [object]\n"
    )
    install("corpuslint-odd", "corpuslint_odd", source)
    with pytest.raises(plugins.PluginError, match="plugin 'corpuslint-odd' returned"):
        plugins.load()


def test_hook_that_raises(install: Callable[..., str]) -> None:
    source = (
        "from corpuslint.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef corpuslint_rules():\n    raise RuntimeError('no')\n"
    )
    install("corpuslint-odd", "corpuslint_odd", source)
    with pytest.raises(
        plugins.PluginError, match=r"plugin 'corpuslint-odd' failed in corpuslint_rules\(\)"
    ):
        plugins.load()


def test_registry_lookups() -> None:
    registry = plugins.load()
    assert registry.rule("cl101") is registry.rules["CL101"]
    assert registry.rule("duplicate-paragraph") is registry.rules["CL101"]
    assert registry.rule("nope") is None
    assert registry.reader_for(".MD") is registry.reader_for(".md")
    assert registry.rule_plugins["CL101"] == "builtin"
    assert registry.rule_plugins["CL001"] == "corpuslint-core"
    assert list(registry.rules) == sorted(registry.rules)


def test_plugin_rule_that_calls_sys_exit_is_an_internal_error(
    project: Path, cli: CLI, install: Callable[..., str]
) -> None:
    # A rule ending the process with exit code 0 would pass a run that checked nothing.
    source = rule_source(fail=True).replace('raise ValueError("rule exploded")', "sys.exit(0)")
    install("corpuslint-shout", "corpuslint_shout", "import sys\n" + source)
    write(project, {"a.txt": paragraphs("Headline", "Headline", LONG_A)})
    run = cli("check", "a.txt", "--no-cache")
    assert run.exit_code == 2
    assert run.findings() == ["a.txt:1:1: CL301", "a.txt:3:1: CL201"]  # the others still ran
    assert (
        "corpuslint: internal error: rule XT100 (shouting-headline) from plugin"
        " 'corpuslint-shout' failed on a.txt: RuleEscaped: SystemExit: 0"
    ) in run.stderr.splitlines()
