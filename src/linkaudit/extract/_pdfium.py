"""
The one boundary between linkaudit and pdfium (through pypdfium2).

pypdfium2's helper classes cover documents, pages and text; link annotations are only in
its raw ctypes API (``FPDFLink_*``, ``FPDFAction_*``), wrapped here so that the rest of
the extractor sees plain Python values and linkaudit's own exceptions.
"""

from __future__ import annotations

import codecs
import ctypes
import re
import struct
from collections.abc import Iterator
from typing import NamedTuple, cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from linkaudit.exceptions import CorruptDocument, EncryptedDocument

__all__ = [
    "CharBoxes",
    "Page",
    "PageChars",
    "Rect",
    "UriLink",
    "catalog_uri_base",
    "close_page",
    "close_text",
    "load_page",
    "load_text",
    "open_pdf",
    "uri_links",
]

# FPDF_GetLastError codes (fpdfview.h).
_ERR_PASSWORD = 4
_ERR_SECURITY = 5
_CAUSES = {
    1: "unknown pdfium error",
    2: "file not found or could not be opened",
    3: "not a PDF or corrupted",
    6: "page not found or content error",
}


class Rect(NamedTuple):
    """A rectangle in PDF user space (y grows upwards). A named tuple, not a dataclass:
    a page's glyph boxes are made by the thousand, and a tuple is made faster
    (docs/extraction.md)."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom

    def covers(self, box: Rect, slack: float = 0.5) -> bool:
        """``box`` lies wholly inside, give or take ``slack`` points."""
        return (
            box.left >= self.left - slack
            and box.right <= self.right + slack
            and box.bottom >= self.bottom - slack
            and box.top <= self.top + slack
        )


class UriLink(NamedTuple):
    """A link annotation with a URI action, as pdfium reports it (a named tuple: made for
    every link, faster than a frozen dataclass)."""

    uri: str
    rect: Rect
    areas: tuple[Rect, ...]
    """Where the link is active: one box per quad point set (/QuadPoints), else the rect."""


def open_pdf(data: bytes, name: str) -> pdfium.PdfDocument:
    """Open ``data``; pdfium itself tries the empty user password that many PDFs carry."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        # pdfium's last error is per thread and not reset by a failure that sets none: a
        # broken PDF read after an encrypted one would inherit "password required".
        if code in (_ERR_PASSWORD, _ERR_SECURITY) and b"/Encrypt" in data:
            raise EncryptedDocument(name, "encrypted PDF (a password is required)") from exc
        cause = _CAUSES.get(code or 1, str(exc))
        raise CorruptDocument(name, f"unreadable PDF: {cause}") from exc


def load_page(document: pdfium.PdfDocument, index: int) -> object:
    """Page ``index`` as pdfium's own handle (``FPDF_PAGE``); ``PdfiumError`` with
    pypdfium2's message when pdfium cannot load it. pypdfium2's ``PdfPage`` and
    ``PdfTextPage`` register a finalizer and a parent link each, which cost about a tenth
    of what pdfium takes to load the page and its text (docs/extraction.md); the extractor
    closes its handles itself. Forms are never initialised (``open_pdf``), so there is no
    form environment to tell about the page."""
    raw = pdfium_c.FPDF_LoadPage(document.raw, index)
    if not raw:
        raise pdfium.PdfiumError("Failed to load page.")
    return raw


def close_page(raw: object) -> None:
    pdfium_c.FPDF_ClosePage(raw)


class Page(NamedTuple):
    """A loaded page with its text page (``load_text``), closed by ``close_text``."""

    raw: object
    """``FPDF_PAGE``."""
    text: object
    """``FPDF_TEXTPAGE``."""
    document: pdfium.PdfDocument
    position: int
    """Its index in the document."""


def load_text(document: pdfium.PdfDocument, raw: object, index: int) -> Page:
    """The text page of the page ``raw`` (page ``index``)."""
    text = pdfium_c.FPDFText_LoadPage(raw)
    if not text:
        raise pdfium.PdfiumError("Failed to load text page.")
    return Page(raw, text, document, index)


def close_text(page: Page) -> None:
    pdfium_c.FPDFText_ClosePage(page.text)


def _page_text(page: Page, count: int) -> str:
    """The text of all ``count`` characters, as pypdfium2's ``get_text_range()`` reads it.
    When the first and last characters have text (nearly always) that is one
    ``FPDFText_GetText`` call into a buffer as long as their text indices span; otherwise
    pypdfium2's own helper (which narrows the range to the characters with text) reads it."""
    get_index = pdfium_c.FPDFText_GetTextIndexFromCharIndex
    start, end = get_index(page.text, 0), get_index(page.text, count - 1)
    if start == -1 or end == -1:
        return _helper_text(page)
    buffer = (ctypes.c_ushort * (end + 2 - start))()
    written = pdfium_c.FPDFText_GetText(page.text, 0, count, buffer)
    return codecs.decode(memoryview(buffer)[: written - 1], "utf-16-le", errors="ignore")


