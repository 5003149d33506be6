"""
Faults in a whole run, through the real CLI in a subprocess: SIGINT and SIGKILL mid-run,
a server that vanishes mid-run, and two concurrent runs on one store. After each, the
store passes ``PRAGMA integrity_check``, nothing a run committed is lost, and a re-run
fetches only what was not finished.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

LINKS = 40
DELAY = 0.15  # seconds per response: a run takes LINKS * DELAY / 2 (max-per-host 2)


@dataclass
class SlowServer:
    """A local HTTP server answering 200 after ``DELAY``; it can vanish after ``vanish_after``."""

    server: ThreadingHTTPServer
    log: list[tuple[str, str]] = field(default_factory=list)
    vanish_after: int | None = None
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path in self.log]

    def vanish(self) -> None:
        """Stop accepting connections: later requests are refused by the kernel."""
        threading.Thread(target=self._stop, daemon=True).start()

    def _stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(state: list[SlowServer]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, *, body: bool) -> None:
            owner = state[0]
            with owner.lock:
                owner.log.append((self.command, self.path))
                count = len(owner.log)
            time.sleep(DELAY)
            page = f"<html><head><title>page {self.path}</title></head><body>ok</body></html>"
            data = page.encode()
            self.send_response(owner.status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)
            if owner.vanish_after is not None and count == owner.vanish_after:
                owner.vanish()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test keeps its own log."""

    return Handler


@pytest.fixture
def slow_server() -> Iterator[SlowServer]:
    state: list[SlowServer] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    owner = SlowServer(httpd)
    state.append(owner)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield owner
    if owner.vanish_after is None:
        owner._stop()


@pytest.fixture
def project(tmp_path: Path, slow_server: SlowServer) -> Path:
    """A brief with LINKS links to the slow server and a config pointing at it."""
    lines = [f"- [source {i}]({slow_server.base}/doc/{i})" for i in range(LINKS)]
    (tmp_path / "brief.md").write_text("# Brief\n\n" + "\n".join(lines) + "\n")
    (tmp_path / "linkaudit.toml").write_text(
        f'archive = "none"\nnetwork-canaries = ["{slow_server.base}/canary"]\n'
        "soft404 = false\ncheck-fragments = false\n"
    )
    return tmp_path


def _command(project: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "linkaudit",
        "check",
        "brief.md",
        "--allow-private",
        "--db",
        str(project / "store.sqlite"),
        "--max-per-host",
        "2",
        "--retries",
        "0",
        "--timeout",
        "5",
        "--quiet",
        "--format",
        "json",
        *extra,
    ]


