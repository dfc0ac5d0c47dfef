"""The ``corpuslint`` command (click): check, rules, rule CODE, plugins.

Exit codes: 0 nothing at or above ``--fail-on``, 1 findings, 2 usage, configuration,
plugin or internal error, 130 or 143 when stopped by SIGINT or SIGTERM. No traceback
reaches the user unless ``CORPUSLINT_DEBUG`` is set, and every line written to stderr
goes through ``corpuslint.console`` (escaped: corpus text can carry terminal escapes or
GitHub workflow commands).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from corpuslint import __version__, console, plugins
from corpuslint._support import signals
from corpuslint._support.processes import default_jobs
from corpuslint._support.progress import progress_bar
from corpuslint.config import Config, ConfigError, load_config, root_folder
from corpuslint.engines import EngineError
from corpuslint.model import Result, Severity
from corpuslint.run import gitstate
from corpuslint.run.discover import NESTED_CONFIGS, Buffer, git_files_command
from corpuslint.run.finish import exit_code
from corpuslint.run.plan import Overrides


def _fail(message: str) -> NoReturn:
    console.error(message)
    sys.exit(2)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn configuration, plugin and unexpected errors into one line on stderr and exit 2.

    SIGINT and SIGTERM stop the command alike (see ``corpuslint._support.signals``): one line,
    exit status 130 or 143.
    """
    try:
        with signals.handled():
            yield
    except (ConfigError, plugins.PluginError, EngineError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:
        signals.announce(console.line)
        sys.exit(signals.exit_status(exc))
    except Exception as exc:
        if os.environ.get("CORPUSLINT_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (set CORPUSLINT_DEBUG=1 for a traceback)"
        )


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _load() -> plugins.Registry:
    return plugins.load()


@contextmanager
def _git_ahead(paths: tuple[str, ...], config_path: Path | None, cached: bool) -> Iterator[None]:
    """Ask git about the work tree while the rules import, for a cached run over files.

    Such a run (a pre-commit hook's) reuses the corpus listing it saved when git says
    nothing else changed (``corpuslint.engines.local.listing``), and looks for nested
    configuration files among git's files; git's answers take about as long as the
    imports, so both go on at once.
    """
    if not cached or not paths or not all(os.path.isfile(p) for p in paths):
        yield
        return
    try:
        root = root_folder(config_path)
    except ConfigError:  # reported by the configuration's own reading
        yield
        return
    if not any((folder / ".git").exists() for folder in (root, *root.parents)):
        yield  # not in a work tree: git has nothing to say
        return
    nested = [] if config_path is not None else [git_files_command(NESTED_CONFIGS)]
    with gitstate.ahead(root, [*gitstate.STATE, *nested]):
        yield


class _Main(click.Group):
    """The command group, with click's usage errors written through ``console`` too.

    A usage error quotes what was on the command line, which for a pre-commit hook
    holds file names from the repository.
    """

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; in standalone mode, errors are escaped lines and an exit status."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                for text in exc.ctx.get_usage().splitlines():
                    console.line(text)
                helps = exc.ctx.command.get_help_option_names(exc.ctx)
                if helps:
                    console.line(f"Try '{exc.ctx.command_path} {sorted(helps)[0]}' for help.")
            console.error(exc.format_message())
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            console.line("corpuslint: interrupted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class _CheckCommand(click.Command):
    """``check``: everything after ``--`` is a path, and a path is never taken for an option.

    A token before ``--`` that looks like an option but names an existing file is an
    error: it is a file name in the wrong place (a pre-commit hook whose ``args`` do not
    end with ``--``, given a staged file named ``--output-file=x.md``), and read as an
    option it could overwrite a file or change the outcome.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse option-like file names before ``--``, then parse as click does."""
        for token in args:
            if token == "--":
                break
            if token.startswith("-") and token != "-" and os.path.lexists(token):
                raise click.UsageError(
                    f"{token!r} is a file, not an option: put paths after `--`"
                    " (corpuslint check [OPTIONS] -- PATHS)",
                    ctx,
                )
        return super().parse_args(ctx, args)


def _kernel() -> str:
    """Which MinHash code this install runs, as ``similarity.hashing.KERNEL`` names it.

    Found without importing it: that module loads numpy, a third of ``--version``'s time.
    """
    from importlib.util import find_spec

    compiled = find_spec("corpuslint.similarity._minhash") is not None
    return "compiled" if compiled else "numpy, no compiled kernel"


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    prog_name="corpuslint",
    message=f"%(prog)s, version %(version)s (MinHash: {_kernel()})",
)
def main() -> None:
    """Lint a text corpus: duplicate paragraphs and headlines, missing attribution."""


@main.command("check", cls=_CheckCommand)
@click.argument("paths", nargs=-1)
@click.option(
    "--format",
    "output_format",
    default="text",
    show_default=True,
    help="Output format: text, full, json, sarif, github, gitlab, rdjson or junit"
    " (see `corpuslint plugins`).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text and full formats: auto colours a terminal (NO_COLOR and"
    " FORCE_COLOR are honoured).",
)
@click.option(
    "--select", help="Comma-separated rule codes or prefixes to run (replaces the configured set)."
)
@click.option("--ignore", help="Comma-separated rule codes or prefixes not to run.")
@click.option("--extend-select", help="Comma-separated rule codes to run in addition.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Configuration file to use instead of the nearest one.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes for the document pass; above 1 the corpus pass uses two"
    " [default: all cores].",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run [default: info].",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--output-file",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print the number of findings per rule and of files checked instead of the"
    " findings (as data in the json and sarif formats).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Hide the findings recorded in this baseline file; show only new ones"
    " [default: the configured `baseline`].",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record this run's findings in a baseline file (and exit 0).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print no summary line on stderr.")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Run on this machine's cores, or on Ray (extra corpus-lint[ray]).",
)
@click.option(
    "--address",
    help="Ray cluster to run on (host:port, ray://host:port or auto) [default: start one].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="CPUs of the local Ray instance started without --address [default: all cores].",
)
@click.option(
    "--block-mb",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="With --engine ray: read JSONL files larger than this in blocks of this size.",
)
@click.option(
    "--fix", is_flag=True, help="Remove what was printed twice (safe fixes), then check again."
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff: near repeats too (the later, near copy goes).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print a unified diff of what --fix would change, change nothing; exit 1 if any.",
)
@click.option(
    "--stdin-filename",
    help="With `-` as the path: check stdin as if it were this file (its reader, its"
    " place in the corpus; the file need not exist) [default: stdin.txt].",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the settings that apply to PATH (one file) and where each comes from;"
    " check nothing (--format json for data).",
)
def check_command(
    paths: tuple[str, ...],
    output_format: str,
    show_settings: bool,
    color: str,
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    config_path: Path | None,
    jobs: int | None,
    fail_on: str | None,
    exit_zero: bool,
    output_file: Path | None,
    statistics: bool,
    no_cache: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    quiet: bool,
    engine: str,
    address: str | None,
    workers: int | None,
    block_mb: int,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    stdin_filename: str | None,
) -> None:
    """Check PATHS (files or folders; default: the whole project) against the corpus.

    Everything after ``--`` is a path, even if it starts with ``-``: scripts and hooks
    that pass file names should put them after ``--``. The path ``-`` reads stdin, checked
    as the file ``--stdin-filename`` names (``stdin.txt`` without it).

    With ``--engine ray``, PATHS may also be URLs of files, folders or globs in object
    storage (``s3://``, ``gs://``, ``file://``: any fsspec file system).
    """
    with _errors(), _git_ahead(paths, config_path, engine == "local" and not no_cache):
        registry = _load()
        config = load_config(config_path, reader_formats=registry.reader_settings())
        if show_settings:
            _show_settings(
                paths,
                config,
                registry,
                output_format,
                select,
                ignore,
                extend_select,
                jobs,
                fail_on,
                no_cache,
                baseline,
            )
        # The engine (numpy, SQLite, the process pools) only when a check runs: not for
        # --version, rules or plugins.
        from corpuslint.engines.local.runner import check
        from corpuslint.engines.ray.units import is_url

        formatter_cls = registry.formatters.get(output_format)
        if formatter_cls is None:
            from corpuslint.config import did_you_mean

            hint = did_you_mean(output_format, registry.formatters)
            names = ", ".join(sorted(registry.formatters))
            _fail(f"unknown format {output_format!r}{hint} (choose from {names})")
        _check_codes(registry, select=select, ignore=ignore, extend_select=extend_select)
        overrides = Overrides(
            select=_codes(select),
            ignore=_codes(ignore) or (),
            extend_select=_codes(extend_select) or (),
            jobs=_capped_jobs(jobs or config.jobs, "--jobs" if jobs else config.where()),
            cache=False if no_cache else None,
            # Writing a baseline records every finding, whatever baseline is in force.
            baseline=None if write_baseline is not None else baseline or _configured(config),
        )
        if unsafe_fixes and not (fix or diff):
            _fail("--unsafe-fixes needs --fix or --diff")
        buffer = _stdin_buffer(paths, stdin_filename, fix or diff, engine)
        if (fix or diff) and any(is_url(p) for p in paths):
            _fail("--fix and --diff need local files, not URLs")
        started = time.time_ns()
        if engine == "ray":
            result = _check_on_ray(paths, config, registry, overrides, address, workers, block_mb)
        else:
            if address is not None or workers is not None:
                _fail("--address and --workers need --engine ray")
            if any(is_url(p) for p in paths):
                _fail("URLs need --engine ray (the local engine reads local files)")
            targets = [Path(p) for p in paths]
            bar = progress_bar(console.SafeStream(sys.stderr))
            result = check(targets, config, registry, overrides, progress=bar, buffer=buffer)
        if fix or diff:
            result = _fixing(
                result,
                config,
                registry,
                overrides,
                started,
                unsafe_fixes,
                diff,
                output_file,
                lambda: (
                    _check_on_ray(paths, config, registry, overrides, address, workers, block_mb)
                    if engine == "ray"
                    else check([Path(p) for p in paths], config, registry, overrides)
                ),
            )
        if write_baseline is not None:
            from corpuslint.run import baseline as baseline_file

            baseline_file.write(write_baseline, result.violations)
            count = len(result.violations)
            console.line(f"Recorded {count} finding(s) in baseline {write_baseline}")
            sys.exit(2 if result.errors else 0)
        formatter = formatter_cls(registry.rules)
        formatter.color = output_file is None and _color(color)
        text = formatter.statistics(result) if statistics else formatter.format(result)
        _write(text, output_file, formatter.color)
        for warning in result.warnings:
            console.warning(warning)
        for error in result.errors:
            console.line(f"corpuslint: {error}")
        if not quiet and output_format == "text" and not statistics:
            _summary(result)
        code = exit_code(result, Severity.parse(fail_on or config.fail_on))
    sys.exit(0 if exit_zero and code == 1 else code)


STDIN_FILENAME = "stdin.txt"
"""The file stdin stands for without ``--stdin-filename``: a text file in the working directory."""


def _stdin_buffer(
    paths: tuple[str, ...], filename: str | None, fixing: bool, engine: str
) -> Buffer | None:
    """The content of stdin for ``check -`` (or ``--stdin-filename`` alone), else ``None``.

    ``--fix`` and ``--diff`` are refused: they change files, and stdin is none.
    """
    if "-" not in paths and filename is None:
        return None
    if any(p != "-" for p in paths):
        _fail("`-` (stdin) cannot be combined with other paths")
    if fixing:
        _fail("--fix and --diff change files; they cannot be used with stdin (`-`)")
    if engine != "local":
        _fail("stdin (`-`) is checked by the local engine only")
    if filename is not None and not filename.strip():
        _fail("--stdin-filename: an empty name")
    try:
        data = sys.stdin.buffer.read()
    except (OSError, AttributeError, ValueError) as exc:  # no stdin, or a closed one
        _fail(f"cannot read stdin: {exc}")
    return Buffer(Path(filename or STDIN_FILENAME), data)


def _show_settings(
    paths: tuple[str, ...],
    config: Config,
    registry: plugins.Registry,
    output_format: str,
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    jobs: int | None,
    fail_on: str | None,
    no_cache: bool,
    baseline: Path | None,
) -> NoReturn:
    """``check --show-settings PATH``: the settings for one file, as text or JSON; exit 0."""
    from corpuslint import settings_view
    from corpuslint.report.escape import json_text, terminal_safe

    if len(paths) != 1:
        _fail("--show-settings takes exactly one path (the file whose settings to show)")
    if output_format not in ("text", "json"):
        _fail(f"--show-settings prints text or json, not {output_format!r}")
    _check_codes(registry, select=select, ignore=ignore, extend_select=extend_select)
    given = settings_view.CommandLine(
        select=_codes(select),
        ignore=_codes(ignore) or (),
        extend_select=_codes(extend_select) or (),
        jobs=jobs,
        fail_on=fail_on,
        no_cache=no_cache,
        baseline=baseline,
    )
    settings = settings_view.settings_for(Path(paths[0]), config, registry, given)
    if output_format == "json":
        _write(json_text(settings) + "\n", None)
    else:
        _write(
            "".join(terminal_safe(line) + "\n" for line in settings_view.as_text(settings)), None
        )
    sys.exit(0)


def _fixing(
    result: Result,
    config: Config,
    registry: plugins.Registry,
    overrides: Overrides,
    started: int,
    unsafe: bool,
    diff: bool,
    output_file: Path | None,
    again: Callable[[], Result],
) -> Result:
    """Apply the fixes of ``result`` and return a new check's result (``--fix``).

    With ``--diff``, print them as a unified diff instead and exit.
    """
    from corpuslint.run import fix as fixes
    from corpuslint.run.plan import make_plan

    settings = make_plan(config, registry, overrides).reader_settings
    planned = fixes.plan(
        result, registry, settings, root=config.root, unsafe=unsafe, since_ns=started
    )
    for note in planned.notes:
        console.note(note)
    for warning in planned.warnings:
        console.warning(warning)
    if diff:
        _write(fixes.diff(planned), output_file)
        sys.exit(2 if result.errors else 1 if planned.changes else 0)
    written = fixes.write(planned)
    for warning in written.warnings:
        console.warning(warning)
    if not written.files:
        return result
    noun = "finding" if written.fixed == 1 else "findings"
    files = f"{written.files} file{'s' if written.files != 1 else ''}"
    console.line(f"Fixed {written.fixed} {noun} in {files}.")
    return again()


def _configured(config: Config) -> Path | None:
    """The configured baseline; one that does not exist yet hides nothing (with a note)."""
    if config.baseline is None or config.baseline.exists():
        return config.baseline
    console.note(
        f"{config.where()}: baseline {config.baseline} does not exist yet: every finding"
        " shows (record them with --write-baseline)"
    )
    return None


def _capped_jobs(jobs: int | None, where: str) -> int | None:
    """``jobs``, at most the number of cores this process may use (with a note if capped)."""
    cores = default_jobs()
    if jobs is None or jobs <= cores:
        return jobs
    console.note(
        f"{where}: jobs = {jobs} is more than the {cores} core(s) available; using {cores}"
    )
    return cores


def _check_on_ray(
    paths: tuple[str, ...],
    config: Config,
    registry: plugins.Registry,
    overrides: Overrides,
    address: str | None,
    workers: int | None,
    block_mb: int,
) -> Result:
    from corpuslint.engines.ray import driver as ray_engine

    if not ray_engine.available():
        _fail("--engine ray needs the [ray] extra: pip install 'corpus-lint[ray]'")
    if address is not None and workers is not None:
        _fail("--workers sizes a local Ray instance; with --address the cluster decides")
    return ray_engine.check(
        paths,
        config,
        registry=registry,
        overrides=overrides,
        address=address,
        workers=workers,
        block_bytes=block_mb << 20,
    )


def _color(choice: str) -> bool:
    """Whether to colour stdout for ``--color choice`` (see ``corpuslint.report.color``)."""
    from corpuslint.report.color import enabled

    try:
        is_tty = sys.stdout.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stdout
        is_tty = False
    return enabled(choice, is_tty, os.environ)


def _check_codes(registry: plugins.Registry, **options: str | None) -> None:
    """Refuse unknown rule codes in ``--select``, ``--ignore`` or ``--extend-select``, by option.

    The same codes in the configuration are checked when the run is planned, with the
    configuration file named instead.
    """
    from corpuslint.run.selection import expand

    for name, value in options.items():
        codes = _codes(value)
        if codes:
            expand(codes, registry.rules, f"command line: --{name.replace('_', '-')}")


def _write(text: str, output_file: Path | None, color: bool = False) -> None:
    if output_file is None:
        try:
            # click strips ANSI sequences from a stream that is not a terminal unless told.
            click.echo(text, nl=False, color=color or None)
            sys.stdout.flush()
        except OSError as exc:  # stdout on a full disk or a closed pipe
            _fail(f"cannot write the report to stdout: {exc.strerror or exc}")
        return
    from corpuslint._support.atomic import write_text_atomic

    try:
        write_text_atomic(output_file, text)
    except OSError as exc:  # a full disk, a missing folder, no permission: the old file stays
        _fail(f"cannot write {output_file}: {exc.strerror or exc}")


def _summary(result: Any) -> None:
    files = len({v.path for v in result.violations})
    count = len(result.violations)
    checked = len(set(result.files) | {v.path for v in result.violations})
    noun = "finding" if count == 1 else "findings"
    if count:
        plural = "s" if checked != 1 else ""
        console.line(f"Found {count} {noun} in {files} of {checked} checked file{plural}.")
    else:
        console.line(f"All checks passed ({checked} file{'s' if checked != 1 else ''}).")


@main.group("cache")
def cache_group() -> None:
    """Manage the project's cache (in the user cache directory; see `corpuslint cache clean`)."""


@cache_group.command("clean")
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Configuration file."
)
def cache_clean(config_path: Path | None) -> None:
    """Delete the project's cache (kept outside the project, see CORPUSLINT_CACHE_DIR)."""
    with _errors():
        from corpuslint.cache.store import LEGACY_DIRECTORY, clean

        config = load_config(config_path, reader_formats=_load().reader_settings())
        try:
            where, removed = clean(config.root)
        except (OSError, RuntimeError) as exc:
            _fail(f"cannot remove the cache of {config.root}: {exc}")
        click.echo(f"Removed {where}" if removed else f"No cache at {where}")
        legacy = config.root / LEGACY_DIRECTORY
        if legacy.exists() or legacy.is_symlink():
            # Never read by this version; left alone, as it may be a committed folder.
            click.echo(f"{legacy} is not used by this version of corpuslint; delete it if unwanted")