def _helper_text(page: Page) -> str:
    """The page's text through pypdfium2's helper objects (a second load of the page)."""
    helper = page.document[page.position]
    textpage = helper.get_textpage()
    try:
        return str(textpage.get_text_range())
    finally:
        textpage.close()
        helper.close()


def uri_links(document: pdfium.PdfDocument, page: Page | pdfium.PdfPage) -> Iterator[UriLink]:
    """Every link annotation of ``page`` whose action is a URI, in the page's /Annots order."""
    position = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    rect = pdfium_c.FS_RECTF()
    at, found, into = ctypes.byref(position), ctypes.byref(link), ctypes.byref(rect)
    buffer = _UriBuffer()  # reused: most /URIs fit
    quad = pdfium_c.FS_QUADPOINTSF()
    quad_into = ctypes.byref(quad)
    # Looked up once: a page of links makes six pdfium calls a link.
    enumerate_, get_action = pdfium_c.FPDFLink_Enumerate, pdfium_c.FPDFLink_GetAction
    get_type, get_rect = pdfium_c.FPDFAction_GetType, pdfium_c.FPDFLink_GetAnnotRect
    count_quads, uri_action = pdfium_c.FPDFLink_CountQuadPoints, pdfium_c.PDFACTION_URI
    raw_page, raw_document = page.raw, document.raw
    while enumerate_(raw_page, at, found):
        action = get_action(link)
        # GoTo links carry a /Dest or a GoTo action: internal, not external links.
        if not action or get_type(action) != uri_action:
            continue
        uri = _uri_path(raw_document, action, buffer)
        if uri and get_rect(link, into):
            # The rect with its corners in order (a writer may swap them).
            left, top, right, bottom = _read_rect(rect)
            if left > right:
                left, right = right, left
            if bottom > top:
                bottom, top = top, bottom
            box = _new_tuple(Rect, (left, bottom, right, top))
            count = count_quads(link)
            quads = _quads(link, box, count, quad, quad_into) if count > 0 else ()
            yield _new_tuple(UriLink, (uri, box, quads or (box,)))


def _quads(
    link: object, rect: Rect, count: int, quad: pdfium_c.FS_QUADPOINTSF, into: object
) -> tuple[Rect, ...]:
    """The /QuadPoints as boxes, each clipped to the rect (the spec says points outside
    it are ignored), dropping degenerate ones."""
    boxes: list[Rect] = []
    for index in range(min(count, 256)):
        if not pdfium_c.FPDFLink_GetQuadPoints(link, index, into):
            continue
        xs = (quad.x1, quad.x2, quad.x3, quad.x4)
        ys = (quad.y1, quad.y2, quad.y3, quad.y4)
        box = Rect(
            max(min(xs), rect.left - 1),
            max(min(ys), rect.bottom - 1),
            min(max(xs), rect.right + 1),
            min(max(ys), rect.top + 1),
        )
        if box.right - box.left > 0.5 and box.height > 0.5:
            boxes.append(box)
    return tuple(boxes)


class CharBoxes:
    """
    Each character's box, read from pdfium when first asked for: a page's links need
    the boxes of their own lines only, and one pdfium call per character of the page
    would cost more than reading the page.
    """

    _EMPTY = Rect(0.0, 0.0, 0.0, 0.0)

    def __init__(self, raw: object, text: str) -> None:
        self._raw = raw
        self._text = text
        self._cache: list[Rect | None] = [None] * len(text)
        self._rect = pdfium_c.FS_RECTF()
        self._ref = ctypes.byref(self._rect)

    def __len__(self) -> int:
        return len(self._cache)

    def __getitem__(self, index: int) -> Rect:
        box = self._cache[index]
        if box is not None:
            return box
        # Read here, not in a method of its own: four boxes a link, each a call less.
        if self._text[index] in "\r\n" or not _loose_box(self._raw, index, self._ref):
            box = self._EMPTY
        else:
            left, top, right, bottom = _read_rect(self._rect)
            if left > right:
                left, right = right, left
            if bottom > top:
                bottom, top = top, bottom
            box = _new_tuple(Rect, (left, bottom, right, top))
        self._cache[index] = box
        return box


