"""A run's plan: the validated rule selection, options and settings every engine runs.

With nested configuration files (see ``corpuslint.config.load_nested``) the plan holds
one :class:`Scope` per configuration, deepest folder first and the root's last: the
rules reported below its folder, their severities and per-file-ignores, and the options
of document rules there. Which documents make up the corpus, and how corpus rules
compare them, is the root configuration's alone: a pair of documents in two folders is
judged by one rule with one set of options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpuslint import plugins
from corpuslint.config import (
    DEFAULT_RULE_TIMEOUT,
    Config,
    ConfigError,
    reader_settings,
    rule_options,
)
from corpuslint.rule import Scope as RuleScope
from corpuslint.run.selection import Filter, selected_codes


@dataclass(frozen=True)
class Scope:
    """What applies to the files below one folder: its closest configuration's settings."""

    folder: str
    """The folder, relative to the project root with ``/`` (``""`` for the root)."""
    where: str
    """The configuration file, for messages."""
    codes: frozenset[str]
    """The rules whose findings are reported below the folder."""
    options: Mapping[str, Mapping[str, Any]]
    """Validated options of each document rule that runs (in any scope), by code."""
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Patterns relative to the folder, and the codes not reported where they match."""
    severity: Mapping[str, str] = field(default_factory=dict)

    def holds(self, relative: str) -> bool:
        """Whether the file at ``relative`` (root-relative, ``/``) is below the folder."""
        return not self.folder or relative.startswith(self.folder + "/")

    def local(self, relative: str) -> str:
        """``relative`` made relative to the folder, for its per-file-ignores patterns."""
        return relative[len(self.folder) + 1 :] if self.folder else relative


@dataclass(frozen=True)
class Plan:
    """What to run, in a form that can be sent to worker processes."""

    codes: tuple[str, ...]
    """Every rule that runs: those reported in any scope."""
    options: Mapping[str, Mapping[str, Any]]
    """Validated options of each selected rule, by code (the root configuration's)."""
    reader_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Validated settings of each reader, by format name."""
    check_all: bool = False
    """Run document rules on every file, not only targets (so cached outcomes serve any run)."""
    rule_timeout: float = DEFAULT_RULE_TIMEOUT
    """Seconds one call into a rule may take before it is stopped; 0 for no limit."""
    scopes: tuple[Scope, ...] = ()
    """The scope of each configuration, deepest first, the root's last (empty: the root's
    settings everywhere, as in a plan made for one file)."""

    def scope(self, relative: str) -> Scope | None:
        """The closest configuration's scope for a file (``None``: the plan's own settings)."""
        return next((s for s in self.scopes if s.holds(relative)), None)

    def document_options(self, relative: str) -> Mapping[str, Mapping[str, Any]]:
        """The document rules' options for the file at ``relative``."""
        found = self.scope(relative) if len(self.scopes) > 1 else None
        return found.options if found is not None else self.options

    def outcome_settings(self) -> tuple[object, ...]:
        """Everything in the plan that changes a file's outcome (for the cache's digest).

        Not the time budget (errors are not cached), nor what is only applied when the
        run is finished: which findings each folder reports, severities, per-file-ignores.
        """
        scoped = tuple((s.folder, s.options) for s in self.scopes) if len(self.scopes) > 1 else ()
        return (self.codes, self.options, self.reader_settings, self.check_all, scoped)


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
    config: Config,
    registry: plugins.Registry,
    overrides: Overrides,
    check_all: bool = False,
    nested: Sequence[Config] = (),
) -> Plan:
    """Validate selection and options against the loaded rules (raises ``ConfigError``).

    ``nested`` are the nested configurations below the root (deepest first), whose
    scopes the plan holds; their rules run too, reported only below their folders.
    """
    root_options = rule_options(config, registry.rules, overrides.rule_options)
    scopes = [
        _scope(scoped, config, registry, overrides, root_options) for scoped in (*nested, config)
    ]
    codes = tuple(sorted(set().union(*(s.codes for s in scopes))))
    settings = reader_settings(config, registry.reader_settings())
    options = {c: root_options[c] for c in codes}
    # Every rule of the plan runs on every file (only its findings are the scope's to
    # report): each scope holds the options of every document rule that runs.
    document = [
        c for c in codes if getattr(registry.rules[c], "scope", None) is not RuleScope.CORPUS
    ]
    scopes = [replace(s, options={c: s.options[c] for c in document}) for s in scopes]
    return Plan(codes, options, settings, check_all, config.rule_timeout, tuple(scopes))


def _scope(
    scoped: Config,
    root: Config,
    registry: plugins.Registry,
    overrides: Overrides,
    root_options: Mapping[str, Mapping[str, Any]],
) -> Scope:
    """The scope of one configuration (the root's, or a nested one's), validated."""
    where = scoped.where()
    select = overrides.select if overrides.select is not None else scoped.select
    codes = selected_codes(
        registry.rules,
        select,
        scoped.ignore + overrides.ignore,
        scoped.extend_select + overrides.extend_select,
        where if overrides.select is None else "command line",
    )
    Filter.build(scoped.per_file_ignores, scoped.severity, registry.rules, where)  # checked now
    if scoped is root:
        options: Mapping[str, Mapping[str, Any]] = root_options
    else:
        options = rule_options(scoped, registry.rules, overrides.rule_options)
        _same_corpus_options(scoped, root, registry, options, root_options)
    folder = "" if scoped is root else _folder(scoped.root, root.root)
    return Scope(folder, where, frozenset(codes), options, scoped.per_file_ignores, scoped.severity)


def _same_corpus_options(
    scoped: Config,
    root: Config,
    registry: plugins.Registry,
    options: Mapping[str, Mapping[str, Any]],
    root_options: Mapping[str, Mapping[str, Any]],
) -> None:
    """Refuse a nested configuration's options of a corpus rule that differ from the root's."""
    by_name = {rule.name: code for code, rule in registry.rules.items()}
    for key in scoped.rules:
        code = key.upper() if key.upper() in registry.rules else by_name.get(key, "")
        rule = registry.rules.get(code)
        if rule is None or getattr(rule, "scope", None) is not RuleScope.CORPUS:
            continue
        if options[code] != root_options[code]:
            raise ConfigError(
                f"{scoped.where()}: rules.{key}: {code} compares documents across the corpus,"
                f" so its options apply to the whole run; set them in the root configuration"
                f" {root.where()}"
            )


def _folder(folder: Path, root: Path) -> str:
    """``folder`` relative to ``root`` with ``/``."""
    return folder.resolve().relative_to(root.resolve()).as_posix()
