"""The built-in rules' fast paths give what their plain definitions give.

Each fast path (a word count that stops at ``min-words``, a number template that scans
only between the first and last digit, keys hashed a document at a time, a finding's
end found without a span per block, metadata keys folded once per configuration) is
checked against the definition it stands for, on generated text and on documents
shaped to reach its edge cases.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.model import Block, BlockKind, Document, Signature, Span
from corpuslint.similarity.hashing import (
    near_keys,
    packed_text_key,
    packed_text_keys,
    text_key,
)
from corpuslint.similarity.normalize import has_words, normalize, word_count
from corpuslint_rules.attribution import MissingAttribution
from corpuslint_rules.boilerplate import SALT as BOILERPLATE_SALT
from corpuslint_rules.boilerplate import BoilerplateParagraph
from corpuslint_rules.corpus_paragraph import EXACT_SALT, CorpusDuplicateParagraph, template
from corpuslint_rules.duplicate_document import DuplicateDocument
from corpuslint_rules.duplicate_paragraph import comparable_blocks

# Whitespace of every kind ``str.split`` knows, CJK characters (a word each), letters,
# digits (ASCII and not) and number separators.
_WORDY = st.text(
    alphabet=" \t\n\r\x0b\x0c\x1c\u00a0\u2003\u3000ab.,-\u4e2d\u30a2\ud55c\u00e97\u0663",
    max_size=40,
)
_NUMBERY = st.text(alphabet="0123456789.,:/ a-\u0663\u00b2\u00e9\uff11\u4e2d", max_size=40)
_DEFINITION_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")


@given(_WORDY, st.integers(min_value=-1, max_value=12))
def test_has_words_is_a_word_count_at_least(text: str, least: int) -> None:
    assert has_words(text, least) == (word_count(text) >= least)


@pytest.mark.parametrize(
    ("text", "least", "expected"),
    [
        ("one two three", 3, True),
        ("one two three", 4, False),
        ("  one   two three  ", 3, True),  # outer and double spaces are no words
        ("one\ttwo\nthree", 3, True),
        ("", 0, True),
        ("", 1, False),
        ("\u4e2d\u6587\u5b57", 3, True),  # CJK: a character is a word
        ("\u4e2d\u6587 abc", 3, True),
        ("\u00e9t\u00e9 chaud", 3, False),  # not CJK: split on whitespace
    ],
)
def test_has_words_examples(text: str, least: int, expected: bool) -> None:
    assert has_words(text, least) is expected


@given(_NUMBERY)
def test_template_is_every_number_made_zero(text: str) -> None:
    assert template(text) == _DEFINITION_NUMBER.sub("0", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("getting rust 1.20.0 is as easy as", "getting rust 0 is as easy as"),
        ("no digits at all", "no digits at all"),
        ("2024: 1,000/3 and 12:30.", "0: 0 and 0."),
        ("ends with a dot 7.", "ends with a dot 0."),
        ("v1..2 .5 x", "v0..0 .0 x"),
        ("caf\u00e9 \u0663\u0664 and 5", "caf\u00e9 0 and 0"),  # non-ASCII digits too
    ],
)
def test_template_examples(text: str, expected: str) -> None:
    assert template(text) == expected


@given(st.lists(st.text(max_size=30), max_size=8), st.binary(max_size=12))
def test_packed_text_keys_are_each_packed_text_key(texts: list[str], salt: bytes) -> None:
    assert packed_text_keys(texts, salt) == [packed_text_key(t, salt) for t in texts]


def test_packed_text_keys_take_lone_surrogates() -> None:
    texts = ["\ud800 lone", "plain"]
    assert packed_text_keys(texts, b"s\0") == [packed_text_key(t, b"s\0") for t in texts]


def _block(text: str, span: Span, kind: BlockKind = BlockKind.PARAGRAPH) -> Block:
    return Block(kind, text, normalize(text), span)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _sentence(number: int) -> str:
    """A paragraph of its own (no number: templates would make them one)."""
    return f"The {_ORDINALS[number]} paragraph says eight words or more about the budget vote."


def _document(record: str | None = None) -> Document:
    """A headline, prose, and blocks whose ends are out of order (same line, other columns)."""
    headline = _block("Council Approves Budget", Span(1, 1, 1, 24), BlockKind.HEADING)
    blocks = [
        headline,
        _block("print('a code block running past the prose')", Span(3, 1, 40, 4), BlockKind.CODE),
        *(_block(_sentence(n), Span(5 + n, 1, 5 + n, 60)) for n in range(6)),
        _block("A quote ending on the code block's last line, further right.", Span(38, 1, 40, 9)),
        _block("A caption line.", Span(40, 1, 40, 2), BlockKind.CAPTION),
    ]
    return Document("news/a.md", "markdown", tuple(blocks), headline, record=record)


def _covered(document: Document) -> Span:
    """The definition: the headline's span covering every block's, its start kept."""
    assert document.headline is not None
    head = span = document.headline.span
    for block in document.blocks:
        span = span.cover(block.span)
    return Span(head.line, head.column, span.end_line, span.end_column)


def test_duplicate_document_span_ends_where_the_last_block_ends() -> None:
    document = _document()
    rule = DuplicateDocument()
    (signature,) = rule.signatures(document, rule.defaults())
    assert signature.span == _covered(document) == Span(1, 1, 40, 9)


def test_duplicate_document_span_of_a_record_stays_on_its_headline() -> None:
    document = _document(record="record 3")
    rule = DuplicateDocument()
    (signature,) = rule.signatures(document, rule.defaults())
    assert signature.span == Span(1, 1, 1, 24)


def _definition_signatures(
    document: Document, options: dict[str, Any], allowed: re.Pattern[str] | None
) -> list[Signature]:
    """CL102's signatures built one block at a time, as their definition reads."""
    blocks = [
        b
        for b in comparable_blocks(document, options["min-words"])
        if allowed is None or not allowed.search(b.normalized)
    ]
    forms = [_DEFINITION_NUMBER.sub("0", b.normalized) for b in blocks]
    near = near_keys(forms, options["bands"], options["rows"])
    return [
        _block_signature(document, block, packed_text_key(form, EXACT_SALT) + bands, summary)
        for block, form, (bands, summary) in zip(blocks, forms, near, strict=True)
    ]


