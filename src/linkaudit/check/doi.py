"""
DOIs checked at the source: the DOI system, Crossref's editorial notices and Unpaywall.

The handle API (``doi_api_url``) says whether a DOI exists and where it points without
touching the publisher, whose pages answer robots with 403s and challenges. Crossref lists
the works that update a DOI (retractions, withdrawals, corrections, expressions of concern);
Unpaywall names a free, legal copy. Every request goes through the checker's own fetch, so
the address guard, per-host limits and retries apply to these services as to any host.

The answers' parsers are pure and defensive: a service that sends nonsense, the wrong types
or a body larger than the read cap gives "no answer", never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from linkaudit.config import Settings
from linkaudit.dois import handle_path, normalise_doi
from linkaudit.models import DoiRecord, Notice, NoticeKind, OpenAccess
from linkaudit.verdicts import Reason

__all__ = [
    "DoiAnswer",
    "DoiServices",
    "ServiceHealth",
    "notices_from",
    "open_access_from",
    "record_from",
]

#: Connection failures after which a service is taken as down for the rest of the run.
MARK_DOWN_AFTER = 3
_DOWN_FAILURES = frozenset({Reason.CONNECTION, Reason.TIMEOUT, Reason.DNS, Reason.TLS})
_KINDS = {
    "retraction": NoticeKind.RETRACTION,
    "partial_retraction": NoticeKind.RETRACTION,
    "withdrawal": NoticeKind.WITHDRAWAL,
    "removal": NoticeKind.WITHDRAWAL,
    "correction": NoticeKind.CORRECTION,
    "erratum": NoticeKind.CORRECTION,
    "corrigendum": NoticeKind.CORRECTION,
    "addendum": NoticeKind.CORRECTION,
    "expression_of_concern": NoticeKind.EXPRESSION_OF_CONCERN,
}

SERVICE_HANDLE = "DOI handle API"
SERVICE_CROSSREF = "Crossref"
SERVICE_UNPAYWALL = "Unpaywall"


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    """One service answer: its status and parsed JSON, or the failure that prevented it."""

    status: int | None
    data: Any = None
    failure: Reason | None = None
    error: str | None = None


JsonGet = Callable[[str], Awaitable[JsonAnswer]]


@dataclass
class ServiceHealth:
    """Which outside services failed to connect in this run; a service that failed
    ``MARK_DOWN_AFTER`` times is not asked again, and the run says so once."""

    failures: dict[str, int] = field(default_factory=dict)

    def is_down(self, service: str) -> bool:
        return self.failures.get(service, 0) >= MARK_DOWN_AFTER

    def saw(self, service: str, answer: JsonAnswer) -> None:
        if answer.status is None and answer.failure in _DOWN_FAILURES:
            self.failures[service] = self.failures.get(service, 0) + 1
        elif answer.status is not None and not self.is_down(service):
            self.failures[service] = 0

    def summary(self) -> list[str]:
        """One line per service marked down."""
        lines = {
            SERVICE_HANDLE: "DOIs not checked",
            SERVICE_CROSSREF: "no editorial notices looked up",
            SERVICE_UNPAYWALL: "no open-access copies looked up",
        }
        return [
            f"{name} unreachable: {lines.get(name, 'not asked again')} for the rest of the run"
            for name in self.failures
            if self.is_down(name)
        ]


@dataclass(frozen=True, slots=True)
class DoiAnswer:
    """The handle API's word on one DOI, and why it could not be had when it could not."""

    record: DoiRecord
    failure: Reason | None = None
    error: str | None = None


def record_from(doi: str, answer: JsonAnswer) -> DoiAnswer:
    """The handle API's answer as a ``DoiRecord`` (registered, not registered, or unknown)."""
    if answer.status is None:
        return DoiAnswer(DoiRecord(doi, None), answer.failure or Reason.CONNECTION, answer.error)
    data = answer.data if isinstance(answer.data, dict) else {}
    code = data.get("responseCode")
    if answer.status == 404 and code in (100, None):
        return DoiAnswer(DoiRecord(doi, False))
    if answer.status == 200 and code in (1, 200):
        return DoiAnswer(DoiRecord(doi, True, _url_value(data.get("values"))))
    error = f"the DOI handle API answered HTTP {answer.status}"
    if code is not None:
        error += f" with response code {code!r}"
    return DoiAnswer(DoiRecord(doi, None), Reason.PROTOCOL, error)


def _url_value(values: Any) -> str | None:
    """The handle's URL value (the DOI's target), if it has one of the usual shape."""
    if not isinstance(values, list):
        return None
    for value in values:
        if not isinstance(value, dict) or value.get("type") != "URL":
            continue
        data = value.get("data")
        target = data.get("value") if isinstance(data, dict) else None
        if isinstance(target, str) and target.lower().startswith(("http://", "https://")):
            return target
    return None


