"""
Recognise web-archive snapshot URLs: which service, which original, which moment.

Pure string work, no I/O, so that classify may use it (the one stage-to-stage import the
layout allows). The host tables follow the archives InternetArchiveBot knows; a host that
is not listed is not an archive, however its path looks.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from linkaudit.models import Snapshot
from linkaudit.urls import split_url

__all__ = [
    "ARCHIVE_TODAY_HOSTS",
    "SERVICE_ARCHIVE_TODAY",
    "SERVICE_MEMENTO",
    "SERVICE_PERMA_CC",
    "SERVICE_WAYBACK",
    "SERVICE_WEBCITE",
    "WAYBACK_HOSTS",
    "is_web_url",
    "recognize",
]

SERVICE_WAYBACK = "wayback"
SERVICE_ARCHIVE_TODAY = "archive_today"
SERVICE_PERMA_CC = "perma_cc"
SERVICE_WEBCITE = "webcite"
SERVICE_MEMENTO = "memento"

#: Wayback installations: host → (path prefix before the timestamp, service name).
#: The Internet Archive's own are ``wayback``; other Memento-compliant archives are ``memento``.
WAYBACK_HOSTS: dict[str, tuple[str, str]] = {
    "web.archive.org": ("/web/", SERVICE_WAYBACK),
    "wayback.archive.org": ("/web/", SERVICE_WAYBACK),
    "web-beta.archive.org": ("/web/", SERVICE_WAYBACK),
    "wayback.archive-it.org": ("/", SERVICE_WAYBACK),  # /<collection>/<timestamp>/<original>
    "webarchive.loc.gov": ("/", SERVICE_MEMENTO),  # /all/<timestamp>/<original>
    "www.webarchive.org.uk": ("/wayback/", SERVICE_MEMENTO),  # /wayback/archive/<ts>/<original>
    "webarchive.org.uk": ("/wayback/", SERVICE_MEMENTO),
    "arquivo.pt": ("/wayback/", SERVICE_MEMENTO),
    "webarchive.nla.gov.au": ("/", SERVICE_MEMENTO),  # /awa/<timestamp>/<original>
    "webarchive.nationalarchives.gov.uk": ("/", SERVICE_MEMENTO),  # /ukgwa/<ts>/<original>
    "wayback.vefsafn.is": ("/wayback/", SERVICE_MEMENTO),
    "webarchive.bac-lac.gc.ca": ("/", SERVICE_MEMENTO),
    "swap.stanford.edu": ("/", SERVICE_MEMENTO),
    "wayback.library.yorku.ca": ("/", SERVICE_MEMENTO),
}

ARCHIVE_TODAY_HOSTS = frozenset(
    f"archive.{tld}" for tld in ("today", "ph", "is", "md", "li", "vn", "fo")
)
_WEBCITE_HOSTS = frozenset({"webcitation.org", "www.webcitation.org"})
_PERMA_HOSTS = frozenset({"perma.cc", "www.perma.cc"})
_GHOST_HOSTS = frozenset({"ghostarchive.org", "www.ghostarchive.org"})

# <collection segments>/<timestamp><modifier>/<original>; modifiers such as id_, if_, im_, js_.
_WAYBACK_SEGMENT = re.compile(r"^(?P<ts>\d{4,14})(?P<mod>[a-z]{2}_)?$")
_COLLECTION = re.compile(r"^[\w.-]+$")
_WAYBACK_NO_TS = re.compile(r"^(?P<orig>(?:https?|ftp):/.+)$", re.I | re.S)
_ARCHIVE_TODAY_TS = re.compile(r"^(?P<ts>\d{4}(?:\.?\d{2}){2}(?:-?\d{6})?)/(?P<orig>.+)$", re.S)
_ARCHIVE_TODAY_ID = re.compile(r"^(?:o/)?(?P<id>[A-Za-z0-9]{4,6})(?:/.*)?$")
_ARCHIVE_TODAY_WORDS = frozenset({"newest", "oldest", "timegate", "timemap"})
_PERMA_ID = re.compile(r"^(?P<id>[A-Z0-9]{4}-[A-Z0-9]{4})(?:/.*)?$", re.I)
_GHOST_ID = re.compile(r"^archive/(?P<id>[A-Za-z0-9]+)/?$")
_WEBCITE_ID = re.compile(r"^(?P<id>[A-Za-z0-9]{6,12})/?$")
_COLLAPSED_SCHEME = re.compile(r"^(https?|ftp):/(?!/)", re.I)
_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/|$)", re.U)


def recognize(url: str) -> Snapshot | None:
    """The snapshot ``url`` points to, or ``None`` when it is no archive snapshot."""
    try:
        parts = split_url(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    rest = _after_host(url.strip())
    if host in WAYBACK_HOSTS:
        return _wayback(url, rest, *WAYBACK_HOSTS[host])
    if host in ARCHIVE_TODAY_HOSTS:
        return _archive_today(url, rest)
    if host in _PERMA_HOSTS:
        match = _PERMA_ID.match(parts.path.lstrip("/"))
        return Snapshot(url=url, service=SERVICE_PERMA_CC) if match else None
    if host in _WEBCITE_HOSTS:
        return _webcite(url, parts.path.lstrip("/"), parts.query)
    if host in _GHOST_HOSTS:
        match = _GHOST_ID.match(parts.path.lstrip("/"))
        return Snapshot(url=url, service=SERVICE_MEMENTO) if match else None
    return None


def _after_host(url: str) -> str:
    """Everything after ``scheme://host[:port]/``, query included: originals carry their own."""
    without_scheme = url.split("://", 1)[1]
    slash = without_scheme.find("/")
    return "" if slash < 0 else without_scheme[slash + 1 :]