def _start(project: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        _command(project, *extra),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _db(project: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{project / 'store.sqlite'}?mode=ro", uri=True, timeout=10)


def _checks_of_run(project: Path, run: int) -> dict[int, tuple[object, ...]]:
    """Every committed check row of ``run`` by id, with its URL."""
    with _db(project) as db:
        rows = db.execute(
            "SELECT checks.id, urls.url, checks.verdict, checks.status FROM checks "
            "JOIN urls ON urls.id = checks.url_id WHERE run_id = ?",
            [run],
        ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def _wait_for_checks(project: Path, at_least: int, process: subprocess.Popen[str]) -> None:
    """Poll the store until ``at_least`` results are committed (no timing assertion)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be interrupted"
        try:
            with _db(project) as db:
                if db.execute("SELECT count(*) FROM checks").fetchone()[0] >= at_least:
                    return
        except sqlite3.OperationalError:
            pass  # the store is not created yet
        time.sleep(0.05)
    raise AssertionError("no results were stored")


def _integrity(project: Path) -> str:
    with _db(project) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def _runs(project: Path) -> list[tuple[int, str]]:
    with _db(project) as db:
        return [
            (int(r[0]), str(r[1])) for r in db.execute("SELECT id, status FROM runs ORDER BY id")
        ]


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=90)
    assert "Traceback" not in out + err, err
    return process.returncode, out, err


def _rerun_resumes(
    project: Path, server: SlowServer, first_run: dict[int, tuple[object, ...]]
) -> None:
    """A second run fetches none of the URLs the first committed, and every URL gets a verdict."""
    finished = {str(row[0]) for row in first_run.values()}
    before = len(server.log)
    code, out, _ = _finish(_start(project))
    assert code == 0
    fetched_again = {server.base + path for path in server.paths()[before:]} & finished
    assert not fetched_again, f"re-fetched URLs the first run had finished: {sorted(fetched_again)}"
    report = json.loads(out)
    verdicts = {r["url"]: r["verdict"] for r in report["results"]}
    assert len(verdicts) == LINKS and set(verdicts.values()) == {"ok"}
    after = _checks_of_run(project, 1)
    assert after == first_run, "rows the first run committed were lost or changed"
    assert _integrity(project) == "ok"


@pytest.mark.timeout(120)
def test_sigint_mid_run_keeps_results_and_resumes(project: Path, slow_server: SlowServer) -> None:
    process = _start(project)
    _wait_for_checks(project, 6, process)
    process.send_signal(signal.SIGINT)
    code, out, err = _finish(process)
    assert code == 130, err
    report = json.loads(out)
    assert report["summary"]["interrupted"] is True
    assert 0 < len(report["results"]) < LINKS
    assert _integrity(project) == "ok"
    assert _runs(project) == [(1, "interrupted")]
    first = _checks_of_run(project, 1)
    assert len(first) >= 6
    _rerun_resumes(project, slow_server, first)
    assert _runs(project)[-1][1] == "finished"


@pytest.mark.timeout(120)
def test_sigkill_mid_run_loses_no_row(project: Path, slow_server: SlowServer) -> None:
    process = _start(project)
    _wait_for_checks(project, 6, process)
    process.kill()
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _integrity(project) == "ok"
    assert _runs(project) == [(1, "running")]
    first = _checks_of_run(project, 1)
    assert len(first) >= 6
    _rerun_resumes(project, slow_server, first)


@pytest.mark.timeout(120)
def test_server_vanishing_mid_run(project: Path, slow_server: SlowServer) -> None:
    slow_server.vanish_after = 10
    code, out, err = _finish(_start(project))
    report = json.loads(out)
    verdicts = [(r["verdict"], r["reason"]) for r in report["results"]]
    assert len(verdicts) == LINKS
    ok = [v for v in verdicts if v[0] == "ok"]
    gone = [v for v in verdicts if v[0] != "ok"]
    assert 10 <= len(ok) < LINKS and gone
    assert set(gone) == {("unreachable", "connection")}, set(gone)
    assert code == 0, err  # unreachable is not in the default --fail-on (dead, invalid)
    assert _runs(project) == [(1, "finished")]
    assert _integrity(project) == "ok"


@pytest.mark.timeout(120)
def test_two_concurrent_runs_on_one_store(project: Path, slow_server: SlowServer) -> None:
    # Generous retries and timeout: two runs on a loaded CI machine must not turn a slow
    # answer into a verdict; this test is about the shared store, not the deadline.
    patient = ("--retries", "2", "--timeout", "20")
    first, second = _start(project, *patient), _start(project, *patient)
    results = [_finish(first), _finish(second)]
    for code, out, err in results:
        assert code == 0, err
        verdicts = {r["url"]: r["verdict"] for r in json.loads(out)["results"]}
        assert len(verdicts) == LINKS and set(verdicts.values()) == {"ok"}
    assert _integrity(project) == "ok"
    assert [status for _, status in _runs(project)] == ["finished", "finished"]
    with _db(project) as db:
        urls = db.execute("SELECT count(*) FROM urls").fetchone()[0]
        checked = db.execute("SELECT count(DISTINCT url_id) FROM checks").fetchone()[0]
    assert urls == LINKS and checked == LINKS


def _kill_mid_run(project: Path) -> dict[int, tuple[object, ...]]:
    process = _start(project)
    _wait_for_checks(project, 6, process)
    process.kill()
    process.communicate(timeout=30)
    assert _runs(project) == [(1, "running")]
    return _checks_of_run(project, 1)


@pytest.mark.timeout(120)
def test_fresh_after_a_kill_reuses_nothing(project: Path, slow_server: SlowServer) -> None:
    first = _kill_mid_run(project)
    assert len(first) >= 6
    slow_server.status = 404  # the pages the killed run saw as ok are gone now
    before = len(slow_server.log)
    code, out, err = _finish(_start(project, "--fresh"))
    fetched = {path for path in slow_server.paths()[before:] if path.startswith("/doc/")}
    assert fetched == {f"/doc/{i}" for i in range(LINKS)}, "--fresh must fetch every URL"
    results = json.loads(out)["results"]
    assert {(r["verdict"], r["cached"]) for r in results} == {("dead", False)}
    assert code == 1, err


@pytest.mark.timeout(120)
def test_a_month_old_killed_run_is_abandoned_and_reported(
    project: Path, slow_server: SlowServer
) -> None:
    first = _kill_mid_run(project)
    assert len(first) >= 6
    with sqlite3.connect(project / "store.sqlite") as db:  # as if killed 30 days ago
        shift = "strftime('%Y-%m-%dT%H:%M:%f+00:00', {}, '-30 days')"
        db.execute(f"UPDATE runs SET started_at = {shift.format('started_at')}")
        db.execute(f"UPDATE checks SET checked_at = {shift.format('checked_at')}")
    slow_server.status = 404
    before = len(slow_server.log)
    code, out, err = _finish(_start(project))
    fetched = {path for path in slow_server.paths()[before:] if path.startswith("/doc/")}
    assert len(fetched) == LINKS, "a month-old killed run supplied verdicts"
    report = json.loads(out)
    assert {r["verdict"] for r in report["results"]} == {"dead"}
    assert any("run 1 never finished" in w and "abandoned" in w for w in report["warnings"])
    assert code == 1, err
    assert _runs(project) == [(1, "abandoned"), (2, "finished")]
    shown = subprocess.run(
        [sys.executable, "-m", "linkaudit", "report", "--run", "1", "--format", "json",
         "--output", "-", "--db", str(project / "store.sqlite")],
        cwd=project, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert any("run 1 was abandoned" in w for w in json.loads(shown.stdout)["warnings"])
    latest = subprocess.run(
        [sys.executable, "-m", "linkaudit", "report", "--db", str(project / "store.sqlite")],
        cwd=project, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert latest.returncode == 0, latest.stderr
