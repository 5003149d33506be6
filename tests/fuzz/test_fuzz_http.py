"""
Fuzz the checker's HTTP/1.1 response reader (``check.http11``) with hostile server bytes.

Whatever a server sends, reading its answer ends, within the bytes it sent, in a response
and a body or in one of httpx's own errors (which ``check.failures`` turns into a reason);
anything else would escape the checker as a crash. The bytes are fed to the connection
protocol directly, the way asyncio would, then the peer "closes".
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import FUZZ, TEST_TIMEOUT
from linkaudit.check.http11 import OriginPool, OwnBody, _Connection, _framing, _read_head

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

_PIECES = [
    b"HTTP/1.1 ", b"HTTP/1.0 ", b"HTTP/2 ", b"200 OK", b"204", b"304", b"101", b"100 Continue",
    b"\r\n", b"\n", b"\r\n\r\n", b": ", b"content-length: ", b"transfer-encoding: chunked",
    b"transfer-encoding: gzip", b"connection: close", b"0", b"5", b"ff", b"-1", b"1e",
    b"99999999999999999999", b";ext=1", b"hello", b" folded", b"\t", b"\x00", b"\xff",
]  # fmt: skip


async def _read_all(payload: bytes, method: bytes) -> bytes:
    conn = _Connection()
    conn.data_received(payload)
    conn.eof_received()
    pool = OriginPool.__new__(OriginPool)  # release() needs only its bookkeeping
    OriginPool.__init__(pool, ssl_context=None, max_connections=1)  # type: ignore[arg-type]
    pool._open = 1
    head = await _read_head(conn)
    body = OwnBody(pool, conn, _framing(head, method), keep=True)
    out = b"".join([chunk async for chunk in body])
    await body.aclose()
    return out


@FUZZ
@given(
    parts=st.lists(st.sampled_from(_PIECES) | st.binary(max_size=24), max_size=40),
    method=st.sampled_from([b"GET", b"HEAD"]),
)
def test_any_server_answer_is_a_response_or_an_httpx_error(
    parts: list[bytes], method: bytes
) -> None:
    payload = b"".join(parts)
    try:
        body = asyncio.run(asyncio.wait_for(_read_all(payload, method), 5))
    except httpx.HTTPError:
        return
    assert len(body) <= len(payload)
