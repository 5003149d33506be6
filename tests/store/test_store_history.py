"""The pure history rules, table-tested, and the same rules through the store."""

from __future__ import annotations

import datetime as dt

import pytest

from linkaudit.config import Settings
from linkaudit.models import History
from linkaudit.store import Store
from linkaudit.store.history import PastCheck, count_flips, decide, failing_streak
from linkaudit.verdicts import Verdict

from .conftest import START, Clock, result

O, U, D, R, S, I = (  # noqa: E741 - one letter per verdict keeps the tables readable
    Verdict.OK,
    Verdict.UNREACHABLE,
    Verdict.DEAD,
    Verdict.RESTRICTED,
    Verdict.SKIPPED,
    Verdict.INVALID,
)


def timeline(verdicts: list[Verdict], *, hours: float = 24.0) -> list[PastCheck]:
    """One check per run, ``hours`` apart."""
    return [
        PastCheck(run_id=i + 1, checked_at=START + dt.timedelta(hours=hours * i), verdict=v)
        for i, v in enumerate(verdicts)
    ]


def run_rules(
    verdicts: list[Verdict], *, hours: float = 24.0, runs: int = 3, days: float = 3.0
) -> tuple[Verdict, History]:
    checks = timeline(verdicts, hours=hours)
    return decide(checks[:-1], checks[-1], first_seen=None, escalate_runs=runs, escalate_days=days)


@pytest.mark.parametrize(
    ("verdicts", "hours", "expected", "escalated"),
    [
        ([U, U, U], 24.0, U, False),  # three runs over two days: not yet
        ([U, U, U, U], 24.0, D, True),  # four runs over three days
        ([U, U, U], 36.0, D, True),  # three runs over exactly three days
        ([U, U, U, U, U], 1.0, U, False),  # five runs in one day
        ([U, U, O, U, U], 24.0, U, False),  # the streak restarted on day three
        ([U, U, R, U, U], 24.0, U, False),  # a login wall is an answer: streak restarts
        ([U, S, U, I, U, U], 24.0, D, True),  # skipped / invalid carry no evidence
        ([U, D, U, U], 24.0, D, True),  # a dead check keeps the streak; its run does not count
        ([D, D, D, D], 24.0, D, False),  # already dead: nothing to escalate
        ([U, U, U, O], 48.0, O, False),
    ],
)
def test_escalation(
    verdicts: list[Verdict], hours: float, expected: Verdict, escalated: bool
) -> None:
    verdict, history = run_rules(verdicts, hours=hours)
    assert verdict is expected
    assert history.escalated is escalated


def test_escalation_numbers_are_settings() -> None:
    assert run_rules([U, U], hours=24.0, runs=2, days=1.0)[0] is D
    assert run_rules([U, U, U, U], hours=24.0, runs=5, days=1.0)[0] is U


@pytest.mark.parametrize(
    ("verdicts", "consecutive", "since_index"),
    [
        ([O], 0, None),
        ([U], 1, 0),
        ([O, U, D], 2, 1),
        ([U, U, O], 0, None),
        ([U, S, U], 2, 0),
        ([U, R, U], 1, 2),
    ],
)
def test_consecutive_failures_and_failing_since(
    verdicts: list[Verdict], consecutive: int, since_index: int | None
) -> None:
    _, history = run_rules(verdicts)
    assert history.consecutive_failures == consecutive
    expected = None if since_index is None else START + dt.timedelta(hours=24 * since_index)
    assert history.failing_since == expected


@pytest.mark.parametrize(
    ("verdicts", "flapping"),
    [
        ([O, O, O, O], False),
        ([O, U, U, U], False),  # one flip
        ([O, U, O], True),  # two flips
        ([U, O, U, O, U, O], True),
        ([O, U, O, O, O, O, O, O], False),  # the flips left the window of six
        ([O, S, U, I, O], True),  # no-evidence checks are not states
    ],
)
def test_flapping(verdicts: list[Verdict], flapping: bool) -> None:
    assert run_rules(verdicts)[1].flapping is flapping


@pytest.mark.parametrize(
    ("verdicts", "recovered"),
    [
        ([U, O], True),
        ([D, Verdict.REDIRECTED], True),
        ([U, S, O], True),
        ([O, O], False),
        ([U, R], False),  # restricted is not ok
        ([O], False),
        ([U, U], False),
    ],
)
def test_recovered(verdicts: list[Verdict], recovered: bool) -> None:
    assert run_rules(verdicts)[1].recovered is recovered


def test_last_ok_and_first_seen() -> None:
    _, history = run_rules([O, U, U])
    assert history.last_ok == START
    assert history.first_seen == START
    checks = timeline([U])
    _, kept = decide(
        [], checks[0], first_seen=START, last_ok=START, escalate_runs=3, escalate_days=3
    )
    assert kept.last_ok == START


def test_helpers() -> None:
    assert count_flips(timeline([O, U, O, U])) == 3
    assert [c.run_id for c in failing_streak(timeline([U, O, U, S, D]))] == [3, 5]


# --- the same rules through the store, with an injected clock


def test_store_escalates_after_three_runs_over_three_days(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    verdicts = []
    for _ in range(4):
        run = fresh_store.begin_run([], "test")
        saved = fresh_store.save_result(run, result("https://a.example/", U), settings)
        fresh_store.finish_run(run, {})
        verdicts.append(saved.verdict)
        clock.advance(days=1)
    assert verdicts == [U, U, U, D]
    assert saved.reason == "timeout"  # the original reason is kept
    assert saved.history is not None and saved.history.escalated
    assert saved.history.consecutive_failures == 4
    assert saved.history.failing_since == START
    timeline_ = fresh_store.url_history("https://a.example/")
    assert [c.verdict for c in timeline_] == verdicts
    assert timeline_[-1].escalated


def test_store_does_not_escalate_three_runs_in_one_day(
    fresh_store: Store, clock: Clock, settings: Settings
) -> None:
    for _ in range(5):
        run = fresh_store.begin_run([], "test")
        saved = fresh_store.save_result(run, result("https://a.example/", U), settings)
        fresh_store.finish_run(run, {})
        clock.advance(hours=4)
    assert saved.verdict is U
    assert saved.history is not None and saved.history.consecutive_failures == 5


def test_store_flapping_and_recovered(fresh_store: Store, clock: Clock, settings: Settings) -> None:
    seen = []
    for verdict in (O, U, O):
        run = fresh_store.begin_run([], "test")
        seen.append(fresh_store.save_result(run, result("https://f.example/", verdict), settings))
        fresh_store.finish_run(run, {})
        clock.advance(hours=2)
    last = seen[-1].history
    assert last is not None and last.flapping and last.recovered
    assert last.last_ok == START + dt.timedelta(hours=4)
    state = fresh_store.query("SELECT flapping, consecutive_failures FROM urls")
    assert state == [{"flapping": 1, "consecutive_failures": 0}]
