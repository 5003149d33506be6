"""``--check-originals`` through a whole run: the snapshots come from the store, as a run
that reached the archive left them (no test reaches web.archive.org)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from linkaudit.config import Settings
from linkaudit.models import Result, Snapshot
from linkaudit.run.pipeline import run_check
from linkaudit.store import Store
from linkaudit.verdicts import Reason, Verdict
from web import SimWeb


def seed_archived(db: Path, snapshots: dict[str, str]) -> None:
    """A finished run that found each snapshot URL archived (snapshot → its original), as a
    run that reached the archive would have stored it: the next run takes it from the store."""
    with Store.open(db) as store:
        run = store.begin_run([], "test")
        for url, original in snapshots.items():
            service = "webcite" if "webcitation" in url else "wayback"
            archive = Snapshot(url=url, timestamp="2020", original=original, service=service)
            archived = Result(url, Verdict.ARCHIVED, Reason.WAYBACK, archive=archive)
            store.save_result(run, archived, Settings())
        store.finish_run(run, {"archived": len(snapshots)})


async def check_originals_of(
    snapshots: dict[str, str],
    tmp_path: Path,
    web: SimWeb,
    settings: Settings,
    *,
    live: bool = True,
) -> dict[str, str | None]:
    """``check --check-originals`` on a brief citing ``snapshots`` (and, with ``live``, one
    live page, so that the run fetches something besides): each snapshot's note, by its URL."""
    db = tmp_path / "store.sqlite"
    seed_archived(db, snapshots)
    doc = tmp_path / "brief.md"
    cited = [*snapshots, *([web.url("/status/200?live")] if live else [])]
    doc.write_text("".join(f"[{n}]({url})\n" for n, url in enumerate(cited)))
    settings = dataclasses.replace(settings, check_originals=True, soft404=False, archive="none")
    outcome = await run_check([str(doc)], settings, db=db)
    found = {r.url: r for r in outcome.report.results}
    assert all(found[url].verdict is Verdict.ARCHIVED for url in snapshots)
    return {url: found[url].error for url in snapshots}
