"""The frozen values the store hands back besides ``Result``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from linkaudit.models import Result, RunId
from linkaudit.verdicts import Verdict

__all__ = ["Changes", "CheckRecord", "RunInfo", "RunStatus"]


class RunStatus(StrEnum):
    """Where a run stands; ``running`` after a crash means it never finished."""

    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"
    ABANDONED = "abandoned"
    """Left ``running`` or ``interrupted`` for longer than ``ABANDON_AFTER``: closed by a later
    run's start, and never resumed."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One run of linkaudit as the ``runs`` table records it."""

    id: RunId
    started_at: dt.datetime
    finished_at: dt.datetime | None
    arguments: tuple[str, ...]
    tool_version: str | None
    counts: Mapping[str, int] = field(default_factory=dict)
    status: RunStatus = RunStatus.RUNNING


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One check of one URL: a point on its timeline (``linkaudit history URL``)."""

    run_id: RunId
    checked_at: dt.datetime
    verdict: Verdict
    reason: str | None
    status: int | None = None
    final_url: str | None = None
    elapsed_ms: float | None = None
    attempts: int | None = None
    error: str | None = None
    title: str | None = None
    fingerprint: str | None = None
    cached: bool = False
    escalated: bool = False
    consecutive_failures: int = 0
    failing_since: dt.datetime | None = None
    url: str = ""


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed in ``run`` against what was known at ``baseline`` (before the run)."""

    run: RunInfo
    baseline: dt.datetime | None
    newly_dead: tuple[Result, ...] = ()
    """Dead now, not dead (or never checked) at the baseline."""
    still_dead: tuple[Result, ...] = ()
    """Dead now and at the baseline; ``history.failing_since`` says since when."""
    recovered: tuple[Result, ...] = ()
    """Working now (ok, redirected, archived), failing (dead, unreachable) at the baseline."""
