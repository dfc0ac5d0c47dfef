"""Inline suppression comments in Markdown and HTML files.

``<!-- corpuslint-disable CL101 -->`` ... ``<!-- corpuslint-enable CL101 -->``,
``<!-- corpuslint-disable-next-line CL201 -->`` and ``<!-- corpuslint-disable-file -->``;
no codes means every rule, and a reason may follow ``--``. A finding is suppressed when
its first line is covered. Only files whose reader says they may carry comments
(``Reader.comments``: Markdown and HTML) are searched; elsewhere use
``per-file-ignores`` or a baseline.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from corpuslint.model import ALL, Directive, Violation
from corpuslint.readers.base import LINE_BREAK

_DIRECTIVE = re.compile(
    r"<!--\s*corpuslint-(?P<kind>disable-next-line|disable-file|disable|enable)\b(?P<rest>.*?)-->",
    re.IGNORECASE | re.DOTALL,
)


def parse(text: str) -> tuple[Directive, ...]:
    """Every suppression comment in ``text``, in order."""
    if "corpuslint-" not in text:
        return ()
    directives = []
    # Where each line starts, with CRLF, CR and LF all ending a line, as the readers count.
    starts = [0, *(m.end() for m in LINE_BREAK.finditer(text))]
    for match in _DIRECTIVE.finditer(text):
        line = bisect.bisect_right(starts, match.start())
        column = match.start() - starts[line - 1] + 1
        listed, _, reason = match["rest"].partition("--")
        codes = tuple(c.upper() for c in re.split(r"[\s,]+", listed) if c) or (ALL,)
        reason = reason.strip()
        directives.append(Directive(match["kind"].lower(), codes, line, column, reason))
    return tuple(directives)


@dataclass(frozen=True)
class Suppressions:
    """The directives of one file, answering "is this finding suppressed, and by which?"."""

    directives: tuple[Directive, ...]

    def covering(self, code: str, line: int) -> Directive | None:
        """The directive that suppresses ``code`` at ``line``, if any."""
        active: Directive | None = None
        for directive in self.directives:
            if not directive.names(code):
                continue
            if directive.kind == "disable-file":
                return directive
            if directive.kind == "disable-next-line" and directive.line + 1 == line:
                return directive
            if directive.line >= line:
                continue
            if directive.kind == "disable":
                active = directive
            elif directive.kind == "enable":
                active = None
        return active

    def unused(self, used: Iterable[Directive]) -> Sequence[Directive]:
        """Directives that suppressed nothing (``enable`` ones never count as unused)."""
        seen = set(used)
        return [d for d in self.directives if d.kind != "enable" and d not in seen]


def apply(
    violations: Iterable[Violation],
    directives: Mapping[str, tuple[Directive, ...]],
    report_unused: Callable[[str, Directive], Violation] | None = None,
) -> list[Violation]:
    """The findings no suppression comment hides, plus unused-suppression findings.

    ``directives`` maps each path (as shown in findings) to its comments.
    """
    files = {path: Suppressions(found) for path, found in directives.items() if found}
    used: dict[str, list[Directive]] = {path: [] for path in files}
    kept = []
    for violation in violations:
        suppressions = files.get(violation.path)
        covering = (
            suppressions.covering(violation.code, violation.span.line) if suppressions else None
        )
        if covering is None:
            kept.append(violation)
        else:
            used[violation.path].append(covering)
    if report_unused is not None:
        for path, suppressions in files.items():
            kept.extend(report_unused(path, d) for d in suppressions.unused(used[path]))
    return kept
