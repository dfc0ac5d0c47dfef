"""markdownlint-cli2 with only its duplicate-heading rule (MD024), as a baseline for run.py.

    python benchmarks/markdownlint_baseline.py CORPUS [--cache DIR]

markdownlint-cli2 is installed on demand with npm into a folder of ``--cache`` (by
default the benchmarks' work folder under the system's temporary folder), never into the
repository: ``npm install --prefix DIR --no-save --no-package-lock``, at the pinned
version ``VERSION``, the newest whose ``engines`` accept Node 20 (0.23 and later need
Node 22). The configuration is an options file, ``md024.markdownlint-cli2.jsonc`` beside
that install, passed with ``--config``: ``{"config": {"default": false, "MD024": true}}``
turns every rule off and MD024 on. markdownlint-cli2 also merges the configuration files
it finds in the folders it lints (``.markdownlint-cli2.jsonc``, ``.markdownlint.json``,
...): a corpus holding one is refused, so that exactly MD024 runs. The glob ``**/*.md``
(run with the corpus as working directory) lints every ``.md`` file outside dot folders,
which is what ``make_corpus.py`` writes; the run prints ``Linting: N file(s)``, which
``linted_files`` reads so that the caller can compare N with the corpus's count.

Run as a script, it installs (if needed), runs once on CORPUS and prints the seconds,
the files linted and the findings.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

VERSION = "0.22.0"
NODE_MAJOR = 20  # the oldest Node that VERSION's engines field accepts
GLOB = "**/*.md"
CONFIG = {"config": {"default": False, "MD024": True}}
# The configuration files markdownlint-cli2 reads from the folders it lints.
LOCAL_CONFIGS = (
    ".markdownlint-cli2.jsonc",
    ".markdownlint-cli2.yaml",
    ".markdownlint-cli2.cjs",
    ".markdownlint-cli2.mjs",
    ".markdownlint.jsonc",
    ".markdownlint.json",
    ".markdownlint.yaml",
    ".markdownlint.yml",
    ".markdownlint.cjs",
    ".markdownlint.mjs",
)
REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "corpuslint-bench" / "tools"


@dataclass(frozen=True)
class Baseline:
    """A ready markdownlint-cli2: the command to run in a corpus, or why there is none."""

    command: tuple[str, ...] = ()
    skipped: str = ""


def node_major(node: str) -> int | None:
    """The major version of the Node at ``node`` (None if it does not answer)."""
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    found = re.match(r"v(\d+)\.", done.stdout.strip())
    return int(found.group(1)) if found else None


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it."""
    return path.resolve().is_relative_to(folder.resolve())


def prepare(cache: Path) -> Baseline:
    """Install markdownlint-cli2 ``VERSION`` under ``cache`` (once) and write the config."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return Baseline(skipped="skipped: node and npm are needed (not found on PATH)")
    major = node_major(node)
    if major is None or major < NODE_MAJOR:
        return Baseline(skipped=f"skipped: Node {NODE_MAJOR} or later is needed (found {major})")
    if inside(cache, REPOSITORY):
        return Baseline(skipped=f"skipped: {cache}: the npm cache folder is in the repository")
    folder = cache / f"markdownlint-cli2-{VERSION}"
    script = folder / "node_modules" / "markdownlint-cli2" / "markdownlint-cli2-bin.mjs"
    if not script.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        install = [npm, "install", "--prefix", str(folder), "--no-save", "--no-package-lock"]
        install += ["--no-audit", "--no-fund", f"markdownlint-cli2@{VERSION}"]
        done = subprocess.run(install, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not script.is_file():
            tail = " ".join(done.stderr.strip().splitlines()[-2:])
            return Baseline(skipped=f"skipped: npm install markdownlint-cli2@{VERSION}: {tail}")
    config = folder / "md024.markdownlint-cli2.jsonc"
    config.write_text(json.dumps(CONFIG) + "\n", encoding="utf-8")
    return Baseline(command=(node, str(script), "--config", str(config), GLOB))


def local_configs(corpus: Path) -> list[Path]:
    """markdownlint configuration files in ``corpus`` that would be merged into the run."""
    return sorted(p for name in LOCAL_CONFIGS for p in corpus.rglob(name))


def markdown_files(corpus: Path) -> int:
    """The ``.md`` files that ``GLOB`` matches: those outside dot folders."""
    return sum(
        1
        for p in corpus.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )


def linted_files(output: str) -> int | None:
    """N of the ``Linting: N file(s)`` line markdownlint-cli2 prints (None without one)."""
    found = re.search(r"^Linting: (\d+) file\(s\)", output, re.MULTILINE)
    return int(found.group(1)) if found else None


def findings(output: str) -> int | None:
    """N of the ``Summary: N error(s)`` line (None without one)."""
    found = re.search(r"^Summary: (\d+) error\(s\)", output, re.MULTILINE)
    return int(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    baseline = prepare(args.cache)
    if baseline.skipped:
        print(baseline.skipped)
        return 0
    if local_configs(corpus):
        print(f"{corpus}: holds markdownlint configuration files: {local_configs(corpus)}")
        return 2
    started = time.perf_counter()
    done = subprocess.run(baseline.command, cwd=corpus, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    print(
        f"markdownlint-cli2 {VERSION} MD024 only: {wall:.2f} s, exit {done.returncode},"
        f" linted {linted_files(done.stdout)} of {markdown_files(corpus)} .md files,"
        f" {findings(done.stdout)} findings"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
