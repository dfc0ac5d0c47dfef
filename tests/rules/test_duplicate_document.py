"""CL103: a duplicated document is one finding, and stands for its CL102/CL202 findings."""

from __future__ import annotations

from pathlib import Path

from tests.corpus_helpers import article, paragraph, run, summary


def write(root: Path, name: str, title: str, body: list[str]) -> None:
    (root / name).write_text(article(title, body), encoding="utf-8")


def test_duplicated_article_is_one_finding(tmp_path: Path) -> None:
    body = [paragraph(n) for n in range(10)]
    write(tmp_path, "a.md", "Markets rally", body)
    write(tmp_path, "b.md", "Markets rally", body)
    result = run(tmp_path, select="CL102,CL103,CL202")
    assert summary(result) == [("CL103", "b.md", 2, "a.md", 2)]
    assert "100% of its prose" in result.violations[0].message


def test_mostly_duplicated_article_over_the_threshold(tmp_path: Path) -> None:
    body = [paragraph(n) for n in range(10)]
    write(tmp_path, "a.md", "One", body)
    write(tmp_path, "b.md", "Two", [*body[:9], paragraph(99)])  # 90 %
    assert [v.code for v in run(tmp_path, select="CL102,CL103").violations] == ["CL103"]


def test_article_quoting_two_paragraphs_is_not_a_duplicate(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "One", [paragraph(n) for n in range(10)])
    write(
        tmp_path,
        "b.md",
        "Two",
        [paragraph(1), paragraph(2)] + [paragraph(n) for n in range(50, 58)],
    )
    found = run(tmp_path, select="CL102,CL103").violations
    assert [v.code for v in found] == ["CL102", "CL102"]


def test_short_documents_are_left_to_cl102(tmp_path: Path) -> None:
    body = [paragraph(n) for n in range(3)]
    write(tmp_path, "a.md", "One", body)
    write(tmp_path, "b.md", "Two", body)
    assert [v.code for v in run(tmp_path, select="CL102,CL103").violations] == ["CL102"] * 3


def test_suppressing_the_document_finding_brings_back_nothing(tmp_path: Path) -> None:
    body = [paragraph(n) for n in range(6)]
    write(tmp_path, "a.md", "One", body)
    text = article("Two", body).replace(
        "---\n\n", "---\n\n<!-- corpuslint-disable-file CL103 -->\n\n", 1
    )
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    assert run(tmp_path, select="CL102,CL103").violations == ()


def test_the_newer_copy_is_reported(tmp_path: Path) -> None:
    body = [paragraph(n) for n in range(6)]
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\ndate: 2024-05-01\n---\n\n" + "\n\n".join(body) + "\n", encoding="utf-8"
    )
    (tmp_path / "b.md").write_text(
        "---\ntitle: B\ndate: 2019-05-01\n---\n\n" + "\n\n".join(body) + "\n", encoding="utf-8"
    )
    assert summary(run(tmp_path, select="CL103")) == [("CL103", "a.md", 2, "b.md", 2)]
