"""The run's ledger: per-URL state in a real SQLite file, read back in first-cited order."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
import tempfile
from pathlib import Path

import pytest

from linkaudit.gate import Baseline, BaselineEntry, apply_baseline, exit_code, failing
from linkaudit.models import Occurrence, Result
from linkaudit.report import REPORTERS, build_report, get_reporter
from linkaudit.report.base import ReportOptions
from linkaudit.report.json import JsonReporter
from linkaudit.store.ledger import CHUNK, Ledger, LedgerResults
from linkaudit.verdicts import Concern, GateTerm, Reason, Verdict
from report.conftest import make_report, sample_results


def _occ(url: str, document: str = "a.md", **where: object) -> Occurrence:
    return Occurrence(document=document, raw=url, url=url, **where)  # type: ignore[arg-type]


def _ok(url: str) -> Result:
    return Result(url=url, verdict=Verdict.OK, reason=None, status=200)


def _filled(results: list[Result]) -> Ledger:
    """A ledger holding ``results``, each result's places cited as one document."""
    ledger = Ledger()
    for result in results:
        ledger.cite(result.occurrences)
        ledger.put(result)
    return ledger


def test_cite_returns_the_urls_a_document_is_first_to_cite_in_order() -> None:
    ledger = Ledger()
    a, b, c = "https://a.test/", "https://b.test/", "https://c.test/"
    assert ledger.cite([_occ(b), _occ(a), _occ(b)]) == [b, a]
    assert ledger.cite([_occ(a, "z.md"), _occ(c, "z.md")]) == [c]
    assert ledger.cite([]) == []
    assert ledger.urls() == 3
    assert [o.document for o in ledger.citations(a)] == ["a.md", "z.md"]
    ledger.close()


def test_results_come_back_in_first_cited_order_with_every_place() -> None:
    ledger = Ledger()
    first, second, third = "https://1.test/", "https://2.test/", "https://3.test/"
    ledger.cite([_occ(first), _occ(second, line=2)])
    ledger.cite([_occ(third, "b.md"), _occ(first, "b.md", line=9)])
    for url in (third, first, second):  # results arrive in any order
        ledger.put(_ok(url))
    ledger.put(dataclasses.replace(_ok(second), verdict=Verdict.DEAD, reason="http_404"))
    results = LedgerResults(ledger)
    assert [r.url for r in results] == [first, second, third]
    assert [(o.document, o.line) for o in results[0].occurrences] == [("a.md", None), ("b.md", 9)]
    assert results[1].verdict is Verdict.DEAD  # replaced, not added
    assert len(results) == 3 and results[-1].url == third and results[1:] == list(results)[1:]
    assert list(results) == list(results)  # re-iterable
    with pytest.raises(IndexError):
        results[3]
    tally = ledger.tally()
    assert (tally.urls, tally.links, tally.by_verdict) == (3, 4, {"dead": 1, "ok": 2})
    ledger.close()


def test_a_url_without_a_result_is_skipped_and_listed_as_unresolved() -> None:
    ledger = Ledger()
    urls = [f"https://h.test/{n}" for n in range(CHUNK + 3)]
    ledger.cite([_occ(u) for u in urls])
    ledger.put(_ok(urls[1]))
    assert [r.url for r in LedgerResults(ledger)] == [urls[1]]
    chunks = list(ledger.unresolved())
    assert [len(c) for c in chunks] == [CHUNK, 2]
    assert chunks[0][:2] == [urls[0], urls[2]]
    assert ledger.tally().links == 1
    ledger.close()


def test_results_survive_the_round_trip_exactly() -> None:
    """Every field of every verdict the reports show, nested records included."""
    results = sample_results()
    ledger = _filled(results)
    assert list(LedgerResults(ledger)) == results
    ledger.close()


def test_late_problems_are_found_and_select_filters_by_verdict() -> None:
    ledger = Ledger()
    url, other = "https://late.test/", "https://fine.test/"
    ledger.cite([_occ(url), _occ(other)])
    ledger.cite([_occ(url, "b.md", problem=Reason.PLACEHOLDER), _occ(other, "b.md")])
    ledger.put(_ok(url))
    ledger.put(dataclasses.replace(_ok(other), verdict=Verdict.ARCHIVED))
    (late,) = list(ledger.with_late_problems())
    assert [r.url for r in late] == [url] and len(late[0].occurrences) == 2
    (archived,) = list(ledger.select("verdict = ?", ["archived"]))
    assert [r.url for r in archived] == [other]
    assert ledger.count_reason("http_404") == 0
    ledger.close()


