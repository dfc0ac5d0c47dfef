"""CL301 missing-attribution: a document with no byline, author or source credit."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpuslint.model import PROSE_KINDS, Block, BlockKind, Document, Span, Violation
from corpuslint.options import Option
from corpuslint.rule import DocumentRule

from .attribution_languages import ALL, BUILT_IN, ENGLISH, Language, LanguageError, select

AGENCIES = (
    "Reuters",
    "AP",
    "AFP",
    "Bloomberg",
    "UPI",
    "dpa",
    "DPA",
    "Xinhua",
    "PA",
    "ANI",
    "IANS",
    "PTI",
    "AAP",
    "EFE",
    "ANSA",
    "Kyodo",
    "Yonhap",
    "TASS",
    "Interfax",
    "CNN",
    "BBC",
)

HEADER_KEY = "header-lines"
"""Metadata an HTML page carries besides its body: the short lines of the article's header
and around its headline, where bylines sit ("By Cara Stiles | April 13, 2020")."""

BYLINE_MAX_WORDS = 16
"""The longest block a bare preposition ("By", "Von", "di") may start as a byline."""

LABEL_MAX_WORDS = 12
"""A label line this short ("Source: City of Springfield budget office") may go on after
its name with any words."""

# Where a name ends: punctuation, a spaced dash, or the end of the text.
_SEPARATORS = re.compile(
    r"[,|;:\u2022\u00b7/()\[\]<>\u00ab\u00bb\"\u201c\u201d]|\s[-\u2013\u2014]\s"
)
# Words that may follow a name in a credit line ("... in Paris", "... am 24. Juli",
# "originally appeared on the New Relic blog").
_FOLLOWERS = frozenset(
    "on at in am um im le el il op em for with from für aus dans en para per voor via who"
    " and und et y e en blog website site newsletter magazine".split()
)
# Words that may follow the name of a byline: its date ("By Louis Jacobson on Monday").
_DATE_FOLLOWERS = frozenset("on am le el il em op at um".split())
# Particles inside names in any language ("Jean de la Fontaine", "Ludwig van Beethoven").
_PARTICLES = frozenset(
    "de da del della van von der den le la al bin y du dos das di ter ten zu".split()
)
_CJK_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005\u00b7\u30fb]{2,8}")
_NAME_CHARS = frozenset(".-'\u2019")
# A team credited as the author: "By The React Team", "By the Rust Release Team", "Author:
# Newsroom Staff". Names capitalised; a caption's "Photos by the events team" never gets
# here (the block does not start with the credit).
_TEAM = re.compile(
    r"(?:[Tt]he\s+)?((?:[A-Z][\w.&'\u2019-]*\s+){1,5}"
    r"(?:[Tt]eam|[Ss]taff|[Ee]ditors|[Dd]esk|[Nn]ewsroom|[Ee]ditorial\s+[Bb]oard))(?!\w)"
)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.IGNORECASE)
# A user name as blogs and forums show it: "rasos", "damianduchamps", "delta201".
_HANDLE = re.compile(r"(?=[a-z0-9._-]*[a-z])[a-z0-9][a-z0-9._-]{2,29}")
# Words that say no one is credited: "Author: anonymous", "Quelle: unbekannt".
_NO_ONE = frozenset(
    "anonymous anon unknown none nobody n.a anonym unbekannt keine niemand anonyme inconnu"
    " aucun personne anónimo anonimo desconocido nadie anônimo desconhecido ninguém"
    " sconosciuto nessuno anoniem onbekend niemand internal intern interne".split()
)
_UPPER_PLACE = re.compile(r"^[^\W\d_][^\d()]{0,58}$")


@dataclass(frozen=True)
class Credit:
    """The attribution the rule counted: where it is, its text and what it matched."""

    where: str
    text: str
    pattern: str


@dataclass(frozen=True)
class Evidence:
    """What the rule found in a document, and what it looked at to find it."""

    credit: Credit | None
    looked_at: tuple[tuple[str, str], ...]
    """What was looked at, as (what, description) pairs: ``metadata``, ``page-header``,
    ``bylines``, ``credit-lines``, ``outlet-dateline``, ``languages``."""


@dataclass(frozen=True)
class _Form:
    """One compiled credit form: a regular expression and how a name must follow it."""

    regex: re.Pattern[str]
    kind: str  # label | credit | anywhere | preposition | pattern | user
    language: str
    fragments: tuple[str, ...] = ()
    """The table entries the regex is made of, to name the one that matched."""
    needs_name: bool = True
    needs: re.Pattern[str] | None = None
    """A character every match holds one of (``Language.needs``); None: no such class."""

    def describe(self, matched: str) -> str:
        """The form for ``corpuslint explain``: kind, language and the entry that matched."""
        for fragment in self.fragments:
            if re.search(fragment, matched, re.IGNORECASE):
                return f"{self.kind} ({self.language}): {fragment}"
        return f"{self.kind} ({self.language}): {self.regex.pattern}"


@dataclass(frozen=True)
class _Matcher:
    """The compiled forms of the selected languages, with the words names are told by."""

    forms: tuple[_Form, ...]
    prepositions: tuple[_Form, ...]
    agency: re.Pattern[str]
    not_names: Mapping[str, frozenset[str]]
    """By language: capitalised words that are not names after that language's forms."""
    connectors: frozenset[str]

    def credit(self, text: str, byline: bool) -> tuple[str, str] | None:
        """The form ``text`` matches and the name after it; bylines only if ``byline``."""
        forms = (*self.prepositions, *self.forms) if byline else self.forms
        holds: dict[re.Pattern[str], bool] = {}  # whether ``text`` has a ``needs`` character
        for form in forms:
            if form.needs is not None:
                held = holds.get(form.needs)
                if held is None:
                    held = holds[form.needs] = form.needs.search(text) is not None
                if not held:
                    continue
            found = form.regex.search(text)
            if not found:
                continue
            if not form.needs_name:
                return form.describe(found.group(0)), found.group(0).strip()
            strict = form.kind == "preposition"
            rest = text[found.end() :]
            # A dated byline counts its words from the preposition on; a block that is
            # nothing but names may list more authors than a byline's usual length.
            if (
                strict
                and len(rest.split()) >= BYLINE_MAX_WORDS
                and not self.only_names(rest, form.language)
            ):
                continue
            # A short label line may go on after the name: "Source: City of Springfield
            # budget office"; anything longer must be a name and then punctuation.
            lenient = form.kind == "label" and len(text.split()) <= LABEL_MAX_WORDS
            explicit = form.kind in ("credit", "anywhere") or lenient
            name = self.name(rest, form.language, strict, lenient, explicit)
            if name:
                return form.describe(found.group(0)), name
        return None

    def label_alone(self, text: str) -> bool:
        """Whether ``text`` is nothing but a label ("Autor", "Interview", "Text").

        Not a word that is also a bare preposition ("di", "von", "by"): alone in a block,
        that is a weekday ("Di") or a table's header more often than a credit.
        """
        line = text.strip() + ":"
        bare = {f.casefold() for form in self.prepositions for f in form.fragments}
        if text.strip().casefold() in bare:
            return False
        for form in self.forms:
            found = form.regex.match(line) if form.kind == "label" else None
            if found is not None and found.end() == len(line):
                return True
        return False

    def only_names(self, rest: str, language: str) -> bool:
        """Whether ``rest`` is a list of names and nothing else ("A, B and C.")."""
        parts = re.split(
            r"\s*,\s*|\s+(?:" + "|".join(map(re.escape, self.connectors)) + r")\s+",
            rest.strip().rstrip("."),
        )
        return all(
            part.split()
            and all(_name_word(w) or w.casefold() in self.connectors for w in part.split())
            and part.split()[0].casefold() not in self.not_names.get(language, ())
            for part in parts
            if part
        )

    def name(
        self,
        rest: str,
        language: str,
        strict: bool,
        lenient: bool = False,
        organisation: bool = False,
    ) -> str | None:
        """The name at the start of ``rest``, or ``None`` when no name follows.

        ``organisation``: after an explicit credit or a short label, a name may open with
        "the" ("Reporting by the Associated Press", "Source: The Guardian"); not after a
        bare preposition, where "By The Numbers" is a heading.
        """
        rest = rest.lstrip()
        cjk = _CJK_NAME.match(rest)
        if cjk:
            return cjk.group(0)
        head = _SEPARATORS.split(rest, maxsplit=1)[0]
        allowed = _DATE_FOLLOWERS if strict else _FOLLOWERS
        team = _TEAM.match(head)
        if team:
            following = head[team.end() :].split()
            if not following or lenient or following[0].casefold() in allowed:
                return team.group(1)
        words = head.split()
        if organisation and len(words) > 1 and words[0] in ("The", "the") and _name_word(words[1]):
            words = words[1:]
        names: list[str] = []
        ended = False  # the name ends its sentence: "Written by Jane Doe. She covers ..."
        for word in words:
            if _name_word(word) or (names and word.casefold() in self.connectors):
                names.append(word)
                ended = _ends_sentence(word)
                if ended:
                    break
            else:
                break
        while names and not _name_word(names[-1]):
            names.pop()
        if not names and organisation and not _URL.match(rest):
            return self.handle(words, language, allowed)
        if not names or names[0].casefold().strip(".") in self.not_names.get(language, ()):
            return None
        following = words[len(names) :]
        after = following[0].casefold().rstrip(".!?") if following else ""
        if following and not (ended or lenient) and after not in allowed:
            return None
        return " ".join(names).rstrip(".")

    def handle(self, words: Sequence[str], language: str, allowed: frozenset[str]) -> str | None:
        """A user name after an explicit credit: "Gespeichert von rasos am 24. Juli".

        One lower-case word of letters, digits and ``._-`` (a blog's or forum's user
        name), ended as a name is; not a word of the language's tables ("Posted by
        admin") nor one that says there is no author ("Quelle: unbekannt").
        """
        if not words or not _HANDLE.fullmatch(words[0]):
            return None
        word = words[0].rstrip(".")
        if word in _NO_ONE or word in self.not_names.get(language, ()) or word in self.connectors:
            return None
        if len(words) > 1 and words[1].casefold().rstrip(".!?") not in allowed:
            return None
        return word


