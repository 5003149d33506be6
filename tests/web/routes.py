"""
The simulated web's built-in routes: one per behaviour a link checker must survive.

Stateful routes (``/retry-after``, ``/flaky503``) count per exact target, so a test passes
``?key=<unique>`` to get a fresh sequence.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import zlib

from .server import Handler, Reply, Router, WebRequest

__all__ = ["BOMB_BLOCK", "install"]

_LIBRARY_AGENTS = (
    "python-httpx",
    "python-requests",
    "curl/",
    "wget/",
    "go-http-client",
    "python-urllib",
)
_NOT_FOUND = """<html><head><title>Page not found</title></head><body>
<h1>Sorry, we could not find {path}</h1><p>Try the search box. Reference 4711-{n}.</p>
</body></html>"""
_PAGE = """<html><head><title>A page with anchors</title></head><body>
<h2 id="intro">Intro</h2><a name="legacy"></a>
<div id="user-content-readme">Readme</div><p>Plenty of text about policy.</p></body></html>"""
_ARTICLE = """<html><head><title>Real article</title></head><body><h1>Budget outlook</h1>
<p>The committee projects deficits of 3.1% over the decade, driven by interest costs,
with revenue roughly flat as a share of output.</p></body></html>"""


def _bomb_block() -> bytes:
    """1 MiB of zeros deflated and fully flushed: repeating it is a valid deflate stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(b"\0" * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)


BOMB_BLOCK = _bomb_block()
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def install(router: Router) -> None:
    """Register every built-in route on ``router``."""
    simple = {
        "/": Reply(200, "<html><head><title>Home</title></head><body>home</body></html>"),
        "/page": Reply(200, _PAGE),
        "/articles/real": Reply(200, _ARTICLE),
        "/login": Reply(200, "<title>Sign in</title><form><input type=password></form>"),
        "/meta-refresh": Reply(200, '<meta http-equiv="refresh" content="0; url=/page">'),
        "/meta-loop": Reply(200, "<meta http-equiv='refresh' content='0;URL=/meta-loop2'>"),
        "/meta-loop2": Reply(200, "<meta http-equiv='refresh' content='0;URL=/meta-loop'>"),
        "/loop/a": Reply(302, headers={"location": "/loop/b"}, reason="Found"),
        "/loop/b": Reply(302, headers={"location": "a"}, reason="Found"),
        "/private/report": Reply(302, headers={"location": "/login?next=/private/report"}),
        "/cf-challenge": Reply(
            403,
            "<title>Just a moment...</title>",
            {"cf-mitigated": "challenge", "server": "cloudflare"},
        ),
        "/gzip": Reply(
            200,
            _gzip(_PAGE.encode()),
            {"content-encoding": "gzip"},
        ),
        "/big": Reply(200, b"x" * 5_000_000, {"content-type": "text/plain"}),
    }
    for path, reply in simple.items():
        router.add(path, _constant(reply))
    for path, handler in {
        "/status/*": _status,
        "/redirect/*": _redirect,
        "/chain/*": _chain,
        "/to": _to,
        "/articles/*": _article_missing,
        "/soft/*": _soft404,
        "/slow-headers": _slow_headers,
        "/trickle": _trickle,
        "/bomb": _bomb,
        "/malformed": _malformed,
        "/close": _close,
        "/reset": _reset,
        "/retry-after": _retry_after,
        "/flaky503": _flaky503,
        "/ua-block": _ua_block,
        "/head-lies": _head_lies,
        "/set-cookie-to": _set_cookie_to,
    }.items():
        router.add(path, handler)


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def _constant(reply: Reply) -> Handler:
    async def handler(request: WebRequest) -> Reply:
        return reply

    return handler


async def _status(request: WebRequest) -> Reply:
    code = int(request.path.rsplit("/", 1)[1])
    return Reply(code, f"<title>Status {code}</title>status {code}", reason="X")


async def _redirect(request: WebRequest) -> Reply:
    """/redirect/{code}/{n}: n hops of ``code`` with relative Locations, then 200."""
    _, _, code, n = request.path.split("/")[:4]
    if int(n) <= 0:
        return Reply(200, "<title>Arrived</title>arrived")
    return Reply(int(code), headers={"location": f"../{code}/{int(n) - 1}"}, reason="Moved")


async def _chain(request: WebRequest) -> Reply:
    n = int(request.path.rsplit("/", 1)[1])
    if n <= 0:
        return Reply(200, "<title>End of chain</title>end")
    return Reply(302, headers={"location": f"/chain/{n - 1}"}, reason="Found")


async def _to(request: WebRequest) -> Reply:
    """/to?url=…&code=302: a redirect to any absolute URL (other hosts, private addresses)."""
    code = int(request.query.get("code", "302"))
    return Reply(code, headers={"location": request.query["url"]}, reason="Moved")


async def _set_cookie_to(request: WebRequest) -> Reply:
    headers = {"location": request.query["url"], "set-cookie": "session=s3cret; Path=/"}
    return Reply(302, headers=headers, reason="Found")


async def _article_missing(request: WebRequest) -> Reply:
    return Reply(404, "<title>404</title>no such article", reason="Not Found")


async def _soft404(request: WebRequest) -> Reply:
    """Every path is 200 with the same not-found template (path and a counter embedded)."""
    return Reply(200, _NOT_FOUND.format(path=request.path, n=request.count))


async def _slow_headers(request: WebRequest) -> None:
    await request.reader.read()  # headers never come; wait until the client hangs up


async def _trickle(request: WebRequest) -> None:
    request.writer.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 1000000000\r\n\r\n"
    )
    try:
        while True:
            request.writer.write(b"<p>")
            await request.writer.drain()
            await asyncio.sleep(0.05)
    except (ConnectionError, RuntimeError):
        pass


async def _bomb(request: WebRequest) -> None:
    """About 10 GiB of zeros as gzip, sent lazily; nobody should read to the end."""
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n"
        b"content-encoding: gzip\r\nconnection: close\r\n\r\n"
    )
    request.writer.write(head + _GZIP_HEADER)
    try:
        for _ in range(10 * 1024):
            request.writer.write(BOMB_BLOCK)
            await request.writer.drain()
    except (ConnectionError, RuntimeError):
        pass


async def _malformed(request: WebRequest) -> None:
    request.writer.write(b"HTTP/1.1 TWO-HUNDRED Okay-ish\r\nthis is not a header\r\n\r\n")
    await request.writer.drain()


async def _close(request: WebRequest) -> None:
    return None


async def _reset(request: WebRequest) -> None:
    sock = request.writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.writer.transport.abort()


async def _retry_after(request: WebRequest) -> Reply:
    if request.count < 3:
        return Reply(429, "slow down", {"retry-after": "1"}, reason="Too Many Requests")
    return Reply(200, "<title>Finally</title>ok")


async def _flaky503(request: WebRequest) -> Reply:
    if request.count < 3:
        return Reply(503, "busy", reason="Service Unavailable")
    return Reply(200, "<title>Recovered</title>ok")


async def _ua_block(request: WebRequest) -> Reply:
    agent = request.headers.get("user-agent", "").lower()
    if not agent or any(a in agent for a in _LIBRARY_AGENTS):
        return Reply(403, "<title>Forbidden</title>robots go away", reason="Forbidden")
    return Reply(200, f"<title>Welcome</title>hello {agent}")


async def _head_lies(request: WebRequest) -> Reply:
    if request.method == "HEAD":
        return Reply(405, reason="Method Not Allowed")
    return Reply(200, "<title>Works with GET</title>ok")
