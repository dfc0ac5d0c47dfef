"""``--statistics``: findings per rule and how many files were checked, in any format.

The numbers are plain data (:func:`statistics`); each formatter renders them through
its ``statistics`` method: a table by default, data in the formats machines read.
"""

from __future__ import annotations

from typing import Any

from corpuslint.model import Result


def statistics(result: Result) -> dict[str, Any]:
    """Findings per rule (most first) and file counts: checked, with findings, skipped."""
    counts: dict[tuple[str, str], int] = {}
    for v in result.violations:
        counts[(v.code, v.rule)] = counts.get((v.code, v.rule), 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    checked = set(result.files)
    with_findings = {v.path for v in result.violations}
    return {
        "rules": [{"code": c, "rule": r, "count": n} for (c, r), n in rows],
        "files": {
            "checked": len(checked | with_findings),
            "with_findings": len(with_findings),
            "skipped": len(result.skipped),
        },
        "findings": len(result.violations),
    }


def table(data: dict[str, Any]) -> str:
    """The statistics as text: a line per rule, then the file counts."""
    lines = [f"{row['count']:>6}  {row['code']}  {row['rule']}" for row in data["rules"]]
    files = data["files"]
    lines.append(
        f"Files: {files['checked']} checked, {files['with_findings']} with findings,"
        f" {files['skipped']} skipped"
    )
    return "".join(line + "\n" for line in lines)
