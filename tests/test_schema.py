"""The JSON Schema of the configuration: shipped, in step with the code, and right.

The schema is checked against corpuslint itself: every configuration corpuslint accepts
(this repository's own, every TOML fixture in the tests, every TOML block in the docs)
must validate, and a key corpuslint accepts without an entry in the schema fails here.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from corpuslint import config_schema, plugins
from corpuslint.cli import main
from corpuslint.config import LIST_KEYS, SCALAR_KEYS, TABLE_KEYS, ConfigError, parse_config
from corpuslint.run.plan import Overrides, make_plan
from corpuslint.run.selection import Filter

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "corpuslint" / config_schema.SHIPPED
REGENERATE = "corpuslint schema --builtin > corpuslint/data/corpuslint.schema.json"


@pytest.fixture(scope="module")
def registry() -> plugins.Registry:
    return config_schema.builtin_registry()


@pytest.fixture(scope="module")
def schema(registry: plugins.Registry) -> dict[str, Any]:
    return config_schema.schema(registry)


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema)


def _accepted(table: dict[str, Any], registry: plugins.Registry) -> bool:
    """Whether corpuslint accepts the table: read, planned and filtered as a run does."""
    try:
        config = parse_config(table, REPO / "corpuslint.toml", set(registry.reader_settings()))
        make_plan(config, registry, Overrides())
        Filter.build(config.per_file_ignores, config.severity, registry.rules, "here")
    except ConfigError:
        return False
    return True


def _errors(validator: jsonschema.Draft7Validator, table: dict[str, Any]) -> list[str]:
    return [error.message for error in validator.iter_errors(table)]


def test_the_shipped_schema_is_the_generated_one(schema: dict[str, Any]) -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    assert shipped == config_schema.render(schema), (
        f"{SHIPPED.relative_to(REPO)} is out of date: regenerate it with `{REGENERATE}`"
    )


def test_the_schema_is_a_valid_draft_07_schema_with_an_id(schema: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"].endswith("/corpuslint/data/corpuslint.schema.json")
    assert schema["additionalProperties"] is False


def test_the_schema_command_prints_the_schema_of_the_loaded_plugins() -> None:
    from click.testing import CliRunner

    run = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert json.loads(run.output) == config_schema.schema(plugins.load())
    builtin = CliRunner().invoke(main, ["schema", "--builtin"], catch_exceptions=False)
    assert builtin.output == SHIPPED.read_text(encoding="utf-8")


def test_this_repositorys_own_configuration_validates(
    validator: jsonschema.Draft7Validator,
) -> None:
    with (REPO / "pyproject.toml").open("rb") as handle:
        table = tomllib.load(handle)["tool"]["corpuslint"]
    assert table  # the repository configures corpuslint
    assert _errors(validator, table) == []


def _toml_in_tests() -> dict[str, dict[str, Any]]:
    """Every string in the tests that is a TOML table: configuration fixtures among them."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if "=" not in node.value:
                continue
            try:
                data = tomllib.loads(node.value)
            except tomllib.TOMLDecodeError:
                continue
            if isinstance(data.get("tool"), dict):
                data = data["tool"].get("corpuslint") or {}
            if data:
                found[f"{path.relative_to(REPO)}: {node.value!r}"] = data
    return found


def _toml_in_docs() -> dict[str, dict[str, Any]]:
    """The TOML blocks of the README and docs that hold corpuslint configuration."""
    found: dict[str, dict[str, Any]] = {}
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```toml\n(.*?)```", text, re.S)):
            data = tomllib.loads(block)
            if isinstance(data.get("tool"), dict):
                data = data["tool"].get("corpuslint") or {}
            if data:
                found[f"{path.relative_to(REPO)} block {number + 1}"] = data
    return found


def test_every_configuration_corpuslint_accepts_in_tests_and_docs_validates(
    validator: jsonschema.Draft7Validator, registry: plugins.Registry
) -> None:
    """No false alarm in an editor: what corpuslint accepts, the schema accepts."""
    fixtures = {**_toml_in_tests(), **_toml_in_docs()}
    accepted = {where: t for where, t in fixtures.items() if _accepted(t, registry)}
    assert len(accepted) >= 30  # the fixtures are found: the test is not vacuous
    assert any(where.startswith("docs/configuration.md") for where in accepted)
    wrong = {where: _errors(validator, t) for where, t in accepted.items()}
    assert {where: errors for where, errors in wrong.items() if errors} == {}


