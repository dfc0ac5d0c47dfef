"""Parquet on the Ray engine: objects read column-pruned in place, large files cut by row groups.

The stages run in-process (``simulate``), as in the other parity tests; the last test
runs a real local Ray instance and is marked ``ray``. Objects of object storage are
stood for by an in-memory fsspec file system whose files count the bytes they fetch,
read through fsspec's buffered file as s3fs and gcsfs files are.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.engines.ray.driver import prepare
from corpuslint.engines.ray.units import Unit, blocks
from corpuslint.model import Document, Violation
from corpuslint.readers.parquet import ParquetReader
from corpuslint.run.blocks import group_ranges
from corpuslint.run.plan import Overrides
from tests.engines.ray.simulate import gathered, simulate

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
fsspec = pytest.importorskip("fsspec")
from fsspec.implementations.memory import MemoryFileSystem  # noqa: E402
from fsspec.spec import AbstractBufferedFile  # noqa: E402

REGISTRY = plugins.load()
ALL = Overrides(select=("ALL",), cache=False)
PROTOCOL = "countmem"


class CountingFile(AbstractBufferedFile):  # type: ignore[misc]
    """A file of :class:`CountingFileSystem`: every range it fetches is counted."""

    def _fetch_range(self, start: int, end: int) -> bytes:
        data: bytes = self.fs.store[self.path].getvalue()[start:end]
        CountingFileSystem.fetched.append(len(data))
        return data


class CountingFileSystem(MemoryFileSystem):  # type: ignore[misc]
    """Objects in memory, read as object storage is: in ranges, each one counted."""

    protocol = PROTOCOL
    store: ClassVar[dict[str, Any]] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]
    fetched: ClassVar[list[int]] = []

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, str):
            path = path.removeprefix(f"{PROTOCOL}://")
        return super()._strip_protocol(path)

    def _open(self, path: str, mode: str = "rb", block_size: Any = None, **kwargs: Any) -> Any:
        if mode != "rb":
            return super()._open(path, mode, block_size, **kwargs)
        path = self._strip_protocol(path)
        if path not in self.store:
            raise FileNotFoundError(path)
        options = {k: v for k, v in kwargs.items() if k in ("cache_type", "cache_options")}
        return CountingFile(self, path, mode, block_size or "default", **options)


@pytest.fixture
def objects() -> Iterator[CountingFileSystem]:
    fsspec.register_implementation(PROTOCOL, CountingFileSystem, clobber=True)
    fs = CountingFileSystem()
    CountingFileSystem.store.clear()
    CountingFileSystem.fetched.clear()
    yield fs
    CountingFileSystem.store.clear()
    CountingFileSystem.fetched.clear()


def sentence(seed: int) -> str:
    """A sentence of made-up words, far from every other seed's."""
    rng = random.Random(seed)
    words = ["".join(rng.choices("abcdefghijklmnoprstuvw", k=rng.randint(3, 9))) for _ in range(14)]
    return " ".join(words).capitalize() + "."


