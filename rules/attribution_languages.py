"""CL301's credit forms, one table per language: what editors write before a name.

Each :class:`Language` is data, not code: regular-expression fragments the rule compiles
once per run. The rule's ``languages`` option selects tables by ``code``; an installed
package adds tables of its own under the ``corpuslint.attribution`` entry-point group (an
entry point that loads to a :class:`Language` or a sequence of them).

What the fields mean (every fragment is matched case-insensitively, on a block's text
with Markdown and HTML emphasis already removed by the readers):

- ``labels``: a word before a colon at the start of a block ("Author: Jane Doe",
  "Autor: Hans Müller", "Redaktion: ..."). Labels may be joined ("Authors &
  Interviewers:").
- ``credits``: a phrase ending in a preposition at the start of a block ("Posted by",
  "Ein Artikel von", "Propos recueillis par").
- ``anywhere``: a phrase that credits even in the middle of a sentence ("... based on
  reporting by").
- ``prepositions``: a bare preposition that is a byline only in byline position, on a
  short block of its own ("By Jane Doe", "Von Hans Müller", "di Mario Rossi").
- ``patterns``: whole regular expressions that count on their own (scripts without
  capital letters, where a name is told by its place: "记者 王小明", "（山田太郎記者）").
- ``not_names``: capitalised words that are not names after a credit ("By March",
  "Von Montag", "Par Le ..."): months, weekdays, articles.
- ``connectors``: lower-case words inside or between names ("and", "und", "van").
- ``needs``: a character class (``[...]``) that every match of ``patterns`` holds a
  character of, such as the table's script. A block without one is not searched with
  the table's patterns: most blocks of a multilingual corpus are in other scripts.

After a label, credit or preposition a name must follow: capitalised words (or a name
in CJK characters), ended by the end of the block, punctuation or a connecting word
("... in Paris", "... am 24. Juli").
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

ENTRY_POINT_GROUP = "corpuslint.attribution"


@dataclass(frozen=True)
class Language:
    """The credit forms of one language (see the module's documentation for each field)."""

    code: str
    name: str
    labels: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()
    anywhere: tuple[str, ...] = ()
    prepositions: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    not_names: tuple[str, ...] = ()
    connectors: tuple[str, ...] = ()
    needs: str = ""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_CJK_SCRIPTS = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005\uac00-\ud7a3]"
"""Kana, Han and Hangul: every Chinese, Japanese and Korean pattern below holds one."""
_CJK_NAME = r"[\u3400-\u4dbf\u4e00-\u9fff\u3005\u00b7\u30fb]{2,6}"
_KANA_NAME = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005]{2,8}"

ENGLISH = Language(
    "en",
    "English",
    labels=(
        "authors?",
        "by",
        "text",
        "words",
        "reporting",
        "reporters?",
        "researchers?",
        "writers?",
        "written by",
        "story",
        "interviewers?",
        "editors?",
        "contributors?",
        "sources?",
        "credits?",
        "via",
    ),
    credits=(
        r"(?:additional\s+)?(?:reporting|writing|editing|research)\s+by",
        r"(?:posted|written|reported|contributed|compiled|edited)\s+by",
        r"posted\s+(?:on|in)\s+[^|]{3,40}?\s+by",
        r"(?:a\s+)?guest\s+(?:post|article|column)\s+by",
        r"(?:story|words|text)\s+by",
        r"this\s+(?:article|story|report|piece|post)\s+(?:was|is)\s+"
        r"(?:written|reported|produced|compiled|contributed)\s+by",
        r"(?:this\s+(?:article|story|report|piece|post|essay|column)\s+)?(?:was\s+|is\s+)?"
        r"(?:originally|first)\s+(?:appeared|published|posted|ran)\s+(?:on|in|at|by)",
        r"(?:reprinted|republished|adapted)\s+(?:with\s+permission\s+)?from",
    ),
    anywhere=(r"\bbased\s+on\s+(?:the\s+)?reporting\s+(?:by|of)",),
    prepositions=("by",),
    not_names=_words(
        "january february march april may june july august september october november"
        " december monday tuesday wednesday thursday friday saturday sunday the a an this"
        " that these those then now far all most some late early midday noon night morning"
        " evening contrast comparison law default design nature chance mistake hand car bus"
        " train air sea road its his her their our my your admin administrator"
    ),
    connectors=("and", "&", "of"),
)