def _ends_sentence(word: str) -> bool:
    """Whether a name word ends its sentence: "Doe.", not an initial ("J.", "Jr.")."""
    return word.endswith(".") and len(word.rstrip(".")) > 2 and "." not in word.rstrip(".")


def _name_word(word: str) -> bool:
    """A capitalised word of letters ("Doe", "O'Brien", "J.", "JANE", "Müller")."""
    return (
        len(word) <= 30
        and word[0].isupper()
        and all(ch.isalpha() or ch in _NAME_CHARS for ch in word)
    )


def _date_prefix(words: Iterable[str]) -> str:
    """A date a byline may start with ("December 21, 2020 by", "Le 8 mars 2022 par").

    Also "El 3 de mayo de 2023 por", "21. Dezember 2020 von", "2020-12-21 by".

    A month is any of the table's words that are not names (months among them) and a
    year is required, so "In 2020 by ..." is not a date.
    """
    months = "|".join(re.escape(w) for w in sorted(set(words)) if w.isalpha())
    textual = (
        rf"(?:[^\W\d_]{{1,3}}\s+)?(?:\d{{1,2}}(?:\.|er)?\s+(?:de\s+)?)?(?:{months})\.?,?\s+"
        rf"(?:de\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:de\s+)?\d{{4}},?"
    )
    numeric = r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}),?"
    return rf"(?:{textual}|{numeric})"


