"""
Foreign exceptions (httpx, aiohttp, ssl, socket) → a failure ``Reason`` and one human line.

This is the one boundary where transport errors are translated, by type, never by the
text of a message; the rest of the check stage sees only ``(Reason, str)``. The transport
(``httpx_aiohttp``) re-raises aiohttp's errors as httpx's with the original as the cause,
and not always as the closest httpx type (a server that hangs up becomes a "connect
timeout"), so the deepest cause decides: a ``ConnectError`` caused by a
``socket.gaierror`` is ``dns``, one caused by an ``ssl.SSLError`` is ``tls``.
"""

from __future__ import annotations

import socket
import ssl

import aiohttp
import httpx
from aiohttp import http_exceptions

from linkaudit.check.contain import error_line
from linkaudit.check.guard import AddressRefused
from linkaudit.verdicts import Reason

__all__ = ["TRANSPORT_ERRORS", "describe", "failure_of"]

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    httpx.HTTPError,
    httpx.InvalidURL,
    aiohttp.ClientError,
    http_exceptions.HttpProcessingError,
    OSError,
    ValueError,  # an invalid header value we were asked to send, a bad port
)
"""Every exception sending a request or reading its answer may raise for the network or
for what a server or a document made us send: caught where a request is made."""

#: SSL errors that say the peer went away (or had not answered yet: anyio's TLS stream
#: leaves an ``SSLWantReadError`` as the context of a handshake cut off by a deadline),
#: not that the certificate or protocol is wrong.
_TLS_HANGUPS = (
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
    ssl.SSLSyscallError,
    ssl.SSLWantReadError,
    ssl.SSLWantWriteError,
)
_PROTOCOL = (
    http_exceptions.HttpProcessingError,
    aiohttp.ClientResponseError,
    aiohttp.ClientPayloadError,
    aiohttp.InvalidURL,
    aiohttp.NonHttpUrlClientError,
    httpx.InvalidURL,
    httpx.ProtocolError,
    httpx.DecodingError,
    httpx.UnsupportedProtocol,
    ValueError,
)


def failure_of(exc: BaseException) -> tuple[Reason, str]:
    """The failure reason of ``exc`` and a one-line description of it."""
    return _reason(exc), describe(_shown(exc))


def _reason(exc: BaseException) -> Reason:
    chain = _causes(exc)
    # httpx's wrappers of an aiohttp error are translations: the original decides.
    original = [e for e in chain if not (isinstance(e, httpx.HTTPError) and e.__cause__)]

    def found(kinds: type[BaseException] | tuple[type[BaseException], ...]) -> bool:
        return any(isinstance(e, kinds) for e in original)

    if found(AddressRefused):
        return Reason.PRIVATE_ADDRESS
    if found((socket.gaierror, aiohttp.ClientConnectorDNSError)):
        return Reason.DNS
    # A deadline first: a TLS handshake that never finishes is a slow or silent host
    # (``timeout``, retried), not a certificate problem.
    if found((TimeoutError, httpx.TimeoutException)) and not found(aiohttp.ServerDisconnectedError):
        return Reason.TIMEOUT
    if any(_is_tls_failure(e) for e in original):
        return Reason.TLS
    if found((ssl.SSLError, aiohttp.ServerDisconnectedError)):
        # The peer hung up (in the middle of the handshake, or before answering).
        return Reason.CONNECTION
    if found(_PROTOCOL):
        return Reason.PROTOCOL
    return Reason.CONNECTION


def _is_tls_failure(exc: BaseException) -> bool:
    """A certificate that does not verify, or a TLS protocol the two ends cannot agree on."""
    if isinstance(exc, ssl.CertificateError | aiohttp.ClientConnectorCertificateError):
        return True
    return isinstance(exc, ssl.SSLError) and not isinstance(exc, _TLS_HANGUPS)


def _shown(exc: BaseException) -> BaseException:
    """The exception whose message names the cause best: a refusal's own, else ``exc``."""
    refused = next((e for e in _causes(exc) if isinstance(e, AddressRefused)), None)
    return refused if refused is not None else exc


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and its chained causes, outermost first (bounded against cycles)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 16 and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def describe(exc: BaseException) -> str:
    """One line naming the exception and its message (never a traceback)."""
    if isinstance(exc, httpx.TimeoutException) and not str(exc):
        return "timed out"
    return error_line(exc)
