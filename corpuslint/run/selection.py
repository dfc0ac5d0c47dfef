"""Which rules run and how findings are kept: select, ignore, per-file-ignores, severities.

Codes are matched by prefix as in ruff and flake8 (``CL1`` is every CL1xx rule);
``ALL`` is every rule. An unknown code is an error with the nearest valid one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec

from corpuslint.config import ConfigError, did_you_mean
from corpuslint.model import Severity, Violation


def expand(selectors: Iterable[str], rules: Mapping[str, type], where: str) -> set[str]:
    """The codes matched by codes, code prefixes, rule names or ``ALL``."""
    names = {getattr(rule, "name", ""): code for code, rule in rules.items()}
    codes: set[str] = set()
    for selector in selectors:
        wanted = selector.strip()
        if wanted.upper() == "ALL":
            codes.update(rules)
            continue
        if wanted in names:
            codes.add(names[wanted])
            continue
        matched = {code for code in rules if code.startswith(wanted.upper())}
        if not matched:
            hint = did_you_mean(wanted.upper(), rules) or did_you_mean(wanted, names)
            raise ConfigError(f"{where}: unknown rule code {wanted!r}{hint}")
        codes.update(matched)
    return codes


def selected_codes(
    rules: Mapping[str, type],
    select: Sequence[str] | None,
    ignore: Sequence[str],
    extend_select: Sequence[str] = (),
    where: str = "configuration",
) -> tuple[str, ...]:
    """The codes to run: ``select`` (default: rules on by default) plus extras, less ignores."""
    if select is None:
        chosen = {c for c, r in rules.items() if getattr(r, "enabled_by_default", True)}
    else:
        chosen = expand(select, rules, where)
    chosen |= expand(extend_select, rules, where)
    chosen -= expand(ignore, rules, where)
    return tuple(sorted(chosen))


@dataclass(frozen=True)
class Filter:
    """Drops per-file-ignored findings and applies severity overrides, after the rules ran."""

    per_file: tuple[tuple[pathspec.PathSpec[Any], frozenset[str]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()

    @classmethod
    def build(
        cls,
        per_file_ignores: Mapping[str, Sequence[str]],
        severity: Mapping[str, str],
        rules: Mapping[str, type],
        where: str,
    ) -> Filter:
        """Compile the patterns and check every code they name."""
        per_file = tuple(
            (
                pathspec.GitIgnoreSpec.from_lines([pattern]),
                frozenset(expand(codes, rules, f"{where}: per-file-ignores")),
            )
            for pattern, codes in per_file_ignores.items()
        )
        levels = []
        for selector, level in severity.items():
            for code in sorted(expand([selector], rules, f"{where}: severity")):
                levels.append((code, Severity.parse(level)))
        return cls(per_file, tuple(levels))

    def ignored(self, relative_path: str, code: str) -> bool:
        """Whether ``code`` is ignored for the file at ``relative_path`` (``/``-separated)."""
        return any(
            code in codes and spec.match_file(relative_path) for spec, codes in self.per_file
        )

    def apply(self, violation: Violation) -> Violation:
        """The finding with its configured severity."""
        for code, level in self.severity:
            if code == violation.code and level is not violation.severity:
                return dataclasses.replace(violation, severity=level)
        return violation
