"""
Signals and store faults in a whole run, through the real CLI in a subprocess against the
slow local server of ``test_run_faults``: SIGTERM and SIGHUP end a run like Ctrl-C, a second
signal exits at once, another process's EXCLUSIVE lock delays the store's writes and never
the requests, and a store that fails mid-run (lock timeout, full disk) costs no report.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_run_faults import (
    LINKS,
    SlowServer,
    _checks_of_run,
    _finish,
    _integrity,
    _rerun_resumes,
    _runs,
    _start,
    _wait_for_checks,
    project,
    slow_server,
)

__all__ = ["project", "slow_server"]  # fixtures used by name

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def _hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding an EXCLUSIVE lock on ``db`` for ``seconds``; returns once held."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _wait_for_requests(server: SlowServer, at_least: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(server.paths()) < at_least:
        assert process.poll() is None, "the run ended too soon"
        assert time.monotonic() < deadline, "the server saw no requests"
        time.sleep(0.02)


def _requests_per_url(server: SlowServer, since: int = 0) -> Counter[str]:
    return Counter(p for p in server.paths()[since:] if p.startswith("/doc/"))


def _configure(project: Path, line: str) -> None:
    config = project / "linkaudit.toml"
    config.write_text(config.read_text() + line + "\n")


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("sent", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_end_the_run_like_ctrl_c(
    project: Path, slow_server: SlowServer, sent: signal.Signals, code: int
) -> None:
    process = _start(project, "--output", "report.json", "--format", "table")
    _wait_for_checks(project, 6, process)
    process.send_signal(sent)
    returned, out, err = _finish(process)
    assert returned == code, err
    report = json.loads((project / "report.json").read_text())
    assert report["summary"]["interrupted"] is True
    assert 6 <= len(report["results"]) < LINKS
    assert "interrupted" in out  # the table to stdout too: every requested report
    assert _runs(project) == [(1, "interrupted")]
    assert _integrity(project) == "ok"
    _rerun_resumes(project, slow_server, _checks_of_run(project, 1))


@pytest.mark.timeout(120)
def test_an_interrupted_run_leaves_no_ledger(
    project: Path, slow_server: SlowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's per-URL file is unlinked from the start (nothing in the temporary folder
    while it runs); the partial report is read from it."""
    scratch = project / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    process = _start(project, "--output", "report.json")
    _wait_for_checks(project, 6, process)
    assert list(scratch.iterdir()) == []
    process.send_signal(signal.SIGINT)
    returned, _, err = _finish(process)
    assert returned == 130, err
    report = json.loads((project / "report.json").read_text())
    assert report["summary"]["interrupted"] is True
    assert 6 <= len(report["results"]) == report["summary"]["urls"] < LINKS
    assert list(scratch.iterdir()) == []


