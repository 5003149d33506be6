"""
What every human-facing format shows: one finding per place a URL is cited, in the order
an editor should work through them, with the action to take.

Pure functions over ``Result``; the renderers only lay these out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from linkaudit.models import NoticeKind, Occurrence, Result
from linkaudit.report.base import narrowed
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "COUNTED_ONLY",
    "FINDING_VERDICTS",
    "BaselineKey",
    "Finding",
    "action_for",
    "baseline_key",
    "citation_problem",
    "findings",
    "iso",
    "location",
    "notice_text",
    "place",
    "status_text",
]

#: Problems first, worst first; then archive links. ``ok`` and ``skipped`` are only counted.
FINDING_VERDICTS: tuple[Verdict, ...] = (
    Verdict.DEAD,
    Verdict.INVALID,
    Verdict.UNREACHABLE,
    Verdict.RESTRICTED,
    Verdict.REDIRECTED,
    Verdict.ARCHIVED,
)
COUNTED_ONLY: tuple[Verdict, ...] = (Verdict.OK, Verdict.SKIPPED)
ALL_VERDICTS: tuple[Verdict, ...] = FINDING_VERDICTS + COUNTED_ONLY


@dataclass(frozen=True, slots=True)
class Finding:
    """One cited place of one result (``occurrence`` is None for a result cited nowhere)."""

    result: Result
    occurrence: Occurrence | None
    baselined: bool = False
    """A baseline entry accepts this place: reported, marked, and not failing the gate."""

    @property
    def document(self) -> str:
        """The citing document's path, or empty."""
        return self.occurrence.document if self.occurrence else ""

    @property
    def text(self) -> str:
        """The anchor text as a reader sees it."""
        return self.occurrence.text if self.occurrence else ""

    @property
    def where(self) -> str:
        """``page 3`` or ``line 12:5`` (empty when unknown)."""
        return location(self.occurrence)

    @property
    def place(self) -> str:
        """``path:line:col`` (or ``path page 3``): what editors and terminals open."""
        return place(self.occurrence)

    @property
    def context(self) -> str:
        """The sentence around the link, or empty."""
        return (self.occurrence.context or "") if self.occurrence else ""

    @property
    def action(self) -> str:
        """What the editor should do."""
        return action_for(self.result, self.occurrence)

    @property
    def status(self) -> str:
        """The status and reason in a few words."""
        return status_text(self.result)


def findings(
    results: Iterable[Result],
    verdicts: Sequence[Verdict] = FINDING_VERDICTS,
    *,
    baselined: Collection[BaselineKey] = frozenset(),
) -> list[Finding]:
    """Every occurrence of every result whose verdict is in ``verdicts``, in editing order;
    ``baselined`` holds the ``baseline_key`` of each place a baseline accepts."""
    rank = {verdict: index for index, verdict in enumerate(verdicts)}
    # A work with an editorial notice, a page that drifted or a quotation the source no longer
    # holds is a finding whatever its page answers.
    chosen = [
        Finding(result, occurrence, baseline_key(result, occurrence) in baselined)
        for result in narrowed(results, verdicts)
        if result.verdict in rank or result.notices or citation_problem(result)
        for occurrence in (result.occurrences or (None,))
    ]
    last = len(rank)
    return sorted(
        chosen,
        key=lambda f: (rank.get(f.result.verdict, last), *_place(f.occurrence), f.result.url),
    )


#: (document, URL, anchor text): what a baseline entry accepts, stable when lines move.
BaselineKey = tuple[str, str, str]


def baseline_key(result: Result, occurrence: Occurrence | None) -> BaselineKey:
    """The key of one cited place (document and text are empty for a result cited nowhere)."""
    if occurrence is None:
        return ("", result.url, "")
    return (occurrence.document, result.url, occurrence.text)


def place(occurrence: Occurrence | None) -> str:
    """``path:line:col`` for text, ``path page N`` for PDF: clickable in terminals and editors."""
    if occurrence is None:
        return ""
    where = occurrence.document
    if occurrence.page is not None:
        where += f" page {occurrence.page}"
    if occurrence.line is not None:
        where += f":{occurrence.line}"
        if occurrence.column is not None:
            where += f":{occurrence.column}"
    return where


def _place(occurrence: Occurrence | None) -> tuple[str, int, int, int]:
    if occurrence is None:
        return ("", 0, 0, 0)
    return (occurrence.document, occurrence.page or 0, occurrence.line or 0, occurrence.column or 0)


def location(occurrence: Occurrence | None) -> str:
    """Where in the document, for people: page for PDFs, line (and column) for text."""
    if occurrence is None:
        return ""
    parts = []
    if occurrence.page is not None:
        parts.append(f"page {occurrence.page}")
    if occurrence.line is not None:
        column = f":{occurrence.column}" if occurrence.column is not None else ""
        parts.append(f"line {occurrence.line}{column}")
    return ", ".join(parts)


