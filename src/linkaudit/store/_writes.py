"""
The store's writes, each one small transaction's worth of work (the caller opens it):
a run's row, one document and its occurrences, one check and the URL's history facts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from linkaudit.config import Settings
from linkaudit.models import Extraction, History, Result, RunId
from linkaudit.store._batch import insert_rows, url_rows
from linkaudit.store._codec import (
    check_row,
    from_iso,
    host_of,
    normalised,
    occurrence_row,
    to_iso,
)
from linkaudit.store._reads import rows
from linkaudit.store.history import FLAP_WINDOW, PastCheck, decide
from linkaudit.verdicts import Verdict

__all__ = ["abandon_runs", "begin_run", "finish_run", "record_document", "save_check"]


def begin_run(db: Database, now: dt.datetime, arguments: Sequence[str], version: str) -> RunId:
    """Insert a ``running`` run and return its id."""
    cursor = db.execute(
        "INSERT INTO runs (started_at, arguments, tool_version, status) "
        "VALUES (?, ?, ?, 'running')",
        [to_iso(now), json.dumps(list(arguments)), version],
    )
    return RunId(int(cursor.lastrowid or 0))


def abandon_runs(db: Database, now: dt.datetime, started_before: dt.datetime) -> list[RunId]:
    """Close as ``abandoned`` the unfinished runs started before ``started_before``."""
    found = [
        RunId(int(row[0]))
        for row in db.execute(
            "SELECT id FROM runs WHERE status IN ('running', 'interrupted') AND started_at < ?",
            [to_iso(started_before)],
        ).fetchall()
    ]
    if found:
        marks = ",".join("?" * len(found))
        db.execute(
            f"UPDATE runs SET status = 'abandoned', finished_at = coalesce(finished_at, ?) "
            f"WHERE id IN ({marks})",
            [to_iso(now), *found],
        )
    return found


def finish_run(
    db: Database, run: RunId, now: dt.datetime, counts: Mapping[str, int], interrupted: bool
) -> None:
    """Mark ``run`` finished or interrupted, with its counts."""
    db.execute(
        "UPDATE runs SET finished_at = ?, counts = ?, status = ? WHERE id = ?",
        [
            to_iso(now),
            json.dumps(dict(counts), sort_keys=True),
            "interrupted" if interrupted else "finished",
            run,
        ],
    )


def url_id(db: Database, url: str, now: dt.datetime) -> int:
    """The id of ``url``'s row, inserted (first seen now) when new."""
    db.execute(
        "INSERT OR IGNORE INTO urls (url, normalised, host, first_seen, consecutive_failures, "
        "flapping) VALUES (?, ?, ?, ?, 0, 0)",
        [url, normalised(url), host_of(url), to_iso(now)],
    )
    row = db.execute("SELECT id FROM urls WHERE url = ?", [url]).fetchone()
    return int(row[0])


def record_document(db: Database, run: RunId, extraction: Extraction, now: dt.datetime) -> None:
    """Upsert one document and replace its occurrences (only mark it scanned when reused)."""
    doc = extraction.document
    if extraction.reused and _mark_scanned(db, run, extraction, now):
        return
    cursor = db.execute(
        "INSERT INTO documents (path, format, content_hash, title, published, last_scanned, "
        "error, base_url, links, extracted_with, warnings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(path) DO UPDATE SET format = excluded.format, "
        "content_hash = excluded.content_hash, title = excluded.title, "
        "published = excluded.published, last_scanned = excluded.last_scanned, "
        "error = excluded.error, base_url = excluded.base_url, links = excluded.links, "
        "extracted_with = excluded.extracted_with, warnings = excluded.warnings "
        "RETURNING id",
        [
            doc.path,
            str(doc.format),
            doc.content_hash,
            doc.title,
            doc.published.isoformat() if doc.published else None,
            to_iso(now),
            doc.error,
            doc.base_url,
            doc.links or len(extraction.occurrences),
            None if doc.error else extraction.extracted_with,
            json.dumps(extraction.warnings, ensure_ascii=False) if extraction.warnings else None,
        ],
    )
    document_id = int(cursor.fetchone()[0])
    db.execute("DELETE FROM occurrences WHERE document_id = ?", [document_id])
    first_seen = to_iso(now) or ""
    urls = url_rows(db, dict.fromkeys((o.url for o in extraction.occurrences), first_seen))
    # One statement for the lot: sqlite-utils' insert_all cost more than SQLite itself.
    insert_rows(
        db,
        "occurrences",
        (
            occurrence_row(o, document_id=document_id, url_id=urls[o.url]["id"], position=i)
            for i, o in enumerate(extraction.occurrences)
        ),
    )
    _scanned_by(db, run, document_id)


