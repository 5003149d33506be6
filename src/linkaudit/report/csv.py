"""One CSV row per occurrence, for spreadsheets."""

from __future__ import annotations

import csv
import io

from linkaudit.printable import guard_lines, neutralise, one_line
from linkaudit.report.base import Report, ReportOptions
from linkaudit.report.findings import ALL_VERDICTS, findings

__all__ = ["COLUMNS", "CsvReporter"]

COLUMNS = (
    "document",
    "page",
    "line",
    "column",
    "part",
    "text",
    "url",
    "verdict",
    "reason",
    "status",
    "final_url",
    "archive",
    "action",
    "context",
    "baselined",
)
# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP "CSV
# injection"); anchor texts are untrusted, so such cells get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvReporter:
    """See ``Reporter.render``: every occurrence of every result, ok ones included."""

    name = "csv"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for finding in findings(report.results, ALL_VERDICTS, baselined=report.baselined):
            result, occurrence = finding.result, finding.occurrence
            row = [
                finding.document,
                occurrence.page if occurrence else None,
                occurrence.line if occurrence else None,
                occurrence.column if occurrence else None,
                occurrence.part.value if occurrence else None,
                one_line(finding.text),
                result.url,
                result.verdict.value,
                result.reason,
                result.status,
                result.final_url,
                result.archive.url if result.archive else None,
                finding.action,
                one_line(finding.context),
                "yes" if finding.baselined else "",
            ]
            writer.writerow([_cell(value) for value in row])
        return guard_lines(buffer.getvalue())


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = neutralise(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
