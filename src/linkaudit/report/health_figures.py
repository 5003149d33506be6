"""
Archive health: how much of what a document cites is alive, and how much is preserved.

Pure arithmetic over results and documents. Definitions (docs/archives.md repeats them):

- A *citation* is a (document, URL) pair whose verdict is neither invalid nor skipped.
- It is *covered* when its result has a snapshot whose timestamp lies within
  ``COVERAGE_WINDOW_DAYS`` of the document's publication date; an undated document accepts
  any snapshot. Coverage is covered / citations (``None`` when there are no citations).
- *Died since the previous run*: dead now, and any other verdict in ``previous``.
- *Rot by age*: per publication year, the share of citations that are dead.
- *Lost evidence*: dead URLs with no snapshot at all; reports list them first, grouped by
  the citing document with the anchor text and the date cited (the publication date).
- *Documents with a broken link, by publication year*: the share of documents citing at
  least one dead link, split into *page gone* (the site answers, the page does not) and
  *domain gone* (the name no longer resolves): the two measures of Pew Research Center's
  "When Online Content Disappears" (May 2024), so that a corpus can be set beside them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from linkaudit.models import Document, Result, Snapshot
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "COVERAGE_WINDOW_DAYS",
    "DOMAIN_GONE_REASONS",
    "DocumentHealth",
    "Health",
    "LostCitation",
    "RotBucket",
    "YearBreakage",
    "health_figures",
]

#: How far a snapshot may lie from the citation date and still show what was cited.
COVERAGE_WINDOW_DAYS = 365
_NOT_CITATIONS = frozenset({Verdict.INVALID, Verdict.SKIPPED})
#: A dead link whose whole domain is gone (its name no longer resolves), not just the page.
DOMAIN_GONE_REASONS = frozenset({Reason.DNS.value})


@dataclass(frozen=True, slots=True)
class DocumentHealth:
    """The figures for one document, or for all of them (``document`` is None)."""

    document: str | None
    published: dt.date | None
    lost_evidence: tuple[str, ...]
    """Dead URLs with no snapshot, sorted: listed first because nothing can fix them."""
    alive: int
    dead: int
    redirected: int
    restricted: int
    archived: int
    unreachable: int
    citations: int
    covered: int
    died: tuple[str, ...]
    invalid: int = 0
    """Placeholders, malformed URLs and unsupported schemes: fixable without the network."""

    @property
    def coverage(self) -> float | None:
        """Share of citations with a snapshot near the citation date."""
        return self.covered / self.citations if self.citations else None


@dataclass(frozen=True, slots=True)
class RotBucket:
    """Citations of the documents published in one year, and how many died."""

    year: int | None
    age_years: int | None
    citations: int
    dead: int

    @property
    def share_dead(self) -> float | None:
        """Dead / citations (``None`` for an empty bucket)."""
        return self.dead / self.citations if self.citations else None


@dataclass(frozen=True, slots=True)
class LostCitation:
    """One place a document cites a dead URL that no archive holds."""

    url: str
    reason: str | None
    text: str
    cited_on: dt.date | None
    """The citing document's publication date: the day the source was cited."""


@dataclass(frozen=True, slots=True)
class YearBreakage:
    """Documents published in one year, and how many cite at least one broken link."""

    year: int | None
    documents: int
    broken: int
    page_gone: int
    """Documents citing a dead page on a site that still answers."""
    domain_gone: int
    """Documents citing a link whose whole domain is gone."""

    def share(self, count: int) -> float | None:
        """``count`` / documents (``None`` for an empty year)."""
        return count / self.documents if self.documents else None


@dataclass(frozen=True, slots=True)
class Health:
    """The archive health report: lost evidence first, then per-document and overall figures."""

    lost_evidence: tuple[Result, ...]
    overall: DocumentHealth
    documents: tuple[DocumentHealth, ...]
    rot_by_age: tuple[RotBucket, ...]
    died_since_previous: tuple[str, ...]
    lost_by_document: tuple[tuple[str, tuple[LostCitation, ...]], ...] = ()
    broken_by_year: tuple[YearBreakage, ...] = ()


def health_figures(
    results: Sequence[Result],
    documents: Sequence[Document],
    *,
    previous: Mapping[str, str] | None = None,
    today: dt.date,
) -> Health:
    """Health per document and overall; ``previous`` maps url → verdict of the last run."""
    died = _died(results, previous or {})
    published = {doc.path: doc.published for doc in documents}
    per_document = tuple(
        _figures(doc.path, doc.published, _cited_in(results, doc.path), died) for doc in documents
    )
    pairs = [(r, published.get(o_doc)) for r in results for o_doc in _documents_of(r)]
    overall = _overall(results, pairs, died)
    lost = tuple(sorted((r for r in results if _is_lost(r)), key=lambda r: r.url))
    return Health(
        lost,
        overall,
        per_document,
        _rot(pairs, today),
        tuple(sorted(died)),
        _lost_by_document(lost, published),
        _breakage(results, documents),
    )


