"""
Reports from the store alone, with no network: a past run, what changed, a URL's timeline,
and the archive health report.

Like ``pipeline``, this joins stages (store → report), so that ``report/`` never opens the
store and renders only what it is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from linkaudit.config import Settings
from linkaudit.exceptions import ConfigError, StoreError
from linkaudit.gate import apply_baseline, load_baseline
from linkaudit.models import Result, RunId
from linkaudit.printable import json_text, neutralise
from linkaudit.report import get_reporter
from linkaudit.report.base import HealthPoint, Report, ReportOptions
from linkaudit.report.build import build_report
from linkaudit.report.health import render_health
from linkaudit.store import Changes, CheckRecord, RunInfo, RunStatus, Store
from linkaudit.verdicts import Reason

__all__ = ["render_history", "render_stored", "stored_report"]

HEALTH_FORMATS = ("table", "json", "markdown", "html")


def render_stored(
    settings: Settings,
    *,
    fmt: str,
    run_id: int | None = None,
    since: dt.datetime | None = None,
    health: bool = False,
    today: dt.date | None = None,
) -> str:
    """A stored run (default: the latest finished one) rendered as ``fmt``, with its changes."""
    store = Store.open(settings.db, read_only=True)
    try:
        report, info, changes, previous = stored_report(store, run_id, since, online=health)
    finally:
        store.close()
    if health:
        if fmt not in HEALTH_FORMATS:
            raise ConfigError(f"--health renders {', '.join(HEALTH_FORMATS)}, not {fmt!r}")
        return render_health(report, previous, fmt=fmt, today=today or dt.date.today())
    if settings.baseline:
        baseline = load_baseline(Path(settings.baseline))
        report = apply_baseline(report, baseline, today or dt.date.today(), settings.fail_on)
    text = get_reporter(fmt, ReportOptions(fail_on=settings.fail_on, width=80)).render(report)
    return _with_changes(text, fmt, info, changes)


def stored_report(
    store: Store, run_id: int | None, since: dt.datetime | None, *, online: bool = False
) -> tuple[Report, RunInfo, Changes, dict[str, str]]:
    """The report of one stored run, its changes, and the previous run's verdicts by URL.

    With ``online`` (the health report) and no ``run_id``, the latest finished run that could
    reach the network, and the previous such run: an offline run's figures say nothing of
    the links, so they are never mixed into rates."""
    runs = store.runs()
    if not runs:
        raise StoreError(f"{store.path}: no runs in the store yet; run `linkaudit check` first")
    offline = offline_runs(store)
    if run_id is None and online:
        usable = [r.id for r in runs if r.status == "finished" and r.id not in offline]
        run_id = usable[-1] if usable else None
    info, results = store.run_results(RunId(run_id) if run_id is not None else None)
    documents = store.run_documents(info.id)
    changes = store.changes_since(since, info.id)
    earlier = [
        r
        for r in runs
        if r.id < info.id and r.status == "finished" and not (online and r.id in offline)
    ]
    previous: dict[str, str] = {}
    if earlier:
        _, before = store.run_results(earlier[-1].id)
        previous = {r.url: r.verdict.value for r in before}
    points = [
        HealthPoint(run_at=r.started_at, by_verdict=dict(r.counts), offline=r.id in offline)
        for r in runs
        if r.id <= info.id and r.counts
    ]
    report = build_report(
        documents,
        results,
        network="unavailable" if info.id in offline else "ok",
        generated_at=info.finished_at or info.started_at,
        warnings=_run_warnings(info, store.runs()),
    )
    return _with_health(report, points), info, changes, previous


def offline_runs(store: Store) -> frozenset[int]:
    """Runs that checked nothing remote: made with ``--offline``, or whose checks found the
    machine offline (``network_unavailable``)."""
    flagged = {r.id for r in store.runs() if "--offline" in r.arguments}
    rows = store.query(
        "SELECT DISTINCT run_id FROM checks WHERE reason = ?", [Reason.NETWORK_UNAVAILABLE.value]
    )
    return frozenset(flagged | {int(row["run_id"]) for row in rows})


def _run_warnings(info: RunInfo, runs: list[RunInfo]) -> list[str]:
    """What the report must say about the run it shows and the unfinished runs after it."""
    warnings: list[str] = []
    if info.status == RunStatus.ABANDONED:
        closed = f" (closed {info.finished_at:%Y-%m-%d %H:%M} UTC)" if info.finished_at else ""
        warnings.append(f"run {info.id} was abandoned: it never finished{closed}")
    elif info.status != RunStatus.FINISHED:
        warnings.append(f"run {info.id} did not finish ({info.status.value})")
    later = [r for r in runs if r.id > info.id and r.status != RunStatus.FINISHED]
    abandoned = [str(r.id) for r in later if r.status == RunStatus.ABANDONED]
    unfinished = [f"{r.id} ({r.status.value})" for r in later if r.status != RunStatus.ABANDONED]
    if abandoned:
        warnings.append(f"later run {', '.join(abandoned)} never finished and was abandoned")
    if unfinished:
        warnings.append(f"later run {', '.join(unfinished)} has not finished")
    return warnings


def _with_health(report: Report, points: list[HealthPoint]) -> Report:
    return dataclasses.replace(report, health=points)


def _with_changes(text: str, fmt: str, info: RunInfo, changes: Changes) -> str:
    """Newly dead, still dead (since when) and recovered, where the format has room for them."""
    lines = _change_lines(changes)
    if fmt == "json":
        data = json.loads(text)
        data["run"] = {"id": info.id, "started_at": info.started_at.isoformat()}
        data["changes"] = {
            "newly_dead": [r.url for r in changes.newly_dead],
            "still_dead": [{"url": r.url, "failing_since": _since(r)} for r in changes.still_dead],
            "recovered": [r.url for r in changes.recovered],
        }
        return json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
    heading, bullet = {
        "markdown": ("## Changes since the previous run\n", "- "),
        "table": ("Changes since the previous run", "  "),
    }.get(fmt, (None, ""))
    if heading is None:
        return text
    listed = "\n".join(f"{bullet}{line}" for line in lines)
    return text.rstrip("\n") + f"\n\n{heading}\n{listed}\n"


def _since(result: Result) -> str | None:
    moment = result.history.failing_since if result.history is not None else None
    return moment.isoformat() if moment else None


def _change_lines(changes: Changes) -> list[str]:
    lines = [f"newly dead: {neutralise(r.url)}" for r in changes.newly_dead]
    lines += [
        f"still dead: {neutralise(r.url)} (failing since {(_since(r) or '?')[:10]})"
        for r in changes.still_dead
    ]
    lines += [f"recovered: {neutralise(r.url)}" for r in changes.recovered]
    return lines or ["no change"]


def render_history(url: str, records: list[CheckRecord]) -> str:
    """One line per check, oldest first: when, verdict, reason, status, and what changed."""
    lines = [neutralise(url)]
    for record in records:
        status = record.status if record.status is not None else "-"
        flags = []
        if record.cached:
            flags.append("cached")
        if record.escalated:
            flags.append("escalated to dead")
        if record.final_url and record.final_url != url:
            flags.append(f"→ {neutralise(record.final_url)}")
        if record.error:
            flags.append(neutralise(record.error))
        extra = f"  ({'; '.join(flags)})" if flags else ""
        when = record.checked_at.strftime("%Y-%m-%d %H:%M")
        lines.append(
            f"  {when}  run {record.run_id:<4} {record.verdict.value:<12} "
            f"{record.reason or '':<20} {status}{extra}"
        )
    return "\n".join(lines) + "\n"
