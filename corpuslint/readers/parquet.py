"""Parquet reader (optional, through pyarrow): one document per row, read in record batches.

Only the columns the record settings name are loaded, a batch at a time, so memory
follows the batch size. A row group whose loaded columns are larger, uncompressed, than
``max-row-group-mb`` (by the file's metadata, read before the group) is one problem and
is skipped. A finding's line is the 1-based row number.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpuslint.model import Document, Problem
from corpuslint.options import Option
from corpuslint.readers import limits
from corpuslint.readers.base import Reader
from corpuslint.readers.records import RECORD_SETTINGS, Fields, Place, build_document

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
        pq = _pyarrow_parquet()
        if pq is None:
            yield Problem(display, INSTALL_HINT)
            return
        fields = Fields.from_options(self.options)
        try:
            parquet = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid (a ValueError) and kin
            yield Problem(display, f"not a readable Parquet file: {exc}")
            return
        names = set(parquet.schema_arrow.names)
        if fields.text not in names and fields.text.split(".")[0] not in names:
            shown = ", ".join(sorted(names)) or "none"
            yield Problem(
                display,
                f"no column {fields.text!r} for the text (columns: {shown});"
                " set text-field in [tool.corpuslint.parquet]",
            )
            return
        columns = [name for name in fields.top_level() if name in names]
        yield from self._rows(parquet, columns, fields, display)

    def _rows(
        self, parquet: Any, columns: list[str], fields: Fields, display: str
    ) -> Iterator[Document | Problem]:
        row = 0
        budget = self.options["max-row-group-mb"]
        try:
            metadata = parquet.metadata
            groups = metadata.num_row_groups
        except Exception as exc:  # pyarrow's errors vary
            yield Problem(display, f"cannot read the Parquet metadata: {limits.describe(exc)}")
            return
        for group in range(groups):
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
                        yield build_document(record, fields, place)
            except Exception as exc:  # a corrupt page, a MemoryError: pyarrow's errors vary
                yield Problem(
                    display, f"cannot read rows after row {row}: {limits.describe(exc)}", row + 1
                )
            row = max(row, first + rows)


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
