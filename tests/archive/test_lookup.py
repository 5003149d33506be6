"""find_snapshot and attach_snapshots against the local fake archive."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from helpers.archive_fakes import FakeArchive, refused_base
from linkaudit.archive import attach_snapshots, find_snapshot, memento, needs_snapshot, wayback
from linkaudit.archive.client import make_archive_client, retry_after_or_default
from linkaudit.config import Settings
from linkaudit.exceptions import ConfigError
from linkaudit.models import Occurrence, Result, RobustLink, Snapshot
from linkaudit.verdicts import Verdict

pytestmark = pytest.mark.anyio

URL = "https://example.org/report"
CAPTURES = ("20150601000000", "20190315120000", "20230101000000")


async def _find(
    fake: FakeArchive, cited: dt.date | None, settings: Settings | None = None
) -> Snapshot | None:
    settings = settings or fake.settings()
    async with make_archive_client(settings) as client:
        return await find_snapshot(URL, cited, settings, client)


async def test_availability_finds_closest(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    snapshot = await _find(fake, dt.date(2019, 1, 1))
    assert snapshot == Snapshot(
        url=f"{fake.base}/web/20190315120000/{URL}",
        timestamp="20190315120000",
        original=URL,
        service="wayback",
    )
    assert fake.state.hits["available"] == 1 and fake.state.hits["cdx"] == 0


async def test_nothing_archived_asks_every_service(fake: FakeArchive) -> None:
    assert await _find(fake, dt.date(2019, 1, 1)) is None
    assert [fake.state.hits[s] for s in ("available", "cdx", "timegate")] == [1, 1, 1]


@pytest.mark.parametrize("mode", ["500", "nonsense", "429", "slow"])
async def test_availability_misbehaving_falls_back_to_cdx(fake: FakeArchive, mode: str) -> None:
    fake.state.add(URL, *CAPTURES)
    fake.state.behaviour["available"] = mode
    snapshot = await _find(fake, dt.date(2016, 1, 1))
    assert snapshot is not None and snapshot.timestamp == "20150601000000"
    assert snapshot.url == f"{fake.base}/web/20150601000000/{URL}"
    assert fake.state.hits["cdx"] == 1


async def test_rate_limited_once_is_retried(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    fake.state.behaviour["available"] = "429once"
    snapshot = await _find(fake, dt.date(2023, 6, 1))
    assert snapshot is not None and snapshot.timestamp == "20230101000000"
    assert fake.state.hits["available"] == 2 and fake.state.hits["cdx"] == 0


async def test_cdx_closest_computed_locally(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    fake.state.add(URL, "20190101000000", status="404")  # not a usable capture
    settings = fake.settings()
    async with make_archive_client(settings) as client:
        near_2019 = await wayback.cdx(URL, dt.date(2019, 1, 1), settings, client)
        latest = await wayback.cdx(URL, None, settings, client)
        none = await wayback.cdx("https://example.org/never", None, settings, client)
    assert near_2019 is not None and near_2019.timestamp == "20190315120000"
    assert latest is not None and latest.timestamp == "20230101000000"
    assert none is None


async def test_memento_timegate_when_wayback_apis_fail(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    fake.state.behaviour |= {"available": "500", "cdx": "nonsense"}
    snapshot = await _find(fake, dt.date(2022, 11, 1))
    assert snapshot is not None
    assert snapshot.timestamp == "20230101000000"
    assert snapshot.url == f"{fake.base}/web/20230101000000/{URL}"
    assert snapshot.service == "memento"


async def test_every_service_down_returns_none() -> None:
    base = refused_base()
    settings = Settings(
        wayback_url=f"{base}/wayback/available",
        cdx_url=f"{base}/cdx/search/cdx",
        memento_url=f"{base}/timegate/",
        timeout=0.5,
        connect_timeout=0.5,
    )
    async with make_archive_client(settings) as client:
        assert await find_snapshot(URL, None, settings, client) is None


async def test_every_service_rate_limited_or_slow(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    fake.state.behaviour |= {"available": "429", "cdx": "slow", "timegate": "429"}
    assert await _find(fake, dt.date(2019, 1, 1)) is None
    assert fake.state.hits["available"] == 2 and fake.state.hits["timegate"] == 2


def test_link_header_parsing() -> None:
    value = (
        '<https://example.org/>; rel="original", '
        '<https://a.example/web/20010101000000/https://example.org/>; rel="first memento"; '
        'datetime="Mon, 01 Jan 2001 00:00:00 GMT", '
        "<https://a.example/timemap/https://example.org/>; rel=timemap; "
        'type="application/link-format"'
    )
    entries = memento.parse_link_header(value)
    assert [sorted(e.rels) for e in entries] == [["original"], ["first", "memento"], ["timemap"]]
    assert entries[1].datetime == dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def _result(url: str, verdict: Verdict, *, robust: RobustLink | None = None) -> Result:
    occurrence = Occurrence(document="brief.html", raw=url, url=url, robust=robust)
    return Result(url=url, verdict=verdict, reason=None, occurrences=(occurrence,))


async def test_attach_snapshots_by_mode(fake: FakeArchive) -> None:
    for url in ("https://a.example/dead", "https://a.example/ok", "https://a.example/moved"):
        fake.state.add(url, *CAPTURES)
    results = [
        _result("https://a.example/dead", Verdict.DEAD),
        _result("https://a.example/ok", Verdict.OK),
        _result("https://a.example/moved", Verdict.REDIRECTED),
        _result("https://a.example/nothing", Verdict.UNREACHABLE),
        _result("mailto:x@example.org", Verdict.SKIPPED),
    ]
    cited = dt.date(2015, 1, 1)
    cache: dict[str, Snapshot | None] = {}
    dead_mode = await attach_snapshots(
        results, lambda r: cited, fake.settings(archive="dead"), lookup_cache=cache
    )
    assert [r.archive.timestamp if r.archive else None for r in dead_mode] == [
        "20150601000000",
        None,
        "20150601000000",
        None,
        None,
    ]
    asked = fake.state.hits["available"]
    assert asked == 3
    all_mode = await attach_snapshots(
        results, lambda r: cited, fake.settings(archive="all"), lookup_cache=cache
    )
    assert all_mode[1].archive is not None
    assert fake.state.hits["available"] == asked + 1  # the rest came from the cache
    none_mode = await attach_snapshots(results, lambda r: cited, fake.settings(archive="none"))
    assert none_mode == results


async def test_robust_links_first(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    version_url = f"{fake.base}/web/20190315120000/{URL}"
    robust = RobustLink(original_url=URL, version_url=version_url, version_date="2019-03-15")
    results = [_result(URL, Verdict.DEAD, robust=robust)]
    [attached] = await attach_snapshots(results, lambda r: None, fake.settings())
    assert attached.archive == Snapshot(
        url=version_url, timestamp="20190315", original=URL, service="memento"
    )
    assert fake.state.hits["replay"] == 1 and fake.state.hits["available"] == 0


async def test_robust_link_gone_uses_its_date(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    robust = RobustLink(
        version_url=f"{fake.base}/web/20190315120000/https://gone.example/",
        version_date="2023-02-01",
    )
    [attached] = await attach_snapshots(
        [_result(URL, Verdict.DEAD, robust=robust)], lambda r: dt.date(2010, 1, 1), fake.settings()
    )
    assert attached.archive is not None and attached.archive.timestamp == "20230101000000"


async def test_make_archive_client_sends_user_agent(fake: FakeArchive) -> None:
    settings = fake.settings(user_agent="linkaudit-test/1")
    async with make_archive_client(settings) as client:
        assert client.headers["user-agent"] == "linkaudit-test/1"
        assert isinstance(client, httpx.AsyncClient)


async def test_timegate_serving_the_memento_directly(fake: FakeArchive) -> None:
    fake.state.add(URL, *CAPTURES)
    fake.state.behaviour["timegate"] = "direct"
    settings = fake.settings()
    async with make_archive_client(settings) as client:
        snapshot = await memento.timegate(URL, dt.date(2019, 3, 1), settings, client)
        missing = await memento.timegate("https://example.org/never", None, settings, client)
    assert snapshot is not None
    assert (snapshot.url, snapshot.timestamp) == (
        f"{fake.base}/web/20190315120000/{URL}",
        "20190315120000",
    )
    assert missing is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 1.0), ("3", 3.0), ("-5", 1.0), ("soon", 1.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after(value: str | None, seconds: float) -> None:
    assert retry_after_or_default(value, 1.0) == seconds


def test_archive_mode_must_be_known() -> None:
    with pytest.raises(ConfigError):
        needs_snapshot(_result(URL, Verdict.DEAD), "some")


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2019", dt.datetime(2019, 1, 1, tzinfo=dt.UTC)),
        ("201903", dt.datetime(2019, 3, 1, tzinfo=dt.UTC)),
        ("20190315123456", dt.datetime(2019, 3, 15, 12, 34, 56, tzinfo=dt.UTC)),
        ("20191345", None),
        ("abc", None),
        ("123", None),
    ],
)
def test_timestamp_datetime(timestamp: str, expected: dt.datetime | None) -> None:
    assert wayback.timestamp_datetime(timestamp) == expected
