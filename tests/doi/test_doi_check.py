"""DOIs checked through fake DOI, Crossref and Unpaywall services on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from helpers.archive_fakes import refused_base
from helpers.doi_fakes import FakeDoi, serve_doi
from linkaudit.config import Settings
from linkaudit.models import NoticeKind, Result
from linkaudit.report import get_reporter
from linkaudit.report.findings import action_for
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Reason, Verdict

pytestmark = pytest.mark.anyio

SCHEMA = (
    Path(__file__).resolve().parents[2] / "src" / "linkaudit" / "schemas" / "report-schema.json"
)
BIB = """\
@article{wall, title = {Behind a bot wall}, doi = {10.5555/wall}}
@article{ghost, title = {Never registered}, doi = {10.5555/ghost}}
@article{retracted, title = {A retracted study}, doi = {10.5555/Retracted}}
@article{open, title = {Closed but free}, doi = {10.5555/open}}
"""


@pytest.fixture
def fake() -> Iterator[FakeDoi]:
    with serve_doi() as doi:
        doi.state.targets.update(
            {
                "10.5555/wall": doi.publisher("wall-1"),
                "10.5555/retracted": doi.publisher("article-2"),
                "10.5555/open": doi.publisher("wall-3"),
            }
        )
        doi.state.notices.extend(
            [
                {
                    "DOI": "10.5555/retraction-notice",
                    "type": "retraction",
                    "updates": "10.5555/retracted",
                    "date": [2023, 4, 11],
                },
                {
                    "DOI": "10.5555/erratum",
                    "type": "correction",
                    "updates": "10.5555/retracted",
                    "date": [2021, 2, 1],
                },
            ]
        )
        doi.state.open_copies["10.5555/open"] = {
            "url": "https://repository.example/open.pdf",
            "host_type": "repository",
            "version": "acceptedVersion",
        }
        yield doi


def refs(tmp_path: Path, text: str = BIB) -> str:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return str(path)


async def check(tmp_path: Path, settings: Settings, text: str = BIB) -> dict[str, Result]:
    outcome = await run_check([refs(tmp_path, text)], settings, db=tmp_path / "s.sqlite")
    return {r.doi.doi if r.doi else r.url: r for r in outcome.report.results}


async def test_the_doi_system_decides_without_the_publisher(tmp_path: Path, fake: FakeDoi) -> None:
    results = await check(tmp_path, fake.settings())
    wall, ghost = results["10.5555/wall"], results["10.5555/ghost"]
    retracted, open_ = results["10.5555/retracted"], results["10.5555/open"]
    assert (wall.verdict, wall.reason) == (Verdict.OK, None)
    assert wall.doi is not None and wall.doi.target == fake.publisher("wall-1")
    assert (ghost.verdict, ghost.reason) == (Verdict.DEAD, Reason.DOI_NOT_REGISTERED)
    assert ghost.doi is not None and ghost.doi.registered is False
    assert retracted.verdict is Verdict.OK
    assert [n.kind for n in retracted.notices] == [NoticeKind.CORRECTION, NoticeKind.RETRACTION]
    assert "retracted 2023-04-11, see 10.5555/retraction-notice" in action_for(retracted)
    assert open_.open_access is not None
    assert "cite the open copy at https://repository.example/open.pdf" in action_for(open_)
    assert fake.state.hits["publisher"] == 0  # the publisher is never asked by default
    assert all("mailto=editor%40example.org" in q for q in fake.state.queries if "/works" in q)


async def test_doi_follow_classifies_the_publishers_page(tmp_path: Path, fake: FakeDoi) -> None:
    results = await check(tmp_path, fake.settings(doi_follow=True))
    wall, ghost = results["10.5555/wall"], results["10.5555/ghost"]
    assert (wall.verdict, wall.reason) == (Verdict.RESTRICTED, "http_403")
    assert ghost.verdict is Verdict.DEAD  # not registered: nothing to follow
    open_ = results["10.5555/open"]
    assert open_.verdict is Verdict.RESTRICTED
    assert action_for(open_).endswith("cite the open copy at https://repository.example/open.pdf")
    assert results["10.5555/retracted"].status == 200


async def test_the_json_report_validates_with_doi_notices_and_open_access(
    tmp_path: Path, fake: FakeDoi
) -> None:
    outcome = await run_check([refs(tmp_path)], fake.settings(), db=None)
    data = json.loads(get_reporter("json").render(outcome.report))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    by_doi = {r["doi"]["doi"]: r for r in data["results"] if r.get("doi")}
    assert by_doi["10.5555/ghost"]["reason"] == "doi_not_registered"
    assert by_doi["10.5555/retracted"]["notices"][-1] == {
        "kind": "retraction",
        "doi": "10.5555/retraction-notice",
        "date": "2023-04-11",
        "url": "https://doi.org/10.5555/retraction-notice",
    }
    assert by_doi["10.5555/open"]["open_access"]["version"] == "acceptedVersion"


async def test_every_format_shows_the_notice(tmp_path: Path, fake: FakeDoi) -> None:
    outcome = await run_check([refs(tmp_path)], fake.settings(), db=None)
    for fmt in ("table", "markdown", "html", "csv", "junit", "sarif", "github"):
        text = get_reporter(fmt).render(outcome.report)
        assert "retracted 2023-04-11" in text, fmt


async def test_answers_are_stored_and_reused(tmp_path: Path, fake: FakeDoi) -> None:
    settings = fake.settings()
    await check(tmp_path, settings)
    asked = fake.state.hits["crossref"] + fake.state.hits["unpaywall"]
    again = await check(tmp_path, settings.replace(fresh=True))
    assert fake.state.hits["crossref"] + fake.state.hits["unpaywall"] == asked
    assert [n.kind for n in again["10.5555/retracted"].notices][-1] is NoticeKind.RETRACTION
    cached = await check(tmp_path, settings)  # within max_age: the whole result from the store
    assert cached["10.5555/open"].cached and cached["10.5555/open"].open_access is not None


async def test_a_resolver_that_is_down_is_marked_down_once(tmp_path: Path, fake: FakeDoi) -> None:
    down = refused_base()
    many = "".join(f"@misc{{k{i}, doi = {{10.5555/n{i}}}}}\n" for i in range(8))
    settings = fake.settings(doi_api_url=f"{down}/api/handles/")
    outcome = await run_check([refs(tmp_path, many)], settings, db=None)
    assert {r.verdict for r in outcome.report.results} == {Verdict.UNREACHABLE}
    lines = [w for w in outcome.report.warnings if "DOI handle API unreachable" in w]
    assert len(lines) == 1


@pytest.mark.parametrize("mode", ["huge", "wrongtypes", "private", "html", "500"])
async def test_hostile_answers_never_break_the_run(
    tmp_path: Path, fake: FakeDoi, mode: str
) -> None:
    for service in ("handle", "crossref", "unpaywall"):
        fake.state.behaviour[service] = mode
    results = await check(tmp_path, fake.settings())
    for result in results.values():
        assert result.verdict in (Verdict.OK, Verdict.UNREACHABLE), (mode, result)
        assert not result.notices and result.open_access is None
        assert result.doi is not None and result.doi.registered in (True, None)
    # The guard stopped the redirect: the private address was never asked.
    if mode == "private":
        assert all(r.verdict is Verdict.UNREACHABLE for r in results.values())
