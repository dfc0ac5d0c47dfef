"""``corpuslint server``: a real LSP session over stdio, and the position mapping.

The client here is a small JSON-RPC one (Content-Length framing) talking to
``python -m corpuslint server`` in a subprocess; every wait is bounded, so a server
that stops answering fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import pytest

from corpuslint import server
from corpuslint.model import Location, Severity, Span, Violation

TIMEOUT = 60.0  # seconds for one answer: a loaded CI machine starts Python slowly

PARAGRAPH = "The harbour bridge opened to traffic after eleven years of careful work by the city."
OTHER = "A second and different paragraph about ships."
REPEATED = f"# Harbour\n\n{PARAGRAPH}\n\n{OTHER}\n\n{PARAGRAPH}\n"


class Client:
    """A minimal LSP client: requests, notifications, and what the server sends."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        env = {**os.environ, "CORPUSLINT_CACHE_DIR": str(cwd / ".cache-dir")}
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self.messages.put(None)  # the server closed its stdout
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        answer = self.wait(lambda m: m.get("id") == self._next_id and "method" not in m)
        assert "error" not in answer, answer
        return answer.get("result")

    def wait(self, wanted: Any) -> dict[str, Any]:
        """The next message ``wanted`` accepts (others are passed over), within TIMEOUT."""
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(f"no answer from the server within {TIMEOUT:g} s: {self.stderr()}")
            if message is None:
                pytest.fail(f"the server closed its output: {self.stderr()}")
            if wanted(message):
                return message

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        """The diagnostics published for ``uri`` at ``version``."""
        message = self.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            )
        )
        found: list[dict[str, Any]] = message["params"]["diagnostics"]
        return found

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")[-2000:]

    def close(self) -> int:
        """Shut the server down and wait for it to exit; its exit status."""
        try:
            self.request("shutdown")
            self.notify("exit")
            return self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def session(tmp_path: Path) -> Any:
    pytest.importorskip("pygls")
    project = tmp_path / "site"
    project.mkdir()
    (project / "corpuslint.toml").write_text("", encoding="utf-8")
    client = Client([sys.executable, "-m", "corpuslint", "server"], project)
    try:
        client.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": project.as_uri(), "capabilities": {}},
        )
        client.notify("initialized", {})
        yield client, project
    finally:
        if client.process.poll() is None:
            assert client.close() == 0


def test_diagnostics_on_open_follow_changes_and_clear(session: Any) -> None:
    client, project = session
    page = project / "harbour.md"  # never written: the editor's text is what is checked
    uri = page.as_uri()
    item = {"uri": uri, "languageId": "markdown", "version": 1, "text": REPEATED}
    client.notify("textDocument/didOpen", {"textDocument": item})
    found = [d for d in client.diagnostics(uri, 1) if d["code"] == "CL101"]
    assert len(found) == 1
    repeat = found[0]
    assert repeat["source"] == "corpuslint"
    assert repeat["severity"] == 1  # Error
    assert repeat["range"]["start"] == {"line": 6, "character": 0}
    assert repeat["range"]["end"]["line"] == 6
    related = repeat["relatedInformation"]
    assert related[0]["location"]["uri"] == uri
    assert related[0]["location"]["range"]["start"] == {"line": 2, "character": 0}

    once = REPEATED.rsplit(PARAGRAPH, 1)[0]
    change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": once}]}
    client.notify("textDocument/didChange", change)
    assert [d for d in client.diagnostics(uri, 2) if d["code"] == "CL101"] == []

    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    closed = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert closed["params"]["diagnostics"] == []
    assert not page.exists()


def test_a_copy_in_another_file_of_the_corpus_is_related(session: Any) -> None:
    client, project = session
    (project / "older.md").write_text(f"# Older\n\nIntro line here.\n\n{PARAGRAPH}\n", "utf-8")
    uri = (project / "newer.md").as_uri()
    item = {"uri": uri, "languageId": "markdown", "version": 1, "text": f"# New\n\n{PARAGRAPH}\n"}
    client.notify("textDocument/didOpen", {"textDocument": item})
    copies = [d for d in client.diagnostics(uri, 1) if d["code"] == "CL102"]
    assert len(copies) == 1
    assert copies[0]["range"]["start"] == {"line": 2, "character": 0}
    where = copies[0]["relatedInformation"][0]["location"]
    assert where["uri"] == (project / "older.md").as_uri()
    assert where["range"]["start"]["line"] == 4


def test_server_without_pygls_says_what_to_install(tmp_path: Path) -> None:
    blocked = "import sys; sys.modules['pygls'] = None; from corpuslint.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", blocked, "server"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert "install corpus-lint[lsp]" in done.stderr


def test_columns_are_utf16_code_units() -> None:
    lines = ["😀 émigré text", "second"]
    # Column 3 (1-based characters) is after the emoji (two UTF-16 units) and a space.
    assert server.position(lines, 1, 3) == (0, 3)
    assert server.position(lines, 1, 3, "utf-8") == (0, 5)
    assert server.position(lines, 1, 3, "utf-32") == (0, 2)
    assert server.position(lines, 1, 5, "utf-16") == (0, 5)  # "😀 ém": é is one unit
    assert server.position(lines, 1, 5, "utf-8") == (0, 8)  # é is two bytes
    assert server.position(lines, 2, 1) == (1, 0)
    assert server.position(lines, 9, 1) == (1, 6)  # past the end: the end of the text


def test_diagnostic_maps_severity_code_range_and_the_other_copy(tmp_path: Path) -> None:
    violation = Violation(
        "CL101",
        "duplicate-paragraph",
        Severity.WARNING,
        "Paragraph repeats the paragraph at line 1",
        "a.md",
        Span(3, 2, 3, 8),
        related=(Location("a.md", 1, 2),),
    )
    lines = ["«𝄞» one", "", "«𝄞» one"]
    made = server.diagnostic(violation, lines, lambda place: (tmp_path / place.path, lines))
    assert made.severity == 2  # Warning
    assert made.code == "CL101"
    assert made.start == (2, 1)
    assert made.end == (2, 8)  # 𝄞 is two UTF-16 units: 7 characters, 8 units
    assert made.related == ((tmp_path / "a.md", (0, 1)),)
