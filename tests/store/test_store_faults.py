"""Real processes writing one file, a writer killed with SIGKILL, and a full disk."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.exceptions import StoreError
from linkaudit.store import RunStatus, Store
from linkaudit.store.schema import LATEST

from .conftest import result

WRITER = Path(__file__).with_name("writer.py")


def spawn(db: Path, label: str, count: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(db), label, str(count), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_two_concurrent_writer_processes_lose_nothing(db_path: Path) -> None:
    # Both start on a file that does not exist yet: they also race to create the schema.
    writers = [spawn(db_path, label, 300) for label in ("left", "right")]
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert out.count("saved") == 300
    assert integrity(db_path) == "ok"
    assert count(db_path, "SELECT count(*) FROM checks") == 600
    assert count(db_path, "SELECT count(*) FROM urls") == 600
    assert count(db_path, "SELECT count(*) FROM runs WHERE status = 'finished'") == 2
    assert count(db_path, "SELECT count(*) FROM _sqlite_migrations") == LATEST


def test_sigkill_mid_run_keeps_every_commit(db_path: Path) -> None:
    writer = spawn(db_path, "killed", 100_000, "--no-finish")
    assert writer.stdout is not None
    committed = 0
    for line in writer.stdout:
        assert line.startswith("saved ")
        committed += 1
        if committed == 150:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert integrity(db_path) == "ok"
    with Store.open(db_path) as store:
        saved = count(db_path, "SELECT count(*) FROM checks")
        assert saved >= committed
        assert [r.status for r in store.runs()] == [RunStatus.RUNNING]
        store.begin_run([], "test")
        urls = [f"https://killed-{i}.example/" for i in range(saved + 10)]
        assert len(store.finished_in_unfinished_run(urls)) == saved


def test_locked_too_long_is_a_one_line_store_error(db_path: Path) -> None:
    settings = Settings()
    store = Store.open(db_path, busy_timeout=0.2)
    run = store.begin_run([], "test")
    store.save_result(run, result("https://before.example/"), settings)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.save_result(run, result("https://during.example/"), settings)
        waited = time.monotonic() - started
        message = str(caught.value)
        assert message.startswith(f"{db_path}: locked by another process; gave up after waiting ")
        # The time the message names is the time really waited (retries included).
        named = re.search(r"waiting ([0-9.]+) s$", message)
        assert named is not None
        said = float(named.group(1))
        assert said + 0.05 >= 0.2
        assert abs(said - waited) <= 0.1
        # An up-to-date store opens without a write lock: only its first write waits.
        with (
            Store.open(db_path, busy_timeout=0.1) as other,
            pytest.raises(StoreError, match="locked"),
        ):
            other.begin_run([], "test")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.save_result(run, result("https://after.example/"), settings)
    assert [r["url"] for r in store.query("SELECT url FROM urls ORDER BY id")] == [
        "https://before.example/",
        "https://after.example/",
    ]
    store.close()


def test_disk_full_via_page_limit_keeps_earlier_rows(db_path: Path) -> None:
    settings = Settings()
    store = Store.open(db_path)
    run = store.begin_run([], "test")
    store.save_result(run, result("https://first.example/"), settings)
    pages = store.query("PRAGMA page_count")[0]["page_count"]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # this connection cannot grow
    with pytest.raises(StoreError) as caught:
        for i in range(10_000):
            store.save_result(run, result(f"https://x{i}.example/{'p' * 500}"), settings)
    assert str(caught.value) == (
        f"{db_path}: the disk is full; results saved before this one are kept"
    )
    saved = count(db_path, "SELECT count(*) FROM checks")
    store.close()
    assert integrity(db_path) == "ok"
    with Store.open(db_path) as again:
        assert len(again.url_history("https://first.example/")) == 1
        assert count(db_path, "SELECT count(*) FROM checks") == saved >= 1


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (needs root and mount permission; skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if os.geteuid() != 0 or done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_real_disk_full_keeps_earlier_rows(tiny_disk: Path) -> None:
    db = tiny_disk / "linkaudit.sqlite"
    settings = Settings()
    store = Store.open(db)
    run = store.begin_run([], "test")
    committed = 0
    with pytest.raises(StoreError) as caught:
        for i in range(100_000):
            store.save_result(run, result(f"https://x{i}.example/{'p' * 400}"), settings)
            committed += 1
    assert "disk is full" in str(caught.value) or "disk I/O error" in str(caught.value)
    assert "\n" not in str(caught.value)
    store.close()
    assert committed > 10
    assert count(db, "SELECT count(*) FROM checks") >= committed
    assert integrity(db) == "ok"


def test_the_write_ahead_log_is_checkpointed_and_bounded(db_path: Path) -> None:
    from linkaudit.store._connection import JOURNAL_SIZE_LIMIT, WAL_AUTOCHECKPOINT

    settings = Settings()
    with Store.open(db_path) as store:
        assert store.query("PRAGMA wal_autocheckpoint")[0]["wal_autocheckpoint"] == (
            WAL_AUTOCHECKPOINT
        )
        assert store.query("PRAGMA journal_size_limit")[0]["journal_size_limit"] == (
            JOURNAL_SIZE_LIMIT
        )
        run = store.begin_run([], "test")
        for i in range(3000):  # several checkpoints' worth of pages
            store.save_result(run, result(f"https://w{i}.example/{'p' * 300}"), settings)
        wal = Path(f"{db_path}-wal").stat().st_size
        database = db_path.stat().st_size
    # Checkpoints moved the pages into the database: the log is not the store's whole size.
    assert wal < database
    assert wal <= JOURNAL_SIZE_LIMIT + (WAL_AUTOCHECKPOINT + 100) * 4096
