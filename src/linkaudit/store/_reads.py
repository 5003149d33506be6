"""Queries that only read the store: runs, one run's results, a URL's timeline, changes."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from linkaudit.exceptions import StoreError
from linkaudit.models import Document, DocumentFormat, Occurrence, Result, RunId
from linkaudit.store._codec import (
    from_iso,
    normalised,
    occurrence_from_row,
    result_from_row,
    to_iso,
)
from linkaudit.store._types import Changes, CheckRecord, RunInfo, RunStatus
from linkaudit.store.history import FAILING, WORKING
from linkaudit.verdicts import Verdict

__all__ = [
    "changes_since",
    "chunks",
    "last_checks",
    "latest_checks",
    "occurrences_of_run",
    "rows",
    "run_info",
    "run_results",
    "runs",
    "stored_extraction",
    "url_history",
]

#: URLs per ``IN (…)`` list, well under SQLite's bound on host parameters.
CHUNK = 500

_CHECK_COLUMNS = "u.url AS url, c.*"


def rows(
    db: Database, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> Iterator[dict[str, Any]]:
    """Each row of ``sql`` as a dict keyed by column name."""
    cursor = db.execute(sql, dict(params) if isinstance(params, Mapping) else list(params))
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def chunks(items: Iterable[str]) -> Iterator[list[str]]:
    """``items`` in lists of at most ``CHUNK``."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_from_row(row: dict[str, Any]) -> RunInfo:
    started = from_iso(row["started_at"])
    assert started is not None  # NOT NULL column
    return RunInfo(
        id=RunId(row["id"]),
        started_at=started,
        finished_at=from_iso(row["finished_at"]),
        arguments=tuple(json.loads(row["arguments"] or "[]")),
        tool_version=row["tool_version"],
        counts=json.loads(row["counts"]) if row["counts"] else {},
        status=RunStatus(row["status"]),
    )


def runs(db: Database) -> list[RunInfo]:
    """Every run, oldest first."""
    return [_run_from_row(r) for r in rows(db, "SELECT * FROM runs ORDER BY id")]


def run_info(db: Database, run: RunId | None) -> RunInfo:
    """The run ``run``, or the latest finished one; StoreError when there is none."""
    if run is None:
        found = list(
            rows(db, "SELECT * FROM runs WHERE status = 'finished' ORDER BY id DESC LIMIT 1")
        )
        if not found:
            raise StoreError("no finished run in the store")
    else:
        found = list(rows(db, "SELECT * FROM runs WHERE id = ?", [run]))
        if not found:
            raise StoreError(f"no run {run} in the store")
    return _run_from_row(found[0])


def latest_checks(db: Database, run: RunId, urls: Sequence[str] | None = None) -> list[Result]:
    """The last check of each URL in ``run`` (of ``urls`` only, when given), by URL."""
    sql = (
        f"SELECT {_CHECK_COLUMNS} FROM checks c JOIN urls u ON u.id = c.url_id "
        "WHERE c.id IN (SELECT max(id) FROM checks WHERE run_id = ? GROUP BY url_id)"
    )
    if urls is None:
        found = rows(db, sql + " ORDER BY u.url", [run])
        return [result_from_row(r, cached=bool(r["cached"])) for r in found]
    results: list[Result] = []
    for batch in chunks(urls):
        marks = ",".join("?" * len(batch))
        found = rows(db, f"{sql} AND u.url IN ({marks}) ORDER BY u.url", [run, *batch])
        results.extend(result_from_row(r, cached=bool(r["cached"])) for r in found)
    return results


