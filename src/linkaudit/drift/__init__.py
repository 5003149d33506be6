"""
Content drift (``--drift``): does the live page still say what the brief cited it for?

For an ``ok`` or ``redirected`` web page, the live page's main text (from the check's body
sample) is compared with the unrewritten replay (``id_``) of the snapshot closest to the
citation date; without a snapshot, with the page as linkaudit first checked it (kept in the
store, bounded), so a scheduled job notices drift from then on. Quotations in the sentence
around each citation are looked for in the live page and in the snapshot. The comparison
itself is pure (``drift.text``); this module fetches what it compares.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import MutableMapping
from typing import Any

import httpx

from linkaudit.archive.client import request
from linkaudit.archive.lookup import find_snapshot
from linkaudit.config import Settings
from linkaudit.drift.text import (
    DriftState,
    PageText,
    drift_state,
    find_quotations,
    main_text,
    quotation_found,
    similarity,
)
from linkaudit.exceptions import ArchiveError
from linkaudit.models import Drift, Quote, Result, Snapshot
from linkaudit.verdicts import Verdict

__all__ = ["DRIFT_VERDICTS", "FIRST_CHECK", "MAX_STORED_TEXT", "assess", "wants_drift"]

DRIFT_VERDICTS = frozenset({Verdict.OK, Verdict.REDIRECTED})
FIRST_CHECK = "first_check"
MAX_STORED_TEXT = 20_000
"""Characters of a page's first-check text kept in the store."""
_SNAPSHOT_BYTES = 2_000_000
_WAYBACK = re.compile(r"(/web/\d{1,14})([a-z]{2}_)?/")


def wants_drift(result: Result, body: str, content_type: str | None, settings: Settings) -> bool:
    """A web page answered with text worth comparing."""
    if not settings.drift or result.verdict not in DRIFT_VERDICTS or not body:
        return False
    kind = (content_type or "").lower()
    return result.url.startswith(("http://", "https://")) and ("html" in kind or "text" in kind)


async def assess(
    result: Result,
    body: str,
    cited_on: dt.date | None,
    settings: Settings,
    client: httpx.AsyncClient,
    *,
    first_checks: MutableMapping[str, Any],
    lookup_cache: MutableMapping[str, Any],
    today: dt.date,
) -> Result:
    """``result`` with its drift and quotations filled in."""
    now = main_text(body)
    snapshot = await _snapshot(result.url, cited_on, settings, client, lookup_cache)
    then, compared_with, compared_at = None, None, None
    if snapshot is not None:
        then = await _replay(snapshot, settings, client)
        if then is not None:
            compared_with, compared_at = snapshot.url, _date(snapshot.timestamp)
    first = first_checks.get(result.url)
    if then is None and isinstance(first, dict):
        then = PageText(str(first.get("title") or ""), str(first.get("text") or ""))
        compared_with, compared_at = FIRST_CHECK, str(first.get("checked_on") or "") or None
    if first is None:
        first_checks[result.url] = {
            "checked_on": today.isoformat(),
            "title": now.title[:500],
            "text": now.text[:MAX_STORED_TEXT],
        }
    if then is None:
        drift = Drift(DriftState.UNKNOWN.value)
    else:
        score = similarity(then, now if compared_with != FIRST_CHECK else _bounded(now))
        state = drift_state(score, then, now)
        drift = Drift(state.value, round(score, 3), compared_with, compared_at)
    snapshot_text = then if compared_with not in (None, FIRST_CHECK) else None
    return dataclasses.replace(result, drift=drift, quotes=_quotes(result, now, snapshot_text))


def _bounded(page: PageText) -> PageText:
    """The live page cut as its first check was stored, so both sides are alike."""
    return PageText(page.title[:500], page.text[:MAX_STORED_TEXT])


def _quotes(result: Result, now: PageText, snapshot: PageText | None) -> tuple[Quote, ...]:
    found: dict[tuple[str, str], Quote] = {}
    for occurrence in result.occurrences:
        for quote in find_quotations(occurrence.context):
            key = (occurrence.document, quote)
            if key in found:
                continue
            found[key] = Quote(
                text=quote,
                found=quotation_found(quote, now),
                in_snapshot=None if snapshot is None else quotation_found(quote, snapshot),
                document=occurrence.document,
                line=occurrence.line,
                page=occurrence.page,
            )
    return tuple(found.values())


async def _snapshot(
    url: str,
    cited_on: dt.date | None,
    settings: Settings,
    client: httpx.AsyncClient,
    cache: MutableMapping[str, Any],
) -> Snapshot | None:
    key = f"{url} {cited_on.isoformat() if cited_on else '-'}"
    try:
        cached = cache[key]
    except KeyError:
        cached = await find_snapshot(url, cited_on, settings, client)
        cache[key] = cached
    return cached if isinstance(cached, Snapshot) else None


async def _replay(
    snapshot: Snapshot, settings: Settings, client: httpx.AsyncClient
) -> PageText | None:
    """The snapshot's page as it was captured (Wayback's ``id_`` replay, no toolbar)."""
    url = _WAYBACK.sub(lambda m: f"{m.group(1)}id_/", snapshot.url, count=1)
    try:
        response = await request(client, "GET", url, settings, follow_redirects=True)
    except ArchiveError:
        return None
    if not response.is_success:
        return None
    content = response.content[:_SNAPSHOT_BYTES]
    return main_text(content.decode(response.encoding or "utf-8", "replace"))


def _date(timestamp: str | None) -> str | None:
    if not timestamp or len(timestamp) < 8:
        return None
    return f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"
