"""The command line holds against hostile repositories.

File names are never options (the pre-commit hook as shipped), nothing written to stderr
can drive a terminal or a GitHub runner, a plugin cannot end or hijack the run, and
SIGTERM stops a parallel run as quietly as Ctrl-C.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from corpuslint import console, plugins
from corpuslint.report.escape import stderr_safe
from tests.helpers import SLOW_PARALLEL_RUN, Run, alive

CLI = Callable[..., Run]
MANIFEST = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"
VICTIM = "victim.md"
VICTIM_TEXT = "# Victim\n\nBy Jane Doe\n\nThis file must never be overwritten by a report.\n"

# What a runner or a terminal must never see on stderr: raw control characters (C0 with
# tab, DEL, C1, line separators, bidi controls) and lines that start a workflow command.
RAW = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def hook_argv(*user_args: str, filenames: tuple[str, ...]) -> list[str]:
    """The argv pre-commit builds for the shipped hook: entry, then args, then file names."""
    hook = next(h for h in yaml.safe_load(MANIFEST.read_text()) if h["id"] == "corpuslint")
    args = list(user_args) if user_args else hook.get("args", [])
    argv = [*shlex.split(hook["entry"]), *args, *filenames]
    assert argv[0] == "corpuslint"
    return argv[1:]


@pytest.fixture
def hostile(project: Path) -> tuple[str, ...]:
    """A victim file and two staged files named like options, as pre-commit passes them."""
    (project / VICTIM).write_text(VICTIM_TEXT)
    names = ("--output-file=victim.md", "-draft.md")
    for number, name in enumerate(names):
        (project / name).write_text(f"# Draft {number}\n\nBy Jane Doe\n\nDraft {number} text.\n")
    return names


def test_the_hook_reads_option_like_file_names_as_files(
    project: Path, cli: CLI, hostile: tuple[str, ...]
) -> None:
    run = cli(*hook_argv(filenames=hostile))
    assert (project / VICTIM).read_text() == VICTIM_TEXT
    assert run.exit_code == 0, run.output
    assert "All checks passed (2 files)" in run.stderr


def test_user_args_ending_with_the_separator_still_work(
    project: Path, cli: CLI, hostile: tuple[str, ...]
) -> None:
    run = cli(*hook_argv("--format", "json", "--select", "CL301", "--", filenames=hostile))
    assert (project / VICTIM).read_text() == VICTIM_TEXT
    assert run.exit_code == 0, run.output
    assert run.json() == []


def test_user_args_without_the_separator_refuse_file_names_as_options(
    project: Path, cli: CLI, hostile: tuple[str, ...]
) -> None:
    run = cli(*hook_argv("--select", "CL301", filenames=hostile))
    assert (project / VICTIM).read_text() == VICTIM_TEXT
    assert run.exit_code == 2
    assert "'--output-file=victim.md' is a file, not an option: put paths after `--`" in (
        run.stderr
    )


def test_the_real_hook_command_in_a_subprocess(project: Path, hostile: tuple[str, ...]) -> None:
    argv = [sys.executable, "-m", "corpuslint", *hook_argv(filenames=hostile)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (project / VICTIM).read_text() == VICTIM_TEXT


def assert_inert(stderr: str) -> None:
    assert not RAW.search(stderr.replace("\n", "")), repr(stderr)
    for line in stderr.splitlines():
        assert not line.lstrip().startswith("::"), repr(line)
        assert "##[" not in line


def test_stderr_lines_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    hostile = "\n::error title=pwned::x\r::add-mask::\x1b[31m\t\u2028\u202e\x85\x7f ##[group]y"
    console.warning(hostile)
    console.line(hostile)
    console.line("  ::warning::z")
    err = capsys.readouterr().err
    assert_inert(err)
    assert len(err.splitlines()) == 3
    assert "\\x1b[31m" in err  # visible, not dropped
    assert stderr_safe("\t::x") == "\\t\\x3a:x"


def test_warnings_about_hostile_file_names_are_escaped(project: Path, cli: CLI) -> None:
    (project / "a.md").write_text("# A\n\nBy Jane Doe\n\nOur own text.\n")
    name = "x\n::error title=pwned::y\x1b]0;title\x07\u202e.md"
    (project / name).symlink_to("/")  # a link out of the project: one warning naming it
    run = cli("check")
    assert "links to outside the project" in run.stderr
    assert_inert(run.stderr)


def test_usage_errors_are_escaped(project: Path, cli: CLI) -> None:
    run = cli("check", "--\x1b[31m\n::error::x")
    assert run.exit_code == 2
    assert "No such option" in run.stderr
    assert_inert(run.stderr)


# -- plugins ----------------------------------------------------------------------------


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Any]]:
    """Write a plugin module whose import runs ``body``; returns its entry point."""
    made: list[str] = []

    def make(body: str) -> importlib.metadata.EntryPoint:
        name = f"hostile_plugin_{len(made)}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
        made.append(name)
        return importlib.metadata.EntryPoint("hostile", name, "corpuslint")

    monkeypatch.syspath_prepend(str(tmp_path))
    yield make
    for name in made:
        sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("import sys\nsys.exit(0)\n", "called sys.exit(0)"),
        ("raise SystemExit('bye')\n", "called sys.exit('bye')"),
        ("class Stop(BaseException):\n    pass\nraise Stop('x')\n", "Stop: x"),
        ("class Fake(KeyboardInterrupt):\n    pass\nraise Fake()\n", "Fake"),
        ("raise GeneratorExit()\n", "GeneratorExit"),
    ],
)
def test_a_plugin_that_exits_at_import_is_a_plugin_error(
    plugin: Callable[[str], Any], body: str, said: str
) -> None:
    entry = plugin(body)
    expected = f"plugin 'hostile' .* failed to load: {re.escape(said)}"
    with pytest.raises(plugins.PluginError, match=expected):
        plugins.load([entry])


def test_a_plugin_hook_that_exits_is_a_plugin_error(plugin: Callable[[str], Any]) -> None:
    entry = plugin(
        """
        import sys
        from corpuslint.hookspecs import hookimpl

        @hookimpl
        def corpuslint_rules():
            sys.exit(0)
        """
    )
    with pytest.raises(plugins.PluginError, match=r"'hostile' failed in corpuslint_rules\(\)"):
        plugins.load([entry])


def test_a_plugin_that_exits_fails_the_command(
    project: Path, cli: CLI, plugin: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "a.md").write_text("# A\n\nNo byline.\n")
    entry = plugin("import sys\nsys.exit(0)\n")
    monkeypatch.setattr("corpuslint.cli._load", lambda: plugins.load([entry]))
    run = cli("check")
    assert run.exit_code == 2
    assert run.stderr.startswith("corpuslint: error: plugin 'hostile'")
    assert len(run.stderr.splitlines()) == 1


# -- SIGTERM ----------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("whole_group", [False, True])
def test_sigterm_stops_a_parallel_run_quietly(tmp_path: Path, whole_group: bool) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(600):  # 600 files x 100 ms over 2 workers: thirty seconds of work
        (corpus / f"a{number}.txt").write_text(f"Headline {number}\n\nBody text number {number}.\n")
    pids = tmp_path / "pids"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_PARALLEL_RUN, str(pids), str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(set(_read(pids).split())) < 2:
        time.sleep(0.05)
    if whole_group:  # as a CI runner cancelling a job does
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 143, err
    assert err.strip() == "corpuslint: interrupted"
    workers = {int(pid) for pid in _read(pids).split()} - {process.pid}
    assert workers, "the run used no worker processes"
    time.sleep(0.2)
    assert not [pid for pid in workers if alive(pid)]


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""