@pytest.mark.timeout(120)
def test_a_second_signal_exits_at_once(
    project: Path, slow_server: SlowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = project / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    _finish(_start(project, "--max-time", "0.01"))  # the store exists, in WAL mode
    _configure(project, "store-timeout = 90")
    store = project / "store.sqlite"
    holder = _hold_lock(store, 100)  # every write of the run waits for it
    try:
        before = len(slow_server.paths())
        process = _start(project, "--output", "report.json", "--fresh")
        _wait_for_requests(slow_server, before + 6, process)
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while not (project / "report.json").exists():  # the partial report comes first
            assert time.monotonic() < deadline, "no partial report after the first signal"
            time.sleep(0.05)
        assert process.poll() is None  # still waiting for the locked store
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        returned, _, err = _finish(process)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert returned == 143, err
    assert waited < 60, "the second signal waited for the store's lock"
    report = json.loads((project / "report.json").read_text())
    assert report["summary"]["interrupted"] is True
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == []
    assert list(scratch.iterdir()) == []  # nor the run's ledger


@pytest.mark.timeout(120)
def test_a_lock_delays_writes_never_requests(project: Path, slow_server: SlowServer) -> None:
    store = project / "store.sqlite"
    process = _start(project)
    _wait_for_checks(project, 4, process)
    holder = _hold_lock(store, 2.5)
    at_lock = len(slow_server.paths())
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "released"
    during = len(slow_server.paths()) - at_lock
    holder.communicate()
    returned, out, err = _finish(process)
    # The event loop went on while SQLite waited for the lock on the writer thread.
    assert during >= 5, f"only {during} requests while the store was locked"
    assert returned == 0, err
    assert {r["verdict"] for r in json.loads(out)["results"]} == {"ok"}
    assert set(_requests_per_url(slow_server).values()) == {1}
    assert len(_checks_of_run(project, 1)) == LINKS  # every write made it once released
    assert _runs(project) == [(1, "finished")]


@pytest.mark.timeout(120)
def test_a_lock_longer_than_the_store_timeout_costs_no_report(
    project: Path, slow_server: SlowServer
) -> None:
    _configure(project, "store-timeout = 1")
    store = project / "store.sqlite"
    process = _start(project, "--output", "report.json")
    _wait_for_checks(project, 4, process)
    holder = _hold_lock(store, 8)
    try:
        returned, _, err = _finish(process)
    finally:
        holder.kill()
        holder.communicate()
    assert returned == 2, err
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1, err
    assert str(store) in lines[0]
    assert "locked by another process; gave up after waiting 1." in lines[0]
    report = json.loads((project / "report.json").read_text())
    assert len(report["results"]) == LINKS
    assert {r["verdict"] for r in report["results"]} == {"ok"}
    assert any("store error" in w for w in report["warnings"])
    assert set(_requests_per_url(slow_server).values()) == {1}  # checking went on
    assert _integrity(project) == "ok"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs (root with mount permission; skipped otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path: Path, size: int | None = None) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT)
    written = 0
    try:
        while size is None or written < size:
            written += os.write(handle, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(handle)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("spare", [48 * 1024, 0], ids=["fills-mid-run", "full-at-start"])
def test_a_full_disk_under_the_store_costs_no_report(
    project: Path, slow_server: SlowServer, small_disk: Path, spare: int
) -> None:
    store = small_disk / "store.sqlite"
    command = ["--db", str(store), "--output", str(project / "report.json")]
    _finish(_start(project, *command, "--max-time", "0.01"))  # the store exists
    _fill(small_disk / "spare", spare)
    _fill(small_disk / "filler")
    (small_disk / "spare").unlink()  # room for a few commits, not for the run
    before = len(slow_server.paths())
    returned, _, err = _finish(_start(project, *command, "--fresh"))
    assert returned == 2, err
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1 and str(store) in lines[0], err
    assert "disk is full" in lines[0] or "disk I/O error" in lines[0]
    report = json.loads((project / "report.json").read_text())
    assert len(report["results"]) == LINKS
    assert {r["verdict"] for r in report["results"]} == {"ok"}
    assert set(_requests_per_url(slow_server, before).values()) == {1}
    (small_disk / "filler").unlink()  # room for the reader's -shm file
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM checks WHERE run_id = 2").fetchone()[0] < LINKS


@pytest.mark.timeout(300)
def test_sigkill_at_random_moments(
    project: Path, slow_server: SlowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed at a random moment (startup included), the store stays whole, each next run
    fetches only what no earlier run finished, and no run's ledger file is left behind."""
    scratch = project / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    chance = random.Random(15)
    finished: set[str] = set()
    for _ in range(3):
        process = _start(project)
        time.sleep(chance.uniform(0.2, 2.5))
        process.kill()
        process.communicate(timeout=30)
        if not (project / "store.sqlite").exists():
            continue  # killed before the store was made
        assert _integrity(project) == "ok"
        with sqlite3.connect(f"file:{project / 'store.sqlite'}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT u.url FROM checks c JOIN urls u ON u.id = c.url_id"
            ).fetchall()
        finished |= {str(r[0]) for r in rows}
    before = len(slow_server.paths())
    returned, out, err = _finish(_start(project))
    assert returned == 0, err
    again = {slow_server.base + p for p in _requests_per_url(slow_server, before)} & finished
    assert not again, f"fetched again what a killed run had finished: {sorted(again)}"
    assert {r["verdict"] for r in json.loads(out)["results"]} == {"ok"}
    assert _integrity(project) == "ok"
    assert [p.name for p in scratch.iterdir() if any(p.iterdir())] == []