GERMAN = Language(
    "de",
    "German",
    labels=(
        r"autor(?:in|en|innen)?",
        "redaktion",
        "text",
        "texte",
        r"verfasser(?:in)?",
        r"(?:verfasst|geschrieben)\s+von",
        "von",
        "quelle",
        "mitarbeit",
        "recherche",
        "interview",
    ),
    credits=(
        r"ein\s+(?:artikel|beitrag|bericht|text|gastbeitrag|kommentar|interview)\s+von",
        r"(?:gast)?beitrag\s+von",
        r"text\s+von",
        r"(?:verfasst|geschrieben|gespeichert|veröffentlicht|eingestellt|erstellt)\s+von",
        r"mit\s+material\s+von",
    ),
    prepositions=("von",),
    not_names=_words(
        "januar februar märz april mai juni juli august september oktober november dezember"
        " montag dienstag mittwoch donnerstag freitag samstag sonntag der die das den dem des"
        " ein eine einem einer eines anfang ende beginn heute morgen gestern jetzt hier dort"
        " seiten seite zeit jahr jahren wegen"
    ),
    connectors=("und", "&", "von", "vom", "zu", "der", "den"),
)

FRENCH = Language(
    "fr",
    "French",
    labels=(r"auteur(?:e|s|es)?", "par", "texte", "rédaction", "source", "propos recueillis par"),
    credits=(
        r"(?:écrit|rédigé|publié|posté|signé)e?\s+par",
        r"un\s+(?:article|texte|billet|reportage)\s+(?:de|par)",
        r"propos\s+recueillis\s+par",
        r"avec\s+la\s+collaboration\s+de",
    ),
    prepositions=("par",),
    not_names=_words(
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        " lundi mardi mercredi jeudi vendredi samedi dimanche le la les un une des ce cette"
        " ailleurs exemple contre conséquent"
    ),
    connectors=("et", "&", "de", "du", "des", "le", "la"),
)

SPANISH = Language(
    "es",
    "Spanish",
    labels=(r"autor(?:a|es|as)?", "por", "texto", "redacción", "fuente"),
    credits=(r"(?:escrito|publicado|redactado)a?\s+por", r"un\s+(?:artículo|texto)\s+de"),
    prepositions=("por",),
    not_names=_words(
        "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre"
        " noviembre diciembre lunes martes miércoles jueves viernes sábado domingo el la los"
        " las un una lo eso esto ello ejemplo favor dios"
    ),
    connectors=("y", "e", "&", "de", "del", "la"),
)

PORTUGUESE = Language(
    "pt",
    "Portuguese",
    labels=(r"autor(?:a|es|as)?", "por", "texto", "redação", "fonte", "reportagem"),
    credits=(r"(?:escrito|publicado|redigido)a?\s+por", r"reportagem\s+de"),
    prepositions=("por",),
    not_names=_words(
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro"
        " dezembro segunda terça quarta quinta sexta sábado domingo o a os as um uma isso"
        " exemplo favor deus"
    ),
    connectors=("e", "&", "de", "da", "do", "dos", "das"),
)

ITALIAN = Language(
    "it",
    "Italian",
    labels=(r"autore|autrice|autori", "di", "testo", "redazione", "fonte"),
    credits=(
        r"(?:scritto|pubblicato|redatto)a?\s+da",
        r"a\s+cura\s+di",
        r"(?:un\s+)?articolo\s+di",
    ),
    prepositions=("di",),
    not_names=_words(
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre"
        " dicembre lunedì martedì mercoledì giovedì venerdì sabato domenica il lo la i gli le"
        " un una questo questa"
    ),
    connectors=("e", "&", "di", "de", "del", "della", "da"),
)