@main.command("server")
def server_command() -> None:
    """Run a Language Server on stdio: findings as diagnostics in an editor (extra [lsp]).

    It checks each open document's text on open, change and save, as `check -
    --stdin-filename PATH` checks stdin, and publishes the findings as diagnostics.
    """
    from corpuslint import server

    if not server.available():
        _fail("corpuslint server needs pygls: install corpus-lint[lsp]")
    with _errors():
        server.serve()


@main.group("daemon")
def daemon_group() -> None:
    """A resident process that runs this installation's commands without start-up costs.

    Started once, it has Python, numpy, the readers and the rules loaded; each later
    `corpuslint` command of the same installation (the same Python and the same copy of
    corpuslint, such as a pre-commit hook's environment) hands it the command line, the
    working folder, the environment and its standard streams, and the daemon runs the
    command in a fresh fork of itself. Output, exit status, Ctrl-C and the findings are
    those of a command run without it. The daemon stops after an idle time, on
    `corpuslint daemon stop`, and as soon as a file it loaded changes on disk (the
    command that noticed runs without it).

    CORPUSLINT_DAEMON=off makes a command run without the daemon; CORPUSLINT_DAEMON=auto
    makes a command start one in the background when none runs. Unix only: the socket
    is in $XDG_RUNTIME_DIR/corpuslint (or /tmp/corpuslint-UID), a folder only its user
    can open.
    """
    from corpuslint.daemon import address

    if not address.AVAILABLE:
        _fail("corpuslint daemon needs a Unix system (fork and Unix sockets)")


