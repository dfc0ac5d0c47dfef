"""Corpus text can never drive a terminal or a GitHub runner, whatever the output format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslint import plugins
from corpuslint.model import Location, Result, Severity, Span
from corpuslint.report.escape import (
    github_data,
    github_property,
    json_text,
    safe_chars,
    terminal_safe,
    xml_safe,
)

from . import workflow
from .samples import HOSTILE, run_check, violation

FORMATS = sorted(plugins.load().formatters)
"""Every registered format, so a new formatter is covered without touching this file."""

# Raw control characters that must never reach the output: C0 but tab and LF (CR is a
# line break for the runner, so it is banned too), DEL, C1, and the bidi overrides.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ANNOTATIONS = {"error", "warning", "notice"}

HOSTILE_PATH = "news/::warning::x ##[add-mask]y\x1b[31m,%0A.txt"


def hostile_result() -> Result:
    """Findings whose message, path and related path all carry HOSTILE text."""
    findings = (
        violation(
            message=HOSTILE,
            path=HOSTILE_PATH,
            related=(Location("::error::other\n::set-output name=a::b.txt", 2, 1),),
        ),
        violation(
            code="CL301",
            rule="missing-attribution",
            severity=Severity.INFO,
            message="\n::set-output name=x::y",
            path="::notice::z.txt",
            span=Span.point(1),
        ),
    )
    return Result(findings, (HOSTILE_PATH, "::notice::z.txt"), errors=("boom\n::add-mask::x",))


def render(registry: plugins.Registry, name: str, result: Result) -> str:
    return registry.formatters[name](registry.rules).format(result)


def assert_no_command_line(name: str, output: str) -> None:
    """No line starts a workflow command, except the github format's own annotations."""
    for line in workflow.lines(output):
        if not line.lstrip().startswith("::"):
            continue
        command = workflow.parse(line)
        assert name == "github", f"{name} printed a command line: {line!r}"
        assert command is not None, line
        assert command.name in ANNOTATIONS, line
        assert line.startswith(f"::{command.name} "), line
        # The runner decodes %0A and %0D into line breaks inside the annotation: fine.
        assert RAW_CONTROL.search(command.data.replace("\r", "")) is None, line


def assert_no_raw_control(output: str) -> None:
    found = RAW_CONTROL.search(output)
    assert found is None, f"raw {found.group()!r} at {found.start()}: {output!r}"


@pytest.mark.parametrize("name", FORMATS)
def test_corpus_text_starts_no_workflow_command(registry: plugins.Registry, name: str) -> None:
    output = render(registry, name, hostile_result())
    assert_no_command_line(name, output)
    if name == "github":  # exactly one command line per finding and error: nothing leaked
        assert len([line for line in workflow.lines(output) if line]) == 3


@pytest.mark.parametrize("name", FORMATS)
def test_corpus_text_has_no_legacy_workflow_command(registry: plugins.Registry, name: str) -> None:
    """The runner also runs ``##[name]data`` found anywhere in a line."""
    output = render(registry, name, hostile_result())
    for line in workflow.lines(output):
        command = workflow.parse(line)
        assert command is None or command.syntax == "v2", line


@pytest.mark.parametrize("name", FORMATS)
def test_corpus_text_prints_no_raw_control_character(registry: plugins.Registry, name: str) -> None:
    output = render(registry, name, hostile_result())
    assert_no_raw_control(output)
    assert "\x1b" not in output
    assert "\x07" not in output


@pytest.mark.parametrize("name", FORMATS)
def test_hostile_paragraph_end_to_end(workdir: Path, name: str) -> None:
    """A repeated hostile paragraph in a real file, through the command line."""
    paragraph = HOSTILE.replace("\r\n", "\n") + " and more words to compare here."
    body = f"Hostile Text Test\n\n{paragraph}\n\nA quiet paragraph in between.\n\n{paragraph}\n"
    (workdir / "evil.txt").write_text(body, encoding="utf-8")
    code, output = run_check("evil.txt", "--format", name)
    assert code == 1, output
    assert output
    assert_no_command_line(name, output)
    assert_no_raw_control(output)
    if name == "full":  # the one format that prints the paragraph itself
        assert "set-output" in output
        assert "\\x1b[31m" in output


