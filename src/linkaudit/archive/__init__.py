"""
The archive stage: recognise archive links, find snapshots for links that died, save pages
to the Wayback Machine. (The archive health figures are report arithmetic:
``report/health_figures``.)

Only ``recognize`` is pure; the look-ups talk to the services named by
``Settings.wayback_url``, ``cdx_url``, ``memento_url`` and ``spn_url``.
"""

from __future__ import annotations

from linkaudit.archive.lookup import (
    LOOKUPS,
    attach_snapshots,
    find_snapshot,
    needs_snapshot,
    robust_snapshot,
)
from linkaudit.archive.recognize import recognize
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
