"""
Find a snapshot for a URL, and attach snapshots to the results that need one.

Order: Wayback availability API, the CDX index, then a Memento TimeGate. A service that is
down, slow, rate-limited or talking nonsense is skipped (logged at debug level: a run whose
archives are unreachable says so once, in its summary, see ``client.unreachable_services``);
a look-up never raises. Robust Links (``data-versionurl``) come first: the author already
named the snapshot.

Only public web pages are looked up: never a ``file:`` path, a private or loopback address,
a placeholder or reserved name (``.example``, ``.invalid``, ``.local``, ``localhost``…) or an
excluded URL (those are ``skipped``/``invalid`` before any look-up). A cited snapshot that is
itself dead is looked up by its original, and never offered as its own replacement.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from urllib.parse import urlsplit

import httpx

from linkaudit.archive import memento, wayback
from linkaudit.archive.client import ServiceDown, make_archive_client, request
from linkaudit.archive.recognize import SERVICE_MEMENTO, is_web_url, recognize
from linkaudit.config import Settings
from linkaudit.exceptions import ArchiveError, ConfigError
from linkaudit.models import Result, Snapshot
from linkaudit.printable import neutralise
from linkaudit.verdicts import Verdict

__all__ = [
    "ARCHIVE_MODES",
    "LOOKUPS",
    "attach_snapshots",
    "find_snapshot",
    "is_public_web_url",
    "needs_snapshot",
    "robust_snapshot",
]

logger = logging.getLogger("linkaudit.archive")

Lookup = Callable[[str, dt.date | None, Settings, httpx.AsyncClient], Awaitable[Snapshot | None]]

#: The services asked, in order; the first that finds a snapshot wins.
LOOKUPS: tuple[tuple[str, Lookup], ...] = (
    ("wayback availability", wayback.availability),
    ("wayback cdx", wayback.cdx),
    ("memento timegate", memento.timegate),
)
ARCHIVE_MODES = ("none", "dead", "all")
_NEEDS_SNAPSHOT = frozenset({Verdict.DEAD, Verdict.REDIRECTED, Verdict.UNREACHABLE})
#: Concurrent look-ups; archives are shared, slow services and ask for politeness.
MAX_LOOKUPS = 4


async def find_snapshot(
    url: str, cited_on: dt.date | None, settings: Settings, client: httpx.AsyncClient
) -> Snapshot | None:
    """The snapshot closest to ``cited_on`` from the first service that has one, or None
    (None for anything but an http(s) URL: no service is asked about ``file:`` or ``ftp:``)."""
    if not is_web_url(url):
        return None
    for name, lookup in LOOKUPS:
        try:
            snapshot = await lookup(url, cited_on, settings, client)
        except ServiceDown:
            continue
        except ArchiveError as exc:
            logger.debug("archive look-up via %s failed: %s", name, neutralise(exc))
            continue
        if snapshot is not None:
            return snapshot
    return None


#: Names that never reach a public web page (RFC 6761, RFC 6762, RFC 8375); placeholder
#: names (``example.com``…) are ``invalid`` before any look-up.
_PRIVATE_SUFFIXES = (".invalid", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


def is_public_web_url(url: str, *, allow_private: bool = False) -> bool:
    """An http(s) URL of a public host: the only kind an archive can have captured
    (``allow_private``: loopback and private addresses too, as ``--allow-private`` says)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host  # a single-label name is an intranet host
    return allow_private or address.is_global


def needs_snapshot(result: Result, mode: str, *, allow_private: bool = False) -> bool:
    """Whether ``--archive MODE`` asks a look-up for this result (never for a local, private
    or non-web URL: see ``is_public_web_url``)."""
    if mode not in ARCHIVE_MODES:
        raise ConfigError(f"archive must be one of {', '.join(ARCHIVE_MODES)}, not {mode!r}")
    if mode == "none" or result.archive is not None:
        return False
    if result.verdict in (Verdict.INVALID, Verdict.SKIPPED, Verdict.ARCHIVED):
        return False
    if not is_public_web_url(_original(result.url), allow_private=allow_private):
        return False
    return mode == "all" or result.verdict in _NEEDS_SNAPSHOT


