"""A worker's result the parent cannot rebuild: an error about its file, not a hang.

Pool unpickles results in a thread of its own; one that raises while being rebuilt
killed that thread and left the run waiting for ever. Results now cross the pool as
bytes and are rebuilt by the parent's own loop.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.engines.local.test_watch import run

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")

# A plugin-like object in odd.txt's outcome: it pickles in the worker, and rebuilding
# it in the parent raises.
UNREBUILDABLE = """
import dataclasses, sys
from corpuslint.run import executor
from corpuslint.cli import main

def rebuild(text):
    raise ValueError("this object cannot be rebuilt")

class Odd(str):
    def __reduce__(self):
        return (rebuild, (str(self),))

original = executor.Checker._check

def odd(self, source, digest):
    outcome, found = original(self, source, digest)
    if source.path.name == "odd.txt":
        outcome = dataclasses.replace(outcome, errors=(*outcome.errors, Odd("odd")))
    return outcome, found

executor.Checker._check = odd
main(sys.argv[1:])
"""


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(30):
        (folder / f"a{number:02}.txt").write_text(f"Headline {number}\n\nBody text {number}.\n")
    (folder / "odd.txt").write_text("Odd\n\nA file whose result cannot be rebuilt.\n")
    return folder


@pytest.mark.usefixtures("own_cache")
@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_a_result_that_cannot_be_rebuilt_is_a_finding_on_its_file(
    tmp_path: Path, cache: tuple[str, ...]
) -> None:
    folder = _corpus(tmp_path)
    args = ("check", str(folder), "--jobs", "2", *cache, "--format", "json")
    done = run(UNREBUILDABLE, tmp_path, *args)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    odd = [(f["code"], f["message"]) for f in found if f["path"].endswith("odd.txt")]
    assert odd == [
        (
            "CL001",
            "the result of checking this file could not be passed back from its worker"
            " process: ValueError: this object cannot be rebuilt",
        )
    ]
    others = sorted(Path(f["path"]).name for f in found if f["code"] == "CL301")
    assert others == [f"a{number:02}.txt" for number in range(30)]
