"""
``linkaudit archive``: which cited pages have no recent snapshot, and saving them.

It shows what it would save and submits nothing unless told to (``--save --yes``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkaudit.archive.client import make_archive_client
from linkaudit.archive.lookup import find_snapshot
from linkaudit.archive.recognize import recognize
from linkaudit.archive.save import ENV_ACCESS, ENV_SECRET, save_pages, spn_credentials
from linkaudit.config import DEFAULT_PRESERVED_WITHIN_DAYS, Settings
from linkaudit.exceptions import ConfigError
from linkaudit.models import Snapshot
from linkaudit.printable import neutralise

if TYPE_CHECKING:  # the shared contract only; archive does not run extraction
    from linkaudit.models import Extraction

__all__ = ["Preservation", "preservation", "preserve", "robust_link", "robust_links"]


@dataclass(frozen=True, slots=True)
class Preservation:
    """One cited page and its most recent snapshot (None: never archived)."""

    url: str
    snapshot: Snapshot | None
    recent: bool


def _cited_urls(extractions: Sequence[Extraction]) -> list[str]:
    seen: dict[str, None] = {}
    for extraction in extractions:
        for occurrence in extraction.occurrences:
            url = occurrence.url
            web = occurrence.problem is None and url.startswith(("http://", "https://"))
            if web and recognize(url) is None:  # an archive link is preserved already
                seen.setdefault(url.split("#", 1)[0], None)
    return list(seen)


def _is_recent(snapshot: Snapshot | None, today: dt.date, within_days: int) -> bool:
    if snapshot is None or not snapshot.timestamp or len(snapshot.timestamp) < 8:
        return False
    taken = dt.datetime.strptime(snapshot.timestamp[:8], "%Y%m%d").date()
    return (today - taken).days <= within_days


async def preservation(
    urls: Sequence[str], settings: Settings, *, within_days: int, today: dt.date
) -> list[Preservation]:
    """The snapshot nearest today of every URL, looked up a few at a time."""
    limit = asyncio.Semaphore(max(1, settings.max_per_host))
    async with make_archive_client(settings) as client:

        async def one(url: str) -> Preservation:
            async with limit:
                snapshot = await find_snapshot(url, today, settings, client)
            return Preservation(url, snapshot, _is_recent(snapshot, today, within_days))

        return list(await asyncio.gather(*(one(url) for url in urls)))


async def preserve(
    extractions: Sequence[Extraction],
    settings: Settings,
    *,
    save: bool,
    confirmed: bool,
    within_days: int = DEFAULT_PRESERVED_WITHIN_DAYS,
    today: dt.date | None = None,
) -> tuple[str, bool]:
    """The text to print, and whether anything failed to save."""
    today = today or dt.date.today()
    found = await preservation(
        _cited_urls(extractions), settings, within_days=within_days, today=today
    )
    missing = [p for p in found if not p.recent]
    lines = [
        f"{len(missing)} of {len(found)} cited pages have no snapshot "
        f"from the last {within_days} days"
    ]
    for item in missing:
        state = "stale" if item.snapshot else "never archived"
        lines.append(f"  {state:<16} {neutralise(item.url)}")
    if not save or not missing:
        if missing:
            lines.append("run with --save --yes to submit these to Save Page Now")
        return "\n".join(lines) + "\n", False
    if not confirmed:
        lines.append(f"would save {len(missing)} pages; add --yes to submit them")
        return "\n".join(lines) + "\n", False
    credentials = spn_credentials()
    if credentials is None:
        raise ConfigError(f"Save Page Now needs {ENV_ACCESS} and {ENV_SECRET} in the environment")
    outcomes = await save_pages(
        [p.url for p in missing], settings, access_key=credentials[0], secret_key=credentials[1]
    )
    failed = False
    for outcome in outcomes:
        ok = outcome.status == "success"
        detail = outcome.snapshot.url if ok and outcome.snapshot else (outcome.message or "")
        state = "saved" if ok else outcome.status
        lines.append(
            f"  {neutralise(state):<16} {neutralise(outcome.url)} {neutralise(detail)}".rstrip()
        )
        failed = failed or not ok
    return "\n".join(lines) + "\n", failed


def robust_link(url: str, snapshot: str, date: str | None, text: str) -> str:
    """The Robust Link markup to paste for a cited page and its snapshot
    (https://robustlinks.mementoweb.org/)."""
    attrs = f' data-versionurl="{html.escape(snapshot)}"'
    if date:
        attrs += f' data-versiondate="{html.escape(date)}"'
    return f'<a href="{html.escape(url)}"{attrs}>{html.escape(text or url, quote=False)}</a>'


async def robust_links(
    extractions: Sequence[Extraction], settings: Settings, *, today: dt.date | None = None
) -> str:
    """The Robust Link of every cited page that has a snapshot, one per line."""
    today = today or dt.date.today()
    texts: dict[str, str] = {}
    for extraction in extractions:
        for occurrence in extraction.occurrences:
            texts.setdefault(occurrence.url.split("#", 1)[0], occurrence.text)
    found = await preservation(_cited_urls(extractions), settings, within_days=0, today=today)
    lines = []
    for item in found:
        if item.snapshot is None:
            continue
        stamp = item.snapshot.timestamp or ""
        date = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}" if len(stamp) >= 8 else None
        markup = robust_link(item.url, item.snapshot.url, date, texts.get(item.url, ""))
        lines.append(neutralise(markup))
    return "".join(line + "\n" for line in lines)
