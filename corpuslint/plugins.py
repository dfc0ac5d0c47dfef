"""The plugin manager: loads plugins one entry point at a time and collects what they provide.

A plugin that fails to import, or provides a rule code that another plugin already
provides, is a :class:`PluginError` naming the plugin (exit code 2). So is one that
calls ``sys.exit`` or raises any other ``BaseException`` while it is imported or its
hooks are called: only a real interrupt (a signal) passes through.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from corpuslint import hookspecs
from corpuslint._support import signals
from corpuslint.readers.base import Reader, name_suffixes
from corpuslint.report.base import Formatter
from corpuslint.rule import Rule

ENTRY_POINT_GROUP = "corpuslint"


class PluginError(Exception):
    """A plugin could not be loaded or contradicts another one."""


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin as ``corpuslint plugins`` shows it."""

    name: str
    distribution: str
    version: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    """Everything the loaded plugins provide, looked up by code, name, suffix or format."""

    rules: Mapping[str, type[Rule]]
    """Rule classes by code, in code order."""
    rule_plugins: Mapping[str, str]
    """The plugin that provides each rule code."""
    readers: Mapping[str, type[Reader]]
    """Reader classes by file suffix (lower case, with the dot)."""
    formatters: Mapping[str, type[Formatter]]
    plugins: tuple[PluginInfo, ...]

    def rule(self, code_or_name: str) -> type[Rule] | None:
        """The rule with this code (any case) or name, if there is one."""
        wanted = code_or_name.strip()
        if wanted.upper() in self.rules:
            return self.rules[wanted.upper()]
        return next((r for r in self.rules.values() if r.name == wanted.lower()), None)

    def reader_for(self, suffix: str) -> type[Reader] | None:
        """The reader for a file suffix such as ``.md`` (case-insensitive)."""
        return self.readers.get(suffix.lower())

    def reader_for_name(self, name: str) -> type[Reader] | None:
        """The reader for a file name: its last two suffixes (``.jsonl.gz``), else its last."""
        compound, last = name_suffixes(name)
        return self.readers.get(compound) or self.readers.get(last)

    def reader_settings(self) -> dict[str, type[Reader]]:
        """Reader classes by format name, for ``[tool.corpuslint.<format>]`` sections."""
        return {reader.format: reader for reader in self.readers.values()}


def _manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    from corpuslint import core_rules, readers, report  # the core's own plugins

    manager.register(core_rules, name="corpuslint-core")
    manager.register(readers, name="corpuslint-readers")
    manager.register(report, name="corpuslint-formats")
    return manager


def _load_entry_points(
    manager: pluggy.PluginManager, entry_points: Iterable[importlib.metadata.EntryPoint]
) -> dict[str, tuple[str, str]]:
    origins: dict[str, tuple[str, str]] = {}
    for entry_point in sorted(entry_points, key=lambda e: e.name):
        dist = entry_point.dist
        dist_name = dist.metadata["Name"] if dist is not None else "?"
        version = dist.version if dist is not None else "?"
        if manager.has_plugin(entry_point.name):
            if entry_point.name in origins and origins[entry_point.name][0] != dist_name:
                other = origins[entry_point.name][0]
                raise PluginError(
                    f"plugin {entry_point.name!r} is provided by both {other} and {dist_name};"
                    " uninstall one of them"
                )
            continue  # the same distribution seen twice on sys.path
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
        except BaseException as exc:
            if signals.genuine(exc):
                raise
            raise PluginError(
                f"plugin {entry_point.name!r} ({entry_point.value}, from {dist_name} {version})"
                f" failed to load: {_described(exc)}"
            ) from exc
        origins[entry_point.name] = (dist_name, version)
    return origins


def _call(manager: pluggy.PluginManager, hook: str) -> list[tuple[str, Any]]:
    """Call a hook on each plugin separately, so each result is tied to its plugin."""
    results: list[tuple[str, Any]] = []
    for impl in reversed(getattr(manager.hook, hook).get_hookimpls()):
        name = impl.plugin_name
        try:
            provided = list(getattr(impl.plugin, hook)() or ())
        except BaseException as exc:
            if signals.genuine(exc):
                raise
            raise PluginError(f"plugin {name!r} failed in {hook}(): {_described(exc)}") from exc
        for item in provided:
            results.append((name, item))
    return results


def _described(exc: BaseException) -> str:
    """What a plugin raised, for its error line; ``sys.exit`` is named as such."""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


_kept: list[Registry] = []


def keep(registry: Registry) -> None:
    """Have :func:`load` return ``registry`` from now on in this process.

    The resident daemon loads the plugins once and keeps them for every command it
    forks; it stops as soon as a file of a loaded module or a folder of ``sys.path``
    changes, so the kept plugins are the installed ones.
    """
    _kept[:] = [registry]


def load(entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> Registry:
    """Load the core and every plugin of the ``corpuslint`` entry-point group."""
    if entry_points is None and _kept:
        return _kept[0]
    manager = _manager()
    if entry_points is None:
        entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    origins = _load_entry_points(manager, entry_points)

    rules: dict[str, type[Rule]] = {}
    owners: dict[str, str] = {}
    names: dict[str, str] = {}
    for plugin, rule in _call(manager, "corpuslint_rules"):
        _check_rule(plugin, rule)
        for key, table in ((rule.code, owners), (rule.name, names)):
            other = table.get(key)
            if other is not None and other != plugin:
                raise PluginError(
                    f"plugin {plugin!r} provides rule {key!r}, which plugin {other!r} provides too"
                )
        owners[rule.code] = plugin
        names[rule.name] = plugin
        rules[rule.code] = rule

    readers: dict[str, type[Reader]] = {}
    for _plugin, reader in _call(manager, "corpuslint_readers"):
        for suffix in reader.suffixes:
            readers[suffix.lower()] = reader
    formatters = {f.name: f for _plugin, f in _call(manager, "corpuslint_formatters")}

    infos = tuple(
        PluginInfo(
            name,
            *origins.get(name, ("corpus-lint", _version())),
            tuple(sorted(code for code, owner in owners.items() if owner == name)),
        )
        for name in [n for n, _ in manager.list_name_plugin()]
    )
    return Registry(
        rules=dict(sorted(rules.items())),
        rule_plugins=owners,
        readers=readers,
        formatters=formatters,
        plugins=infos,
    )


def _check_rule(plugin: str, rule: Any) -> None:
    from corpuslint.rule import CorpusRule, DocumentRule

    if not (isinstance(rule, type) and issubclass(rule, (DocumentRule, CorpusRule))):
        raise PluginError(
            f"plugin {plugin!r} returned {rule!r} from corpuslint_rules(), which is not a"
            " subclass of DocumentRule or CorpusRule"
        )
    for attribute in ("code", "name"):
        if not isinstance(getattr(rule, attribute, None), str):
            raise PluginError(f"plugin {plugin!r}: rule {rule.__name__} has no {attribute!r}")


def _version() -> str:
    from corpuslint._version import __version__

    return __version__