def rows(count: int, blob: int = 0) -> list[dict[str, Any]]:
    """Records with exact and near copies, missing authors and null texts.

    With ``blob``, each row also has a column of that many random bytes that no rule
    reads: the bulk of the file.
    """
    rng = random.Random(7)
    out: list[dict[str, Any]] = []
    for n in range(count):
        own, shared = sentence(1000 + n), sentence(n % (count // 2))  # shared by two records
        text: str | None = f"{own}\n\n{shared}" + (f"\n\n{own}" if n % 3 == 0 else "")
        if n % 17 == 5:
            text = None  # a CL001 finding, the same message each time
        row: dict[str, Any] = {
            "id": f"r{n}",
            "title": f"Headline {n % 9}",
            "text": text,
            "author": "Ann Lee" if n % 4 else None,
        }
        if blob:
            row["blob"] = rng.randbytes(blob)
        out.append(row)
    return out


def parquet_bytes(table_rows: list[dict[str, Any]], row_group_size: int) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(table_rows), sink, row_group_size=row_group_size)
    return bytes(sink.getvalue().to_pybytes())


def local(root: Path) -> tuple[Violation, ...]:
    return check([root], Config(root=root), REGISTRY, ALL, cwd=root).violations


def places(
    violations: tuple[Violation, ...], url: str = "", name: str = ""
) -> list[tuple[Any, ...]]:
    """Code, place and message of each finding, ``url`` named ``name`` in messages."""
    return [
        (v.code, v.span, v.message.replace(url, name) if url else v.message) for v in violations
    ]


def test_a_remote_parquet_object_is_read_column_pruned(
    objects: CountingFileSystem, tmp_path: Path
) -> None:
    data = parquet_bytes(rows(120, blob=20_000), row_group_size=40)
    url = f"{PROTOCOL}:///bucket/ds/year=2024/part-0.parquet"
    objects.pipe(url, data)
    (tmp_path / "part-0.parquet").write_bytes(data)
    expected = local(tmp_path)
    assert {"CL001", "CL101", "CL301"} <= {v.code for v in expected}
    CountingFileSystem.fetched.clear()
    result = simulate([url], Config(root=tmp_path), ALL, cwd=tmp_path, partitions=2)
    assert not result.errors
    assert {v.path for v in result.violations} == {url}
    assert places(result.violations, url, "part-0.parquet") == places(expected)
    fetched = sum(CountingFileSystem.fetched)
    reads = len(CountingFileSystem.fetched)
    print(f"fetched {fetched:,} of {len(data):,} bytes in {reads} range reads")  # docs/ray.md
    # The footer and the text, title, id and author chunks: not the 2.4 MB of blobs.
    assert len(data) > 2_400_000
    assert 0 < fetched < len(data) // 10, (fetched, len(data))


def test_hive_fields_of_a_url_are_read_from_its_path(objects: CountingFileSystem) -> None:
    url = f"{PROTOCOL}:///bucket/news/source=wire/date=2023-05-01/part-0.parquet"
    objects.pipe(url, parquet_bytes([{"text": "Words of a wire story."}], 1))
    reader = ParquetReader({"attribution-fields": ("source",)})
    with objects.open(url, "rb") as handle:
        (document,) = reader.read_groups(handle, url)
    assert isinstance(document, Document)
    assert document.date == "2023-05-01"
    assert document.metadata["source"] == "wire"


@pytest.mark.parametrize("partitions", [2, 16])
def test_row_group_units_give_the_local_engines_findings(tmp_path: Path, partitions: int) -> None:
    path = tmp_path / "big.parquet"
    path.write_bytes(parquet_bytes(rows(200), row_group_size=16))
    expected = local(tmp_path)
    assert {"CL001", "CL101", "CL102", "CL301"} <= {v.code for v in expected}
    assert sum(v.code == "CL001" for v in expected) > 5  # numbered across the parts
    block_bytes = path.stat().st_size // 6
    job = prepare([path], Config(root=tmp_path), REGISTRY, ALL, tmp_path, block_bytes)
    assert [u.groups for u in job.units] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 13)]
    assert not any(u.is_block for u in job.units)
    result = simulate(
        [path],
        Config(root=tmp_path),
        ALL,
        cwd=tmp_path,
        partitions=partitions,
        block_bytes=block_bytes,
    )
    assert not result.errors
    assert result.violations == expected


def stored(
    objects: CountingFileSystem, tmp_path: Path, name: str
) -> tuple[str, bytes, tuple[Violation, ...]]:
    """An object of 200 rows in 13 row groups, its URL, its bytes and the local findings."""
    data = parquet_bytes(rows(200), row_group_size=16)
    url = f"{PROTOCOL}:///bucket/{name}"
    objects.pipe(url, data)
    (tmp_path / name).write_bytes(data)
    return url, data, local(tmp_path)


