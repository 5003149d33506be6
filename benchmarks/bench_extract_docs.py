"""
Pages per second of the PDF and DOCX readers against their alternatives, in one run.

    python benchmarks/bench_extract_docs.py [--pages 100] [--repeat 3] [--realworld]

Every reader does the same work: every URI link annotation with its page (and, where the
library can, the text under its rectangle) plus the page text. The result is printed as a
Markdown table (the one in docs/pdf-libraries.md), then the PDF ratio measured in pairs.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.builders import docx as docx_builder  # noqa: E402
from helpers.builders import pdf as pdf_builder  # noqa: E402
from linkaudit.config import Settings  # noqa: E402
from linkaudit.extract.docx import DocxExtractor  # noqa: E402
from linkaudit.extract.pdf import PdfExtractor  # noqa: E402
from linkaudit.models import Source  # noqa: E402

Links = list[tuple[int, str, str]]


def linkaudit_pdf(data: bytes) -> Links:
    """The chosen path: linkaudit's PdfExtractor (pypdfium2 + find_urls)."""
    source = Source(name="bench.pdf", data=data, base_url="file:///bench.pdf")
    found = PdfExtractor().extract(source, Settings()).occurrences
    return [(o.page or 0, o.url, o.text) for o in found]


def pypdfium2_text_only(data: bytes) -> Links:
    """The baseline of issue 7: the fastest library's own text extraction, nothing else."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return []


def pypdf_pdf(data: bytes) -> Links:
    """pypdf: /Annots walk for /URI, plus extract_text per page (no text under rectangles)."""
    from pypdf import PdfReader

    links: Links = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        page.extract_text()
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action is not None:
                action = action.get_object()
                if action.get("/S") == "/URI":
                    links.append((number, str(action["/URI"]), ""))
    return links


def pdfminer_pdf(data: bytes) -> Links:
    """pdfminer.six: layout analysis per page (text boxes) plus page.annots for /URI."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    links: Links = []
    for number, page in enumerate(PDFPage.get_pages(io.BytesIO(data)), start=1):
        interpreter.process_page(page)
        device.get_result()
        for ref in resolve1(page.annots) or []:
            annot = resolve1(ref)
            action = resolve1(annot.get("A")) if isinstance(annot, dict) else None
            if isinstance(action, dict) and str(action.get("S")) == "/'URI'":
                uri = action.get("URI")
                links.append(
                    (number, uri.decode("latin-1") if isinstance(uri, bytes) else str(uri), "")
                )
    return links


def linkaudit_docx(data: bytes) -> Links:
    """The chosen path: linkaudit's DocxExtractor (zipfile + lxml + find_urls)."""
    source = Source(name="bench.docx", data=data, base_url="file:///bench.docx")
    return [(0, o.url, o.text) for o in DocxExtractor().extract(source, Settings()).occurrences]


def python_docx(data: bytes) -> Links:
    """python-docx: paragraphs' hyperlinks (body only) and their text."""
    import docx

    links: Links = []
    for paragraph in docx.Document(io.BytesIO(data)).paragraphs:
        paragraph.text  # noqa: B018  (the text is part of the work every reader does)
        for link in paragraph.hyperlinks:
            links.append((0, link.url, link.text))
    return links


def _time(reader: Callable[[bytes], Links], data: bytes, repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` runs and the number of links found."""
    times = []
    found = 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = len(reader(data))
        times.append(time.perf_counter() - start)
    return statistics.median(times), found


def _row(name: str, reader: Callable[[bytes], Links], data: bytes, pages: int, repeat: int) -> str:
    seconds, found = _time(reader, data, repeat)
    return f"| {name} | {pages} | {seconds * 1000:.1f} | {pages / seconds:.0f} | {found} |"


def _realworld_rows(repeat: int) -> list[str]:
    """The same readers over the real PDFs of ../shared/realworld (read in place)."""
    shared = Path(os.environ.get("LINKAUDIT_SHARED", ROOT / ".." / "shared"))
    folder = shared / "realworld" / "files" / "pdf"
    if not folder.is_dir():
        return ["(realworld PDFs absent)"]
    files = [p.read_bytes() for p in sorted(folder.glob("*.pdf"))]
    pages = _page_count(files)
    rows = []
    readers: dict[str, Callable[[bytes], Links]] = {
        "pypdfium2 (linkaudit)": linkaudit_pdf,
        "pypdf": pypdf_pdf,
        "pdfminer.six": pdfminer_pdf,
    }
    for name, reader in readers.items():

        def every(_: bytes, reader: Callable[[bytes], Links] = reader) -> Links:
            out: Links = []
            for data in files:
                try:
                    out.extend(reader(data))
                except Exception:
                    out.append((-1, "ERROR", ""))
            return out

        rows.append(_row(f"{name}, realworld ({len(files)} files)", every, b"", pages, repeat))
    return rows


def _page_count(files: list[bytes]) -> int:
    import pypdfium2

    total = 0
    for data in files:
        with pypdfium2.PdfDocument(data) as doc:
            total += len(doc)
    return total


def _docx_pages(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml")
    return body.count(b'w:type="page"') + 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--realworld", action="store_true", help="also time ../shared/realworld PDFs"
    )
    args = parser.parse_args(argv)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings on the real PDFs
    pdf = pdf_builder.long_pdf(args.pages)
    docx = docx_builder.long_docx(args.pages)
    pdf_readers: dict[str, Callable[[bytes], Any]] = {
        "pypdfium2 text extraction only (baseline)": pypdfium2_text_only,
        "pypdfium2 (linkaudit)": linkaudit_pdf,
        "pypdf": pypdf_pdf,
        "pdfminer.six": pdfminer_pdf,
    }
    print("| reader | pages | ms (median) | pages/s | links found |")
    print("| --- | --- | --- | --- | --- |")
    for name, reader in pdf_readers.items():
        print(_row(f"PDF {name}", reader, pdf, args.pages, args.repeat))
    docx_pages = _docx_pages(docx)
    print(_row("DOCX zipfile+lxml (linkaudit)", linkaudit_docx, docx, docx_pages, args.repeat))
    print(_row("DOCX python-docx", python_docx, docx, docx_pages, args.repeat))
    if args.realworld:
        for row in _realworld_rows(args.repeat):
            print(row)
    # The table's times are medians of runs taken one after another: on a shared machine
    # the load moves between them. The ratio that a claim rests on is measured in pairs.
    from bench_pdf_ratio import ratio

    pairs = 11
    base, ours, median = ratio(args.pages, pairs)
    print()
    print(
        f"PDF extraction against the baseline, in pairs (the two alternate; CPU time, median "
        f"of {pairs} pairs, `benchmarks/bench_pdf_ratio.py`): {median:.2f}× "
        f"({ours * 1000:.0f} ms against {base * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
