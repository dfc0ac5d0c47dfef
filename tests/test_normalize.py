"""Normalization: one meaning of "the same text" for every rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint.normalize import normalize, word_count


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