_IDLE = click.option(
    "--idle-minutes",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Stop after this long without a command.",
)


def _run_line(argv: list[str], prog: str) -> object:
    """Run a command line in this process, as the `corpuslint` command would."""
    return main.main(args=argv, prog_name=prog)


@daemon_group.command("start")
@_IDLE
def daemon_start(idle_minutes: float) -> None:
    """Start the daemon in the background (nothing to do when it runs)."""
    from corpuslint.daemon import address, client

    running = client.ask("status")
    if running is not None:
        click.echo(f"corpuslint daemon already runs (pid {running.get('pid')})")
        return
    try:
        os.close(address.open_folder(create=True))
    except address.AddressError as exc:
        _fail(f"cannot start the daemon: {exc}")
    process = client.start_in_background(idle_minutes)
    if process is None:
        _fail("cannot start the daemon: its folder cannot be used safely or Python cannot run")
    from corpuslint.daemon.serve import ALREADY_RUNNING

    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        running = client.ask("status")
        if running is not None:
            click.echo(
                f"corpuslint daemon started (pid {running.get('pid')}); it stops after"
                f" {idle_minutes:g} minutes without a command"
            )
            return
        if process.poll() not in (None, ALREADY_RUNNING):
            break  # it failed; one that found another starting waits for that one
        time.sleep(0.05)
    _fail(f"the daemon did not start; its log is {client.log_file()}")


