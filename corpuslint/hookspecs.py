"""The plugin contract: the hooks a corpuslint plugin may implement.

A plugin is a module or object registered under the entry-point group ``corpuslint``.
The built-in rules (package ``corpuslint_rules``) are registered exactly that way; the
core registers its own readers and formatters through the same hooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # plugins import this module's markers; keep it free of import cycles
    from corpuslint.readers.base import Reader
    from corpuslint.report.base import Formatter
    from corpuslint.rule import Rule

PROJECT = "corpuslint"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def corpuslint_rules() -> Sequence[type[Rule]]:
    """Return the rule classes this plugin provides.

    Each class subclasses :class:`corpuslint.rule.DocumentRule` or
    :class:`corpuslint.rule.CorpusRule` and carries a unique ``code`` and ``name``.
    Called once per run; the results of all plugins are combined. A code or name
    already provided by another plugin is an error naming both plugins.

    What each rule's methods may yield (findings, notices for the user, signatures) and
    the time budget they run under are the contract in :mod:`corpuslint.rule`.

    May be implemented by any plugin.
    """


@hookspec
def corpuslint_readers() -> Sequence[type[Reader]]:
    """Return the reader classes this plugin provides, one per input format.

    Each reader names its format and the file name suffixes it reads. When two readers
    claim a suffix, the one registered later wins, so a plugin can replace a core reader.
    Called once per run; the results of all plugins are combined.

    May be implemented by any plugin; the core implements it for its own readers.
    """


@hookspec
def corpuslint_formatters() -> Sequence[type[Formatter]]:
    """Return the output formatter classes this plugin provides.

    Each formatter has a ``name`` used with ``--format``. Called once per run; the
    results of all plugins are combined, later registrations replacing earlier ones.

    May be implemented by any plugin; the core implements it for its own formats.
    """
