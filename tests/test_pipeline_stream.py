"""Checking starts with the first document: later documents are read while it runs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.extract import iter_inputs
from linkaudit.models import Document, DocumentFormat, Extraction, Occurrence
from linkaudit.run.pipeline import run_check
from linkaudit.store import Store
from linkaudit.verdicts import Reason, Verdict
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio


class _Recorder:
    """A listener that keeps what it heard."""

    def __init__(self) -> None:
        self.totals: list[int] = []
        self.done = 0

    def start(self, total: int) -> None:
        self.totals.append(total)

    def grew(self, total: int) -> None:
        self.totals.append(total)

    def result_ready(self, result: object) -> None:
        self.done += 1

    def finished(self) -> None:
        """Nothing to close."""


Held = Callable[[Sequence[str], Settings], Iterator[Extraction]]


@pytest.fixture
def held_second_document() -> Iterator[tuple[threading.Event, list[bool], Held]]:
    """Documents read as ``iter_inputs`` reads them, but the second held until ``release``
    is set (or 10 s pass); ``waited`` tells whether it was set in time. The run gets them
    through ``run_check(extractions=...)``, read in its worker thread as its own would be."""
    release = threading.Event()
    waited: list[bool] = []

    def held(inputs: Sequence[str], settings: Settings) -> Iterator[Extraction]:
        for index, extraction in enumerate(iter_inputs(inputs, settings)):
            if index == 1:
                waited.append(release.wait(10))
            yield extraction

    yield release, waited, held
    release.set()


def _documents(tmp_path: Path, web: SimWeb, key: str) -> list[str]:
    first, shared, second = (web.url(f"{key}/{name}") for name in ("first", "shared", "second"))
    (tmp_path / "a.md").write_text(f"[first]({first}) and [shared]({shared})\n")
    (tmp_path / "b.md").write_text(f"[second]({second}), [shared again]({shared})\n")
    return [str(tmp_path / "a.md"), str(tmp_path / "b.md")]


async def test_first_document_is_checked_while_the_second_is_read(
    tmp_path: Path,
    web: SimWeb,
    test_settings: Settings,
    held_second_document: tuple[threading.Event, list[bool], Held],
) -> None:
    """The first document's URLs reach the server before the second document is extracted;
    the report is as if every document had been read first."""
    release, waited, held = held_second_document
    key = f"/stream-{id(tmp_path)}"
    asked: set[str] = set()

    async def page(request: WebRequest) -> Reply:
        asked.add(request.path.rsplit("/", 1)[-1])
        if {"first", "shared"} <= asked:
            release.set()  # both of the first document's URLs were requested
        return Reply(200, "<title>p</title>" + request.path)

    web.route(f"{key}/*", page)
    listener = _Recorder()
    try:
        settings = test_settings.replace(soft404=False, archive="none")
        inputs = _documents(tmp_path, web, key)
        heard: list[str] = []
        outcome = await run_check(
            inputs,
            settings,
            db=None,
            extractions=held(inputs, settings),
            listener=listener,
            on_document=lambda extraction: heard.append(extraction.document.path),
        )
    finally:
        web.unroute(f"{key}/*")
    assert waited == [True]  # the second document waited for requests of the first
    report = outcome.report
    names = [r.url.rsplit("/", 1)[-1] for r in report.results]
    assert names == ["first", "shared", "second"]  # first-cited order over all documents
    shared = report.results[1]
    assert [o.document for o in shared.occurrences] == inputs  # the later citation too
    assert report.summary.links == 4 and [d.path for d in report.documents] == inputs
    assert listener.totals == [0, 2, 3] and listener.done == 3
    assert heard == inputs  # each document announced as it was read


async def test_store_keeps_every_occurrence_of_an_early_checked_url(
    tmp_path: Path,
    web: SimWeb,
    test_settings: Settings,
    held_second_document: tuple[threading.Event, list[bool], Held],
) -> None:
    """What the store gives back for the run has the later document's occurrence too, and
    each URL is checked once."""
    release, _, held = held_second_document
    key = f"/stream-store-{id(tmp_path)}"

    async def page(request: WebRequest) -> Reply:
        if request.path.endswith("/shared"):
            release.set()
        return Reply(200, "<title>p</title>" + request.path)

    web.route(f"{key}/*", page)
    db = tmp_path / "store.sqlite"
    try:
        settings = test_settings.replace(soft404=False, archive="none")
        web.reset_log()
        inputs = _documents(tmp_path, web, key)
        outcome = await run_check(inputs, settings, db=db, extractions=held(inputs, settings))
        log = [e.path for e in web.requests if e.path.startswith(key)]
    finally:
        web.unroute(f"{key}/*")
    assert sorted(log) == sorted(f"{key}/{n}" for n in ("first", "second", "shared"))
    with Store.open(db) as store:
        assert outcome.run_id is not None
        _, results = store.run_results(outcome.run_id)
    shared = next(r for r in results if r.url.endswith("/shared"))
    assert sorted(o.document for o in shared.occurrences) == sorted(
        str(tmp_path / n) for n in ("a.md", "b.md")
    )


async def test_extractions_argument_and_late_problem(web: SimWeb, test_settings: Settings) -> None:
    """Given extractions are used as they are; a later citation with an offline problem
    decides the verdict as it did when every document was read first."""
    url = web.url("/status/200")
    documents = [Document(path=p, format=DocumentFormat.MARKDOWN) for p in ("a.md", "b.md")]
    fine = Occurrence(document="a.md", raw=url, url=url)
    bad = Occurrence(document="b.md", raw="", url=url, problem=Reason.PLACEHOLDER)
    extractions = [Extraction(documents[0], [fine]), Extraction(documents[1], [bad])]
    settings = test_settings.replace(soft404=False, archive="none")
    outcome = await run_check([], settings, db=None, extractions=iter(extractions))
    (result,) = outcome.report.results
    assert result.verdict is Verdict.INVALID and result.occurrences == (fine, bad)
    assert [d.path for d in outcome.report.documents] == ["a.md", "b.md"]


async def test_next_document_is_read_after_this_ones_citations(test_settings: Settings) -> None:
    """A document's citations go into the run's ledger before the next document's
    extraction starts (SQLite beside a parsing thread waits for the GIL at every row: the
    stall docs/benchmarks.md measured). ``on_document`` runs right after the ledger took
    them; it waits up to 1 s for the next extraction to start, which must not."""
    documents = [Document(path=p, format=DocumentFormat.MARKDOWN) for p in ("a.md", "b.md")]
    started_next = threading.Event()
    heard: list[str] = []
    heard_when_next_started: list[list[str]] = []

    def source() -> Iterator[Extraction]:
        for index, document in enumerate(documents):
            if index == 1:
                heard_when_next_started.append(list(heard))
                started_next.set()
            bad = Occurrence(document=document.path, raw="", url="", problem=Reason.PLACEHOLDER)
            yield Extraction(document, [bad])

    def on_document(extraction: Extraction) -> None:
        if extraction.document.path == "a.md":
            started_next.wait(1.0)
        heard.append(extraction.document.path)

    settings = test_settings.replace(soft404=False, archive="none")
    outcome = await run_check([], settings, db=None, extractions=source(), on_document=on_document)
    assert heard_when_next_started == [["a.md"]]
    assert [d.path for d in outcome.report.documents] == ["a.md", "b.md"]
