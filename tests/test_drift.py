"""Content drift and quotations: pure thresholds on fixture pairs, then a run against a fake
Wayback on loopback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from helpers.archive_fakes import FakeArchive, serve_archive
from helpers.drift_pages import ARTICLE, EDITED, OTHER, page
from linkaudit.drift.text import (
    DriftState,
    drift_state,
    find_quotations,
    main_text,
    quotation_found,
    similarity,
)
from linkaudit.report import get_reporter
from linkaudit.report.findings import action_for
from linkaudit.report.health import render_health
from linkaudit.run.pipeline import run_check
from web import Handler, Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

SCHEMA = (
    Path(__file__).resolve().parents[1] / "src" / "linkaudit" / "schemas" / "report-schema.json"
)


@pytest.mark.parametrize(
    ("then", "now", "state"),
    [
        (page("Budget outlook", ARTICLE), page("Budget outlook", ARTICLE), DriftState.UNCHANGED),
        (
            page("Budget outlook", ARTICLE),
            page("Budget outlook", ARTICLE, chrome="new shiny redesigned"),
            DriftState.UNCHANGED,
        ),
        (page("Budget outlook", ARTICLE), page("Budget outlook", EDITED), DriftState.CHANGED),
        (page("Budget outlook", ARTICLE), page("Local food", OTHER), DriftState.DRIFTED),
    ],
    ids=["unchanged", "redesign-same-text", "edited-article", "replaced-page"],
)
def test_fixture_pairs_give_the_documented_states(then: str, now: str, state: DriftState) -> None:
    a, b = main_text(then), main_text(now)
    assert "menu" not in b.text and "var x" not in b.text
    assert drift_state(similarity(a, b), a, b) is state


def test_quotations_and_scare_quotes() -> None:
    sentence = (
        "The report calls it “a reduced exposure to economic retaliation” and warns of "
        '"higher prices for consumers", but "allyshoring" is a scare quote.'
    )
    assert find_quotations(sentence) == [
        "a reduced exposure to economic retaliation",
        "higher prices for consumers",
    ]
    source = main_text(page("Budget outlook", ARTICLE))
    assert quotation_found("raise prices for consumers in the short run", source)
    assert quotation_found("reduce exposure to economic […] retaliation", source)
    assert quotation_found("Reduce  exposure to\neconomic-retaliation", source)
    assert not quotation_found("a reduced exposure to economic retaliation", source)
    assert not quotation_found("the deficit will vanish by next year entirely", source)


def serving(body: str) -> Handler:
    async def handler(_: WebRequest) -> Reply:
        return Reply(200, body, {"content-type": "text/html; charset=utf-8"})

    return handler


@pytest.fixture
def fake() -> Iterator[FakeArchive]:
    with serve_archive() as archive:
        yield archive


async def test_a_run_reports_drift_and_quotes(
    tmp_path: Path, web: SimWeb, fake: FakeArchive
) -> None:
    routes = {
        "/drift/same": page("Budget outlook", ARTICLE, chrome="new"),
        "/drift/edited": page("Budget outlook", EDITED),
        "/drift/replaced": page("Local food", OTHER),
        "/drift/unarchived": page("Budget outlook", ARTICLE),
    }
    for path, body in routes.items():
        web.route(path, serving(body))
    urls = {path: web.url(path) for path in routes}
    for path in ("/drift/same", "/drift/edited", "/drift/replaced"):
        fake.state.add(urls[path], "20210215000000")
        fake.state.pages[f"20210215000000 {urls[path]}"] = page("Budget outlook", ARTICLE)
    brief = tmp_path / "brief.md"
    brief.write_text(
        "<!-- published 2021-03-01 -->\n"
        f'The report [warns]({urls["/drift/same"]}) of "higher prices for consumers in the '
        'short run" today.\n\n'
        f'It says "deficits averaging 3.1 percent of output" [here]({urls["/drift/edited"]}).\n\n'
        f'Agencies "name semiconductors and batteries" in [a page]({urls["/drift/replaced"]}).\n\n'
        f"A [fourth]({urls['/drift/unarchived']}) page.\n",
        encoding="utf-8",
    )
    settings = fake.settings(
        network_canaries=(web.url("/"),),
        soft404=False,
        retries=0,
        drift=True,
        archive="none",
        timeout=10.0,  # a loaded machine must not mark the fake archive down
        connect_timeout=5.0,
    )
    db = tmp_path / "s.sqlite"
    outcome = await run_check([str(brief)], settings, db=db)
    by_path = {r.url.rsplit("/", 2)[-1]: r for r in outcome.report.results}
    assert {k: r.drift.state if r.drift else None for k, r in by_path.items()} == {
        "same": "unchanged",
        "edited": "changed",
        "replaced": "drifted",
        "unarchived": "unknown",
    }
    assert by_path["same"].drift and by_path["same"].drift.compared_at == "2021-02-15"
    same_quote, edited_quote, replaced_quote = (
        by_path[k].quotes[0] for k in ("same", "edited", "replaced")
    )
    assert (same_quote.found, same_quote.in_snapshot) == (True, True)
    assert (edited_quote.found, edited_quote.in_snapshot) == (False, True)
    assert (replaced_quote.found, replaced_quote.in_snapshot) == (False, False)
    assert "changed since cited" in action_for(by_path["edited"])
    assert "a different page answers now" in action_for(by_path["replaced"])
    data = json.loads(get_reporter("json").render(outcome.report))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    health = json.loads(render_health(outcome.report, None, fmt="json", today=dt.date(2026, 1, 1)))
    assert [d["url"] for d in health["drifted_since_cited"]] == [urls["/drift/replaced"]]
    assert {q["in_snapshot"] for q in health["quotations_not_found"]} == {True, False}
    for fmt in ("markdown", "html", "table"):
        text = render_health(outcome.report, None, fmt=fmt, today=dt.date(2026, 1, 1))
        assert "Drifted since cited" in text and "name semiconductors and batteries" in text

    # Without a snapshot, the page as first checked is the reference from then on.
    web.route("/drift/unarchived", serving(page("Local food", OTHER)))
    later = await run_check([str(brief)], settings.replace(fresh=True), db=db)
    fourth = next(r for r in later.report.results if r.url.endswith("unarchived"))
    assert fourth.drift is not None
    assert (fourth.drift.state, fourth.drift.compared_with) == ("drifted", "first_check")
