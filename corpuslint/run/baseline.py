"""Baseline files: today's findings recorded by fingerprint, so only new ones are shown.

Fingerprints come from the rule, the path and the normalized text a finding is about,
never from line numbers, so a baseline keeps hiding a finding after lines are inserted
above it. Counts are kept per fingerprint: a second copy of a baselined finding shows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from corpuslint._support.atomic import write_text_atomic
from corpuslint.config import ConfigError
from corpuslint.model import Violation

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
