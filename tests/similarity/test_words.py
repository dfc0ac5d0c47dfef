"""word_count: the length every ``min-words`` option measures, in any script."""

from __future__ import annotations

import pytest

from corpuslint.similarity.normalize import normalize, word_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("The council approved the budget.", 5),
        ("Le conseil a approuvé le budget .", 7),  # other scripts: words between spaces
        ("***", 0),  # emphasis marks are dropped by normalize
        # Chinese, Japanese, Korean: a character is a word-equivalent.
        ("市议会批准了公园管理部门的新预算。", 16),
        ("市議会は新しい予算を承認しました。", 16),
        ("시의회는 새 예산을 승인했다.", 12),
        # Letters and digits between them are one word each; punctuation alone is none.
        ("2024年iPhone发布", 5),
        ("广告", 2),  # a two-character label ("Advertisement") stays short
        ("※ 广告 ※", 2),
    ],
)
def test_word_count(text: str, expected: int) -> None:
    assert word_count(normalize(text)) == expected


def test_a_cjk_paragraph_reaches_the_default_min_words() -> None:
    assert word_count(normalize("市议会周二晚上经过长时间激烈辩论后，批准了新预算。")) >= 8
    assert word_count(normalize("广告：请勿转载")) < 8
