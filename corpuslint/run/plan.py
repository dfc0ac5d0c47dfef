"""A run's plan: the validated rule selection, options and settings every engine runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslint import plugins
from corpuslint.config import DEFAULT_RULE_TIMEOUT, Config, reader_settings, rule_options
from corpuslint.run.selection import selected_codes


@dataclass(frozen=True)
class Plan:
    """What to run, in a form that can be sent to worker processes."""

    codes: tuple[str, ...]
    options: Mapping[str, Mapping[str, Any]]
    """Validated options of each selected rule, by code."""
    reader_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Validated settings of each reader, by format name."""
    check_all: bool = False
    """Run document rules on every file, not only targets (so cached outcomes serve any run)."""
    rule_timeout: float = DEFAULT_RULE_TIMEOUT
    """Seconds one call into a rule may take before it is stopped; 0 for no limit."""


@dataclass(frozen=True)
class Overrides:
    """Command-line settings that take precedence over the configuration file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    jobs: int | None = None
    cache: bool | None = None
    baseline: Path | None = None
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def make_plan(
    config: Config, registry: plugins.Registry, overrides: Overrides, check_all: bool = False
) -> Plan:
    """Validate selection and options against the loaded rules (raises ``ConfigError``)."""
    where = config.where()
    select = overrides.select if overrides.select is not None else config.select
    codes = selected_codes(
        registry.rules,
        select,
        config.ignore + overrides.ignore,
        config.extend_select + overrides.extend_select,
        where if overrides.select is None else "command line",
    )
    options = rule_options(config, registry.rules, overrides.rule_options)
    settings = reader_settings(config, registry.reader_settings())
    return Plan(codes, {c: options[c] for c in codes}, settings, check_all, config.rule_timeout)
