"""
PDF: URI link annotations with the text under them, and URLs printed in the page text.

pypdfium2 was chosen by measurement (docs/pdf-libraries.md): it is the fastest of the
three readers measured, gives the text inside an annotation's rectangle directly, and is
BSD-3/Apache-2.0. Per page:

* each URI link annotation is an occurrence (``Element.ANNOTATION``) with the text under
  its rectangle; two annotations with the same URI on consecutive lines (a link whose text
  wraps) are one occurrence with the texts joined; GoTo links are internal and skipped;
* each URL printed in the page text (``Element.BARE``) is an occurrence unless the same
  URL is annotated on that page (the annotation wins); URLs broken across lines are
  rejoined (rules in ``_pdftext``);
* the part is ``ENDNOTE`` from a line that reads "Endnotes", "Notes" or "References" to
  the end of the document, ``BODY`` before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pypdfium2 as pdfium

from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument, DocumentTooLarge
from linkaudit.extract._pdfium import (
    Rect,
    TextUnder,
    UriLink,
    catalog_uri_base,
    open_pdf,
    uri_links,
)
from linkaudit.extract._pdftext import printed_urls
from linkaudit.extract.base import Extraction, Source
from linkaudit.extract.context import sentence_around
from linkaudit.extract.urls import make_occurrence, resolve
from linkaudit.models import Document, DocumentFormat, Element, Occurrence, Part

__all__ = ["PdfExtractor"]

_NOTES_HEADING = re.compile(r"^\s*(?:end\s*notes|notes|references)\s*:?\s*$", re.IGNORECASE)
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_HTTP = re.compile(r"^https?://")
_MAX_LINE_HEIGHT = 24.0  # points: a text line up to ~20 pt type
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class _Anchor:
    """One or more annotations of one URI read as a single link."""

    raw: str
    base: str
    url: str
    text: str
    rect: Rect


class PdfExtractor:
    """Links in a PDF (see the module docstring for what counts)."""

    format = DocumentFormat.PDF

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """Every link in ``source``, page by page, up to ``settings.max_pages`` (with a warning)."""
        if len(source.data) > settings.max_document_bytes:
            raise DocumentTooLarge(source.name, f"{len(source.data)} bytes > max_document_bytes")
        if b"%PDF-" not in source.data[:1024]:
            raise CorruptDocument(source.name, "not a PDF (no %PDF- header)")
        pdf = open_pdf(source.data, source.name)
        try:
            return _read(pdf, source, settings)
        except pdfium.PdfiumError as exc:
            raise CorruptDocument(source.name, f"unreadable PDF page: {exc}") from exc
        finally:
            pdf.close()


def _read(pdf: pdfium.PdfDocument, source: Source, settings: Settings) -> Extraction:
    base = catalog_uri_base(source.data)
    pages = len(pdf)
    warnings: list[str] = []
    if pages > settings.max_pages:
        warnings.append(
            f"{source.name}: {pages} pages, only the first {settings.max_pages} read (max_pages)"
        )
    occurrences: list[Occurrence] = []
    in_notes = False
    for index in range(min(pages, settings.max_pages)):
        try:
            page = pdf[index]
        except pdfium.PdfiumError as exc:
            if index == 0:
                raise
            # A broken page tree (e.g. /Count far above the real pages) keeps what was read.
            warnings.append(f"{source.name}: page {index + 1} unreadable ({exc}); stopped there")
            break
        try:
            found, in_notes = _page(pdf, page, index + 1, source, base, in_notes, settings)
        finally:
            page.close()
        occurrences.extend(found)
    metadata = pdf.get_metadata_dict(skip_empty=True)
    document = Document(
        path=source.name,
        format=DocumentFormat.PDF,
        title=metadata.get("Title") or None,
        published=_pdf_date(metadata.get("CreationDate", "")),
        base_url=base or source.base_url,
        links=len(occurrences),
    )
    return Extraction(document, occurrences, warnings)


def _page(
    pdf: pdfium.PdfDocument,
    page: pdfium.PdfPage,
    number: int,
    source: Source,
    base: str | None,
    in_notes: bool,
    settings: Settings,
) -> tuple[list[Occurrence], bool]:
    """The occurrences of one page and whether the notes section has begun by its end."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range().replace("\r\n", "\n")
        under = TextUnder(textpage)
        anchors = [_anchor(link, under, source, base) for link in uri_links(pdf, page)]
        if settings.join_wrapped_pdf_links:
            anchors = _merge_wrapped(anchors)
    finally:
        textpage.close()
    notes_from = 0 if in_notes else _notes_start(text)

    def part_at(offset: int) -> Part:
        return Part.ENDNOTE if notes_from is not None and offset >= notes_from else Part.BODY

    found: list[tuple[int, Occurrence]] = []
    annotated = set()
    for anchor in anchors:
        spot = _locate(text, anchor.text)
        context = sentence_around(text, *spot) if spot else None
        offset = spot[0] if spot else 0
        found.append(
            (
                offset,
                _occurrence(
                    source,
                    anchor.raw,
                    anchor.base,
                    anchor.text,
                    number,
                    part_at(offset),
                    Element.ANNOTATION,
                    context,
                ),
            )
        )
        annotated.add(_same_key(anchor.url))
    for printed in printed_urls(text):
        url = resolve(printed.url, source.base_url)
        if _same_key(url) in annotated:
            continue
        found.append(
            (
                printed.offset,
                _occurrence(
                    source,
                    printed.url,
                    source.base_url,
                    "",
                    number,
                    part_at(printed.offset),
                    Element.BARE,
                    printed.context(),
                ),
            )
        )
    # Annotations keep their /Annots order; printed URLs follow in reading order.
    return [occurrence for _, occurrence in found], in_notes or notes_from is not None


