"""
An HTTP/1.1 connection pool for one origin, as an httpx transport, on asyncio protocols.

Profiles of the benchmark put about half of a run's CPU in the generic stack under httpx
(httpcore's pool and state machine, h11's event parser, anyio's stream wrappers), though
the checker needs little of it: GET and HEAD of small pages, one origin per pool, a few
connections, no HTTP/2, no upgrades. This module speaks exactly that much HTTP/1.1 itself,
still behind httpx's own transport interface, so the client, requests, responses, errors
and everything above them stay httpx's. Proxied requests keep httpx's transport.

Lenient where real servers are sloppy (bare ``LF`` line ends, a missing reason phrase,
folded headers), strict where framing is at stake (conflicting ``Content-Length``, bad
chunk sizes, a head over ``MAX_HEAD_BYTES``), as h11 is. A connection goes back to the
pool only when its response was read to the end and both sides allow keep-alive; a body
closed early, a cancelled request or any error closes it. Reads carry no timeout of their
own: every request of the checker runs inside its total deadline (``client.fetch_once``).
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from asyncio import BaseEventLoop
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, NamedTuple, cast

import httpx

from linkaudit.check.waiters import Waiters, wait_in, wake_first

__all__ = ["MAX_HEAD_BYTES", "Address", "Answer", "OriginPool", "OwnBody"]

MAX_HEAD_BYTES = 64 * 1024
"""Status line and headers together; h11 allows 16 KiB, some CDNs send more."""
_MAX_LINE = 4096
"""A chunk-size line or trailer line."""
_HIGH_WATER = 256 * 1024
_STATUS = re.compile(rb"HTTP/(\d)\.(\d) +(\d{3})(?: (.*))?")
_TOKEN = re.compile(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_NO_RESPONSE = "Server disconnected without sending a response."
_NO_BODY_STATUSES = frozenset({204, 304})
_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS"})


class Address(NamedTuple):
    """Where a pool connects: the host as DNS and SNI want it (IDNA-encoded), the port
    (``None``: the scheme's), TLS or not, and the connect timeout."""

    host: str
    port: int | None
    secure: bool
    connect_timeout: float | None


class _Connection(asyncio.Protocol):
    """One socket: bytes in a buffer, a waiter woken when more arrive or the peer goes."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False
        self.lost: BaseException | None = None
        self.idle_since = 0.0
        self.requests = 0
        """Requests sent on this connection so far."""
        self.answered = False
        """Any byte arrived since the last request was sent."""
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.answered = True
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost = exc
        self._wake()

    # -- for the pool and the response stream
    def get_extra_info(self, name: str) -> Any:
        """What httpx's ``network_stream`` extension offers: ``server_addr`` for the guard."""
        if self.transport is None:
            return None
        if name == "server_addr":
            return self.transport.get_extra_info("peername")
        if name == "client_addr":
            return self.transport.get_extra_info("sockname")
        if name in ("ssl_object", "socket"):
            return self.transport.get_extra_info(name)
        return None

    @property
    def reusable(self) -> bool:
        """Still open with nothing unread: an idle kept-alive socket that spoke is unusable."""
        return not self.closed and not self.buffer and self.transport is not None

    def write(self, data: bytes) -> None:
        if self.transport is None or self.closed or self.transport.is_closing():
            raise httpx.WriteError("the connection was closed before the request was sent")
        self.transport.write(data)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    async def more(self) -> bool:
        """Wait for more bytes; ``False`` once the peer has closed and nothing new came."""
        if self.closed:
            return False
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        before = len(self.buffer)
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self.lost is not None and len(self.buffer) == before:
            raise httpx.ReadError(str(self.lost) or type(self.lost).__name__) from self.lost
        return len(self.buffer) > before or not self.closed

    def take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    async def line(self) -> bytes:
        """One line without its end, for chunk sizes and trailers."""
        while (end := self.buffer.find(b"\n")) < 0:
            if len(self.buffer) > _MAX_LINE:
                raise httpx.RemoteProtocolError("chunk-size line too long")
            if not await self.more():
                raise httpx.RemoteProtocolError("peer closed connection inside a chunked body")
        return self.take(end + 1).rstrip(b"\r\n")

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class _Head:
    """A parsed status line and header block."""

    __slots__ = ("headers", "reason", "status", "version")

    def __init__(
        self, version: bytes, status: int, reason: bytes, headers: list[tuple[bytes, bytes]]
    ) -> None:
        self.version, self.status, self.reason, self.headers = version, status, reason, headers

    def values(self, name: bytes) -> list[bytes]:
        return [v for k, v in self.headers if k.lower() == name]


def parse_head(block: bytes) -> _Head:
    """The status line and headers of ``block`` (without the blank line that ends it)."""
    lines = [line.rstrip(b"\r") for line in block.split(b"\n")]
    status = _STATUS.fullmatch(lines[0])
    if status is None:
        shown = lines[0][:60].decode("latin-1")
        raise httpx.RemoteProtocolError(f"malformed status line: {shown!r}")
    major, minor, code, reason = status.groups()
    headers: list[tuple[bytes, bytes]] = []
    for raw in lines[1:]:
        if raw[:1] in (b" ", b"\t") and headers:  # obsolete line folding: one header value
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + raw.strip())
            continue
        name, colon, value = raw.partition(b":")
        if not colon or _TOKEN.fullmatch(name) is None:
            shown = raw[:60].decode("latin-1")
            raise httpx.RemoteProtocolError(f"malformed header line: {shown!r}")
        headers.append((name, value.strip(b" \t")))
    version = b"HTTP/" + major + b"." + minor
    return _Head(version, int(code), reason or b"", headers)


