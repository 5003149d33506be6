"""
A fault campaign against the real CLI (issue 15), for reports/soak.md's faults section.

    python benchmarks/faults.py                 # 25 SIGKILL trials, 5 SIGTERM, a lock, a full disk
    python benchmarks/faults.py --kills 60

Each trial runs ``linkaudit check`` in a subprocess against a local server (loopback only)
and hurts it: SIGKILL at a random moment, SIGTERM, another process's EXCLUSIVE lock, a
full tmpfs under the store (root only). After each, the store's integrity, what a resumed
or ``--fresh`` run fetched (the server's own request log), exit codes and reports are
checked, and the counts are printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LINKS = 120
DELAY = 0.02  # seconds per response; 4 in flight: a whole run takes about 0.6 s of serving


@dataclass
class Server:
    httpd: ThreadingHTTPServer
    status: int = 200
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def mark(self) -> int:
        with self.lock:
            return len(self.log)

    def since(self, mark: int) -> Counter[str]:
        with self.lock:
            return Counter(p for p in self.log[mark:] if p.startswith("/doc/"))


def serve() -> Server:
    box: list[Server] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            owner = box[0]
            with owner.lock:
                owner.log.append(self.path)
            time.sleep(DELAY)
            body = f"<title>{self.path}</title>ok".encode()
            self.send_response(owner.status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    box.append(Server(httpd))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return box[0]


def project(folder: Path, server: Server) -> Path:
    folder.mkdir(parents=True)
    lines = [f"- [source {i}]({server.base}/doc/{i})" for i in range(LINKS)]
    (folder / "brief.md").write_text("# Brief\n\n" + "\n".join(lines) + "\n")
    (folder / "linkaudit.toml").write_text(
        f'archive = "none"\nnetwork-canaries = ["{server.base}/canary"]\n'
        "soft404 = false\ncheck-fragments = false\n"
    )
    return folder


def start(folder: Path, *extra: str, db: Path | None = None) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "linkaudit", "check", "brief.md", "--allow-private",
        "--db", str(db or folder / "store.sqlite"), "--max-per-host", "4", "--retries", "0",
        "--timeout", "10", "--quiet", "--format", "json", *extra,
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # made but no tables yet
        return []


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` ("ok" when no store was made before the kill)."""
    if not db.exists() or db.stat().st_size == 0:
        return "ok"
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        print(f"integrity of {db}: {exc}", file=sys.stderr, flush=True)
        return str(exc)


def committed(db: Path) -> set[str]:
    sql = "SELECT u.url FROM checks c JOIN urls u ON u.id = c.url_id"
    return {str(row[0]) for row in query(db, sql)}


@dataclass
class Tally:
    rows: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, value: object) -> None:
        self.rows.append(f"| {name} | {value} |")
        print(self.rows[-1], file=sys.stderr, flush=True)  # as it comes: a crash keeps it


def kills(trials: int, root: Path, server: Server, chance: random.Random, tally: Tally) -> None:
    at, kept, refetched, resumed_ok, fresh_all, stale_ok = [], [], 0, 0, 0, 0
    integrity_ok = 0
    for trial in range(trials):
        server.status = 200
        folder = project(root / f"kill-{trial}", server)
        db = folder / "store.sqlite"
        process = start(folder)
        moment = chance.uniform(0.0, 3.0)
        time.sleep(moment)
        process.kill()
        process.communicate(timeout=60)
        at.append(moment)
        integrity_ok += integrity(db) == "ok"
        done = committed(db)
        kept.append(len(done))
        mark = server.mark()
        code, out, _ = finish(start(folder))
        again = {server.base + p for p in server.since(mark)} & done
        refetched += len(again)
        results = json.loads(out)["results"] if out else []
        resumed_ok += code == 0 and len(results) == LINKS and integrity(db) == "ok"
        # The pages change; --fresh must see every one of them again.
        server.status = 404
        mark = server.mark()
        code, out, _ = finish(start(folder, "--fresh"))
        fetched = server.since(mark)
        fresh_all += len(fetched) == LINKS
        stale_ok += sum(1 for r in json.loads(out)["results"] if r["verdict"] == "ok")
    server.status = 200
    tally.add("SIGKILL trials", trials)
    tally.add("kill moment (s after start, uniform 0-3)", f"{min(at):.2f}-{max(at):.2f}")
    tally.add(
        "checks committed before the kill",
        f"{min(kept)}-{max(kept)} (median {statistics.median(kept):g}) of {LINKS}",
    )
    tally.add("store integrity ok after the kill", f"{integrity_ok}/{trials}")
    tally.add("resumed run complete, exit 0", f"{resumed_ok}/{trials}")
    tally.add("URLs a killed run had committed fetched again by the resumed run", refetched)
    tally.add("--fresh runs after a change that fetched every URL", f"{fresh_all}/{trials}")
    tally.add("stale `ok` verdicts after the change (pages now 404)", stale_ok)
    if integrity_ok < trials or resumed_ok < trials or refetched or fresh_all < trials or stale_ok:
        tally.problems.append("a SIGKILL trial failed")