def _notes_start(text: str) -> int | None:
    """Where the notes heading line starts in ``text``, if the page has one."""
    lines = text.split("\n")
    heading = next((i for i, line in enumerate(lines) if _NOTES_HEADING.match(line)), None)
    return len("\n".join(lines[:heading])) if heading is not None else None


def _occurrence(
    source: Source,
    raw: str,
    base: str,
    text: str,
    page: int,
    part: Part,
    element: Element,
    context: str | None,
) -> Occurrence:
    return make_occurrence(
        source.name, raw, base, text=text, page=page, part=part, element=element, context=context
    )


def _anchor(link: UriLink, under: TextUnder, source: Source, base: str | None) -> _Anchor:
    """The link's raw /URI, its resolved URL and the visible text under its rectangle."""
    raw = link.uri
    if base and raw.startswith(base) and not _SCHEME.match(raw[len(base) :]):
        raw = raw[len(base) :]  # pdfium prefixed the base to a relative /URI
    resolve_against = resolve(base, source.base_url) if base else source.base_url
    url = resolve(raw, resolve_against)
    text = under(link.rect)
    return _Anchor(
        raw, resolve_against, url, " ".join(text.replace("\ufffe", "\u00ad").split()), link.rect
    )


def _merge_wrapped(anchors: list[_Anchor]) -> list[_Anchor]:
    """Join an annotation to the previous one with the same URI on the next line down."""
    merged: list[_Anchor] = []
    for anchor in anchors:
        prev = merged[-1] if merged else None
        if prev is not None and prev.url == anchor.url and _next_line(prev.rect, anchor.rect):
            joiner = "" if prev.text.endswith("\u00ad") else " "  # a hyphenated word
            text = (prev.text.removesuffix("\u00ad") + joiner + anchor.text).strip()
            merged[-1] = _Anchor(prev.raw, prev.base, prev.url, text, anchor.rect)
        else:
            merged.append(anchor)
    return [
        _Anchor(a.raw, a.base, a.url, a.text.replace("\u00ad", ""), a.rect)
        if "\u00ad" in a.text
        else a
        for a in merged
    ]


def _next_line(upper: Rect, lower: Rect) -> bool:
    """
    ``lower`` is the next line of text after ``upper``: both are one text line high (image
    buttons are not), ``lower`` starts further left (the line wrapped) and sits right below.
    """
    height = max(upper.height, lower.height)
    if not 0 < height <= _MAX_LINE_HEIGHT or abs(upper.height - lower.height) > 0.3 * height:
        return False
    gap = upper.bottom - lower.top
    return -0.5 * height <= gap <= height and lower.left < upper.left


def _locate(text: str, anchor: str) -> tuple[int, int] | None:
    """
    Where the anchor text is in the page text, across line breaks: the first match of its
    words joined by ``\\s+``, found with ``str.find`` (no pattern compiled per anchor).
    """
    words = anchor.split()
    if not words:
        return None
    first, rest = words[0], words[1:]
    start = text.find(first)
    while start >= 0:
        end = _rest_at(text, start + len(first), rest)
        if end is not None:
            return start, end
        start = text.find(first, start + 1)
    return None


def _rest_at(text: str, pos: int, words: list[str]) -> int | None:
    """The end of ``words`` each after whitespace from ``pos``, or ``None``. Runs of
    whitespace are taken whole: a word never starts with whitespace, so ``\\s+`` would
    not give any back."""
    for word in words:
        after = pos
        while after < len(text) and text[after].isspace():
            after += 1
        if after == pos or not text.startswith(word, after):
            return None
        pos = after + len(word)
    return pos


def _same_key(url: str) -> str:
    """Equal for an annotated and a printed form of one URL (scheme, case, trailing slash)."""
    return _HTTP.sub("", url.strip().rstrip("/").lower())


def _pdf_date(value: str) -> dt.date | None:
    """``D:YYYYMMDDHHmmSS…`` → a date (missing month or day taken as 1)."""
    match = _PDF_DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
