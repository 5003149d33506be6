"""recognize(): which archive, which original, which moment; and what is not a snapshot."""

from __future__ import annotations

import pytest

from linkaudit.archive.recognize import recognize

ORIG = "https://www.example.org/report.pdf"

SNAPSHOTS: list[tuple[str, str | None, str | None, str]] = [
    (f"https://web.archive.org/web/20190304050607/{ORIG}", "20190304050607", ORIG, "wayback"),
    (f"http://web.archive.org/web/20190304050607id_/{ORIG}", "20190304050607", ORIG, "wayback"),
    (f"https://web.archive.org/web/2019if_/{ORIG}", "2019", ORIG, "wayback"),
    (f"https://web.archive.org/web/201903im_/{ORIG}", "201903", ORIG, "wayback"),
    (f"https://web.archive.org/web/20190304js_/{ORIG}", "20190304", ORIG, "wayback"),
    (
        "https://web.archive.org/web/20190304/https://example.org/search?q=a&b=c",
        "20190304",
        "https://example.org/search?q=a&b=c",
        "wayback",
    ),
    (
        "https://web.archive.org/web/20190304000000/https:/example.org/x",
        "20190304000000",
        "https://example.org/x",
        "wayback",
    ),
    (
        "https://web.archive.org/web/20190304000000/example.org/x",
        "20190304000000",
        "http://example.org/x",
        "wayback",
    ),
    (f"https://web.archive.org/web/{ORIG}", None, ORIG, "wayback"),
    (
        f"https://wayback.archive-it.org/4472/20190101000000/{ORIG}",
        "20190101000000",
        ORIG,
        "wayback",
    ),
    (f"https://webarchive.loc.gov/all/20200101000000/{ORIG}", "20200101000000", ORIG, "memento"),
    (
        f"https://www.webarchive.org.uk/wayback/archive/20200101000000/{ORIG}",
        "20200101000000",
        ORIG,
        "memento",
    ),
    (f"https://arquivo.pt/wayback/20160101000000/{ORIG}", "20160101000000", ORIG, "memento"),
    (f"https://webarchive.nla.gov.au/awa/20160101000000/{ORIG}", "20160101000000", ORIG, "memento"),
    (f"https://archive.ph/20200101123456/{ORIG}", "20200101123456", ORIG, "archive_today"),
    (f"https://archive.today/2020.01.01-123456/{ORIG}", "20200101123456", ORIG, "archive_today"),
    (f"https://archive.is/newest/{ORIG}", None, ORIG, "archive_today"),
    ("https://archive.ph/AbCd1", None, None, "archive_today"),
    ("https://archive.md/o/AbCd1/https://example.org/", None, None, "archive_today"),
    ("https://archive.vn/XyZ12", None, None, "archive_today"),
    ("https://perma.cc/ABCD-1234", None, None, "perma_cc"),
    ("https://perma.cc/abcd-1234?type=image", None, None, "perma_cc"),
    ("https://www.webcitation.org/6ABCdef12", None, None, "webcite"),
    (
        f"http://www.webcitation.org/query?url={ORIG}&date=2012-03-04",
        "20120304",
        ORIG,
        "webcite",
    ),
    ("https://ghostarchive.org/archive/aBc12", None, None, "memento"),
]


@pytest.mark.parametrize(("url", "timestamp", "original", "service"), SNAPSHOTS)
def test_snapshots(url: str, timestamp: str | None, original: str | None, service: str) -> None:
    snapshot = recognize(url)
    assert snapshot is not None
    assert (snapshot.url, snapshot.timestamp, snapshot.original, snapshot.service) == (
        url,
        timestamp,
        original,
        service,
    )


NOT_SNAPSHOTS = [
    "https://web.archive.org/web/*/example.org/*",
    f"https://web.archive.org/web/2019*/{ORIG}",
    "https://web.archive.org/",
    "https://web.archive.org/details/texts",
    "https://archive.org/details/some-book",
    "https://archive.ph/",
    "https://perma.cc/about",
    "https://ghostarchive.org/search?term=x",
    "https://example.org/web/20190304050607/https://example.org/",
    "mailto:web@archive.org",
    "not a url",
]


@pytest.mark.parametrize("url", NOT_SNAPSHOTS)
def test_not_snapshots(url: str) -> None:
    assert recognize(url) is None
