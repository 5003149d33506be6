"""
Pages per second of the PDF and DOCX readers against their alternatives, in one run.

    python benchmarks/bench_extract_docs.py [--pages 100] [--pairs 21] [--realworld]

Every reader does the same work: every URI link annotation with its page (and, where the
library can, the text under its rectangle) plus the page text. The result is printed as a
Markdown table (the one in docs/pdf-libraries.md), every row measured the same way
(``paired.py``: CPU time, in pairs with the baseline, warm-up excluded), then the line
issue 20's criterion reads: linkaudit's "× baseline", the median of its pairs' ratios.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from paired import Paired, paired  # noqa: E402

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


def _row(name: str, found: Paired, pages: int, links: int, criterion: bool = False) -> str:
    """A table row from a reader's pairs (times in ms, its ratio to the baseline)."""
    ms = found.reader_median * 1000
    ratio = f"{found.ratio:.2f}×"
    if criterion:
        ratio = f"**{ratio}**"
    per_second = pages / found.reader_median if found.reader_median else 0
    cells = (name, pages, f"{ms:.1f}", f"{per_second:.0f}", ratio, len(found.ratios), links)
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _base_row(name: str, found: Paired, pages: int, links: int) -> str:
    ms = found.base_median * 1000
    per_second = pages / found.base_median if found.base_median else 0
    return (
        f"| {name} | {pages} | {ms:.1f} | {per_second:.0f} | 1.00× | {len(found.base)} | {links} |"
    )


HEADER = [
    "| reader | pages | CPU ms (median) | pages/s | × baseline (median of pairs) | pairs "
    "| links found |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]


def _pdf_rows(
    readers: dict[str, Callable[[Any], Links]],
    baseline: Callable[[Any], Links],
    data: object,
    pages: int,
    pairs: dict[str, int],
    label: str = "",
) -> tuple[list[str], Paired]:
    """The baseline's row and one row per reader, each reader timed in pairs with the
    baseline; the first reader's pairs give the baseline's row (and the criterion)."""
    rows: list[str] = []
    first: Paired | None = None
    for name, reader in readers.items():
        found = paired(baseline, reader, data, pairs[name])
        links = len(reader(data))
        if first is None:
            first = found
            rows.append(
                _base_row(
                    f"PDF pypdfium2 text extraction only (baseline){label}",
                    found,
                    pages,
                    len(baseline(data)),
                )
            )
        bold = found is first and not label  # the criterion: the generated PDF's row
        rows.append(_row(f"PDF {name}{label}", found, pages, links, criterion=bold))
    assert first is not None
    return rows, first


def _realworld_rows(pairs: dict[str, int]) -> list[str]:
    """The same readers over the real PDFs of ../shared/realworld (read in place)."""
    shared = Path(os.environ.get("LINKAUDIT_SHARED", ROOT / ".." / "shared"))
    folder = shared / "realworld" / "files" / "pdf"
    if not folder.is_dir():
        return ["(realworld PDFs absent)"]
    files = [p.read_bytes() for p in sorted(folder.glob("*.pdf"))]
    pages = _page_count(files)

    def every(reader: Callable[[bytes], Links]) -> Callable[[Any], Links]:
        def read(_: object) -> Links:
            out: Links = []
            for data in files:
                try:
                    out.extend(reader(data))
                except Exception:
                    out.append((-1, "ERROR", ""))
            return out

        return read

    readers = {name: every(reader) for name, reader in PDF_READERS.items()}
    rows, _ = _pdf_rows(
        readers, every(pypdfium2_text_only), b"", pages, pairs,
        label=f", realworld ({len(files)} files)",
    )  # fmt: skip
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


PDF_READERS: dict[str, Callable[[bytes], Links]] = {
    "pypdfium2 (linkaudit)": linkaudit_pdf,
    "pypdf": pypdf_pdf,
    "pdfminer.six": pdfminer_pdf,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument(
        "--pairs", type=int, default=21, help="pairs for linkaudit's PDF and DOCX readers"
    )
    parser.add_argument(
        "--other-pairs", type=int, default=3, help="pairs for the slower libraries' readers"
    )
    parser.add_argument(
        "--realworld", action="store_true", help="also time ../shared/realworld PDFs"
    )
    args = parser.parse_args(argv)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings on the real PDFs
    pdf = pdf_builder.long_pdf(args.pages)
    docx = docx_builder.long_docx(args.pages)
    pairs = {name: args.other_pairs for name in PDF_READERS}
    pairs["pypdfium2 (linkaudit)"] = args.pairs
    print(
        "CPU time of this process (`time.process_time`); each reader is timed in pairs "
        "with the baseline (the two go first in turn), after one untimed warm-up run of "
        "each and with the garbage collected before every run (`benchmarks/paired.py`); "
        '"× baseline" is the median of the pairs\' ratios.'
    )
    print()
    print(*HEADER, sep="\n")
    rows, criterion = _pdf_rows(PDF_READERS, pypdfium2_text_only, pdf, args.pages, pairs)
    print(*rows, sep="\n")
    docx_pages = _docx_pages(docx)
    docx_found = paired(linkaudit_docx, python_docx, docx, args.pairs)
    print(
        _base_row("DOCX zipfile+lxml (linkaudit; the DOCX rows' baseline)", docx_found,
                  docx_pages, len(linkaudit_docx(docx)))
    )  # fmt: skip
    print(_row("DOCX python-docx", docx_found, docx_pages, len(python_docx(docx))))
    if args.realworld:
        print(*_realworld_rows(pairs), sep="\n")
    verdict = "met" if criterion.ratio <= 2 else "NOT met"
    print()
    print(
        f"**Criterion (issue 20): linkaudit's PDF extraction within 2× of the baseline, the "
        f'bold "× baseline" above: {criterion.ratio:.2f}× ({verdict}; median of '
        f"{len(criterion.ratios)} pairs, {criterion.reader_median * 1000:.0f} ms against "
        f"{criterion.base_median * 1000:.0f} ms; the pairs range "
        f"{min(criterion.ratios):.2f}–{max(criterion.ratios):.2f}×).** "
        f"`benchmarks/bench_pdf_ratio.py` measures the same figure alone."
    )


if __name__ == "__main__":
    main()
