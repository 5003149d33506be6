"""
Foreign exceptions (httpx, ssl, socket, anyio) → a failure ``Reason`` and one human line.

This is the one boundary where transport errors are translated; the rest of the check
stage sees only ``(Reason, str)``. The most specific cause wins: a ``ConnectError`` whose
cause is a ``socket.gaierror`` is ``dns``, one caused by an ``ssl.SSLError`` is ``tls``.
"""

from __future__ import annotations

import socket
import ssl

import httpx

from linkaudit.verdicts import Reason

__all__ = ["describe", "failure_of"]

_NO_RESPONSE = "without sending a response"


def failure_of(exc: BaseException) -> tuple[Reason, str]:
    """The failure reason of ``exc`` and a one-line description of it."""
    return _reason(exc), describe(exc)


def _reason(exc: BaseException) -> Reason:
    chain = list(_causes(exc))
    if any(isinstance(e, socket.gaierror) for e in chain):
        return Reason.DNS
    # A deadline first: a TLS handshake that never finishes is a slow or silent host
    # (``timeout``, retried), not a certificate problem, whatever the exception's text says.
    if isinstance(exc, httpx.TimeoutException | TimeoutError) or any(
        isinstance(e, TimeoutError) or _handshake_timed_out(e) for e in chain
    ):
        return Reason.TIMEOUT
    if any(_is_tls_failure(e) for e in chain):
        return Reason.TLS
    if any(isinstance(e, httpx.TimeoutException) for e in chain):
        return Reason.TIMEOUT
    if any(isinstance(e, ssl.SSLError) for e in chain):
        # The peer hung up in the middle of the handshake: a dropped connection.
        return Reason.CONNECTION
    if isinstance(exc, httpx.ConnectError) and _looks_like_dns(str(exc)):
        return Reason.DNS
    if isinstance(exc, httpx.ConnectError) and _looks_like_tls(str(exc)):
        return Reason.TLS
    if isinstance(exc, httpx.RemoteProtocolError) and _NO_RESPONSE in str(exc):
        # A peer that hangs up before answering is a connection problem, not a malformed answer.
        return Reason.CONNECTION
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError | httpx.UnsupportedProtocol):
        return Reason.PROTOCOL
    return Reason.CONNECTION


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


def _is_tls_failure(exc: BaseException) -> bool:
    """A certificate that does not verify, or a TLS protocol the two ends cannot agree on."""
    if isinstance(exc, ssl.CertificateError):
        return True
    return isinstance(exc, ssl.SSLError) and not isinstance(exc, _TLS_HANGUPS)


def _handshake_timed_out(exc: BaseException) -> bool:
    """asyncio's own TLS handshake deadline raises ``ConnectionAbortedError``, not a timeout."""
    return isinstance(exc, ConnectionAbortedError) and "taking longer than" in str(exc)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and its chained causes, outermost first (bounded against cycles)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 16 and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _looks_like_dns(text: str) -> bool:
    # httpcore re-raises getaddrinfo failures as ConnectError("[Errno -2] Name or service…").
    lowered = text.lower()
    return any(
        s in lowered
        for s in (
            "name or service not known",
            "nodename nor servname",
            "no address associated",
            "temporary failure in name resolution",
            "getaddrinfo failed",
            "[errno -2]",
            "[errno -3]",
            "[errno -5]",
            "[errno 8]",
            "[errno 11001]",
        )
    )


def _looks_like_tls(text: str) -> bool:
    lowered = text.lower()
    if "handshake" in lowered and ("timed out" in lowered or "taking longer" in lowered):
        return False
    return "certificate" in lowered or "ssl" in lowered or "tls" in lowered


def describe(exc: BaseException) -> str:
    """One line naming the exception and its message (never a traceback)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, TimeoutError | httpx.TimeoutException) and not str(exc):
        text = "timed out"
    return text[:300]