def test_a_remote_parquet_object_is_cut_by_row_groups(
    objects: CountingFileSystem, tmp_path: Path
) -> None:
    url, data, expected = stored(objects, tmp_path, "big.parquet")
    job = prepare(
        [url], Config(root=tmp_path), REGISTRY, ALL, tmp_path, block_bytes=-(-len(data) // 4)
    )
    assert len(job.units) == 4
    assert all(u.groups is not None for u in job.units)
    result = simulate(
        [url], Config(root=tmp_path), ALL, cwd=tmp_path, block_bytes=-(-len(data) // 4)
    )
    assert not result.errors
    assert places(result.violations, url, "big.parquet") == places(expected)


def test_an_object_served_as_a_stream_is_copied_whole_and_read(
    objects: CountingFileSystem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server that cannot send ranges hands out a stream, which pyarrow cannot seek to
    # the footer of: such an object is not cut, but copied and read like any other.
    url, data, expected = stored(objects, tmp_path, "streamed.parquet")
    monkeypatch.setattr(CountingFile, "seekable", lambda self: False)
    block_bytes = -(-len(data) // 4)
    job = prepare([url], Config(root=tmp_path), REGISTRY, ALL, tmp_path, block_bytes)
    assert [u.groups for u in job.units] == [None]
    CountingFileSystem.fetched.clear()
    result = simulate([url], Config(root=tmp_path), ALL, cwd=tmp_path, block_bytes=block_bytes)
    assert not result.errors
    assert places(result.violations, url, "streamed.parquet") == places(expected)
    assert sum(CountingFileSystem.fetched) >= len(data)  # the whole object, once copied


def test_a_url_that_is_not_parquet_is_one_clear_problem(objects: CountingFileSystem) -> None:
    url = f"{PROTOCOL}:///bucket/broken.parquet"
    objects.pipe(url, b"this is not a Parquet file\n" * 40)
    result = simulate([url], Config(root=Path.cwd()), ALL, block_bytes=100)
    assert not result.errors
    (finding,) = result.violations
    assert finding.code == "CL001"
    assert finding.path == url
    assert finding.message.startswith("not a readable Parquet file:")


def test_a_remote_object_that_vanished_is_one_problem(objects: CountingFileSystem) -> None:
    url = f"{PROTOCOL}:///bucket/gone.parquet"
    objects.pipe(url, parquet_bytes(rows(10), 5))
    job = prepare([url], Config(root=Path.cwd()), REGISTRY, ALL)
    objects.rm(url)
    result = job.finish(gathered(job))
    (finding,) = result.violations
    assert (finding.code, finding.path) == ("CL001", url)
    assert finding.message.startswith("cannot read file:")


def test_group_ranges_follow_the_block_size() -> None:
    assert group_ranges(13, 600, 100) == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 13)]
    assert group_ranges(3, 600, 100) == [(0, 1), (1, 2), (2, 3)]  # one group each at most
    assert group_ranges(5, 50, 100) == [(0, 5)]


def test_a_single_row_group_file_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "one.parquet"
    path.write_bytes(parquet_bytes(rows(50), row_group_size=1000))
    unit = Unit(str(path), "one.parquet", "one.parquet", True, path.stat().st_size)
    assert blocks([unit], 100, REGISTRY) == [unit]


@pytest.mark.ray
def test_row_group_units_on_a_real_ray(tmp_path: Path) -> None:
    pytest.importorskip("ray.data")
    from corpuslint.engines.ray import driver as ray_engine

    path = tmp_path / "big.parquet"
    path.write_bytes(parquet_bytes(rows(200), row_group_size=16))
    expected = local(tmp_path)
    result = ray_engine.check(
        [path],
        Config(root=tmp_path),
        overrides=ALL,
        cwd=tmp_path,
        workers=2,
        block_bytes=path.stat().st_size // 4,
    )
    assert not result.errors
    assert result.violations == expected
