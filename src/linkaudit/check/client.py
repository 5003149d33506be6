"""
The one ``httpx.AsyncClient`` of a run, and a single bounded GET.

Polite and bounded by construction: HTTP/1.1 with keep-alive in one small pool per
origin (``transport``), ``trust_env`` (proxies, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` as in
httpx and curl), no automatic redirects (the follower records every hop), no cookie jar
shared across URLs, a total deadline around connect + headers + body, and a body read that
stops at ``max_body_bytes`` on the wire or ``max_inflated_bytes`` once inflated. Inflation
is done here with ``zlib`` and a ``max_length`` per call, so a gzip bomb costs at most the
bound in memory and time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fnmatch
import http.cookiejar
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio
import httpx

from linkaudit.check.failures import failure_of
from linkaudit.check.guard import parse_ip_literal, proxy_for, refusal_for_address
from linkaudit.check.hosts import politeness
from linkaudit.check.http11 import OwnBody
from linkaudit.check.retry import retry_after_seconds
from linkaudit.check.transport import OriginRouter, quiet_sniffio_probe
from linkaudit.config import Settings
from linkaudit.verdicts import Reason

__all__ = ["Body", "Fetched", "fetch_once", "headers_for", "make_client", "read_capped"]

_MIN_OPEN_ORIGINS = 16
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one GET of one URL produced (no redirect following)."""

    url: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    failure: Reason | None = None
    error: str | None = None
    retry_after_header: str | None = None
    raw_bytes: int = 0
    attempts: int = 1

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait before the next attempt, if it did."""
        if self.retry_after_header is None:
            return None
        return retry_after_seconds(self.retry_after_header, dt.datetime.now(dt.UTC))


@dataclass(slots=True)
class Body:
    """A capped body as it is read; filled in place so a deadline keeps what arrived."""

    data: bytearray = field(default_factory=bytearray)
    raw_bytes: int = 0
    inflated_bytes: int = 0
    truncated: bool = False


class _RefuseAll(http.cookiejar.DefaultCookiePolicy):
    """The client-wide jar keeps nothing: cookies live for one redirect chain only."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class _NoCookies(httpx.Cookies):
    """A client-wide jar that never looks at a response: httpx parses every response's
    cookies into the client's jar, which cost ~5% of a run's CPU only to refuse them all."""

    def __init__(self) -> None:
        super().__init__(http.cookiejar.CookieJar(policy=_RefuseAll()))

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _Client(httpx.AsyncClient):
    """The run's client, with requests prepared once: the merged default headers and the
    timeout extension are computed at construction, not merged again for every request."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        return None

    def prepare(self, router: OriginRouter) -> None:
        """Snapshot the default headers and timeout (call after any change to them)."""
        self.router = router
        self.base_headers = [(k.decode("ascii"), v.decode("latin-1")) for k, v in self.headers.raw]
        self.timeout_ext = {"timeout": self.timeout.as_dict()}


_NO_COOKIES = _NoCookies()
_NO_BODY = httpx.ByteStream(b"")


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The run's client: per-origin pools, timeouts, User-Agent, env proxies and CA settings."""
    quiet_sniffio_probe()
    router = OriginRouter(
        httpx.create_ssl_context(trust_env=True),  # SSL_CERT_FILE / SSL_CERT_DIR, once per run
        per_origin=lambda host: politeness(host, settings)[0],
        proxy_connections=settings.max_concurrency,
        keep_open=max(_MIN_OPEN_ORIGINS, settings.max_concurrency),
    )
    client = _Client(
        transport=router,
        trust_env=True,
        follow_redirects=False,
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        },
    )
    client.prepare(router)
    return client


def headers_for(url: str, settings: Settings) -> dict[str, str]:
    """Extra headers configured for ``url``'s host (fnmatch globs on the host name)."""
    if not settings.headers:
        return {}
    host = (urlsplit(url).hostname or "").lower()
    merged: dict[str, str] = {}
    for pattern, headers in settings.headers.items():
        if fnmatch.fnmatchcase(host, pattern.lower()):
            merged.update(headers)
    return merged


async def fetch_once(
    client: httpx.AsyncClient,
    url: str,
    settings: Settings,
    *,
    headers: Mapping[str, str] | None = None,
    cookies: httpx.Cookies | None = None,
) -> Fetched:
    """One GET of ``url`` within ``settings.timeout`` in total; never raises for the network.

    The deadline covers connecting, the head and the body; a body cut off by it is kept
    as far as it arrived (``truncated``), as is one cut off by a bound or a broken stream.
    """
    response: httpx.Response | None = None
    kept: dict[str, str] = {}
    body = Body()
    error = None
    try:
        async with asyncio.timeout(settings.timeout):
            try:
                response = await _send(client, _request(client, url, headers, cookies))
            except (httpx.HTTPError, OSError, ValueError) as exc:
                reason, text = failure_of(exc)
                return Fetched(url=url, failure=reason, error=text)
            refused = _peer_refusal(response, url, settings)
            if refused is not None:
                return Fetched(url=url, failure=Reason.PRIVATE_ADDRESS, error=refused)
            kept = _kept_headers(response.headers)
            if cookies is not None and "set-cookie" in kept:
                cookies.extract_cookies(response)
            try:
                await read_capped(response, settings, body, kept.get("content-encoding", ""))
            except (httpx.HTTPError, OSError, zlib.error) as exc:
                body.truncated = True
                error = f"body read stopped: {failure_of(exc)[1]}"
    except TimeoutError as exc:
        if response is None:
            reason, text = failure_of(exc)
            return Fetched(url=url, failure=reason, error=text)
        body.truncated = True
        error = f"body read stopped at the {settings.timeout:g} s deadline"
        kept = kept or _kept_headers(response.headers)
    finally:
        if response is not None:
            await _close(response)
    return Fetched(
        url=url,
        status=response.status_code,
        headers=kept,
        body=bytes(body.data),
        truncated=body.truncated,
        error=error,
        retry_after_header=kept.get("retry-after"),
        raw_bytes=body.raw_bytes,
    )


