"""What git says about the project: the files staged for the next commit.

pre-commit may split a long list of staged files over several calls. Cross-document
rules choose the original of a copy among files that are not new in this run, so each
call must see the same set of new files: the targets plus everything staged.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT = 10.0  # seconds; git answers this in milliseconds even for 100,000 files


def staged(root: Path) -> frozenset[str]:
    """Absolute paths of the files under ``root`` staged in git (added, copied, modified, renamed).

    Empty outside a repository, or when git is missing or fails: then only the targets
    count as new, as they always did.
    """
    command = ["git", "-C", str(root), "diff", "--cached", "--name-only", "-z", "--relative"]
    command += ["--diff-filter=ACMR", "--no-ext-diff"]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if done.returncode != 0:
        return frozenset()
    names = os.fsdecode(done.stdout).split("\0")
    return frozenset(os.path.join(root, name) for name in names if name)