def _block_signature(document: Document, block: Block, keys: bytes, sketch: bytes) -> Signature:
    """A paragraph rule's signature of ``block``, every field as the definition reads."""
    return Signature(
        keys,
        document.path,
        block.span,
        block.normalized,
        document.record,
        block.label,
        True,
        sketch,
        document.date,
    )


@pytest.mark.parametrize(
    ("allow", "kept"), [((), 7), (("budget vote\\.$",), 1), (("^the third ",), 6)]
)
def test_corpus_paragraph_signatures_match_their_definition(
    allow: Sequence[str], kept: int
) -> None:
    document = _document()
    rule = CorpusDuplicateParagraph()
    options = {**rule.defaults(), "allow": tuple(allow)}
    allowed = re.compile("|".join(f"(?:{a})" for a in allow), re.IGNORECASE) if allow else None
    found = list(rule.signatures(document, options))
    assert found == _definition_signatures(document, options, allowed)
    assert len(found) == kept


def _attributed(metadata: dict[str, Any], blocks: Sequence[Block] | None = None) -> Document:
    body = blocks if blocks is not None else [_block(_sentence(1), Span(3, 1, 3, 60))]
    return Document("news/b.md", "markdown", tuple(body), None, metadata)


@pytest.mark.parametrize(
    ("metadata", "options", "credited"),
    [
        ({"Author": "Jane Doe"}, {}, True),  # keys are compared case folded
        ({"SOURCE": "https://example.org/story"}, {}, False),  # a URL names no one
        ({"SOURCE": "https://example.org/story"}, {"provenance-keys": ("Source",)}, True),
        ({"Origin": "https://example.org/story"}, {"provenance-keys": ("ORIGIN",)}, True),
        ({"origin": "Jane Doe"}, {}, False),  # not a key the rule reads
    ],
)
def test_metadata_keys_fold_case_per_configuration(
    metadata: dict[str, Any], options: dict[str, Any], credited: bool
) -> None:
    rule = MissingAttribution()
    settings = {**rule.defaults(), **options}
    assert (rule.evidence(_attributed(metadata), settings).credit is not None) is credited
    assert (list(rule.check(_attributed(metadata), settings)) == []) is credited


def test_metadata_note_names_every_key_read_once() -> None:
    rule = MissingAttribution()
    settings = {**rule.defaults(), "provenance-keys": ("Source", "Origin")}
    looked = dict(rule.evidence(_attributed({"author": ""}), settings).looked_at)
    assert looked["metadata"] == (
        "metadata keys author, authors, byline, credit, origin, source"
        " (present but naming no one: author='')"
    )


def test_document_without_prose_is_not_checked() -> None:
    rule = MissingAttribution()
    heading = _block("Council Approves Budget", Span(1, 1, 1, 24), BlockKind.HEADING)
    code = _block("print('no prose here')", Span(3, 1, 3, 23), BlockKind.CODE)
    assert list(rule.check(_attributed({}, [heading, code]), rule.defaults())) == []
    assert len(list(rule.check(_attributed({}), rule.defaults()))) == 1


def test_keys_are_packed_in_native_order() -> None:
    (packed,) = packed_text_keys(["text"], b"salt")
    assert int.from_bytes(packed, sys.byteorder) == text_key("text", b"salt")


def test_boilerplate_signatures_match_their_definition() -> None:
    document = _document()
    rule = BoilerplateParagraph()
    options = rule.defaults()
    expected = [
        _block_signature(
            document,
            block,
            packed_text_key(_DEFINITION_NUMBER.sub("0", block.normalized), BOILERPLATE_SALT),
            b"",
        )
        for block in comparable_blocks(document, options["min-words"])
    ]
    assert list(rule.signatures(document, options)) == expected
    assert len(expected) == 7
