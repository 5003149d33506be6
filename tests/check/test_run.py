"""The run as a whole: politeness, request counting, the guard on every hop, local files."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.checking import observe, observe_all
from linkaudit.check import CheckRequest, check_urls, network_available
from linkaudit.config import Settings
from linkaudit.verdicts import Reason
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio


async def _slow_page(request: WebRequest) -> Reply:
    await asyncio.sleep(0.05)
    return Reply(200, "<title>slow</title>" + request.path)


async def test_each_url_once_and_per_host_limit(web: SimWeb, test_settings: Settings) -> None:
    """Distinct URLs are fetched once (plus one probe per parent path); in-flight ≤ max_per_host."""
    web.route("/polite/*", _slow_page)
    try:
        hosts = ("127.0.0.2", "127.0.0.3")
        urls = [web.url(f"/polite/{d}/{i}", host=h) for h in hosts for d in "ab" for i in range(6)]
        settings = test_settings.replace(max_per_host=2, max_concurrency=16)
        web.reset_log()
        found = await observe_all(urls, settings)
        log = [e for e in web.requests if e.path.startswith("/polite/")]
    finally:
        web.unroute("/polite/*")
    assert set(found) == set(urls)
    pages = [e for e in log if "linkaudit-" not in e.target]
    probes = [e for e in log if "linkaudit-" in e.target]
    assert sorted(f"http://{e.host}:{e.port}{e.target}" for e in pages) == sorted(urls)
    assert len(probes) == 4  # one per (host, parent path)
    assert max(e.in_flight for e in log) <= 2


async def test_many_urls_do_not_spawn_many_tasks(web: SimWeb, test_settings: Settings) -> None:
    """The requests are consumed lazily by a fixed pool of workers."""
    from linkaudit.check.runner import spare_workers

    consumed = 0

    def requests() -> Iterator[CheckRequest]:
        nonlocal consumed
        for i in range(40):
            consumed += 1
            yield CheckRequest(web.url(f"/status/{200 + i % 3}"))

    # One host with room for every worker: no idle worker reads ahead for a full host.
    settings = test_settings.replace(max_concurrency=2, max_per_host=8, soft404=False)
    tasks_before = len(asyncio.all_tasks())
    seen = 0
    async for _ in check_urls(requests(), settings):
        seen += 1
        if seen == 1:
            assert consumed < 40
            workers = 2 + spare_workers(2)  # a few spares for lanes freed by a backoff
            assert len(asyncio.all_tasks()) - tasks_before <= workers + 1 + 1
    assert seen == 40


async def test_public_host_redirecting_to_loopback_is_refused(
    web: SimWeb, test_settings: Settings
) -> None:
    """A 'public' host (allowed by network) redirecting to 127.0.0.1 or metadata is refused."""
    settings = test_settings.replace(allow_private=False, allow_networks=("127.0.0.2/32",))
    to_loopback = web.url("/to?url=" + web.url("/page"), host="127.0.0.2")
    to_metadata = web.url("/to?url=http://169.254.169.254/latest/meta-data/", host="127.0.0.2")
    web.reset_log()
    found = await observe_all([to_loopback, to_metadata], settings)
    for url, target in ((to_loopback, web.url("/page")), (to_metadata, "http://169.254.169.254/")):
        assert found[url].failure is Reason.PRIVATE_ADDRESS
        assert found[url].redirects[0].status == 302
        assert (found[url].final_url or "").startswith(target.rsplit("/", 1)[0])
    assert all(e.host == "127.0.0.2" for e in web.requests)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/page", "http://2130706433:{port}/", "http://0x7f.1:{port}/"]
)
async def test_loopback_refused_by_default(web: SimWeb, url: str) -> None:
    """Without the opt-in nothing reaches loopback, however spelt."""
    web.reset_log()
    found = await observe(url.format(port=web.ports["http"]), Settings(timeout=2.0))
    assert found.failure is Reason.PRIVATE_ADDRESS
    assert found.status is None
    assert web.requests == []


async def test_credentials_stay_with_their_origin(web: SimWeb, test_settings: Settings) -> None:
    """Per-host headers and cookies are not sent to the host a redirect leads to."""
    other = web.url("/page", host="127.0.0.3")
    settings = test_settings.replace(headers={"127.0.0.2": {"Authorization": "Bearer s3cret"}})
    web.reset_log()
    await observe(web.url("/set-cookie-to?url=" + other, host="127.0.0.2"), settings)
    first, second = (e for e in web.requests if "linkaudit-" not in e.target)
    assert first.host == "127.0.0.2" and first.headers["authorization"] == "Bearer s3cret"
    assert second.host == "127.0.0.3"
    assert "authorization" not in second.headers and "cookie" not in second.headers


async def test_cookie_kept_within_a_chain(web: SimWeb, test_settings: Settings) -> None:
    """A cookie set by a host is sent back to that host on the next hop, never recorded."""
    target = web.url("/page", host="127.0.0.2")
    web.reset_log()
    found = await observe(web.url("/set-cookie-to?url=" + target, host="127.0.0.2"), test_settings)
    hop = next(e for e in web.requests if e.path == "/page")
    assert hop.headers.get("cookie") == "session=s3cret"
    assert found.status == 200


async def test_file_urls(tmp_path: Path, test_settings: Settings) -> None:
    """Local files: present, missing, fragment, and refusal outside the root."""
    root = tmp_path / "brief"
    root.mkdir()
    (root / "notes.md").write_text("# Budget Outlook\n\ntext\n")
    requests = [
        CheckRequest((root / "notes.md").as_uri() + "#budget-outlook", str(root)),
        CheckRequest((root / "notes.md").as_uri() + "#nothing", str(root)),
        CheckRequest((root / "gone.md").as_uri(), str(root)),
        CheckRequest("file:///etc/passwd", str(root)),
        CheckRequest((root / ".." / "brief" / "notes.md").as_uri(), str(root)),
    ]
    found = [o async for o in check_urls(requests, test_settings)]
    by_url = {o.url: o for o in found}
    ok, nofrag, gone, passwd, dotdot = (by_url[r.url] for r in requests)
    assert ok.failure is None and ok.fragment_found is True
    assert nofrag.fragment_found is False
    assert gone.failure is Reason.MISSING_FILE
    assert passwd.failure is Reason.PRIVATE_ADDRESS and "root" in (passwd.error or "")
    assert passwd.body == ""
    assert dotdot.failure is None
    escape = test_settings.replace(allow_file_escape=True)
    allowed = [o async for o in check_urls([requests[3]], escape)]
    assert allowed[0].failure in (None, Reason.MISSING_FILE)


async def test_network_available(web: SimWeb, test_settings: Settings) -> None:
    """The canary is up with the local server and down with names that cannot resolve."""
    assert await network_available(test_settings)
    offline = test_settings.replace(network_canaries=("https://a.invalid/", "http://b.invalid/"))
    assert not await network_available(offline)


async def test_proxy_is_used_and_no_proxy_honoured(
    web: SimWeb, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY sends requests through the proxy (absolute-form targets); NO_PROXY bypasses."""
    monkeypatch.setenv("HTTP_PROXY", web.url("/", host="127.0.0.3"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.2")
    web.reset_log()
    settings = test_settings.replace(soft404=False)
    await observe_all(
        [web.url("/status/200", host="127.0.0.1"), web.url("/page", host="127.0.0.2")], settings
    )
    by_host = {e.host: e.target for e in web.requests}
    assert by_host["127.0.0.3"] == web.url("/status/200", host="127.0.0.1")
    assert by_host["127.0.0.2"] == "/page"


async def test_no_cookie_crosses_from_one_url_to_another(
    web: SimWeb, test_settings: Settings
) -> None:
    """The client-wide jar keeps nothing: a cookie set in one chain is not sent in the next."""
    setter = web.url("/set-cookie-to?url=" + web.url("/page", host="127.0.0.2"), host="127.0.0.2")
    later = web.url("/status/200", host="127.0.0.2")
    settings = test_settings.replace(max_concurrency=1, soft404=False)
    web.reset_log()
    async for _ in check_urls([CheckRequest(setter), CheckRequest(later)], settings):
        pass
    hop = next(e for e in web.requests if e.path == "/page")
    other = next(e for e in web.requests if e.path == "/status/200")
    assert hop.headers.get("cookie") == "session=s3cret"
    assert "cookie" not in other.headers