async def _read_head(conn: _Connection) -> _Head:
    """The next response head, informational (1xx) responses skipped."""
    while True:
        start = 0
        while True:
            end = conn.buffer.find(b"\n\r\n", start)
            bare = conn.buffer.find(b"\n\n", start)
            if bare >= 0 and (end < 0 or bare < end):
                block, skip = bare, 2
                break
            if end >= 0:
                block, skip = end, 3
                break
            if len(conn.buffer) > MAX_HEAD_BYTES:
                raise httpx.RemoteProtocolError("response head larger than 64 KiB")
            start = max(0, len(conn.buffer) - 3)
            had = len(conn.buffer)
            if not await conn.more():
                if had == 0:
                    raise httpx.RemoteProtocolError(_NO_RESPONSE)
                raise httpx.RemoteProtocolError("peer closed connection inside the response head")
        if block > MAX_HEAD_BYTES:
            raise httpx.RemoteProtocolError("response head larger than 64 KiB")
        head = parse_head(bytes(conn.buffer[:block]))
        del conn.buffer[: block + skip]
        if not 100 <= head.status < 200 or head.status == 101:
            return head


def _framing(head: _Head, method: bytes) -> int | str | None:
    """Body length: a byte count, ``"chunked"``, ``"close"`` (read to the end) or ``None``."""
    if method == b"HEAD" or head.status in _NO_BODY_STATUSES or head.status < 200:
        return None
    codings = b",".join(head.values(b"transfer-encoding")).lower()
    if codings:
        if codings.split(b",")[-1].strip() == b"chunked":
            return "chunked"
        return "close"
    lengths = {v.strip() for value in head.values(b"content-length") for v in value.split(b",")}
    if not lengths:
        return "close"
    if len(lengths) > 1 or not all(v.isdigit() for v in lengths):
        raise httpx.RemoteProtocolError("invalid or conflicting Content-Length")
    return int(lengths.pop())


def _keeps_alive(head: _Head, asked_to_close: bool) -> bool:
    if asked_to_close:
        return False
    tokens = {t.strip().lower() for value in head.values(b"connection") for t in value.split(b",")}
    if b"close" in tokens:
        return False
    return head.version == b"HTTP/1.1" or b"keep-alive" in tokens


