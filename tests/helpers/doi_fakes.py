"""
Local fakes of the DOI handle API, Crossref's REST API and Unpaywall, with the response
shapes their documentation gives, plus a publisher that answers robots with 403.

- ``/api/handles/<doi>``  200 ``{"responseCode": 1, "handle": …, "values": [{"type": "URL",
  "data": {"format": "string", "value": <target>}}]}``; 404 ``{"responseCode": 100}``
- ``/works?filter=updates:<doi>``  Crossref's work list: the notices whose ``update-to`` names
  the DOI (``type``, ``DOI``, ``updated.date-parts``)
- ``/v2/<doi>?email=``  Unpaywall's object with ``best_oa_location``; 404 when unknown
- ``/publisher/<name>``  200, 403 (bot wall) or 404 pages of a publisher

``behaviour[service]`` makes a service misbehave: ``500``, ``huge`` (20 MB of JSON),
``wrongtypes`` (every field of the wrong type), ``private`` (a redirect to 10.0.0.1),
``html`` (a maintenance page).
"""

from __future__ import annotations

import json
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


@dataclass
class DoiState:
    """What the fake DOI system knows; tests edit it directly."""

    targets: dict[str, str] = field(default_factory=dict)
    """Registered DOI (lower-cased) → the URL its handle points to."""
    notices: list[dict[str, Any]] = field(default_factory=list)
    """Crossref items: ``{"DOI": notice doi, "type": kind, "updates": doi, "date": [y, m, d]}``."""
    open_copies: dict[str, dict[str, Any]] = field(default_factory=dict)
    behaviour: dict[str, str] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    queries: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: DoiState


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the counters."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        routes = (
            ("/api/handles/", "handle", self._handle),
            ("/works", "crossref", self._works),
            ("/v2/", "unpaywall", self._unpaywall),
            ("/publisher/", "publisher", self._publisher),
        )
        for prefix, service, handler in routes:
            if parts.path.startswith(prefix):
                with self.server.state.lock:
                    self.server.state.hits[service] += 1
                    self.server.state.queries.append(self.path)
                if not self._misbehave(service):
                    handler(unquote(parts.path[len(prefix) :]), parse_qs(parts.query))
                return
        self._json(404, {"error": "no route"})

    def _misbehave(self, service: str) -> bool:
        mode = self.server.state.behaviour.get(service)
        if mode == "500":
            self._json(500, {"message": "internal error"})
        elif mode == "huge":
            self._send(200, b'{"values": [' + b'{"type": "x"},' * 1_500_000 + b"{}]}", "json")
        elif mode == "wrongtypes":
            wrong = {
                "responseCode": "1",
                "values": "none",
                "message": {"items": "x"},
                "best_oa_location": [1],
            }
            self._json(200, wrong)
        elif mode == "private":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif mode == "html":
            self._send(200, b"<html><body>maintenance</body></html>", "text/html")
        else:
            return False
        return True

    def _handle(self, name: str, query: dict[str, list[str]]) -> None:
        doi = name.lower()
        target = self.server.state.targets.get(doi)
        if target is None:
            self._json(404, {"responseCode": 100, "handle": name})
            return
        values = [
            {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {}}},
            {"index": 1, "type": "URL", "data": {"format": "string", "value": target}},
        ]
        self._json(200, {"responseCode": 1, "handle": name, "values": values})

    def _works(self, _: str, query: dict[str, list[str]]) -> None:
        wanted = query.get("filter", [""])[0].removeprefix("updates:").lower()
        items = [
            {
                "DOI": notice["DOI"],
                "URL": f"https://doi.org/{notice['DOI']}",
                "type": "journal-article",
                "update-to": [
                    {
                        "DOI": notice["updates"],
                        "type": notice["type"],
                        "label": notice["type"].title(),
                        "updated": {"date-parts": [notice["date"]]},
                    }
                ],
            }
            for notice in self.server.state.notices
            if notice["updates"].lower() == wanted
        ]
        message = {"total-results": len(items), "items": items}
        self._json(200, {"status": "ok", "message-type": "work-list", "message": message})

    def _unpaywall(self, name: str, query: dict[str, list[str]]) -> None:
        if not query.get("email"):
            self._json(422, {"error": True, "message": "email required"})
            return
        found = self.server.state.open_copies.get(name.lower())
        if found is None:
            self._json(404, {"HTTP_status_code": 404, "error": True, "message": "not found"})
            return
        self._json(200, {"doi": name, "is_oa": True, "best_oa_location": found})

    def _publisher(self, name: str, _: dict[str, list[str]]) -> None:
        status = 403 if name.startswith("wall") else 404 if name.startswith("gone") else 200
        body = b"<html><head><title>Article</title></head><body>An article.</body></html>"
        self._send(status, body, "html")

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        ctype = "application/json" if kind == "json" else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class FakeDoi:
    base: str
    state: DoiState

    def settings(self, **changes: Any) -> Settings:
        """Settings pointing every DOI service here; only 127.0.0.1 is allowed, so a
        redirect to any other private address meets the guard."""
        values: dict[str, Any] = {
            "allow_networks": ("127.0.0.1/32",),
            "doi_api_url": f"{self.base}/api/handles/",
            "crossref_url": f"{self.base}/",
            "unpaywall_url": f"{self.base}/v2/",
            "unpaywall_email": "editor@example.org",
            "mailto": "editor@example.org",
            "timeout": 10.0,
            "connect_timeout": 5.0,
            "retries": 0,
            "archive": "none",
            "soft404": False,
            "network_canaries": (f"{self.base}/publisher/canary",),
        }
        values.update(changes)
        return Settings(**values)

    def publisher(self, name: str) -> str:
        return f"{self.base}/publisher/{name}"


@contextmanager
def serve_doi() -> Iterator[FakeDoi]:
    """Run the fake DOI services on a free loopback port for the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = DoiState()
    with serving(server) as base:
        yield FakeDoi(base, server.state)
