"""The pre-commit path: a saved corpus listing is reused only while git says nothing changed.

Each case saves a listing (a run over one target in a git repository), changes the
work tree as a user would, and checks that the next cached run finds what a run
without the cache finds: a stale listing must never hide a file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint import plugins
from corpuslint._support import profiling
from corpuslint.cache import store as cache_module
from corpuslint.config import load_config
from corpuslint.engines.local import listing
from corpuslint.engines.local.runner import check
from corpuslint.run import gitstate
from corpuslint.run.discover import Discovery
from corpuslint.run.plan import Overrides
from tests.corpus_helpers import article, git, paragraph, summary

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.usefixtures("own_cache"),
]

TARGET = "news/target.md"


def findings(root: Path, cache: bool) -> list[tuple[str, str, int, str, int]]:
    """The findings in ``TARGET``, checked against the corpus (CL101 and CL102)."""
    config = load_config(cwd=root)
    overrides = Overrides(select=("CL101", "CL102"), jobs=1, cache=cache)
    return summary(check([root / TARGET], config, plugins.load(), overrides, cwd=root))


def reused(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each run after this call reused a saved listing."""
    seen: list[bool] = []
    original = listing.reuse

    def spy(*args: object) -> listing.Reused | None:
        found = original(*args)  # type: ignore[arg-type]
        seen.append(found is not None)
        return found

    monkeypatch.setattr(listing, "reuse", spy)
    return seen


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed corpus; the target copies a paragraph of ``news/old.md``."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "old.md").write_text(article("Old", [paragraph(1), paragraph(2)]))
    for n in range(3, 8):
        (news / f"other{n}.md").write_text(article(f"Other {n}", [paragraph(n)]))
    (news / "target.md").write_text(article("Target", [paragraph(20)]))
    (tmp_path / "corpuslint.toml").write_text("")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "corpus")
    (news / "target.md").write_text(article("Target", [paragraph(20), paragraph(2)]))
    git(tmp_path, "add", TARGET)
    return tmp_path


def saved(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Two cached runs: the first saves the listing, the second reuses it."""
    seen = reused(monkeypatch)
    first = findings(repo, cache=True)
    assert findings(repo, cache=True) == first == findings(repo, cache=False)
    assert seen == [False, True]
    assert [f[3] for f in first] == ["news/old.md"]
    return seen


def test_unchanged_work_tree_reuses_the_listing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(repo, monkeypatch)


def _new_file(repo: Path) -> None:
    (repo / "news" / "new.md").write_text(article("New", [paragraph(20)]))


def _new_file_staged(repo: Path) -> None:
    _new_file(repo)
    git(repo, "add", "news/new.md")


def _deleted(repo: Path) -> None:
    (repo / "news" / "old.md").unlink()


def _renamed(repo: Path) -> None:
    (repo / "news" / "old.md").rename(repo / "news" / "moved.md")


def _committed_change(repo: Path) -> None:
    (repo / "news" / "other3.md").write_text(article("Other 3", [paragraph(20)]))
    git(repo, "commit", "-q", "-am", "other3 copies the target")


def _modified(repo: Path) -> None:
    (repo / "news" / "other4.md").write_text(article("Other 4", [paragraph(20)]))


def _exclude_in_config(repo: Path) -> None:
    (repo / "corpuslint.toml").write_text('extend-exclude = ["news/old.md"]\n')


def _nested_config(repo: Path) -> None:
    (repo / "news" / "corpuslint.toml").write_text('extend-exclude = ["old.md"]\n')


def _gitignore(repo: Path) -> None:
    (repo / ".gitignore").write_text("news/other5.md\n")
    _new_file(repo)
    (repo / "news" / "other5.md").write_text(article("Other 5", [paragraph(20)]))


def _git_info_exclude(repo: Path) -> None:
    _new_file(repo)
    (repo / ".git" / "info" / "exclude").write_text("news/new.md\n")


CHANGES: dict[str, Callable[[Path], None]] = {
    "new untracked file": _new_file,
    "new staged file": _new_file_staged,
    "deleted file": _deleted,
    "renamed file": _renamed,
    "commit": _committed_change,
    "modified file": _modified,
    "exclude in the configuration": _exclude_in_config,
    "nested configuration added": _nested_config,
    ".gitignore changed": _gitignore,
    ".git/info/exclude": _git_info_exclude,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_gives_the_findings_of_a_run_without_cache(
    repo: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    seen = saved(repo, monkeypatch)
    CHANGES[change](repo)
    expected = findings(repo, cache=False)
    assert findings(repo, cache=True) == expected
    assert findings(repo, cache=True) == expected  # and once the listing is saved anew
    if change != ".git/info/exclude":  # there, git's view (and the corpus) is unchanged
        assert not seen[2]  # the stale listing was not reused


def test_a_modified_file_changed_again_is_looked_at(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git's status stays ' M' for a second edit: the file is read, not trusted."""
    _modified(repo)
    seen = reused(monkeypatch)
    findings(repo, cache=True)
    assert "news/other4.md" in {f[3] for f in findings(repo, cache=True)}
    (repo / "news" / "other4.md").write_text(article("Other 4", [paragraph(4), paragraph(1)]))
    expected = findings(repo, cache=False)
    assert findings(repo, cache=True) == expected
    assert {f[3] for f in expected} == {"news/old.md"}  # other4 no longer copies the target
    assert seen[-1]  # the listing held: only the file named by git was looked at


def test_not_a_git_repository_walks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "old.md").write_text(article("Old", [paragraph(1), paragraph(2)]))
    (tmp_path / TARGET).write_text(article("Target", [paragraph(20), paragraph(2)]))
    seen = reused(monkeypatch)
    assert findings(tmp_path, cache=True) == findings(tmp_path, cache=False)
    (tmp_path / "news" / "new.md").write_text(article("New", [paragraph(20)]))
    expected = findings(tmp_path, cache=False)
    assert findings(tmp_path, cache=True) == expected
    assert len(expected) == 2
    assert seen == []  # no git: no listing saved or looked up


