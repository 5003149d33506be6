"""
httpcore's network layer for the checker: anyio sockets, with the per-request costs removed.

httpcore's own anyio backend enters a cancel scope (``anyio.fail_after``) for every read and
write, and answers every keep-alive liveness check (``get_extra_info("is_readable")``, asked
whenever a pooled connection is reused or released) by rebuilding the stream's typed
attribute table; together about a tenth of a run's CPU. Here the raw socket is looked up
once per connection, and reads and writes carry no timeout scope of their own: every
request of the checker already runs inside its total deadline (``client.fetch_once``), which
starts earlier and ends no later than any per-read timeout of the same length would.
Connecting and the TLS handshake keep their own timeouts.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from typing import Any

import anyio
import anyio.abc
import anyio.streams.tls
import httpcore

try:  # httpcore's own check; private, so a plain select() stands in if it ever moves
    from httpcore._utils import is_socket_readable
except ImportError:  # pragma: no cover - depends on the installed httpcore

    def is_socket_readable(sock: socket.socket | None) -> bool:
        """True when the peer closed or sent data (an idle kept-alive socket is unusable)."""
        import select

        if sock is None or sock.fileno() < 0:
            return True
        return bool(select.select([sock], [], [], 0)[0])


__all__ = ["FastBackend"]

_SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class _Stream(httpcore.AsyncNetworkStream):
    """One connection (plain or TLS) over an anyio byte stream."""

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.extra(
            anyio.abc.SocketAttribute.raw_socket, None
        )

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return await self._stream.receive(max_bytes)
        except anyio.EndOfStream:
            return b""
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            await self._stream.send(buffer)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                wrapped = await anyio.streams.tls.TLSStream.wrap(
                    self._stream,
                    ssl_context=ssl_context,
                    hostname=server_hostname,
                    standard_compatible=False,
                    server_side=False,
                )
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (anyio.BrokenResourceError, anyio.EndOfStream, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            await self.aclose()
            raise
        return _Stream(wrapped)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return is_socket_readable(self._socket)
        if info == "socket":
            return self._socket
        if info == "ssl_object":
            return self._stream.extra(anyio.streams.tls.TLSAttribute.ssl_object, None)
        if info == "server_addr":
            return self._stream.extra(anyio.abc.SocketAttribute.remote_address, None)
        if info == "client_addr":
            return self._stream.extra(anyio.abc.SocketAttribute.local_address, None)
        return None


class FastBackend(httpcore.AsyncNetworkBackend):
    """TCP connections for httpcore's pools (see the module docstring)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                stream = await anyio.connect_tcp(host, port, local_host=local_address)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, anyio.BrokenResourceError) as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        raw = stream.extra(anyio.abc.SocketAttribute.raw_socket)
        for option in socket_options or ():
            raw.setsockopt(*option)
        return _Stream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the checker")

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)
