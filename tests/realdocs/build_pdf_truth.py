"""
Candidate ground truth for the PDFs of the corpus, from libraries linkaudit does not use:
pypdf for the link annotations (/Annots → /Link → /A /URI, /Rect, /QuadPoints) and
pdfminer.six for the characters under them (glyph centre inside a rectangle, in
pdfminer's own line order). Its output was checked by eye against pages rendered with
pdftoppm wherever it and linkaudit disagreed; the corrected result is expected.json.

    python tests/realdocs/build_pdf_truth.py tests/realdocs/files/pdf/x.pdf > candidates.json

Needs pypdf and pdfminer.six (``pip install -e '.[bench]'``); not run by the tests.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
from pypdf import PdfReader

Box = tuple[float, float, float, float]


def link_annotations(path: str) -> list[list[tuple[str, list[Box]]]]:
    """Per page, every URI link: (uri, its areas)."""
    pages = []
    for page in PdfReader(path).pages:
        links = []
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") != "/Link" or action is None:
                continue
            action = action.get_object()
            if action.get("/S") != "/URI":
                continue
            uri = action["/URI"]
            uri = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            quads = [float(v) for v in annot.get("/QuadPoints") or []]
            areas = []
            for i in range(0, len(quads) - 7, 8):
                xs, ys = quads[i : i + 8 : 2], quads[i + 1 : i + 8 : 2]
                areas.append((min(xs), min(ys), max(xs), max(ys)))
            links.append((uri.strip(), areas or [rect]))
        pages.append(links)
    return pages


def lines(path: str) -> list[list[list[tuple[str, Box]]]]:
    """Per page, pdfminer's text lines as lists of (char, box)."""
    pages = []
    for layout in extract_pages(path, laparams=LAParams()):
        found = []
        for element in layout:
            if isinstance(element, LTTextContainer):
                for line in element:
                    if isinstance(line, LTTextLine):
                        found.append(
                            [(c.get_text(), c.bbox) for c in line if isinstance(c, LTChar)]
                        )
        pages.append(found)
    return pages


def inside(box: Box, areas: list[Box]) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(a[0] <= x <= a[2] and a[1] <= y <= a[3] for a in areas)


def text_under(page_lines: list[list[tuple[str, Box]]], areas: list[Box], uri: str) -> str:
    pieces = []
    for line in page_lines:
        chars = "".join(c for c, box in line if inside(box, areas))
        if chars.strip():
            pieces.append(chars.strip())
    target = uri.lower()
    text = ""
    for piece in pieces:
        if not text:
            text = piece
        elif (text.split(" ")[-1] + piece.split(" ")[0]).lower() in target:
            text += piece  # a URL broken over lines
        elif text.endswith("-"):
            text += piece
        else:
            text += " " + piece
    return re.sub(r"\s+", " ", text).strip().rstrip(".,;:")


def main(path: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    for number, (links, page_lines) in enumerate(
        zip(link_annotations(path), lines(path), strict=True), 1
    ):
        previous: tuple[str, list[Box]] | None = None
        for uri, areas in links:
            if previous and previous[0] == uri:
                previous[1].extend(areas)  # the same target again: one link, joined below
                found[-1]["areas"] = previous[1]
                continue
            previous = (uri, list(areas))
            found.append({"url": uri, "page": number, "areas": previous[1]})
        for item in found:
            if item["page"] == number:
                item["text"] = text_under(page_lines, item["areas"], item["url"])
    for item in found:
        del item["areas"]
    return {"path": path, "links": found}


if __name__ == "__main__":
    print(json.dumps([main(p) for p in sys.argv[1:]], indent=1, ensure_ascii=False))