async def robust_snapshot(
    result: Result, settings: Settings, client: httpx.AsyncClient
) -> Snapshot | None:
    """The Robust Links snapshot an occurrence names, if it resolves (2xx after redirects)."""
    for occurrence in result.occurrences:
        robust = occurrence.robust
        if robust is None or not robust.version_url:
            continue
        try:
            response = await request(
                client, "GET", robust.version_url, settings, follow_redirects=True
            )
        except ArchiveError as exc:
            logger.warning("Robust Links snapshot failed: %s", neutralise(exc))
            continue
        if response.is_success:
            return _robust(result.url, robust.version_url, robust.version_date, robust.original_url)
    return None


def _robust(url: str, version_url: str, version_date: str | None, original: str | None) -> Snapshot:
    known = recognize(version_url)
    digits = re.sub(r"\D", "", version_date or "")[:14]
    timestamp = (known.timestamp if known else None) or (digits if len(digits) >= 4 else None)
    service = known.service if known and known.service else SERVICE_MEMENTO
    return Snapshot(url=version_url, timestamp=timestamp, original=original or url, service=service)


def _robust_date(result: Result) -> dt.date | None:
    """A ``data-versiondate`` is the date the author cited the page."""
    for occurrence in result.occurrences:
        if occurrence.robust and occurrence.robust.version_date:
            try:
                return dt.date.fromisoformat(occurrence.robust.version_date[:10])
            except ValueError:
                continue
    return None


async def attach_snapshots(
    results: Sequence[Result],
    cited_on: Callable[[Result], dt.date | None],
    settings: Settings,
    *,
    lookup_cache: MutableMapping[str, Snapshot | None] | None = None,
    client: httpx.AsyncClient | None = None,
) -> list[Result]:
    """New results with ``archive`` filled where ``settings.archive`` asks and one exists.

    Pass ``client`` to share one connection pool across calls (the pipeline asks once per
    dead link); without it a client is made for this call and closed after it.
    """
    cache: MutableMapping[str, Snapshot | None] = {} if lookup_cache is None else lookup_cache
    wanted = [
        needs_snapshot(result, settings.archive, allow_private=settings.allow_private)
        for result in results
    ]
    if not any(wanted):
        return list(results)
    gate = asyncio.Semaphore(MAX_LOOKUPS)
    owned = make_archive_client(settings) if client is None else contextlib.nullcontext(client)
    async with owned as client:

        async def one(result: Result) -> Result:
            async with gate:
                snapshot = await _snapshot_for(result, cited_on, settings, client, cache)
            return dataclasses.replace(result, archive=snapshot) if snapshot else result

        tasks = [one(r) if w else _same(r) for r, w in zip(results, wanted, strict=True)]
        return list(await asyncio.gather(*tasks))


async def _same(result: Result) -> Result:
    return result


async def _snapshot_for(
    result: Result,
    cited_on: Callable[[Result], dt.date | None],
    settings: Settings,
    client: httpx.AsyncClient,
    cache: MutableMapping[str, Snapshot | None],
) -> Snapshot | None:
    robust = await robust_snapshot(result, settings, client)
    if robust is not None:
        return robust
    day = settings.cited_on or _robust_date(result) or cited_on(result)
    original = _original(result.url)
    key = f"{original} {day.isoformat() if day else '-'}"
    try:
        found = cache[key]
    except KeyError:
        # Kept from the answer, not read back: a store-backed cache may write it later.
        found = cache[key] = await find_snapshot(original, day, settings, client)
    if found is not None and found.url == result.url:
        return None  # the cited snapshot is the dead link: not its own replacement
    return found


def _original(url: str) -> str:
    """The page a cited snapshot preserves (the URL itself when it is not a snapshot)."""
    snapshot = recognize(url)
    if snapshot is not None and snapshot.original:
        return snapshot.original
    return url