def notices_from(doi: str, data: Any) -> tuple[Notice, ...]:
    """Crossref's ``/works?filter=updates:<doi>`` answer as the notices that update ``doi``."""
    message = data.get("message") if isinstance(data, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        return ()
    found: dict[tuple[str, str | None], Notice] = {}
    key = normalise_doi(doi)
    for item in items:
        if not isinstance(item, dict):
            continue
        own = item.get("DOI") if isinstance(item.get("DOI"), str) else None
        url = item.get("URL") if isinstance(item.get("URL"), str) else None
        updates = item.get("update-to")
        for update in updates if isinstance(updates, list) else ():
            if not isinstance(update, dict) or not isinstance(update.get("DOI"), str):
                continue
            if normalise_doi(update["DOI"]) != key:
                continue
            kind = _KINDS.get(str(update.get("type", "")).lower().replace("-", "_"))
            notice = Notice(
                kind=kind or NoticeKind.OTHER,
                doi=own.lower() if own else None,
                date=_date(update.get("updated")),
                url=url or (f"https://doi.org/{quote(own)}" if own else None),
            )
            found.setdefault((notice.kind, notice.doi), notice)
    return tuple(sorted(found.values(), key=lambda n: (n.date or "", n.kind)))


def _date(value: Any) -> str | None:
    """Crossref's ``{"date-parts": [[2023, 4, 11]]}`` as ``2023-04-11`` (or a prefix)."""
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts else None
    if not isinstance(first, list) or not first:
        return None
    numbers = [p for p in first[:3] if isinstance(p, int) and not isinstance(p, bool)]
    if len(numbers) != len(first[:3]) or not 1000 <= numbers[0] <= 9999:
        return None
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


def open_access_from(data: Any) -> OpenAccess | None:
    """Unpaywall's ``best_oa_location``, when it names an http(s) URL."""
    best = data.get("best_oa_location") if isinstance(data, dict) else None
    if not isinstance(best, dict):
        return None
    url = best.get("url") or best.get("url_for_landing_page") or best.get("url_for_pdf")
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        return None
    source = best.get("host_type")
    version = best.get("version")
    return OpenAccess(
        url=url,
        source=source if isinstance(source, str) else None,
        version=version if isinstance(version, str) else None,
    )


class DoiServices:
    """The three services for one run, through the checker's ``get`` (guard, limits,
    retries), with answers of Crossref and Unpaywall cached under ``cache`` (the store's)."""

    def __init__(
        self,
        get: JsonGet,
        settings: Settings,
        health: ServiceHealth | None = None,
        cache: MutableMapping[str, Any] | None = None,
    ) -> None:
        self._get = get
        self._settings = settings
        self.health = health if health is not None else ServiceHealth()
        self._cache: MutableMapping[str, Any] = cache if cache is not None else {}

    async def resolve(self, doi: str) -> DoiAnswer:
        """Ask the handle API whether ``doi`` exists, and where it points."""
        if self.health.is_down(SERVICE_HANDLE):
            error = f"{SERVICE_HANDLE} unreachable earlier in this run: not asked"
            return DoiAnswer(DoiRecord(doi, None), Reason.CONNECTION, error)
        answer = await self._get(self._settings.doi_api_url + handle_path(doi))
        self.health.saw(SERVICE_HANDLE, answer)
        return record_from(doi, answer)

    async def notices(self, doi: str) -> tuple[Notice, ...]:
        """Crossref's editorial notices on ``doi`` (none when Crossref cannot be asked)."""
        if not self._settings.notices:
            return ()
        query = {"filter": f"updates:{doi}", "rows": "50"}
        if self._settings.mailto:
            query["mailto"] = self._settings.mailto
        url = self._settings.crossref_url.rstrip("/") + "/works?" + urlencode(query)
        data = await self._cached(SERVICE_CROSSREF, doi, url)
        if data is None:
            return ()
        return tuple(
            Notice(NoticeKind(n["kind"]), n.get("doi"), n.get("date"), n.get("url")) for n in data
        )

    async def open_access(self, doi: str) -> OpenAccess | None:
        """Unpaywall's best open-access copy of ``doi`` (needs ``unpaywall_email``)."""
        email = self._settings.unpaywall_email
        if not email:
            return None
        base = self._settings.unpaywall_url.rstrip("/") + "/"
        url = base + handle_path(doi) + "?" + urlencode({"email": email})
        data = await self._cached(SERVICE_UNPAYWALL, doi, url)
        return OpenAccess(**data) if isinstance(data, dict) else None

    async def _cached(self, service: str, doi: str, url: str) -> Any:
        """The stored answer of ``service`` for ``doi`` if still fresh, else ask."""
        key = f"{service} {normalise_doi(doi)}"
        try:
            return self._cache[key]
        except KeyError:
            pass
        if self.health.is_down(service):
            return None
        answer = await self._get(url)
        self.health.saw(service, answer)
        if answer.status is None or answer.status >= 500 or answer.status == 429:
            return None  # not an answer: ask again next time
        value = self._parse(service, doi, answer)
        self._cache[key] = value
        return value

    @staticmethod
    def _parse(service: str, doi: str, answer: JsonAnswer) -> Any:
        """What is cached: plain JSON values, so the store can keep them."""
        if service == SERVICE_CROSSREF:
            if answer.status != 200:
                return None
            return [
                {"kind": str(n.kind), "doi": n.doi, "date": n.date, "url": n.url}
                for n in notices_from(doi, answer.data)
            ]
        found = open_access_from(answer.data) if answer.status == 200 else None
        if found is None:
            return None
        return {"url": found.url, "source": found.source, "version": found.version}


def parse_json(body: bytes, truncated: bool) -> Any:
    """A JSON body, or None when it is cut, not JSON, or nested beyond reason."""
    if truncated or not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
