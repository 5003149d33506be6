"""Every hostile server ends within its timeout with the right observation."""

from __future__ import annotations

import pytest

from helpers.checking import observe, observe_all
from linkaudit.check.client import Body, make_check_client, read_capped
from linkaudit.config import Settings
from linkaudit.verdicts import Reason
from web import SimWeb

pytestmark = pytest.mark.anyio


async def test_statuses_are_measured(web: SimWeb, test_settings: Settings) -> None:
    """Statuses come back as sent, 999 and 403 challenges included, with headers."""
    urls = [web.url(p) for p in ("/status/404", "/status/410", "/status/999", "/cf-challenge")]
    found = await observe_all(urls, test_settings)
    assert [found[u].status for u in urls] == [404, 410, 999, 403]
    challenge = found[urls[3]]
    assert challenge.headers["cf-mitigated"] == "challenge"
    assert challenge.title == "Just a moment..."
    assert all(o.failure is None and o.checked_at is not None for o in found.values())


async def test_slow_headers_time_out(web: SimWeb, test_settings: Settings) -> None:
    """Headers that never come end as a timeout after the retries."""
    settings = test_settings.replace(timeout=0.5, retries=1)
    found = await observe(web.url("/slow-headers"), settings)
    assert found.failure is Reason.TIMEOUT
    assert found.attempts == 2


async def test_trickle_is_cut_at_the_deadline(web: SimWeb, test_settings: Settings) -> None:
    """A 200 whose body trickles forever keeps its status and is marked truncated."""
    found = await observe(web.url("/trickle"), test_settings.replace(timeout=0.5, soft404=False))
    assert found.status == 200
    assert found.truncated
    assert "deadline" in (found.error or "")


async def test_gzip_bomb_costs_only_the_bound(web: SimWeb, test_settings: Settings) -> None:
    """Reading the bomb stops at max_inflated_bytes, having read little from the wire."""
    settings = test_settings.replace(max_inflated_bytes=1_000_000, max_body_bytes=2_000_000)
    async with (
        make_check_client(settings) as client,
        client.stream("GET", web.url("/bomb")) as response,
    ):
        body = await read_capped(response, settings, Body())
    assert body.truncated
    assert body.inflated_bytes <= settings.max_inflated_bytes
    assert len(body.data) <= settings.max_inflated_bytes
    assert body.raw_bytes < 100_000  # ~1 KB of gzip per MiB of zeros
    found = await observe(web.url("/bomb"), settings.replace(soft404=False))
    assert found.status == 200 and found.truncated and len(found.body) <= 64 * 1024


async def test_large_body_is_capped(web: SimWeb, test_settings: Settings) -> None:
    """A body larger than max_body_bytes is read up to the cap only."""
    settings = test_settings.replace(max_body_bytes=100_000)
    async with (
        make_check_client(settings) as client,
        client.stream("GET", web.url("/big")) as response,
    ):
        body = await read_capped(response, settings, Body())
    assert body.truncated and body.raw_bytes == 100_000


async def test_gzip_page_is_inflated(web: SimWeb, test_settings: Settings) -> None:
    """An ordinary gzip page is inflated and its anchors found."""
    found = await observe(web.url("/gzip#legacy"), test_settings)
    assert found.title == "A page with anchors"
    assert found.fragment == "legacy" and found.fragment_found is True


@pytest.mark.parametrize(
    ("path", "failure"),
    [
        ("/malformed", Reason.PROTOCOL),
        ("/close", Reason.CONNECTION),
        ("/reset", Reason.CONNECTION),
    ],
)
async def test_broken_connections(
    web: SimWeb, test_settings: Settings, path: str, failure: Reason
) -> None:
    """A bad status line is protocol; a hang-up or a reset is connection."""
    found = await observe(web.url(path), test_settings)
    assert found.status is None
    assert found.failure is failure
    assert found.error


async def test_redirect_loop(web: SimWeb, test_settings: Settings) -> None:
    """A loop is detected with its hops recorded."""
    found = await observe(web.url("/loop/a"), test_settings)
    assert found.failure is Reason.REDIRECT_LOOP
    assert [r.url for r in found.redirects] == [web.url("/loop/a"), web.url("/loop/b")]


async def test_long_chain_is_too_many_redirects(web: SimWeb, test_settings: Settings) -> None:
    """25 hops exceed the default 20; exactly 20 are followed."""
    found = await observe_all([web.url("/chain/25"), web.url("/chain/20")], test_settings)
    assert found[web.url("/chain/25")].failure is Reason.TOO_MANY_REDIRECTS
    assert len(found[web.url("/chain/25")].redirects) == 21
    ok = found[web.url("/chain/20")]
    assert ok.status == 200 and len(ok.redirects) == 20 and ok.final_url == web.url("/chain/0")