def last_checks(db: Database, urls: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The row of each URL's last real check (``urls.last_check_id``), for the cache."""
    sql = (
        f"SELECT {_CHECK_COLUMNS} FROM urls u JOIN checks c ON c.id = u.last_check_id "
        "WHERE u.url IN ({})"
    )
    for batch in chunks(urls):
        yield from rows(db, sql.format(",".join("?" * len(batch))), batch)


def occurrences_of_run(db: Database, run: RunId) -> dict[str, list[Occurrence]]:
    """Current occurrences in the documents ``run`` scanned (of its URLs if it scanned none)."""
    scanned = db.execute("SELECT 1 FROM run_documents WHERE run_id = ? LIMIT 1", [run]).fetchone()
    where = (
        "o.document_id IN (SELECT document_id FROM run_documents WHERE run_id = ?)"
        if scanned
        else "o.url_id IN (SELECT url_id FROM checks WHERE run_id = ?)"
    )
    sql = (
        "SELECT o.*, d.path AS document, u.url AS url FROM occurrences o "
        "JOIN documents d ON d.id = o.document_id JOIN urls u ON u.id = o.url_id "
        f"WHERE {where} ORDER BY d.path, o.position, o.id"
    )
    grouped: dict[str, list[Occurrence]] = defaultdict(list)
    for row in rows(db, sql, [run]):
        grouped[row["url"]].append(occurrence_from_row(row))
    return grouped


def run_results(db: Database, run: RunId | None) -> tuple[RunInfo, list[Result]]:
    """One run's results with their occurrences re-joined."""
    info = run_info(db, run)
    occurrences = occurrences_of_run(db, info.id)
    results = [
        _with_occurrences(r, tuple(occurrences.get(r.url, ()))) for r in latest_checks(db, info.id)
    ]
    return info, results


def _with_occurrences(result: Result, occurrences: tuple[Occurrence, ...]) -> Result:
    return replace(result, occurrences=occurrences)


def url_history(db: Database, url: str) -> list[CheckRecord]:
    """Every check of ``url`` (or of URLs fetching the same resource), oldest first."""
    sql = (
        "SELECT u.url AS url, c.* FROM checks c JOIN urls u ON u.id = c.url_id "
        "WHERE {} ORDER BY c.checked_at, c.id"
    )
    found = list(rows(db, sql.format("u.url = ?"), [url]))
    if not found:
        found = list(rows(db, sql.format("u.normalised = ?"), [normalised(url)]))
    return [_record(r) for r in found]


def _record(row: dict[str, Any]) -> CheckRecord:
    checked_at = from_iso(row["checked_at"])
    assert checked_at is not None  # NOT NULL column
    return CheckRecord(
        run_id=RunId(row["run_id"]),
        checked_at=checked_at,
        verdict=Verdict(row["verdict"]),
        reason=row["reason"],
        status=row["status"],
        final_url=row["final_url"],
        elapsed_ms=row["elapsed_ms"],
        attempts=row["attempts"],
        error=row["error"],
        title=row["title"],
        fingerprint=row["fingerprint"],
        cached=bool(row["cached"]),
        escalated=bool(row["escalated"]),
        consecutive_failures=int(row["consecutive_failures"] or 0),
        failing_since=from_iso(row["failing_since"]),
        url=row["url"],
    )


def changes_since(db: Database, since: dt.datetime | None, run: RunId | None) -> Changes:
    """Newly dead, still dead and recovered in ``run`` against the checks before ``since``."""
    info, results = run_results(db, run)
    baseline = since or info.started_at
    sql = (
        "SELECT u.url AS url, c.verdict AS verdict FROM checks c JOIN urls u ON u.id = c.url_id "
        "WHERE c.id IN (SELECT max(id) FROM checks WHERE checked_at < ? AND run_id != ? "
        "AND url_id IN (SELECT url_id FROM checks WHERE run_id = ?) GROUP BY url_id)"
    )
    before = {
        r["url"]: Verdict(r["verdict"]) for r in rows(db, sql, [to_iso(baseline), info.id, info.id])
    }
    newly_dead = [
        r for r in results if r.verdict is Verdict.DEAD and before.get(r.url) is not Verdict.DEAD
    ]
    still_dead = [
        r for r in results if r.verdict is Verdict.DEAD and before.get(r.url) is Verdict.DEAD
    ]
    recovered = [r for r in results if r.verdict in WORKING and before.get(r.url) in FAILING]
    return Changes(
        run=info,
        baseline=baseline,
        newly_dead=tuple(newly_dead),
        still_dead=tuple(still_dead),
        recovered=tuple(recovered),
    )


def stored_extraction(
    db: Database, path: str, content_hash: str, key: str
) -> tuple[Document, list[Occurrence], list[str]] | None:
    """The document at ``path`` with its occurrences in document order, as last scanned,
    when it was read from the same bytes under the same key (``extract.key``)."""
    found = list(
        rows(
            db,
            "SELECT * FROM documents WHERE path = ? AND content_hash = ? AND extracted_with = ? "
            "AND error IS NULL",
            [path, content_hash, key],
        )
    )
    if not found:
        return None
    doc = found[0]
    sql = (
        "SELECT o.*, ? AS document, u.url AS url FROM occurrences o "
        "JOIN urls u ON u.id = o.url_id WHERE o.document_id = ? ORDER BY o.position, o.id"
    )
    occurrences = [occurrence_from_row(r) for r in rows(db, sql, [path, doc["id"]])]
    if len(occurrences) != (doc["links"] or 0):
        return None  # never expected: the rows are written in one transaction
    document = Document(
        path=path,
        format=DocumentFormat(doc["format"]),
        title=doc["title"],
        published=dt.date.fromisoformat(doc["published"]) if doc["published"] else None,
        base_url=doc["base_url"],
        content_hash=content_hash,
        links=len(occurrences),
    )
    return document, occurrences, json.loads(doc["warnings"]) if doc["warnings"] else []


def run_documents(db: Database, run: RunId) -> list[Document]:
    """The documents ``run`` scanned, as last scanned (for health figures and reports)."""
    sql = (
        "SELECT d.*, (SELECT count(*) FROM occurrences o WHERE o.document_id = d.id) AS n "
        "FROM documents d JOIN run_documents r ON r.document_id = d.id WHERE r.run_id = ? "
        "ORDER BY d.path"
    )
    return [
        Document(
            path=row["path"],
            format=DocumentFormat(row["format"]) if row["format"] else DocumentFormat.TEXT,
            title=row["title"],
            published=dt.date.fromisoformat(row["published"]) if row["published"] else None,
            content_hash=row["content_hash"],
            error=row["error"],
            links=row["n"] or 0,
        )
        for row in rows(db, sql, [run])
    ]
