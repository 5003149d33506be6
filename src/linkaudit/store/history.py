"""
The history rules: pure functions from a URL's past checks and its new check to the
facts a report shows (failing since, consecutive failures, flapping, recovered) and,
where the evidence is strong enough, a verdict raised to dead.

Every verdict falls in one of four classes:

* **failing** (``dead``, ``unreachable``): evidence that the link is broken;
* **working** (``ok``, ``redirected``, ``archived``): a reader gets a page;
* **answered** (``restricted``): the host answered (login wall, bot challenge), so a
  failing streak ends, but it is not "ok" (``last_ok`` and ``recovered`` ignore it);
* **no evidence** (``invalid``, ``skipped``): nothing was fetched; every rule ignores it.

A single bad answer is evidence, not a verdict for all time: an ``unreachable`` URL
becomes ``dead`` only when it was unreachable in at least ``escalate_runs`` distinct runs
of its current failing streak, and those runs span at least ``escalate_days`` days
(InternetArchiveBot's rule). The original reason (timeout, connection…) is kept.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from linkaudit.models import History
from linkaudit.verdicts import Verdict

__all__ = [
    "FAILING",
    "FLAP_FLIPS",
    "FLAP_WINDOW",
    "NO_EVIDENCE",
    "WORKING",
    "PastCheck",
    "count_flips",
    "decide",
    "escalates",
    "failing_streak",
]

FAILING = frozenset({Verdict.DEAD, Verdict.UNREACHABLE})
WORKING = frozenset({Verdict.OK, Verdict.REDIRECTED, Verdict.ARCHIVED})
NO_EVIDENCE = frozenset({Verdict.INVALID, Verdict.SKIPPED})

#: A URL is flapping when it flipped between failing and not failing at least
#: ``FLAP_FLIPS`` times within its last ``FLAP_WINDOW`` checks (the new one included).
FLAP_FLIPS = 2
FLAP_WINDOW = 6


@dataclass(frozen=True, slots=True)
class PastCheck:
    """The facts of one real (not cached) check that the rules need."""

    run_id: int
    checked_at: dt.datetime
    verdict: Verdict
    """The verdict as observed, before any escalation (an escalated check counts as unreachable)."""


def failing_streak(checks: Sequence[PastCheck]) -> list[PastCheck]:
    """The trailing run of failing checks (no-evidence checks skipped), oldest first."""
    streak: list[PastCheck] = []
    for check in reversed(checks):
        if check.verdict in NO_EVIDENCE:
            continue
        if check.verdict not in FAILING:
            break
        streak.append(check)
    streak.reverse()
    return streak


def escalates(streak: Sequence[PastCheck], *, runs: int, days: float) -> bool:
    """True when ``unreachable`` held in ``runs`` distinct runs spread over ``days`` days."""
    unreachable = [c for c in streak if c.verdict is Verdict.UNREACHABLE]
    if runs <= 0 or len({c.run_id for c in unreachable}) < runs:
        return False
    span = max(c.checked_at for c in unreachable) - min(c.checked_at for c in unreachable)
    return span >= dt.timedelta(days=days)


def count_flips(checks: Sequence[PastCheck]) -> int:
    """How often the failing / not failing state changed along ``checks`` (evidence only)."""
    states = [c.verdict in FAILING for c in checks if c.verdict not in NO_EVIDENCE]
    return sum(1 for before, after in itertools.pairwise(states) if before != after)


def decide(
    past: Sequence[PastCheck],
    current: PastCheck,
    *,
    first_seen: dt.datetime | None,
    last_ok: dt.datetime | None = None,
    escalate_runs: int,
    escalate_days: float,
) -> tuple[Verdict, History]:
    """
    The verdict to report for ``current`` and the URL's history after it.

    ``past`` are the URL's earlier real checks, oldest first: at least its last
    ``FLAP_WINDOW`` and every check of its current failing streak. ``first_seen`` and
    ``last_ok`` are what the store knew before (older checks may not be in ``past``).
    """
    timeline = [*past, current]
    evidence = [c for c in timeline if c.verdict not in NO_EVIDENCE]
    streak = failing_streak(timeline)
    verdict = current.verdict
    escalated = verdict is Verdict.UNREACHABLE and escalates(
        streak, runs=escalate_runs, days=escalate_days
    )
    if escalated:
        verdict = Verdict.DEAD
    working = [c.checked_at for c in timeline if c.verdict in WORKING]
    if last_ok is not None:
        working.insert(0, last_ok)
    previous = [c for c in past if c.verdict not in NO_EVIDENCE]
    history = History(
        first_seen=first_seen or timeline[0].checked_at,
        last_ok=max(working) if working else None,
        failing_since=streak[0].checked_at if streak else None,
        consecutive_failures=len(streak),
        flapping=count_flips(evidence[-FLAP_WINDOW:]) >= FLAP_FLIPS,
        recovered=current.verdict in WORKING and bool(previous) and previous[-1].verdict in FAILING,
        escalated=escalated,
    )
    return verdict, history