def _alternation(fragments: Iterable[str]) -> str:
    return "|".join(f"(?:{f})" for f in fragments)


@lru_cache(maxsize=64)
def _compile(
    languages: tuple[str, ...], patterns: tuple[str, ...], agencies: tuple[str, ...]
) -> _Matcher:
    """The forms of ``languages`` (codes, or ``all``), the user's ``patterns`` and agencies."""
    tables: Sequence[Language] = select(languages)
    flags = re.IGNORECASE
    forms: list[_Form] = []
    prepositions: list[_Form] = []
    for table in tables:
        if table.labels:
            label = _alternation(table.labels)
            joined = (
                rf"^\s*(?:{label})(?:\s*(?:&|and|und|et|y|e|en|,|/)\s*(?:{label}))*\s*[:\uff1a]"
            )
            forms.append(_Form(re.compile(joined, flags), "label", table.code, table.labels))
        if table.credits:
            credit = rf"^\s*(?:{_alternation(table.credits)})\s+"
            forms.append(_Form(re.compile(credit, flags), "credit", table.code, table.credits))
        if table.anywhere:
            anywhere = rf"(?:{_alternation(table.anywhere)})\s+"
            forms.append(_Form(re.compile(anywhere, flags), "anywhere", table.code, table.anywhere))
        if table.prepositions:
            date = _date_prefix((*table.not_names, *ENGLISH.not_names))
            preposition = rf"^\s*(?:{date}\s+)?(?:{_alternation(table.prepositions)})\s+"
            prepositions.append(
                _Form(re.compile(preposition, flags), "preposition", table.code, table.prepositions)
            )
        needs = re.compile(table.needs) if table.needs else None
        forms.extend(
            _Form(re.compile(p, re.MULTILINE), "pattern", table.code, (p,), False, needs)
            for p in table.patterns
        )
    forms.extend(
        _Form(re.compile(p, flags | re.MULTILINE), "user", "patterns", (p,), needs_name=False)
        for p in patterns
    )
    names = "|".join(re.escape(a) for a in agencies)
    agency = re.compile(
        rf"^(?:[A-Z][\w .,'\u2019/-]{{0,60}}\s)?"
        # An agency alone or with its desk or a partner: "(dpa)", "(dpa/lno)", "(AFP/dpa)".
        rf"\((?:[\w.-]{{1,15}}/)*(?:{names})(?:/[\w.-]{{1,15}})*\)\s*[-\u2013\u2014:]",
        re.MULTILINE,
    )
    # A table's own words, and English ones ("By March"), which pages in any language use.
    not_names = {t.code: frozenset((*t.not_names, *ENGLISH.not_names)) for t in tables}
    connectors = frozenset(w for t in tables for w in t.connectors) | _PARTICLES
    return _Matcher(tuple(forms), tuple(prepositions), agency, not_names, connectors)