def _lost_by_document(
    lost: Iterable[Result], published: Mapping[str, dt.date | None]
) -> tuple[tuple[str, tuple[LostCitation, ...]], ...]:
    by_document: dict[str, list[LostCitation]] = {}
    for result in lost:
        for occurrence in result.occurrences:
            citation = LostCitation(
                result.url, result.reason, occurrence.text, published.get(occurrence.document)
            )
            by_document.setdefault(occurrence.document, []).append(citation)
    return tuple(
        (document, tuple(sorted(set(items), key=lambda c: (c.url, c.text))))
        for document, items in sorted(by_document.items())
    )


def _breakage(results: Sequence[Result], documents: Sequence[Document]) -> tuple[YearBreakage, ...]:
    dead: dict[str, set[str]] = {}
    for result in results:
        if result.verdict is Verdict.DEAD:
            kind = "domain" if result.reason in DOMAIN_GONE_REASONS else "page"
            for occurrence in result.occurrences:
                dead.setdefault(occurrence.document, set()).add(kind)
    years: dict[int | None, list[set[str]]] = {}
    for document in documents:
        if document.error is None:
            year = document.published.year if document.published else None
            years.setdefault(year, []).append(dead.get(document.path, set()))
    return tuple(
        YearBreakage(
            year,
            len(kinds),
            sum(1 for k in kinds if k),
            sum(1 for k in kinds if "page" in k),
            sum(1 for k in kinds if "domain" in k),
        )
        for year, kinds in sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))
    )


def _documents_of(result: Result) -> list[str]:
    return sorted({o.document for o in result.occurrences})


def _cited_in(results: Sequence[Result], document: str) -> list[Result]:
    return [r for r in results if any(o.document == document for o in r.occurrences)]


def _died(results: Iterable[Result], previous: Mapping[str, str]) -> frozenset[str]:
    return frozenset(
        r.url
        for r in results
        if r.verdict is Verdict.DEAD and r.url in previous and previous[r.url] != Verdict.DEAD
    )


def _is_lost(result: Result) -> bool:
    return result.verdict is Verdict.DEAD and result.archive is None


def _counts(results: Iterable[Result]) -> Counter[Verdict]:
    return Counter(r.verdict for r in results)


def _figures(
    document: str | None, published: dt.date | None, cited: list[Result], died: frozenset[str]
) -> DocumentHealth:
    counts = _counts(cited)
    citations = [r for r in cited if r.verdict not in _NOT_CITATIONS]
    covered = sum(_is_covered(r.archive, published) for r in citations)
    return _health(document, published, cited, counts, len(citations), covered, died)


def _overall(
    results: Sequence[Result],
    pairs: list[tuple[Result, dt.date | None]],
    died: frozenset[str],
) -> DocumentHealth:
    citations = [(r, day) for r, day in pairs if r.verdict not in _NOT_CITATIONS]
    covered = sum(_is_covered(r.archive, day) for r, day in citations)
    return _health(None, None, list(results), _counts(results), len(citations), covered, died)


def _health(
    document: str | None,
    published: dt.date | None,
    cited: list[Result],
    counts: Counter[Verdict],
    citations: int,
    covered: int,
    died: frozenset[str],
) -> DocumentHealth:
    urls = {r.url for r in cited}
    return DocumentHealth(
        document=document,
        published=published,
        lost_evidence=tuple(sorted(r.url for r in cited if _is_lost(r))),
        alive=counts[Verdict.OK],
        dead=counts[Verdict.DEAD],
        redirected=counts[Verdict.REDIRECTED],
        restricted=counts[Verdict.RESTRICTED],
        archived=counts[Verdict.ARCHIVED],
        unreachable=counts[Verdict.UNREACHABLE],
        citations=citations,
        covered=covered,
        died=tuple(sorted(died & urls)),
        invalid=counts[Verdict.INVALID],
    )


def _is_covered(snapshot: Snapshot | None, cited_on: dt.date | None) -> bool:
    if snapshot is None:
        return False
    if cited_on is None:
        return True
    taken = _timestamp_date(snapshot.timestamp)
    if taken is None:
        return False  # an undated snapshot cannot be shown to match the citation date
    return abs((taken - cited_on).days) <= COVERAGE_WINDOW_DAYS


def _timestamp_date(timestamp: str | None) -> dt.date | None:
    if not timestamp or not timestamp.isdigit() or len(timestamp) < 4:
        return None
    year, month, day = timestamp[:4], timestamp[4:6] or "01", timestamp[6:8] or "01"
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _rot(pairs: list[tuple[Result, dt.date | None]], today: dt.date) -> tuple[RotBucket, ...]:
    totals: Counter[int | None] = Counter()
    dead: Counter[int | None] = Counter()
    for result, published in pairs:
        if result.verdict in _NOT_CITATIONS:
            continue
        year = published.year if published else None
        totals[year] += 1
        dead[year] += result.verdict is Verdict.DEAD
    years = sorted(totals, key=lambda y: (y is None, y or 0))
    return tuple(
        RotBucket(y, None if y is None else today.year - y, totals[y], dead[y]) for y in years
    )
