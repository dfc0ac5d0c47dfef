"""The Python entry point: check paths with the project's configuration, on either engine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from corpuslint import plugins
from corpuslint.config import Config, load_config
from corpuslint.model import Result
from corpuslint.run.plan import Overrides

Engine = Literal["local", "ray"]


def check(
    paths: Sequence[str | Path] = (),
    config: Config | None = None,
    engine: Engine = "local",
    *,
    overrides: Overrides | None = None,
) -> Result:
    """Check ``paths`` (the targets; default: the project root) against their corpus.

    Without ``config`` the configuration nearest to the current directory is read, as
    the command line does. ``engine="ray"`` needs the ``[ray]`` extra; it also takes
    URLs. Raises ``ConfigError`` for a bad configuration or selection, and
    ``EngineError`` when the engine cannot run.
    """
    registry = plugins.load()
    if config is None:
        config = load_config(reader_formats=registry.reader_settings())
    if engine == "local":
        from corpuslint.engines.local.runner import check as check_locally

        return check_locally([Path(p) for p in paths], config, registry, overrides)
    if engine == "ray":
        from corpuslint.engines import EngineError
        from corpuslint.engines.ray import driver

        if not driver.available():
            raise EngineError(
                "the ray engine needs the [ray] extra: pip install 'corpus-lint[ray]'"
            )
        return driver.check(paths, config, registry=registry, overrides=overrides)
    raise ValueError(f"unknown engine {engine!r} (expected 'local' or 'ray')")
