"""
linkaudit: find every link in a brief, check it, keep its history, and say what to fix.

The public API is what this module exports; everything else may change.

    report = linkaudit.check(["brief.docx"], linkaudit.Settings(max_per_host=1), store=False)
    report = await linkaudit.check_async(["brief.docx"])   # inside a running event loop
    extractions = linkaudit.extract(["brief.pdf"])   # offline: documents and occurrences
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# The stage packages `check` and `extract` share their names with the API functions below.
# Importing a submodule binds its name on this package, so the packages are imported first
# and the functions bound after: `linkaudit.check(...)` is always the function.
importlib.import_module("linkaudit.check")
_extract = importlib.import_module("linkaudit.extract")

from linkaudit._lazy import lazy_names
from linkaudit._version import __version__
from linkaudit.config import Settings, load_settings
from linkaudit.exceptions import (
    ArchiveError,
    ConfigError,
    DocumentError,
    LinkauditError,
    StoreError,
)
from linkaudit.verdicts import Reason, Verdict

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkaudit.models import (
        Document,
        DocumentFormat,
        Extraction,
        History,
        Occurrence,
        Redirect,
        Result,
        Snapshot,
    )
    from linkaudit.report.base import Report, Summary

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
    "check_async",
    "extract",
    "load_settings",
]


# The models and the report on first use: `linkaudit --version` and `Settings` need neither.
_HOMES = {
    **dict.fromkeys(
        (
            "Document",
            "DocumentFormat",
            "Extraction",
            "History",
            "Occurrence",
            "Redirect",
            "Result",
            "Snapshot",
        ),
        "linkaudit.models",
    ),
    "Report": "linkaudit.report.base",
    "Summary": "linkaudit.report.base",
}

__getattr__ = lazy_names(__name__, _HOMES)


def check(inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True) -> Report:
    """Check every link of ``inputs`` and return the report (``linkaudit check`` as a function).

    Results are kept in ``settings.db`` (history, cache, resume) unless ``store=False``. It
    works inside a running event loop too (a Jupyter cell), in a thread of its own.
    """
    # Imported on first call: the run brings httpx, sqlite-utils and every stage, which
    # `import linkaudit` for extract() or Settings never needs (docs/development.md#lazy-imports).
    from linkaudit.run.pipeline import check as run

    return run(inputs, settings, store=store)


async def check_async(
    inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True
) -> Report:
    """``check`` as a coroutine, for code that already runs an event loop (Jupyter, an async
    web app): ``report = await linkaudit.check_async(["brief.md"])``."""
    from linkaudit.run.pipeline import check_async as run  # on first call, as in check()

    return await run(inputs, settings, store=store)


def extract(inputs: Sequence[str], settings: Settings | None = None) -> list[Extraction]:
    """Every document's links, offline (``linkaudit extract`` as a function)."""
    return list(_extract.iter_inputs(inputs, settings or Settings()))
