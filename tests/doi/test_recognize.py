"""DOIs as documents write them, and the services' answers as pure parsing: no network."""

from __future__ import annotations

import pytest

from linkaudit.check.doi import JsonAnswer, notices_from, open_access_from, record_from
from linkaudit.dois import doi_of, doi_url, find_dois, resolve_doi
from linkaudit.extract.urls import resolve
from linkaudit.models import NoticeKind
from linkaudit.verdicts import Reason


@pytest.mark.parametrize(
    ("url", "doi"),
    [
        ("https://doi.org/10.1371/journal.pone.0167475", "10.1371/journal.pone.0167475"),
        ("http://dx.doi.org/10.1000/XYZ123", "10.1000/xyz123"),
        (
            "https://www.doi.org/10.1002/(SICI)1097-4571(199806)49:8",
            "10.1002/(sici)1097-4571(199806)49:8",
        ),
        ("https://doi.org/10.1000%2Fabc", "10.1000/abc"),
        ("doi:10.1234/abc", "10.1234/abc"),
        ("DOI: 10.1234/ABC", "10.1234/abc"),
        ("info:doi/10.1234/abc", "10.1234/abc"),
        ("https://doi.org/api/handles/10.1234/abc", "10.1234/abc"),
    ],
)
def test_a_doi_is_recognised_in_every_written_form(url: str, doi: str) -> None:
    assert doi_of(url) == doi


@pytest.mark.parametrize(
    "url",
    [
        "https://doi.org/",  # the resolver's home page
        "https://doi.org/faq.html",
        "https://example.org/10.1234/abc",  # a DOI-like path on another host
        "https://doi.org.evil.example/10.1234/abc",
        "doi:11.1234/abc",  # not the 10. directory
        "doi:10.12/abc",  # a prefix of fewer than four digits
        "ftp://doi.org/10.1234/abc",
    ],
)
def test_what_is_not_a_doi_stays_a_url(url: str) -> None:
    assert doi_of(url) is None


def test_printed_dois_lose_the_punctuation_of_the_sentence() -> None:
    text = (
        "See doi:10.1234/abc.def. Also (DOI: 10.5555/x(1)2), and DOI 10.1000/end; "
        "but not https://doi.org/10.9999/url or 10.1234/bare or ISBN 10.5."
    )
    found = [written for _, _, written in find_dois(text)]
    assert found == ["doi:10.1234/abc.def", "DOI: 10.5555/x(1)2", "DOI 10.1000/end"]
    start, end, written = find_dois(text)[0]
    assert text[start:end] == written


def test_written_dois_resolve_to_the_resolver_and_keep_what_was_written() -> None:
    assert resolve("doi:10.1234/abc", None) == "https://doi.org/10.1234/abc"
    assert resolve("DOI: 10.1234/ABC.", None) == "https://doi.org/10.1234/ABC"
    assert resolve_doi("doi:not-a-doi") is None
    # A relative link that merely starts with the letters is a relative link.
    assert resolve("doi-report.html", "file:///briefs/a.md") == "file:///briefs/doi-report.html"
    assert doi_url("10.1000/a b?c") == "https://doi.org/10.1000/a%20b%3Fc"


def test_the_handle_api_answers_registered_missing_or_nothing() -> None:
    values = [{"index": 1, "type": "URL", "data": {"format": "string", "value": "https://p/a"}}]
    yes = record_from("10.1/a", JsonAnswer(200, {"responseCode": 1, "values": values}))
    assert (yes.record.registered, yes.record.target, yes.failure) == (True, "https://p/a", None)
    no = record_from("10.1/a", JsonAnswer(404, {"responseCode": 100}))
    assert no.record.registered is False
    down = record_from("10.1/a", JsonAnswer(None, failure=Reason.TIMEOUT))
    assert (down.record.registered, down.failure) == (None, Reason.TIMEOUT)
    refused = record_from("10.1/a", JsonAnswer(403, None))
    assert refused.record.registered is None and refused.failure is Reason.PROTOCOL
    assert "HTTP 403" in (refused.error or "")


