"""The set-based paths (``cached_results``, ``save_results``) store what one-by-one saving does."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from linkaudit.config import Settings
from linkaudit.models import Result
from linkaudit.store import Store
from linkaudit.verdicts import Verdict

from .conftest import Clock, result

URLS = [f"https://h{i}.example/p" for i in range(4)]
VERDICTS = [Verdict.OK, Verdict.DEAD, Verdict.UNREACHABLE, Verdict.INVALID, Verdict.SKIPPED]

# One round: hours to wait, then for each URL a verdict, None (not in this round) or
# "cache" (reused from the store when fresh, checked as OK otherwise).
ROUND = st.tuples(
    st.sampled_from([0.5, 2.0, 13.0, 30.0]),
    st.lists(st.sampled_from([*VERDICTS, None, "cache"]), min_size=4, max_size=4),
)


def dump(store: Store) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every stored fact, without the row ids that insertion order decides."""
    checks = store.query(
        "SELECT u.url, c.* FROM checks c JOIN urls u ON u.id = c.url_id ORDER BY u.url, c.id"
    )
    urls = store.query(
        "SELECT u.*, c.run_id AS last_run, c.checked_at AS last_at FROM urls u "
        "LEFT JOIN checks c ON c.id = u.last_check_id ORDER BY u.url"
    )
    drop = {"id", "url_id", "last_check_id"}
    return (
        [tuple(v for k, v in row.items() if k not in drop) for row in checks],
        [tuple(v for k, v in row.items() if k not in drop) for row in urls],
    )


def one_round(
    store: Store, choices: list[Any], settings: Settings, *, batched: bool
) -> list[Result]:
    run = store.begin_run([], "test")
    wanted = [u for u, c in zip(URLS, choices, strict=True) if c == "cache"]
    if batched:
        cached = store.cached_results(wanted, settings)
    else:
        found = {u: store.cached_results([u], settings).get(u) for u in wanted}
        cached = {u: r for u, r in found.items() if r is not None}
    todo = []
    for url, choice in zip(URLS, choices, strict=True):
        if choice == "cache":
            todo.append(cached.get(url) or result(url, Verdict.OK))
        elif choice is not None:
            status = 200 if choice is Verdict.OK else None
            todo.append(result(url, choice, reason=f"{choice}-reason", status=status))
    if batched:
        saved = store.save_results(run, todo, settings)
    else:
        saved = [store.save_result(run, r, settings) for r in todo]
    store.finish_run(run, {"urls": len(todo)})
    return saved


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds=st.lists(ROUND, min_size=1, max_size=7))
def test_batched_saving_equals_one_by_one(rounds: list[tuple[float, list[Any]]]) -> None:
    settings = Settings()
    clock_a, clock_b = Clock(), Clock()
    with (
        Store.open(":memory:", clock=clock_a) as one,
        Store.open(":memory:", clock=clock_b) as batch,
    ):
        for hours, choices in rounds:
            clock_a.advance(hours=hours)
            clock_b.advance(hours=hours)
            expected = one_round(one, choices, settings, batched=False)
            assert one_round(batch, choices, settings, batched=True) == expected
        assert dump(batch) == dump(one)
        assert batch.run_results()[1] == one.run_results()[1]
        assert batch.changes_since() == one.changes_since()


def test_cached_results_semantics(fresh_store: Store, clock: Clock, settings: Settings) -> None:
    run = fresh_store.begin_run([], "test")
    verdicts = {
        "https://ok.example/": Verdict.OK,
        "https://dead.example/": Verdict.DEAD,
        "https://invalid.example/": Verdict.INVALID,
    }
    for url, verdict in verdicts.items():
        fresh_store.save_result(run, result(url, verdict), settings)
    clock.advance(minutes=30)
    urls = [*verdicts, "https://never.example/", "https://ok.example/"]
    found = fresh_store.cached_results(urls, settings)
    assert sorted(found) == ["https://dead.example/", "https://ok.example/"]
    assert all(r.cached for r in found.values())
    assert found == {
        u: r for u in verdicts if (r := fresh_store.cached_results([u], settings).get(u))
    }
    clock.advance(minutes=31)  # the failure is re-checked sooner than the success
    assert list(fresh_store.cached_results(urls, settings)) == ["https://ok.example/"]
    assert fresh_store.cached_results(urls, settings.replace(fresh=True)) == {}


def test_cached_results_clear_recovered_and_chunk(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    urls = [f"https://h{i}.example/" for i in range(1200)]  # more than one IN (…) chunk
    first = fresh_store.begin_run([], "test")
    fresh_store.save_results(first, [result(u, Verdict.DEAD) for u in urls], settings)
    clock.advance(hours=2)
    second = fresh_store.begin_run([], "test")
    recovered = fresh_store.save_results(second, [result(u) for u in urls], settings)
    assert all(r.history is not None and r.history.recovered for r in recovered)
    found = fresh_store.cached_results(urls, settings)
    assert sorted(found) == sorted(urls)
    assert all(r.history is not None and not r.history.recovered for r in found.values())
    third = fresh_store.begin_run([], "test")
    saved = fresh_store.save_results(third, list(found.values()), settings)
    assert saved == list(found.values())
    assert fresh_store.query("SELECT count(*) AS n FROM checks WHERE cached = 1") == [
        {"n": len(urls)}
    ]


def test_a_url_twice_in_one_batch_keeps_its_order(fresh_store: Store, settings: Settings) -> None:
    run = fresh_store.begin_run([], "test")
    url = URLS[0]
    fresh_store.save_results(run, [result(url, Verdict.DEAD), result(url, Verdict.OK)], settings)
    assert fresh_store.query("SELECT verdict FROM urls") == [{"verdict": "ok"}]
    skipped = dataclasses.replace(result(url, Verdict.SKIPPED), reason="excluded")
    fresh_store.save_results(run, [result(url, Verdict.DEAD), skipped], settings)
    assert fresh_store.query("SELECT verdict, consecutive_failures FROM urls") == [
        {"verdict": "skipped", "consecutive_failures": 1}
    ]


def test_cached_results_saved_as_read_are_copied_and_changed_ones_rebuilt(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    """A cached result saved as ``cached_results`` read it is copied in SQL; one changed
    since (an archive snapshot added) is written from the result, so the change is kept."""
    urls = ["https://a.example/", "https://b.example/"]
    first = fresh_store.begin_run([], "test")
    fresh_store.save_results(first, [result(u) for u in urls], settings)
    clock.advance(minutes=5)
    found = fresh_store.cached_results(urls, settings)
    changed = dataclasses.replace(found[urls[1]], final_url="https://b.example/moved")
    second = fresh_store.begin_run([], "test")
    saved = fresh_store.save_results(second, [found[urls[0]], changed], settings)
    assert saved[0] is found[urls[0]]
    rows = fresh_store.query(
        "SELECT u.url, c.* FROM checks c JOIN urls u ON u.id = c.url_id WHERE c.run_id = ? "
        "ORDER BY u.url",
        [second],
    )
    assert [(r["url"], r["final_url"], r["cached"]) for r in rows] == [
        (urls[0], None, 1),
        (urls[1], "https://b.example/moved", 1),
    ]
    first_rows = fresh_store.query("SELECT * FROM checks WHERE run_id = ? ORDER BY id", [first])
    copied = {k: v for k, v in rows[0].items() if k not in ("id", "run_id", "cached", "url")}
    original = {k: v for k, v in first_rows[0].items() if k not in ("id", "run_id", "cached")}
    assert copied == original  # the same check, marked as reused by the second run
