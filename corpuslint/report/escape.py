"""Escaping of corpus text for the places it is printed: terminals, CI logs, JSON, XML.

Corpus text (paragraphs, file names, reader messages) is untrusted. Printed as it is, it
could recolour or retitle a terminal (ANSI and OSC escape sequences), reorder what a
reader sees (bidi overrides), break an XML report (characters XML 1.0 forbids), or run
a GitHub Actions workflow command: the runner executes any output line that starts,
after leading whitespace, with ``::`` (``::add-mask::``, ``::stop-commands::``), and
any line that contains ``##[`` followed by a command name and ``]`` (the older syntax,
matched anywhere in a line). Every formatter passes such text through this module.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 control characters (ESC among them) except tab, the bidi controls that can
# make a terminal show text in another order than it is (the "Trojan Source" set), the
# Unicode line and paragraph separators, lone surrogates (undecodable file names) and
# the two noncharacters that XML 1.0 forbids.
_CONTROL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
# The runner's older command syntax, recognized anywhere in a line.
_COMMAND_V1 = "##["
_COMMAND_V1_SAFE = "##\\x5b"
# The runner's command syntax: "::" at the start of a line, after any whitespace.
_COMMAND_V2 = re.compile(r"\s*:(?=:)")


def visible(char: str) -> str:
    r"""The visible escape of one control character, as Python writes it (``\\x1b``, ``\\n``)."""
    escaped = repr(char)[1:-1]
    if escaped.startswith("\\"):
        return escaped
    return f"\\u{ord(char):04x}" if ord(char) > 0xFF else f"\\x{ord(char):02x}"


def _controls(text: str) -> str:
    return _CONTROL.sub(lambda m: visible(m.group()), text)


def terminal_safe(text: str) -> str:
    r"""``text`` as one inert line for a terminal or a CI log.

    Control characters (ESC, BEL, CR, LF, C1, bidi overrides) become visible escapes
    such as ``\\x1b``; ``##[`` becomes ``##\\x5b`` and a leading ``::`` becomes
    ``\\x3a:``, so a GitHub runner never reads the line as a workflow command. The
    result holds only characters that XML 1.0 allows, and tab.
    """
    text = _controls(text).replace(_COMMAND_V1, _COMMAND_V1_SAFE)
    match = _COMMAND_V2.match(text)
    if match is not None:
        text = text[: match.end() - 1] + "\\x3a" + text[match.end() :]
    return text


def stderr_safe(text: str) -> str:
    r"""``text`` as one inert line for stderr, which a GitHub runner reads for commands too.

    As :func:`terminal_safe`, and tab becomes ``\\t`` as well: a diagnostic line holds
    no control character at all, and a line break in it becomes a visible ``\\n``, so
    every message is one line and no line of it can start with ``::``.
    """
    return terminal_safe(text).replace("\t", "\\t")


def safe_chars(text: str) -> list[str]:
    """How each character of ``text`` is shown: itself, or its visible escape.

    The same escaping as :func:`terminal_safe` apart from the start-of-line rule (the
    caller prints a gutter first), one entry per character so that a caller can line
    up a caret under a column of the original text.
    """
    shown: list[str] = []
    for index, char in enumerate(text):
        if _CONTROL.fullmatch(char):
            shown.append(visible(char))
        elif char == "[" and text[max(0, index - 2) : index] == "##":
            shown.append("\\x5b")
        else:
            shown.append(char)
    return shown


def github_data(text: str) -> str:
    """``text`` as the message part of a GitHub workflow command (after the second ``::``).

    ``%``, CR and LF are percent-encoded as the runner expects (``%25``, ``%0D``,
    ``%0A``), so a message stays on its command's line and shows its line breaks; other
    control characters become visible escapes.
    """
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _controls(encoded).replace(_COMMAND_V1, _COMMAND_V1_SAFE)


def github_property(text: str) -> str:
    """``text`` as a property value of a workflow command (``file=``, ``title=``).

    As :func:`github_data`, and ``:`` and ``,`` are encoded too (``%3A``, ``%2C``): they
    end a property value or the property list.
    """
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def json_text(data: Any) -> str:
    r"""``data`` as indented JSON text that is safe to print to a terminal or a CI log.

    ``ensure_ascii`` writes every control and non-ASCII character as a ``\\uXXXX``
    escape, and ``[`` after ``##`` (only possible inside a string) is written as
    ``\\u005b``: the same JSON value, but no ``##[`` for a GitHub runner to act on.
    Indentation keeps every line starting with whitespace and a JSON token, never
    ``::``.
    """
    text = json.dumps(data, indent=2, ensure_ascii=True)
    return text.replace(_COMMAND_V1, "##\\u005b") + "\n"


def xml_safe(text: str) -> str:
    """``text`` for an XML 1.0 attribute or element value.

    This is :func:`terminal_safe`, which drops nothing but turns every character that
    XML 1.0 forbids (and ESC, C1) into a visible escape.
    """
    return terminal_safe(text)
