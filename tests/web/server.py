"""
A small HTTP/1.1 server on asyncio streams, run in a background thread.

Hostile behaviour needs the raw bytes (a malformed status line, a reset, a body that
trickles), so this is not an ASGI app: a handler gets the parsed request with its reader
and writer, and either returns a ``Reply`` (written with Content-Length, keep-alive) or
writes what it wants itself and returns ``None`` (the connection is then closed).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Handler", "LogEntry", "Reply", "Router", "Server", "WebRequest"]


@dataclass(frozen=True)
class Reply:
    """A complete response."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    reason: str = "OK"


@dataclass
class WebRequest:
    """A parsed request, with the connection for handlers that write raw bytes."""

    method: str
    target: str
    headers: dict[str, str]
    host: str
    port: int
    scheme: str
    count: int
    """How many times this host has been asked for this exact target (1 for the first)."""
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @property
    def path(self) -> str:
        """The target without its query."""
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (last one wins)."""
        return dict(parse_qsl(urlsplit(self.target).query))


@dataclass(frozen=True)
class LogEntry:
    """One request as the server saw it arriving."""

    method: str
    host: str
    port: int
    scheme: str
    target: str
    headers: dict[str, str]
    time: float
    in_flight: int
    """Requests in progress on this host (address) when this one arrived, itself included."""

    @property
    def path(self) -> str:
        """The target without its query."""
        return urlsplit(self.target).path


Handler = Callable[[WebRequest], Awaitable[Reply | None]]


class Router:
    """Routes by exact path or by prefix (a path ending in ``*``), optionally per host."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str | None, str], Handler] = {}

    def add(self, path: str, handler: Handler, host: str | None = None) -> None:
        """Register ``handler`` for ``path`` (on ``host`` only, when given)."""
        self._routes[(host, path)] = handler

    def remove(self, path: str, host: str | None = None) -> None:
        """Forget a route (tests that add their own clean up with this)."""
        self._routes.pop((host, path), None)

    def find(self, host: str, path: str) -> Handler | None:
        """The handler for ``path`` on ``host``: exact before prefix, host before any."""
        for key in ((host, path), (None, path)):
            if key in self._routes:
                return self._routes[key]
        best: tuple[int, Handler] | None = None
        for (route_host, route), handler in self._routes.items():
            if route.endswith("*") and route_host in (host, None) and path.startswith(route[:-1]):
                rank = len(route) * 2 + (route_host is not None)
                if best is None or rank > best[0]:
                    best = (rank, handler)
        return best[1] if best else None


class Server:
    """Listeners on several loopback addresses sharing one port per scheme, and the log."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []

    def start(self) -> None:
        """Start the event loop thread."""
        self._thread.start()

    def listen(self, hosts: tuple[str, ...], context: ssl.SSLContext | None) -> int:
        """Listen on every host on one common free port; return the port."""
        future = asyncio.run_coroutine_threadsafe(self._listen(hosts, context), self.loop)
        return future.result(timeout=10)

    async def _listen(self, hosts: tuple[str, ...], context: ssl.SSLContext | None) -> int:
        scheme = "https" if context else "http"
        for _ in range(20):
            opened: list[asyncio.Server] = []
            try:
                port = 0
                for host in hosts:
                    server = await asyncio.start_server(
                        functools.partial(self._connection, scheme=scheme),
                        host,
                        port,
                        ssl=context,
                        limit=65536,
                    )
                    opened.append(server)
                    port = port or server.sockets[0].getsockname()[1]
            except OSError:
                for server in opened:
                    server.close()
                continue
            self._servers += opened
            return port
        raise RuntimeError("no common free port on the loopback addresses")

    def stop(self) -> None:
        """Close the listeners and stop the loop."""

        async def close() -> None:
            for server in self._servers:
                server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    def entries(self) -> list[LogEntry]:
        """A copy of the request log."""
        with self._lock:
            return list(self.log)

    def reset_log(self) -> None:
        """Forget the log (counters of stateful routes are kept: use unique keys)."""
        with self._lock:
            self.log.clear()

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, scheme: str
    ) -> None:
        host, port = writer.get_extra_info("sockname")[:2]
        try:
            while await self._one(reader, writer, scheme, host, port):
                pass
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        except ssl.SSLError:
            pass
        finally:
            writer.close()

    async def _one(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        scheme: str,
        host: str,
        port: int,
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("content-length", "0").isdigit():
            await reader.readexactly(int(headers.get("content-length", "0")))
        with self._lock:
            self._in_flight[host] = self._in_flight.get(host, 0) + 1
            count = self._counts[(host, target)] = self._counts.get((host, target), 0) + 1
            self.log.append(
                LogEntry(
                    method, host, port, scheme, target, headers, time.time(), self._in_flight[host]
                )
            )
        request = WebRequest(method, target, headers, host, port, scheme, count, reader, writer)
        try:
            handler = self.router.find(host, request.path)
            reply = await handler(request) if handler else Reply(404, "no such route")
        except ValueError:
            reply = Reply(404, "no such page")  # e.g. /status/<not a number>, a soft-404 probe
        finally:
            with self._lock:
                self._in_flight[host] -= 1
        if reply is None:
            return False
        await write_reply(writer, reply, head_only=method == "HEAD")
        return headers.get("connection", "").lower() != "close"


async def write_reply(writer: asyncio.StreamWriter, reply: Reply, head_only: bool = False) -> None:
    """Write ``reply`` with a Content-Length."""
    body = reply.body.encode() if isinstance(reply.body, str) else reply.body
    headers = {"content-type": "text/html; charset=utf-8", **reply.headers}
    headers["content-length"] = str(len(body))
    head = f"HTTP/1.1 {reply.status} {reply.reason}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode("latin-1") + (b"" if head_only else body))
    await writer.drain()
