"""
The nasty corpus: each hostile document gives a one-line ``DocumentError`` or a bounded
result, quickly, in process and through ``linkaudit extract``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from fuzz._harness import ROOT, extract_once
from fuzz.nasty import BIG, CORPUS, LONG_URL, SMALL
from linkaudit.config import Settings
from linkaudit.exceptions import DocumentTooLarge
from linkaudit.extract import iter_inputs
from linkaudit.extract.inputs import read_file
from linkaudit.models import DocumentFormat

# name → ("error", a piece of the cause) or ("ok", the URLs found, in order)
EXPECTED: dict[str, tuple[str, str | list[str]]] = {
    "cyclic-kids.pdf": ("error", "unreadable PDF page"),
    "cyclic-parent.pdf": ("error", "unreadable PDF page"),
    "million-pages.pdf": ("ok", ["https://example.org/"]),  # stops at page 2, with a warning
    "xref-prev-loop.pdf": ("error", "unreadable PDF: not a PDF or corrupted"),
    "objstm-loop.pdf": ("error", "unreadable PDF"),
    "encrypted.pdf": ("error", "encrypted PDF (a password is required)"),
    "encrypted-ole.docx": ("error", "password-protected Office document"),
    "billion-laughs.xhtml": ("ok", ["https://example.org/laughs"]),
    "billion-laughs.html": ("ok", ["https://example.org/laughs"]),
    "billion-laughs.docx": ("error", "declares a DTD"),
    "html-named.pdf": ("error", "named PDF but its content is text"),
    "empty.md": ("ok", []),
    "only-bom.md": ("ok", []),
    "invalid-utf8.txt": ("ok", ["https://example.org/ok"]),
    "utf16-no-bom.txt": ("error", "binary content"),
    "nul-bytes.txt": ("error", "binary content"),
    "docx-named.md": ("ok", ["https://example.org/x"]),
    "zip-bomb.docx": ("error", "XML parts declare 3221225472 bytes"),
    "deep-divs.html": ("ok", ["https://example.org/deep"]),
    "long-url.md": ("ok", [LONG_URL] * 3),
    "long-url.html": ("ok", [LONG_URL]),
    "long-url.txt": ("ok", [LONG_URL]),
    "long-url.docx": ("ok", [LONG_URL, LONG_URL]),
    "backticks.md": ("ok", ["https://example.org/"]),  # unequal backtick runs: no code span
    "nested-quotes.md": ("ok", []),  # deeper than markdown-it's nesting limit: dropped
    "nested-lists.md": ("ok", []),
    "latex-braces.tex": ("ok", ["https://example.org/"]),  # linear time
}
#: Slow in pure Python (bs4, markdown-it), so not run under tracemalloc, which triples it.
UNMEASURED = {
    "deep-divs.html",
    "brackets.md",
    "balanced-brackets.md",
    "stars.md",
    "nested-lists.md",
}


def test_corpus_matches_its_generators() -> None:
    """Every committed nasty file has a generator (python tests/fuzz/nasty.py), and it is small."""
    committed = {p.name: p.read_bytes() for p in CORPUS.iterdir()}
    assert set(committed) == set(SMALL)
    assert sum(len(data) for data in committed.values()) < 200_000
    for name in ("cyclic-kids.pdf", "objstm-loop.pdf", "billion-laughs.xhtml", "nul-bytes.txt"):
        assert committed[name] == SMALL[name](), f"{name} differs from its generator"


def _check(name: str, data: bytes, *, measure: bool = True) -> None:
    if measure:
        outcome = extract_once(name, data)
        extraction, error = outcome.extraction, outcome.error
    else:
        from linkaudit.exceptions import DocumentError
        from linkaudit.extract import Source, extract_source

        extraction, error = None, None
        try:
            extraction = extract_source(Source(name, data, f"file:///n/{name}"), Settings())
        except DocumentError as exc:
            error = exc
    kind, expected = EXPECTED.get(name, ("ok", None))
    if kind == "error":
        assert error is not None, f"{name}: expected an error, got {extraction}"
        assert isinstance(expected, str) and expected in str(error)
        assert str(error).startswith(f"{name}: ") and "\n" not in str(error)
        return
    assert error is None, f"{name}: {error}"
    assert extraction is not None
    if expected is not None:
        assert [o.url for o in extraction.occurrences] == expected


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(SMALL))
def test_small_nasty_document(name: str) -> None:
    _check(name, (CORPUS / name).read_bytes())


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(BIG))
def test_big_nasty_document(name: str) -> None:
    _check(name, BIG[name](), measure=name not in UNMEASURED)


def test_mislabelled_documents_are_read_by_content() -> None:
    pdf = extract_once("pdf-named.docx", (CORPUS / "pdf-named.docx").read_bytes()).extraction
    docx = extract_once("docx-named.md", (CORPUS / "docx-named.md").read_bytes()).extraction
    assert pdf is not None and pdf.document.format == DocumentFormat.PDF and pdf.occurrences
    assert docx is not None and docx.document.format == DocumentFormat.DOCX


def _sparse(path: Path, size: int = 200 << 20) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_sparse_200mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    """max_document_bytes is checked on the size, not after reading 200 MB into memory."""
    big = _sparse(tmp_path / "huge.md")
    tracemalloc.start()
    try:
        with pytest.raises(DocumentTooLarge, match="max_document_bytes"):
            read_file(str(big), Settings())
        (extraction,) = iter_inputs([str(big)], Settings())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "209715200 bytes" in (extraction.document.error or "")
    assert peak < 5_000_000


@pytest.mark.timeout(20)
def test_devices_fifos_and_directories(tmp_path: Path) -> None:
    """/dev/zero would be read forever and a FIFO would block: both are refused unread."""
    fifo = tmp_path / "brief.md"
    os.mkfifo(fifo)
    empty = tmp_path / "folder.pdf"
    empty.mkdir()
    found = {
        e.document.path: e.document.error
        for e in iter_inputs(["/dev/zero", str(fifo), str(empty)], Settings())
    }
    assert found == {
        "/dev/zero": "not a regular file (a device, pipe or socket)",
        str(fifo): "not a regular file (a device, pipe or socket)",
        str(empty): "a directory with no document linkaudit reads",
    }


@pytest.mark.timeout(120)
def test_cli_reports_each_bad_document_on_one_line(tmp_path: Path) -> None:
    """linkaudit extract: exit 2, one stderr line per bad document, no traceback, good ones kept."""
    bad = [
        str(CORPUS / name)
        for name, (kind, _) in EXPECTED.items()
        if kind == "error" and name in SMALL
    ]
    for name in ("zip-bomb.docx", "long-url.docx"):
        (tmp_path / name).write_bytes(BIG[name]())
    bad.append(str(tmp_path / "zip-bomb.docx"))
    bad.append(str(_sparse(tmp_path / "huge.pdf")))
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "empty-folder.docx").mkdir()
    bad += ["/dev/zero", str(fifo), str(tmp_path / "empty-folder.docx"), str(tmp_path / "gone.md")]
    good = [
        str(ROOT / "examples" / "rok-us-policy-brief-2025-03.md"),
        str(CORPUS / "pdf-named.docx"),
        str(CORPUS / "invalid-utf8.txt"),
        str(tmp_path / "long-url.docx"),
    ]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "linkaudit",
            "extract",
            *good[:2],
            *bad,
            *good[2:],
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=100,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(bad), proc.stderr
    for name, line in zip(bad, errors, strict=True):
        assert line.startswith(f"error: {name}: "), line
    listed = {link["document"] for link in json.loads(proc.stdout)["links"]}
    assert listed == set(good)


def test_pdf_error_is_not_inherited_from_the_previous_document() -> None:
    """pdfium keeps its last error per thread: a broken PDF read next is not "encrypted"."""
    encrypted = extract_once("encrypted.pdf", (CORPUS / "encrypted.pdf").read_bytes()).error
    broken = extract_once("objstm-loop.pdf", (CORPUS / "objstm-loop.pdf").read_bytes()).error
    assert encrypted is not None and "encrypted PDF" in str(encrypted)
    assert broken is not None and "encrypted" not in str(broken)
