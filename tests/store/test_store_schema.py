"""Migrations: from an empty file, from an older schema, and a newer schema refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.exceptions import StoreError, StoreVersionError
from linkaudit.store import Store
from linkaudit.store.schema import LATEST, NAMES
from linkaudit.verdicts import Verdict

from .conftest import result

V1 = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
    arguments TEXT NOT NULL DEFAULT '[]', tool_version TEXT, counts TEXT,
    status TEXT NOT NULL DEFAULT 'running');
CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, format TEXT,
    content_hash TEXT, title TEXT, published TEXT, last_scanned TEXT, error TEXT);
CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, normalised TEXT, host TEXT,
    first_seen TEXT, last_checked TEXT, verdict TEXT, reason TEXT);
CREATE TABLE occurrences (id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    url_id INTEGER NOT NULL REFERENCES urls(id), raw TEXT, text TEXT, page INTEGER, line INTEGER,
    "column" INTEGER, part TEXT, element TEXT, context TEXT, problem TEXT);
CREATE TABLE checks (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
    url_id INTEGER NOT NULL REFERENCES urls(id), checked_at TEXT NOT NULL, verdict TEXT NOT NULL,
    reason TEXT, status INTEGER, final_url TEXT, redirects TEXT, elapsed_ms REAL,
    attempts INTEGER, error TEXT, title TEXT);
CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT,
    applied_at TEXT);
INSERT INTO _sqlite_migrations (migration_set, name, applied_at)
    VALUES ('linkaudit', 'm001_tables', '2025-01-01 00:00:00+00:00');
INSERT INTO runs VALUES (1, '2025-01-01T00:00:00+00:00', '2025-01-01T00:01:00+00:00', '["a.md"]',
    '0.0.1', '{"urls": 2}', 'finished');
INSERT INTO urls (id, url, host, first_seen, last_checked, verdict, reason) VALUES
    (1, 'https://ok.example/', 'ok.example', '2025-01-01T00:00:00+00:00',
     '2025-01-01T00:00:30+00:00', 'ok', 'http_200'),
    (2, 'https://gone.example/', 'gone.example', '2025-01-01T00:00:00+00:00',
     '2025-01-01T00:00:40+00:00', 'dead', 'http_404');
INSERT INTO checks (run_id, url_id, checked_at, verdict, reason, status) VALUES
    (1, 1, '2025-01-01T00:00:30+00:00', 'ok', 'http_200', 200),
    (1, 2, '2025-01-01T00:00:40+00:00', 'dead', 'http_404', 404);
PRAGMA user_version = 1;
"""


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def test_empty_file_gets_the_latest_schema(db_path: Path) -> None:
    db_path.touch()
    Store.open(db_path).close()
    names = tables(db_path)
    assert {"runs", "documents", "occurrences", "urls", "checks", "run_documents"} <= names
    assert {"current_state", "dead_links", "latest_run_results"} <= names
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == list(NAMES)
    Store.open(db_path).close()  # a second open applies nothing and fails on nothing


def test_schema_1_upgrades_in_place_and_keeps_its_data(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.executescript(V1)
    with Store.open(db_path) as store:
        info, results = store.run_results()
        assert info.arguments == ("a.md",)
        assert {r.url: r.verdict for r in results} == {
            "https://ok.example/": "ok",
            "https://gone.example/": "dead",
        }
        state = store.query(
            "SELECT url, last_ok, failing_since, consecutive_failures FROM current_state "
            "ORDER BY url"
        )
        assert state == [
            {
                "url": "https://gone.example/",
                "last_ok": None,
                "failing_since": "2025-01-01T00:00:40+00:00",
                "consecutive_failures": 1,
            },
            {
                "url": "https://ok.example/",
                "last_ok": "2025-01-01T00:00:30+00:00",
                "failing_since": None,
                "consecutive_failures": 0,
            },
        ]
        run = store.begin_run([], "test")
        saved = store.save_result(run, result("https://gone.example/", Verdict.DEAD), Settings())
        assert saved.history is not None and saved.history.consecutive_failures == 2
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_newer_schema_is_refused_untouched(db_path: Path) -> None:
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 4}")
    before = db_path.read_bytes()
    with pytest.raises(StoreVersionError) as caught:
        Store.open(db_path)
    message = str(caught.value)
    assert message == (
        f"{db_path}: written by a newer linkaudit (schema {LATEST + 4}); "
        f"this one knows up to {LATEST}"
    )
    assert db_path.read_bytes() == before


def test_unknown_migration_name_is_a_newer_schema(db_path: Path) -> None:
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('linkaudit', 'm004_future', 'x')"
        )
    with pytest.raises(StoreVersionError, match=f"schema {LATEST + 1}"):
        Store.open(db_path, read_only=True)


def test_a_foreign_sqlite_database_is_not_adopted(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(StoreError, match="not a linkaudit store"):
        Store.open(db_path)
    assert tables(db_path) == {"notes"}


def test_read_only_open_of_an_old_schema_asks_for_an_upgrade(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.executescript(V1)
    with pytest.raises(StoreError, match="needs an upgrade"):
        Store.open(db_path, read_only=True)


def test_urls_take_their_identity_and_keep_their_history(db_path: Path) -> None:
    """Schema 8: a store written before URL identity keeps each URL's history under the
    normal form the checker now uses; a URL whose form is taken keeps its own row."""
    old = V1.replace("https://ok.example/", "HTTPS://OK.example:443/%7Eme").replace(
        "https://gone.example/", "https://gone.example/a/../b"
    )
    old += (
        "INSERT INTO urls (id, url, host) VALUES (3, 'https://gone.example/b', 'gone.example'),"
        " (4, 'https://gone.example/%62', 'gone.example');"
    )
    with sqlite3.connect(db_path) as conn:
        conn.executescript(old)
    with Store.open(db_path) as store:
        rows = store.query("SELECT id, url, normalised FROM urls ORDER BY id")
        assert rows == [
            {"id": 1, "url": "https://ok.example/~me", "normalised": "https://ok.example/~me"},
            # /a/../b is /b, which row 3 already has: row 2 keeps its key, found by normalised
            {"id": 2, "url": "https://gone.example/a/../b", "normalised": "https://gone.example/b"},
            {"id": 3, "url": "https://gone.example/b", "normalised": "https://gone.example/b"},
            {"id": 4, "url": "https://gone.example/%62", "normalised": "https://gone.example/b"},
        ]
        run = store.begin_run([], "test")
        saved = store.save_result(run, result("https://ok.example/~me", Verdict.DEAD), Settings())
        assert saved.history is not None and saved.history.last_ok is not None
        # The old check of /a/../b is found under the identity the checker now uses.
        assert [r.reason for r in store.url_history("https://gone.example/b")] == ["http_404"]
