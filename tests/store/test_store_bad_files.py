"""Bad store files: one-line StoreError naming the file, and the file left as it was."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.exceptions import StoreError
from linkaudit.store import Store

from .conftest import result


def one_line(error: pytest.ExceptionInfo[StoreError], path: Path) -> str:
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_a_text_file_is_refused_and_left_alone(db_path: Path) -> None:
    db_path.write_text("my notes, not a database\n" * 40)
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert one_line(caught, db_path).endswith("not a linkaudit store (not an SQLite database)")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_a_foreign_database_keeps_its_journal_mode(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(StoreError):
        Store.open(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def make_store(path: Path, urls: int = 200) -> None:
    settings = Settings()
    with Store.open(path) as store:
        run = store.begin_run([], "test")
        for i in range(urls):
            store.save_result(run, result(f"https://h{i}.example/"), settings)
        store.finish_run(run, {})


def test_a_corrupt_schema_page_is_refused(db_path: Path) -> None:
    make_store(db_path)
    with db_path.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\xff" * 3000)
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert "corrupt" in one_line(caught, db_path)
    assert db_path.read_bytes() == before


def test_corrupt_data_pages_are_a_store_error(db_path: Path) -> None:
    make_store(db_path)
    size = db_path.stat().st_size
    with db_path.open("r+b") as handle:
        for offset in range(4096 * 2, size, 4096):
            handle.seek(offset)
            handle.write(b"\x0d\xff\xff\xff" * 8)
    # The open or the first read fails, depending on which pages the garbage hit.
    with pytest.raises(StoreError) as caught, Store.open(db_path) as store:
        store.run_results()
        store.query("SELECT count(*) FROM checks JOIN urls ON urls.id = checks.url_id")
    assert "corrupt" in one_line(caught, db_path)


def test_a_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "linkaudit.sqlite"
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "cannot open" in one_line(caught, path)
    assert not path.parent.exists()


def test_read_only_open_of_a_missing_file(db_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(db_path, read_only=True)
    assert one_line(caught, db_path).endswith("no such store")
    assert not db_path.exists()


def test_read_only_store_reads_and_refuses_writes(db_path: Path) -> None:
    make_store(db_path, urls=3)
    with Store.open(db_path, read_only=True) as store:
        assert len(store.run_results()[1]) == 3
        with pytest.raises(StoreError) as caught:
            store.begin_run([], "test")
        assert "read-only" in one_line(caught, db_path)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory holding a store, then made read-only (a read-only mount when root)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        make_store(folder / "linkaudit.sqlite", urls=3)
        (folder / "linkaudit.sqlite").chmod(0o444)
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("root cannot be denied writes without a read-only mount")
    try:
        make_store(folder / "linkaudit.sqlite", urls=3)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_read_only_directory_and_file(read_only_dir: Path) -> None:
    path = read_only_dir / "linkaudit.sqlite"
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught, Store.open(path) as store:
        store.begin_run([], "test")
    assert one_line(caught, path).endswith("cannot write: the file or its directory is read-only")
    new = read_only_dir / "other.sqlite"
    with pytest.raises(StoreError) as caught:
        Store.open(new)
    assert "read-only" in one_line(caught, new)
    with Store.open(path, read_only=True) as store:  # reading still works
        assert len(store.run_results()[1]) == 3
    assert path.read_bytes() == before
    assert not new.exists()


def test_a_damaged_page_is_found_before_any_row_is_added(db_path: Path) -> None:
    make_store(db_path, urls=400)
    with sqlite3.connect(db_path) as conn:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert pages > 8
    with db_path.open("r+b") as handle:  # one leaf page in the middle, not the schema
        handle.seek(4096 * (pages // 2) + 8)
        handle.write(b"\xff\x00" * 200)
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert "corrupt" in one_line(caught, db_path)
    assert "not modified" in str(caught.value)
    assert db_path.read_bytes() == before  # no `running` row, no journal-mode change
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == runs


def test_read_only_directory_with_a_killed_runs_log(tmp_path: Path) -> None:
    """A killed run leaves its commits in the write-ahead log; in a read-only directory the
    store is still read whole (a plain immutable read of the file would miss them)."""
    import signal
    import sys

    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and not subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
        ).returncode
    )
    if os.geteuid() == 0 and not mounted:
        pytest.skip("root cannot be denied writes without a read-only mount")
    path = folder / "linkaudit.sqlite"
    try:
        writer = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("writer.py")), str(path), "w", "99999",
             "--no-finish"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert writer.stdout is not None
        for _ in range(20):
            writer.stdout.readline()
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        Path(f"{path}-shm").unlink()
        assert Path(f"{path}-wal").stat().st_size > 0
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        with Store.open(path, read_only=True) as store:
            runs = store.runs()
            assert len(runs) == 1
            assert len(store.query("SELECT id FROM checks")) >= 20
            with pytest.raises(StoreError) as caught:
                store.begin_run([], "test")
            assert "read-only" in one_line(caught, path)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)
