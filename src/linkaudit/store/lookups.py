"""
Look-ups kept in the store, so they survive the run: archive snapshots, the DOI services'
answers, and pages' text as first checked (for drift).

A found snapshot stays valid for long (an archive does not forget); "nothing archived" is
asked again sooner, because a page may be saved in the meantime.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, ClassVar, TypeVar

from sqlite_utils import Database

from linkaudit.models import Snapshot

__all__ = ["FOUND_MAX_AGE", "MISSING_MAX_AGE", "DoiCache", "FirstChecks", "SnapshotCache"]

FOUND_MAX_AGE = dt.timedelta(days=30)
MISSING_MAX_AGE = dt.timedelta(days=1)

V = TypeVar("V")


class _StoredMapping(MutableMapping[str, V]):
    """A table of the store seen as a mapping from its key column (reads on the caller's
    connection, writes through the store's writer); subclasses read and write the values."""

    table: ClassVar[str]
    key: ClassVar[str] = "key"

    def __init__(
        self,
        db: Callable[[], Database],
        clock: Callable[[], dt.datetime],
        write: Callable[[Callable[[Database], object]], object],
    ) -> None:
        self._db = db
        self._clock = clock
        self._write = write

    def __delitem__(self, key: str) -> None:
        sql = f"DELETE FROM {self.table} WHERE {self.key} = ?"
        self._write(lambda db: db.execute(sql, [key]))

    def __iter__(self) -> Iterator[str]:
        rows = self._db().execute(f"SELECT {self.key} FROM {self.table}").fetchall()
        return (row[0] for row in rows)

    def __len__(self) -> int:
        return int(self._db().execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])


class SnapshotCache(_StoredMapping[Snapshot | None]):
    """A look-up key (``"<url> <cited date>"``) → the snapshot found, or None for none."""

    table = "archive_lookups"

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


class DoiCache(_StoredMapping[Any]):
    """A service and DOI (``"Crossref 10.1/x"``) → that service's answer as plain JSON values,
    reused for ``max_age`` seconds: notices and open copies change slowly, and Crossref and
    Unpaywall ask their clients not to repeat questions."""

    table = "doi_lookups"

    def __init__(
        self,
        db: Callable[[], Database],
        clock: Callable[[], dt.datetime],
        write: Callable[[Callable[[Database], object]], object],
        max_age: float,
    ) -> None:
        super().__init__(db, clock, write)
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


class FirstChecks(_StoredMapping[Any]):
    """A page's URL → its title and main text as first checked (``--drift`` compares with it
    when no snapshot is near the citation date). Written once per URL, never updated."""

    table = "page_texts"
    key = "url"

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
