"""
GitHub Actions workflow commands, so that findings show on the right line of a pull request.

Escaping follows the runner's own rules (actions/toolkit ``command.ts``): in the message
``%``, CR and LF; in properties also ``:`` and ``,``.
"""

from __future__ import annotations

from linkaudit.report.base import Report, ReportOptions
from linkaudit.report.findings import FINDING_VERDICTS, Finding, findings
from linkaudit.verdicts import Verdict

__all__ = ["GithubReporter", "escape_data", "escape_property"]


class GithubReporter:
    """See ``Reporter.render``: ``::error`` for fail-on verdicts, ``::warning`` for problems."""

    name = "github"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        problems = [v for v in FINDING_VERDICTS if v.is_problem or v in self.options.fail_on]
        lines = [self._command(f) for f in findings(report.results, problems)]
        return "".join(line + "\n" for line in lines)

    def _command(self, finding: Finding) -> str:
        verdict = finding.result.verdict
        level = "error" if verdict in self.options.fail_on else "warning"
        properties: list[tuple[str, object]] = []
        occurrence = finding.occurrence
        if occurrence is not None:
            properties.append(("file", occurrence.document))
            if occurrence.line is not None:
                properties.append(("line", occurrence.line))
                if occurrence.column is not None:
                    properties.append(("col", occurrence.column))
        properties.append(("title", f"{verdict.value} link: {finding.status}"))
        props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
        return f"::{level} {props}::{escape_data(_message(finding, verdict))}"


def _message(finding: Finding, verdict: Verdict) -> str:
    parts = [finding.result.url]
    if finding.text:
        parts.append(f"(“{finding.text}”)")
    if finding.occurrence is not None and finding.occurrence.page is not None:
        parts.append(f"on page {finding.occurrence.page}")
    message = " ".join(parts) + f" is {verdict.value}: {finding.status}"
    if finding.action:
        message += f". Action: {finding.action}"
    return message


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