_DATELINE = re.compile(
    r"^\s*(?P<place>[^()]{2,60}?)\s*\((?P<outlet>[^()]{2,50})\)\s*[-\u2013\u2014:]"
)


def outlet_dateline(text: str) -> str | None:
    """The dateline at the start of ``text``: an upper-case place, an outlet, a dash.

    "LONDON (The Guardian) -" and "WASHINGTON, D.C. (BBC News) —" are; "Paris (France) -"
    (the place is not in capitals) and "LONDON (pictured) -" (not a name) are not.
    """
    found = _DATELINE.match(text)
    if not found:
        return None
    place = found.group("place").split(",")[0].strip()
    outlet = found.group("outlet").split()
    if (
        not _UPPER_PLACE.match(place)
        or place != place.upper()
        or sum(c.isalpha() for c in place) < 2
    ):
        return None
    if not outlet or not all(
        w[0].isupper() or w in ("&", "of", "de", "und", "and") for w in outlet
    ):
        return None
    return found.group(0).strip()


def is_byline(text: str) -> bool:
    """Whether ``text`` is an English byline: "By" and then names only, up to a separator.

    "By Jane Doe" and "By JANE DOE, Reuters" are; "By March, the figure had doubled" is not.
    """
    matcher = _compile(("en",), (), ())
    found = matcher.prepositions[0].regex.match(text)
    if not found or len(text.split()) > BYLINE_MAX_WORDS:
        return False
    return matcher.name(text[found.end() :], "en", strict=True) is not None


def names_someone(value: Any, urls: bool = False) -> bool:
    """Whether a metadata value names someone.

    That is a non-empty string that is not a URL (unless ``urls``), a mapping with such a
    ``name`` (or value), or a list holding one.
    """
    if isinstance(value, str):
        text = value.strip()
        return any(ch.isalpha() for ch in text) and (urls or not _URL.match(text))
    if isinstance(value, Mapping):
        if "name" in value:
            return names_someone(value["name"], urls)
        return any(
            names_someone(v, urls)
            for k, v in value.items()
            if not str(k).startswith("@") and str(k).casefold() not in ("url", "sameas", "type")
        )
    if isinstance(value, (list, tuple)):
        return any(names_someone(v, urls) for v in value)
    return False


