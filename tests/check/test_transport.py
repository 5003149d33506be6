"""The one send path: httpx over aiohttp's connector, the guard in its resolver, RFC 9110
field values, hostile framing, errors mapped by type, and keep-alive across hosts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from helpers.checking import observe, observe_all
from linkaudit.check.client import fetch_once, make_check_client
from linkaudit.check.failures import failure_of
from linkaudit.check.guard import AddressRefused
from linkaudit.config import Settings
from linkaudit.exceptions import ConfigError
from linkaudit.verdicts import Reason
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

REBIND = "rebind.test"
"""A name the tests resolve themselves (``.test`` is reserved: it never reaches DNS)."""


def _answering(addresses: list[str]) -> Callable[..., Any]:
    """A ``getaddrinfo`` that answers ``REBIND`` with the next address of ``addresses`` (the
    last one again once they run out) and the real answer for anything else."""
    real = socket.getaddrinfo
    answers = list(addresses)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != REBIND:
            return real(host, port, *args, **kwargs)
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]

    return getaddrinfo


def _guarded(test_settings: Settings) -> Settings:
    """The guard on, with 127.0.0.2 standing in for a public address (all traffic stays on
    loopback) and 127.0.0.1 for the private one a rebinding name turns to."""
    return test_settings.replace(
        allow_private=False, allow_networks=("127.0.0.2/32",), soft404=False, retries=0
    )


async def test_a_rebinding_name_never_reaches_the_private_address(
    web: SimWeb, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard's first lookup says "public", the connection's lookup says "private": the
    connection is refused where it is made, and the private server never sees a request."""
    monkeypatch.setattr(socket, "getaddrinfo", _answering(["127.0.0.2", "127.0.0.1"]))
    web.reset_log()
    url = f"http://{REBIND}:{web.ports['http']}/status/200"
    found = await observe(url, _guarded(test_settings))
    assert found.failure is Reason.PRIVATE_ADDRESS
    assert "127.0.0.1" in (found.error or "")
    assert not [e for e in web.requests if REBIND in e.headers.get("host", "")]