def status_text(result: Result) -> str:
    """``HTTP 404``, ``dns``, ``redirect_permanent 301``…: what was observed."""
    reason = result.reason or ""
    if reason.startswith("http_") and reason[5:].isdigit():
        return f"HTTP {reason[5:]}"
    if result.status is not None and reason:
        return f"{reason} ({result.status})"
    if result.status is not None:
        return f"HTTP {result.status}"
    return reason or result.verdict.value


#: Gravest first.
_NOTICE_WORDS = {
    NoticeKind.RETRACTION: "retracted",
    NoticeKind.WITHDRAWAL: "withdrawn",
    NoticeKind.EXPRESSION_OF_CONCERN: "expression of concern",
    NoticeKind.CORRECTION: "corrected",
    NoticeKind.OTHER: "editorial notice",
}
#: Verdicts for which an open-access copy is the better citation.
_OPEN_COPY_VERDICTS = frozenset({Verdict.RESTRICTED, Verdict.DEAD, Verdict.UNREACHABLE})


def notice_text(result: Result) -> str:
    """``retracted 2023-04-11, see 10.…``: the gravest notice on the cited work, or empty."""
    if not result.notices:
        return ""
    notice = min(result.notices, key=lambda n: list(_NOTICE_WORDS).index(n.kind))
    words = [_NOTICE_WORDS[notice.kind]]
    if notice.date:
        words.append(notice.date)
    text = " ".join(words)
    return f"{text}, see {notice.doi or notice.url}" if notice.doi or notice.url else text


def citation_problem(result: Result) -> str:
    """``drifted since cited``, ``quoted words not found in the source: “…”``, or empty."""
    parts = []
    drift = result.drift
    if drift is not None and drift.state == "drifted":
        since = f" (compared with {drift.compared_with})" if drift.compared_with else ""
        parts.append(f"a different page answers now{since}")
    for quote in result.quotes:
        if quote.found is False and quote.in_snapshot is True:
            parts.append(f"changed since cited: “{quote.text}” is only in the snapshot")
        elif quote.found is False and quote.in_snapshot is not True:
            parts.append(f"quoted words not found in the source: “{quote.text}”")
    return "; ".join(parts)


def action_for(result: Result, occurrence: Occurrence | None = None) -> str:
    """The fix an editor should make, naming the URL to use where there is one."""
    action = _verdict_action(result, occurrence)
    problem = citation_problem(result)
    if problem:
        action = f"{problem}: check the citation" + (f"; {action}" if action else "")
    notice = notice_text(result)
    if notice:
        advice = "do not cite as evidence" if _retracted(result) else "check the notice"
        action = f"{notice}: {advice}" + (f"; {action}" if action else "")
    oa = result.open_access
    if oa is not None and (result.verdict in _OPEN_COPY_VERDICTS or result.status is None):
        copy = f"cite the open copy at {oa.url}"
        action = f"{action}; {copy}" if action else copy
    return action


def _retracted(result: Result) -> bool:
    return any(n.kind.is_retraction for n in result.notices)


def _verdict_action(result: Result, occurrence: Occurrence | None) -> str:
    reason = result.reason
    if reason == Reason.PLACEHOLDER or (occurrence and occurrence.problem == Reason.PLACEHOLDER):
        return "remove placeholder or add the target"
    match result.verdict:
        case Verdict.INVALID:
            return "fix the URL"
        case Verdict.REDIRECTED:
            return _redirect_action(result)
        case Verdict.DEAD:
            return _dead_action(result)
        case Verdict.RESTRICTED:
            return "check by hand"
        case Verdict.UNREACHABLE:
            return "retry later"
        case Verdict.ARCHIVED | Verdict.OK | Verdict.SKIPPED:
            return ""


def _redirect_action(result: Result) -> str:
    target = result.final_url or "the new address"
    if result.permanent:
        return f"update to {target}"
    return f"none needed; temporary redirect to {target}"


def _dead_action(result: Result) -> str:
    if result.archive is not None:
        return f"cite {result.archive.url} instead"
    if result.reason == Reason.MISSING_FRAGMENT:
        return "fix or drop the #fragment"
    if result.reason == Reason.MISSING_FILE:
        return "add the file or fix the path"
    if result.reason == Reason.DOI_NOT_REGISTERED:
        return "fix the DOI (the DOI system does not know it)"
    return "find a replacement or an archived copy"


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (naive datetimes are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.isoformat(timespec="seconds") + "Z"
    text = moment.isoformat(timespec="seconds")
    if text.endswith("+00:00"):  # already UTC, the common case: no conversion to make
        return text[:-6] + "Z"
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
