"""
The Internet Archive's look-ups: the availability API first, the CDX API as a fallback.

The availability API answers ``{"archived_snapshots": {}}`` when it knows nothing, and is
known to miss captures the CDX index holds (lychee reads the Wayback redirect for the same
reason), hence the fallback. CDX ``sort=closest`` is asked for, but the nearest capture is
also computed here, so an index that ignores the sort still yields the closest one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from linkaudit.archive.client import request, response_json
from linkaudit.archive.recognize import SERVICE_WAYBACK
from linkaudit.config import Settings
from linkaudit.exceptions import ArchiveError
from linkaudit.models import Snapshot

__all__ = ["CDX_LIMIT", "availability", "cdx", "closest", "timestamp_datetime"]

#: Captures asked of the CDX index around the citation date.
CDX_LIMIT = 50


async def availability(
    url: str, cited_on: dt.date | None, settings: Settings, client: httpx.AsyncClient
) -> Snapshot | None:
    """The availability API's closest capture, or ``None`` when it has none."""
    params = {"url": url}
    if cited_on is not None:
        params["timestamp"] = cited_on.strftime("%Y%m%d")
    response = await request(client, "GET", settings.wayback_url, settings, params=params)
    data = response_json(response)
    if not isinstance(data, dict) or not isinstance(data.get("archived_snapshots"), dict):
        raise ArchiveError(f"{settings.wayback_url}: unexpected answer {str(data)[:80]!r}")
    closest_capture = data["archived_snapshots"].get("closest")
    if not isinstance(closest_capture, dict) or closest_capture.get("available") is not True:
        return None
    return _availability_snapshot(url, closest_capture)


def _availability_snapshot(url: str, capture: dict[str, Any]) -> Snapshot | None:
    snapshot_url, timestamp = capture.get("url"), capture.get("timestamp")
    status = str(capture.get("status", "200"))
    if not isinstance(snapshot_url, str) or not status.startswith("2"):
        return None
    stamp = str(timestamp) if timestamp is not None and str(timestamp).isdigit() else None
    return Snapshot(url=snapshot_url, timestamp=stamp, original=url, service=SERVICE_WAYBACK)


async def cdx(
    url: str, cited_on: dt.date | None, settings: Settings, client: httpx.AsyncClient
) -> Snapshot | None:
    """The CDX index's capture with status 200 nearest to ``cited_on`` (the latest without)."""
    params = {
        "url": url,
        "output": "json",
        "fl": "timestamp,original,statuscode",
        "filter": "statuscode:200",
        "limit": str(CDX_LIMIT),
    }
    if cited_on is not None:
        params |= {"closest": cited_on.strftime("%Y%m%d"), "sort": "closest"}
    else:
        params["limit"] = str(-CDX_LIMIT)  # the newest captures
    response = await request(client, "GET", settings.cdx_url, settings, params=params)
    rows = _cdx_rows(response_json(response), settings.cdx_url)
    best = closest(rows, cited_on)
    if best is None:
        return None
    timestamp, original = best
    return Snapshot(
        url=f"{_replay_base(settings.cdx_url)}/web/{timestamp}/{original}",
        timestamp=timestamp,
        original=original,
        service=SERVICE_WAYBACK,
    )


def _cdx_rows(data: Any, source: str) -> list[tuple[str, str]]:
    """(timestamp, original) rows; the first row of ``output=json`` is the field names."""
    if data is None or data == []:
        return []
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise ArchiveError(f"{source}: unexpected CDX answer {str(data)[:80]!r}")
    header, *rows = data
    try:
        ts, orig, code = (header.index(name) for name in ("timestamp", "original", "statuscode"))
    except ValueError as exc:
        raise ArchiveError(f"{source}: CDX header without the fields asked for") from exc
    return [
        (str(row[ts]), str(row[orig]))
        for row in rows
        if len(row) == len(header) and str(row[code]) == "200" and str(row[ts]).isdigit()
    ]


def closest(rows: Sequence[tuple[str, str]], cited_on: dt.date | None) -> tuple[str, str] | None:
    """The row nearest to ``cited_on`` (ties: the earlier one); the latest when no date."""
    dated = [(timestamp_datetime(row[0]), row) for row in rows]
    usable = [(when, row) for when, row in dated if when is not None]
    if not usable:
        return None
    if cited_on is None:
        return max(usable, key=lambda item: item[0])[1]
    target = dt.datetime.combine(cited_on, dt.time(), tzinfo=dt.UTC)
    return min(usable, key=lambda item: (abs(item[0] - target), item[0]))[1]


def timestamp_datetime(timestamp: str) -> dt.datetime | None:
    """A 4–14 digit archive timestamp as a UTC datetime (missing parts are the earliest)."""
    if not timestamp.isdigit() or not 4 <= len(timestamp) <= 14:
        return None
    padded = timestamp + "0101000000"[len(timestamp) - 4 :] if len(timestamp) < 14 else timestamp
    try:
        return dt.datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _replay_base(cdx_url: str) -> str:
    """``https://web.archive.org`` from ``https://web.archive.org/cdx/search/cdx``."""
    parts = urlsplit(cdx_url)
    return f"{parts.scheme}://{parts.netloc}"
