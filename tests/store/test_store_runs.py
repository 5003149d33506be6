"""Runs, documents, the cache, resume after an unfinished run, and reading results back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.exceptions import StoreError
from linkaudit.models import (
    Document,
    DocumentFormat,
    Extraction,
    Occurrence,
    Redirect,
    RunId,
    Snapshot,
)
from linkaudit.store import RunStatus, Store
from linkaudit.verdicts import Verdict

from .conftest import Clock, result

URL = "https://a.example/page"


def extraction(path: str, *urls: str) -> Extraction:
    occurrences = [
        Occurrence(document=path, raw=u, url=u, text=f"link {i}", line=i + 1)
        for i, u in enumerate(urls)
    ]
    return Extraction(Document(path=path, format=DocumentFormat.MARKDOWN), occurrences)


@pytest.mark.parametrize(
    ("verdict", "age", "hit"),
    [
        (Verdict.OK, dt.timedelta(hours=23), True),
        (Verdict.OK, dt.timedelta(hours=25), False),
        (Verdict.REDIRECTED, dt.timedelta(hours=2), True),
        (Verdict.DEAD, dt.timedelta(minutes=59), True),
        (Verdict.DEAD, dt.timedelta(minutes=61), False),  # failures are re-checked sooner
        (Verdict.UNREACHABLE, dt.timedelta(hours=2), False),
        (Verdict.RESTRICTED, dt.timedelta(hours=2), True),
        (Verdict.INVALID, dt.timedelta(0), False),  # never cached: no network needed
        (Verdict.SKIPPED, dt.timedelta(0), False),
    ],
)
def test_cache_ages(
    fresh_store: Store,
    clock: Clock,
    settings: Settings,
    verdict: Verdict,
    age: dt.timedelta,
    hit: bool,
) -> None:
    run = fresh_store.begin_run([], "test")
    fresh_store.save_result(run, result(URL, verdict, reason="x", status=200), settings)
    clock.advance(seconds=age.total_seconds())
    cached = fresh_store.cached_results([URL], settings).get(URL)
    assert (cached is not None) is hit
    if cached is not None:
        assert cached.cached and cached.verdict is verdict and cached.occurrences == ()


def test_fresh_ignores_the_cache(fresh_store: Store, settings: Settings) -> None:
    run = fresh_store.begin_run([], "test")
    fresh_store.save_result(run, result(URL), settings)
    assert fresh_store.cached_results([URL], settings).get(URL) is not None
    assert fresh_store.cached_results([URL], settings.replace(fresh=True)).get(URL) is None
    assert (
        fresh_store.cached_results(["https://never.example/"], settings).get(
            "https://never.example/"
        )
        is None
    )


def test_cached_round_trip_keeps_every_field(fresh_store: Store, settings: Settings) -> None:
    original = result(
        URL,
        Verdict.REDIRECTED,
        "redirect_permanent",
        status=301,
        final_url="https://a.example/new",
        redirects=(Redirect(URL, 301), Redirect("https://a.example/new", 200)),
        permanent=True,
        title="A page",
        elapsed_ms=12.5,
        attempts=2,
        archive=Snapshot("https://web.archive.org/web/2024/x", "2024", URL, "wayback"),
        fingerprint="abc",
    )
    run = fresh_store.begin_run([], "test")
    saved = fresh_store.save_result(run, original, settings)
    cached = fresh_store.cached_results([URL], settings).get(URL)
    assert cached == dataclasses.replace(saved, cached=True)


def test_saving_a_cached_result_is_not_new_evidence(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    run = fresh_store.begin_run([], "test")
    fresh_store.save_result(run, result(URL, Verdict.DEAD), settings)
    clock.advance(minutes=50)
    cached = fresh_store.cached_results([URL], settings).get(URL)
    assert cached is not None
    second = fresh_store.begin_run([], "test")
    fresh_store.save_result(second, cached, settings)
    clock.advance(minutes=20)
    # Freshness counts from the real check, not from the cached copy saved later.
    assert fresh_store.cached_results([URL], settings).get(URL) is None
    assert [c.cached for c in fresh_store.url_history(URL)] == [False, True]
    assert fresh_store.query("SELECT consecutive_failures FROM urls") == [
        {"consecutive_failures": 1}
    ]


def test_resume_reuses_what_the_unfinished_run_checked(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    urls = [f"https://h{i}.example/" for i in range(10)]
    first = fresh_store.begin_run(["brief.md"], "test")
    for url in urls[:4]:
        fresh_store.save_result(first, result(url), settings)
    fresh_store.save_result(first, result(urls[4], Verdict.DEAD), settings)
    # Not finished: the process died. Two hours later a new run starts.
    clock.advance(hours=2)
    second = fresh_store.begin_run(["brief.md"], "test")
    reused = fresh_store.finished_in_unfinished_run(urls, settings)
    # By the cache's rules: the successes are young enough, the failure (max-age-failure
    # 1 h) is checked again.
    assert sorted(reused) == urls[:4]
    assert all(r.cached for r in reused.values())
    fresh = dataclasses.replace(settings, fresh=True)
    assert fresh_store.finished_in_unfinished_run(urls, fresh) == {}
    fresh_store.finish_run(second, {"urls": 10})
    # Once a run finished after it, the unfinished run is not resumed again.
    fresh_store.begin_run([], "test")
    assert fresh_store.finished_in_unfinished_run(urls, settings) == {}


def test_an_old_unfinished_run_is_abandoned_not_resumed(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    urls = [f"https://h{i}.example/" for i in range(3)]
    first = fresh_store.begin_run(["brief.md"], "test")
    for url in urls:
        fresh_store.save_result(first, result(url), settings)
    clock.advance(days=30)  # killed 30 days ago: its verdicts say nothing about today
    patient = dataclasses.replace(settings, max_age=90 * 86400)
    fresh_store.begin_run(["brief.md"], "test")
    assert fresh_store.abandoned == [first]
    assert fresh_store.finished_in_unfinished_run(urls, patient) == {}
    statuses = [(r.status, r.finished_at) for r in fresh_store.runs()]
    assert statuses == [(RunStatus.ABANDONED, clock.now), (RunStatus.RUNNING, None)]


def test_a_young_unfinished_run_is_not_abandoned(fresh_store: Store, clock: Clock) -> None:
    fresh_store.begin_run([], "test")  # perhaps still going in another process
    clock.advance(hours=23)
    fresh_store.begin_run([], "test")
    assert fresh_store.abandoned == []
    assert [r.status for r in fresh_store.runs()] == [RunStatus.RUNNING, RunStatus.RUNNING]


def test_resume_after_an_interrupted_run(fresh_store: Store, settings: Settings) -> None:
    first = fresh_store.begin_run([], "test")
    fresh_store.save_result(first, result(URL), settings)
    fresh_store.finish_run(first, {"urls": 1}, interrupted=True)
    fresh_store.begin_run([], "test")
    assert list(fresh_store.finished_in_unfinished_run([URL, "https://b.example/"])) == [URL]
    assert [r.status for r in fresh_store.runs()] == [RunStatus.INTERRUPTED, RunStatus.RUNNING]


def test_run_results_rejoin_occurrences(fresh_store: Store, settings: Settings) -> None:
    run = fresh_store.begin_run(["a.md", "b.md"], "1.0")
    fresh_store.record_documents(
        run, [extraction("a.md", URL, "https://b.example/"), extraction("b.md", URL)]
    )
    fresh_store.save_result(run, result(URL), settings)
    fresh_store.save_result(run, result("https://b.example/", Verdict.DEAD), settings)
    fresh_store.finish_run(run, {"urls": 2})
    info, results = fresh_store.run_results()
    assert info.id == run and info.counts == {"urls": 2} and info.tool_version == "1.0"
    by_url = {r.url: r for r in results}
    assert [(o.document, o.line) for o in by_url[URL].occurrences] == [("a.md", 1), ("b.md", 1)]
    assert [o.text for o in by_url["https://b.example/"].occurrences] == ["link 1"]
    # A re-scan replaces a document's occurrences.
    again = fresh_store.begin_run([], "1.0")
    fresh_store.record_documents(again, [extraction("a.md", "https://c.example/")])
    assert fresh_store.query("SELECT count(*) AS n FROM occurrences") == [{"n": 2}]


def test_run_results_without_a_finished_run(fresh_store: Store) -> None:
    with pytest.raises(StoreError, match="no finished run"):
        fresh_store.run_results()
    with pytest.raises(StoreError, match="no run 7"):
        fresh_store.run_results(RunId(7))


def test_changes_since_the_previous_run(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    plan = {
        "https://stays-dead.example/": (Verdict.DEAD, Verdict.DEAD),
        "https://dies.example/": (Verdict.OK, Verdict.DEAD),
        "https://comes-back.example/": (Verdict.UNREACHABLE, Verdict.OK),
        "https://fine.example/": (Verdict.OK, Verdict.OK),
    }
    for step in range(2):
        run = fresh_store.begin_run([], "test")
        for url, verdicts in plan.items():
            fresh_store.save_result(run, result(url, verdicts[step]), settings)
        fresh_store.finish_run(run, {})
        clock.advance(days=2)
    changes = fresh_store.changes_since()
    assert [r.url for r in changes.newly_dead] == ["https://dies.example/"]
    assert [r.url for r in changes.still_dead] == ["https://stays-dead.example/"]
    assert [r.url for r in changes.recovered] == ["https://comes-back.example/"]
    still = changes.still_dead[0].history
    assert still is not None and still.failing_since == changes.run.started_at - dt.timedelta(
        days=2
    )
    # Against a date before the first run, everything dead now is newly dead.
    early = fresh_store.changes_since(since=changes.run.started_at - dt.timedelta(days=10))
    assert len(early.newly_dead) == 2 and early.recovered == ()


def test_snapshot_lookups_outlive_the_run(tmp_path: Path) -> None:
    """A found snapshot is reused for a month, "nothing archived" for a day only."""
    now = [dt.datetime(2025, 1, 1, tzinfo=dt.UTC)]
    store = Store.open(tmp_path / "s.sqlite", clock=lambda: now[0])
    cache = store.snapshot_cache()
    snap = Snapshot("https://web.archive.org/web/2024/x", "2024", "https://x/", "wayback")
    cache["https://x/ 2024-01-01"] = snap
    cache["https://y/ -"] = None
    store.close()
    reopened = Store.open(tmp_path / "s.sqlite", clock=lambda: now[0])
    cache = reopened.snapshot_cache()
    assert cache["https://x/ 2024-01-01"] == snap and cache["https://y/ -"] is None
    now[0] += dt.timedelta(days=2)
    assert "https://y/ -" not in cache and "https://x/ 2024-01-01" in cache
    now[0] += dt.timedelta(days=40)
    assert "https://x/ 2024-01-01" not in cache
    assert len(cache) == 2
    reopened.close()