class Answer(NamedTuple):
    """A response head as the pool read it, and its body to stream."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: OwnBody
    version: bytes
    reason: bytes


class OwnBody(httpx.AsyncByteStream):
    """The response body as it arrives; hands the connection back to the pool at its end."""

    def __init__(
        self, pool: OriginPool, conn: _Connection, framing: int | str | None, keep: bool
    ) -> None:
        self._pool = pool
        self._conn: _Connection | None = conn
        self._framing = framing
        self._keep = keep
        self._complete = framing is None or framing == 0
        self.connection = conn
        """The socket it arrived on (``get_extra_info("server_addr")`` for the guard)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None or self._complete:
            return
        if self._framing == "chunked":
            async for data in self._chunked(conn):
                yield data
        elif self._framing == "close":
            while True:
                if conn.buffer:
                    yield conn.take(len(conn.buffer))
                if not await conn.more() and not conn.buffer:
                    break
        else:
            assert isinstance(self._framing, int)
            remaining = self._framing
            while remaining:
                if not conn.buffer and not await conn.more() and not conn.buffer:
                    raise httpx.RemoteProtocolError(
                        "peer closed connection without sending complete message body: "
                        f"{remaining} of {self._framing} bytes missing"
                    )
                data = conn.take(remaining)
                remaining -= len(data)
                if data:
                    yield data
        self._complete = True

    async def _chunked(self, conn: _Connection) -> AsyncIterator[bytes]:
        while True:
            size_line = (await conn.line()).split(b";", 1)[0].strip()
            if _HEX.fullmatch(size_line) is None or len(size_line) > 16:
                raise httpx.RemoteProtocolError("invalid chunk size")
            remaining = int(size_line, 16)
            if remaining == 0:
                while await conn.line():  # trailers, up to the blank line
                    pass
                return
            while remaining:
                if not conn.buffer and not await conn.more() and not conn.buffer:
                    raise httpx.RemoteProtocolError("peer closed connection inside a chunk")
                data = conn.take(remaining)
                remaining -= len(data)
                yield data
            if await conn.line():
                raise httpx.RemoteProtocolError("chunk not followed by a line end")

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        done = self._complete and self._keep and self._framing != "close"
        self._pool.release(conn, reuse=done and conn.reusable)


async def _exchange(conn: _Connection, request: bytes) -> _Head:
    conn.requests += 1
    conn.answered = False
    conn.write(request)
    return await _read_head(conn)


