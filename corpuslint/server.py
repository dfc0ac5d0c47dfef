"""``corpuslint server``: a Language Server on stdio that shows findings in an editor.

It publishes the findings of a document as diagnostics when the document is opened,
changed and saved, and clears them when it is closed. The document's current text is
checked as ``corpuslint check - --stdin-filename PATH`` checks stdin (a
``corpuslint.run.discover.Buffer``): the reader chosen by the file's name, the
configuration nearest to the file, corpus rules against the rest of the corpus as on
disk (or in the cache), the editor's text replacing the file's.

Positions follow LSP: 0-based lines, and characters counted in the position encoding
agreed at initialisation, UTF-16 code units unless the client offers another. Findings
count 1-based characters of the lines as the readers split them (at LF, CRLF or CR).

The checks run in the server's own process, one at a time (``jobs = 1``): forking
workers from a process whose protocol threads may hold locks is not safe, and with
the cache, which the first check fills, later checks read only the document itself.

pygls is an optional dependency (extra ``corpus-lint[lsp]``); this module imports it
only in :func:`serve`.
"""

from __future__ import annotations

import importlib.util
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corpuslint import __version__, plugins
from corpuslint.config import ConfigError, load_config
from corpuslint.engines import EngineError
from corpuslint.engines.local.runner import check
from corpuslint.model import Location, Result, Severity, Span, Violation
from corpuslint.readers.base import split_lines
from corpuslint.run.discover import Buffer
from corpuslint.run.plan import Overrides

if TYPE_CHECKING:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

SOURCE = "corpuslint"
"""The ``source`` of every diagnostic."""
MAX_RELATED_BYTES = 4 << 20
"""A file of another copy larger than this is not read to place it by code units."""

_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}
"""LSP's DiagnosticSeverity of each severity: Error 1, Warning 2, Information 3."""


def available() -> bool:
    """Whether pygls (the extra ``corpus-lint[lsp]``) is installed."""
    try:
        return importlib.util.find_spec("pygls") is not None
    except (ImportError, ValueError):
        return False


def units(text: str, encoding: str = "utf-16") -> int:
    """How many code units of ``encoding`` (``utf-8``, ``utf-16`` or ``utf-32``) ``text`` takes."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def position(
    lines: Sequence[str], line: int, column: int, encoding: str = "utf-16"
) -> tuple[int, int]:
    """The LSP position (0-based line, code units) of a 1-based line and character column.

    A place past the end of the text is put at the end of its last line, a column past
    the end of its line at the line's end.
    """
    if not lines:
        return 0, 0
    if line > len(lines):
        return len(lines) - 1, units(lines[-1], encoding)
    row = max(line, 1) - 1
    text = lines[row]
    return row, units(text[: max(column, 1) - 1], encoding)


@dataclass(frozen=True)
class Diagnostic:
    """One finding as LSP shows it, before it is made an ``lsprotocol`` value."""

    start: tuple[int, int]
    end: tuple[int, int]
    severity: int
    code: str
    message: str
    related: tuple[tuple[Path, tuple[int, int]], ...] = ()
    """The other copies: each file and its position."""


def diagnostic(
    violation: Violation,
    lines: Sequence[str],
    other: Callable[[Location], tuple[Path, Sequence[str]]],
    encoding: str = "utf-16",
) -> Diagnostic:
    """``violation`` in LSP terms; ``other`` gives a related copy's file and its lines."""
    span: Span = violation.span
    start = position(lines, span.line, span.column, encoding)
    end = position(lines, span.end_line, span.end_column, encoding)
    end = max(end, start)
    related = []
    for place in violation.related:
        path, its_lines = other(place)
        related.append((path, position(its_lines, place.line, place.column, encoding)))
    severity = _SEVERITY.get(violation.severity, 3)
    return Diagnostic(start, end, severity, violation.code, violation.message, tuple(related))


class Linter:
    """Checks documents' text as the file each stands for (the server's whole job)."""

    def __init__(self) -> None:
        self.registry = plugins.load()

    def check(self, path: Path, text: str) -> tuple[Result, Path]:
        """The result of checking ``text`` as the file ``path``, and the root paths are shown from.

        ``ConfigError``, ``PluginError`` and ``EngineError`` are the caller's to report.
        """
        config = load_config(None, cwd=path.parent, reader_formats=self.registry.reader_settings())
        root = config.root.resolve()
        buffer = Buffer(path, text.encode("utf-8", "surrogatepass"))
        result = check([], config, self.registry, Overrides(jobs=1), cwd=root, buffer=buffer)
        return result, root


