"""Parquet reader (optional, through pyarrow): one document per row, read in record batches.

Only the columns the record settings name are loaded, a batch at a time, so memory
follows the batch size. A finding's line is the 1-based row number.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpuslint.model import Document, Problem
from corpuslint.options import Option
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
    settings = (*RECORD_SETTINGS, Option("batch-size", int, 1024, "rows read at a time", 1))

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
        try:
            for batch in parquet.iter_batches(
                batch_size=max(1, self.options["batch-size"]), columns=columns
            ):
                for record in batch.to_pylist():
                    row += 1
                    yield build_document(record, fields, Place(display, self.format, row, "row"))
        except Exception as exc:  # a corrupt page or row group (pyarrow's errors vary)
            yield Problem(display, f"cannot read rows after row {row}: {exc}", row + 1)
