"""
The report stage: one ``Report``, many formats.

Each format is one module behind the ``Reporter`` protocol, imported only when asked for,
so that ``--format json`` never imports rich.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import PurePath
from typing import assert_never

from linkaudit.exceptions import ConfigError
from linkaudit.report.base import HealthPoint, LinksReport, Report, Reporter, ReportOptions, Summary
from linkaudit.report.build import build_report

__all__ = [
    "REPORTERS",
    "HealthPoint",
    "LinksReport",
    "Report",
    "ReportFormat",
    "ReportOptions",
    "Reporter",
    "Summary",
    "build_report",
    "format_for_path",
    "get_reporter",
]

#: Format name → ``module:ClassName`` under ``linkaudit.report``.
REPORTERS: dict[str, str] = {
    "table": "terminal:TableReporter",
    "json": "json:JsonReporter",
    "markdown": "markdown:MarkdownReporter",
    "html": "html:HtmlReporter",
    "junit": "junit:JunitReporter",
    "sarif": "sarif:SarifReporter",
    "github": "github:GithubReporter",
    "csv": "csv:CsvReporter",
}

_SUFFIXES: dict[str, str] = {
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xml": "junit",
    ".sarif": "sarif",
    ".csv": "csv",
    ".txt": "table",
}


class ReportFormat(StrEnum):
    """The ``--format`` choices."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"
    CSV = "csv"

    def reporter(self, options: ReportOptions | None = None) -> Reporter:
        """The reporter for this format (imported on demand)."""
        match self:
            case (
                ReportFormat.TABLE
                | ReportFormat.JSON
                | ReportFormat.MARKDOWN
                | ReportFormat.HTML
                | ReportFormat.JUNIT
                | ReportFormat.SARIF
                | ReportFormat.GITHUB
                | ReportFormat.CSV
            ):
                return _load(REPORTERS[self.value], options or ReportOptions())
            case _:  # pragma: no cover
                assert_never(self)


def get_reporter(name: str, options: ReportOptions | None = None) -> Reporter:
    """The reporter registered as ``name``; ``ConfigError`` names the choices otherwise."""
    try:
        chosen = ReportFormat(name)
    except ValueError:
        choices = ", ".join(REPORTERS)
        raise ConfigError(f"unknown report format {name!r} (choose from {choices})") from None
    return chosen.reporter(options)


def format_for_path(path: str | PurePath) -> str | None:
    """The format an output file's suffix asks for (``.sarif`` → sarif), or None."""
    name = PurePath(path).name.lower()
    if name.endswith(".sarif.json"):
        return "sarif"
    return _SUFFIXES.get(PurePath(name).suffix)


def _load(target: str, options: ReportOptions) -> Reporter:
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(f"linkaudit.report.{module_name}")
    reporter: Reporter = getattr(module, class_name)(options)
    return reporter