def _wayback(url: str, rest: str, prefix: str, service: str) -> Snapshot | None:
    rest = "/" + rest
    if not rest.startswith(prefix):
        return None
    tail = rest[len(prefix) :]
    head = ""
    # Collections come first on some installations (/4472/<timestamp>/…): try each segment.
    while "/" in tail:
        segment, after = tail.split("/", 1)
        if "*" in segment:
            return None  # a listing of captures, not one capture
        match = _WAYBACK_SEGMENT.match(segment)
        original = _original(after) if match else None
        if match and original:
            return Snapshot(
                url=url, timestamp=match.group("ts"), original=original, service=service
            )
        if _COLLECTION.match(segment) is None or head.count("/") >= 2:
            break
        head += segment + "/"
        tail = after
    bare = _WAYBACK_NO_TS.match(rest[len(prefix) :])
    if bare is not None and prefix == "/web/":  # latest capture, Wayback picks the moment
        original = _original(bare.group("orig"))
        return Snapshot(url=url, original=original, service=service) if original else None
    return None


def _original(text: str) -> str | None:
    """The archived URL as written after the timestamp; listings (``*``) are not snapshots."""
    if "*" in text.split("?", 1)[0]:
        return None
    text = _COLLAPSED_SCHEME.sub(lambda m: m.group(1) + "://", text)
    if re.match(r"^(https?|ftp)://", text, re.I):
        return text
    if _BARE_HOST.match(text):
        return "http://" + text
    return None


def _archive_today(url: str, rest: str) -> Snapshot | None:
    path = rest.split("?", 1)[0].split("#", 1)[0]
    match = _ARCHIVE_TODAY_TS.match(rest)
    if match is not None:
        original = _original(match.group("orig"))
        timestamp = re.sub(r"\D", "", match.group("ts"))
        if original is None:
            return None
        return Snapshot(url=url, timestamp=timestamp, original=original, service="archive_today")
    word, _, remainder = path.partition("/")
    if word in _ARCHIVE_TODAY_WORDS and remainder:
        original = _original(rest.partition("/")[2])
        return Snapshot(url=url, original=original, service="archive_today") if original else None
    if _ARCHIVE_TODAY_ID.match(path) and word not in _ARCHIVE_TODAY_WORDS:
        return Snapshot(url=url, service=SERVICE_ARCHIVE_TODAY)
    return None


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host: the only originals an archive helper looks up,
    saves or checks (a snapshot's ``url=file:///etc/passwd`` would make the checker a
    file-existence oracle)."""
    try:
        parts = split_url(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _webcite(url: str, path: str, query: str) -> Snapshot | None:
    """WebCite stopped archiving in 2019 and its replay is unreliable: flagged, not trusted."""
    if path == "query":
        fields = parse_qs(query)
        original = fields.get("url", [None])[0]
        if original is not None and not is_web_url(original):
            original = None  # url=file:///… names no page: never looked up or checked
        date = fields.get("date", [None])[0]
        timestamp = re.sub(r"\D", "", date)[:14] if date else None
        if timestamp is not None and len(timestamp) < 4:
            timestamp = None
        return Snapshot(url=url, timestamp=timestamp, original=original, service=SERVICE_WEBCITE)
    if _WEBCITE_ID.match(path):
        return Snapshot(url=url, service=SERVICE_WEBCITE)
    return None
