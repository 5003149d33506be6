"""
The store's schema, created and upgraded by a sqlite-utils ``Migrations`` set.

Each migration also sets ``PRAGMA user_version`` to its schema number, so that a
database written by a newer linkaudit is recognised (and refused) before anything is
written to it, and so that tools other than sqlite-utils can read the version.

    1  runs, documents, occurrences, urls, checks
    2  history facts on urls and checks, the run_documents link, the query indexes
    3  the views current_state, dead_links, latest_run_results
    4  archive_lookups (snapshot look-ups kept between runs)
    5  documents.extracted_with and documents.warnings (an unchanged document is not parsed
       again)
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from linkaudit.exceptions import StoreError, StoreVersionError
from linkaudit.store._codec import normalised
from linkaudit.urls import identity

__all__ = ["LATEST", "MIGRATIONS", "ensure_schema", "schema_version"]

MIGRATIONS = Migrations("linkaudit")

_V1 = [
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        arguments TEXT NOT NULL DEFAULT '[]',
        tool_version TEXT,
        counts TEXT,
        status TEXT NOT NULL DEFAULT 'running'
    )""",
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        format TEXT,
        content_hash TEXT,
        title TEXT,
        published TEXT,
        last_scanned TEXT,
        error TEXT
    )""",
    """CREATE TABLE urls (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        normalised TEXT,
        host TEXT,
        first_seen TEXT,
        last_checked TEXT,
        verdict TEXT,
        reason TEXT
    )""",
    """CREATE TABLE occurrences (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        url_id INTEGER NOT NULL REFERENCES urls(id),
        raw TEXT, text TEXT, page INTEGER, line INTEGER, "column" INTEGER,
        part TEXT, element TEXT, context TEXT, problem TEXT
    )""",
    """CREATE TABLE checks (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        url_id INTEGER NOT NULL REFERENCES urls(id),
        checked_at TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT,
        status INTEGER,
        final_url TEXT,
        redirects TEXT,
        elapsed_ms REAL,
        attempts INTEGER,
        error TEXT,
        title TEXT
    )""",
    "CREATE INDEX idx_checks_url ON checks(url_id, checked_at)",
    "CREATE INDEX idx_occurrences_document ON occurrences(document_id)",
]

_V2 = [
    "ALTER TABLE urls ADD COLUMN last_ok TEXT",
    "ALTER TABLE urls ADD COLUMN failing_since TEXT",
    "ALTER TABLE urls ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE urls ADD COLUMN flapping INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE urls ADD COLUMN last_check_id INTEGER REFERENCES checks(id)",
    "ALTER TABLE documents ADD COLUMN base_url TEXT",
    "ALTER TABLE documents ADD COLUMN links INTEGER",
    "ALTER TABLE occurrences ADD COLUMN position INTEGER",
    "ALTER TABLE occurrences ADD COLUMN robust TEXT",
    "ALTER TABLE checks ADD COLUMN fingerprint TEXT",
    "ALTER TABLE checks ADD COLUMN archive TEXT",
    "ALTER TABLE checks ADD COLUMN cached INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE checks ADD COLUMN permanent INTEGER",
    "ALTER TABLE checks ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE checks ADD COLUMN first_seen TEXT",
    "ALTER TABLE checks ADD COLUMN last_ok TEXT",
    "ALTER TABLE checks ADD COLUMN failing_since TEXT",
    "ALTER TABLE checks ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE checks ADD COLUMN flapping INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE checks ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE run_documents (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        PRIMARY KEY (run_id, document_id)
    )""",
    "CREATE INDEX idx_checks_run ON checks(run_id, url_id)",
    "CREATE INDEX idx_occurrences_url ON occurrences(url_id)",
    "CREATE INDEX idx_urls_verdict ON urls(verdict, failing_since)",
    "CREATE INDEX idx_urls_host ON urls(host)",
    "CREATE INDEX idx_urls_normalised ON urls(normalised)",
    "CREATE INDEX idx_runs_status ON runs(status, id)",
    # Backfill what schema 1 did not keep: the latest check and the last working one.
    """UPDATE urls SET last_check_id = (
        SELECT max(id) FROM checks WHERE checks.url_id = urls.id)""",
    """UPDATE urls SET last_ok = (
        SELECT max(checked_at) FROM checks WHERE checks.url_id = urls.id
        AND verdict IN ('ok', 'redirected', 'archived'))""",
    """UPDATE urls SET failing_since = (
        SELECT min(c.checked_at) FROM checks c WHERE c.url_id = urls.id
        AND c.checked_at > coalesce(urls.last_ok, ''))
        WHERE verdict IN ('dead', 'unreachable')""",
    """UPDATE urls SET consecutive_failures = (
        SELECT count(*) FROM checks c WHERE c.url_id = urls.id
        AND c.verdict IN ('dead', 'unreachable') AND c.checked_at >= urls.failing_since)
        WHERE failing_since IS NOT NULL""",
]

