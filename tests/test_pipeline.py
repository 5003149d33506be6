"""The pipeline's own decisions: offline detection, --check-originals, --max-time, grouping."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from helpers.originals import check_originals_of
from linkaudit.config import Settings
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Reason, Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio


async def test_check_originals_reports_an_original_alive_again(
    tmp_path: Path, web: SimWeb, test_settings: Settings
) -> None:
    """An archive link's original is checked too, and the result says whether it lives."""
    alive, gone = web.url("/status/200"), web.url("/status/404")
    snapshots = {f"https://web.archive.org/web/2020/{o}": o for o in (alive, gone)}
    notes = await check_originals_of(snapshots, tmp_path, web, test_settings)
    on_alive, on_gone = notes.values()
    assert on_alive == f"the original {alive} is alive again (ok)"
    assert on_gone is not None and on_gone.startswith(f"the original {gone} is dead")


async def test_check_originals_runs_when_every_result_comes_from_the_store(
    tmp_path: Path, web: SimWeb, test_settings: Settings
) -> None:
    """A re-run that fetches nothing (every archive link reused from the store) still checks
    the originals it was asked to."""
    gone = web.url("/status/404")
    snapshots = {f"https://web.archive.org/web/2020/{gone}": gone}
    notes = await check_originals_of(snapshots, tmp_path, web, test_settings, live=False)
    (on_gone,) = notes.values()
    assert on_gone is not None and on_gone.startswith(f"the original {gone} is dead")


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
