"""
Set-based writes for results that are not new evidence, so a cached re-run of thousands
of URLs costs a few statements instead of several queries per URL.

* A **cached** result (reused from an earlier check) changes neither ``urls`` nor the
  history rules: its ``checks`` row copies the history it was stored with.
* A real **invalid** or **skipped** result (nothing fetched) is ignored by every rule, so
  the URL's history after it is exactly what ``urls`` already holds; only the URL's current
  verdict and its last check move.

Both give the same rows as ``_writes.save_check``, one result at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from linkaudit.models import History, Result, RunId
from linkaudit.store._codec import (
    check_row,
    history_from_row,
    host_of,
    normalised,
    to_iso,
)
from linkaudit.store._reads import chunks, rows

__all__ = ["copy_checks", "insert_rows", "save_cached", "save_no_evidence", "url_rows"]


def url_rows(db: Database, firsts: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each URL's ``urls`` row (id and history facts), inserted (first seen as given) when new."""
    found = _select_urls(db, firsts)
    missing = [url for url in firsts if url not in found]
    if missing:  # parsing each URL is the costly part: only for rows not there yet
        db.conn.executemany(
            "INSERT OR IGNORE INTO urls (url, normalised, host, first_seen, "
            "consecutive_failures, flapping) VALUES (?, ?, ?, ?, 0, 0)",
            [(url, normalised(url), host_of(url), firsts[url]) for url in missing],
        )
        found.update(_select_urls(db, missing))
    return found


def _select_urls(db: Database, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for batch in chunks(urls):
        marks = ",".join("?" * len(batch))
        sql = (
            "SELECT url, id, first_seen, last_ok, failing_since, consecutive_failures, flapping "
            f"FROM urls WHERE url IN ({marks})"
        )
        found.update((row["url"], row) for row in rows(db, sql, batch))
    return found


def insert_rows(db: Database, table: str, records: Iterable[dict[str, Any]]) -> None:
    """Insert rows that all have the same columns in one streamed ``executemany``."""
    stream = iter(records)
    first = next(stream, None)
    if first is None:
        return
    names = ", ".join(f'"{name}"' for name in first)
    marks = ", ".join("?" * len(first))
    db.conn.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",
        (tuple(r.values()) for r in itertools.chain([first], stream)),
    )


def save_cached(
    db: Database, run: RunId, results: Sequence[Result], now: dt.datetime
) -> list[Result]:
    """Insert one ``checks`` row per cached result; ``urls`` and the history stay as they are."""
    saved = [r if r.history else dataclasses.replace(r, history=History()) for r in results]
    times = [to_iso(r.checked_at or now) or "" for r in saved]
    urls = url_rows(db, {r.url: at for r, at in zip(saved, times, strict=True)})
    insert_rows(
        db,
        "checks",
        (
            check_row(r, run_id=run, url_id=urls[r.url]["id"], checked_at=at)
            for r, at in zip(saved, times, strict=True)
        ),
    )
    return saved


def copy_checks(db: Database, run: RunId, check_ids: Sequence[int]) -> None:
    """Insert, for each cached result saved exactly as ``cached_results`` read it, a copy
    of the check it was read from: the same row ``save_cached`` would build, in SQL. The
    columns are the table's own, so a column a later schema adds is copied too."""
    table = db.execute("PRAGMA table_info(checks)").fetchall()
    columns = [row[1] for row in table if row[1] not in ("id", "run_id", "cached", "recovered")]
    names = ", ".join(f'"{c}"' for c in columns)
    db.conn.executemany(
        f"INSERT INTO checks (run_id, cached, recovered, {names}) "
        f"SELECT ?, 1, 0, {names} FROM checks WHERE id = ?",
        [(run, check_id) for check_id in check_ids],
    )


def _history(facts: dict[str, Any]) -> History:
    """The URL's history after a check with no evidence: what ``urls`` already says (a
    check that changed nothing neither recovered nor escalated anything)."""
    return history_from_row({**facts, "recovered": 0, "escalated": 0})


def save_no_evidence(
    db: Database, run: RunId, results: Sequence[Result], now: dt.datetime
) -> list[Result]:
    """Save real ``invalid`` / ``skipped`` checks: history unchanged, verdict and last check set."""
    times = [r.checked_at or now for r in results]
    urls = url_rows(db, {r.url: to_iso(at) or "" for r, at in zip(results, times, strict=True)})
    saved = [
        dataclasses.replace(r, history=_history(urls[r.url]), checked_at=at)
        for r, at in zip(results, times, strict=True)
    ]
    insert_rows(
        db,
        "checks",
        (
            check_row(r, run_id=run, url_id=urls[r.url]["id"], checked_at=to_iso(at) or "")
            for r, at in zip(saved, times, strict=True)
        ),
    )
    # The URL's current verdict and last check become this one, as save_check leaves them.
    db.conn.executemany(
        "UPDATE urls SET last_checked = ?, verdict = ?, reason = ?, last_check_id = ("
        "SELECT max(id) FROM checks WHERE run_id = ? AND url_id = ?) WHERE id = ?",
        [
            (to_iso(at), str(r.verdict), r.reason, run, urls[r.url]["id"], urls[r.url]["id"])
            for r, at in zip(saved, times, strict=True)
        ],
    )
    return saved
