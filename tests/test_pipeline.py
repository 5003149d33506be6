"""The pipeline's own decisions: offline detection, --check-originals, --max-time, grouping."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.models import Occurrence, Result, Snapshot
from linkaudit.run.pipeline import _check_originals, group_occurrences, run_check
from linkaudit.run.state import Run
from linkaudit.verdicts import Reason, Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio


async def test_check_originals_reports_an_original_alive_again(
    web: SimWeb, test_settings: Settings
) -> None:
    """An archive link's original is checked too, and the result says whether it lives."""
    run = Run(dataclasses.replace(test_settings, check_originals=True))
    for original in (web.url("/status/200"), web.url("/status/404")):
        snapshot = f"https://web.archive.org/web/2020/{original}"
        run.results[snapshot] = Result(
            url=snapshot,
            verdict=Verdict.ARCHIVED,
            reason=Reason.WAYBACK,
            archive=Snapshot(url=snapshot, timestamp="2020", original=original, service="wayback"),
            occurrences=(Occurrence(document="d.md", raw=snapshot, url=snapshot),),
        )
    await _check_originals(run)
    notes = {
        (r.archive.original or "").rsplit("/", 1)[-1]: r.error
        for r in run.results.values()
        if r.archive
    }
    assert notes["200"] is not None and "alive again" in notes["200"]
    assert notes["404"] is not None and "dead" in notes["404"]


async def test_max_time_reports_what_was_not_checked(
    tmp_path: Path, web: SimWeb, test_settings: Settings
) -> None:
    """When --max-time runs out, the rest is reported as not checked, never silently dropped."""
    doc = tmp_path / "slow.md"
    doc.write_text("\n".join(f"[s{i}]({web.url(f'/slow-headers?i={i}')})" for i in range(4)))
    settings = dataclasses.replace(test_settings, max_time=0.5, timeout=5.0, archive="none")
    outcome = await run_check([str(doc)], settings, db=None)
    assert len(outcome.report.results) == 4
    assert any("--max-time" in w for w in outcome.report.warnings)
    assert all(r.verdict is Verdict.UNREACHABLE for r in outcome.report.results)


async def test_offline_failures_become_network_unavailable(
    tmp_path: Path, test_settings: Settings
) -> None:
    """Every host failing and the canary failing too: unreachable, network unavailable, not dead."""
    doc = tmp_path / "d.md"
    doc.write_text("[a](https://one.invalid/a) [b](https://two.invalid/b) [p](#)\n")
    settings = dataclasses.replace(
        test_settings, network_canaries=("https://canary.invalid/",), archive="none"
    )
    outcome = await run_check([str(doc)], settings, db=None)
    verdicts = {r.url: (r.verdict, r.reason) for r in outcome.report.results}
    assert verdicts["https://one.invalid/a"] == (Verdict.UNREACHABLE, Reason.NETWORK_UNAVAILABLE)
    assert verdicts["#"] == (Verdict.INVALID, Reason.PLACEHOLDER)
    assert outcome.report.summary.network == "unavailable"


async def test_dns_failure_is_dead_when_the_network_works(
    tmp_path: Path, test_settings: Settings
) -> None:
    """With a reachable canary, a name that does not exist is dead (dns)."""
    doc = tmp_path / "d.md"
    doc.write_text("[a](https://gone.invalid/a)\n")
    outcome = await run_check(
        [str(doc)], dataclasses.replace(test_settings, archive="none"), db=None
    )
    (only,) = outcome.report.results
    assert (only.verdict, only.reason) == (Verdict.DEAD, Reason.DNS)
    assert outcome.report.summary.network == "ok"


def test_group_occurrences_keeps_first_cited_order() -> None:
    """One check per distinct URL, every occurrence kept, in the order first cited."""
    from linkaudit.models import Document, DocumentFormat, Extraction

    occ = [Occurrence("a.md", u, u) for u in ("https://b/", "https://a/", "https://b/")]
    groups = group_occurrences([Extraction(Document("a.md", DocumentFormat.MARKDOWN), occ)])
    assert list(groups) == ["https://b/", "https://a/"]
    assert len(groups["https://b/"]) == 2


def test_python_api_check(tmp_path: Path, web: SimWeb) -> None:
    """linkaudit.check() returns the report model the formats render."""
    import linkaudit

    doc = tmp_path / "d.md"
    doc.write_text(f"[ok]({web.url('/status/200')})\n")
    settings = linkaudit.Settings(
        allow_private=True,
        archive="none",
        network_canaries=(web.url("/"),),
        soft404=False,
        db=str(tmp_path / "s.sqlite"),
    )
    report = linkaudit.check([str(doc)], settings)
    assert (tmp_path / "s.sqlite").exists()
    assert report.summary.by_verdict == {"ok": 1}
    assert asyncio.iscoroutinefunction(run_check)
