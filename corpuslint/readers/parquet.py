"""Parquet reader (optional, through pyarrow): one document per row, read in record batches.

Only the columns the record settings name (text, title, id, date, attribution) are
loaded (pyarrow's ``columns=``), a batch at a time, so memory follows the batch size and
not the width of the table. A row group whose loaded columns are larger, uncompressed,
than ``max-row-group-mb`` (by the file's metadata, read before the group) is one problem
and is skipped. A finding's line is the 1-based row number in its file.

A folder of Parquet files is one corpus like any folder. In a hive-partitioned dataset
(``year=2024/part-0.parquet``) the ``key=value`` folders of a file's path are fields of
each of its rows, as ``pyarrow.dataset``'s ``partitioning="hive"`` makes them, unless
the file has a column of that name: ``date-field = "date"`` reads ``date=2024-03-01/``.
Values are strings, URL-decoded as hive writes them.

An engine may read a large file in parts, a range of row groups each
(:meth:`ParquetReader.row_groups`, :meth:`ParquetReader.read_groups`), with the row
numbers the rows have in the whole file. Both take a path or a seekable binary file
object, such as an fsspec file of object storage: pyarrow then fetches the footer and
the chunks of the loaded columns only, not the whole object.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import unquote

from corpuslint.model import Document, Problem
from corpuslint.options import Option
from corpuslint.readers import limits
from corpuslint.readers.base import Reader
from corpuslint.readers.records import RECORD_SETTINGS, Fields, Place, build_document

_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"

INSTALL_HINT = "reading Parquet needs pyarrow: pip install 'corpus-lint[parquet]'"


def _pyarrow_parquet() -> Any:
    """The ``pyarrow.parquet`` module, or ``None`` when pyarrow is not installed."""
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError:
        return None


class ParquetReader(Reader):
    """Reads ``.parquet`` files with pyarrow (the ``corpus-lint[parquet]`` extra)."""

    format = "parquet"
    suffixes = (".parquet", ".pq")
    settings = (
        *RECORD_SETTINGS,
        Option("batch-size", int, 1024, "rows read at a time", 1),
        limits.MAX_ROW_GROUP,
    )

    def read(self, path: Path, display: str) -> Iterator[Document | Problem]:
        return self.read_groups(path, display)

    def row_groups(self, source: Path | BinaryIO) -> int:
        """How many row groups the file has (0 if it cannot be read: :meth:`read` says why).

        ``source`` is a path or a seekable binary file object (only the footer is read).
        """
        pq = _pyarrow_parquet()
        if pq is None:
            return 0
        try:
            return int(pq.ParquetFile(source).metadata.num_row_groups)
        except Exception:  # pyarrow's errors vary; reading the file reports them
            return 0

    def read_groups(
        self, source: Path | BinaryIO, display: str, start: int = 0, end: int | None = None
    ) -> Iterator[Document | Problem]:
        """The documents of row groups ``[start, end)`` (all by default), rows numbered in the file.

        ``source`` is a path or a seekable binary file object, which the caller closes;
        hive partition fields come from ``display``. A problem of the whole file (not
        Parquet, no text column) comes with the part that starts at the first row group
        only, so a file read in parts has it once.
        """
        pq = _pyarrow_parquet()
        first = start == 0
        if pq is None:
            if first:
                yield Problem(display, INSTALL_HINT)
            return
        fields = Fields.from_options(self.options)
        try:
            parquet = pq.ParquetFile(source)
        except Exception as exc:  # pyarrow raises ArrowInvalid (a ValueError) and kin
            if first:
                yield Problem(display, f"not a readable Parquet file: {exc}")
            return
        names = set(parquet.schema_arrow.names)
        partitions = {k: v for k, v in hive_partitions(display).items() if k not in names}
        known = names | partitions.keys()
        if fields.text not in known and fields.text.split(".")[0] not in known:
            if first:
                shown = ", ".join(sorted(names)) or "none"
                yield Problem(
                    display,
                    f"no column {fields.text!r} for the text (columns: {shown});"
                    " set text-field in [tool.corpuslint.parquet]",
                )
            return
        wanted = fields.top_level()
        columns = [name for name in wanted if name in names]
        extra = {k: v for k, v in partitions.items() if k in wanted}
        yield from self._rows(parquet, columns, fields, display, start, end, extra)

    def _rows(
        self,
        parquet: Any,
        columns: list[str],
        fields: Fields,
        display: str,
        start: int,
        end: int | None,
        extra: dict[str, str | None],
    ) -> Iterator[Document | Problem]:
        budget = self.options["max-row-group-mb"]
        try:
            metadata = parquet.metadata
            groups = metadata.num_row_groups
            row = sum(metadata.row_group(g).num_rows for g in range(min(start, groups)))
        except Exception as exc:  # pyarrow's errors vary
            if start == 0:
                yield Problem(display, f"cannot read the Parquet metadata: {limits.describe(exc)}")
            return
        for group in range(start, groups if end is None else min(end, groups)):
            try:
                info = metadata.row_group(group)
                rows, size = info.num_rows, _group_size(info, columns)
            except Exception as exc:
                yield Problem(display, f"cannot read rows after row {row}: {limits.describe(exc)}")
                return
            if size > budget * limits.MB:
                message = (
                    f"row group {group + 1} (rows {row + 1} to {row + rows}) is"
                    f" {size // limits.MB} MB uncompressed, over max-row-group-mb ({budget} MB);"
                    " skipped (raise [tool.corpuslint.parquet] max-row-group-mb to check it)"
                )
                yield Problem(display, message, row + 1)
                row += rows
                continue
            first = row
            try:
                for batch in parquet.iter_batches(
                    batch_size=max(1, self.options["batch-size"]),
                    row_groups=[group],
                    columns=columns,
                ):
                    for record in batch.to_pylist():
                        row += 1
                        place = Place(display, self.format, row, "row")
                        fields_of = {**extra, **record} if extra else record
                        yield build_document(fields_of, fields, place)
            except Exception as exc:  # a corrupt page, a MemoryError: pyarrow's errors vary
                yield Problem(
                    display, f"cannot read rows after row {row}: {limits.describe(exc)}", row + 1
                )
            row = max(row, first + rows)


def hive_partitions(display: str) -> dict[str, str | None]:
    """The ``key=value`` folders of a file's path (the innermost wins); ``None`` for hive's null."""
    found: dict[str, str | None] = {}
    for part in PurePosixPath(display.replace("\\", "/")).parent.parts:
        key, sep, value = part.partition("=")
        if sep and key:
            found[unquote(key)] = None if value == _HIVE_NULL else unquote(value)
    return found


def _group_size(info: Any, columns: list[str]) -> int:
    """Uncompressed bytes of the row group's chunks of ``columns`` (nested ones included)."""
    wanted = set(columns)
    total = 0
    for index in range(info.num_columns):
        chunk = info.column(index)
        path = chunk.path_in_schema
        if path in wanted or path.split(".")[0] in wanted:
            total += max(0, chunk.total_uncompressed_size)
    return total
