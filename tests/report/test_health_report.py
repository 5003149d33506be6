"""The archive health report a director can read (#16.8): every format, charts in Chromium,
and offline runs kept out of the rates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.models import Document, DocumentFormat, Occurrence, Result
from linkaudit.report import HealthPoint, Report, build_report
from linkaudit.report.health import render_health
from linkaudit.run.stored import offline_runs, render_stored
from linkaudit.store import Store
from linkaudit.verdicts import Verdict

from .cdp import Browser

WHEN = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 5)
OLD = Document("briefs/2015-brief.md", DocumentFormat.MARKDOWN, published=dt.date(2015, 4, 1))
OLD2 = Document("briefs/2015-annex.pdf", DocumentFormat.PDF, published=dt.date(2015, 9, 1))
NEW = Document("briefs/2024-brief.md", DocumentFormat.MARKDOWN, published=dt.date(2024, 2, 1))


def _occ(document: Document, url: str, text: str) -> Occurrence:
    return Occurrence(document=document.path, raw=url, url=url, text=text, line=1)


def results() -> list[Result]:
    page = "https://agency.example/report-2014"
    domain = "https://vanished.example/data"
    return [
        Result(page, Verdict.DEAD, "http_404", occurrences=(_occ(OLD, page, "2014 report"),)),
        Result(
            domain,
            Verdict.DEAD,
            "dns",
            occurrences=(_occ(OLD, domain, "the data"), _occ(NEW, domain, "dataset")),
        ),
        Result("#", Verdict.INVALID, "placeholder", occurrences=(_occ(NEW, "#", "TODO"),)),
        Result(
            "https://ok.example/",
            Verdict.OK,
            None,
            status=200,
            occurrences=(_occ(OLD2, "https://ok.example/", "fine"),),
        ),
    ]


def report(network: str = "ok") -> Report:
    points = [
        HealthPoint(WHEN - dt.timedelta(days=14), {"ok": 3, "dead": 1}),
        HealthPoint(WHEN - dt.timedelta(days=7), {"skipped": 4}, offline=True),
        HealthPoint(WHEN, {"ok": 1, "dead": 2, "invalid": 1}),
    ]
    built = build_report([OLD, OLD2, NEW], results(), network=network, generated_at=WHEN)
    return dataclasses.replace(built, health=points)


def test_markdown_for_a_director() -> None:
    text = render_health(report(), None, fmt="markdown", today=TODAY)
    # lost evidence by citing document, with anchor text and date cited
    assert "- briefs/2015-brief.md (cited 2015-04-01)" in text
    assert "  - 2014 report: `https://agency.example/report-2014` (http\\_404)" in text
    # an invalid column
    assert "| document | alive | dead | invalid |" in text
    assert "| briefs/2024-brief.md | 0 | 1 | 1 |" in text
    # share of documents with a broken link by year, page gone and domain gone
    assert "| 2015 | 2 | 50% (1) | 50% (1) | 50% (1) |" in text
    assert "| 2024 | 1 | 100% (1) | 0% (0) | 100% (1) |" in text
    assert "Pew Research Center" in text
    assert "1 earlier offline runs are left out" in text


def test_an_offline_run_is_marked_and_has_no_rates() -> None:
    data = json.loads(render_health(report("unavailable"), None, fmt="json", today=TODAY))
    assert data["offline"] is True
    assert data["overall"]["archive_coverage"] is None
    assert all(
        y["share_with_broken_link"] is None for y in data["documents_with_broken_links_by_year"]
    )
    assert [p["offline"] for p in data["history"]] == [False, True, False]
    table = render_health(report("unavailable"), None, fmt="table", today=TODAY)
    assert table.startswith("# Archive health\n\nOffline run.")
    assert "| 2015 | 2 | – (1) | – (1) | – (1) |" in table
    online = json.loads(render_health(report(), None, fmt="json", today=TODAY))
    assert online["offline"] is False
    assert online["documents_with_broken_links_by_year"][0]["share_with_page_gone"] == 0.5


def test_html_charts_have_axes_labels_and_values() -> None:
    html = render_health(report(), None, fmt="html", today=TODAY)
    broken = html.split('<section id="broken">')[1].split("</section>")[0]
    assert broken.count('class="axis"') == 2 and "100%" in broken and "50%" in broken
    assert "2015 (n=2)" in broken and "page gone" in broken and "domain gone" in broken
    history = html.split('<section id="history">')[1]
    assert ">offline</text>" in history  # the offline run is marked, not drawn
    assert history.count("<rect ") == 6  # two online runs, three stacks each


@pytest.mark.browser
def test_health_report_in_headless_chromium(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "health.html"
    page.write_text(render_health(report(), None, fmt="html", today=TODAY), encoding="utf-8")
    browser.open(page.as_uri())
    charts = browser.evaluate("document.querySelectorAll('svg').length")
    assert charts == 3
    # every chart has its two axes, tick labels and drawn bars with their values
    for section in ("rot", "broken", "history"):
        found = browser.evaluate(
            f"(() => {{ const s = document.querySelector('#{section} svg');"
            " return [s.querySelectorAll('line.axis').length,"
            " s.querySelectorAll('text.tick').length, s.querySelectorAll('text.value').length,"
            " s.getBoundingClientRect().height]; })()"
        )
        assert found[0] == 2 and found[1] == 5 and found[2] > 0 and found[3] > 100, section
    widths = browser.evaluate(
        "Array.from(document.querySelectorAll('#broken rect')).map(r => r.getBBox().height)"
    )
    assert max(widths) > 0
    shot = tmp_path / "health.png"
    browser.screenshot(shot)
    print(f"screenshot of the health report: {shot}")
    assert shot.stat().st_size > 10_000
    assert browser.errors() == []


def _stored_run(
    store: Store, arguments: list[str], found: list[Result], settings: Settings
) -> None:
    run = store.begin_run(arguments, "test")
    store.save_results(run, found, settings)
    store.finish_run(run, {r.verdict.value: 1 for r in found})


def test_stored_health_skips_offline_runs(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "db.sqlite"))
    store = Store.open(settings.db)
    try:
        dead = Result("https://gone.example/", Verdict.DEAD, "http_404", status=404)
        _stored_run(store, ["check", "a.md"], [dead], settings)
        unavailable = Result("https://gone.example/", Verdict.UNREACHABLE, "network_unavailable")
        _stored_run(store, ["check", "a.md"], [unavailable], settings)
        skipped = Result("https://gone.example/", Verdict.SKIPPED, "excluded")
        _stored_run(store, ["check", "--offline", "a.md"], [skipped], settings)
        assert offline_runs(store) == frozenset({2, 3})
    finally:
        store.close()
    data = json.loads(render_stored(settings, fmt="json", health=True, today=TODAY))
    assert data["offline"] is False and data["overall"]["dead"] == 1  # run 1, not run 3
    assert [p["offline"] for p in data["history"]] == [False]
    chosen = json.loads(render_stored(settings, fmt="json", health=True, run_id=3, today=TODAY))
    assert chosen["offline"] is True and [p["offline"] for p in chosen["history"]] == [
        False,
        True,
        True,
    ]