async def test_a_name_that_stays_public_is_fetched(
    web: SimWeb, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same name answering the allowed address every time is checked as usual."""
    monkeypatch.setattr(socket, "getaddrinfo", _answering(["127.0.0.2"]))
    web.reset_log()
    url = f"http://{REBIND}:{web.ports['http']}/status/200"
    found = await observe(url, _guarded(test_settings))
    assert found.status == 200
    assert [e.host for e in web.requests if REBIND in e.headers.get("host", "")] == ["127.0.0.2"]


async def test_every_hop_is_resolved_by_the_guard(
    web: SimWeb, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A redirect from an allowed address to the rebinding name stops at the refused hop."""
    monkeypatch.setattr(socket, "getaddrinfo", _answering(["127.0.0.2", "127.0.0.1"]))
    target = f"http://{REBIND}:{web.ports['http']}/status/200"
    web.reset_log()
    found = await observe(web.url(f"/to?url={target}", host="127.0.0.2"), _guarded(test_settings))
    assert found.failure is Reason.PRIVATE_ADDRESS
    assert [e.path for e in web.requests] == ["/to"]


async def test_through_a_proxy_literal_private_addresses_are_still_refused(
    web: SimWeb, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a proxy, the proxy (the operator's choice, on loopback here) is reached, but a
    literal private target is refused before anything is sent to the proxy."""
    monkeypatch.setenv("HTTP_PROXY", web.url("/", host="127.0.0.3"))
    settings = _guarded(test_settings)
    web.reset_log()
    allowed = web.url("/status/200", host="127.0.0.2")
    refused = web.url("/status/200", host="127.0.0.1")
    found = await observe_all([allowed, refused], settings)
    assert found[allowed].status == 200
    assert found[refused].failure is Reason.PRIVATE_ADDRESS
    assert [(e.host, e.target) for e in web.requests] == [("127.0.0.3", allowed)]


@pytest.mark.parametrize(
    ("answer", "failure"),
    [
        (b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok", Reason.PROTOCOL),
        (b"HTTP/1.1 200 OK\r\nX-A: a\rInjected: 1\r\nContent-Length: 2\r\n\r\nok", Reason.PROTOCOL),
        (b"HTTP/1.1 200 OK\r\nX A: b\r\nContent-Length: 2\r\n\r\nok", Reason.PROTOCOL),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", Reason.PROTOCOL),
        (b"HTTP/1.1 200 OK\r\nX-A: " + b"z" * 70_000 + b"\r\n\r\n", Reason.PROTOCOL),
        (b"HTTP/1.1 200 OK\r\n" + b"X-A: z\r\n" * 300 + b"\r\n", Reason.PROTOCOL),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n", None),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: "
            + b"y" * 20_000
            + b"\r\n\r\n",
            None,
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;" + b"x" * 100_000, None),
        (b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", None),
    ],
    ids=[
        "nul-in-value",
        "cr-in-value",
        "space-in-name",
        "conflicting-lengths",
        "huge-head",
        "too-many-fields",
        "bad-chunk-size",
        "huge-trailer",
        "endless-chunk-extension",
        "bare-lf",
    ],
)
async def test_hostile_answers_end_in_a_failure_or_a_bounded_answer(
    web: SimWeb, test_settings: Settings, answer: bytes, failure: Reason | None, unique: str
) -> None:
    """CR, NUL or a bad token in a received field, conflicting lengths and oversized heads
    are refused by the parser (llhttp); broken or oversized chunk framing and trailers end
    the body (kept as far as it was read, marked truncated) or the request, never the run."""

    async def hostile(request: WebRequest) -> None:
        request.writer.write(answer)
        await request.writer.drain()

    web.route(f"/hostile/{unique}", hostile)
    try:
        async with make_check_client(test_settings) as client:
            fetched = await fetch_once(client, web.url(f"/hostile/{unique}"), test_settings)
    finally:
        web.unroute(f"/hostile/{unique}")
    if failure is not None:
        assert fetched.failure is failure
        assert fetched.status is None
    elif answer.startswith(b"HTTP/1.1 200 OK\n"):
        assert (fetched.status, fetched.body, fetched.truncated) == (200, b"ok", False)
    else:
        assert fetched.failure is not None or fetched.truncated
        assert len(fetched.body) <= 2


@pytest.mark.parametrize(
    "change",
    [
        {"user_agent": "linkaudit\r\nX-Injected: 1"},
        {"user_agent": "linkaudit\x00"},
        {"headers": {"*": {"X-Token": "a\nX-Injected: 1"}}},
        {"headers": {"*": {"X-Token\r\nX-Injected": "1"}}},
    ],
)
def test_configured_fields_with_line_breaks_stop_the_run(
    test_settings: Settings, change: dict[str, Any]
) -> None:
    """A user agent or header from a (possibly hostile) config with CR, LF or NUL is a
    one-line configuration error, before any request."""
    with pytest.raises(ConfigError, match=r"CR, LF or NUL|not a valid header name"):
        make_check_client(test_settings.replace(**change))


@pytest.mark.parametrize(
    "extra",
    [{"X-Token": "a\r\nX-Injected: 1"}, {"X-Token": "a\x00"}, {"X-A\nX-Injected": "1"}],
)
async def test_field_values_with_line_breaks_are_never_sent(
    web: SimWeb, test_settings: Settings, extra: dict[str, str]
) -> None:
    """A header or cookie value with CR, LF or NUL (from a redirect's Set-Cookie, say) fails
    that request as ``protocol``; nothing reaches the server."""
    web.reset_log()
    async with make_check_client(test_settings) as client:
        by_header = await fetch_once(client, web.url("/status/200"), test_settings, headers=extra)
        jar = httpx.Cookies()
        jar.set("session", "a\r\nX-Injected: 1", domain="127.0.0.1")
        by_cookie = await fetch_once(client, web.url("/status/200"), test_settings, cookies=jar)
    assert by_header.failure is by_cookie.failure is Reason.PROTOCOL
    assert web.requests == []


async def test_a_set_cookie_with_a_line_break_never_reaches_the_next_hop(
    web: SimWeb, test_settings: Settings, unique: str
) -> None:
    """A Set-Cookie carrying a raw CR is refused by the parser: no hop follows."""

    async def setter(request: WebRequest) -> None:
        request.writer.write(
            b"HTTP/1.1 302 Found\r\nLocation: /status/200\r\n"
            b"Set-Cookie: a=b\rX-Injected: 1\r\nContent-Length: 0\r\n\r\n"
        )
        await request.writer.drain()

    web.route(f"/cookie-cr/{unique}", setter)
    try:
        web.reset_log()
        found = await observe(web.url(f"/cookie-cr/{unique}"), test_settings)
    finally:
        web.unroute(f"/cookie-cr/{unique}")
    assert found.failure is Reason.PROTOCOL
    assert not [e for e in web.requests if "x-injected" in e.headers]


async def test_errors_are_mapped_by_type(web: SimWeb, test_settings: Settings) -> None:
    """Refused connection, hang-up, reset, bad status line, unresolvable name, untrusted
    certificate and slow headers each get their own reason."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    settings = test_settings.replace(timeout=1.0, retries=0, soft404=False)
    urls = {
        f"http://127.0.0.1:{closed_port}/": Reason.CONNECTION,
        web.url("/close"): Reason.CONNECTION,
        web.url("/reset"): Reason.CONNECTION,
        web.url("/malformed"): Reason.PROTOCOL,
        "http://no-such-host.invalid/": Reason.DNS,
        web.untrusted_url("/status/200"): Reason.TLS,
        web.url("/slow-headers"): Reason.TIMEOUT,
    }
    found = await observe_all(urls, settings)
    assert {u: found[u].failure for u in urls} == urls


def test_a_refusal_keeps_its_own_words() -> None:
    """The guard's refusal decides the reason and the line, under any wrapper."""
    try:
        try:
            raise AddressRefused("rebind.test → 127.0.0.1 is a loopback address")
        except AddressRefused as exc:
            raise httpx.ConnectError("could not connect") from exc
    except httpx.ConnectError as wrapped:
        assert failure_of(wrapped) == (
            Reason.PRIVATE_ADDRESS,
            "rebind.test → 127.0.0.1 is a loopback address",
        )


async def test_connections_are_kept_alive_per_host(web: SimWeb, test_settings: Settings) -> None:
    """Many URLs over a few hosts open no more connections than the per-host limits need."""
    ports: dict[str, set[int]] = {}

    async def page(request: WebRequest) -> Reply:
        peer = request.writer.get_extra_info("peername")
        ports.setdefault(request.host, set()).add(peer[1])
        await asyncio.sleep(0.005)
        return Reply(200, "<title>kept</title>")

    web.route("/kept/*", page)
    hosts = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
    urls = [web.url(f"/kept/{i}", host=h) for i in range(20) for h in hosts]
    settings = test_settings.replace(max_per_host=2, max_concurrency=6, soft404=False)
    try:
        found = await observe_all(urls, settings)
    finally:
        web.unroute("/kept/*")
    assert all(found[u].status == 200 for u in urls)
    assert sorted(ports) == sorted(hosts)
    assert all(1 <= len(opened) <= 2 for opened in ports.values())


async def test_the_url_goes_out_as_written(web: SimWeb, test_settings: Settings) -> None:
    """Percent-escapes of reserved characters are not decoded on the way out (yarl would
    send ``%40`` as ``@`` and ``%2F`` in a query as ``/``): the URL checked is the URL cited."""
    target = "/status/200?mailto=editor%40example.org&filter=updates%3A10.5555%2Fx&q=a+b"
    web.reset_log()
    async with make_check_client(test_settings) as client:
        fetched = await fetch_once(client, web.url(target), test_settings)
    assert fetched.status == 200
    assert [e.target for e in web.requests] == [target]