@lru_cache(maxsize=32)
def _folded_keys(
    metadata: tuple[str, ...], provenance: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """The metadata keys that may credit someone, and those among them whose URL counts.

    Both case folded, and made once per configuration rather than once per document.
    """
    urls = frozenset(k.casefold() for k in provenance)
    return frozenset(k.casefold() for k in metadata) | urls, urls


def _shown(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _lines(block: Block) -> Iterator[str]:
    yield block.text
    if "\n" in block.text:
        yield from (line for line in block.text.splitlines()[1:] if line.strip())
    yield from _parts(block.text)


_BAR = re.compile(r"\s[|\u2022\u00b7]\s")
"""What separates the items of a byline bar: "yas! | By Cara Stiles | April 13, 2020"."""
BAR_MAX_WORDS = 40
"""A block this short may be a byline bar, each of whose items may start a credit."""
_NUMERIC_DATE = re.compile(
    r"^\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:,?\s+\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h|am|pm))?)?\s*[-\u2013\u2014|,]?\s+(?=\S)",
    re.IGNORECASE,
)
"""A date (and time) a credit line may start with: "05.02.2020 - Redaktion: ...",
"06.11.2023 13:30 von Olga"."""


_DATED_NAME = re.compile(
    r"^\s*(?:(?P<date>(?:\d{4}-\d{2}-\d{2}|\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4})"
    r"(?:\s*[|\u00b7\u2022,]?\s*\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h))?)?)"
    r"\s+[-\u2013\u2014|\u00b7\u2022]\s+(?P<after>[^\d|]+?)"
    r"|(?P<before>[^\d|]+?)\s+[-\u2013\u2014|\u00b7\u2022]\s+"
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}))\s*$",
    re.IGNORECASE,
)
"""A block of a numeric date (and time) and a name, set apart by a dash or a bar:
"11.12.2019 - Amelie Loevenich", "04.02.2022 | 13:10 Uhr | Uta Helkenberg"."""


def _dated_name(text: str, not_names: Iterable[frozenset[str]]) -> str | None:
    """The name of a block that is a date and a name and nothing else (see ``_DATED_NAME``).

    Two or three capitalised words, none of them a word the tables know is no name
    (months, weekdays, "Redaktion"): a byline without its preposition, which blog and
    club templates print under a story's heading.
    """
    found = _DATED_NAME.match(text)
    if found is None:
        return None
    name = (found.group("after") or found.group("before") or "").strip()
    words = name.split()
    if not 2 <= len(words) <= 3 or not all(_name_word(w) for w in words):
        return None
    if any(w.casefold() in known for known in not_names for w in words):
        return None
    return name


def _parts(text: str) -> Iterator[str]:
    """The items of a short byline bar, and the line without the date it starts with."""
    if len(text.split()) <= BAR_MAX_WORDS and _BAR.search(text):
        yield from (part for part in _BAR.split(text)[1:] if part.strip())
    dated = _NUMERIC_DATE.match(text)
    if dated:
        yield text[dated.end() :]


def _window(document: Document, body: Sequence[Block], size: int) -> set[int]:
    """The blocks that may hold a byline: the first ``size``, and ``size`` under the title.

    A page's headline often comes from its ``<title>`` ("Story | Site"), and the story's
    own heading stands below a site's banner and menus: the byline is under that
    heading, so the blocks after the first heading the headline names count too.
    """
    window = {id(block) for block in body[:size]}
    headline = document.headline
    if headline is None or not size:
        return window
    title = headline.normalized
    for at, block in enumerate(body):
        if block.kind is BlockKind.HEADING and block.normalized and block.normalized in title:
            window.update(id(b) for b in body[at + 1 : at + 1 + size])
            break
    return window


