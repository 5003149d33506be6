"""
The archive stage: recognise archive links, find snapshots for links that died, save pages
to the Wayback Machine. (The archive health figures are report arithmetic:
``report/health_figures``.)

Only ``recognize`` is pure; the look-ups talk to the services named by
``Settings.wayback_url``, ``cdx_url``, ``memento_url`` and ``spn_url``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from linkaudit.archive.recognize import recognize

if TYPE_CHECKING:
    from linkaudit.archive.lookup import (
        LOOKUPS,
        attach_snapshots,
        find_snapshot,
        needs_snapshot,
        robust_snapshot,
    )
    from linkaudit.archive.save import SaveOutcome, save_pages, spn_credentials

__all__ = [
    "LOOKUPS",
    "SaveOutcome",
    "attach_snapshots",
    "find_snapshot",
    "needs_snapshot",
    "recognize",
    "robust_snapshot",
    "save_pages",
    "spn_credentials",
]

# The look-ups and saving on first use: the classify stage needs only ``recognize``, and a
# run with nothing to fetch never imports httpx (docs/development.md#lazy-imports).
_HOMES = {
    "LOOKUPS": "linkaudit.archive.lookup",
    "attach_snapshots": "linkaudit.archive.lookup",
    "find_snapshot": "linkaudit.archive.lookup",
    "needs_snapshot": "linkaudit.archive.lookup",
    "robust_snapshot": "linkaudit.archive.lookup",
    "SaveOutcome": "linkaudit.archive.save",
    "save_pages": "linkaudit.archive.save",
    "spn_credentials": "linkaudit.archive.save",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
