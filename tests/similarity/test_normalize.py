"""Normalization: one meaning of "the same text" for every rule."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.similarity import normalize as normalize_module
from corpuslint.similarity.normalize import collapse, normalize, word_count

# The definition the fast paths must agree with: NFKC, one translation table, casefold.
_DEFINITION = str.maketrans(normalize_module._REPLACEMENTS)


def definition(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DEFINITION).casefold()
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello   World", "hello world"),
        ("  leading and trailing \n", "leading and trailing"),
        ("tabs\tand\nnew\r\nlines", "tabs and new lines"),
        ("\u201cQuoted\u201d and \u2018single\u2019", "\"quoted\" and 'single'"),
        ("it\u2019s", "it's"),
        ("`tick`", "'tick'"),
        ("\u00abguillemets\u00bb", '"guillemets"'),
        ("en\u2013dash em\u2014dash minus\u2212", "en-dash em-dash minus-"),
        ("non\u00a0breaking", "non breaking"),
        ("soft\u00adhyphen zero\u200bwidth", "softhyphen zerowidth"),
        ("*emphasis* and __strong__", "emphasis and strong"),
        ("***", ""),
        ("STRASSE Stra\u00dfe", "strasse strasse"),  # case folding, not lower()
        ("\uff21\uff22\uff23 \ufb01ne", "abc fine"),  # NFKC: full-width letters, ligature
        ("caf\u0065\u0301", "caf\u00e9"),  # combining accent composed
        ("\ufeffBOM", "bom"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


_TABLE_CHARS = "".join(normalize_module._REPLACEMENTS)


@given(st.text() | st.text(alphabet=st.sampled_from(_TABLE_CHARS + "aZ \t\u00e9\u00df")))
def test_normalize_agrees_with_its_definition(text: str) -> None:
    assert normalize(text) == definition(text)


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_normalized_text_has_no_stray_whitespace(text: str) -> None:
    result = normalize(text)
    assert result == " ".join(result.split())


def test_word_count() -> None:
    assert word_count("one two  three\nfour") == 4
    assert word_count("   ") == 0


@given(st.text() | st.text(alphabet=" \t\n\u00a0\u2028\u3000ab"))
def test_collapse_equals_split_and_join(text: str) -> None:
    assert collapse(text) == " ".join(text.split())


def test_collapse_relies_on_every_whitespace_but_the_space_being_unprintable() -> None:
    # collapse() returns a printable text as it is: that is only right while no other
    # whitespace character counts as printable in this Python's Unicode database.
    assert [hex(c) for c in range(0x110000) if chr(c).isspace() and chr(c).isprintable()] == [
        "0x20"
    ]


def test_no_character_normalizes_to_whitespace_but_a_space() -> None:
    # normalize(collapsed=True) looks only for spaces after NFKC and casefold: that is
    # only right while no other character becomes other whitespace in this database.
    other = {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" "}
    made = [
        hex(c)
        for c in range(0x110000)
        if not chr(c).isspace()
        and other & set(unicodedata.normalize("NFKC", chr(c)).casefold() + chr(c).casefold())
    ]
    assert made == []


# NFKC makes spaces of these: no-break, ideographic and en quad spaces, a diaeresis.
_SPACE_MAKERS = "\u00a0\u3000\u2000\u00a8\u00b4"


@given(
    st.text() | st.text(alphabet=st.sampled_from(_TABLE_CHARS + _SPACE_MAKERS + "aZ\u00e9 \t\n*_`"))
)
def test_normalize_of_collapsed_text_is_the_same_with_the_hint(text: str) -> None:
    collapsed = collapse(text)
    assert normalize(collapsed, collapsed=True) == normalize(collapsed)
