"""
Local fakes of the Internet Archive and Memento APIs, with their real response shapes.

One ``ThreadingHTTPServer`` on 127.0.0.1 serves every route, like the real services:

- ``/wayback/available``  availability API; ``{"archived_snapshots": {}}`` when nothing is held
- ``/cdx/search/cdx``     CDX with ``output=json``: a header row first, ``[]`` when empty;
                          chronological order whatever ``sort`` says (the client must pick)
- ``/timegate/<url>``     RFC 7089 TimeGate: 302 + ``Location`` + ``Link``; 404 when nothing
- ``/web/<ts>/<url>``     replay: 200 on a capture, 302 to the nearest one, 404 otherwise
- ``/save``, ``/save/status/<job>``  SPN2: errors as HTTP 200 JSON, pending then success

``behaviour[service]`` makes a service misbehave: ``429`` (always), ``429once``, ``slow``
(answers after ``slow_seconds``), ``nonsense`` (an HTML page), ``500``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from helpers.threaded import serving
from linkaudit.config import Settings

AUTH = "LOW test-access:test-secret"


def ts_datetime(ts: str) -> dt.datetime:
    return dt.datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


@dataclass
class Capture:
    timestamp: str
    status: str = "200"


@dataclass
class ArchiveState:
    """What the fake archive holds and how it behaves; tests edit it directly."""

    captures: dict[str, list[Capture]] = field(default_factory=dict)
    behaviour: dict[str, str] = field(default_factory=dict)
    slow_seconds: float = 3.0
    blocked: set[str] = field(default_factory=set)
    """URLs SPN2 refuses at submission (``error:blocked-url``, HTTP 200)."""
    failing: set[str] = field(default_factory=set)
    """URLs whose SPN2 job ends in an error after a pending poll."""
    pending_polls: int = 2
    hits: Counter[str] = field(default_factory=Counter)
    jobs: dict[str, tuple[str, int]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    save_times: list[float] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    """``"<timestamp> <url>"`` → the captured page the replay serves (default: a title)."""
    in_flight: int = 0
    peak: int = 0
    """Most requests in progress at once (the per-host limit, seen from the server)."""

    def add(self, url: str, *timestamps: str, status: str = "200") -> None:
        self.captures.setdefault(url, []).extend(Capture(ts, status) for ts in timestamps)
        self.captures[url].sort(key=lambda c: c.timestamp)

    def nearest(self, url: str, when: str | None, *, ok_only: bool = True) -> Capture | None:
        found = [c for c in self.captures.get(url, []) if c.status == "200" or not ok_only]
        if not found:
            return None
        if when is None:
            return found[-1]
        target = ts_datetime((when + "0101000000")[:14] if len(when) < 14 else when)
        return min(found, key=lambda c: abs(ts_datetime(c.timestamp) - target))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the hit counters, not stderr."""

    @property
    def state(self) -> ArchiveState:
        return self.server.state

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        path = self.path
        routes = (
            ("/wayback/available", "available", self._available),
            ("/cdx/search/cdx", "cdx", self._cdx),
            ("/timegate/", "timegate", self._timegate),
            ("/web/", "replay", self._replay),
            ("/save/status/", "status", self._status),
            ("/save", "save", self._save),
        )
        for prefix, service, handler in routes:
            if path.startswith(prefix):
                with self.state.lock:
                    self.state.hits[service] += 1
                    count = self.state.hits[service]
                    self.state.in_flight += 1
                    self.state.peak = max(self.state.peak, self.state.in_flight)
                try:
                    if not self._misbehave(service, count):
                        handler(method)
                finally:
                    with self.state.lock:
                        self.state.in_flight -= 1
                return
        self._send(404, b"not found", "text/plain")

    def _misbehave(self, service: str, count: int) -> bool:
        mode = self.state.behaviour.get(service)
        if mode == "429" or (mode == "429once" and count == 1):
            self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "0"})
        elif mode == "slow":
            self.state.release.wait(self.state.slow_seconds)
            self._send(200, b"[]", "application/json")
        elif mode == "nonsense":
            self._send(200, b"<html><body>Service maintenance</body></html>", "text/html")
        elif mode == "500":
            self._send(500, b"Internal Server Error", "text/plain")
        else:
            return False
        return True

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: object, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _available(self, method: str) -> None:
        query = self._query()
        url = query.get("url", "")
        capture = self.state.nearest(url, query.get("timestamp"))
        if capture is None:
            self._json({"url": url, "archived_snapshots": {}})
            return
        closest = {
            "status": capture.status,
            "available": True,
            "url": f"{self.base}/web/{capture.timestamp}/{url}",
            "timestamp": capture.timestamp,
        }
        self._json({"url": url, "archived_snapshots": {"closest": closest}})

    def _cdx(self, method: str) -> None:
        query = self._query()
        url = query.get("url", "")
        rows = [
            [c.timestamp, url, c.status]
            for c in self.state.captures.get(url, [])
            if query.get("filter") != "statuscode:200" or c.status == "200"
        ]
        limit = int(query.get("limit", "0"))
        rows = rows[:limit] if limit > 0 else rows[limit:] if limit < 0 else rows
        self._json([["timestamp", "original", "statuscode"], *rows] if rows else [])

    def _timegate(self, method: str) -> None:
        url = unquote(self.path[len("/timegate/") :])
        when = self.headers.get("Accept-Datetime")
        stamp = email.utils.parsedate_to_datetime(when).strftime("%Y%m%d%H%M%S") if when else None
        capture = self.state.nearest(url, stamp)
        if capture is None:
            self._send(404, b"no mementos", "text/plain", {"Vary": "accept-datetime"})
            return
        found = [c for c in self.state.captures[url] if c.status == "200"]
        chosen = f"{self.base}/web/{capture.timestamp}/{url}"
        if self.state.behaviour.get("timegate") == "direct":  # RFC 7089 pattern 1.1 style
            when = email.utils.format_datetime(ts_datetime(capture.timestamp), usegmt=True)
            headers = {"Memento-Datetime": when, "Content-Location": chosen}
            self._send(200, b"<title>memento</title>", "text/html", headers)
            return
        links = [
            f'<{url}>; rel="original"',
            f'<{self.base}/timemap/link/{url}>; rel="timemap"; type="application/link-format"',
            self._link(url, found[0], "first memento"),
            self._link(url, capture, "memento"),
            self._link(url, found[-1], "last memento"),
        ]
        headers = {"Location": chosen, "Link": ", ".join(links), "Vary": "accept-datetime"}
        self._send(302, b"", "text/plain", headers)

    def _link(self, url: str, capture: Capture, rel: str) -> str:
        when = email.utils.format_datetime(ts_datetime(capture.timestamp), usegmt=True)
        return f'<{self.base}/web/{capture.timestamp}/{url}>; rel="{rel}"; datetime="{when}"'

    def _replay(self, method: str) -> None:
        stamp, _, url = self.path[len("/web/") :].partition("/")
        stamp = stamp.rstrip("_").rstrip("abcdefghijklmnopqrstuvwxyz")
        if any(c.timestamp == stamp for c in self.state.captures.get(url, [])):
            page = self.state.pages.get(f"{stamp} {url}", f"<title>{url}</title>")
            self._send(200, page.encode(), "text/html; charset=utf-8")
            return
        capture = self.state.nearest(url, stamp or None)
        if capture is None:
            self._send(404, b"<title>Wayback Machine</title>Hrm.", "text/html")
            return
        location = f"{self.base}/web/{capture.timestamp}/{url}"
        self._send(302, b"", "text/plain", {"Location": location})

    def _save(self, method: str) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        with self.state.lock:
            self.state.save_times.append(dt.datetime.now().timestamp())
        if self.headers.get("Authorization") != AUTH:
            self._json({"message": "You need to be logged in to use Save Page Now."}, 401)
            return
        url = form.get("url", "")
        if url in self.state.blocked:
            self._json(
                {
                    "status": "error",
                    "status_ext": "error:blocked-url",
                    "message": "This URL is in the Save Page Now service block list.",
                }
            )
            return
        job = f"spn2-{len(self.state.jobs):040x}"
        self.state.jobs[job] = (url, 0)
        self._json({"url": url, "job_id": job})

    def _status(self, method: str) -> None:
        job = self.path[len("/save/status/") :]
        if job not in self.state.jobs:
            self._json({"status": "error", "status_ext": "error:not-found", "message": "?"})
            return
        url, polls = self.state.jobs[job]
        self.state.jobs[job] = (url, polls + 1)
        if polls < self.state.pending_polls:
            self._json({"status": "pending", "job_id": job, "resources": []})
        elif url in self.state.failing:
            self._json(
                {
                    "status": "error",
                    "job_id": job,
                    "status_ext": "error:service-unavailable",
                    "message": "Your Save Page Now request failed.",
                }
            )
        else:
            self.state.add(url, "20250301120000")
            self._json(
                {
                    "status": "success",
                    "job_id": job,
                    "original_url": url,
                    "timestamp": "20250301120000",
                    "duration_sec": 6.2,
                    "resources": [url],
                }
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ArchiveState


@dataclass
class FakeArchive:
    base: str
    state: ArchiveState

    def settings(self, **changes: Any) -> Settings:
        """Settings that point every archive service at this fake, with small timeouts."""
        values: dict[str, Any] = {
            "allow_private": True,
            "wayback_url": f"{self.base}/wayback/available",
            "cdx_url": f"{self.base}/cdx/search/cdx",
            "memento_url": f"{self.base}/timegate/",
            "spn_url": f"{self.base}/save",
            "timeout": 0.5,
            "connect_timeout": 0.5,
            "retry_after_cap": 1.0,
            "spn_max_per_minute": 60_000,
        }
        values.update(changes)
        return Settings(**values)


@contextmanager
def serve_archive() -> Iterator[FakeArchive]:
    """Run the fake archive on a free loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = ArchiveState()
    with serving(server, on_stop=server.state.release.set) as base:
        yield FakeArchive(base, server.state)


def refused_base() -> str:
    """A loopback URL on which nothing listens: connection refused, a service that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
