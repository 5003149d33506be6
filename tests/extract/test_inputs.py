"""iter_inputs: directories, bad documents, bounds and a document fetched over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers.threaded import serving
from linkaudit.config import Settings
from linkaudit.extract import iter_inputs
from linkaudit.models import DocumentFormat

PAGE = b'<html><head><title>Brief</title></head><body><a href="/cited">cited</a></body></html>'


def test_directory_walk_with_globs(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.md").write_text("[x](https://a.org/)", encoding="utf-8")
    (tmp_path / "b" / "c.txt").write_text("https://c.org/", encoding="utf-8")
    (tmp_path / "b" / "skip.md").write_text("https://skip.org/", encoding="utf-8")
    (tmp_path / ".git" / "x.md").write_text("https://git.org/", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    settings = Settings(exclude_globs=("skip.*",))
    found = list(iter_inputs([str(tmp_path)], settings))
    assert [e.document.path for e in found] == [str(tmp_path / "a.md"), str(tmp_path / "b/c.txt")]
    assert [o.url for e in found for o in e.occurrences] == ["https://a.org/", "https://c.org/"]
    only_md = list(iter_inputs([str(tmp_path)], Settings(include_globs=("*.md",))))
    assert [e.document.path for e in only_md] == [
        str(tmp_path / "a.md"),
        str(tmp_path / "b/skip.md"),
    ]


def test_bad_documents_are_errors_not_exceptions(tmp_path: Path) -> None:
    junk = tmp_path / "junk.md"
    junk.write_bytes(bytes(range(256)) * 8)
    lying = tmp_path / "lying.pdf"
    lying.write_text("not a pdf at all", encoding="utf-8")
    zipped = tmp_path / "archive.docx"
    zipped.write_bytes(b"PK\x03\x04 this is no zip")
    latin = tmp_path / "latin.md"
    latin.write_bytes("Caf\xe9 [men\xfa](https://a.org/)".encode("latin-1"))
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    names = [str(p) for p in (junk, lying, zipped, latin, empty)] + [str(tmp_path / "gone.md")]
    found = {e.document.path: e for e in iter_inputs(names, Settings())}
    assert found[str(junk)].document.error == "binary content"
    assert "named PDF" in (found[str(lying)].document.error or "")
    assert "broken zip" in (found[str(zipped)].document.error or "")
    assert found[str(tmp_path / "gone.md")].document.error == "no such file"
    assert [o.text for o in found[str(latin)].occurrences] == ["menú"]
    assert found[str(empty)].document.error is None and found[str(empty)].occurrences == []
    for name in (junk, lying, zipped):
        assert found[str(name)].occurrences == []
        assert "\n" not in (found[str(name)].document.error or "")


def test_bounds(tmp_path: Path) -> None:
    doc = tmp_path / "many.txt"
    doc.write_text(" ".join(f"https://a.org/{i}" for i in range(10)), encoding="utf-8")
    (capped,) = iter_inputs([str(doc)], Settings(max_links_per_document=3))
    assert [o.url for o in capped.occurrences] == [f"https://a.org/{i}" for i in range(3)]
    assert capped.document.links == 3
    assert capped.warnings and "only the first 3" in capped.warnings[0]
    (large,) = iter_inputs([str(doc)], Settings(max_document_bytes=10))
    assert "max_document_bytes" in (large.document.error or "")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/brief": (200, "text/html; charset=utf-8", PAGE),
            "/notes.md": (200, "text/plain", b"[x](https://x.org/)"),
            "/big": (200, "text/plain", b"x" * 5000),
        }
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/brief")
            self.end_headers()
            return
        status, kind, body = routes.get(self.path, (404, "text/plain", b"missing"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _Handler)) as base:
        yield base


def test_fetch_published_documents(server: str) -> None:
    settings = Settings(allow_private=True, timeout=5.0, max_document_bytes=1000)
    names = [f"{server}/moved", f"{server}/notes.md", f"{server}/nothing", f"{server}/big"]
    html, markdown, missing, big = iter_inputs(names, settings)
    assert html.document.format == DocumentFormat.HTML and html.document.title == "Brief"
    assert html.document.base_url == f"{server}/brief"
    (cited,) = html.occurrences
    assert (cited.document, cited.url, cited.text) == (names[0], f"{server}/cited", "cited")
    assert markdown.document.format == DocumentFormat.MARKDOWN
    assert [o.url for o in markdown.occurrences] == ["https://x.org/"]
    assert missing.document.error == "HTTP 404 fetching the document"
    assert "max_document_bytes" in (big.document.error or "")


def test_fetch_refused_without_allow_private(server: str) -> None:
    pytest.importorskip("linkaudit.check.guard")
    (refused,) = iter_inputs([f"{server}/brief"], Settings(timeout=5.0))
    assert refused.document.error and "refused" in refused.document.error
    assert refused.occurrences == []
