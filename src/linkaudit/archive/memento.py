"""
A Memento TimeGate (RFC 7089) as the second service: any compliant archive or aggregator.

The TimeGate answers ``Accept-Datetime`` with a 302 whose ``Location`` is the chosen memento
and whose ``Link`` header names it (``rel="memento"``, with its ``datetime``) beside the
original, the TimeMap and the first and last mementos. Some archives serve the memento
directly (200 with ``Memento-Datetime``, RFC 7089 §4.1.2); both are read.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from linkaudit.archive.client import request
from linkaudit.archive.recognize import SERVICE_MEMENTO, recognize
from linkaudit.config import Settings
from linkaudit.exceptions import ArchiveError
from linkaudit.models import Snapshot

__all__ = ["LinkEntry", "http_date", "parse_link_header", "timegate"]

_ENTRY = re.compile(r'\s*<([^>]*)>((?:\s*;\s*[\w*-]+\s*(?:=\s*(?:"[^"]*"|[^,;]*))?)*)\s*,?')
_PARAM = re.compile(r'\s*;\s*([\w*-]+)\s*(?:=\s*("[^"]*"|[^,;]*))?')


@dataclass(frozen=True, slots=True)
class LinkEntry:
    """One ``<uri>; rel=…; datetime=…`` of a Link header."""

    url: str
    rels: frozenset[str]
    datetime: dt.datetime | None = None


def parse_link_header(value: str, base: str = "") -> list[LinkEntry]:
    """The entries of a Link header (RFC 8288); datetimes are RFC 1123 dates and hold commas."""
    entries = []
    position = 0
    while position < len(value):
        match = _ENTRY.match(value, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        params = {
            k.lower(): (v or "").strip().strip('"') for k, v in _PARAM.findall(match.group(2))
        }
        rels = frozenset(params.get("rel", "").lower().split())
        entries.append(
            LinkEntry(
                urljoin(base, match.group(1).strip()), rels, _parse_date(params.get("datetime"))
            )
        )
    return entries


def _parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None


def http_date(day: dt.date) -> str:
    """``Accept-Datetime`` for noon UTC of ``day`` (RFC 1123, as RFC 7089 requires)."""
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


async def timegate(
    url: str, cited_on: dt.date | None, settings: Settings, client: httpx.AsyncClient
) -> Snapshot | None:
    """The memento the TimeGate picks for ``cited_on`` (the latest without a date), or None."""
    headers = {"Accept-Datetime": http_date(cited_on)} if cited_on is not None else {}
    response = await request(client, "GET", settings.memento_url + url, settings, headers=headers)
    if response.status_code in (404, 410):
        return None
    base = str(response.request.url)
    links = parse_link_header(response.headers.get("link", ""), base)
    if response.is_redirect and "location" in response.headers:
        return _snapshot(url, urljoin(base, response.headers["location"]), links)
    if response.is_success and "memento-datetime" in response.headers:
        when = _parse_date(response.headers["memento-datetime"])
        return _make(url, urljoin(base, response.headers.get("content-location", base)), when)
    raise ArchiveError(f"{settings.memento_url}: unexpected HTTP {response.status_code}")


def _snapshot(original: str, location: str, links: list[LinkEntry]) -> Snapshot:
    entry = next((e for e in links if e.url == location and "memento" in e.rels), None)
    return _make(original, location, entry.datetime if entry else None)


def _make(original: str, location: str, when: dt.datetime | None) -> Snapshot:
    known = recognize(location)
    timestamp = when.strftime("%Y%m%d%H%M%S") if when else (known.timestamp if known else None)
    service = known.service if known and known.service else SERVICE_MEMENTO
    return Snapshot(url=location, timestamp=timestamp, original=original, service=service)
