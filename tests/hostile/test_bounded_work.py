"""
Bounded work: every hostile document class ends with links or a one-line error, within a
generous time and memory guard (guards against a return to quadratic or unbounded work,
not speed claims: the old code took 11 s to minutes, or gigabytes, on these).
"""

from __future__ import annotations

import gzip
import os
import resource
import time
import tracemalloc

import pytest

from helpers.checking import observe_all
from hostile.corpus import (
    TEXT_DOCUMENTS,
    docx_of_many_paragraphs,
    pdf_pages_sharing_one_stream,
)
from linkaudit.config import Settings
from linkaudit.exceptions import DocumentError
from linkaudit.extract import extract_source
from linkaudit.extract.sandbox import SANDBOXED, budget
from linkaudit.models import Source
from web import Reply, SimWeb, WebRequest

#: Seconds one document may take in the guard (on 2 busy CPUs); the old code took 11-96 s.
TIME_GUARD = 20.0
#: Peak Python memory one text document may take.
MEMORY_GUARD = 300_000_000


@pytest.mark.parametrize("case", sorted(TEXT_DOCUMENTS))
def test_text_documents_are_linear(case: str) -> None:
    """Each class extracts within the guards; nothing raises but a DocumentError."""
    name, body = TEXT_DOCUMENTS[case]()
    tracemalloc.start()
    started = time.monotonic()
    try:
        extraction = extract_source(Source(name, body, f"file:///corpus/{name}"), Settings())
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < TIME_GUARD, f"{case}: {elapsed:.1f} s"
    assert peak < MEMORY_GUARD, f"{case}: {peak / 1e6:.0f} MB"
    assert all(o.line is None or o.line >= 1 for o in extraction.occurrences)


def test_links_after_the_tree_depth_cap_are_found() -> None:
    """libxml2 stops building a tree 2,048 elements deep: the links are read as events."""
    name, body = TEXT_DOCUMENTS["html-deep-divs"]()
    extraction = extract_source(Source(name, body, "file:///corpus/e.html"), Settings())
    assert [o.url for o in extraction.occurrences] == ["https://e.example/"]
    assert extraction.occurrences[0].line == 1
    assert any("deep" in w for w in extraction.warnings)


def test_nested_anchor_text_is_bounded_but_present() -> None:
    """Anchors 900 deep each keep a text; the flat links after them keep theirs."""
    name, body = TEXT_DOCUMENTS["html-nested-anchors"]()
    extraction = extract_source(Source(name, body, "file:///corpus/d.html"), Settings())
    assert extraction.occurrences[0].text.startswith("x x")
    assert extraction.occurrences[-1].text == "y"


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A per-document budget small enough to reach quickly: 400 MiB, 4 s of CPU."""
    monkeypatch.setenv("LINKAUDIT_DOCUMENT_MEMORY_MB", "400")
    monkeypatch.setenv("LINKAUDIT_DOCUMENT_SECONDS", "4")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the sandbox needs fork")
def test_docx_tree_bomb_costs_only_the_budget(small_budget: None) -> None:
    """A 300 KB DOCX whose tree would take gigabytes ends as one line within the budget."""
    body = docx_of_many_paragraphs(3_000_000)
    assert len(body) < 1_000_000
    started = time.monotonic()
    with pytest.raises(DocumentError) as raised:
        extract_source(Source("bomb.docx", body, "file:///corpus/bomb.docx"), Settings())
    assert time.monotonic() - started < TIME_GUARD
    assert "\n" not in str(raised.value)
    # The parent never held the tree: the child did, and the child was bounded.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_000_000  # KiB: < 1 GB


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the sandbox needs fork")
def test_pdf_of_one_shared_stream_is_bounded(small_budget: None) -> None:
    """Pages that all draw one 20 MB stream: links or a one-line error, within the guard."""
    body = pdf_pages_sharing_one_stream()
    started = time.monotonic()
    try:
        extract_source(Source("shared.pdf", body, "file:///corpus/shared.pdf"), Settings())
    except DocumentError as exc:
        assert "\n" not in str(exc)
    assert time.monotonic() - started < budget().wall_seconds + 5


def test_pdf_and_docx_are_sandboxed() -> None:
    """The formats parsed by native code are the ones with a per-document budget."""
    from linkaudit.models import DocumentFormat

    assert {DocumentFormat.PDF, DocumentFormat.DOCX} <= SANDBOXED


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the sandbox needs fork")
def test_sandboxed_errors_keep_their_kind(small_budget: None) -> None:
    """An encrypted PDF still says so (the error class crosses the process border)."""
    from helpers.builders import pdf as build_pdf
    from linkaudit.exceptions import EncryptedDocument

    with pytest.raises(EncryptedDocument):
        extract_source(
            Source("locked.pdf", build_pdf.encrypted_pdf(), "file:///corpus/locked.pdf"),
            Settings(),
        )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the sandbox needs fork")
def test_an_answer_the_child_cannot_send_is_named() -> None:
    """A reader's error of a kind that cannot cross the process border (a class pickle
    cannot find by name) still reaches the user as one line saying what failed, not as
    the child's bare exit code; a reader that works is unaffected."""
    from linkaudit.extract.sandbox import run_contained
    from linkaudit.models import DocumentFormat, Extraction

    class Unsendable(DocumentError):
        pass

    class Failing:
        format = DocumentFormat.PDF

        def extract(self, source: Source, settings: Settings) -> Extraction:
            raise Unsendable(source.name, "unreadable")

    source = Source("odd.pdf", b"%PDF-1.4", "file:///corpus/odd.pdf")
    with pytest.raises(DocumentError) as caught:
        run_contained(DocumentFormat.PDF, Failing(), source, Settings())
    assert "exit code" not in caught.value.cause
    assert "Unsendable" in caught.value.cause

    from helpers.builders import pdf as build_pdf
    from linkaudit.extract.pdf import PdfExtractor

    working = Source("ok.pdf", build_pdf.long_pdf(1), "file:///corpus/ok.pdf")
    assert run_contained(DocumentFormat.PDF, PdfExtractor(), working, Settings()).occurrences


