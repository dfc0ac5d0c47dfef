"""Baseline files: today's findings recorded by fingerprint, so only new ones are shown.

Fingerprints come from the rule, the path relative to the project root and the
normalized text a finding is about, never from line numbers or the working directory:
a baseline keeps hiding a finding after lines are inserted above it, and a baseline
written at the root hides the same findings in a run from a subfolder. A rule gives
each finding the part made of its code and text (``Rule.violation``); :func:`anchor`
adds the path once the run knows where the project root is. Counts are kept per
fingerprint: a second copy of a baselined finding shows.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from corpuslint._support.atomic import write_text_atomic
from corpuslint.config import ConfigError
from corpuslint.model import Violation, fingerprint


def anchor(violations: Sequence[Violation], relative: Mapping[str, str]) -> list[Violation]:
    """The findings with fingerprints that hold their file's path relative to the root.

    ``relative`` maps the paths as shown (relative to the working directory) to paths
    relative to the project root; a path it does not know (a file outside the project)
    is used as it is.
    """
    return [
        dataclasses.replace(
            v, fingerprint=fingerprint(v.code, relative.get(v.path, v.path), v.fingerprint)
        )
        for v in violations
    ]


VERSION = 1


def write(path: Path, violations: Sequence[Violation]) -> None:
    """Record ``violations`` in a baseline file (atomically)."""
    entries = [
        {"fingerprint": v.fingerprint, "code": v.code, "path": v.path, "message": v.message}
        for v in violations
    ]
    write_text_atomic(path, json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n")


def load(path: Path) -> Counter[str]:
    """The fingerprints of a baseline file, with how many findings each stands for."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        findings = data["findings"]
        return Counter(str(entry["fingerprint"]) for entry in findings)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: nesting
        raise ConfigError(f"{path}: not a corpuslint baseline file ({exc})") from None


def new_findings(violations: Sequence[Violation], baseline: Counter[str]) -> list[Violation]:
    """The findings the baseline does not account for."""
    remaining = Counter(baseline)
    kept = []
    for violation in violations:
        if remaining[violation.fingerprint] > 0:
            remaining[violation.fingerprint] -= 1
        else:
            kept.append(violation)
    return kept