class PageChars:
    """
    The characters of one text page: the text (index ``i`` is pdfium's character ``i``)
    and each character's box (``boxes``, read on demand).

    The loose box (the font's ascent to descent, the glyph's advance) is used: its centre
    sits mid-line for every glyph, a full stop's included, which a tight glyph box does not.
    """

    def __init__(self, page: Page) -> None:
        self._raw = page.text
        count = pdfium_c.FPDFText_CountChars(self._raw)
        text = _page_text(page, count) if count > 0 else ""
        if len(text) != count:  # characters outside the BMP: read them one by one
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(self._raw, i)) for i in range(count))
        self.text = text
        self.boxes = CharBoxes(self._raw, text)
        self._channels = tuple(ctypes.c_uint() for _ in range(4))
        self._refs = tuple(ctypes.byref(channel) for channel in self._channels)

    def indices_at(self, rows: list[list[tuple[float, float]]]) -> set[int]:
        """Per row of points, the first character pdfium finds at (or within a few points
        of) one of them."""
        found: set[int] = set()
        at = pdfium_c.FPDFText_GetCharIndexAtPos
        for points in rows:
            for x, y in points:
                index = at(self._raw, x, y, 3.0, 3.0)
                if index >= 0:
                    found.add(index)
                    break
        return found

    def ends_at(self, area: Rect) -> tuple[int, int] | None:
        """The characters pdfium finds under the left and the right end of ``area``,
        mid-height, when it finds both. pdfium tests the glyphs' ink (a ``1`` is narrower
        than its advance); a glyph that holds the point wins over one within the
        tolerance, so a wide tolerance only helps."""
        at = pdfium_c.FPDFText_GetCharIndexAtPos
        middle = (area.bottom + area.top) / 2
        inset = min(1.0, (area.right - area.left) / 4)
        near = max(1.0, area.height / 4)
        first = at(self._raw, area.left + inset, middle, near, near)
        last = at(self._raw, area.right - inset, middle, near, near)
        return (first, last) if 0 <= first <= last else None

    def one_run(self, first: int, last: int) -> bool:
        """Characters ``first`` to ``last`` belong to one text object (pdfium counts one
        rectangle for them)."""
        return int(pdfium_c.FPDFText_CountRects(self._raw, first, last - first + 1)) == 1

    def fill(self, index: int) -> tuple[int, int, int, int] | None:
        """The character's fill colour (red, green, blue, alpha), ``None`` when pdfium has
        none for it (a space it made up between words)."""
        channels = self._channels
        if not pdfium_c.FPDFText_GetFillColor(self._raw, index, *self._refs):
            return None
        return channels[0].value, channels[1].value, channels[2].value, channels[3].value

    def glyph_bottom(self, index: int) -> float | None:
        """The bottom of the character's glyph itself (its ink, not the font's line box),
        ``None`` when pdfium has no box for it."""
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        if not pdfium_c.FPDFText_GetCharBox(
            self._raw,
            index,
            ctypes.byref(left),
            ctypes.byref(right),
            ctypes.byref(bottom),
            ctypes.byref(top),
        ):
            return None
        return bottom.value

    def font_size(self, index: int) -> float:
        """The character's font size in points (0 when pdfium does not know it)."""
        return float(_font_size(self._raw, index))


_URI_ROOM = 4096
#: The array type made once (``create_string_buffer`` makes the type again on every call).
_UriBuffer = ctypes.c_char * _URI_ROOM


def _uri_path(document: object, action: object, buffer: ctypes.Array[ctypes.c_char]) -> str:
    """The /URI string (pdfium prefixes ``/URI /Base`` to a scheme-less one)."""
    # pdfium returns the length with the NUL and fills the buffer only when it fits.
    size = pdfium_c.FPDFAction_GetURIPath(document, action, buffer, _URI_ROOM)
    if size <= 1:
        return ""
    if size > _URI_ROOM:
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFAction_GetURIPath(document, action, buffer, size)
    # A c_char array's slice is its bytes, NULs and all (what ctypes.string_at reads, at
    # a fifth of the cost); typeshed types it as a list.
    value = cast(bytes, buffer[: size - 1])
    # The spec says 7-bit ASCII; real files also write UTF-8 or PDFDocEncoding.
    try:
        return value.decode("utf-8").strip()
    except UnicodeDecodeError:
        return value.decode("latin-1").strip()


_loose_box = pdfium_c.FPDFText_GetLooseCharBox
_font_size = pdfium_c.FPDFText_GetFontSize
#: ``Rect(l, b, r, t)`` without the named tuple's generated ``__new__`` (a Python frame a box).
_new_tuple = tuple.__new__
#: An ``FS_RECTF``'s four floats (left, top, right, bottom) in one call, not four field reads.
_read_rect = struct.Struct("=4f").unpack_from


_BASE = re.compile(rb"/URI\s*<<[^>]{0,200}?/Base\s*\(((?:[^()\\]|\\.){1,2000})\)", re.DOTALL)


def catalog_uri_base(data: bytes) -> str | None:
    """
    The catalog's ``/URI /Base`` when it is written in plain bytes.

    pdfium applies the base but does not expose it; knowing it lets the extractor report
    the relative /URI as written. A base inside a compressed object stream is not found
    here, and the URL is then pdfium's joined one (still right, only ``raw`` differs).
    """
    match = _BASE.search(data)
    if match is None:
        return None
    return _literal(match.group(1)).decode("latin-1").strip()


_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r?\n|.)", re.DOTALL)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(body: bytes) -> bytes:
    """Decode the escapes of a PDF literal string (``\\072``, ``\\(``, ``\\n``…)."""

    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        if code in (b"\n", b"\r\n"):
            return b""  # a backslash at the line end continues the string
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, body)
