"""health_figures on a fixture whose every figure is worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from linkaudit.models import Document, DocumentFormat, Occurrence, Result, Snapshot
from linkaudit.report.health_figures import (
    DocumentHealth,
    Health,
    LostCitation,
    RotBucket,
    YearBreakage,
    health_figures,
)
from linkaudit.verdicts import Verdict

A = Document(path="a.md", format=DocumentFormat.MARKDOWN, published=dt.date(2020, 6, 1))
B = Document(path="b.pdf", format=DocumentFormat.PDF, published=dt.date(2015, 3, 1))
C = Document(path="c.docx", format=DocumentFormat.DOCX)


def snap(timestamp: str | None) -> Snapshot:
    return Snapshot(url=f"https://web.archive.org/web/{timestamp}/x", timestamp=timestamp)


def result(url: str, verdict: Verdict, docs: str, archive: Snapshot | None = None) -> Result:
    occurrences = tuple(Occurrence(document=d, raw=url, url=url) for d in docs.split())
    return Result(url=url, verdict=verdict, reason=None, archive=archive, occurrences=occurrences)


RESULTS = [
    # near A's date (31 days), far from B's (5 years)
    result("https://u1.example/", Verdict.OK, "a.md b.pdf", snap("20200501000000")),
    # 305 days before A: inside the 365-day window
    result("https://u2.example/", Verdict.DEAD, "a.md", snap("20190801")),
    result("https://u3.example/", Verdict.DEAD, "b.pdf"),  # lost evidence, dead before too
    result("https://u4.example/", Verdict.REDIRECTED, "b.pdf", snap("20150301")),
    result("https://u5.example/", Verdict.RESTRICTED, "c.docx"),
    # an archive link; C has no date, so any snapshot counts
    result("https://u6.example/", Verdict.ARCHIVED, "c.docx", snap("2010")),
    result("TODO", Verdict.INVALID, "a.md"),  # not a citation
    result("mailto:x@example.org", Verdict.SKIPPED, "c.docx"),  # not a citation
    # an undated snapshot cannot match A's date
    result("https://u9.example/", Verdict.UNREACHABLE, "a.md", snap(None)),
    result("https://u10.example/", Verdict.DEAD, "c.docx"),  # lost, died since last run
]
PREVIOUS = {
    "https://u1.example/": "ok",
    "https://u2.example/": "ok",
    "https://u3.example/": "dead",
    "https://u10.example/": "unreachable",
}


@pytest.fixture
def health() -> Health:
    return health_figures(RESULTS, [A, B, C], previous=PREVIOUS, today=dt.date(2026, 1, 1))


def test_documents(health: Health) -> None:
    assert health.documents == (
        DocumentHealth(
            "a.md", A.published, (), 1, 1, 0, 0, 0, 1, 3, 2, ("https://u2.example/",), invalid=1
        ),
        DocumentHealth("b.pdf", B.published, ("https://u3.example/",), 1, 1, 1, 0, 0, 0, 3, 1, ()),
        DocumentHealth(
            "c.docx",
            None,
            ("https://u10.example/",),
            0,
            1,
            0,
            1,
            1,
            0,
            3,
            1,
            ("https://u10.example/",),
        ),
    )
    assert [d.coverage for d in health.documents] == [2 / 3, 1 / 3, 1 / 3]


def test_overall(health: Health) -> None:
    overall = health.overall
    counts = (
        overall.alive,
        overall.dead,
        overall.redirected,
        overall.restricted,
        overall.archived,
        overall.unreachable,
    )
    assert counts == (1, 3, 1, 1, 1, 1)
    assert overall.invalid == 1
    assert (overall.citations, overall.covered, overall.coverage) == (9, 4, 4 / 9)
    assert health.died_since_previous == ("https://u10.example/", "https://u2.example/")


def test_lost_evidence_first(health: Health) -> None:
    assert [r.url for r in health.lost_evidence] == [
        "https://u10.example/",
        "https://u3.example/",
    ]


def test_rot_by_age(health: Health) -> None:
    assert health.rot_by_age == (
        RotBucket(2015, 11, 3, 1),
        RotBucket(2020, 6, 3, 1),
        RotBucket(None, None, 3, 1),
    )
    assert health.rot_by_age[0].share_dead == pytest.approx(1 / 3)


def test_empty() -> None:
    health = health_figures([], [], today=dt.date(2026, 1, 1))
    assert health.overall.coverage is None
    assert health.rot_by_age == () and health.lost_evidence == ()


def test_lost_evidence_by_citing_document(health: Health) -> None:
    """Grouped by the document that cites it, with anchor text and the date it was cited."""
    assert health.lost_by_document == (
        ("b.pdf", (LostCitation("https://u3.example/", None, "", B.published),)),
        ("c.docx", (LostCitation("https://u10.example/", None, "", None),)),
    )


def test_documents_with_a_broken_link_by_year() -> None:
    """Pew's two measures: a page gone from a live site, and a whole domain gone."""
    d2015 = Document("old.md", DocumentFormat.MARKDOWN, published=dt.date(2015, 1, 1))
    d2015b = Document("old2.md", DocumentFormat.MARKDOWN, published=dt.date(2015, 5, 1))
    d2020 = Document("new.md", DocumentFormat.MARKDOWN, published=dt.date(2020, 1, 1))
    broken = Document("x.pdf", DocumentFormat.PDF, published=dt.date(2015, 1, 1), error="bad")
    page = Result(
        "https://site.example/gone",
        Verdict.DEAD,
        "http_404",
        occurrences=(Occurrence("old.md", "u", "u"),),
    )
    domain = Result(
        "https://gone.invalid/",
        Verdict.DEAD,
        "dns",
        occurrences=(Occurrence("old.md", "u", "u"), Occurrence("new.md", "u", "u")),
    )
    alive = Result(
        "https://ok.example/", Verdict.OK, None, occurrences=(Occurrence("old2.md", "u", "u"),)
    )
    health = health_figures(
        [page, domain, alive], [d2015, d2015b, d2020, broken], today=dt.date(2026, 1, 1)
    )
    assert health.broken_by_year == (
        YearBreakage(2015, 2, 1, 1, 1),  # the unreadable document is not counted
        YearBreakage(2020, 1, 1, 0, 1),
    )
    assert health.broken_by_year[0].share(1) == 0.5
