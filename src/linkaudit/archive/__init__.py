"""
The archive stage: recognise archive links, find snapshots for links that died, save pages
to the Wayback Machine, and summarise archive health.

Only ``recognize`` and ``health`` are pure; the look-ups talk to the services named by
``Settings.wayback_url``, ``cdx_url``, ``memento_url`` and ``spn_url``.
"""

from __future__ import annotations

from linkaudit.archive.health import DocumentHealth, Health, RotBucket, health_figures
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
    "DocumentHealth",
    "Health",
    "RotBucket",
    "SaveOutcome",
    "attach_snapshots",
    "find_snapshot",
    "health_figures",
    "needs_snapshot",
    "recognize",
    "robust_snapshot",
    "save_pages",
    "spn_credentials",
]