async def _send(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Straight to the run's transport: the checker needs none of ``AsyncClient.send``'s
    redirect, auth and hook machinery (it follows redirects itself), which cost a tenth of
    a run's CPU. Any other client goes through ``send`` as usual."""
    if isinstance(client, _Client):
        response = await client.router.handle_async_request(request)
        response.request = request
        return response
    return await client.send(request, stream=True)


async def _close(response: httpx.Response) -> None:
    """Close the body: our own pool's close never waits, so it needs no shield from
    cancellation; any other transport's may, and gets a shielded second to finish."""
    if isinstance(response.stream, OwnBody):
        await response.stream.aclose()
        return
    with anyio.move_on_after(1.0, shield=True):
        await response.aclose()


def _request(
    client: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str] | None,
    cookies: httpx.Cookies | None,
) -> httpx.Request:
    """The GET as ``client.build_request`` would build it, without its per-request merging."""
    if not isinstance(client, _Client):
        return client.build_request("GET", url, headers=dict(headers or {}), cookies=cookies)
    merged = client.base_headers
    if headers:
        extra = {k.lower() for k in headers}
        merged = [(k, v) for k, v in merged if k.lower() not in extra] + list(headers.items())
    # A GET has no body: with the (empty) stream given and Host set here, as httpx's own
    # preparation would set it, httpx skips encoding a body and merging default headers.
    parsed = httpx.URL(url)
    request = httpx.Request(
        "GET",
        parsed,
        headers=[("Host", parsed.netloc.decode("ascii")), *merged],
        stream=_NO_BODY,
        extensions=client.timeout_ext,
    )
    if cookies:
        cookies.set_cookie_header(request)
    return request


def _peer_refusal(response: httpx.Response, url: str, settings: Settings) -> str | None:
    """Refuse the address the connection really reached (DNS rebinding), unless proxied."""
    if settings.allow_private or proxy_for(url) is not None:
        return None
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not isinstance(peer, tuple) or not peer:
        return None
    address = parse_ip_literal(str(peer[0]))
    if address is None:
        return None
    return refusal_for_address(address, settings, urlsplit(url).hostname or "")


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    """Lower-cased names, repeated fields joined with ", " (as ``Headers.items()`` gives them,
    read once from the raw list rather than searched field by field)."""
    encoding = headers.encoding
    kept: dict[str, str] = {}
    for name, value in headers.raw:
        key = name.decode(encoding).lower()
        text = value.decode(encoding)
        kept[key] = f"{kept[key]}, {text}" if key in kept else text
    if "set-cookie" in kept:
        # Names only: cookie values can be session secrets and end up in reports and the store.
        names = [c.split("=", 1)[0].strip() for c in headers.get_list("set-cookie")]
        kept["set-cookie"] = "; ".join(n for n in names if n) or "(set)"
    return kept


async def read_capped(
    response: httpx.Response, settings: Settings, body: Body, encoding: str | None = None
) -> Body:
    """Read and inflate ``response`` into ``body`` until the end or a bound is reached
    (``encoding``: its Content-Encoding, when the caller has read it already)."""
    if encoding is None:
        encoding = response.headers.get("content-encoding", "")
    inflater = _Inflater(encoding)
    stream = response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    async for chunk in stream:  # as the transport hands it over: no re-chunking by httpx
        room_raw = settings.max_body_bytes - body.raw_bytes
        if room_raw <= 0:
            body.truncated = True
            break
        chunk = chunk[:room_raw]
        body.raw_bytes += len(chunk)
        room = settings.max_inflated_bytes - body.inflated_bytes
        data, full = inflater.feed(chunk, room)
        body.data += data
        body.inflated_bytes += len(data)
        if full or body.raw_bytes >= settings.max_body_bytes:
            body.truncated = True
            break
    return body


class _Inflater:
    """gzip/deflate inflation bounded per call (``max_length``), multi-member gzip included."""

    def __init__(self, encoding: str) -> None:
        coding = encoding.strip().lower()
        self._active = coding in ("gzip", "x-gzip", "deflate")
        self._wbits = zlib.MAX_WBITS | 32  # gzip or zlib header, detected
        self._raw_deflate = False
        self._d = zlib.decompressobj(self._wbits)

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        """Inflate ``data``; at most ``room`` bytes out; ``True`` when the room ran out."""
        if not self._active:
            return data[: max(room, 0)], len(data) > room
        out = bytearray()
        pending = data
        while pending and len(out) < room:
            try:
                out += self._d.decompress(pending, room - len(out))
            except zlib.error:
                if self._raw_deflate or out:
                    raise
                self._raw_deflate = True  # "deflate" sent without its zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            pending = self._d.unconsumed_tail
            if self._d.eof and self._d.unused_data:
                pending = self._d.unused_data
                self._d = zlib.decompressobj(self._wbits)
        return bytes(out), len(out) >= room and bool(pending or not self._d.eof)
