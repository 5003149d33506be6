"""
Following redirects by hand, so that every hop is recorded and checked by the guard.

A hop is a 301, 302, 303, 307 or 308 with a ``Location`` (resolved against the URL that
answered), or a 2xx HTML page whose ``<meta http-equiv="refresh">`` names a URL.
Revisiting a URL with the same cookies is ``redirect_loop`` (with a cookie set since the
last visit it is a new request: "302 to the same URL with Set-Cookie", and consent walls
that send ``/consent?continue=…`` back, end where a browser ends); more than
``Settings.max_redirects`` hops is ``too_many_redirects``. Per-host extra headers are
computed for each hop's own host and dropped after an https → http downgrade.

Cookies live in one chain's own jar (``chain_jar``): ``http.cookiejar`` applies RFC 6265's
domain, path and secure rules, so a cookie goes back only to the site that set it, and
nothing outlives the chain. A value with CR, LF or NUL is refused (it could never be sent
as a header field).
"""

from __future__ import annotations

import html
import http.cookiejar
import re
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

import anyio
import httpx

from linkaudit.check.client import Fetched, headers_for
from linkaudit.check.guard import needs_dns, refusal
from linkaudit.config import Settings
from linkaudit.models import Redirect
from linkaudit.urls import split_url, url_defect
from linkaudit.verdicts import Reason

__all__ = [
    "REDIRECT_STATUSES",
    "Chain",
    "chain_jar",
    "follow",
    "guard_hop",
    "meta_refresh_target",
    "redirect_target",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Fetch = Callable[[str, Mapping[str, str], httpx.Cookies], Awaitable[Fetched]]
Guard = Callable[[str, Settings], Awaitable[str | None]]

_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_HTTP_EQUIV = re.compile(rb"""http-equiv\s*=\s*["']?\s*refresh""", re.IGNORECASE)
_CONTENT = re.compile(rb"""content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Chain:
    """Where following a URL ended: the last response, every hop, and a failure if any."""

    last: Fetched
    final_url: str
    redirects: tuple[Redirect, ...]
    failure: Reason | None = None
    error: str | None = None


def meta_refresh_target(body: bytes, base: str) -> str | None:
    """The absolute URL a ``<meta http-equiv="refresh">`` in ``body`` points to, if any."""
    for tag in _META.findall(body[:65536]):
        if not _HTTP_EQUIV.search(tag):
            continue
        content = _CONTENT.search(tag)
        if content is None:
            continue
        raw: bytes = next(g for g in content.groups() if g is not None)
        text = html.unescape(raw.decode("utf-8", "replace"))
        match = _REFRESH_URL.match(text)
        target = str(match.group(1)).strip().strip("'\"") if match else ""
        if target:
            return _joined(base, target)
    return None


def _joined(base: str, target: str) -> str:
    """``target`` resolved against ``base``; as written when it cannot be (``http://[::1/``),
    so that ``follow`` reports it as the invalid hop it is instead of raising."""
    try:
        return urljoin(base, target)
    except ValueError:
        return target


def redirect_target(fetched: Fetched) -> tuple[str, str] | None:
    """(next URL, via) when ``fetched`` is a hop: an HTTP redirect or an HTML meta refresh."""
    status = fetched.status
    if status in REDIRECT_STATUSES and fetched.headers.get("location"):
        return _joined(fetched.url, fetched.headers["location"].strip()), "http"
    content_type = fetched.headers.get("content-type", "").lower()
    if status is not None and 200 <= status < 300 and "html" in content_type:
        target = meta_refresh_target(fetched.body, fetched.url)
        # Not urldefrag: it raises on a malformed target (``a://[#``), which follow reports.
        if target is not None and target.partition("#")[0] != fetched.url:
            return target, "meta_refresh"
    return None


async def guard_hop(url: str, settings: Settings) -> str | None:
    """The guard's ``refusal``, in a thread only when it must resolve a name."""
    if needs_dns(url, settings):
        return await anyio.to_thread.run_sync(refusal, url, settings)
    return refusal(url, settings)


_FORBIDDEN_IN_COOKIES = ("\r", "\n", "\0")


class _ChainPolicy(http.cookiejar.DefaultCookiePolicy):
    """RFC 6265's rules as ``http.cookiejar`` keeps them, and no control characters."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        text = f"{cookie.name}{cookie.value or ''}{cookie.path}{cookie.domain}"
        if any(char in text for char in _FORBIDDEN_IN_COOKIES):
            return False
        return bool(super().set_ok(cookie, request))


def chain_jar() -> httpx.Cookies:
    """An empty jar for one redirect chain."""
    return httpx.Cookies(http.cookiejar.CookieJar(policy=_ChainPolicy()))


def _jar_state(jar: httpx.Cookies) -> frozenset[tuple[str, str, str, str | None]]:
    return frozenset((c.domain, c.path, c.name, c.value) for c in jar.jar)


async def follow(url: str, fetch: Fetch, settings: Settings, guard: Guard = guard_hop) -> Chain:
    """Fetch ``url`` and every hop after it, asking ``guard`` before each request."""
    jar = chain_jar()
    seen = {(url, _jar_state(jar))}
    hops: list[Redirect] = []
    current = url
    downgraded = False
    while True:
        refused = await guard(current, settings)
        if refused is not None:
            return _stop(Fetched(url=current), hops, Reason.PRIVATE_ADDRESS, refused)
        extra = {} if downgraded else headers_for(current, settings)
        fetched = await fetch(current, extra, jar)
        hop = None if fetched.failure is not None else redirect_target(fetched)
        if hop is None:
            return Chain(fetched, current, tuple(hops), fetched.failure, fetched.error)
        target, via = hop
        hops.append(Redirect(url=current, status=fetched.status or 0, via=via))
        defect = url_defect(target)
        if defect is not None:
            return _stop(fetched, hops, Reason.PROTOCOL, f"redirect to an invalid URL: {defect}")
        target = urldefrag(target)[0]
        if split_url(target).scheme not in ("http", "https"):
            return _stop(fetched, hops, Reason.PROTOCOL, f"redirect to unsupported URL {target}")
        visit = (target, _jar_state(jar))
        if visit in seen:
            return _stop(fetched, hops, Reason.REDIRECT_LOOP, f"redirect loop back to {target}")
        if len(hops) > settings.max_redirects:
            text = f"more than {settings.max_redirects} redirects"
            return _stop(fetched, hops, Reason.TOO_MANY_REDIRECTS, text)
        downgraded = downgraded or (
            split_url(current).scheme == "https" and split_url(target).scheme == "http"
        )
        seen.add(visit)
        current = target


def _stop(last: Fetched, hops: list[Redirect], failure: Reason, error: str) -> Chain:
    return Chain(last, last.url, tuple(hops), failure, error)
