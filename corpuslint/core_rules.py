"""The core's own rule plugin: rules the engines raise themselves, from reads and comments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpuslint.hookspecs import hookimpl
from corpuslint.model import Directive, Document, Problem, Severity, Span, Violation
from corpuslint.rule import DocumentRule, Rule


class UnreadableDocument(DocumentRule):
    """Flags a file, or a record in it, that cannot be read, decoded or parsed.

    ## What it does
    Reports input that corpuslint cannot turn into a document: bytes that are not UTF-8,
    a binary file, malformed front matter, a file that cannot be opened (permissions, a
    file deleted while the run went on), a malformed JSONL line. The finding names the
    line and the problem; the rest of the run goes on, and the other records of a
    multi-record file are still checked.

    ## Why is this bad?
    A file the linter cannot read is a file nothing checks: it would pass every rule in
    silence. Usually the fix is to convert the file to UTF-8 or repair its front matter.

    ## Example
    ```text
    notes/legacy.txt:3:14: CL001 not valid UTF-8: byte 0xe9 at line 3, column 14
    ```

    ## Options
    None.
    """

    code = "CL001"
    name = "unreadable-document"

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation]:
        return ()  # raised by the engine from readers' problems, never from a document

    def from_problem(self, problem: Problem, occurrence: int = 0) -> Violation:
        """The finding for a reader's problem; ``occurrence`` counts earlier identical ones.

        The count keeps fingerprints apart when one file has the same problem twice
        (two records without a text field), so a baseline hides exactly as many.
        """
        return self.violation(
            problem.path,
            Span.point(problem.line, problem.column),
            problem.message,
            text=f"{problem.message}\n{occurrence}",
        )


class UnusedSuppression(DocumentRule):
    """Flags a suppression comment that suppressed no finding (off by default).

    ## What it does
    Reports `<!-- corpuslint-disable ... -->`, `disable-next-line` and `disable-file`
    comments that did not hide any finding in this run, like ruff's RUF100 for unused
    `noqa` comments. Select it with `--extend-select CL002`.

    ## Why is this bad?
    A stale suppression hides the next real problem at that place: once the duplicate it
    was written for is gone, it should go too.

    ## Example
    ```markdown
    <!-- corpuslint-disable-next-line CL101 -- syndicated box -->
    A paragraph that is no longer repeated anywhere.
    ```

    ## Options
    None.
    """

    code = "CL002"
    name = "unused-suppression"
    severity = Severity.WARNING
    enabled_by_default = False

    def check(self, document: Document, options: Mapping[str, Any]) -> Iterable[Violation]:
        return ()  # raised by the engine once every finding of the file is known

    def from_directive(self, path: str, directive: Directive) -> Violation:
        """The finding for a suppression comment that hid nothing."""
        codes = ", ".join(directive.codes) if directive.codes != ("*",) else "all rules"
        return self.violation(
            path,
            Span.point(directive.line, directive.column),
            f"Unused suppression: corpuslint-{directive.kind} ({codes}) hid no finding",
            text=f"{directive.kind} {codes} {directive.reason}",
        )


@hookimpl
def corpuslint_rules() -> Sequence[type[Rule]]:
    """CL001 and CL002, which the engines raise themselves."""
    return [UnreadableDocument, UnusedSuppression]
