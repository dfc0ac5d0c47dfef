"""Property tests: any text is read without a crash, and every span lies inside the file."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuslint import plugins
from corpuslint.config import Config
from corpuslint.engines.local.runner import check
from corpuslint.readers.base import split_lines
from corpuslint.run.plan import Overrides

REGISTRY = plugins.load()
PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "\ufeff",
        "\x00",
        "\u200b",
        "\u202e",
        "e\u0301",
        "# ",
        "- ",
        "> ",
        "```\n",
        "---\n",
        "+++\n",
        "<!-- ",
        " -->",
        "<p>",
        "</p>",
        "By Jane Doe",
        "***",
        "\t",
        "title: x\n",
        "{",
        "}",
        '"text": ',
        "\u2028",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), PIECES), max_size=40).map("".join)
SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".jsonl"])


def lint(root: Path) -> list[dict[str, object]]:
    config = Config(root=root)
    result = check([root], config, REGISTRY, Overrides(select=("ALL",), cache=False), cwd=root)
    assert not result.errors, result.errors
    return [
        {"code": v.code, "path": v.path, "span": v.span, "related": v.related}
        for v in result.violations
    ]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT, suffix=SUFFIXES, repeat=st.booleans())
def test_any_text_gives_findings_inside_the_file(
    tmp_path_factory: object, text: str, suffix: str, repeat: bool
) -> None:
    root = Path(tmp_path_factory.mktemp("prop"))  # type: ignore[attr-defined]
    if suffix == ".jsonl":
        text = json.dumps({"id": 1, "title": text[:20], "text": text}) + "\n" + text
    if repeat:
        text += "\n\nThis paragraph is long enough to be compared with its copy below.\n\n" * 2
    path = root / f"doc{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    findings = lint(root)
    assert findings == lint(root)  # deterministic
    lines = split_lines(path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff"))
    for finding in findings:
        span = finding["span"]
        assert 1 <= span.line <= span.end_line <= len(lines), finding  # type: ignore[attr-defined]
        if finding["code"] in ("CL101", "CL201", "CL301"):
            assert 1 <= span.column <= len(lines[span.line - 1]) + 1, finding  # type: ignore[attr-defined]
    if repeat and suffix == ".txt" and "\x00" not in text:  # NUL: a binary file, CL001 only
        assert any(f["code"] == "CL101" for f in findings)