def terms(trials: int, root: Path, server: Server, chance: random.Random, tally: Tally) -> None:
    codes: Counter[int] = Counter()
    partial, interrupted_runs = 0, 0
    for trial in range(trials):
        folder = project(root / f"term-{trial}", server)
        process = start(folder, "--output", "report.json")
        time.sleep(chance.uniform(0.8, 2.0))
        process.send_signal(signal.SIGTERM)
        code, _, _ = finish(process)
        codes[code] += 1
        try:
            report = json.loads((folder / "report.json").read_text())
            partial += bool(report["summary"]["interrupted"])
        except (OSError, ValueError, KeyError):
            pass
        statuses = query(folder / "store.sqlite", "SELECT status FROM runs")
        interrupted_runs += statuses == [("interrupted",)]
    tally.add("SIGTERM trials", trials)
    tally.add("exit codes", ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
    tally.add("partial JSON report written, `interrupted: true`", f"{partial}/{trials}")
    tally.add("run marked `interrupted` in the store", f"{interrupted_runs}/{trials}")


HOLDER = (
    "import sqlite3,sys,time\n"
    "c=sqlite3.connect(sys.argv[1],isolation_level=None,timeout=30)\n"
    "c.execute('BEGIN EXCLUSIVE');print('locked',flush=True)\n"
    "time.sleep(float(sys.argv[2]));c.execute('ROLLBACK')\n"
)


def lock(root: Path, server: Server, tally: Tally) -> None:
    folder = project(root / "lock", server)
    db = folder / "store.sqlite"
    process = start(folder)
    while not committed(db):
        time.sleep(0.02)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "3"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    holder.stdout.readline()
    mark = server.mark()
    holder.wait()
    during = sum(server.since(mark).values())
    code, out, _ = finish(process)
    timeouts = sum(1 for r in json.loads(out)["results"] if r["reason"] == "timeout")
    stored = len(query(db, "SELECT id FROM checks"))
    tally.add("requests served while another process held an EXCLUSIVE lock for 3 s", during)
    tally.add(
        "that run: exit code, timeouts, checks stored", f"{code}, {timeouts}, {stored}/{LINKS}"
    )


def disk(root: Path, server: Server, tally: Tally) -> None:
    if os.geteuid() != 0:
        tally.add("full disk under the store", "skipped: mounting a tmpfs needs root")
        return
    mount = root / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]).returncode:
        tally.add("full disk under the store", "skipped: cannot mount a tmpfs")
        return
    try:
        folder = project(root / "disk-project", server)
        db = mount / "store.sqlite"
        finish(start(folder, "--max-time", "0.01", db=db))
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass
        os.close(filler)
        started = time.monotonic()
        code, _, err = finish(start(folder, "--fresh", "--output", "report.json", db=db))
        took = time.monotonic() - started
        results = len(json.loads((folder / "report.json").read_text())["results"])
        line = next((x for x in err.splitlines() if "error" in x), "")
        tally.add(
            "full disk under the store: exit code, results in the report, time",
            f"{code}, {results}/{LINKS}, {took:.1f} s",
        )
        tally.add("its error line", f"`{line.replace(str(mount), '<tmpfs>')}`")
        (mount / "filler").unlink()  # room for the reader's -shm file
        tally.add("store integrity after the full disk", integrity(db))
    finally:
        subprocess.run(["umount", "-l", str(mount)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--terms", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    server = serve()
    tally = Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="linkaudit-faults-") as folder:
        root = Path(folder)
        kills(args.kills, root, server, chance, tally)
        terms(args.terms, root, server, chance, tally)
        lock(root, server, tally)
        disk(root, server, tally)
    print("| trial | outcome |\n| --- | --- |")
    print("\n".join(tally.rows))
    print(
        f"\n{LINKS} links per brief, seed {args.seed}, {time.monotonic() - started:.0f} s in all."
    )
    for problem in tally.problems:
        print(f"PROBLEM: {problem}")
    return 1 if tally.problems else 0


if __name__ == "__main__":
    sys.exit(main())
