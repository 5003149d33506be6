"""
The one boundary to sqlite3: open a connection with the store's pragmas, run write
transactions with retries, and turn every sqlite3 or OS error into a one-line
``StoreError`` that names the file.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from sqlite_utils import Database

from linkaudit.exceptions import StoreError

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "check_integrity",
    "connect",
    "describe",
    "translate",
    "use_wal",
    "write",
]

DEFAULT_BUSY_TIMEOUT = 30.0
#: Attempts of one write transaction that found the database locked, all within one busy
#: timeout (SQLite can answer "busy" without waiting, e.g. while another opener recovers).
WRITE_ATTEMPTS = 3
#: Pages in the write-ahead log before a commit checkpoints it (SQLite's default, said aloud).
WAL_AUTOCHECKPOINT = 1000
#: Bytes the write-ahead log is truncated to after a checkpoint: without it the file keeps its
#: largest size, and a reader that never lets go can let it grow to the whole disk.
JOURNAL_SIZE_LIMIT = 32 * 1024 * 1024

T = TypeVar("T")

_MESSAGES = (
    ("file is not a database", "not a linkaudit store (not an SQLite database)"),
    ("malformed", "the database is corrupt (database disk image is malformed)"),
    ("disk is full", "the disk is full; results saved before this one are kept"),
    ("disk i/o error", "disk I/O error"),
    ("readonly", "cannot write: the file or its directory is read-only"),
    ("read-only", "cannot write: the file or its directory is read-only"),
    ("unable to open", "cannot open (missing directory, read-only directory or no permission)"),
)


def describe(exc: BaseException, *, waited: float, path: str = ":memory:") -> str:
    """A short human cause for a sqlite3 or OS error (``waited``: seconds the call took)."""
    text = str(exc).lower()
    if _is_locked(exc):
        return f"locked by another process; gave up after waiting {waited:.1f} s"
    if "unable to open" in text and _in_read_only_directory(path):
        return "cannot write: the file or its directory is read-only"
    for needle, message in _MESSAGES:
        if needle in text:
            return message
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextlib.contextmanager
def translate(path: str, *, busy_timeout: float) -> Iterator[None]:
    """Re-raise sqlite3 and OS errors as ``StoreError("<path>: <cause>")``; a lock names the
    time really waited, retries included, not the configured timeout."""
    started = time.monotonic()
    try:
        yield
    except StoreError as exc:
        message = str(exc)
        if not message.startswith(f"{path}: "):
            raise type(exc)(f"{path}: {message}") from exc
        raise
    except (sqlite3.Error, OSError) as exc:
        waited = time.monotonic() - started
        cause = describe(exc, waited=waited, path=path)
        raise StoreError(f"{path}: {cause}") from exc


def _in_read_only_directory(path: str) -> bool:
    folder = Path(path).parent
    return path != ":memory:" and folder.is_dir() and not os.access(folder, os.W_OK)


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def connect(path: str, *, read_only: bool, busy_timeout: float) -> Database:
    """A sqlite-utils Database over a connection in autocommit mode with the store's pragmas."""
    if path == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    elif read_only:
        if not Path(path).is_file():
            raise StoreError("no such store")
        conn = _connect_read_only(path, busy_timeout=busy_timeout)
    else:
        conn = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        # Reading the schema first fails on a file that is not SQLite, before any write.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return Database(conn, execute_plugins=False)


def _connect_read_only(path: str, *, busy_timeout: float) -> sqlite3.Connection:
    """``mode=ro``; in a read-only directory, where WAL cannot make its -shm file, an
    ``immutable=1`` read, of a private copy when a write-ahead log holds commits that the
    file alone would not show (a killed run's, say)."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    for suffix in ("", "&immutable=1"):
        if suffix and _holds_log(path):
            return _connect_copy(path, busy_timeout=busy_timeout)
        conn = sqlite3.connect(
            uri + suffix,
            uri=True,
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            conn.close()
            if "unable to open" in str(exc) and not suffix and _in_read_only_directory(path):
                continue
            raise
        return conn
    raise AssertionError("unreachable")  # pragma: no cover


def _holds_log(path: str) -> bool:
    wal = Path(f"{path}-wal")
    return wal.is_file() and wal.stat().st_size > 0


def _connect_copy(path: str, *, busy_timeout: float) -> sqlite3.Connection:
    """A read-only connection to a copy of the file and its log in a temporary folder
    (removed at exit), where SQLite can replay the log as it would in place."""
    folder = Path(tempfile.mkdtemp(prefix="linkaudit-read-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / Path(path).name
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    conn = sqlite3.connect(
        copy, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA query_only = 1")
    return conn


def check_integrity(db: Database) -> None:
    """``PRAGMA quick_check`` before anything is written: a damaged file is never modified.

    Cheaper than ``integrity_check`` (no index-to-table cross-check) but it reads every page,
    so a damaged page anywhere is found before ``begin_run`` adds a row."""
    found = [str(row[0]) for row in db.execute("PRAGMA quick_check(5)").fetchall()]
    if found != ["ok"]:
        detail = found[0].splitlines()[0] if found else "no answer"
        raise StoreError(f"the database is corrupt ({detail}); it was not modified")


def use_wal(db: Database) -> None:
    """WAL journal (readers never block the writer) once the file is known to be ours, with
    its growth bounded by checkpoints and a size limit."""
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL").fetchone()
    # NORMAL is durable against a killed process in WAL mode; only power loss can undo
    # the last commits.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}").fetchone()
    db.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}").fetchone()


def write(db: Database, work: Callable[[], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
    """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction, retried while the file is locked
    (the retries within the connection's busy timeout, so the timeout is what it says)."""
    budget = float(db.execute("PRAGMA busy_timeout").fetchone()[0]) / 1000
    deadline = time.monotonic() + budget
    for attempt in range(1, attempts + 1):
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                value = work()
                db.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:
                    db.execute("ROLLBACK")
                raise
            return value
        except sqlite3.OperationalError as exc:
            left = deadline - time.monotonic()
            if not _is_locked(exc) or attempt == attempts or left <= 0:
                raise
            time.sleep(min(0.05 * attempt, left))
    raise AssertionError("unreachable")  # pragma: no cover
