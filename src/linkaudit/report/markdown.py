"""A Markdown fix list that fits a pull-request comment or a CI job summary."""

from __future__ import annotations

import re

from linkaudit.printable import guard_lines, neutralise, one_line
from linkaudit.report.base import Report, ReportOptions
from linkaudit.report.findings import ALL_VERDICTS, FINDING_VERDICTS, Finding, findings

__all__ = ["MarkdownReporter", "code", "escape"]

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that would
# start a link, emphasis, HTML, a heading or a table cell.
_SPECIAL = re.compile(r"([\\`*_\[\]{}<>()#+!|~])")


class MarkdownReporter:
    """See ``Reporter.render``: summary table, then per verdict the places to fix and how."""

    name = "markdown"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        lines = ["## linkaudit report", "", *_summary(report)]
        chosen = findings(report.results, baselined=report.baselined)
        for verdict in FINDING_VERDICTS:
            group = [f for f in chosen if f.result.verdict is verdict]
            if group:
                lines += ["", f"### {verdict.value.capitalize()} ({len(group)})", ""]
                lines += _fix_table(group, self.options.max_rows)
        # Live links whose citation is in question: a notice on the work, drift, a quotation.
        concerns = [f for f in chosen if f.result.verdict not in FINDING_VERDICTS]
        if concerns:
            lines += ["", f"### Citations to check ({len(concerns)})", ""]
            lines += _fix_table(concerns, self.options.max_rows)
        if report.warnings:
            lines += ["", "### Warnings", ""]
            lines += [f"- {escape(warning)}" for warning in report.warnings]
        return guard_lines("\n".join(lines) + "\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(report: Report) -> list[str]:
    summary = report.summary
    lines = [
        f"{_count(summary.documents, 'document')}, {_count(summary.links, 'link')}, "
        f"{_count(summary.urls, 'distinct URL')}.",
        "",
        "| Verdict | URLs |",
        "| --- | ---: |",
    ]
    lines += [f"| {v.value} | {summary.by_verdict.get(v.value, 0)} |" for v in ALL_VERDICTS]
    if summary.network != "ok":
        lines += ["", f"**Network {summary.network}:** remote links could not be checked."]
    if summary.interrupted:
        lines += ["", "**Interrupted:** some links were not checked."]
    if summary.baselined:
        lines += ["", f"**Baseline:** {summary.baselined} cited places are accepted for now."]
    return lines


def _fix_table(group: list[Finding], max_rows: int | None) -> list[str]:
    shown = group if max_rows is None else group[:max_rows]
    lines = [
        "| Where | Anchor text | URL | Status | Action | Context |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for finding in shown:
        where = escape(" ".join(filter(None, [finding.document, finding.where])))
        cells = [
            where,
            escape(finding.text),
            code(finding.result.url),
            escape(finding.status),
            _action(finding) + (" *(accepted by the baseline)*" if finding.baselined else ""),
            escape(finding.context),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if len(shown) < len(group):
        lines += ["", f"… and {len(group) - len(shown)} more."]
    return lines


def _action(finding: Finding) -> str:
    """The action, with any URL in it as code so that it can be copied."""
    action = finding.action
    for url in (finding.result.final_url, finding.result.archive and finding.result.archive.url):
        if url and url in action:
            before, _, after = action.partition(url)
            return escape(before) + code(url) + escape(after)
    return escape(action)


def escape(text: str) -> str:
    """Text safe in a table cell: no markup, no HTML, no pipes, one line."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def code(text: str) -> str:
    """A code span that survives backticks and table pipes in ``text``."""
    if not text:
        return ""
    text = neutralise(" ".join(text.split())).replace("|", "\\|")
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