def _open_ledgers() -> list[int]:
    """This process's file descriptors on a ledger file (unlinked: Linux names it deleted)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if "ledger.sqlite" in os.readlink(f"/proc/self/fd/{fd}"):
                found.append(int(fd))
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd")
def test_the_file_is_unlinked_from_the_start_and_freed_at_close(tmp_path: Path) -> None:
    """Nothing on disk to leave behind, whatever ends the process; the open file is a real
    SQLite database, and closing frees it."""
    before = _open_ledgers()
    ledger = Ledger(tmp_path)
    ledger.cite([_occ("https://a.test/")])
    ledger.put(_ok("https://a.test/"))
    assert list(tmp_path.iterdir()) == []
    (fd,) = set(_open_ledgers()) - set(before)
    assert os.readlink(f"/proc/self/fd/{fd}").endswith("(deleted)")
    assert os.pread(fd, 16, 0) == b"SQLite format 3\x00"
    assert [r.url for r in LedgerResults(ledger)] == ["https://a.test/"]
    ledger.close()
    ledger.close()  # twice: nothing
    assert ledger.closed and _open_ledgers() == before


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd")
def test_the_file_goes_with_the_last_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = _open_ledgers()
    results = LedgerResults(_filled([_ok("https://a.test/")]))
    assert list(tmp_path.iterdir()) == []
    assert len(_open_ledgers()) == len(before) + 1
    del results
    gc.collect()
    assert _open_ledgers() == before


@pytest.mark.parametrize("fmt", list(REPORTERS))
@pytest.mark.parametrize("verbose", [False, True])
def test_every_format_renders_the_same_from_the_file(fmt: str, verbose: bool) -> None:
    """A report whose results are read back from the ledger renders exactly as the same
    report holding a list."""
    listed = make_report()
    ledger = _filled(list(listed.results))
    on_disk = dataclasses.replace(listed, results=LedgerResults(ledger))
    options = ReportOptions(verbose=verbose)
    assert get_reporter(fmt, options).render(on_disk) == get_reporter(fmt, options).render(listed)
    ledger.close()


def test_build_report_keeps_a_disk_backed_sequence_and_given_counts() -> None:
    ledger = _filled(sample_results())
    results = LedgerResults(ledger)
    tally = ledger.tally()
    report = build_report([], results, counts=(tally.by_verdict, tally.links))
    assert report.results is results
    assert report.summary == build_report([], sample_results()).summary
    text = JsonReporter().render(report)
    assert text == JsonReporter().render(dataclasses.replace(report, results=list(results)))
    ledger.close()


@pytest.mark.parametrize(
    "fail_on",
    [
        (Verdict.DEAD,),
        (Verdict.DEAD, Verdict.INVALID, Verdict.UNREACHABLE),
        (Verdict.REDIRECTED, Concern.RETRACTED, Concern.DRIFTED),
        (),
    ],
)
def test_the_gate_decides_the_same_from_the_file(fail_on: tuple[GateTerm, ...]) -> None:
    """The gate reads only the results it may fail (``narrowed``), and decides as from a list."""
    today = dt.date(2025, 3, 14)
    listed = make_report()
    ledger = _filled(list(listed.results))
    on_disk = dataclasses.replace(listed, results=LedgerResults(ledger))
    assert failing(on_disk, fail_on, None, today) == failing(listed, fail_on, None, today)
    assert exit_code(on_disk, fail_on, None, today) == exit_code(listed, fail_on, None, today)
    baseline = Baseline((BaselineEntry(".*", "known", None, None, None, exact=False),), "b")
    assert apply_baseline(on_disk, baseline, today, fail_on).baselined == (
        apply_baseline(listed, baseline, today, fail_on).baselined
    )
    ledger.close()


def test_narrowed_reads_only_what_may_be_wanted() -> None:
    results = sample_results()
    ledger = _filled(results)
    wanted = [r.url for r in LedgerResults(ledger).narrowed([Verdict.DEAD])]
    expected = [
        r.url
        for r in results
        if r.verdict is Verdict.DEAD or r.notices or r.drift is not None or r.quotes
    ]
    assert wanted == expected and 0 < len(wanted) < len(results)
    ledger.close()


def test_results_of_urls_cited_long_before_find_their_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond ``UNSETTLED`` URLs awaiting a result, ``put`` looks the row up instead."""
    from linkaudit.store import ledger as module

    monkeypatch.setattr(module, "UNSETTLED", 2)
    ledger = Ledger()
    urls = [f"https://h.test/{n}" for n in range(5)]
    ledger.cite([_occ(u) for u in urls[:3]])
    ledger.cite([_occ(u, "b.md") for u in urls[3:]])
    for url in reversed(urls):
        ledger.put(_ok(url))
    ledger.put(dataclasses.replace(_ok(urls[0]), status=203))
    assert [(r.url, r.status) for r in LedgerResults(ledger)] == [
        (urls[0], 203),
        *((u, 200) for u in urls[1:]),
    ]
    ledger.close()