def _lines_of(path: Path, open_text: Callable[[Path], str | None]) -> list[str]:
    """The lines of another copy's file: the editor's text if open, else the file's (small)."""
    text = open_text(path)
    if text is not None:
        return split_lines(text)
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_RELATED_BYTES:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return split_lines(data.decode("utf-8", "replace"))


def diagnostics(
    result: Result,
    root: Path,
    text: str,
    open_text: Callable[[Path], str | None],
    encoding: str = "utf-16",
) -> list[Diagnostic]:
    """The findings of ``result`` (one document's) as diagnostics of ``text``.

    Display paths are relative to ``root``; ``open_text`` gives the editor's text of a
    file that is open in it (``None`` for one that is not).
    """
    lines = split_lines(text)
    known: dict[Path, list[str]] = {}

    def other(place: Location) -> tuple[Path, list[str]]:
        path = Path(os.path.normpath(root / place.path))
        if path not in known:
            known[path] = _lines_of(path, open_text)
        return path, known[path]

    return [diagnostic(v, lines, other, encoding) for v in result.violations]


def _protocol(found: Sequence[Diagnostic]) -> list[types.Diagnostic]:
    """``lsprotocol`` diagnostics of :class:`Diagnostic` values."""
    from lsprotocol import types
    from pygls.uris import from_fs_path

    def at(point: tuple[int, int]) -> types.Position:
        return types.Position(line=point[0], character=point[1])

    made = []
    for item in found:
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=from_fs_path(str(path)) or path.as_uri(),
                    range=types.Range(start=at(point), end=at(point)),
                ),
                message="the other copy",
            )
            for path, point in item.related
        ]
        made.append(
            types.Diagnostic(
                range=types.Range(start=at(item.start), end=at(item.end)),
                message=item.message,
                severity=types.DiagnosticSeverity(item.severity),
                code=item.code,
                source=SOURCE,
                related_information=related or None,
            )
        )
    return made


def _publish(server: LanguageServer, linter: Linter, uri: str) -> None:
    """Check the open document ``uri`` and publish its diagnostics (none if it cannot be)."""
    from lsprotocol import types
    from pygls.uris import to_fs_path

    document = server.workspace.get_text_document(uri)
    location = to_fs_path(uri)
    found: list[types.Diagnostic] = []
    if location is not None and uri.startswith("file:"):
        found = _protocol(_findings(server, linter, Path(location), document.source))
    params = types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version)
    server.text_document_publish_diagnostics(params)


def _findings(server: LanguageServer, linter: Linter, path: Path, text: str) -> list[Diagnostic]:
    """The diagnostics of ``text`` as ``path``; errors go to the client's log."""
    from lsprotocol import types
    from pygls.uris import from_fs_path

    def log(kind: types.MessageType, message: str) -> None:
        server.window_log_message(types.LogMessageParams(type=kind, message=message))

    try:
        result, root = linter.check(path, text)
    except (ConfigError, plugins.PluginError, EngineError) as exc:
        log(types.MessageType.Error, f"corpuslint: {exc}")
        return []
    except Exception as exc:  # a bug must not end the session: say it and go on
        log(types.MessageType.Error, f"corpuslint: internal error: {type(exc).__name__}: {exc}")
        return []
    for error in result.errors:
        log(types.MessageType.Error, f"corpuslint: {error}")
    for warning in result.warnings:
        log(types.MessageType.Warning, f"corpuslint: {warning}")

    def open_text(other: Path) -> str | None:
        uri = from_fs_path(str(other))
        if uri is None or uri not in server.workspace.text_documents:
            return None
        return server.workspace.get_text_document(uri).source

    encoding = str(server.workspace.position_encoding or "utf-16")
    return diagnostics(result, root, text, open_text, encoding)


def make_server() -> LanguageServer:
    """The language server, its handlers registered (not started)."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    server = LanguageServer(SOURCE, __version__)
    linter = Linter()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        _publish(ls, linter, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        _publish(ls, linter, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        _publish(ls, linter, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        empty = types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        ls.text_document_publish_diagnostics(empty)

    return server


def serve() -> None:
    """Run the language server on stdin and stdout until the client ends the session."""
    make_server().start_io()
