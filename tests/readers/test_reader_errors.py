"""Errors belong to their file: whatever a reader raises is a CL001 there, never a crash.

A finding is reported where its file is a target; a file outside the targets, however
broken, never changes the exit code. In JSONL a bad record is one finding at its line.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from corpuslint.model import Document, Problem
from corpuslint.readers import limits
from corpuslint.readers.base import ReadError
from corpuslint.readers.html import parse_html, sniff_encoding
from corpuslint.readers.jsonl import JsonlReader
from corpuslint.readers.markdown import parse_markdown
from tests.helpers import LONG_A, LONG_B, Run, article, write

CLI = Callable[..., Run]
GOOD = {"good.txt": article(LONG_A)}
DATE_TYPO = "---\ntitle: Old News\ndate: 2024-13-01\nauthor: Jane\n---\n\n" + LONG_B + "\n"


def test_impossible_date_in_front_matter_is_a_finding_at_its_line(project: Path, cli: CLI) -> None:
    write(project, {**GOOD, "old.md": DATE_TYPO})
    run = cli("check", ".", "--no-cache")
    assert run.stdout.splitlines() == [
        "old.md:3:7: CL001 [error] malformed YAML front matter: '2024-13-01' is not a valid date or"
        " time (month must be in 1..12)"
    ]
    assert "internal error" not in run.output
    assert run.exit_code == 1


def test_broken_file_outside_the_targets_does_not_fail_the_run(project: Path, cli: CLI) -> None:
    # One date typo in an old article must not fail every pre-commit run.
    deep = '{"text": "x", "n": ' + "[" * 10_000 + "]" * 10_000 + "}\n"
    write(
        project,
        {
            **GOOD,
            "old.md": DATE_TYPO,
            "deep.md": "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n\nText.\n",
            "deep.jsonl": deep,
            "ld.html": '<script type="application/ld+json">' + "[" * 10_000 + "</script><p>x</p>",
            "b64.html": b'<meta charset="base64"><p>caf\xe9 society</p>',
        },
    )
    for cache in (("--no-cache",), ()):
        run = cli("check", "good.txt", *cache)
        assert run.stdout == ""
        assert "internal error" not in run.output
        assert run.exit_code == 0


def test_a_reader_raising_anything_is_a_finding_not_an_internal_error(
    project: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuslint.readers import text

    def broken(*args: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(text, "parse_text", broken)
    write(project, {"a.txt": article(LONG_A), "b.md": "# Title\n\n" + LONG_B + "\n"})
    run = cli("check", ".", "--no-cache")
    assert run.stdout.splitlines()[0] == (
        "a.txt:1:1: CL001 [error] cannot read file: reader TextReader (text) failed:"
        " RecursionError: maximum recursion depth exceeded"
    )
    assert "internal error" not in run.output
    assert run.exit_code == 1
    # The run went on with the other file.
    assert "b.md:1:3: CL301" in run.findings()


def test_jsonl_record_that_raises_is_one_finding_and_the_next_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = limits.load_json

    def load(text: str, *args: object) -> object:
        if '"boom"' in text:
            raise MemoryError
        if '"deep"' in text:
            raise RecursionError("too deep")
        return real(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(limits, "load_json", load)
    records = [{"text": LONG_A}, {"text": "boom"}, {"text": "deep"}, {"text": LONG_B}]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    items = list(JsonlReader().read(path, "a.jsonl"))
    assert [(type(i).__name__, getattr(i, "line", None)) for i in items] == [
        ("Document", None),
        ("Problem", 2),
        ("Problem", 3),
        ("Document", None),
    ]
    assert isinstance(items[1], Problem)
    assert items[1].message == "cannot read record: MemoryError"
    assert isinstance(items[2], Problem)
    assert items[2].message == "cannot read record: RecursionError: too deep"


def test_exception_messages_are_short_and_never_fail() -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            return str(10**5000)  # past Python's int-to-str limit: raises

    assert limits.describe(Unprintable()) == "Unprintable"
    assert limits.describe(ValueError("x" * 1000 + "\nmore")).endswith("\u2026")
    assert len(limits.describe(ValueError("x" * 1000))) == 200


# HTML charsets: only real text encodings of a page's bytes.


@pytest.mark.parametrize(
    "charset", ["base64", "rot13", "hex", "zlib", "bz2", "uu", "utf-7", "unicode_escape", "idna"]
)
def test_bogus_meta_charset_falls_back_to_cp1252(charset: str) -> None:
    data = f'<meta charset="{charset}"><p>caf\xe9 society returns to town</p>'.encode("latin-1")
    assert sniff_encoding(data) == "cp1252"
    assert parse_html(data, "a.html").blocks[0].text == "caf\xe9 society returns to town"


def test_real_meta_charset_is_still_used() -> None:
    data = '<meta charset="koi8-r"><p>привет</p>'.encode("koi8-r")
    assert sniff_encoding(data) == codecs.lookup("koi8-r").name
    assert parse_html(data, "a.html").blocks[0].text == "привет"


# Front matter: values the parsers reject, aliases that would explode or loop.


@pytest.mark.parametrize(
    ("value", "line"),
    [("2024-13-01", 3), ("2024-02-30", 3), ("2024-01-01 25:00:00", 3)],
)
def test_impossible_timestamps_are_read_errors_at_their_line(value: str, line: int) -> None:
    with pytest.raises(ReadError, match="is not a valid date or time") as raised:
        parse_markdown(f"---\ntitle: T\ndate: {value}\n---\n", "a.md")
    assert raised.value.line == line


def test_valid_dates_still_read() -> None:
    document = parse_markdown("---\ntitle: T\ndate: 2024-02-29\n---\n", "a.md")
    assert str(document.metadata["date"]) == "2024-02-29"


def test_yaml_alias_bomb_is_refused_before_it_is_built() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    lines.append("author: *i")
    with pytest.raises(ReadError, match="expands to more than 100,000 values"):
        parse_markdown("---\n" + "\n".join(lines) + "\n---\n", "a.md")


def test_recursive_yaml_alias_is_refused() -> None:
    with pytest.raises(ReadError, match=r"refers to itself: alias \*a inside &a") as raised:
        parse_markdown("---\nauthor: &a [*a]\n---\n", "a.md")
    assert raised.value.line == 2


def test_few_aliases_still_read() -> None:
    text = "---\nbase: &b {name: Jane}\nauthor: *b\n---\n"
    assert parse_markdown(text, "a.md").metadata["author"] == {"name": "Jane"}


def test_bad_record_in_a_run_is_one_finding_and_the_rest_is_checked(
    project: Path, cli: CLI
) -> None:
    deep = '{"text": "x", "n": ' + "[" * 10_000 + "]" * 10_000 + "}"
    good = json.dumps({"text": LONG_A, "author": "Jane"})
    write(project, {"a.jsonl": f"{good}\n{deep}\n{good}\n"})
    run = cli("check", "a.jsonl", "--no-cache")
    assert run.findings() == ["a.jsonl:2:83: CL001", "a.jsonl:3:11: CL102"]  # a copy of line 1
    assert run.exit_code == 1
    assert isinstance(next(iter(JsonlReader().read(project / "a.jsonl", "a.jsonl"))), Document)
