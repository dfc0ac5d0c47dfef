"""CL301 as editors write attribution: credit lines and bylines in many languages, look-alikes,
HTML headers and metadata that names no one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from corpuslint.readers.html import parse_html
from corpuslint.readers.markdown import parse_markdown
from corpuslint.readers.text import parse_text
from corpuslint_rules import attribution, attribution_languages
from corpuslint_rules.attribution import MissingAttribution, names_someone, outlet_dateline
from corpuslint_rules.attribution_languages import BUILT_IN, Language, LanguageError, select

HTML = Path(__file__).parent / "attribution_html"
BODY = "The council approved the budget on Tuesday after a long and heated debate in the hall."


def credited(line: str, position: int = 0, **options: Any) -> str | None:
    """The form CL301 counted when ``line`` is block ``position`` under a headline."""
    rule = MissingAttribution()
    blocks = [BODY] * 4
    blocks.insert(position, line)
    document = parse_text("Council Approves Budget\n\n" + "\n\n".join(blocks), "a.txt")
    credit = rule.evidence(document, {**rule.defaults(), **options}).credit
    return credit.pattern if credit else None


@pytest.mark.parametrize(
    "line",
    [
        "Author: Nigel Brown (VMware)",
        "By Uma Ferreira",  # "uma" is a Portuguese article: not a name only after "por"
        "Authors & Interviewers: Jane Doe (Google), John Roe",
        "Posted by Konstantin on March 3, 2021",
        "Posted on October 27, 2015 by Jane Doe",
        "Guest post by Jane Doe",
        "Contributed by Jane Doe",
        "Story by Jane Doe",
        "Text: Jane Doe",
        "Words: Jane Doe",
        "Reporting: Jane Doe and John Roe",
        "By: Jane Doe",
        "Compiled by Jane Doe",
        "Written by Jane Doe",
        "Additional reporting by Jane Doe in Paris",
        "By Louis Jacobson on Monday, November 18th, 2019 at 11:04 a.m.",
        "Von Roland Brockmann und Sebastian Drescher",
        "Ein Artikel von Jane Doe",
        "Beitrag von Hans Müller",
        "Autor: Hans Müller",
        "Redaktion: Petra Schmidt",
        "Text von Anna Berg",
        "Verfasst von Anna Berg",
        "Gespeichert von Anna Berg am 24. Juli",
        "par Didier Roy",
        "Par Didier Roy, le 3 mars",
        "Auteur : Didier Roy",
        "Propos recueillis par Didier Roy",
        "Por Juan Pérez",
        "Por Ana Souza | 12/03/2020",
        "Escrito por Ana Souza",
        "di Mario Rossi",
        "A cura di Mario Rossi",
        "Door Jan de Vries",
        "Geschreven door Jan de Vries",
        "责任编辑：王小明",
        "作者：李华",
        "本报记者 王小明",
        "（记者 张三）",
        "文：山田太郎",
        "（山田太郎記者）",
        "칼럼니스트 박생강 pillgoo9@gmail.com",
        "정덕현 칼럼니스트 thekian1@entermedia.co.kr",
        "김철수 기자",
        "By The React Team",
        "By the Rust Release Team on March 5, 2024",
        "Posted by the Core Team",
        "Author: The React Team",
        "Source: The Guardian",
        "Credit: The New York Times",
        "Written by Jane Doe. She covers politics for the paper.",
        "By Jane Doe. Updated daily.",
        "Reporting by the Associated Press",
        "This article was originally published on The Conversation. Read the original article.",
        "This post originally appeared on the New Relic blog.",
        "Originally published at Medium",
        "Republished with permission from Nieman Lab",
    ],
)
def test_credit_forms(line: str) -> None:
    assert credited(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "By March, the figure had doubled",
        "Research by handset maker Nokia shows that phones sell well.",
        "Produced by Bungie software, the game sold a million copies.",
        "The study is based on research by California Institute of Technology scientists.",
        "Source: 2023 developer survey, n=9,710",
        "Photos by the events team",
        "By the time the team arrived, the doors were shut.",
        "By The Numbers",
        "Originally, the plan was different.",
        "First published in 1999, the book sold well.",
        "The plan first appeared in March 2020.",
        "Posted on October 27, 2015 by Admin",
        "Von Montag bis Freitag bleibt das Büro geschlossen.",
        "Von Berlin aus fuhr der Zug weiter nach Hamburg und dann nach Kiel.",
        "La decisione di Mario Rossi è arrivata ieri sera dopo il voto.",
        "El anuncio fue hecho por Juan Pérez en la capital del país ayer.",
        "De beslissing werd genomen door Jan de Vries na lang overleg.",
        "Il a été reçu par Didier Roy à Paris lundi soir dernier.",
        "Di Maio ha detto che il governo andrà avanti.",
        "记者了解到，该项目已经完成。",
        "대통령은 기자회견에서 새로운 정책을 발표했다.",
        "많은 기자들이 현장에 모였다.",
    ],
)
def test_look_alikes(line: str) -> None:
    assert credited(line) is None


def test_prepositions_count_only_in_byline_position() -> None:
    assert credited("di Mario Rossi", position=0) is not None
    assert credited("di Mario Rossi", position=4, **{"byline-window": 2}) is None
    # A label or verb form counts anywhere.
    assert credited("Autor: Hans Müller", position=4, **{"byline-window": 2}) is not None


def test_languages_option_selects_tables() -> None:
    assert credited("Von Roland Brockmann", languages=("en",)) is None
    assert credited("Von Roland Brockmann", languages=("de",)) is not None
    assert credited("By Jane Doe", languages=("de", "fr")) is None
    with pytest.raises(LanguageError, match="unknown language 'xx'"):
        select(("xx",))
    with pytest.raises(ValueError, match="option 'languages'"):
        MissingAttribution.validate({**MissingAttribution.defaults(), "languages": ("xx",)})


def test_a_tables_patterns_run_only_on_blocks_holding_what_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = Language("xx", "Test", patterns=(r"^Filed from \w+",), needs="[\u03a9]")
    monkeypatch.setattr(attribution_languages, "installed", lambda: (*BUILT_IN, table))
    attribution._compile.cache_clear()
    try:
        assert credited("Filed from Athens \u03a9", languages=("xx",)) is not None
        # The pattern matches, but the block holds no character of ``needs``.
        assert credited("Filed from Athens", languages=("xx",)) is None
        assert credited("Filed from Athens \u00e9", languages=("xx",)) is None
    finally:
        attribution._compile.cache_clear()


def test_an_installed_tables_patterns_are_checked_with_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = Language("xx", "Test", patterns=(r"^Filed (from",))
    monkeypatch.setattr(attribution_languages, "installed", lambda: (*BUILT_IN, broken))
    MissingAttribution.validate(MissingAttribution.defaults() | {"languages": ("en", "zh")})
    with pytest.raises(ValueError, match="option 'patterns': missing \\)"):
        MissingAttribution.validate(MissingAttribution.defaults())


def test_every_built_in_pattern_compiles() -> None:
    # The option check leaves the package's own tables to this test.
    for table in BUILT_IN:
        for pattern in table.patterns:
            re.compile(pattern, re.MULTILINE)


@pytest.mark.parametrize(
    "line",
    [
        "\uff08\u5c71\u7530\u592a\u90ce\u8a18\u8005\uff09",
        "\uae40\ucca0\uc218 \uae30\uc790",
        "\u8bb0\u8005 \u738b\u5c0f\u660e",
    ],
)
def test_cjk_patterns_need_a_cjk_character_and_still_credit(line: str) -> None:
    for table in BUILT_IN:
        if table.patterns:
            assert table.needs, table.code
            need = re.compile(table.needs)
            # Every pattern's matches hold a character of the table's ``needs``.
            for pattern in table.patterns:
                for found in re.finditer(pattern, line, re.MULTILINE):
                    assert need.search(found.group(0)), (table.code, found.group(0))
    assert credited(line) is not None


def test_patterns_match_the_text_with_emphasis_removed() -> None:
    rule = MissingAttribution()
    text = "# Council Approves Budget\n\n**Filed** from the _city desk_\n\n" + BODY + "\n"
    document = parse_markdown(text, "a.md")
    options = {**rule.defaults(), "patterns": ("^filed from the city desk",)}
    assert rule.evidence(document, rule.defaults()).credit is None
    assert rule.evidence(document, options).credit is not None


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("LONDON (The Guardian) - The council", True),
        ("WASHINGTON (BBC News) — The council", True),
        ("WASHINGTON, D.C. (The Hill) - The council", True),
        ("In London (pictured) - the council", False),
        ("LONDON (pictured) - the council", False),
        ("The council (AP) - met", False),
    ],
)
def test_outlet_datelines(text: str, dateline: bool) -> None:
    assert (outlet_dateline(text) is not None) is dateline


def test_outlet_dateline_only_in_the_first_paragraph() -> None:
    line = "LONDON (The Guardian) - " + BODY
    assert credited(line, position=0) == "outlet dateline"
    assert credited(line, position=2) is None


@pytest.mark.parametrize(
    ("value", "urls", "names"),
    [
        ("Jane Doe", False, True),
        ("", False, False),
        ("   ", False, False),
        ([], False, False),
        ([""], False, False),
        (["", "Jane Doe"], False, True),
        ("https://example.org/release-notes", False, False),
        ("https://example.org/release-notes", True, True),
        ({"@type": "Person", "name": "Jane Doe"}, False, True),
        ({"@type": "Person", "name": ""}, False, False),
        (0, False, False),
        (True, False, False),
        (None, False, False),
    ],
)
def test_metadata_values_count_only_when_they_name_someone(
    value: object, urls: bool, names: bool
) -> None:
    assert names_someone(value, urls) is names


def markdown_findings(front: str, **options: Any) -> int:
    rule = MissingAttribution()
    document = parse_markdown(f"---\ntitle: Budget\n{front}---\n\n{BODY}\n", "a.md")
    return len(list(rule.check(document, {**rule.defaults(), **options})))


def test_source_url_counts_only_under_provenance_keys() -> None:
    front = 'source: "https://example.org/notes"\n'
    assert markdown_findings(front) == 1
    assert markdown_findings(front, **{"provenance-keys": ("source",)}) == 0
    assert markdown_findings('author: ""\nauthors: []\n') == 1
    assert markdown_findings("authors: [Jane Doe]\n") == 0


def page(head: str, body: str) -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


ARTICLE = f"<article><h1>Council Approves Budget</h1><p>{BODY}</p><p>{BODY} Again.</p></article>"


def html_credit(data: bytes, options: Mapping[str, Any] | None = None) -> str | None:
    rule = MissingAttribution()
    document = parse_html(data, "a.html")
    credit = rule.evidence(document, {**rule.defaults(), **(options or {})}).credit
    return f"{credit.where}: {credit.text}" if credit else None


def test_html_benchmark_page_with_a_header_byline() -> None:
    data = (HTML / "politifact_header_byline.html").read_bytes()
    assert html_credit(data) is not None
    without = data.replace(b"By <a", b"<a").replace(b"Louis Jacobson</a>", b"</a>")
    assert html_credit(without) is None


def test_html_byline_in_the_page_header_outside_the_content() -> None:
    header = (
        "<header><h1>Council Approves Budget</h1>"
        "<div>By <a>Cara Stiles</a> | <time>April 13, 2020</time></div></header>"
    )
    data = page("", header + f"<main><p>{BODY}</p><p>{BODY} Again.</p></main>")
    assert html_credit(data) == "page header: By Cara Stiles | April 13, 2020"
    posted = page("", "<header><p>Posted by Konstantin</p></header>" + ARTICLE)
    assert html_credit(posted) == "page header: Posted by Konstantin"


@pytest.mark.parametrize(
    "head",
    [
        '<meta name="author" content="The Daily Bugle">'
        '<meta property="og:site_name" content="The Daily Bugle">',
        '<meta name="author" content="dailybugle">'
        '<link rel="canonical" href="https://www.dailybugle.com/x">',
        '<meta name="twitter:creator" content="@dailybugle">',
        '<meta name="author" content="">',
        '<meta name="author" content="@dailybugle">',
        '<script type="application/ld+json">'
        '{"author": {"@type": "Organization", "name": "Daily Bugle"}}</script>'
        '<meta property="og:site_name" content="Daily Bugle">',
    ],
)
def test_html_authors_that_name_no_one(head: str) -> None:
    assert html_credit(page(head, ARTICLE)) is None


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ('<meta name="author" content="Jane Doe">', ""),
        ('<script type="application/ld+json">{"creator": "Jane Doe"}</script>', ""),
        ("", '<p>by <a rel="author" href="/jane">Jane Doe</a></p>'),
        ("", '<span itemprop="author">Jane Doe</span>'),
        ("", "<address>Jane Doe, City Desk</address>"),
        ("", '<div class="vcard"><span class="fn">Jane Doe</span></div>'),
    ],
)
def test_html_authors(head: str, body: str) -> None:
    assert html_credit(page(head, ARTICLE + body)) is not None


def test_html_commenters_are_not_authors() -> None:
    comments = (
        '<ol class="commentlist"><li><span class="comment-author vcard">'
        '<strong class="fn">Another Blog</strong></span></li></ol>'
    )
    assert html_credit(page("", ARTICLE + comments)) is None
    assert html_credit(page("", ARTICLE + "<footer><address>1 Main St</address></footer>")) is None


def credited_markdown(line: str) -> str | None:
    """The form CL301 counted when Markdown ``line`` is the first block under a headline."""
    rule = MissingAttribution()
    text = "# Council Approves Budget\n\n" + line + "\n\n" + "\n\n".join([BODY] * 4) + "\n"
    credit = rule.evidence(parse_markdown(text, "a.md"), rule.defaults()).credit
    return credit.pattern if credit else None


# Dated bylines with linked names, as the React blog and its translations write them.
@pytest.mark.parametrize(
    "line",
    [
        "December 21, 2020 by [Dan Abramov](https://example.org/dan) and [Lauren Tan](https://example.org/lt)",
        "Le 8 mars 2022 par [Rick Hanlon](https://example.org/rick)",
        "El 3 de mayo de 2023 por [Sophie Alpert](https://example.org/sophie)",
        "21. Dezember 2020 von [Hans Müller](https://example.org/hm)",
        "2020-12-21 by Jane Doe",
        "June 8, 2021 by [Andrew Clark](https://a.example), [Brian Vaughn](https://b.example),"
        " [Christine Abernathy](https://c.example), [Dan Abramov](https://d.example), [Rachel"
        " Nabors](https://e.example), [Rick Hanlon](https://f.example), [Sebastian"
        " Markbåge](https://g.example), and [Seth Webster](https://h.example)",
    ],
)
def test_dated_bylines(line: str) -> None:
    assert credited_markdown(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "In 2020 by Christmas the council had approved the budget.",
        "December 21, 2020 by March",
        "By Christmas, the council, the mayor, the treasurer and every member of the public"
        " gallery had read the full budget and all of its many appendices twice",
    ],
)
def test_dated_byline_look_alikes(line: str) -> None:
    assert credited_markdown(line) is None


# Credit lines as blog and news templates lay them out (forms found on real pages of
# trafilatura's evaluation set: user names after a credit, a label set apart from its
# name, a date before the credit, a byline bar, an agency with its desk).
@pytest.mark.parametrize(
    "line",
    [
        "Gespeichert von rasos am 24. Juli 2017 - 18:55",
        "Posted in Datenschutz by damianduchamps on August 3, 2019",
        "Verfasst von: mitundvoneinander | 31. Dezember 2008",
        "Geschrieben von: Frau Sabienes",
        "Quelle: kathpress",
        "05.02.2020 - Redaktion: Eberhard Fuhr (Pressesprecher des EJW)",
        "06.11.2023 13:30 von Olga",
        "Woman Sees a Car Stop, This is What She Finds | By Cara Stiles | April 13, 2020",
        "Hamburg (dpa/lno) – Trotz eines Gesprächs zwischen den Parteien bleibt es beim Streit.",
        "BERLIN (AFP/dpa) - Die Regierung hat am Montag neue Regeln beschlossen.",
    ],
)
def test_credit_forms_of_page_templates(line: str) -> None:
    assert credited(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "Posted by admin on March 3, 2021",
        "Quelle: unbekannt",
        "Author: anonymous",
        "Source: https://technikmuseum.berlin/ueber-uns/",
        "Gespeichert von 2019 am 24. Juli",
        "Tips and tricks | By the numbers | 2020",
        "05.02.2020 - Der Rat hat den Haushalt beschlossen, nach langer Debatte im Saal.",
        "(dpa/lno) Bilder des Tages",
    ],
)
def test_page_template_look_alikes(line: str) -> None:
    assert credited(line) is None


@pytest.mark.parametrize(
    "credit",
    [
        '<h5 class="title-inline">Autor:</h5>Peter Maahn/SP-X',
        "<div>Interview</div><div>SVEN MICHAELSEN</div>",
        "<h3>Autoren</h3><p>Jelko Djuren und Jutta Klaukien</p>",
    ],
)
def test_a_label_set_apart_from_its_name(credit: str) -> None:
    body = f"<article><h1>Council Approves Budget</h1><div>{credit}</div><p>{BODY}</p></article>"
    assert html_credit(page("", body)) is not None


@pytest.mark.parametrize(
    "table",
    [
        "<table><tr><td>Mo</td><td>Di</td><td>Mi</td><td>Do</td></tr></table>",
        "<table><tr><th>Source</th><th>Ingredients</th></tr></table>",
        "<table><tr><td>Source</td><td>All Milk</td></tr></table>",
        "<div>Text</div><div>Hier klicken</div>",
    ],
)
def test_table_headers_are_not_labels_set_apart(table: str) -> None:
    body = f"<article><h1>Council Approves Budget</h1><p>{BODY}</p>{table}<p>{BODY}</p></article>"
    assert html_credit(page("", body)) is None
