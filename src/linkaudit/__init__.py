"""
linkaudit: find every link in a brief, check it, keep its history, and say what to fix.

The public API is what this module exports; everything else may change.
"""

from __future__ import annotations

from linkaudit._version import __version__
from linkaudit.exceptions import (
    ConfigError,
    DocumentError,
    LinkauditError,
    StoreError,
)
from linkaudit.models import Document, DocumentFormat, Occurrence, Result, Snapshot
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "ConfigError",
    "Document",
    "DocumentError",
    "DocumentFormat",
    "LinkauditError",
    "Occurrence",
    "Reason",
    "Result",
    "Snapshot",
    "StoreError",
    "Verdict",
    "__version__",
]