def _labelled(blocks: Sequence[Block], matcher: _Matcher) -> dict[int, str]:
    """A label standing alone in a block, joined to the block after it.

    "Autor:" then "Peter Maahn/SP-X", "Autoren" then "Jelko Djuren und Jutta Klaukien":
    page templates often set a credit's label and its name apart. By the label block's id.
    """
    joined: dict[int, str] = {}
    for block, after in itertools.pairwise(blocks):
        text = block.text.strip()
        label = text.rstrip(":\uff1a").strip()
        if not label or len(label.split()) > 3 or not matcher.label_alone(label):
            continue
        # The block after it must start with names and nothing else ("Peter Maahn/SP-X",
        # not "Hier klicken"). Without its colon, a label word is often a table's header
        # ("Source" above "Ingredients"): the names must then be two words or more.
        head = _SEPARATORS.split(after.text, maxsplit=1)[0].split()
        if not head or not _name_word(head[-1]) or (text == label and len(head) < 2):
            continue
        if all(_name_word(word) or word.casefold() in matcher.connectors for word in head):
            joined[id(block)] = f"{label}: {after.text}"
    return joined


class MissingAttribution(DocumentRule):
    """Flags a document with no byline, author or source credit anywhere.

    ## What it does
    Looks for attribution in the document's metadata and in its text, in many languages,
    and reports the document at its headline when it finds none. `corpuslint explain
    FILE` shows what it found and where it looked.

    - Metadata: the keys in `metadata-keys` (front matter, JSONL fields, HTML
      `<meta name="author">`, `rel=author`, `itemprop=author`, `<address>`, hCard, JSON-LD
      `author`/`creator`). A value counts only when it names someone: a non-empty string
      that is not a URL, or a list or object holding one. `author: ""` with `authors: []`
      does not count; a `source:` URL counts only under `provenance-keys`. In HTML, an
      author equal to the site's name (`og:site_name`, the domain) or a `twitter:creator`
      handle does not count.
    - Credit lines, at the start of any block: labels ("Author: Nigel Brown (VMware)",
      "**Authors & Interviewers:** ...", "By: ...", "Text: ...", "Words: ...",
      "Reporting: ...", "Autor: ...", "Redaktion: ...", "Auteur : ...", "责任编辑：...",
      "文：..."), and verb forms ("Posted by", "Written by", "Reported by", "Contributed
      by", "Compiled by", "Guest post by", "Story by", "Additional reporting by", "Ein
      Artikel von", "Beitrag von", "Text von", "Verfasst von", "Gespeichert von X am 24.
      Juli", "Propos recueillis par", "Escrito por", "A cura di", "Geschreven door").
      "... based on reporting by X" counts anywhere in a sentence. A credit line may
      start with a date ("05.02.2020 - Redaktion: ...", "06.11.2023 13:30 von Olga"),
      stand in a byline bar ("Title | By Cara Stiles | April 13, 2020"), and credit a
      user name ("Gespeichert von rasos am 24. Juli", "Posted in News by damianduchamps",
      but not "admin", "anonymous" or "unbekannt"). A label alone in a block credits the
      names in the block after it ("Autor:" then "Peter Maahn/SP-X", "Interview" then
      "SVEN MICHAELSEN"), but not a table's header ("Source" above "Ingredients").
    - Bylines: a short block of a preposition and names ("By Jane Doe", "Von Roland
      Brockmann und Sebastian Drescher", "Par Didier Roy", "Por ...", "di Mario Rossi",
      "Door ...") among the first `byline-window` blocks under the headline, or as many
      blocks under the first heading the headline names (a `<title>` such as "History |
      The Film" above banners and menus, then the heading "The Film"), or in the header
      of an HTML page, around its headline ("By Cara Stiles | April 13, 2020").
      A byline may start with its date ("December 21, 2020 by ...", "Le 8 mars 2022 par
      ...") and a block of nothing but names may list any number of authors. These
      prepositions never count in the middle of a sentence. A team counts as a name when
      it is named: "By The React Team", "By the Rust Release Team", "Author: Newsroom
      Staff"; after a label or a credit, so does an organisation: "Source: The
      Guardian", "Reporting by the Associated Press". In the same blocks, a block of a
      numeric date and two or three capitalised names, set apart by a dash or a bar, is
      a byline without its preposition ("11.12.2019 - Amelie Loevenich", "04.02.2022 |
      13:10 Uhr | Uta Helkenberg").
    - Provenance: "This article was originally published on The Conversation",
      "Originally published at Medium", "Republished with permission from Nieman Lab".
    - Chinese, Japanese and Korean credits: "作者：", "责任编辑：", "记者 王小明", "文：",
      "（山田太郎記者）", "정덕현 칼럼니스트 thekian1@...", "김철수 기자".
    - Datelines: an agency in `agencies` at the start of a block ("LONDON (Reuters) -",
      "(AP) —", "Hamburg (dpa/lno) –"), or any outlet after an upper-case place at the
      start of the first paragraph ("LONDON (The Guardian) -", "WASHINGTON (BBC News) —").

    After a label, verb or preposition a name must follow: capitalised words (or a name
    in CJK characters), up to punctuation, the end of the block or a word such as "in",
    "on", "am". Look-alikes do not count: "By March, the figure had doubled", "Research
    by handset maker Nokia shows", "Produced by Bungie software", "a report written by X"
    in the middle of a sentence, "based on research by California Institute", "Source:
    2023 developer survey, n=9,710", "Photos by the events team", "a source close to the
    talks". Documents with no prose at all are not reported.

    The readers remove Markdown and HTML emphasis before the rule sees a block, so
    "**Author:** Jane Doe" is matched as "Author: Jane Doe"; `patterns` are matched
    against that text too.

    ## Why is this bad?
    Unattributed text cannot be checked, corrected or credited. Newsrooms require a
    byline or a source credit; dataset curators need provenance for licensing.

    ## Example
    ```markdown
    # Council approves budget

    The city council approved the budget on Tuesday after a long debate.
    ```
    Add `author:` to the front matter, a "By Jane Doe" line, or a credit line.

    ## Options
    - `metadata-keys` (list, default `author`, `authors`, `byline`, `source`, `credit`):
      metadata fields whose value counts as attribution when it names someone.
    - `provenance-keys` (list, default none): metadata fields whose URL value counts too
      (say `source` in a scraped corpus where it holds the page's address).
    - `languages` (list, default `all`): the language tables of credit forms to use, by
      code: `en`, `de`, `fr`, `es`, `pt`, `it`, `nl`, `zh`, `ja`, `ko`, or `all`. Installed
      packages add tables through the `corpuslint.attribution` entry-point group.
    - `patterns` (list of regular expressions, default none): extra credit patterns,
      matched case-insensitively against each block's text with Markdown and HTML
      emphasis removed (`^` is the start of a block); a match counts without a name.
    - `agencies` (list): news agencies recognized in datelines such as "(Reuters) -"
      anywhere at the start of a block.
    - `byline-window` (int, default 5): how many blocks from the top, not counting the
      headline, may hold a byline; as many under the heading the headline names.
    """

    code = "CL301"
    name = "missing-attribution"
    options = (
        Option(
            "metadata-keys",
            tuple,
            ("author", "authors", "byline", "source", "credit"),
            "metadata fields that count as attribution",
        ),
        Option("provenance-keys", tuple, (), "metadata fields whose URL value counts too"),
        Option("languages", tuple, (ALL,), "language tables of credit forms to use"),
        Option("patterns", tuple, (), "extra regular expressions for credit lines", regex=True),
        Option("agencies", tuple, AGENCIES, "agencies recognized in datelines"),
        Option("byline-window", int, 5, "blocks from the top that may hold a byline", 0),
    )

    @classmethod
    def validate(cls, options: Mapping[str, Any]) -> None:
        """The languages exist and `patterns` compile with their flags (when read, not per file)."""
        # Only what can be wrong is compiled here: all the credit forms are compiled when
        # a document first needs them, which a run whose documents name their authors in
        # metadata never does (a pre-commit hook's few files, say).
        try:
            tables = select(tuple(options["languages"]))
        except LanguageError as exc:
            raise ValueError(f"option 'languages': {exc}") from None
        try:
            for table in tables:
                if any(table is own for own in BUILT_IN):
                    continue  # the package's own patterns, compiled by its tests: 20 ms a run
                for pattern in table.patterns:
                    re.compile(pattern, re.MULTILINE)
            for pattern in options["patterns"]:
                re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        except re.error as exc:
            raise ValueError(f"option 'patterns': {exc}") from None

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation]:
        # ``document.prose`` without its tuple: the first prose block settles it.
        if not any(block.kind in PROSE_KINDS for block in document.blocks):
            return
        evidence = self.evidence(document, options)
        if evidence.credit is not None:
            return
        anchor = document.headline or document.blocks[0]
        yield self.violation(
            document,
            Span.point(anchor.span.line, anchor.span.column),
            "No attribution: no byline, author or source credit found",
            text=document.record or "",
            details=evidence.looked_at,
        )

    def explain(self, document: Document, options: Mapping[str, Any]) -> list[str]:
        """What the rule saw in ``document``, one line each (``corpuslint explain``)."""
        evidence = self.evidence(document, options)
        if not document.prose:
            return ["no prose: not checked"]
        if evidence.credit is None:
            found = "no attribution: reported"
        else:
            credit = evidence.credit
            found = f"attribution counted: {credit.where}: {_shown(credit.text)} ({credit.pattern})"
        return [found, *(f"looked at {item}" for _, item in evidence.looked_at)]

    def evidence(self, document: Document, options: Mapping[str, Any]) -> Evidence:
        """The first attribution found in ``document`` and what was looked at to find it."""
        looked: list[tuple[str, str]] = []
        credit = self._metadata(document, options, looked)
        if credit is None:
            credit = self._text(document, options, looked)
        return Evidence(credit, tuple(looked))

    def _metadata(
        self, document: Document, options: Mapping[str, Any], looked: list[tuple[str, str]]
    ) -> Credit | None:
        metadata, provenance = tuple(options["metadata-keys"]), tuple(options["provenance-keys"])
        keys, urls = _folded_keys(metadata, provenance)
        present = []
        for key, value in document.metadata.items():
            folded = str(key).casefold()
            if folded not in keys:
                continue
            if names_someone(value, folded in urls):
                return Credit(f"metadata {key!r}", str(value), "a value naming someone")
            present.append(f"{key}={_shown(value, 40)}")
        wanted = ", ".join(sorted(keys))
        note = f" (present but naming no one: {'; '.join(present)})" if present else ""
        looked.append(("metadata", f"metadata keys {wanted}{note}"))
        return None

    def _text(
        self, document: Document, options: Mapping[str, Any], looked: list[tuple[str, str]]
    ) -> Credit | None:
        matcher = _compile(
            tuple(options["languages"]), tuple(options["patterns"]), tuple(options["agencies"])
        )
        # The headline is not counted: "By Jane Doe" under it is the first block of the window.
        body = [block for block in document.blocks if block is not document.headline]
        window = _window(document, body, options["byline-window"])
        header = document.metadata.get(HEADER_KEY) if document.format == "html" else None
        lines = (
            [line for line in header if isinstance(line, str)] if isinstance(header, list) else []
        )
        for line in itertools.chain(lines, *(_parts(line) for line in lines)):
            found = matcher.credit(line, byline=True)
            if found:
                return Credit("page header", line, found[0])
        labelled = _labelled(body, matcher)
        for block in body:
            candidates: Iterable[str] = _lines(block)
            if id(block) in labelled:
                candidates = itertools.chain(candidates, [labelled[id(block)]])
            for line in candidates:
                found = matcher.credit(line, byline=id(block) in window)
                if found:
                    return Credit(block.place, line, found[0])
                if matcher.agency.search(line):
                    return Credit(block.place, line, "agency dateline")
            if id(block) in window and _dated_name(block.text, matcher.not_names.values()):
                return Credit(block.place, block.text, "a date and a name")
        first = next((b for b in body if b.kind is not BlockKind.HEADING), None)
        if first is not None:
            dateline = outlet_dateline(first.text)
            if dateline:
                return Credit(first.place, first.text, "outlet dateline")
        places = ", ".join(b.place for b in body[: options["byline-window"]]) or "none"
        codes = ", ".join(options["languages"])
        if lines:
            looked.append(
                ("page-header", f"{len(lines)} line(s) of the page's header for a byline or credit")
            )
        window = options["byline-window"]
        looked.append(("bylines", f"bylines in the first {window} block(s): {places}"))
        looked.append(
            ("credit-lines", f"credit lines and agency datelines in {len(body)} block(s)")
        )
        dateline_at = first.place if first is not None else "none"
        looked.append(
            ("outlet-dateline", f"an outlet dateline in the first paragraph: {dateline_at}")
        )
        looked.append(("languages", f"credit forms of languages: {codes}"))
        return None
