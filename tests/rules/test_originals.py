"""The original of a copy is the oldest copy: by metadata date, file name, then git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.readers import dates
from corpuslint.run import gitstate
from corpuslint.run.plan import Overrides
from tests.corpus_helpers import paragraph, run, summary

SHARED = paragraph(7)


def dated(title: str, date: str | None, body: str) -> str:
    head = f"---\ntitle: {title}\n" + (f"date: {date}\n" if date else "") + "author: Jo\n---\n\n"
    return head + body + "\n"


def test_older_date_wins_over_path_order(tmp_path: Path) -> None:
    # "K" sorts before "i": path order would blame the older post.
    (tmp_path / "K-later.md").write_text(dated("Later", "2022-04-26", SHARED), encoding="utf-8")
    (tmp_path / "i-earlier.md").write_text(dated("Earlier", "2022-03-15", SHARED), encoding="utf-8")
    assert summary(run(tmp_path, select="CL102")) == [("CL102", "K-later.md", 7, "i-earlier.md", 7)]


def test_date_in_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "a-2023-01-02-new.md").write_text(dated("New", None, SHARED), encoding="utf-8")
    (tmp_path / "b-2020-05-06-old.md").write_text(dated("Old", None, SHARED), encoding="utf-8")
    found = summary(run(tmp_path, select="CL102"))
    assert [(f[1], f[3]) for f in found] == [("a-2023-01-02-new.md", "b-2020-05-06-old.md")]


def test_a_target_never_wins_over_a_committed_file(tmp_path: Path) -> None:
    (tmp_path / "old.md").write_text(dated("Old", "2024-01-01", SHARED), encoding="utf-8")
    (tmp_path / "new.md").write_text(dated("New", "2001-01-01", SHARED), encoding="utf-8")
    assert summary(run(tmp_path, ["new.md"], select="CL102")) == [
        ("CL102", "new.md", 7, "old.md", 7)
    ]


def test_jsonl_date_field(tmp_path: Path) -> None:
    records = [
        {"id": "b", "title": "B", "author": "x", "text": SHARED, "published": "2021-01-01"},
        {"id": "a", "title": "A", "author": "x", "text": SHARED, "published": "2019-01-01"},
    ]
    lines = "\n".join(json.dumps(r) for r in records) + "\n"
    (tmp_path / "feed.jsonl").write_text(lines, encoding="utf-8")
    config = Config(root=tmp_path, readers={"jsonl": {"date-field": "published"}})
    overrides = Overrides(select=("CL102",), jobs=1, cache=False)
    found = check([tmp_path], config, plugins.load(), overrides, cwd=tmp_path).violations
    assert [(v.span.line, v.related[0].line) for v in found] == [(1, 2)]
    plain = run(tmp_path, select="CL102").violations  # no date field: record order
    assert [(v.span.line, v.related[0].line) for v in plain] == [(2, 1)]


def test_metadata_dates() -> None:
    assert dates.of_document({"date": "2022-03-15T09:30:00+02:00"}, "x.md") == "2022-03-15T09:30:00"
    assert dates.of_document({"publishDate": "2020-01-02"}, "x.md") == "2020-01-02"
    assert dates.of_document({"path": "2017/08/31/Rust-1.20"}, "Rust-1.20.md") == "2017-08-31"
    assert dates.of_document({}, "posts/2022-03-15-title.md") == "2022-03-15"
    assert dates.of_document({"date": "2022-13-45"}, "x.md") == ""
    assert dates.of_document({}, "notes/v1.2.3.md") == ""


def test_html_dates() -> None:
    lxml_html = pytest.importorskip("lxml.html")
    meta = '<html><head><meta property="article:published_time" content="2019-05-04T10:00:00Z">'
    page = lxml_html.fromstring(meta + "</head><body><p>x</p></body></html>")
    assert dates.of_page(page, "a.html") == "2019-05-04T10:00:00"
    ld = '{"@graph": [{"@type": "NewsArticle", "datePublished": "2018-02-03"}]}'
    script = f'<html><head><script type="application/ld+json">{ld}</script>'
    page = lxml_html.fromstring(script + "</head><body><p>x</p></body></html>")
    assert dates.of_page(page, "a.html") == "2018-02-03"


def git(root: Path, *args: str, when: str = "2020-01-01T00:00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def test_git_first_added_orders_undated_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the runner gives the corpus pass no cwd of its own
    git(tmp_path, "init", "-q")
    (tmp_path / "z-old.md").write_text(dated("Old", None, SHARED), encoding="utf-8")
    git(tmp_path, "add", "z-old.md")
    git(tmp_path, "commit", "-q", "-m", "old", when="2019-01-01T00:00:00")
    (tmp_path / "a-new.md").write_text(dated("New", None, SHARED), encoding="utf-8")
    git(tmp_path, "add", "a-new.md")
    git(tmp_path, "commit", "-q", "-m", "new", when="2021-01-01T00:00:00")
    git(tmp_path, "mv", "z-old.md", "y-old.md")
    git(tmp_path, "commit", "-q", "-m", "rename", when="2023-01-01T00:00:00")
    added = gitstate.first_added(tmp_path)
    assert added[str(tmp_path / "y-old.md")].startswith("2019-01-01")
    assert summary(run(tmp_path, select="CL102")) == [("CL102", "a-new.md", 6, "y-old.md", 6)]