@daemon_group.command("serve")
@_IDLE
def daemon_serve(idle_minutes: float) -> None:
    """Run the daemon in the foreground (for a service manager); `start` runs this."""
    from corpuslint.daemon import serve

    with _errors():
        sys.exit(serve.serve(_run_line, idle_minutes * 60.0, ready=click.echo))


@daemon_group.command("stop")
def daemon_stop() -> None:
    """Stop the daemon (nothing to do when none runs)."""
    from corpuslint.daemon import client

    stopped = client.ask("stop")
    if stopped is None:
        click.echo("no corpuslint daemon runs for this installation")
        return
    click.echo(f"corpuslint daemon stopped (pid {stopped.get('stopped')})")


@daemon_group.command("status")
def daemon_status() -> None:
    """Say whether the daemon runs, since when and how many commands it ran; 1 if none runs."""
    from corpuslint.daemon import client

    running = client.ask("status")
    if running is None:
        click.echo("no corpuslint daemon runs for this installation")
        sys.exit(1)
    for key in ("pid", "version", "python", "socket", "up", "served", "running", "idle"):
        click.echo(f"{key}: {running.get(key)}")


@main.command("schema")
@click.option(
    "--builtin",
    is_flag=True,
    help="Only corpuslint's own rules and readers: the schema shipped in the package.",
)
def schema_command(builtin: bool) -> None:
    """Print the JSON Schema of the configuration (corpuslint.toml; [tool.corpuslint]).

    It covers the rules and readers of the loaded plugins; editors such as VS Code's
    Even Better TOML use it to complete and check the configuration.
    """
    with _errors():
        from corpuslint import config_schema

        registry = config_schema.builtin_registry() if builtin else _load()
        _write(config_schema.render(config_schema.schema(registry)), None)