@pytest.mark.parametrize(
    "text",
    [
        "colour = true\n",  # an unknown top-level key
        "[rules.duplicate-paragraph]\nthreshold = 101\n",  # above the option's high bound
        "[rules.CL101]\nmin-words = -1\n",  # below its low bound
        "[rules.duplicate-paragraf]\nthreshold = 90\n",  # an unknown rule
        "[rules.cl102]\nbandz = 3\n",  # an unknown option (the code in lower case)
        "[rules.duplicate-headline]\nmin-words = 3\n",  # a rule with no options
        "[markdown]\nmax-depth = 901\n",  # a reader's budget out of range
        "[jsonl]\ntext-feld = 'body'\n",  # an unknown reader setting
        "[jsonl]\nmax-record-mb = 0\n",
        "jobs = 0\n",
        "rule-timeout = -1\n",
        "fail-on = 'fatal'\n",
        "cache = 'yes'\n",
        "baseline = ' '\n",
        "select = ['CL9']\n",
        "ignore = [1]\n",
        "[severity]\nCL301 = 'loud'\n",
        "[severity]\nXX1 = 'error'\n",
        "[per-file-ignores]\n'a/**' = ['ZZ']\n",
        "[rules.missing-attribution]\nagencies = 'AP'\n",  # a string where a list is wanted
        "[rules.duplicate-paragraph]\nmerge-runs = 1\n",
    ],
)
def test_a_configuration_corpuslint_refuses_fails_validation(
    text: str, validator: jsonschema.Draft7Validator, registry: plugins.Registry
) -> None:
    table = tomllib.loads(text)
    assert not _accepted(table, registry)
    assert _errors(validator, table)


@pytest.mark.parametrize(
    "text",
    [
        "include = 'content/**'\n",  # one string for a list, as corpuslint takes it
        "select = ['ALL']\nignore = ['cl3', 'duplicate-headline']\nextend-select = ['CL104']\n",
        "extend-ignore = ['CL2']\n",
        "fail-on = ' Warning '\n",
        "[severity]\nCL3 = 'INFO'\nduplicate-paragraph = 'warning'\n",
        "[per-file-ignores]\n'wire/**' = 'CL301'\n",
        "[rules.cl101]\nthreshold = 92\n[rules.duplicate-paragraph]\nmin-words = 10\n",
        "[rules.CL202]\nscope = 'corpus'\n",
        "[parquet]\nbatch-size = 2048\n[html]\nmax-depth = 1024\n",
        "jobs = 4\ncache = false\nrule-timeout = 0\nfollow-external-links = true\n",
        "baseline = 'lint/baseline.json'\n",
    ],
)
def test_a_configuration_corpuslint_accepts_validates(
    text: str, validator: jsonschema.Draft7Validator, registry: plugins.Registry
) -> None:
    table = tomllib.loads(text)
    assert _accepted(table, registry)
    assert _errors(validator, table) == []


def test_every_key_corpuslint_accepts_is_in_the_schema(
    schema: dict[str, Any], registry: plugins.Registry
) -> None:
    """A new configuration key, rule, option or reader setting without an entry fails here."""
    properties = schema["properties"]
    keys = {*LIST_KEYS, *TABLE_KEYS, *SCALAR_KEYS, *registry.reader_settings()}
    assert keys - set(properties) == set()
    assert set(properties) - keys == set()
    for key in keys:
        assert properties[key].get("description") or properties[key].get("title"), key
    rules = properties["rules"]["properties"]
    for code, rule in registry.rules.items():
        table = rules[rule.name]
        assert rules[code] == {"$ref": f"#/properties/rules/properties/{rule.name}"}
        assert table["additionalProperties"] is False
        assert set(table["properties"]) == {option.name for option in rule.options}
        for option in rule.options:
            assert table["properties"][option.name]["description"] == option.help
    for fmt, reader in registry.reader_settings().items():
        table = properties[fmt]
        assert table["additionalProperties"] is False
        assert set(table["properties"]) == {option.name for option in reader.settings}


def test_option_bounds_and_defaults_come_from_the_declarations(schema: dict[str, Any]) -> None:
    threshold = schema["properties"]["rules"]["properties"]["duplicate-paragraph"]["properties"][
        "threshold"
    ]
    assert (threshold["type"], threshold["minimum"], threshold["maximum"]) == ("number", 0, 100)
    assert threshold["default"] == 90.0
    depth = schema["properties"]["markdown"]["properties"]["max-depth"]
    assert (depth["type"], depth["minimum"], depth["maximum"], depth["default"]) == (
        "integer",
        1,
        900,
        64,
    )
    agencies = schema["properties"]["rules"]["properties"]["missing-attribution"]["properties"][
        "agencies"
    ]
    assert agencies["type"] == "array"
    assert "AP" in agencies["default"]


def test_the_schema_is_package_data() -> None:
    """pyproject.toml ships ``corpuslint/data/*.json`` (a built wheel was seen to hold it)."""
    import fnmatch
    from importlib import resources

    with (REPO / "pyproject.toml").open("rb") as handle:
        package_data = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["corpuslint"]
    assert any(fnmatch.fnmatch(config_schema.SHIPPED, glob) for glob in package_data)
    assert resources.files("corpuslint").joinpath(config_schema.SHIPPED).is_file()
