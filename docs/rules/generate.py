"""Write one page per rule, docs/rules/<CODE>.md, from what ``corpuslint rule CODE`` prints.

    python docs/rules/generate.py           # write the pages of every installed rule
    python docs/rules/generate.py --check   # exit 1 naming the pages that are out of date

The rule docstrings are the source; these pages are their copy for readers on the web.
``tests/test_docs_pages.py`` fails when a page no longer matches its rule.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

PAGES = Path(__file__).resolve().parent


def _corpuslint(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "corpuslint", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def codes() -> list[str]:
    """The codes of every installed rule, those off by default included."""
    return [line.split()[0] for line in _corpuslint("rules", "--all").splitlines() if line]


def page(code: str) -> str:
    """The page of rule ``code``: its ``corpuslint rule`` text."""
    return _corpuslint("rule", code).rstrip("\n") + "\n"


def main() -> int:
    """Write or check the pages; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale pages")
    args = parser.parse_args()
    stale = []
    for code in codes():
        path = PAGES / f"{code}.md"
        text = page(code)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run python docs/rules/generate.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
