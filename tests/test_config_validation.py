"""A configuration is checked when it is read: each mistake is exit 2 and one line naming it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint.engines.local import document_pass as engine
from corpuslint.options import INT_MAX, Option
from tests.helpers import Run

CLI = Callable[..., Run]


def configured(project: Path, text: str) -> None:
    (project / "corpuslint.toml").write_text(text, encoding="utf-8")
    (project / "a.md").write_text("# A\n\nBy Jane Doe\n\nSome text of our own here.\n")
    (project / "b.jsonl").write_text('{"text": "Some words", "author": "X"}\n')


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[rules.corpus-duplicate-paragraph]\nallow = ["a("]\n', "'allow'"),
        ('[rules.CL102]\nallow = ["x", "(?i)y"]\n', "'allow'"),  # fine alone, not joined
        ('[rules.missing-attribution]\npatterns = ["[unclosed"]\n', "'patterns'"),
        ('include = ["news\\\\"]\n', "include"),
        ('exclude = ["!"]\n', "exclude"),
        ('exclude = ["[z-a].md"]\n', "exclude"),
        ('[per-file-ignores]\n"a\\\\" = ["CL301"]\n', "per-file-ignores"),
        ("[jsonl]\nmax-record-mb = 99999999999999999\n", "'max-record-mb'"),
        ("[jsonl]\nmax-record-mb = 0\n", "'max-record-mb'"),
        ("[rules.CL101]\nmin-words = inf\n", "'min-words'"),
        ("follow-external-links = 1\n", "'follow-external-links'"),
    ],
)
def test_a_wrong_value_is_a_configuration_error(
    project: Path, cli: CLI, toml: str, named: str
) -> None:
    configured(project, toml)
    run = cli("check")
    assert run.exit_code == 2, run.output
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"corpuslint: error: {project / 'corpuslint.toml'}: ")
    assert named in lines[0]
    assert "internal error" not in lines[0]


def test_valid_regular_expressions_and_patterns_are_accepted(project: Path, cli: CLI) -> None:
    configured(
        project,
        'include = ["*.md", "*.jsonl"]\nexclude = ["drafts/"]\n'
        '[per-file-ignores]\n"news/**" = ["CL301"]\n'
        '[rules.CL102]\nallow = ["^read more", "(?:subscribe|sign up) now"]\n'
        '[rules.missing-attribution]\npatterns = ["(?i)^courtesy of \\\\S"]\n'
        "[jsonl]\nmax-record-mb = 1024\n",
    )
    run = cli("check")
    assert run.exit_code == 0, run.output


def test_option_bounds_every_whole_number() -> None:
    option = Option("limit", int, 1, "a count", 0)
    assert option.coerce(INT_MAX) == INT_MAX
    with pytest.raises(ValueError, match="at most"):
        option.coerce(INT_MAX + 1)
    with pytest.raises(ValueError, match="not a regular expression"):
        Option("allow", tuple, (), "patterns", regex=True).coerce(["(x"])
    with pytest.raises(ValueError, match="finite"):
        Option("share", float, 0.5, "a share").coerce(float("inf"))


def test_jobs_above_the_cores_are_capped_with_a_note(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured(project, "jobs = 48\n")
    for number in range(20):  # enough files for the pool
        (project / f"n{number}.md").write_text(f"# N{number}\n\nBy Jane Doe\n\nText {number}.\n")
    sizes: list[int] = []
    real_pool = engine._Pool

    def pool(processes: int, *args: object, **kwargs: object) -> engine._Pool:
        sizes.append(processes)
        return real_pool(processes, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_Pool", pool)
    monkeypatch.setattr("corpuslint.cli.default_jobs", lambda: 2)
    run = cli("check", "--no-cache")
    assert run.exit_code == 0, run.output
    note = f"corpuslint: note: {project / 'corpuslint.toml'}: jobs = 48 is more than the 2 core(s)"
    assert note in run.stderr
    assert sizes == [2]
    run = cli("check", "--no-cache", "--jobs", "9")
    assert "corpuslint: note: --jobs: jobs = 9 is more than the 2 core(s)" in run.stderr