def _mark_scanned(db: Database, run: RunId, extraction: Extraction, now: dt.datetime) -> bool:
    """A reused extraction: its rows stand; ``False`` if another run rewrote them since."""
    doc = extraction.document
    row = db.execute(
        "UPDATE documents SET last_scanned = ? WHERE path = ? AND content_hash = ? "
        "AND extracted_with = ? RETURNING id",
        [to_iso(now), doc.path, doc.content_hash, extraction.extracted_with],
    ).fetchone()
    if row is None:
        return False
    _scanned_by(db, run, int(row[0]))
    return True


def _scanned_by(db: Database, run: RunId, document_id: int) -> None:
    db.execute(
        "INSERT OR IGNORE INTO run_documents (run_id, document_id) VALUES (?, ?)",
        [run, document_id],
    )


def _past_checks(db: Database, uid: int, failing_since: str | None) -> list[PastCheck]:
    """The URL's real checks with evidence: its last FLAP_WINDOW and its failing streak."""
    sql = (
        "SELECT run_id, checked_at, verdict, escalated FROM checks "
        "WHERE url_id = :u AND cached = 0 AND verdict NOT IN ('invalid', 'skipped') "
        "AND (checked_at >= coalesce(:since, '~') OR id >= coalesce(("
        "SELECT id FROM checks WHERE url_id = :u AND cached = 0 "
        "AND verdict NOT IN ('invalid', 'skipped') ORDER BY id DESC LIMIT 1 OFFSET :k), 0)) "
        "ORDER BY checked_at, id"
    )
    found = rows(db, sql, {"u": uid, "since": failing_since, "k": FLAP_WINDOW - 1})
    past = []
    for row in found:
        checked_at = from_iso(row["checked_at"])
        assert checked_at is not None  # NOT NULL column
        verdict = Verdict.UNREACHABLE if row["escalated"] else Verdict(row["verdict"])
        past.append(PastCheck(int(row["run_id"]), checked_at, verdict))
    return past


def save_check(
    db: Database, run: RunId, result: Result, settings: Settings, now: dt.datetime
) -> Result:
    """Insert one check; for a real (not cached) check, apply the history rules to the URL."""
    checked_at = result.checked_at or now
    uid = url_id(db, result.url, checked_at)
    facts: dict[str, Any] = next(
        rows(db, "SELECT first_seen, last_ok, failing_since FROM urls WHERE id = ?", [uid])
    )
    if result.cached:
        saved = result if result.history else dataclasses.replace(result, history=History())
        _insert_check(db, saved, run, uid, checked_at)
        return saved
    past = _past_checks(db, uid, facts["failing_since"])
    verdict, history = decide(
        past,
        PastCheck(int(run), checked_at, result.verdict),
        first_seen=from_iso(facts["first_seen"]),
        last_ok=from_iso(facts["last_ok"]),
        escalate_runs=settings.escalate_runs,
        escalate_days=settings.escalate_days,
    )
    saved = dataclasses.replace(result, verdict=verdict, history=history, checked_at=checked_at)
    check_id = _insert_check(db, saved, run, uid, checked_at)
    db.execute(
        "UPDATE urls SET last_checked = ?, verdict = ?, reason = ?, last_ok = ?, "
        "failing_since = ?, consecutive_failures = ?, flapping = ?, last_check_id = ? "
        "WHERE id = ?",
        [
            to_iso(checked_at),
            str(verdict),
            saved.reason,
            to_iso(history.last_ok),
            to_iso(history.failing_since),
            history.consecutive_failures,
            int(history.flapping),
            check_id,
            uid,
        ],
    )
    return saved


def _insert_check(db: Database, result: Result, run: RunId, uid: int, at: dt.datetime) -> int:
    row = check_row(result, run_id=run, url_id=uid, checked_at=to_iso(at) or "")
    names = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" * len(row))
    cursor = db.execute(f"INSERT INTO checks ({names}) VALUES ({marks})", list(row.values()))
    return int(cursor.lastrowid or 0)
