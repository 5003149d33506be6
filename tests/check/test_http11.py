"""The checker's own HTTP/1.1 pool (``check.http11``) against real local servers."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from linkaudit.check.client import fetch_once, make_client
from linkaudit.check.http11 import MAX_HEAD_BYTES, OriginPool, parse_head
from linkaudit.check.transport import OriginRouter
from linkaudit.config import Settings
from linkaudit.verdicts import Reason
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio


# ----------------------------------------------------------------------------- pure parsing


def test_head_with_bare_line_ends_folding_and_no_reason() -> None:
    head = parse_head(b"HTTP/1.1 200\nContent-Type: text/html\nX-Long: a\n  b\r")
    assert (head.version, head.status, head.reason) == (b"HTTP/1.1", 200, b"")
    assert head.headers == [(b"Content-Type", b"text/html"), (b"X-Long", b"a b")]


@pytest.mark.parametrize(
    "block",
    [b"HTTP/1.1 TWO-HUNDRED Okay", b"ICY 200 OK", b"HTTP/1.1 200 OK\r\nno colon here"],
)
def test_malformed_heads_are_protocol_errors(block: bytes) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        parse_head(block)


# ----------------------------------------------------------------------------- over sockets


def _raw(payload: bytes):  # type: ignore[no-untyped-def]
    async def handler(request: WebRequest) -> None:
        request.writer.write(payload)
        await request.writer.drain()

    return handler


async def _get(web: SimWeb, path: str, payload: bytes, settings: Settings) -> object:
    web.route(path, _raw(payload))
    try:
        async with make_client(settings) as client:
            return await fetch_once(client, web.url(path), settings)
    finally:
        web.unroute(path)


async def test_chunked_body_with_extensions_and_trailers(
    web: SimWeb, test_settings: Settings
) -> None:
    payload = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n"
        b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: yes\r\n\r\n"
    )
    fetched = await _get(web, "/raw-chunked", payload, test_settings)
    assert fetched.status == 200  # type: ignore[attr-defined]
    assert fetched.body == b"hello, world"  # type: ignore[attr-defined]
    assert not fetched.truncated  # type: ignore[attr-defined]


async def test_informational_responses_are_skipped(web: SimWeb, test_settings: Settings) -> None:
    payload = (
        b"HTTP/1.1 103 Early Hints\r\nlink: </s.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
    )
    fetched = await _get(web, "/raw-103", payload, test_settings)
    assert (fetched.status, fetched.body) == (200, b"ok")  # type: ignore[attr-defined]


async def test_body_until_close_without_length(web: SimWeb, test_settings: Settings) -> None:
    payload = b"HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\n" + b"x" * 70_000
    fetched = await _get(web, "/raw-close", payload, test_settings)
    assert fetched.body == b"x" * 70_000  # type: ignore[attr-defined]


async def test_short_body_is_reported_not_raised(web: SimWeb, test_settings: Settings) -> None:
    payload = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this"
    fetched = await _get(web, "/raw-short", payload, test_settings)
    assert fetched.status == 200  # type: ignore[attr-defined]
    assert fetched.truncated  # type: ignore[attr-defined]
    assert "complete message body" in (fetched.error or "")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/raw-two-lengths", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n"),
        ("/raw-bad-chunk", b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nok\r\n"),
        ("/raw-huge-head", b"HTTP/1.1 200 OK\r\n" + b"x-pad: " + b"p" * MAX_HEAD_BYTES + b"\r\n"),
    ],
)
async def test_framing_errors_are_protocol_failures(
    web: SimWeb, test_settings: Settings, path: str, payload: bytes
) -> None:
    fetched = await _get(web, path, payload, test_settings.replace(retries=0))
    if fetched.status is None:  # type: ignore[attr-defined]
        assert fetched.failure is Reason.PROTOCOL  # type: ignore[attr-defined]
    else:  # the head was fine, the body framing was not: a body read error, kept as truncated
        assert fetched.truncated  # type: ignore[attr-defined]


async def test_closed_before_answering_is_a_connection_failure(
    web: SimWeb, test_settings: Settings
) -> None:
    async with make_client(test_settings) as client:
        fetched = await fetch_once(client, web.url("/close"), test_settings)
    assert (fetched.status, fetched.failure) == (None, Reason.CONNECTION)


async def test_keep_alive_reuses_one_connection(web: SimWeb, test_settings: Settings) -> None:
    """Two requests in a row travel on one socket (the server sees one client port)."""
    ports: list[int] = []

    async def record(request: WebRequest) -> Reply:
        ports.append(request.writer.get_extra_info("peername")[1])
        return Reply(200, "<title>x</title>")

    web.route("/port/*", record)
    try:
        async with make_client(test_settings) as client:
            for n in range(3):
                fetched = await fetch_once(client, web.url(f"/port/{n}"), test_settings)
                assert fetched.status == 200
            router = client._transport
            assert isinstance(router, OriginRouter)
            (pool,) = router._pools.values()
            assert isinstance(pool, OriginPool)
            assert pool.connections == 1
    finally:
        web.unroute("/port/*")
    assert len(ports) == 3 and len(set(ports)) == 1


async def test_a_body_closed_early_closes_its_connection(
    web: SimWeb, test_settings: Settings
) -> None:
    """A truncated read must not leave half a body on a socket the next request reuses."""
    settings = test_settings.replace(max_body_bytes=1000)
    async with make_client(settings) as client:
        first = await fetch_once(client, web.url("/big"), settings)
        second = await fetch_once(client, web.url("/status/204"), settings)
    assert first.truncated
    assert second.status == 204


async def test_pool_never_opens_more_than_its_limit(web: SimWeb) -> None:
    """Ten concurrent requests through a pool of two: two sockets, everyone served."""
    ports: set[int] = set()

    async def slow(request: WebRequest) -> Reply:
        ports.add(request.writer.get_extra_info("peername")[1])
        await asyncio.sleep(0.02)
        return Reply(200, "ok")

    web.route("/pooled/*", slow)
    pool = OriginPool(ssl.create_default_context(), max_connections=2)
    try:
        async with httpx.AsyncClient(transport=pool) as client:
            answers = await asyncio.gather(
                *(client.get(web.url(f"/pooled/{n}")) for n in range(10))
            )
    finally:
        web.unroute("/pooled/*")
    assert [a.status_code for a in answers] == [200] * 10
    assert len(ports) == 2


async def test_tls_with_the_trusted_ca_and_an_untrusted_one(
    web: SimWeb, web_ca: str, test_settings: Settings
) -> None:
    async with make_client(test_settings) as client:
        good = await fetch_once(client, web.https_url("/status/200"), test_settings)
        bad = await fetch_once(client, web.untrusted_url("/status/200"), test_settings)
    assert good.status == 200
    assert (bad.status, bad.failure) == (None, Reason.TLS)


async def test_the_peer_address_is_offered_to_the_guard(web: SimWeb) -> None:
    pool = OriginPool(ssl.create_default_context(), max_connections=1)
    async with httpx.AsyncClient(transport=pool) as client:
        response = await client.get(web.url("/status/200"))
        stream = response.extensions["network_stream"]
        assert stream.get_extra_info("server_addr")[0] == "127.0.0.1"


async def test_a_stale_kept_alive_connection_is_retried_once_on_a_new_one(
    web: SimWeb, test_settings: Settings
) -> None:
    """The server hangs up on a reused connection without answering (its keep-alive ran
    out as the request went out): the GET goes again on a new connection, not as a
    failure, and without spending one of the retries (there are none here)."""
    settings = test_settings.replace(retries=0)

    async def hang_up_first(request: WebRequest) -> Reply | None:
        return None if request.count == 1 else Reply(200, "<title>fine</title>")

    web.route("/stale-once", hang_up_first)
    web.reset_log()
    try:
        async with make_client(settings) as client:
            warm = await fetch_once(client, web.url("/status/200"), settings)
            fetched = await fetch_once(client, web.url("/stale-once"), settings)
    finally:
        web.unroute("/stale-once")
    assert warm.status == 200
    assert (fetched.status, fetched.failure) == (200, None)
    assert [e.path for e in web.requests].count("/stale-once") == 2


async def test_a_fresh_connection_that_hangs_up_is_not_retried(
    web: SimWeb, test_settings: Settings
) -> None:
    settings = test_settings.replace(retries=0)
    web.reset_log()
    async with make_client(settings) as client:
        fetched = await fetch_once(client, web.url("/close"), settings)
    assert fetched.failure is Reason.CONNECTION
    assert [e.path for e in web.requests].count("/close") == 1


async def test_a_waiter_cancelled_after_its_wake_up_passes_the_turn_on(web: SimWeb) -> None:
    """Pool of one: B and C wait; the connection frees up and wakes B, which is cancelled
    before it runs. C must get the connection, not wait forever."""
    pool = OriginPool(ssl.create_default_context(), max_connections=1)
    holder = await pool.handle_async_request(httpx.Request("GET", web.url("/status/200")))
    b = asyncio.create_task(pool.handle_async_request(httpx.Request("GET", web.url("/page"))))
    c = asyncio.create_task(pool.handle_async_request(httpx.Request("GET", web.url("/page"))))
    await asyncio.sleep(0.05)
    assert not b.done() and not c.done()
    await holder.aclose()  # frees the connection and wakes b, synchronously
    b.cancel()
    answer = await asyncio.wait_for(c, 5)
    assert answer.status_code == 200
    await answer.aclose()
    await pool.aclose()
    assert b.cancelled()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/doc/1?x=1#f",
        "https://example.org/a b",
        "http://bücher.example/x",
        "http://[::1]:80/x",
        "https://example.org:443/",
    ],
)
def test_the_checkers_get_is_what_build_request_makes(url: str, test_settings: Settings) -> None:
    """The prepared GET (``client._request``) carries what httpx's own ``build_request``
    would: the same URL and the same header fields in the same order, Host first."""
    from linkaudit.check.client import _request

    client = make_client(test_settings)
    ours = _request(client, url, {"X-Extra": "1"}, None)
    theirs = client.build_request("GET", url, headers={"X-Extra": "1"})
    assert ours.url == theirs.url
    assert ours.headers.raw == theirs.headers.raw
    assert ours.method == "GET" and not ours.read()


_URL_PIECES = st.sampled_from(
    ["http://", "https://", "HTTP://", "a", "Z", "0", "7", "255", "256", "01", ".", "..",
     "-", ":", ":80", ":443", ":8080", ":0", ":99999", "/", "//", "/./", "/../", "?", "&",
     "=", "%", "%2F", "%zz", "~", "!", "$", "'", "(", "*", "+", ",", ";", "@", "#", " ",
     "[", "]", "é", "ü", "\\", "^", "|", "{", "\"", "127.0.0.1", "1.2.3.4", "example.org",
     "EXAMPLE.org", "xn--bcher-kva.example", "p", "q=1"]
)  # fmt: skip


@hsettings(max_examples=400, deadline=None, derandomize=True)
@given(
    scheme=st.sampled_from(["http://", "https://"]),
    rest=st.lists(_URL_PIECES, min_size=1, max_size=8).map("".join),
    extra=st.sampled_from(
        [None, {"X-Extra": "1"}, {"user-agent": "other"}, {"Connection": "close"}]
    ),
)
def test_a_plain_get_is_byte_for_byte_what_httpx_sends(
    scheme: str, rest: str, extra: dict[str, str] | None
) -> None:
    """``plain_get`` skips httpx.URL and httpx.Request for plain URLs: when it takes a URL,
    its bytes, origin and Connection: close are exactly what the httpx path would send."""
    from linkaudit.check.client import _header_block, _merged, _request, plain_get
    from linkaudit.check.http11 import _serialise

    client = make_client(Settings())
    url = scheme + rest
    block = _header_block(_merged(client.base_headers, extra))  # type: ignore[attr-defined]
    plain = plain_get(url, block)
    if plain is None:
        return
    try:
        request = _request(client, url, extra, None)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:  # pragma: no cover
        raise AssertionError(f"plain_get took {url!r}, which httpx refuses: {exc}") from exc
    data, close = asyncio.run(_serialise(request, b"GET"))
    scheme_name, host, port, ours, ours_close = plain
    assert ours == data
    assert ours_close == close
    assert (scheme_name.encode(), host.encode(), port) == (
        request.url.raw_scheme,
        request.url.raw_host,
        request.url.port,
    )


def test_plain_gets_cover_the_urls_documents_cite() -> None:
    from linkaudit.check.client import plain_get

    block = make_client(Settings()).header_block  # type: ignore[attr-defined]
    for url in (
        "https://www.congress.gov/bill/117th-congress/house-bill/4346/text",
        "http://127.1.0.2:40123/doc/17?page=2&sort=asc",
        "https://example.org/a%20b/c;v=1",
        "https://EXAMPLE.org:443/",
    ):
        assert plain_get(url, block) is not None, url
    for url in ("https://example.org/a b", "http://bücher.example/", "http://[::1]/x",
                "https://example.org/a/../b", "http://999.1.1.1/", "http://h:0/"):  # fmt: skip
        assert plain_get(url, block) is None, url
