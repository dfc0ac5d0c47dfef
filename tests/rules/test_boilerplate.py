"""Boilerplate: CL102 leaves paragraphs in many documents alone; CL104 lists them once."""

from __future__ import annotations

from pathlib import Path

from tests.corpus_helpers import article, paragraph, run, summary

# From the Rust blog's release posts (rust-lang/blog.rust-lang.org, MIT/Apache-2.0).
TEMPLATE = (
    "If you have a previous version of Rust installed via rustup, getting Rust {v} is as"
    " easy as: rustup update stable"
)


def release(root: Path, number: int, extra: str = "") -> None:
    body = [TEMPLATE.format(v=f"1.{number}.0"), paragraph(500 + number)]
    if extra:
        body.append(extra)
    name = f"Rust-1.{number}.md"
    (root / name).write_text(article(f"Announcing Rust 1.{number}", body), encoding="utf-8")


def test_template_in_five_posts_is_boilerplate(tmp_path: Path) -> None:
    for number in range(20, 25):
        release(tmp_path, number)
    assert summary(run(tmp_path, select="CL102")) == []
    listed = run(tmp_path, select="CL104").violations
    assert len(listed) == 1
    assert listed[0].path == "Rust-1.20.md"
    assert "5 copies in 5 documents" in listed[0].message
    assert len(listed[0].related) == 4


def test_template_in_four_posts_is_still_a_copy(tmp_path: Path) -> None:
    for number in range(20, 24):
        release(tmp_path, number)
    found = run(tmp_path, select="CL102").violations
    assert len(found) == 3  # each later post against Rust-1.20.md, numbers changed
    assert {v.related[0].path for v in found} == {"Rust-1.20.md"}
    assert all(v.similarity is not None for v in found)
    assert run(tmp_path, select="CL104").violations == ()


def test_a_real_copy_between_boilerplate_posts_is_reported(tmp_path: Path) -> None:
    shared = paragraph(9)
    for number in range(20, 26):
        release(tmp_path, number, shared if number in (21, 25) else "")
    assert summary(run(tmp_path, select="CL102")) == [
        ("CL102", "Rust-1.25.md", 10, "Rust-1.21.md", 10)
    ]


def test_option_turns_boilerplate_off(tmp_path: Path) -> None:
    for number in range(20, 25):
        release(tmp_path, number)
    rules: dict[str, dict[str, object]] = {
        "corpus-duplicate-paragraph": {"boilerplate-min-documents": 0}
    }
    assert len(run(tmp_path, select="CL102", rules=rules).violations) == 4


def test_boilerplate_is_known_from_a_pre_commit_run(tmp_path: Path) -> None:
    for number in range(20, 25):
        release(tmp_path, number)
    assert summary(run(tmp_path, ["Rust-1.24.md"], select="CL102")) == []