@pytest.mark.parametrize("code", [301, 302, 307, 308])
async def test_redirect_chain_recorded(web: SimWeb, test_settings: Settings, code: int) -> None:
    """Every hop is recorded with its status; relative Locations are resolved."""
    found = await observe(web.url(f"/redirect/{code}/2"), test_settings)
    assert found.status == 200
    assert [(r.url, r.status) for r in found.redirects] == [
        (web.url(f"/redirect/{code}/2"), code),
        (web.url(f"/redirect/{code}/1"), code),
    ]
    assert found.final_url == web.url(f"/redirect/{code}/0")


async def test_meta_refresh_is_a_hop(web: SimWeb, test_settings: Settings) -> None:
    """A meta refresh counts as a hop carried by a 200."""
    found = await observe(web.url("/meta-refresh"), test_settings)
    assert [(r.status, r.via) for r in found.redirects] == [(200, "meta_refresh")]
    assert found.final_url == web.url("/page")


async def test_login_redirect_is_recorded(web: SimWeb, test_settings: Settings) -> None:
    """A redirect to a login page is measured (classify names it)."""
    found = await observe(web.url("/private/report"), test_settings)
    assert found.final_url == web.url("/login?next=/private/report")
    assert found.title == "Sign in"


async def test_retry_after_then_success(web: SimWeb, test_settings: Settings, unique: str) -> None:
    """A 429 with Retry-After: 1 succeeds on the third attempt."""
    found = await observe(web.url(f"/retry-after?key={unique}"), test_settings.replace(retries=2))
    assert found.status == 200 and found.attempts == 3
    hits = [e for e in web.requests if e.target == f"/retry-after?key={unique}"]
    assert len(hits) == 3
    assert hits[1].time - hits[0].time >= 0.9  # Retry-After honoured (an ordering, not a speed)


async def test_flaky_503_then_success(web: SimWeb, test_settings: Settings, unique: str) -> None:
    """A 503 twice then 200 is a 200 after three attempts; with fewer retries it stays 503."""
    found = await observe(web.url(f"/flaky503?key={unique}"), test_settings.replace(retries=2))
    assert found.status == 200 and found.attempts == 3
    other = await observe(web.url(f"/flaky503?key={unique}-b"), test_settings.replace(retries=1))
    assert other.status == 503 and other.attempts == 2


async def test_user_agent_names_linkaudit(web: SimWeb, test_settings: Settings) -> None:
    """linkaudit's own User-Agent is not taken for a library; a library's is blocked."""
    own = await observe(web.url("/ua-block"), test_settings)
    assert own.status == 200
    assert web.requests[-1].headers["user-agent"].startswith("linkaudit/")
    library = await observe(web.url("/ua-block"), test_settings.replace(user_agent="curl/8.0"))
    assert library.status == 403


async def test_head_lies_get_is_used(web: SimWeb, test_settings: Settings) -> None:
    """linkaudit uses GET, so a server that lies to HEAD does not fool it."""
    web.reset_log()
    found = await observe(web.url("/head-lies"), test_settings.replace(soft404=False))
    assert found.status == 200
    assert {e.method for e in web.requests} == {"GET"}


async def test_soft404_probe(web: SimWeb, test_settings: Settings) -> None:
    """A 200-for-everything site scores high; a real article next to real 404s is not
    compared at all (a probe that got a 404 is no evidence of likeness)."""
    soft, real = web.url("/soft/gone"), web.url("/articles/real")
    found = await observe_all([soft, real], test_settings)
    assert found[soft].probe_status == 200 and (found[soft].probe_similarity or 0) > 0.9
    assert found[real].probe_status == 404 and found[real].probe_similarity is None


async def test_fragments(web: SimWeb, test_settings: Settings) -> None:
    """Present, GitHub-prefixed and missing fragments."""
    urls = [web.url("/page#intro"), web.url("/page#readme"), web.url("/page#nowhere")]
    found = await observe_all(urls, test_settings)
    assert [found[u].fragment_found for u in urls] == [True, True, False]


async def test_https_trusted_and_untrusted(
    web: SimWeb, test_settings: Settings, web_ca: str
) -> None:
    """A certificate from the trusted CA works; one from an unknown CA is tls."""
    good = await observe(web.https_url("/page"), test_settings)
    assert good.status == 200
    bad = await observe(web.untrusted_url("/page"), test_settings)
    assert bad.failure is Reason.TLS and bad.attempts == 1


async def test_unresolvable_name_is_dns(test_settings: Settings) -> None:
    """A name under .invalid never resolves."""
    found = await observe("http://no-such-host.invalid/", test_settings)
    assert found.failure is Reason.DNS and found.attempts == 1
