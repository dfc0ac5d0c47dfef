"""The cache is data, never code: it lives outside the project, decodes only data, and
never writes through a symbolic link."""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import shutil
import sqlite3
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xxhash

from corpuslint._support.atomic import write_bytes_atomic
from corpuslint.cache import codec as cache_codec
from corpuslint.cache import store as cache_module
from corpuslint.model import (
    Directive,
    Edit,
    Fix,
    Location,
    Severity,
    Signature,
    Span,
    Violation,
)
from corpuslint.outcome import FileOutcome
from corpuslint.similarity.signatures import SignatureBatch
from tests.corpus_helpers import article, paragraph, run, summary
from tests.helpers import Run

EXPECTED = [("CL102", "z-copy.md", 6, "old.md", 6)]


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every project's cache in a folder of the test's own, never the user's."""
    home = tmp_path_factory.mktemp("cache-home")
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(home))
    return home


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "old.md").write_text(article("Old", [paragraph(1), paragraph(2)]))
    (root / "other.md").write_text(article("Other", [paragraph(3)]))
    return root


class _Touch:
    """Unpickling this creates a file: what a planted pickle could do (or worse)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


def evil_pickle(marker: Path) -> bytes:
    return pickle.dumps(_Touch(marker), protocol=pickle.HIGHEST_PROTOCOL)


def sealed(payload: bytes) -> bytes:
    """``payload`` behind a right checksum, as the cache stores an outcome."""
    return xxhash.xxh3_64_digest(payload) + payload


def test_the_evil_pickle_of_these_tests_does_run_code_when_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    payload = cache_module._unsealed(sealed(evil_pickle(marker)))  # its seal is accepted
    pickle.loads(payload).close()  # what the cache did with it: the file is created
    assert marker.exists()


def set_outcomes(database: Path, blob: object, column: str = "outcome") -> None:
    with sqlite3.connect(database) as db:
        db.execute(f"UPDATE blobs SET {column} = ?", (blob,))
    db.close()


def test_a_cache_committed_to_the_project_is_never_read(corpus: Path, tmp_path: Path) -> None:
    run(corpus, cache=True)
    marker = tmp_path / "code-ran"
    # What a pull request could commit (git add -f): the cache a run made, each outcome
    # swapped for a pickle that runs code, behind a right checksum.
    planted = corpus / cache_module.LEGACY_DIRECTORY
    planted.mkdir()
    shutil.copy(cache_module.directory_for(corpus) / "cache.sqlite", planted / "cache.sqlite")
    set_outcomes(planted / "cache.sqlite", sealed(evil_pickle(marker)))
    shutil.rmtree(cache_module.directory_for(corpus))
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    for _ in range(2):  # cold, then warm
        result = run(corpus, cache=True)
        assert summary(result) == EXPECTED
        assert not marker.exists()
    assert not (planted / ".gitignore").exists()  # nothing written there either


def test_the_cache_lives_outside_the_project(corpus: Path, cache_home: Path) -> None:
    run(corpus, cache=True)
    assert not (corpus / cache_module.LEGACY_DIRECTORY).exists()
    (folder,) = cache_home.iterdir()
    assert folder == cache_module.directory_for(corpus)
    assert folder.name.endswith("-corpus")
    assert (folder / "cache.sqlite").is_file()


def test_the_cache_folder_follows_xdg_without_the_override(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache_module.ENVIRONMENT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache_module.sys, "platform", "linux")
    assert cache_module.directory_for(corpus).parent == tmp_path / "xdg" / "corpuslint"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".cache" / "corpuslint"
    assert cache_module.directory_for(corpus).parent == expected
    # Two projects of the same name do not share a folder.
    other = tmp_path / "elsewhere" / "corpus"
    other.mkdir(parents=True)
    assert cache_module.directory_for(other) != cache_module.directory_for(corpus)


def pickle_of_the_entry(database: Path, marker: Path) -> None:
    set_outcomes(database, sealed(evil_pickle(marker)))


def garbage(database: Path, marker: Path) -> None:
    set_outcomes(database, sealed(b"\x00garbage" * 50))


def wrong_types(database: Path, marker: Path) -> None:
    """The right format with a string where a count belongs."""
    header = b'["1",[],[],[],[],[]]'
    set_outcomes(
        database,
        sealed(
            cache_codec._MAGIC + cache_codec._ORDER + len(header).to_bytes(4, "little") + header
        ),
    )


def inconsistent_columns(database: Path, marker: Path) -> None:
    """A real entry whose key counts no longer add up to its keys."""
    with sqlite3.connect(database) as db:
        for rowid, blob in db.execute("SELECT id, outcome FROM blobs").fetchall():
            outcome = cache_codec.decode(blob[8:])
            batch = outcome.signatures[0]
            batch = dataclasses.replace(batch, keys=batch.keys[:-8])
            forged = dataclasses.replace(outcome, signatures=(batch, *outcome.signatures[1:]))
            db.execute(
                "UPDATE blobs SET outcome = ? WHERE id = ?",
                (sealed(cache_codec.encode(forged)), rowid),
            )
    db.close()


def text_in_a_blob_column(database: Path, marker: Path) -> None:
    set_outcomes(database, "not a blob")


def keys_that_are_not_int64(database: Path, marker: Path) -> None:
    set_outcomes(database, b"1234567", column="keys")


@pytest.mark.parametrize(
    "poison",
    [
        pickle_of_the_entry,
        garbage,
        wrong_types,
        inconsistent_columns,
        text_in_a_blob_column,
        keys_that_are_not_int64,
    ],
)
def test_a_planted_or_damaged_entry_is_ignored_with_a_warning(
    corpus: Path, tmp_path: Path, poison: Callable[[Path, Path], None]
) -> None:
    run(corpus, cache=True)
    marker = tmp_path / "code-ran"
    poison(cache_module.directory_for(corpus) / "cache.sqlite", marker)
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    result = run(corpus, cache=True)
    assert summary(result) == EXPECTED
    assert any("cache" in w for w in result.warnings)
    assert not marker.exists()
    again = run(corpus, cache=True)
    assert summary(again) == EXPECTED


def test_a_run_over_a_few_files_survives_a_planted_keys_column(corpus: Path) -> None:
    run(corpus, cache=True)
    for index in cache_module.directory_for(corpus).glob("keys3-*.idx"):
        index.unlink()  # then the keys column is read entry by entry
    set_outcomes(cache_module.directory_for(corpus) / "cache.sqlite", b"1234567", column="keys")
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    result = run(corpus, ["z-copy.md"], cache=True)
    assert any("not int64" in w for w in result.warnings)


@pytest.mark.parametrize(
    "name", [".gitignore", "cache.sqlite", "cache.sqlite-journal", "keys3-x.idx.tmp"]
)
def test_a_link_in_the_cache_folder_is_never_written_through(
    corpus: Path, tmp_path: Path, name: str
) -> None:
    folder = cache_module.directory_for(corpus)
    folder.mkdir(parents=True)
    outside = tmp_path / "precious.txt"
    outside.write_bytes(b"precious")
    (folder / name).symlink_to(outside)
    (corpus / "z-copy.md").write_text(article("Copy", [paragraph(1)]))
    result = run(corpus, cache=True)
    assert summary(result) == EXPECTED
    assert any("symbolic link" in w for w in result.warnings)
    assert outside.read_bytes() == b"precious"
    assert (folder / name).is_symlink()


def test_a_cache_folder_that_is_a_link_is_not_used(corpus: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = cache_module.directory_for(corpus)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(elsewhere, target_is_directory=True)
    result = run(corpus, cache=True)
    assert any("symbolic link" in w for w in result.warnings)
    assert list(elsewhere.iterdir()) == []


def test_an_atomic_write_that_must_not_follow_links_refuses_one(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_bytes(b"kept")
    link = tmp_path / "link"
    link.symlink_to(outside)
    with pytest.raises(OSError, match="not a regular file"):
        write_bytes_atomic(link, b"new", follow_links=False)
    assert outside.read_bytes() == b"kept"
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "outside"]  # no temporary left
    plain = tmp_path / "plain"
    write_bytes_atomic(plain, b"new", follow_links=False)
    assert plain.read_bytes() == b"new"


def test_cache_clean_deletes_the_folder_and_says_where(
    project: Path, cli: Callable[..., Run]
) -> None:
    (project / "a.md").write_text(article("A", [paragraph(1)]))
    assert cli("check", "a.md").exit_code == 0
    folder = cache_module.directory_for(project)
    assert folder.is_dir()
    cleaned = cli("cache", "clean")
    assert cleaned.exit_code == 0
    assert f"Removed {folder}" in cleaned.stdout
    assert not folder.exists()
    assert f"No cache at {folder}" in cli("cache", "clean").stdout


# --- the codec -------------------------------------------------------------------------


def every_field() -> FileOutcome:
    signatures = [
        Signature(
            b"\x01" * 8 + b"\x02" * 8,
            "a.md",
            Span(3, 1, 3, 40),
            "héllo wörld",
            None,
            "",
            True,
            b"\x07" * 16,
        ),
        Signature(
            b"\x03" * 8,
            "a.md",
            Span(5, 2, 6, 9),
            "plain \udcff surrogate",
            "record 7",
            "record 7, paragraph 1",
            False,
            b"",
        ),
        Signature(b"", "b.md", Span(9, 1, 9, 1), "", "r2", "label", True, b"\x00\x01"),
    ]
    violation = Violation(
        "CL102",
        "paragraph-reuse",
        Severity.WARNING,
        "paragraph copied from b.md — \udc80 odd",
        "a.md",
        Span(3, 1, 3, 40),
        (Location("b.md", 9, 1), Location("c.md", 2, 3)),
        "0123456789abcdef",
        93.5,
        "record 7",
        Fix((Edit(Span(3, 1, 3, 40)), Edit(Span(4, 2, 5, 1), "r\u00e9place \udc80")), "unsafe"),
        (("metadata", "metadata keys author (present: author='\udc80')"), ("languages", "en, de")),
    )
    plain = Violation("CL301", "attribution", Severity.ERROR, "no author", "a.md", Span.point(1))
    return FileOutcome(
        violations=(violation, plain),
        signatures=(
            SignatureBatch.pack("CL102", signatures),
            SignatureBatch.pack("CL202", signatures[:1]),
        ),
        errors=("internal error: rule X",),
        documents=3,
        directives=(
            Directive("disable-next-line", ("CL101", "CL102"), 4, 1, "quoted on purpose"),
            Directive("disable-file", ("*",), 1, 1),
        ),
        notices=("a cap was hit",),
    )


def test_every_field_of_an_outcome_survives_the_round_trip() -> None:
    outcome = every_field()
    assert {f.name for f in dataclasses.fields(FileOutcome)} == {
        "violations",
        "signatures",
        "errors",
        "documents",
        "directives",
        "notices",
    }, "a new field of FileOutcome: encode it in cache_codec"
    assert all(getattr(outcome, f.name) for f in dataclasses.fields(FileOutcome))
    every = outcome.violations[0]
    unset = [f.name for f in dataclasses.fields(Violation) if getattr(every, f.name) == f.default]
    assert not unset, f"set {unset} in every_field so the round trip covers them"
    back = cache_codec.decode(cache_codec.encode(outcome))
    assert back == outcome
    assert list(back.signatures[0]) == list(outcome.signatures[0])
    assert cache_codec.decode(cache_codec.encode(FileOutcome())) == FileOutcome()


def test_no_cut_or_flipped_byte_gives_anything_but_a_decode_error() -> None:
    data = cache_codec.encode(every_field())
    for end in range(len(data)):
        with pytest.raises(cache_codec.DecodeError):
            cache_codec.decode(data[:end])
    for at in range(len(data)):
        flipped = bytearray(data)
        flipped[at] ^= 0xFF
        with contextlib.suppress(cache_codec.DecodeError):
            cache_codec.decode(bytes(flipped))
    with pytest.raises(cache_codec.DecodeError):
        cache_codec.decode(data + b"more")
    with pytest.raises(cache_codec.DecodeError):
        cache_codec.decode(evil_pickle(Path("never")))


def test_a_forged_signature_span_is_a_decode_error() -> None:
    # A span before line 1, or ending before it starts, would be reported as a place in
    # the file: such an entry is refused like any other malformed one.
    outcome = every_field()
    good = outcome.signatures[0]
    for corners in ((-5, 99999, -7, 5), (3, 0, 3, 4), (4, 1, 3, 9), (3, 9, 3, 2)):
        spans = bytearray(good.spans)
        spans[:16] = array("i", corners).tobytes()
        forged = dataclasses.replace(
            outcome, signatures=(dataclasses.replace(good, spans=bytes(spans)),)
        )
        with pytest.raises(cache_codec.DecodeError, match="spans outside the file"):
            cache_codec.decode(cache_codec.encode(forged))
    assert cache_codec.decode(cache_codec.encode(outcome)) == outcome


@pytest.mark.parametrize("count", [1, 5, 128, 129, 1000])
@pytest.mark.parametrize("corners", [(-5, 99999, -7, 5), (3, 0, 3, 4), (4, 1, 3, 9), (3, 9, 3, 2)])
def test_a_forged_span_is_refused_among_few_or_many(
    count: int, corners: tuple[int, int, int, int]
) -> None:
    # Few spans are checked one by one and many at once: both refuse a forged one
    # wherever it is, and both pass good ones (a span on one line, one over lines).
    good = [(n + 1, 1, n + 1 + n % 3, 2 + n % 5) for n in range(count)]
    cache_codec._check_spans("CL101", array("i", [c for s in good for c in s]).tobytes())
    for at in {0, count - 1}:
        forged = [*good]
        forged[at] = corners
        with pytest.raises(cache_codec.DecodeError, match="spans outside the file"):
            cache_codec._check_spans("CL101", array("i", [c for s in forged for c in s]).tobytes())
