"""How a GitHub Actions runner reads a line of output: which workflow command it runs.

A re-implementation of the runner's parser (``ActionCommand.TryParseV2`` and the older
``TryParse``), so tests can ask what a line of corpuslint's output would do in CI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Commands the runner registers (ActionCommandManager): any of these runs.
REGISTERED = frozenset(
    "add-mask add-matcher add-path debug echo endgroup error group internal-set-repo-path"
    " notice remove-matcher save-state set-env set-output stop-commands warning".split()
)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Command:
    """A workflow command as the runner would execute it."""

    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""
    syntax: str = "v2"


def lines(output: str) -> list[str]:
    """The lines the runner reads (it splits on LF, CR and CRLF)."""
    return LINE_BREAK.split(output)


def _unescape(text: str, mapping: list[tuple[str, str]]) -> str:
    for token, replacement in mapping:
        text = text.replace(replacement, token)
    return text


_DATA = [("\r", "%0D"), ("\n", "%0A"), ("%", "%25")]
_PROPERTY = [("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")]
_V1 = [(";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), ("%", "%25")]


def parse(line: str) -> Command | None:
    """The command the runner would run for ``line``, or ``None``."""
    return _parse_v2(line) or _parse_v1(line)


def _parse_v2(line: str) -> Command | None:
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, props = info.partition(" ")
    if name not in REGISTERED:
        return None
    properties: dict[str, str] = {}
    for part in props.strip().split(","):
        key, sep, value = part.partition("=")
        if part and sep and key and value:
            properties[key] = _unescape(value, _PROPERTY)
    return Command(name, properties, _unescape(message[end + 2 :], _DATA))


def _parse_v1(line: str) -> Command | None:
    start = line.find("##[")
    if start < 0:
        return None
    close = line.find("]", start)
    if close < 0:
        return None
    info = line[start + 3 : close]
    name, _, props = info.partition(" ")
    if name not in REGISTERED:
        return None
    properties: dict[str, str] = {}
    for part in props.split(";"):
        key, sep, value = part.partition("=")
        if part and sep and key and value:
            properties[key] = _unescape(value, _V1)
    return Command(name, properties, _unescape(line[close + 1 :], _V1), "v1")
