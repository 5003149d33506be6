"""
linkaudit: find every link in a brief, check it, keep its history, and say what to fix.

The public API is what this module exports; everything else may change.

    report = linkaudit.check(["brief.docx"], linkaudit.Settings(max_per_host=1), db=None)
    extractions = linkaudit.extract(["brief.pdf"])   # offline: documents and occurrences
"""

from __future__ import annotations

from linkaudit._version import __version__
from linkaudit.config import Settings, load_settings
from linkaudit.exceptions import (
    ArchiveError,
    ConfigError,
    DocumentError,
    LinkauditError,
    StoreError,
)
from linkaudit.models import (
    Document,
    DocumentFormat,
    History,
    Occurrence,
    Redirect,
    Result,
    Snapshot,
)
from linkaudit.pipeline import check, extract
from linkaudit.report.base import Report, Summary
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "ArchiveError",
    "ConfigError",
    "Document",
    "DocumentError",
    "DocumentFormat",
    "History",
    "LinkauditError",
    "Occurrence",
    "Reason",
    "Redirect",
    "Report",
    "Result",
    "Settings",
    "Snapshot",
    "StoreError",
    "Summary",
    "Verdict",
    "__version__",
    "check",
    "extract",
    "load_settings",
]