_V3 = [
    """CREATE VIEW current_state AS
    SELECT u.id AS url_id, u.url, u.host, u.verdict, u.reason, c.status, c.final_url,
        c.title, u.first_seen, u.last_checked, u.last_ok, u.failing_since,
        round(julianday('now') - julianday(u.failing_since), 1) AS days_failing,
        u.consecutive_failures, u.flapping, c.escalated, c.archive, c.elapsed_ms,
        (SELECT count(*) FROM occurrences o WHERE o.url_id = u.id) AS occurrences
    FROM urls u LEFT JOIN checks c ON c.id = u.last_check_id
    WHERE u.last_check_id IS NOT NULL""",
    """CREATE VIEW dead_links AS
    SELECT s.url, s.reason, s.status, s.failing_since, s.days_failing,
        s.consecutive_failures, s.escalated, s.archive, d.path AS document, o.page, o.line,
        o."column", o.text, o.context
    FROM current_state s
    LEFT JOIN occurrences o ON o.url_id = s.url_id
    LEFT JOIN documents d ON d.id = o.document_id
    WHERE s.verdict = 'dead'""",
    """CREATE VIEW latest_run_results AS
    SELECT c.run_id, u.url, c.verdict, c.reason, c.status, c.final_url, c.checked_at,
        c.cached, c.escalated, c.failing_since, c.consecutive_failures, c.flapping,
        c.recovered, c.elapsed_ms, c.title, c.archive
    FROM checks c JOIN urls u ON u.id = c.url_id
    WHERE c.run_id = (SELECT max(id) FROM runs WHERE status = 'finished')""",
]


def _run(db: Database, statements: list[str], version: int) -> None:
    for sql in statements:
        db.execute(sql)
    db.execute(f"PRAGMA user_version = {version}")


@MIGRATIONS(name="m001_tables")
def m001_tables(db: Database) -> None:
    """Schema 1: the five tables."""
    _run(db, _V1, 1)


@MIGRATIONS(name="m002_history")
def m002_history(db: Database) -> None:
    """Schema 2: history facts, run_documents, indexes."""
    _run(db, _V2, 2)


@MIGRATIONS(name="m003_views")
def m003_views(db: Database) -> None:
    """Schema 3: the views for datasette and the sqlite-utils CLI."""
    _run(db, _V3, 3)


_V4 = [
    """CREATE TABLE archive_lookups (
        key TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        cited_on TEXT,
        snapshot TEXT,
        looked_up_at TEXT NOT NULL
    )""",
]


@MIGRATIONS(name="m004_archive_lookups")
def m004_archive_lookups(db: Database) -> None:
    """Schema 4: snapshot look-ups, so a re-run does not ask the archives again."""
    _run(db, _V4, 4)


_V5 = [
    "ALTER TABLE documents ADD COLUMN extracted_with TEXT",
    "ALTER TABLE documents ADD COLUMN warnings TEXT",
]


@MIGRATIONS(name="m005_extraction_reuse")
def m005_extraction_reuse(db: Database) -> None:
    """Schema 5: what each stored extraction depends on, and its warnings, for reuse."""
    _run(db, _V5, 5)


_V6 = [
    "ALTER TABLE checks ADD COLUMN doi TEXT",
    """CREATE TABLE doi_lookups (
        key TEXT PRIMARY KEY,
        answer TEXT,
        looked_up_at TEXT NOT NULL
    )""",
]


@MIGRATIONS(name="m006_doi")
def m006_doi(db: Database) -> None:
    """Schema 6: what the DOI system, Crossref and Unpaywall said of a cited DOI."""
    _run(db, _V6, 6)


_V7 = [
    "ALTER TABLE checks ADD COLUMN drift TEXT",
    """CREATE TABLE page_texts (
        url TEXT PRIMARY KEY,
        first_checked TEXT NOT NULL,
        text TEXT
    )""",
]


@MIGRATIONS(name="m007_drift")
def m007_drift(db: Database) -> None:
    """Schema 7: content drift and quotations, and each page's text as first checked."""
    _run(db, _V7, 7)


@MIGRATIONS(name="m008_url_identity")
def m008_url_identity(db: Database) -> None:
    """Schema 8: URLs keyed by their normal form (``linkaudit.urls.identity``), so a store
    written before keeps its history: each URL row (and page text) takes the new key unless
    another row already has it (that row's history stays reachable by ``normalised``)."""
    rows = db.execute("SELECT id, url FROM urls ORDER BY id").fetchall()
    taken = {url for _, url in rows}
    for row_id, url in rows:
        key = identity(url)
        if key != url and key not in taken:
            taken.add(key)
            db.execute("UPDATE urls SET url = ? WHERE id = ?", [key, row_id])
            db.execute("UPDATE OR IGNORE page_texts SET url = ? WHERE url = ?", [key, url])
            url = key
        db.execute("UPDATE urls SET normalised = ? WHERE id = ?", [normalised(url), row_id])
    _run(db, [], 8)


LATEST = 8
NAMES = (
    "m001_tables",
    "m002_history",
    "m003_views",
    "m004_archive_lookups",
    "m005_extraction_reuse",
    "m006_doi",
    "m007_drift",
    "m008_url_identity",
)


def schema_version(db: Database) -> int:
    """The schema number the file claims (0 for a new, empty database)."""
    row: Any = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_version(db: Database) -> int:
    """The file's schema number; StoreVersionError when a newer linkaudit wrote it."""
    version = schema_version(db)
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in NAMES]
    if version > LATEST or unknown:
        newer = max(version, LATEST + len(unknown))
        raise StoreVersionError(
            f"written by a newer linkaudit (schema {newer}); this one knows up to {LATEST}"
        )
    if version == 0 and _has_foreign_tables(db):
        raise StoreError("not a linkaudit store (it holds other tables)")
    return version


def ensure_schema(db: Database) -> None:
    """Apply pending migrations in one write transaction (safe against a concurrent opener);
    an up-to-date file takes no write lock (another process's lock does not stall the open)."""
    if check_version(db) == LATEST:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if check_version(db) < LATEST:
            MIGRATIONS.apply(db)
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def _has_foreign_tables(db: Database) -> bool:
    names = set(db.table_names()) - {Migrations.migrations_table}
    return bool(names)