def test_a_damaged_listing_is_not_used(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(repo, monkeypatch)
    monkeypatch.setattr(listing, "_decode", lambda blob: None)
    assert findings(repo, cache=True) == findings(repo, cache=False)


def test_the_listing_is_reused_without_reading_every_entry(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(repo, monkeypatch)

    def refuse(self: cache_module.Cache) -> dict[str, object]:
        raise AssertionError("every entry read")

    monkeypatch.setattr(cache_module.Cache, "entries", refuse)
    monkeypatch.setattr(profiling, "_TARGET", [None])
    assert [f[3] for f in findings(repo, cache=True)] == ["news/old.md"]


def test_listing_round_trip() -> None:
    entries = [("a/b.md", "a/b.md", 3), ("c é.md", "../c é.md", -1)]
    decoded = listing._decode(listing._encode(entries))
    assert decoded is not None
    assert decoded[0].tolist() == [3, -1]
    assert decoded[1] == [b"a/b.md", b"a/b.md", "c é.md".encode(), "../c é.md".encode()]
    assert listing._decode(b"\x05" + bytes(7)) is None


@pytest.mark.parametrize("planted", ["../secret.md", "news/link.md"])
def test_a_listing_naming_a_file_outside_the_project_is_not_used(
    repo: Path, monkeypatch: pytest.MonkeyPatch, planted: str
) -> None:
    # The cache is not trusted: a listing written into it that names a path out of the
    # project, or a link (committed to the repository) that leads out of it, must never
    # make a run read that file.
    secret = repo.parent / "secret.md"
    secret.write_text(article("Secret", [paragraph(20)]))  # the target's paragraph
    (repo / "news" / "link.md").symlink_to(secret)
    git(repo, "add", "news/link.md")
    git(repo, "commit", "-q", "-m", "a link out")
    git(repo, "add", TARGET)
    seen = reused(monkeypatch)
    expected = findings(repo, cache=False)
    assert findings(repo, cache=True) == expected  # saves the listing
    database = sqlite3.connect(cache_module.directory_for(repo) / "cache.sqlite")
    with database:
        rows = database.execute("SELECT rowid, files FROM listings").fetchall()
        assert rows
        for rowid, blob in rows:
            decoded = listing._decode(blob)
            assert decoded is not None
            ids, names = decoded
            entries = [
                (os.fsdecode(names[2 * at]), os.fsdecode(names[2 * at + 1]), int(ids[at]))
                for at in range(len(ids))
            ]
            forged = listing._encode([*entries, (planted, "SECRET.md", -1)])
            database.execute("UPDATE listings SET files = ? WHERE rowid = ?", (forged, rowid))
    database.close()
    got = findings(repo, cache=True)
    assert got == expected
    assert all("secret" not in f[3].lower() and "link" not in f[3] for f in got)
    assert seen[-1] is False  # the forged listing was refused, not reused


@pytest.mark.parametrize(
    ("names", "plain"),
    [
        ([b"a/b.md", b"c.md", b".hidden/x.md", b"..a/b..."], True),
        ([], True),
        ([b"/etc/passwd"], False),
        ([b"a//b.md"], False),
        ([b"a/"], False),
        ([b"a.md", b""], False),
        ([b"."], False),
        ([b"x.md", b"../secret.md"], False),
        ([b"a/../../b.md"], False),
        ([b"a/./b.md"], False),
        ([b"a/.."], False),
        ([b"a\\b.md"], False),
    ],
)
def test_only_plain_relative_names_make_a_listing(names: list[bytes], plain: bool) -> None:
    assert listing._plain(names) is plain


def _plain_by_parts(names: Sequence[bytes]) -> bool:
    """What ``listing._plain`` decides, the slow way: each part of each name alone."""
    return all(
        b"\\" not in name and all(part not in (b"", b".", b"..") for part in name.split(b"/"))
        for name in names
    )


_NAME = st.lists(st.sampled_from([b"a", b".", b"/", b"\\"]), max_size=6).map(b"".join)


@given(st.lists(_NAME, max_size=5))
def test_plain_names_agree_with_a_check_of_each_part(names: list[bytes]) -> None:
    assert listing._plain(names) is _plain_by_parts(names)


def test_git_state_gives_what_git_has_staged(repo: Path) -> None:
    """The staged files come from the status a run asks for anyway, as ``git diff --cached``."""
    news = repo / "news"
    (news / "added.md").write_text(article("Added", [paragraph(30)]))
    (news / "other3.md").write_text(article("Other 3", [paragraph(31)]))
    git(repo, "add", "news/added.md", "news/other3.md")
    git(repo, "mv", "news/other4.md", "news/renamed.md")
    (news / "other5.md").write_text(article("Other 5", [paragraph(32)]))  # not staged
    (news / "untracked.md").write_text(article("Untracked", [paragraph(33)]))
    config = load_config(cwd=repo)
    discovery = Discovery(config, plugins.load().readers, repo)
    targets, _ = discovery.targets([repo / TARGET])
    state = listing.git_state(discovery, config, targets)
    assert state is not None
    staged = gitstate.staged(repo)
    assert {str(repo / "news" / n) for n in ("added.md", "other3.md", "renamed.md")} <= staged
    assert not {str(news / "other5.md"), str(news / "untracked.md")} & staged
    assert state.staged == staged


def test_git_asked_ahead_answers_once_and_is_stopped_after(repo: Path) -> None:
    with gitstate.ahead(repo, gitstate.STATE):
        assert gitstate._AHEAD  # started
        ahead = gitstate.git_all(repo, gitstate.STATE)
        assert not gitstate._AHEAD  # taken, so a later call asks git anew
    assert ahead == [gitstate.git(repo, command) for command in gitstate.STATE]
    with gitstate.ahead(repo, gitstate.STATE):
        pass
    assert not gitstate._AHEAD  # not taken: stopped and forgotten


def test_a_cli_run_over_files_asks_git_before_loading_the_rules(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git's status runs while the rules import; a run over a folder does not ask ahead."""
    from click.testing import CliRunner

    from corpuslint import cli

    events: list[str] = []
    spawn, load = gitstate._spawn, cli._load

    def spawned(root: Path, arguments: Sequence[str]) -> object:
        events.append(f"git {arguments[0]}")
        return spawn(root, arguments)

    def loaded() -> plugins.Registry:
        events.append("load")
        return load()

    monkeypatch.setattr(gitstate, "_spawn", spawned)
    monkeypatch.setattr(cli, "_load", loaded)
    monkeypatch.chdir(repo / "news")
    done = CliRunner().invoke(cli.main, ["check", "--", "target.md"])
    assert done.exit_code == 1, done.output
    assert events[:4] == ["git rev-parse", "git status", "git ls-files", "load"]
    assert events.count("git status") == 2  # and once more to save the listing after the run
    assert not gitstate._AHEAD
    events.clear()
    CliRunner().invoke(cli.main, ["check", "."])
    assert events[0] == "load"


def test_inside_resolves_links_as_realpath_does(tmp_path: Path) -> None:
    """Folders are resolved once per run, yet every link still counts, as realpath has it."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "news" / "deep").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.md").write_text("secret")
    (root / "news" / "a.md").write_text("a")
    (root / "news" / "deep" / "b.md").write_text("b")
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "news" / "leak.md").symlink_to(outside / "secret.md")
    (root / "news" / "alias.md").symlink_to(root / "news" / "a.md")
    (root / "back").symlink_to(root / "news", target_is_directory=True)
    names = [
        "news/a.md",
        "news/deep/b.md",
        "out/secret.md",
        "news/leak.md",
        "news/alias.md",
        "back/a.md",
        "back/leak.md",
        "news/missing.md",
    ]
    inside = listing._Inside(str(root))
    real_root = os.path.realpath(root)
    for name in names * 2:  # the second time, from the resolved folders
        location = os.path.join(root, *name.split("/"))
        real = os.path.realpath(location)
        expected = real == real_root or real.startswith(real_root + os.sep)
        assert inside(location) is expected, name
    assert not inside(str(root / "out" / "secret.md"))
    assert not inside(str(root / "back" / "leak.md"))
    assert inside(str(root / "back" / "a.md"))
