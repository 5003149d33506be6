"""Cookies within a chain, trivial redirects, transient statuses and TLS deadlines, on real
local servers: each rule with a link that must stay alive and one that must be found dead."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator

import pytest

from helpers.checking import observe, observe_all
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.models import Observation
from linkaudit.verdicts import Reason, Verdict
from web import Handler, Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio


def verdict(observation: Observation, settings: Settings) -> tuple[Verdict, str | None]:
    result = classify(observation, (), settings)
    return result.verdict, result.reason


@contextlib.contextmanager
def routes(web: SimWeb, table: dict[str, Handler]) -> Iterator[str]:
    """Serve ``table`` (path suffix → handler) under a fresh prefix; yield the prefix."""
    prefix = "/t-" + uuid.uuid4().hex[:8]
    for path, handler in table.items():
        web.route(prefix + path, handler)
    try:
        yield prefix
    finally:
        for path in table:
            web.unroute(prefix + path)


# --- cookies within a redirect chain ------------------------------------------------------


async def test_same_url_redirect_with_set_cookie_is_ok(
    web: SimWeb, test_settings: Settings
) -> None:
    """A 302 back to the same URL with Set-Cookie ends at the page (a browser's result);
    one that never sets a cookie is still a loop."""

    async def gate(request: WebRequest) -> Reply:
        if "visited=1" in request.headers.get("cookie", ""):
            return Reply(200, "<title>Report</title><p>The annual report, in full.</p>")
        return Reply(302, headers={"location": request.target, "set-cookie": "visited=1; Path=/"})

    async def endless(request: WebRequest) -> Reply:
        return Reply(302, headers={"location": request.target})

    with routes(web, {"/gate": gate, "/endless": endless}) as p:
        alive, dead = web.url(p + "/gate"), web.url(p + "/endless")
        found = await observe_all([alive, dead], test_settings)
    assert verdict(found[alive], test_settings) == (Verdict.OK, None)
    assert found[alive].status == 200 and len(found[alive].redirects) == 1
    assert verdict(found[dead], test_settings) == (Verdict.DEAD, Reason.REDIRECT_LOOP)


async def test_consent_round_trip_is_ok(web: SimWeb, test_settings: Settings) -> None:
    """``/article`` → ``/consent?continue=/article`` (sets the consent cookie) → ``/article``;
    a consent page that never sets its cookie sends the reader round for ever: dead."""

    def article(prefix: str, cookie: bool) -> tuple[Handler, Handler]:
        async def page(request: WebRequest) -> Reply:
            if "consent=yes" in request.headers.get("cookie", ""):
                return Reply(200, "<title>Article</title><p>Long article text here.</p>")
            return Reply(302, headers={"location": f"{prefix}/consent?continue={request.path}"})

        async def consent(request: WebRequest) -> Reply:
            headers = {"location": request.query["continue"]}
            if cookie:
                headers["set-cookie"] = "consent=yes; Path=/; SameSite=Lax"
            return Reply(302, headers=headers)

        return page, consent

    p1 = "/t-" + uuid.uuid4().hex[:8]
    p2 = "/t-" + uuid.uuid4().hex[:8]
    page1, consent1 = article(p1, cookie=True)
    page2, consent2 = article(p2, cookie=False)
    for path, handler in {
        p1 + "/article": page1,
        p1 + "/consent": consent1,
        p2 + "/article": page2,
        p2 + "/consent": consent2,
    }.items():
        web.route(path, handler)
    try:
        alive, dead = web.url(p1 + "/article"), web.url(p2 + "/article")
        found = await observe_all([alive, dead], test_settings)
    finally:
        for path in (p1 + "/article", p1 + "/consent", p2 + "/article", p2 + "/consent"):
            web.unroute(path)
    assert verdict(found[alive], test_settings) == (Verdict.OK, None)
    assert verdict(found[dead], test_settings) == (Verdict.DEAD, Reason.REDIRECT_LOOP)


async def test_cookie_rules_domain_path_secure(web: SimWeb, test_settings: Settings) -> None:
    """RFC 6265 as http.cookiejar applies it: a Secure cookie is not sent over http, a
    cookie for another domain is refused, a cookie for another path stays on its path, and
    an answer whose cookie holds a NUL byte is refused whole."""
    seen: dict[str, str] = {}

    async def setter(request: WebRequest) -> Reply:
        target = web.url(request.path.replace("/set", "/next"), host="127.0.0.2")
        # One Set-Cookie per response on this server: the kind is chosen by the query.
        kind = request.query["kind"]
        cookie = {
            "secure": "s=1; Path=/; Secure",
            "domain": "d=1; Path=/; Domain=127.0.0.3",
            "path": "p=1; Path=/elsewhere",
            "nul": "n=a\0b; Path=/",
            "plain": "ok=1; Path=/",
        }[kind]
        return Reply(302, headers={"location": f"{target}?kind={kind}", "set-cookie": cookie})

    async def following(request: WebRequest) -> Reply:
        seen[request.query["kind"]] = request.headers.get("cookie", "")
        return Reply(200, "<title>Next</title><p>arrived</p>")

    with routes(web, {"/set": setter, "/next": following}) as p:
        settings = test_settings.replace(soft404=False)
        urls = [web.https_url(p + "/set?kind=secure", host="127.0.0.2")]
        urls += [web.url(f"{p}/set?kind={k}", host="127.0.0.2") for k in ("domain", "path", "nul")]
        urls.append(web.url(p + "/set?kind=plain", host="127.0.0.2"))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SSL_CERT_FILE", web.ca_file)
            found = await observe_all(urls, settings)
    nul = web.url(f"{p}/set?kind=nul", host="127.0.0.2")
    # A NUL in a received field fails the answer itself (RFC 9110 §5.5, llhttp): no next hop.
    assert found[nul].failure is Reason.PROTOCOL
    assert all(o.status == 200 for u, o in found.items() if u != nul), found
    assert seen == {"secure": "", "domain": "", "path": "", "plain": "ok=1"}


# --- trivial redirects ----------------------------------------------------------------------


async def test_case_and_escape_redirects_are_trivial(web: SimWeb, test_settings: Settings) -> None:
    """Only the path's letter case or its percent-escapes' case changed: ok. A moved page
    is still ``redirected``."""

    async def lower(request: WebRequest) -> Reply:
        if request.path != request.path.lower():
            return Reply(301, headers={"location": request.path.lower()})
        if not request.path.endswith("/annual-report"):
            return Reply(404, "<title>Not here</title>")
        return Reply(200, "<title>Doc</title><p>" + request.path + " content</p>")

    async def escapes(request: WebRequest) -> Reply:
        if "%7e" in request.target:
            return Reply(301, headers={"location": request.target.replace("%7e", "~")})
        if request.path.endswith("/~user"):
            return Reply(200, "<title>Home of a user</title><p>user page</p>")
        return Reply(404, "<title>Not here</title>")

    async def moved(request: WebRequest) -> Reply:
        return Reply(301, headers={"location": "/status/200"})

    with routes(web, {"/case/*": lower, "/esc/*": escapes, "/moved": moved}) as p:
        case, escape = web.url(p + "/case/Annual-Report"), web.url(p + "/esc/%7euser")
        gone = web.url(p + "/moved")
        found = await observe_all([case, escape, gone], test_settings)
    assert verdict(found[case], test_settings) == (Verdict.OK, None)
    assert verdict(found[escape], test_settings) == (Verdict.OK, None)
    assert verdict(found[gone], test_settings) == (Verdict.REDIRECTED, Reason.REDIRECT_PERMANENT)


# --- transient statuses and TLS deadlines -----------------------------------------------------


@pytest.mark.parametrize("code", [520, 521, 522, 523, 524, 525, 526, 527, 530])
async def test_cloudflare_origin_errors_are_retried(
    web: SimWeb, test_settings: Settings, code: int
) -> None:
    """A CDN's origin error that clears is retried to an ok; one that persists is unreachable
    after the retries, never dead."""
    key = uuid.uuid4().hex

    async def flaky(request: WebRequest) -> Reply:
        if request.path.endswith("/clears") and request.count >= 2:
            return Reply(200, "<title>Back</title><p>origin is back</p>")
        return Reply(code, "<title>Origin error</title>", reason="Origin Error")

    with routes(web, {"/clears": flaky, "/stays": flaky}) as p:
        alive, down = web.url(f"{p}/clears?k={key}"), web.url(f"{p}/stays?k={key}")
        found = await observe_all([alive, down], test_settings.replace(soft404=False))
    assert verdict(found[alive], test_settings) == (Verdict.OK, None)
    assert found[alive].attempts == 2
    assert verdict(found[down], test_settings) == (Verdict.UNREACHABLE, f"http_{code}")
    assert found[down].attempts == 2


@contextlib.contextmanager
def silent_tls_port(answer: bytes | None = None) -> Iterator[int]:
    """A port that accepts TCP connections and never answers the TLS ClientHello (or
    answers it with ``answer``, plain bytes)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn = listener.accept()[0]
                held.append(conn)
                if answer is not None:
                    conn.settimeout(2)
                    conn.recv(4096)
                    conn.sendall(answer)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


async def test_tls_handshake_timeout_is_timeout_not_tls(
    web: SimWeb, test_settings: Settings
) -> None:
    """A handshake that never completes is ``timeout`` (retry later); an untrusted
    certificate is ``tls`` (a real certificate problem)."""
    settings = test_settings.replace(timeout=0.6, connect_timeout=0.3, retries=0)
    with silent_tls_port() as port:
        silent = f"https://127.0.0.1:{port}/report"
        checked = observe_all([silent, web.untrusted_url("/page")], settings)
        found = await asyncio.wait_for(checked, 10)
    assert verdict(found[silent], settings) == (Verdict.UNREACHABLE, Reason.TIMEOUT)
    assert verdict(found[web.untrusted_url("/page")], settings) == (Verdict.UNREACHABLE, Reason.TLS)


async def test_plain_http_on_an_https_url_is_tls(web: SimWeb, test_settings: Settings) -> None:
    """A server that answers a ClientHello with plain HTTP: a protocol failure, ``tls``."""
    plain = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"
    with silent_tls_port(plain) as port:
        url = f"https://127.0.0.1:{port}/page"
        found = await observe(url, test_settings.replace(retries=0))
    assert verdict(found, test_settings) == (Verdict.UNREACHABLE, Reason.TLS)


async def test_failures_through_httpx_default_transport(web: SimWeb) -> None:
    """The same two answers through httpx's own transport (anyio's TLS stream leaves an
    ``SSLWantReadError`` behind a handshake cut off by its deadline): timeout, and tls."""
    import httpx

    from linkaudit.check.failures import failure_of

    async def reason_of(url: str) -> Reason:
        async with httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as client:
            with pytest.raises(httpx.HTTPError) as caught:
                await client.get(url)
        return failure_of(caught.value)[0]

    with silent_tls_port() as port:
        assert await reason_of(f"https://127.0.0.1:{port}/") is Reason.TIMEOUT
    assert await reason_of(web.untrusted_url("/page")) is Reason.TLS