def test_github_annotations_decode_to_the_finding(registry: plugins.Registry) -> None:
    """What the runner decodes is the message and path, only made visible, never a command."""
    output = render(registry, "github", hostile_result())
    commands = [workflow.parse(line) for line in workflow.lines(output) if line]
    assert [c.name if c else None for c in commands] == ["error", "notice", "error"]
    first = commands[0]
    assert first is not None
    assert first.properties["file"] == terminal_safe(HOSTILE_PATH).replace("##\\x5b", "##\\x5b")
    assert first.data.startswith("Breaking \\x1b[31mred")
    assert "%0A::set-output" in first.data  # the literal text, not a line break
    assert "\n::add-mask::secret" in first.data  # a line break inside the annotation
    assert first.data.endswith("Other copy: ::error::other\n::set-output name=a::b.txt:2:1")


# -- the escaping functions themselves -------------------------------------------------


def test_terminal_safe_makes_controls_visible() -> None:
    assert terminal_safe("a\x1b[31mb\x07\r\n\x9b\u202e") == "a\\x1b[31mb\\x07\\r\\n\\x9b\\u202e"
    assert terminal_safe("tab\tstays") == "tab\tstays"
    assert terminal_safe("caf\u00e9 \u4e2d") == "caf\u00e9 \u4e2d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::set-output name=x::y", "\\x3a:set-output name=x::y"),
        ("  \u00a0::error::x", "  \u00a0\\x3a:error::x"),
        ("a ::b", "a ::b"),
        (":one", ":one"),
        ("x ##[add-mask]y", "x ##\\x5badd-mask]y"),
        ("\n::x", "\\n::x"),
    ],
)
def test_terminal_safe_defuses_workflow_commands(text: str, expected: str) -> None:
    assert terminal_safe(text) == expected
    assert workflow.parse(terminal_safe(text)) is None


@given(st.text())
def test_terminal_safe_is_one_inert_line(text: str) -> None:
    safe = terminal_safe(text)
    assert len(workflow.lines(safe)) == 1
    assert workflow.parse(safe) is None
    assert RAW_CONTROL.search(safe) is None
    safe.encode("utf-8")  # no lone surrogate left


@given(st.text())
def test_safe_chars_escape_like_terminal_safe(text: str) -> None:
    shown = safe_chars(text)
    assert len(shown) == len(text)
    assert "".join(shown) == terminal_safe("x" + text)[1:]


@given(st.text())
def test_xml_safe_holds_only_xml_characters(text: str) -> None:
    forbidden = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    assert forbidden.search(xml_safe(text)) is None


def _decode(text: str, mapping: list[tuple[str, str]]) -> str:
    for token, replacement in mapping:
        text = text.replace(replacement, token)
    return text


PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("%:,\r\n"))


@given(PRINTABLE.filter(lambda t: "##[" not in t))
def test_github_escaping_round_trips_through_the_runner(text: str) -> None:
    data, prop = github_data(text), github_property(text)
    assert not set("\r\n") & set(data + prop)
    assert ":" not in prop
    assert "," not in prop
    assert _decode(data, workflow._DATA) == text
    assert _decode(prop, workflow._PROPERTY) == text


def test_github_escaping_of_percent_sequences() -> None:
    assert github_data("100% %0A\r\n") == "100%25 %250A%0D%0A"
    assert github_property("a:b,c%") == "a%3Ab%2Cc%25"


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_text_is_ascii_inert_and_faithful(data: object) -> None:
    text = json_text(data)
    assert text.isascii()
    assert "##[" not in text
    assert json.loads(text) == data
    assert all(workflow.parse(line) is None for line in workflow.lines(text))
