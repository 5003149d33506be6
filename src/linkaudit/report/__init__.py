"""
The report stage: one ``Report``, many formats.

Each format is one module behind the ``Reporter`` protocol, imported only when asked for,
so that ``--format json`` never imports rich. The report's types (``base``) and
``build_report`` are handed out on first use: the command line is built from ``FORMATS``
alone, without the models (docs/development.md#lazy-imports).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import TYPE_CHECKING

from linkaudit._lazy import lazy_names
from linkaudit.exceptions import ConfigError

if TYPE_CHECKING:
    from linkaudit.report.base import (
        HealthPoint,
        LinksReport,
        Report,
        Reporter,
        ReportOptions,
        StreamingReporter,
        Summary,
    )
    from linkaudit.report.build import build_report

__all__ = [
    "FORMATS",
    "REPORTERS",
    "HealthPoint",
    "LinksReport",
    "OutputFormat",
    "Report",
    "ReportFormat",
    "ReportOptions",
    "Reporter",
    "StreamingReporter",
    "Summary",
    "build_report",
    "contradicting_suffix",
    "format_for_path",
    "get_reporter",
]


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


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """One output format: its reporter and the file suffixes that name it."""

    reporter: str
    """``module:Class`` under ``linkaudit.report``, imported only when asked for."""
    suffixes: tuple[str, ...]
    """The first is a dated report's suffix; a file with another format's suffix is refused."""


#: The one table of output formats; the suffix maps and the CLI's choices derive from it.
FORMATS: dict[ReportFormat, OutputFormat] = {
    ReportFormat.TABLE: OutputFormat("terminal:TableReporter", (".txt",)),
    ReportFormat.JSON: OutputFormat("json:JsonReporter", (".json",)),
    ReportFormat.MARKDOWN: OutputFormat("markdown:MarkdownReporter", (".md", ".markdown")),
    ReportFormat.HTML: OutputFormat("html:HtmlReporter", (".html", ".htm")),
    ReportFormat.JUNIT: OutputFormat("junit:JunitReporter", (".xml",)),
    ReportFormat.SARIF: OutputFormat("sarif:SarifReporter", (".sarif", ".sarif.json")),
    ReportFormat.GITHUB: OutputFormat("github:GithubReporter", (".txt", ".log")),
    ReportFormat.CSV: OutputFormat("csv:CsvReporter", (".csv",)),
}
#: Format name → ``module:ClassName`` under ``linkaudit.report``.
REPORTERS: dict[str, str] = {fmt.value: entry.reporter for fmt, entry in FORMATS.items()}


def get_reporter(name: str, options: ReportOptions | None = None) -> Reporter:
    """The reporter registered as ``name``; ``ConfigError`` names the choices otherwise."""
    try:
        chosen = ReportFormat(name)
    except ValueError:
        choices = ", ".join(REPORTERS)
        raise ConfigError(f"unknown report format {name!r} (choose from {choices})") from None
    return _load(FORMATS[chosen].reporter, options)  # None: the reporter's defaults


def format_for_path(path: str | PurePath) -> str | None:
    """The format an output file's suffix asks for (``.sarif`` → sarif), or None; a suffix
    two formats share (``.txt``) names the first in the table."""
    name = PurePath(path).name.lower()
    for fmt, entry in sorted(FORMATS.items(), key=_longest_suffix_first):
        if any(name.endswith(suffix) for suffix in entry.suffixes):
            return fmt.value
    return None


def contradicting_suffix(fmt: str, path: str | PurePath) -> str | None:
    """The format ``path``'s suffix belongs to when it is not ``fmt``'s own (``--format sarif
    --output report.md``), else None: such a file would hold what its name denies."""
    found = format_for_path(path)
    if found is None or found == fmt:
        return None
    name = PurePath(path).name.lower()
    own = _matched(name, FORMATS[ReportFormat(fmt)].suffixes)
    theirs = _matched(name, FORMATS[ReportFormat(found)].suffixes)
    return None if own >= theirs else found  # .txt is table's and github's alike


def _matched(name: str, suffixes: tuple[str, ...]) -> int:
    return max((len(s) for s in suffixes if name.endswith(s)), default=0)


def _longest_suffix_first(item: tuple[ReportFormat, OutputFormat]) -> int:
    return -max(len(s) for s in item[1].suffixes)


def _load(target: str, options: ReportOptions | None) -> Reporter:
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(f"linkaudit.report.{module_name}")
    reporter: Reporter = getattr(module, class_name)(options)
    return reporter


_HOMES = {
    **dict.fromkeys(
        (
            "HealthPoint",
            "LinksReport",
            "Report",
            "Reporter",
            "ReportOptions",
            "StreamingReporter",
            "Summary",
        ),
        "linkaudit.report.base",
    ),
    "build_report": "linkaudit.report.build",
}

__getattr__ = lazy_names(__name__, _HOMES)