DUTCH = Language(
    "nl",
    "Dutch",
    labels=(r"auteurs?", "door", "tekst", "redactie", "bron"),
    credits=(r"(?:geschreven|geplaatst|gepubliceerd)\s+door", r"een\s+artikel\s+van"),
    prepositions=("door",),
    not_names=_words(
        "januari februari maart april mei juni juli augustus september oktober november"
        " december maandag dinsdag woensdag donderdag vrijdag zaterdag zondag de het een"
        " deze dit middel"
    ),
    connectors=("en", "&", "van", "de", "der", "den", "ter", "ten"),
)

CHINESE = Language(
    "zh",
    "Chinese",
    needs=_CJK_SCRIPTS,
    patterns=(
        rf"^\s*[(（【\[]?\s*(?:责任编辑|責任編輯|作者|撰文|文|编辑|編輯|记者|記者|来源|來源)"
        rf"\s*[:：]\s*(?:{_CJK_NAME}|[A-Z])",
        rf"(?:^|[(（【\[\s]|本报|本報|新华社|新華社|电|電)\s*(?:记者|記者)\s*"
        r"(?!了解|获悉|獲悉|发现|發現|注意|看到|从|從|在|采访|採訪|走访|調查|调查|致电|联系)"
        rf"{_CJK_NAME}(?=$|[\s、和)）】\]]|报道|報導|摄|攝)",
    ),
)

JAPANESE = Language(
    "ja",
    "Japanese",
    needs=_CJK_SCRIPTS,
    patterns=(
        rf"^\s*[(（【\[]?\s*(?:文|記者|著者|執筆|筆者|取材・文|文・写真|写真・文|編集)"
        rf"\s*[:：＝=・]\s*(?:{_KANA_NAME}|[A-Z])",
        rf"(?:^|[(（【\[])\s*{_KANA_NAME}\s*記者\s*(?:[)）】\]]|$)",
    ),
)

_HANGUL_NAME = r"[\uac00-\ud7a3]{2,4}"
_KO_TITLE = r"(?:기자|객원기자|칼럼니스트|특파원|논설위원)"

KOREAN = Language(
    "ko",
    "Korean",
    needs=_CJK_SCRIPTS,
    patterns=(
        # "박생강 기자" or "정덕현 칼럼니스트", then an e-mail address, "=" or the end.
        rf"(?:^|\s|\[){_HANGUL_NAME}\s?{_KO_TITLE}(?=\s*(?:$|[\w.+-]+@|[=\[(/]))",
        # "칼럼니스트 박생강 pillgoo9@gmail.com"
        rf"(?:^|\s){_KO_TITLE}\s{_HANGUL_NAME}\s+[\w.+-]+@",
    ),
)

BUILT_IN: tuple[Language, ...] = (
    ENGLISH,
    GERMAN,
    FRENCH,
    SPANISH,
    PORTUGUESE,
    ITALIAN,
    DUTCH,
    CHINESE,
    JAPANESE,
    KOREAN,
)

ALL = "all"
"""The ``languages`` value that selects every table, those of installed packages too."""


class LanguageError(ValueError):
    """An unknown language code, or an entry point that is not a language table."""


@lru_cache(maxsize=1)
def installed() -> tuple[Language, ...]:
    """The built-in tables and those installed packages add through the entry-point group."""
    found = list(BUILT_IN)
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception as exc:
            raise LanguageError(
                f"attribution languages {entry.name!r} cannot be loaded: {exc}"
            ) from None
        tables = loaded if isinstance(loaded, (list, tuple)) else (loaded,)
        if not all(isinstance(t, Language) for t in tables):
            raise LanguageError(
                f"attribution languages {entry.name!r} is not a Language table or a list of them"
            )
        found.extend(tables)
    return tuple(found)


def select(codes: Iterable[str], tables: Sequence[Language] | None = None) -> tuple[Language, ...]:
    """The tables named by ``codes`` (``all`` for every one); an unknown code is an error."""
    tables = installed() if tables is None else tables
    wanted = [c.strip().casefold() for c in codes]
    if ALL in wanted:
        return tuple(tables)
    known = {t.code.casefold() for t in tables}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        names = ", ".join(sorted(known))
        raise LanguageError(f"unknown language {unknown[0]!r} (known: {names}, or all)")
    return tuple(t for t in tables if t.code.casefold() in wanted)
