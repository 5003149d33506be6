"""Archive services are hosts like any other: a per-host limit, one summary line when a
service is down, no look-up for local or private URLs, and a dead snapshot never offered
as its own replacement."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from helpers.archive_fakes import FakeArchive, refused_base
from linkaudit.archive import attach_snapshots
from linkaudit.archive.client import (
    ARCHIVE_PER_HOST,
    make_archive_client,
    unreachable_services,
)
from linkaudit.models import Occurrence, Result
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio


def dead(url: str, verdict: Verdict = Verdict.DEAD) -> Result:
    return Result(
        url=url,
        verdict=verdict,
        reason="http_404",
        occurrences=(Occurrence(document="brief.md", raw=url, url=url),),
    )


def no_date(result: Result) -> None:
    return None


async def test_lookups_keep_the_per_host_limit(fake: FakeArchive) -> None:
    """Twelve dead links looked up at once, as the pipeline does (one call per link, one
    client): never more than the polite default in flight at the archive."""
    urls = [f"https://a.example/gone/{n}" for n in range(12)]
    for url in urls[:6]:
        fake.state.add(url, "20200101000000")
    settings = fake.settings(max_per_host=8, timeout=5.0)
    fake.state.behaviour["available"] = "slow"
    fake.state.slow_seconds = 0.05
    async with make_archive_client(settings) as client:
        found = await asyncio.gather(
            *(attach_snapshots([dead(u)], no_date, settings, client=client) for u in urls)
        )
    assert fake.state.peak <= ARCHIVE_PER_HOST
    assert sum(fake.state.hits.values()) >= len(urls)
    # "slow" answers an empty CDX-shaped list: the availability API finds nothing, CDX does.
    assert [r.archive is not None for (r,) in found] == [True] * 6 + [False] * 6


async def test_a_configured_host_limit_wins(fake: FakeArchive) -> None:
    settings = fake.settings(host_limits={"127.0.0.1": 1})
    async with make_archive_client(settings) as client:
        await asyncio.gather(
            *(
                attach_snapshots([dead(f"https://a.example/{n}")], no_date, settings, client=client)
                for n in range(6)
            )
        )
    assert fake.state.peak == 1


async def test_a_service_that_is_down_is_asked_a_few_times_then_summarised(
    fake: FakeArchive, caplog: pytest.LogCaptureFixture
) -> None:
    """Wayback refuses connections: after ``DOWN_AFTER`` failures it is not asked again,
    nothing is logged per link, and one summary line names it. The Memento service, up,
    still finds the snapshots it holds."""
    down = refused_base()
    settings = fake.settings(
        wayback_url=f"{down}/wayback/available", cdx_url=f"{down}/cdx/search/cdx"
    )
    urls = [f"https://a.example/lost/{n}" for n in range(20)]
    fake.state.add(urls[0], "20200101000000")
    caplog.set_level(logging.WARNING, logger="linkaudit")
    async with make_archive_client(settings) as client:
        found = await attach_snapshots([dead(u) for u in urls], no_date, settings, client=client)
        lines = unreachable_services(client, settings)
    assert lines == ["Wayback unreachable: no snapshots looked up"]
    assert [r.url for r in found if r.archive is not None] == [urls[0]]  # via Memento
    assert fake.state.hits["timegate"] == len(urls)
    assert not [r for r in caplog.records if r.name.startswith("linkaudit")]


async def test_a_run_with_every_archive_down_says_so_once(
    tmp_path: Path, web: SimWeb, caplog: pytest.LogCaptureFixture
) -> None:
    """The whole pipeline: dead links, archives unreachable: one line per service in the
    run's warnings, not three per link."""
    down = refused_base()
    links = "".join(f'<p><a href="{web.url(f"/status/404?n={n}")}">l{n}</a></p>' for n in range(15))
    doc = tmp_path / "brief.html"
    doc.write_text(f"<html><body>{links}</body></html>")
    from linkaudit.config import Settings

    settings = Settings(
        allow_private=True,
        timeout=0.5,
        connect_timeout=0.5,
        retries=0,
        soft404=False,
        network_canaries=(web.url("/"),),
        wayback_url=f"{down}/wayback/available",
        cdx_url=f"{down}/cdx/search/cdx",
        memento_url=f"{down}/timegate/",
    )
    caplog.set_level(logging.WARNING, logger="linkaudit")
    outcome = await run_check([str(doc)], settings, db=None)
    warnings = [w for w in outcome.report.warnings if "archive" in w.lower() or "unreachable" in w]
    assert sorted(warnings) == [
        "Memento TimeGate unreachable: no snapshots looked up",
        "Wayback unreachable: no snapshots looked up",
    ]
    assert all(r.verdict is Verdict.DEAD for r in outcome.report.results)
    assert not [r for r in caplog.records if r.name.startswith("linkaudit.archive")]


async def test_local_private_and_placeholder_urls_are_never_looked_up(
    fake: FakeArchive, tmp_path: Path
) -> None:
    settings = fake.settings(allow_private=False)
    local = [
        (tmp_path / "annex.pdf").as_uri(),
        "http://10.1.2.3/intranet/report",
        "http://192.168.0.10/report",
        "http://localhost:8080/report",
        "http://[::1]/report",
        "https://wiki.corp.internal/page",
        "https://printer.local/status",
        "https://no-such-host.invalid/x",
        "http://intranet/report",
    ]
    public = "https://a.example/gone"
    fake.state.add(public, "20200101000000")
    results = [dead(u) for u in local] + [dead(public)]
    found = await attach_snapshots(results, no_date, settings)
    assert {r.url: r.archive is not None for r in found} == {
        **dict.fromkeys(local, False),
        public: True,
    }
    assert fake.state.hits["available"] == 1  # the public page only


async def test_a_dead_snapshot_is_never_its_own_replacement(fake: FakeArchive) -> None:
    """A cited Wayback link that is dead: another snapshot of its original is offered, or
    none; never the dead link itself."""
    kept = "https://a.example/kept"
    lost = "https://a.example/lost"
    fake.state.add(kept, "20190101000000")
    cited_kept = f"https://web.archive.org/web/20200101000000/{kept}"
    cited_lost = f"https://web.archive.org/web/20200101000000/{lost}"
    settings = fake.settings()
    found = await attach_snapshots([dead(cited_kept), dead(cited_lost)], no_date, settings)
    by_url = {r.url: r.archive for r in found}
    kept_snapshot = by_url[cited_kept]
    assert kept_snapshot is not None
    assert kept_snapshot.url != cited_kept and kept_snapshot.original == kept
    assert by_url[cited_lost] is None
