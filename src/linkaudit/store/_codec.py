"""Pure conversions between linkaudit's values and the store's rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from linkaudit.models import (
    DoiRecord,
    Drift,
    Element,
    History,
    Notice,
    NoticeKind,
    Occurrence,
    OpenAccess,
    Part,
    Quote,
    Redirect,
    Result,
    RobustLink,
    Snapshot,
)
from linkaudit.urls import DEFAULT_PORTS, identity
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "check_row",
    "from_iso",
    "history_from_row",
    "host_of",
    "normalised",
    "occurrence_from_row",
    "occurrence_row",
    "result_from_row",
    "to_iso",
]


def to_iso(moment: dt.datetime | None) -> str | None:
    """UTC ISO 8601 with microseconds: sorts as text and SQLite's date functions read it."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> dt.datetime | None:
    """The aware datetime ``to_iso`` wrote."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def host_of(url: str) -> str | None:
    """The lower-cased host name, or None for a URL without one."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def normalised(url: str) -> str:
    """The fetched resource: the URL's identity (``linkaudit.urls.identity``) without its
    fragment; other schemes with scheme and host lower-cased and the default port dropped."""
    key = identity(url.strip())
    if key[:4] == "http":
        return key.partition("#")[0]
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{host}" if userinfo else host
        if port is not None and DEFAULT_PORTS.get(scheme) != port:
            netloc = f"{netloc}:{port}"
    path = parts.path or ("/" if scheme in DEFAULT_PORTS else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _asdict(value: Any) -> dict[str, Any] | None:
    return None if value is None else dataclasses.asdict(value)


def check_row(result: Result, *, run_id: int, url_id: int, checked_at: str) -> dict[str, Any]:
    """The ``checks`` row of a result (history columns are added by the caller)."""
    history = result.history or History()
    return {
        "run_id": run_id,
        "url_id": url_id,
        "checked_at": checked_at,
        "verdict": str(result.verdict),
        "reason": result.reason,
        "status": result.status,
        "final_url": result.final_url,
        "redirects": _json([dataclasses.asdict(r) for r in result.redirects]),
        "elapsed_ms": result.elapsed_ms,
        "attempts": result.attempts,
        "error": result.error,
        "title": result.title,
        "fingerprint": result.fingerprint,
        "archive": _json(_asdict(result.archive)),
        "doi": _json(_doi_evidence(result)),
        "drift": _json(_drift_evidence(result)),
        "cached": int(result.cached),
        "permanent": None if result.permanent is None else int(result.permanent),
        "escalated": int(history.escalated),
        "first_seen": to_iso(history.first_seen),
        "last_ok": to_iso(history.last_ok),
        "failing_since": to_iso(history.failing_since),
        "consecutive_failures": history.consecutive_failures,
        "flapping": int(history.flapping),
        "recovered": int(history.recovered),
    }


def _doi_evidence(result: Result) -> dict[str, Any] | None:
    """The DOI system's, Crossref's and Unpaywall's word on a result, as one JSON value."""
    if result.doi is None and not result.notices and result.open_access is None:
        return None
    return {
        "doi": _asdict(result.doi),
        "notices": [dataclasses.asdict(n) for n in result.notices],
        "open_access": _asdict(result.open_access),
    }


def _doi_fields(text: str | None) -> dict[str, Any]:
    """``Result`` keyword arguments from the ``doi`` column (none for an older row)."""
    if not text:
        return {}
    data = json.loads(text)
    return {
        "doi": DoiRecord(**data["doi"]) if data.get("doi") else None,
        "notices": tuple(
            Notice(NoticeKind(n["kind"]), n.get("doi"), n.get("date"), n.get("url"))
            for n in data.get("notices") or ()
        ),
        "open_access": OpenAccess(**data["open_access"]) if data.get("open_access") else None,
    }


def _drift_evidence(result: Result) -> dict[str, Any] | None:
    if result.drift is None and not result.quotes:
        return None
    return {
        "drift": _asdict(result.drift),
        "quotes": [dataclasses.asdict(q) for q in result.quotes],
    }


def _drift_fields(text: str | None) -> dict[str, Any]:
    """``Result`` keyword arguments from the ``drift`` column (none for an older row)."""
    if not text:
        return {}
    data = json.loads(text)
    return {
        "drift": Drift(**data["drift"]) if data.get("drift") else None,
        "quotes": tuple(Quote(**q) for q in data.get("quotes") or ()),
    }


def history_from_row(row: Mapping[str, Any]) -> History:
    """The History columns of a ``checks`` row."""
    return History(
        first_seen=from_iso(row["first_seen"]),
        last_ok=from_iso(row["last_ok"]),
        failing_since=from_iso(row["failing_since"]),
        consecutive_failures=int(row["consecutive_failures"] or 0),
        flapping=bool(row["flapping"]),
        recovered=bool(row["recovered"]),
        escalated=bool(row["escalated"]),
    )


def result_from_row(
    row: Mapping[str, Any], *, cached: bool, occurrences: tuple[Occurrence, ...] = ()
) -> Result:
    """A Result rebuilt from a ``checks`` row joined with its ``url``."""
    archive = json.loads(row["archive"]) if row["archive"] else None
    redirects = json.loads(row["redirects"]) if row["redirects"] else []
    return Result(
        url=row["url"],
        verdict=Verdict(row["verdict"]),
        reason=row["reason"],
        status=row["status"],
        final_url=row["final_url"],
        redirects=tuple(Redirect(**r) for r in redirects),
        permanent=None if row["permanent"] is None else bool(row["permanent"]),
        title=row["title"],
        checked_at=from_iso(row["checked_at"]),
        elapsed_ms=row["elapsed_ms"],
        attempts=row["attempts"],
        cached=cached,
        error=row["error"],
        archive=Snapshot(**archive) if archive else None,
        occurrences=occurrences,
        history=history_from_row(row),
        fingerprint=row["fingerprint"],
        **_doi_fields(row.get("doi")),
        **_drift_fields(row.get("drift")),
    )


def occurrence_row(
    occurrence: Occurrence, *, document_id: int, url_id: int, position: int
) -> dict[str, Any]:
    """The ``occurrences`` row of one place a document cites a URL."""
    return {
        "document_id": document_id,
        "url_id": url_id,
        "position": position,
        "raw": occurrence.raw,
        "text": occurrence.text,
        "page": occurrence.page,
        "line": occurrence.line,
        "column": occurrence.column,
        "part": str(occurrence.part),
        "element": str(occurrence.element),
        "context": occurrence.context,
        "problem": None if occurrence.problem is None else str(occurrence.problem),
        "robust": _json(_asdict(occurrence.robust)),
    }


def occurrence_from_row(row: Mapping[str, Any]) -> Occurrence:
    """An Occurrence rebuilt from an ``occurrences`` row joined with its document and URL."""
    robust = json.loads(row["robust"]) if row["robust"] else None
    return Occurrence(
        document=row["document"],
        raw=row["raw"],
        url=row["url"],
        text=row["text"] or "",
        page=row["page"],
        line=row["line"],
        column=row["column"],
        part=Part(row["part"]) if row["part"] else Part.BODY,
        element=Element(row["element"]) if row["element"] else Element.LINK,
        context=row["context"],
        problem=Reason(row["problem"]) if row["problem"] else None,
        robust=RobustLink(**robust) if robust else None,
    )