@pytest.mark.parametrize(
    "data",
    [None, [], "x", {"responseCode": 1, "values": "x"}, {"values": [{"type": "URL", "data": 3}]}],
)
def test_wrong_types_from_the_handle_api_are_no_target(data: object) -> None:
    assert record_from("10.1/a", JsonAnswer(200, data)).record.target is None


def _crossref(*updates: tuple[str, str, str, list[object]]) -> dict[str, object]:
    items = [
        {
            "DOI": own,
            "URL": f"https://doi.org/{own}",
            "update-to": [{"DOI": target, "type": kind, "updated": {"date-parts": [date]}}],
        }
        for own, target, kind, date in updates
    ]
    return {"status": "ok", "message": {"items": items}}


def test_crossref_notices_name_only_the_cited_work() -> None:
    data = _crossref(
        ("10.1/retraction", "10.1/A", "retraction", [2023, 4, 11]),
        ("10.1/fix", "10.1/a", "correction", [2022, 1]),
        ("10.1/eoc", "10.1/a", "expression_of_concern", [2022, 12, 1]),
        ("10.1/other", "10.1/b", "retraction", [2020, 1, 1]),
    )
    notices = notices_from("10.1/a", data)
    assert [(n.kind, n.date, n.doi) for n in notices] == [
        (NoticeKind.CORRECTION, "2022-01", "10.1/fix"),
        (NoticeKind.EXPRESSION_OF_CONCERN, "2022-12-01", "10.1/eoc"),
        (NoticeKind.RETRACTION, "2023-04-11", "10.1/retraction"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"message": {"items": "x"}},
        {"message": {"items": [{"update-to": "x"}, 3, {"update-to": [{"DOI": 5}]}]}},
        _crossref(("10.1/r", "10.1/a", "retraction", ["2023", 4])),
    ],
)
def test_wrong_types_from_crossref_are_no_notice_or_no_date(data: object) -> None:
    notices = notices_from("10.1/a", data)
    assert all(n.date is None for n in notices)


def test_unpaywall_gives_an_http_copy_or_none() -> None:
    best = {"url": "https://repo.example/a.pdf", "host_type": "repository", "version": "x"}
    found = open_access_from({"best_oa_location": best})
    assert found is not None and (found.url, found.source) == (best["url"], "repository")
    assert open_access_from({"best_oa_location": {"url": "javascript:alert(1)"}}) is None
    assert open_access_from({"best_oa_location": [1]}) is None
    assert open_access_from({"best_oa_location": None}) is None


def test_dois_printed_in_a_pdf_reference_list_are_links() -> None:
    from helpers.builders import pdf as build
    from linkaudit.config import Settings
    from linkaudit.extract.pdf import PdfExtractor
    from linkaudit.models import Source

    source = Source(name="refs.pdf", data=build.dois_pdf(), base_url="file:///refs.pdf")
    found = PdfExtractor().extract(source, Settings()).occurrences
    assert [(o.raw, o.url, o.element.value) for o in found] == [
        (
            "https://doi.org/10.5555/retaliation",
            "https://doi.org/10.5555/retaliation",
            "annotation",
        ),
        ("doi:10.5555/alliances.2021", "https://doi.org/10.5555/alliances.2021", "bare"),
        ("DOI: 10.5555/supply-(chains)3", "https://doi.org/10.5555/supply-(chains)3", "bare"),
    ]


def test_dois_printed_in_plain_text_are_links() -> None:
    from linkaudit.config import Settings
    from linkaudit.extract.text import TextExtractor
    from linkaudit.models import Source

    data = b"See doi:10.5555/abc. And https://doi.org/10.5555/def, DOI 10.5555/ghi."
    source = Source(name="refs.txt", data=data, base_url="file:///refs.txt")
    found = TextExtractor().extract(source, Settings()).occurrences
    assert [o.url for o in found] == [
        "https://doi.org/10.5555/abc",
        "https://doi.org/10.5555/def",
        "https://doi.org/10.5555/ghi",
    ]
