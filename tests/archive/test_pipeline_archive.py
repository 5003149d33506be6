"""On the test web, every dead link with a snapshot gets the one closest to its citation date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from helpers.archive_fakes import FakeArchive
from linkaudit.report.health import render_health
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio


def brief(tmp_path: Path, web: SimWeb) -> Path:
    """A brief "published" in March 2021 citing two dead pages, one of them never archived."""
    doc = tmp_path / "brief.html"
    links = "".join(
        f'<p><a href="{web.url(path)}">{text}</a></p>'
        for path, text in (
            ("/status/404?p=law", "law"),
            ("/status/410?p=lost", "lost"),
            ("/status/200?p=live", "live"),
        )
    )
    doc.write_text(
        '<html><head><meta name="citation_publication_date" content="2021-03-01">'
        f"<title>Brief</title></head><body>{links}</body></html>"
    )
    return doc


async def test_dead_links_get_the_snapshot_closest_to_the_citation_date(
    tmp_path: Path, web: SimWeb, fake: FakeArchive
) -> None:
    """The law page has captures in 2019, 2021 and 2024: the 2021 one is the right citation."""
    law, lost, live = (
        web.url(p) for p in ("/status/404?p=law", "/status/410?p=lost", "/status/200?p=live")
    )
    fake.state.add(law, "20190101000000", "20210215000000", "20240101000000")
    settings = fake.settings(network_canaries=(web.url("/"),), soft404=False, retries=0)
    db = tmp_path / "s.sqlite"
    outcome = await run_check([str(brief(tmp_path, web))], settings, db=db)
    results = {r.url: r for r in outcome.report.results}
    assert results[law].verdict is Verdict.DEAD
    snapshot = results[law].archive
    assert snapshot is not None and snapshot.timestamp == "20210215000000"
    assert results[lost].verdict is Verdict.DEAD and results[lost].archive is None
    assert results[live].archive is None  # only dead, redirected and unreachable are looked up

    # A re-run answers from the store's look-up cache: the archive is not asked again.
    asked = sum(fake.state.hits.values())
    fresh = dataclasses.replace(settings, fresh=True)
    again = await run_check([str(brief(tmp_path, web))], fresh, db=db)
    assert sum(fake.state.hits.values()) == asked
    assert {r.url: r.archive for r in again.report.results}[law] == results[law].archive

    # The health report: one lost citation (dead, no snapshot), listed first.
    data = json.loads(render_health(outcome.report, None, fmt="json", today=dt.date(2025, 1, 1)))
    assert [item["url"] for item in data["lost_evidence"]] == [lost]
    overall = data["overall"]
    assert (overall["alive"], overall["dead"], overall["citations"]) == (1, 2, 3)
    assert overall["archive_coverage"] == pytest.approx(1 / 3)
    html = render_health(outcome.report, None, fmt="html", today=dt.date(2025, 1, 1))
    assert "<svg" in html and "http" not in html.split("<body>")[0].replace("http-equiv", "")


@pytest.mark.parametrize("backlog", [1, 256])
async def test_archive_look_ups_wait_in_a_bounded_backlog(
    tmp_path: Path, web: SimWeb, fake: FakeArchive, monkeypatch: pytest.MonkeyPatch, backlog: int
) -> None:
    """At most ``ARCHIVE_BACKLOG`` results wait for the archive (the checking waits beyond
    it); with a backlog of one, every dead link still gets its look-up and its result."""
    from linkaudit.run import remote

    monkeypatch.setattr(remote, "ARCHIVE_BACKLOG", backlog)
    dead = [web.url(f"/status/404?p=backlog{n}") for n in range(6)]
    for url in dead[::2]:
        fake.state.add(url, "20210215000000")
    doc = tmp_path / "many.md"
    doc.write_text("".join(f"[{n}]({url})\n" for n, url in enumerate(dead)))
    settings = fake.settings(network_canaries=(web.url("/"),), soft404=False, retries=0)
    outcome = await run_check([str(doc)], settings, db=None)
    results = {r.url: r for r in outcome.report.results}
    assert list(results) == dead
    assert [results[u].archive is not None for u in dead] == [True, False] * 3
