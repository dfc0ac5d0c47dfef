"""The Markdown reader's prose model: block kinds, template markup, the ``compare`` setting."""

from __future__ import annotations

import pytest

from corpuslint.model import BlockKind, Span
from corpuslint.readers.markdown import COMPARE, blank_markup, parse_markdown

SENTENCE = "The council approved the new budget on Tuesday after a long debate."


def kinds(text: str) -> list[tuple[str, str]]:
    return [(b.kind.value, b.text) for b in parse_markdown(text, "a.md").blocks]


def test_tables_definitions_footnotes_captions_and_contents_are_not_paragraphs() -> None:
    text = (
        "- [Intro](#intro)\n- [Usage](#usage)\n\n"
        "| name | value |\n|---|---|\n| cell text | two |\n\n"
        "Term\n: its definition\n\n"
        "Body text[^1] and ![alt words](x.png) here.\n\n"
        "![Only an image](y.png)\n\n"
        "[^1]: A footnote.\n"
    )
    assert kinds(text) == [
        ("contents", "Intro"),
        ("contents", "Usage"),
        ("table-cell", "name"),
        ("table-cell", "value"),
        ("table-cell", "cell text"),
        ("table-cell", "two"),
        ("definition", "Term"),
        ("definition", "its definition"),
        ("paragraph", "Body text and here."),
        ("caption", "Only an image"),
        ("footnote", "A footnote."),
    ]


def test_a_list_item_with_an_in_page_link_is_still_a_list_item() -> None:
    assert kinds("- A real item that mentions [the intro](#intro) in passing.\n") == [
        ("list-item", "A real item that mentions the intro in passing.")
    ]


def test_hugo_shortcodes_are_markup_and_raw_pairs_are_blanked_whole() -> None:
    # The shape of gohugoio/hugoDocs pages: a code-toggle pair holding site configuration.
    text = (
        f"{SENTENCE}\n\n"
        "{{< code-toggle file=hugo >}}\n[params]\ntitle = 'The council approved it'\n"
        "{{< /code-toggle >}}\n\n"
        "{{% note %}}\nA note written in Markdown stays prose.\n{{% /note %}}\n\n"
        'See {{< ref "other" >}} for {{< param "x" >}} more.\n'
    )
    assert kinds(text) == [
        ("paragraph", SENTENCE),
        ("paragraph", "A note written in Markdown stays prose."),
        ("paragraph", "See for more."),
    ]


def test_liquid_tags_and_raw_blocks_are_markup() -> None:
    text = (
        '{% include note.html content="x" %}\n\n'
        "{% highlight ruby %}\ndef greeting; 'ruby code'; end\n{% endhighlight %}\n\n"
        "Welcome to {{ site.title }} and enjoy.\n"
    )
    assert kinds(text) == [("paragraph", "Welcome to and enjoy.")]


def test_mdx_imports_exports_and_components_are_markup() -> None:
    text = (
        "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n"
        "export const meta = {a: 1};\n\n"
        '<Tabs groupId="os">\n<TabItem value="mac" label="macOS">\n\n'
        "Install it with the package manager.\n\n</TabItem>\n</Tabs>\n"
    )
    assert kinds(text) == [("paragraph", "Install it with the package manager.")]


def test_blanking_keeps_byte_offsets_so_columns_stay_right() -> None:
    text = '{{< x "é" >}} Prose after it é.\n'
    assert len(blank_markup(text).encode()) == len(text.encode())
    (block,) = parse_markdown(text, "a.md").blocks
    assert block.span == Span(1, 15, 1, len(text.rstrip()) + 1)


def test_compare_defaults_to_paragraphs_and_quotes() -> None:
    text = f"- {SENTENCE}\n\n> {SENTENCE}\n\n{SENTENCE}\n"
    document = parse_markdown(text, "a.md")
    assert [b.kind for b in document.comparable()] == [BlockKind.QUOTE, BlockKind.PARAGRAPH]
    wider = parse_markdown(text, "a.md", {"compare": ("paragraph", "list-item")})
    assert [b.kind for b in wider.comparable()] == [BlockKind.LIST_ITEM, BlockKind.PARAGRAPH]


def test_compare_setting_rejects_unknown_kinds() -> None:
    assert COMPARE.coerce(["paragraph", "table-cell"]) == ("paragraph", "table-cell")
    with pytest.raises(ValueError, match="unknown block kind 'tables'"):
        COMPARE.coerce(["tables"])
