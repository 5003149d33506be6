"""
The archive stage: recognise archive links, find snapshots for links that died, save pages
to the Wayback Machine. (The archive health figures are report arithmetic:
``report/health_figures``.)

Only ``recognize`` is pure; the look-ups talk to the services named by
``Settings.wayback_url``, ``cdx_url``, ``memento_url`` and ``spn_url``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkaudit._lazy import lazy_names
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


__getattr__ = lazy_names(__name__, _HOMES)
