"""
The store: every check kept in SQLite, with history per URL, a cache, and runs that resume.

    database   the ``Store`` (``Store.open(path)``): runs, documents, checks, look-up caches
    schema     tables, views and their migrations (sqlite-utils)
    history    the pure rules that turn a check and the past into history facts
    lookups    archive, DOI and first-check caches kept between runs
    ledger     one run's per-URL state in a private file (stdlib ``sqlite3`` only)

The ``Store`` and its record types are handed out on first use: a run without a store
(``--no-store``) uses the ledger alone and never imports sqlite-utils
(docs/development.md#lazy-imports).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from linkaudit._lazy import lazy_names

if TYPE_CHECKING:
    from linkaudit.store._types import Changes, CheckRecord, RunInfo, RunStatus
    from linkaudit.store.database import Store, utc_now

__all__ = ["ABANDON_AFTER", "Changes", "CheckRecord", "RunInfo", "RunStatus", "Store", "utc_now"]

#: An unfinished run older than this is closed as ``abandoned`` when the next run begins: a
#: day is longer than any real run, so a run still going in another process is never closed.
ABANDON_AFTER = dt.timedelta(days=1)

_HOMES = {
    "Changes": "linkaudit.store._types",
    "CheckRecord": "linkaudit.store._types",
    "RunInfo": "linkaudit.store._types",
    "RunStatus": "linkaudit.store._types",
    "Store": "linkaudit.store.database",
    "utc_now": "linkaudit.store.database",
}

__getattr__ = lazy_names(__name__, _HOMES)
