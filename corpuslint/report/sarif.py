"""``sarif`` format: a SARIF 2.1.0 log for code-scanning services (GitHub, Azure DevOps).

One run; ``tool.driver`` carries the metadata of every loaded rule (from its docstring),
each finding is a result with its region, the other copies as ``relatedLocations`` and
the finding's fingerprint as a partial fingerprint, so alerts survive line shifts. What
a rule looked at to reach a finding (``Violation.details``) is in the result's
``properties.details``, an object from each thing looked at to its description.

Paths. Findings are relative to the working directory; in SARIF they are relative URIs
(percent-encoded, ``/``-separated) against the base id ``%SRCROOT%``, the working
directory, whose absolute location is deliberately left out of the log (a SARIF file is
often published; the runner's home directory is nobody's business). Run corpuslint from
the repository root and the URIs are the repository paths code scanning expects. A
path is normalized first (``a/./b`` and ``a/x/../b`` become ``a/b``); a file outside the
working directory keeps its leading ``../`` segments, which is a valid relative
reference against ``%SRCROOT%`` (RFC 3986 resolution leaves the root), though a
code-scanning service will not find such a file in the repository. Only a path that is
absolute to begin with (another drive on Windows) becomes a ``file:`` URI.
"""

from __future__ import annotations

import importlib.metadata
import posixpath
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from corpuslint._version import __version__
from corpuslint.model import Location, Result, Severity, Violation
from corpuslint.report.base import Formatter
from corpuslint.report.escape import json_text
from corpuslint.rule import Rule

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "corpuslint/v1"
DEFAULT_INFORMATION_URI = "https://github.com/corpuslint/corpuslint"
"""Used when the installed distribution declares no project URL."""
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_DRIVE = re.compile(r"^[A-Za-z]:/")
_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)


def information_uri() -> str:
    """The project's home page as the installed distribution declares it."""
    try:
        metadata = importlib.metadata.metadata("corpus-lint")
    except importlib.metadata.PackageNotFoundError:
        return DEFAULT_INFORMATION_URI
    for entry in metadata.get_all("Project-URL") or ():
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "repository", "source", "documentation"}:
            return str(url).strip()
    home = metadata.get_all("Home-page") or [DEFAULT_INFORMATION_URI]
    return str(home[0])


def artifact_uri(path: str) -> tuple[str, str | None]:
    """The URI of a finding's path and its base id (``None`` for an absolute ``file:`` URI)."""
    normal = posixpath.normpath(path) if path else "."
    raw = normal.encode("utf-8", "surrogateescape")  # undecodable names keep their bytes
    if normal.startswith("/"):
        return "file://" + quote(raw, safe="/"), None
    if _DRIVE.match(normal):
        return "file:///" + quote(raw, safe="/:"), None
    return quote(raw, safe="/"), SRCROOT


def sections(documentation: str) -> dict[str, str]:
    """A rule's documentation split at its ``## Heading`` lines (ruff-style sections)."""
    parts = _SECTION.split(documentation)
    found = {"": parts[0].strip()}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found[heading.strip().lower()] = body.strip()
    return found


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """The ``reportingDescriptor`` of a rule: names, descriptions, help, default level."""
    documentation = rule.documentation()
    parts = sections(documentation)
    full = parts.get("what it does") or parts[""] or rule.summary()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": " ".join(full.split())},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {
            "level": LEVELS.get(rule.severity, "warning"),
            "enabled": bool(rule.enabled_by_default),
        },
        "properties": {"tags": ["corpuslint", rule.scope.value]},
    }


def _bare_descriptor(violation: Violation) -> dict[str, Any]:
    """For a finding of a rule that is not loaded (a plugin's, from a baseline): ids only."""
    return {
        "id": violation.code,
        "name": violation.rule,
        "shortDescription": {"text": violation.rule},
        "defaultConfiguration": {"level": LEVELS.get(violation.severity, "warning")},
    }


def physical_location(path: str, region: dict[str, int]) -> dict[str, Any]:
    """A ``physicalLocation`` for ``path`` with ``region``."""
    uri, base = artifact_uri(path)
    artifact: dict[str, Any] = {"uri": uri}
    if base is not None:
        artifact["uriBaseId"] = base
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def related_location(index: int, location: Location) -> dict[str, Any]:
    """A ``relatedLocations`` entry: where the other copy is."""
    place = physical_location(
        location.path, {"startLine": max(location.line, 1), "startColumn": max(location.column, 1)}
    )
    return {"id": index, **place, "message": {"text": "Other copy"}}


def sarif_result(violation: Violation, rule_index: int) -> dict[str, Any]:
    """The ``result`` object of one finding."""
    span = violation.span
    line, column = max(span.line, 1), max(span.column, 1)
    end_line = max(span.end_line, line)
    end_column = max(span.end_column, 1) if end_line > line else max(span.end_column, column)
    region = {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }
    result: dict[str, Any] = {
        "ruleId": violation.code,
        "ruleIndex": rule_index,
        "level": LEVELS.get(violation.severity, "warning"),
        "message": {"text": violation.message},
        "locations": [physical_location(violation.path, region)],
    }
    if violation.related:
        result["relatedLocations"] = [
            related_location(number, location)
            for number, location in enumerate(violation.related, start=1)
        ]
    if violation.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: violation.fingerprint}
    properties: dict[str, Any] = {"rule": violation.rule}
    if violation.similarity is not None:
        properties["similarity"] = violation.similarity
    if violation.details:
        properties["details"] = dict(violation.details)
    result["properties"] = properties
    return result


def sarif_log(result: Result, rules: Mapping[str, type[Rule]]) -> dict[str, Any]:
    """The whole SARIF log of a run as plain data."""
    descriptors = [rule_descriptor(rules[code]) for code in sorted(rules)]
    index = {descriptor["id"]: number for number, descriptor in enumerate(descriptors)}
    results = []
    for violation in result.violations:
        if violation.code not in index:
            index[violation.code] = len(descriptors)
            descriptors.append(_bare_descriptor(violation))
        results.append(sarif_result(violation, index[violation.code]))
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in result.errors
        ]
    run = {
        "tool": {
            "driver": {
                "name": "corpuslint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": information_uri(),
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": "The working directory corpuslint ran in (the repository root in CI)."
                }
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifFormatter(Formatter):
    """SARIF 2.1.0 JSON, for GitHub code scanning and other SARIF viewers."""

    name = "sarif"
    description = "SARIF 2.1.0 for code-scanning services"

    def format(self, result: Result) -> str:
        return json_text(sarif_log(result, self.rules))

    def statistics(self, result: Result) -> str:
        """The SARIF log with the statistics as the run's ``properties.statistics``."""
        from corpuslint.report.statistics import statistics

        log = sarif_log(result, self.rules)
        log["runs"][0]["properties"] = {"statistics": statistics(result)}
        return json_text(log)