@main.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Include rules that are off by default.")
def rules_command(show_all: bool) -> None:
    """List the available rules."""
    with _errors():
        registry = _load()
        for code, rule in registry.rules.items():
            if not show_all and not rule.enabled_by_default:
                continue
            scope = rule.scope.value
            click.echo(f"{code}  {rule.name:<28} {scope:<9} {rule.summary()}")


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print the documentation of rule CODE (a code such as CL101, or a rule name)."""
    with _errors():
        registry = _load()
        rule = registry.rule(code)
        if rule is None:
            from corpuslint.config import did_you_mean

            choices = list(registry.rules) + [r.name for r in registry.rules.values()]
            _fail(f"unknown rule {code!r}{did_you_mean(code, choices)}")
        plugin = registry.rule_plugins.get(rule.code, "?")
        click.echo(f"# {rule.name} ({rule.code})\n")
        click.echo(
            f"Provided by plugin `{plugin}`. Scope: {rule.scope.value}."
            f" Default severity: {rule.severity}."
            + ("" if rule.enabled_by_default else " Off by default.")
        )
        click.echo("")
        click.echo(rule.documentation())
        if rule.fixable:
            click.echo("\nFix is sometimes available (`corpuslint check --fix`).")


@main.command("plugins")
def plugins_command() -> None:
    """List the loaded plugins and the rules, readers and formats they provide."""
    with _errors():
        registry = _load()
        for info in registry.plugins:
            rules = ", ".join(info.rules) or "-"
            click.echo(f"{info.name}  ({info.distribution} {info.version})  rules: {rules}")
        readers = sorted({(r.format, r.__name__) for r in registry.readers.values()})
        click.echo("readers: " + ", ".join(f"{fmt}" for fmt, _ in readers))
        click.echo("formats: " + ", ".join(sorted(registry.formatters)))


@main.command("explain")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--select", help="Comma-separated rule codes or prefixes to explain (default: the configured)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this configuration file instead of the nearest one.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def explain_command(
    paths: tuple[str, ...], select: str | None, config_path: Path | None, output_format: str
) -> None:
    """Print what the rules saw in each document of PATHS, to tune settings by looking.

    For each document: its headline and where it came from, the blocks read as prose,
    and for each selected rule that can say more (a rule with an ``explain(document,
    options)`` method, such as CL301) its own lines: the attribution it counted and where
    it looked. Nothing is checked or reported; the exit status is 0, or 2 for an error.
    """
    from corpuslint.model import Document, Problem
    from corpuslint.report.escape import json_text
    from corpuslint.run.discover import Discovery
    from corpuslint.run.executor import Checker
    from corpuslint.run.plan import make_plan

    with _errors():
        registry = _load()
        config = load_config(config_path, reader_formats=registry.reader_settings())
        plan = make_plan(config, registry, Overrides(select=_codes(select)))
        targets, skipped = Discovery(config, registry.readers).targets([Path(p) for p in paths])
        checker = Checker(registry, plan)
        rules = [registry.rules[code]() for code in plan.codes if code in registry.rules]
        explained: list[dict[str, Any]] = []
        for source in targets:
            lines = source.path.read_text("utf-8", "replace").splitlines()
            for item in checker.documents(source):
                if isinstance(item, Document):
                    explained.append(_explained(item, lines, rules, plan.options))
                else:
                    message = item.message if isinstance(item, Problem) else str(item)
                    explained.append({"path": source.display, "problem": message})
        if output_format == "json":
            click.echo(json_text(explained))
        else:
            for entry in explained:
                _echo_explained(entry)
        for skip in skipped:
            console.warning(f"{skip.display}: {skip.reason}")


def _explained(document: Any, lines: list[str], rules: list[Any], options: Any) -> dict[str, Any]:
    """What ``corpuslint explain`` says of one document, as data."""
    entry: dict[str, Any] = {"path": document.path, "record": document.record, "headline": None}
    headline = document.headline
    if headline is not None:
        line = lines[headline.span.line - 1].lower() if headline.span.line <= len(lines) else ""
        if headline in document.blocks:
            origin = "a heading of the body"
        elif "og:title" in line:
            origin = "og:title"
        elif "<title" in line or "<h1" in line:
            origin = "<title>" if "<title" in line else "<h1>"
        elif document.format == "text":
            origin = "the first short line"
        else:
            origin = "the title of the front matter or record"
        entry["headline"] = {"text": headline.text, "where": headline.place, "from": origin}
    entry["prose"] = [
        {"where": b.place, "kind": b.kind.value, "text": b.text} for b in document.prose
    ]
    entry["rules"] = {
        rule.code: list(rule.explain(document, options[rule.code]))
        for rule in rules
        if callable(getattr(rule, "explain", None))
    }
    return entry


def _echo_explained(entry: dict[str, Any]) -> None:
    """Print one document's entry of ``corpuslint explain``, every line escaped."""
    import json

    from corpuslint.report.escape import terminal_safe

    where = entry["path"] + (f" ({entry['record']})" if entry.get("record") else "")
    if "problem" in entry:
        click.echo(terminal_safe(f"{where}: cannot read: {entry['problem']}"))
        return
    click.echo(terminal_safe(where))
    head = entry["headline"]
    quoted = json.dumps(head["text"], ensure_ascii=False) if head else ""
    shown = f"{quoted} ({head['where']}, from {head['from']})" if head else "none"
    click.echo(terminal_safe(f"  headline: {shown}"))
    click.echo(f"  prose: {len(entry['prose'])} block(s)")
    for block in entry["prose"]:
        text = block["text"] if len(block["text"]) <= 70 else block["text"][:69] + "\u2026"
        click.echo(terminal_safe(f"    {block['where']} {block['kind']}: {text}"))
    for code, said in entry["rules"].items():
        for text in said:
            click.echo(terminal_safe(f"  {code}: {text}"))