class OriginPool(httpx.AsyncBaseTransport):
    """At most ``max_connections`` kept-alive connections to one (scheme, host, port)."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | Callable[[], ssl.SSLContext],
        *,
        max_connections: int,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._ssl_context = ssl_context
        self._max = max(1, max_connections)
        self._expiry = keepalive_expiry
        self._idle: deque[_Connection] = deque()
        self._open = 0
        self._waiters: Waiters = deque()
        self._closed = False

    @property
    def connections(self) -> int:
        """Connections open now, idle or in use (for tests and statistics)."""
        return self._open

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """httpx's transport interface over ``send``."""
        method = request.method.encode("ascii")
        data, asked_to_close = await _serialise(request, method)
        url = request.url
        timeouts = request.extensions.get("timeout", {})
        address = Address(
            url.raw_host.decode("ascii"),  # IDNA-encoded, as DNS and SNI want it
            url.port,
            url.scheme == "https",
            timeouts.get("connect") if isinstance(timeouts, dict) else None,
        )
        answer = await self.send(data, method, address, asked_to_close=asked_to_close)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=answer.body,
            extensions={
                "http_version": answer.version,
                "reason_phrase": answer.reason,
                "network_stream": answer.body.connection,
            },
        )

    async def send(
        self, data: bytes, method: bytes, address: Address, *, asked_to_close: bool = False
    ) -> Answer:
        """Send one serialised request on an idle connection or a new one; the body
        streams after (``Answer.body``).

        A kept-alive connection the server closed just as the request went out fails
        before any byte of an answer: a GET or HEAD is then sent once more on a new
        connection, as browsers do, since the server never saw it as an error.
        """
        conn = await self._acquire(address)
        try:
            head = await _exchange(conn, data)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            self.release(conn, reuse=False)
            if not (conn.requests > 1 and not conn.answered and method in _IDEMPOTENT):
                raise
            self.close_idle(for_good=False)  # its siblings are likely as stale
            conn = await self._acquire(address)
            try:
                head = await _exchange(conn, data)
            except BaseException:
                self.release(conn, reuse=False)
                raise
        except BaseException:
            self.release(conn, reuse=False)
            raise
        try:
            framing = _framing(head, method)
        except BaseException:
            self.release(conn, reuse=False)
            raise
        keep = head.status != 101 and _keeps_alive(head, asked_to_close)
        body = OwnBody(self, conn, framing, keep)
        return Answer(head.status, head.headers, body, head.version, head.reason)

    def release(self, conn: _Connection, *, reuse: bool) -> None:
        """A response is over: keep its connection for the next request, or close it."""
        if reuse and not self._closed:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
            self._open -= 1
        wake_first(self._waiters)  # a connection is free, or one may be opened

    @property
    def busy(self) -> bool:
        """A request or a response body is using one of the connections."""
        return self._open > len(self._idle)

    async def aclose(self) -> None:
        """Close the idle connections; ones in use close when their response does."""
        self.close_idle()

    def close_idle(self, *, for_good: bool = True) -> None:
        """Close the idle connections (and, ``for_good``, every later one: ``aclose``)."""
        self._closed = self._closed or for_good
        while self._idle:
            self._idle.popleft().close()
            self._open -= 1

    async def _acquire(self, address: Address) -> _Connection:
        while True:
            now = time.monotonic()
            while self._idle:
                conn = self._idle.pop()  # the most recently used is the likeliest alive
                if conn.reusable and now - conn.idle_since < self._expiry:
                    return conn
                conn.close()
                self._open -= 1
            if self._open < self._max:
                self._open += 1
                try:
                    return await self._connect(address)
                except BaseException:
                    self._open -= 1
                    wake_first(self._waiters)
                    raise
            await wait_in(self._waiters)

    def _tls(self) -> ssl.SSLContext:
        context = self._ssl_context
        return context if isinstance(context, ssl.SSLContext) else context()

    async def _connect(self, address: Address) -> _Connection:
        host, secure = address.host, address.secure
        port = address.port or (443 if secure else 80)
        loop = asyncio.get_running_loop()
        # Happy eyeballs (RFC 8305) where the loop has it: asyncio's own does, uvloop does not.
        eyeballs: dict[str, Any] = (
            {"happy_eyeballs_delay": 0.25} if isinstance(loop, BaseEventLoop) else {}
        )
        try:
            async with asyncio.timeout(address.connect_timeout):
                _, conn = await loop.create_connection(
                    _Connection,
                    host,
                    port,
                    ssl=self._tls() if secure else None,
                    server_hostname=host if secure else None,
                    **eyeballs,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:  # socket.gaierror and ssl.SSLError included: failures.py reads them
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return conn


async def _serialise(request: httpx.Request, method: bytes) -> tuple[bytes, bool]:
    """The request line, headers and (small, already buffered) body as one write, and
    whether the request itself says ``Connection: close``."""
    lines = [method + b" " + (request.url.raw_path or b"/") + b" HTTP/1.1"]
    framed = close = False
    for name, value in request.headers.raw:
        lines.append(name + b": " + value)
        lowered = name.lower()
        framed = framed or lowered in (b"content-length", b"transfer-encoding")
        close = close or (lowered == b"connection" and b"close" in value.lower())
    body = b""
    if framed or method not in (b"GET", b"HEAD"):
        body = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body, close
