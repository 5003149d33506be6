"""
GitHub Actions workflow commands, so that findings show on the right line of a pull request.

One annotation per (URL, document), on the first place the document cites the URL; the
other places are listed in its message. GitHub shows at most ``ANNOTATION_LIMIT`` annotations
of each level (error, warning, notice) per step and drops the rest silently, so past that
the last one of a level says how many more there are and where to read them.

Escaping follows the runner's own rules (actions/toolkit ``command.ts``): in the message
``%``, CR and LF; in properties also ``:`` and ``,``. Every value is ``neutralise``\\ d first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from linkaudit.printable import neutralise, one_line
from linkaudit.report.base import Report, ReportOptions
from linkaudit.report.findings import FINDING_VERDICTS, Finding, findings, place
from linkaudit.verdicts import GateTerm, Verdict

__all__ = ["ANNOTATION_LIMIT", "GithubReporter", "escape_data", "escape_property"]

#: Annotations of one level GitHub shows per step (docs: "Workflow commands", annotations).
ANNOTATION_LIMIT = 10


class GithubReporter:
    """See ``Reporter.render``: ``::error`` for fail-on verdicts, ``::warning`` for problems,
    ``::notice`` for findings the baseline accepts."""

    name = "github"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        problems = [v for v in FINDING_VERDICTS if v.is_problem or v in self.options.fail_on]
        grouped = _group(findings(report.results, problems, baselined=report.baselined))
        lines: list[str] = []
        for level in ("error", "warning", "notice"):
            mine = [
                self._annotation(level, first, others)
                for first, others in grouped
                if _level(self.options.fail_on, first) == level
            ]
            lines += _within_limit(level, mine)
        return "".join(line + "\n" for line in lines)

    def _annotation(self, level: str, finding: Finding, others: Sequence[Finding]) -> str:
        verdict = finding.result.verdict
        properties: list[tuple[str, object]] = []
        occurrence = finding.occurrence
        if occurrence is not None:
            properties.append(("file", occurrence.document))
            if occurrence.line is not None:
                properties.append(("line", occurrence.line))
                if occurrence.column is not None:
                    properties.append(("col", occurrence.column))
        title = f"{verdict.value} link: {finding.status}"
        if finding.baselined:
            title += " (accepted by the baseline)"
        properties.append(("title", title))
        props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
        return f"::{level} {props}::{escape_data(_message(finding, verdict, others))}"


def _level(fail_on: Sequence[GateTerm], finding: Finding) -> str:
    if finding.baselined:
        return "notice"
    return "error" if finding.result.fails(fail_on) else "warning"


def _group(chosen: list[Finding]) -> list[tuple[Finding, tuple[Finding, ...]]]:
    """One entry per (URL, document, baselined), in the order of its first place."""
    groups: dict[tuple[str, str, bool], list[Finding]] = {}
    for finding in chosen:
        groups.setdefault((finding.result.url, finding.document, finding.baselined), []).append(
            finding
        )
    return [(group[0], tuple(group[1:])) for group in groups.values()]


def _within_limit(level: str, annotations: list[str]) -> list[str]:
    if len(annotations) <= ANNOTATION_LIMIT:
        return annotations
    kept = annotations[: ANNOTATION_LIMIT - 1]
    rest = len(annotations) - len(kept)
    summary = (
        f"{rest} more {level} annotations are not shown (GitHub shows {ANNOTATION_LIMIT} per "
        "step): see the job summary or the report files"
    )
    return [*kept, f"::{level} title={escape_property('linkaudit')}::{escape_data(summary)}"]


def _message(finding: Finding, verdict: Verdict, others: Sequence[Finding]) -> str:
    parts = [neutralise(finding.result.url)]
    if finding.text:
        parts.append(f"(“{one_line(finding.text)}”)")
    if finding.occurrence is not None and finding.occurrence.page is not None:
        parts.append(f"on page {finding.occurrence.page}")
    message = " ".join(parts) + f" is {verdict.value}: {neutralise(finding.status)}"
    if finding.action:
        message += f". Action: {neutralise(finding.action)}"
    if others:
        shown = ", ".join(_short_place(o) for o in others[:20])
        more = f" and {len(others) - 20} more" if len(others) > 20 else ""
        message += f". Also cited at {shown}{more}"
    if finding.baselined:
        message += ". Accepted by the baseline"
    return message


def _short_place(finding: Finding) -> str:
    """``line 80:627`` or ``page 3``: the document is the annotation's own."""
    occurrence = finding.occurrence
    if occurrence is None:
        return "?"
    short = place(dataclasses.replace(occurrence, document=""))
    return f"line {short[1:]}" if short.startswith(":") else short.strip()


def escape_data(text: str) -> str:
    """Escape a workflow command's message (neutralised first: one line, no ESC)."""
    return neutralise(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
