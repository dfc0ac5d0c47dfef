"""The Markdown reader's fast paths give the blocks and spans of the general ones.

The collector keeps its state in local variables, maps byte offsets to columns without
decoding when the bytes before a block are ASCII, and answers one-line blocks with one
search; ``blank_markup`` runs each expression only on text that can hold a match. The
expected blocks below are what the reader gave before those fast paths existed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from corpuslint.readers import markdown
from corpuslint.readers.markdown import blank_markup, parse_markdown

CASES = {
    # Characters of two, three and four UTF-8 bytes before a cell: columns count characters.
    "non-ascii before a cell": (
        "| é | ü b |\n|---|---|\n| 😀 x | [y](#z) |\n",
        [
            ("table-cell", "é", (1, 3, 1, 12)),
            ("table-cell", "ü b", (1, 7, 1, 12)),
            ("table-cell", "😀 x", (3, 3, 3, 18)),
            ("table-cell", "y", (3, 9, 3, 18)),
        ],
    ),
    "non-ascii in a quoted list and a task": (
        "> - ü item one\n>   continued ✓\n\n- [x] tâche\n",
        [
            ("quote", "ü item one continued ✓", (1, 5, 2, 16)),
            ("list-item", "tâche", (4, 3, 4, 12)),
        ],
    ),
    # A block's source runs over blank lines: its span ends on its last non-blank line.
    "blocks followed by blank lines": (
        "- a\n\n  para in loose item\n\n- b\n  ```\n  code\n  ```\n  after code\n\n\n",
        [
            ("list-item", "a", (1, 3, 1, 4)),
            ("list-item", "para in loose item", (3, 3, 3, 21)),
            ("list-item", "b", (5, 3, 5, 4)),
            ("list-item", "after code", (9, 3, 9, 13)),
        ],
    ),
    # The highest ranked container decides: a table in a quote is a table cell.
    "nested containers": (
        "> | t | u |\n> |---|---|\n> | v | w |\n\n> Text[^1]\n\n[^1]: > quoted footnote\n\n"
        "- Term\n\n  Def\n  : its definition\n",
        [
            ("table-cell", "t", (1, 5, 1, 12)),
            ("table-cell", "u", (1, 9, 1, 12)),
            ("table-cell", "v", (3, 5, 3, 12)),
            ("table-cell", "w", (3, 9, 3, 12)),
            ("quote", "Text", (5, 3, 5, 11)),
            ("footnote", "quoted footnote", (7, 9, 7, 24)),
            ("list-item", "Term", (9, 3, 9, 7)),
            ("definition", "Def", (11, 3, 11, 6)),
            ("definition", "its definition", (12, 5, 12, 19)),
        ],
    ),
    # Words that only start like markup stay prose; markup at a line start is blanked.
    "markup at line starts": (
        "important words open this line.\n\nimport X from 'x'\n\nexports grow {: .no}\n"
        "{:toc}\n\n  {{< x >}}   Shortcode then text ü.\n",
        [
            ("paragraph", "important words open this line.", (1, 1, 1, 32)),
            ("paragraph", "exports grow {: .no}", (5, 1, 5, 21)),
            ("paragraph", "Shortcode then text ü.", (8, 15, 8, 37)),
        ],
    ),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_blocks_and_spans_are_those_of_the_general_path(name: str, newline: str) -> None:
    text, expected = CASES[name]
    blocks = parse_markdown(text.replace("\n", newline), "a.md").blocks
    got = [
        (b.kind.value, b.text, (b.span.line, b.span.column, b.span.end_line, b.span.end_column))
        for b in blocks
    ]
    assert got == expected


class _Recorder:
    """Stands for a compiled expression and records the texts it is run on."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.texts: list[str] = []

    def sub(self, repl: Any, text: str) -> str:
        self.texts.append(text)
        return self.pattern.sub(repl, text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("_MDX_MODULE", "Some important words,\nand the exports rose.\n"),  # not at a line start
        ("_IAL", "A {{< shortcode >}} and {{ liquid }} but no attribute list.\n"),
        ("_HUGO_PAIR", "Liquid {% raw %}x{% endraw %} and {{ page.title }} only.\n"),
        ("_LIQUID_PAIR", "Hugo {{< x >}}y{{< /x >}} only.\n"),
    ],
)
def test_expressions_run_only_on_text_that_can_hold_a_match(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    recorder = _Recorder(getattr(markdown, name))
    monkeypatch.setattr(markdown, name, recorder)
    blanked = blank_markup(text)
    assert recorder.texts == []
    assert blanked.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("import X from 'x'\n\nBody.\n", "Body."),
        ("Intro.\nexport const a = 1\n\nBody.\n", "Body."),
        ("Intro {:toc}\n{: .note}\n", "Intro {:toc}"),
    ],
)
def test_markup_is_still_blanked_where_it_can_match(text: str, kept: str) -> None:
    assert kept in blank_markup(text)
    assert blank_markup(text) != text
