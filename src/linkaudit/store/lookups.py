"""
Snapshot look-ups kept in the store: the archive stage's cache survives the run.

A found snapshot stays valid for long (an archive does not forget); "nothing archived" is
asked again sooner, because a page may be saved in the meantime.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from sqlite_utils import Database

from linkaudit.models import Snapshot

__all__ = ["FOUND_MAX_AGE", "MISSING_MAX_AGE", "DoiCache", "FirstChecks", "SnapshotCache"]

FOUND_MAX_AGE = dt.timedelta(days=30)
MISSING_MAX_AGE = dt.timedelta(days=1)


class SnapshotCache(MutableMapping[str, Snapshot | None]):
    """A look-up key (``"<url> <cited date>"``) → the snapshot found, or None for none."""

    def __init__(
        self,
        db: Callable[[], Database],
        clock: Callable[[], dt.datetime],
        write: Callable[[Callable[[Database], object]], object],
    ) -> None:
        self._db = db
        self._clock = clock
        self._write = write

    def __getitem__(self, key: str) -> Snapshot | None:
        row = (
            self._db()
            .execute("SELECT snapshot, looked_up_at FROM archive_lookups WHERE key = ?", [key])
            .fetchone()
        )
        if row is None:
            raise KeyError(key)
        snapshot = Snapshot(**json.loads(row[0])) if row[0] else None
        age = self._clock() - dt.datetime.fromisoformat(row[1])
        if age > (FOUND_MAX_AGE if snapshot else MISSING_MAX_AGE):
            raise KeyError(key)
        return snapshot

    def __setitem__(self, key: str, snapshot: Snapshot | None) -> None:
        url, _, cited_on = key.rpartition(" ")
        value = json.dumps(dataclasses.asdict(snapshot)) if snapshot else None
        now = self._clock().isoformat()
        self._write(
            lambda db: db.execute(
                "INSERT INTO archive_lookups (key, url, cited_on, snapshot, looked_up_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "snapshot = excluded.snapshot, looked_up_at = excluded.looked_up_at",
                [key, url, None if cited_on == "-" else cited_on, value, now],
            )
        )

    def __delitem__(self, key: str) -> None:
        self._write(lambda db: db.execute("DELETE FROM archive_lookups WHERE key = ?", [key]))

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self._db().execute("SELECT key FROM archive_lookups").fetchall())

    def __len__(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM archive_lookups").fetchone()[0])


class DoiCache(MutableMapping[str, Any]):
    """A service and DOI (``"Crossref 10.1/x"``) → that service's answer as plain JSON values,
    reused for ``max_age`` seconds: notices and open copies change slowly, and Crossref and
    Unpaywall ask their clients not to repeat questions."""

    def __init__(
        self,
        db: Callable[[], Database],
        clock: Callable[[], dt.datetime],
        write: Callable[[Callable[[Database], object]], object],
        max_age: float,
    ) -> None:
        self._db = db
        self._clock = clock
        self._write = write
        self._max_age = dt.timedelta(seconds=max_age)

    def __getitem__(self, key: str) -> Any:
        row = (
            self._db()
            .execute("SELECT answer, looked_up_at FROM doi_lookups WHERE key = ?", [key])
            .fetchone()
        )
        if row is None or self._clock() - dt.datetime.fromisoformat(row[1]) > self._max_age:
            raise KeyError(key)
        return json.loads(row[0]) if row[0] else None

    def __setitem__(self, key: str, answer: Any) -> None:
        value = None if answer is None else json.dumps(answer, sort_keys=True)
        now = self._clock().isoformat()
        self._write(
            lambda db: db.execute(
                "INSERT INTO doi_lookups (key, answer, looked_up_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET answer = excluded.answer, "
                "looked_up_at = excluded.looked_up_at",
                [key, value, now],
            )
        )

    def __delitem__(self, key: str) -> None:
        self._write(lambda db: db.execute("DELETE FROM doi_lookups WHERE key = ?", [key]))

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self._db().execute("SELECT key FROM doi_lookups").fetchall())

    def __len__(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM doi_lookups").fetchone()[0])


class FirstChecks(MutableMapping[str, Any]):
    """A page's URL → its title and main text as first checked (``--drift`` compares with it
    when no snapshot is near the citation date). Written once per URL, never updated."""

    def __init__(
        self,
        db: Callable[[], Database],
        clock: Callable[[], dt.datetime],
        write: Callable[[Callable[[Database], object]], object],
    ) -> None:
        self._db = db
        self._clock = clock
        self._write = write

    def __getitem__(self, url: str) -> Any:
        row = self._db().execute("SELECT text FROM page_texts WHERE url = ?", [url]).fetchone()
        if row is None:
            raise KeyError(url)
        return json.loads(row[0]) if row[0] else None

    def __setitem__(self, url: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False)
        now = self._clock().isoformat()
        self._write(
            lambda db: db.execute(
                "INSERT INTO page_texts (url, first_checked, text) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO NOTHING",
                [url, now, text],
            )
        )

    def __delitem__(self, url: str) -> None:
        self._write(lambda db: db.execute("DELETE FROM page_texts WHERE url = ?", [url]))

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self._db().execute("SELECT url FROM page_texts").fetchall())

    def __len__(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM page_texts").fetchone()[0])