def gzipped_anchor_page(repeats: int) -> bytes:
    return gzip.compress(b"<html><body>" + b"<a id=" * repeats, 9)


@pytest.mark.anyio
async def test_gzipped_page_behind_a_fragment_is_read_off_the_loop(web: SimWeb) -> None:
    """A page of 1 MB of ``<a id=`` behind ``#fragment``: searched in a thread (linear),
    while a plain page checked at the same time is answered."""
    page = gzipped_anchor_page(170_000)

    async def bomb(request: WebRequest) -> Reply:
        headers = {"content-type": "text/html", "content-encoding": "gzip"}
        return Reply(200, body=page, headers=headers)

    web.route("/hostile/anchors", bomb)
    settings = Settings(allow_private=True, timeout=10.0, retries=0, soft404=False)
    try:
        started = time.monotonic()
        urls = [web.url("/hostile/anchors") + "#missing", web.url("/status/200")]
        found = await observe_all(urls, settings)
    finally:
        web.unroute("/hostile/anchors")
    assert time.monotonic() - started < TIME_GUARD
    assert found[urls[0]].status == 200 and found[urls[0]].fragment_found is False
    assert found[urls[1]].status == 200


def test_a_document_over_the_link_limit_is_not_read_whole() -> None:
    """Reading stops where the link starts exceed twice the limit: the first links are all
    kept, exactly the limit is reported, and both warnings say so."""
    from linkaudit.config import Settings
    from linkaudit.extract import content_hash_of, extract_source
    from linkaudit.models import Source

    lines = "".join(f"- [link {i}](https://example.org/{i})\n" for i in range(5000))
    source = Source("many.md", lines.encode(), "file:///many.md")
    extraction = extract_source(source, Settings(max_links_per_document=1000))
    assert [o.url for o in extraction.occurrences] == [
        f"https://example.org/{i}" for i in range(1000)
    ]
    assert any("reading stopped at byte" in w for w in extraction.warnings)
    assert any("only the first 1000 kept" in w for w in extraction.warnings)
    assert extraction.document.content_hash == content_hash_of(source)


def test_a_document_at_the_link_limit_is_read_whole() -> None:
    """Links whose URLs hold several link starts (``www.`` after ``//``, a web archive's copy
    of a DOI URL) never make the cut fall before the limit: a document with exactly the
    limit's links keeps them all, without a warning."""
    from linkaudit.config import Settings
    from linkaudit.extract import extract_source
    from linkaudit.models import Source

    urls = [
        f"https://web.archive.org/web/2020/https://www.doi.org/10.1/doi-{i}" for i in range(1000)
    ]
    lines = "".join(f"- [link {i}]({url}) and [ref {i}][r{i}]\n\n" for i, url in enumerate(urls))
    lines += "".join(f"[r{i}]: {url}\n" for i, url in enumerate(urls))
    source = Source("many.md", lines.encode(), "file:///many.md")
    extraction = extract_source(source, Settings(max_links_per_document=2000))
    assert [o.url for o in extraction.occurrences] == [u for url in urls for u in (url, url)]
    assert extraction.warnings == []
