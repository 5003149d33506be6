"""
PDF: URI link annotations with the text under them, and URLs printed in the page text.

pypdfium2 was chosen by measurement (docs/pdf-libraries.md): it is the fastest of the
three readers measured, gives the text inside an annotation's rectangle directly, and is
BSD-3/Apache-2.0. Per page:

* each URI link annotation is an occurrence (``Element.ANNOTATION``) with the text under
  its rectangle; annotations of one URI that make one link (a link whose text wraps to the
  next line, or runs of one line) are one occurrence with the texts joined, unless a part
  reads as a whole link by itself (rules in ``_continues``); GoTo links are skipped;
* each URL printed in the page text (``Element.BARE``) is an occurrence unless the same
  URL is annotated on that page (the annotation wins); URLs broken across lines are
  rejoined (rules in ``_pdftext``);
* the part is ``ENDNOTE`` from a line that reads "Endnotes", "Notes" or "References" to
  the end of the document, ``BODY`` before it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import pypdfium2 as pdfium

from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument, DocumentTooLarge
from linkaudit.extract._pdfium import (
    PageChars,
    Rect,
    UriLink,
    catalog_uri_base,
    close_page,
    close_text,
    load_page,
    load_text,
    open_pdf,
    uri_links,
)
from linkaudit.extract._pdftext import (
    AnchorText,
    PageIndex,
    across_pages,
    anchor_text,
    comparable,
    printed_urls,
    words_of,
)
from linkaudit.extract.context import sentence_around
from linkaudit.extract.urls import make_occurrence, resolve
from linkaudit.models import Document, DocumentFormat, Element, Extraction, Occurrence, Part, Source
from linkaudit.urls import is_normal_http

__all__ = ["PdfExtractor"]

# A line of its own (one search over the page; [^\S\n] is a space that stays on the line).
_NOTES_HEADING = re.compile(
    r"^[^\S\n]*(?:end[^\S\n]*notes|notes|references)[^\S\n]*:?[^\S\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_HTTP = re.compile(r"^https?://")
_MAX_LINE_HEIGHT = 24.0  # points: a text line up to ~20 pt type
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URL_MARK = frozenset("/:.@?=&#%_~-")
_OPENERS = "([{<\"'\u201c\u2018"
_ELLIPSIS = "\u2026"
_SLIVER = 0.1  # pt: narrower or flatter than this, a rectangle has no area
# What may follow a page's last line or precede its first: nothing, or a page number.
# (List bullets too: WeasyPrint draws a page's bullets after its text.)
_PAGE_FURNITURE = re.compile(
    r"[\s\u2022\u25e6\u25aa\u2023]*(?:(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)?"
    r"[\s\u2022\u25e6\u25aa\u2023]*",
    re.IGNORECASE,
)
#: A named tuple made without its generated ``__new__`` (a Python frame each).
_new_tuple = tuple.__new__
_NO_WORDS: frozenset[str] = frozenset()


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
    found: list[_Found] = []
    texts: list[str] = []
    in_notes = False
    tail: _Tail | None = None
    running: set[str] = set()  # URLs printed in a page's header or footer so far
    for index in range(min(pages, settings.max_pages)):
        try:
            page = load_page(pdf, index)
        except pdfium.PdfiumError as exc:
            if index == 0:
                raise
            # A broken page tree (e.g. /Count far above the real pages) keeps what was read.
            warnings.append(f"{source.name}: page {index + 1} unreadable ({exc}); stopped there")
            break
        try:
            reader = _PageReader(pdf, page, index + 1, source, base, settings)
            in_notes = reader.read(found, texts, in_notes, tail, running)
            tail = reader.tail
        finally:
            close_page(page)
    occurrences = _render(found, texts)
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


class _Tail(NamedTuple):
    """A link that ends its page's text, which the next page's first link may go on."""

    at: int
    """Its place in the document's occurrences."""
    uri: str
    anchor: AnchorText
    spelled: str
    """Its characters as printed."""


class _Found(NamedTuple):
    """An occurrence whose anchor text may wait for the whole document's words."""

    occurrence: Occurrence
    text: AnchorText | None = None


def _render(found: list[_Found], texts: list[str]) -> list[Occurrence]:
    """The occurrences with their anchor texts decided (hyphens need every page's words)."""
    pending = any(item.text.waits for item in found if item.text)
    words: frozenset[str] = frozenset()
    if pending:
        collected: set[str] = set()
        for text in texts:
            collected |= words_of(text)
        words = frozenset(collected)
    return [
        item.occurrence
        if item.text is None
        else replace(item.occurrence, text=item.text.render(words))
        for item in found
    ]


@dataclass(slots=True)
class _Group:
    """Annotations of one URI read as one link (a link wrapped over lines or split in runs)."""

    link: UriLink
    links: list[UriLink]
    indices: list[int]

    @property
    def areas(self) -> list[Rect]:
        return [area for link in self.links for area in link.areas]


class _PageReader:
    """The occurrences of one page."""

    def __init__(
        self,
        pdf: pdfium.PdfDocument,
        page: object,
        number: int,
        source: Source,
        base: str | None,
        settings: Settings,
    ) -> None:
        self.pdf, self.page, self.number = pdf, page, number
        self.source, self.base, self.settings = source, base, settings
        self._uris: dict[str, tuple[str, str, str]] = {}
        self.tail: _Tail | None = None
        """The page's last link when it ends the page's text (``_Tail``)."""

    def read(
        self,
        found: list[_Found],
        texts: list[str],
        in_notes: bool,
        tail: _Tail | None = None,
        running: set[str] | None = None,
    ) -> bool:
        """Append the page's occurrences to ``found`` (the first going on ``tail``, the
        previous page's last link, when it continues it; a URL of a header or footer line
        once a document: ``running`` holds those printed so far); whether the notes have
        begun."""
        textpage = load_text(self.pdf, self.page, self.number - 1)
        try:
            chars = PageChars(textpage)
            links = list(uri_links(self.pdf, textpage))
            text = chars.text.replace("\r", " ")
            texts.append(text)
            notes_from = 0 if in_notes else _notes_start(text)

            def part_at(offset: int) -> Part:
                if notes_from is not None and offset >= notes_from:
                    return Part.ENDNOTE
                return Part.BODY

            index = PageIndex(chars)
            covered: set[int] = set()
            annotated: set[str] = set()
            if links:
                self._read_annotations(found, links, index, text, part_at, tail, covered, annotated)
            self._read_printed(found, chars, index, part_at, running, covered, annotated)
        finally:
            close_text(textpage)
        return in_notes or notes_from is not None

    def _read_annotations(
        self,
        found: list[_Found],
        links: list[UriLink],
        index: PageIndex,
        text: str,
        part_at: Callable[[int], Part],
        tail: _Tail | None,
        covered: set[int],
        annotated: set[str],
    ) -> None:
        """The page's link annotations, joined into links, onto ``found`` (the first onto
        ``tail`` when it goes on from there); the text they cover into ``covered`` and their
        URLs into ``annotated``; ``self.tail`` when the last one ends the page's text."""
        groups = self._groups(links, index)
        final = len(groups) - 1
        for number, group in enumerate(groups):
            item, anchor = self._annotation(group, index, text, part_at)
            spelled = ""
            if number == final or (number == 0 and tail is not None):
                spelled = "".join(text[i] for i in group.indices)
            if number == 0 and tail is not None and _goes_on(tail, group, spelled, text):
                anchor = across_pages(tail.anchor, anchor)
                found[tail.at] = _Found(found[tail.at].occurrence, anchor)
                at, spelled = tail.at, tail.spelled + spelled
            else:
                found.append(item)
                at = len(found) - 1
            covered.update(group.indices)
            annotated.add(_same_key(self._resolved(group.link.uri)[2]))
            if (
                number == final
                and group.indices
                and self.settings.join_wrapped_pdf_links
                and _PAGE_FURNITURE.fullmatch(text, group.indices[-1] + 1)
            ):
                self.tail = _Tail(at, group.link.uri, anchor, spelled)

    def _read_printed(
        self,
        found: list[_Found],
        chars: PageChars,
        index: PageIndex,
        part_at: Callable[[int], Part],
        running: set[str] | None,
        covered: set[int],
        annotated: set[str],
    ) -> None:
        """The URLs printed on the page that no annotation gives, onto ``found``; a URL of a
        header or footer line once a document (``running`` holds those printed so far)."""
        for printed in printed_urls(chars.text, chars.font_size, index.cut_at_margin):
            if not covered.isdisjoint(range(printed.offset, printed.end)):
                continue  # the annotation over it wins
            if printed.url.endswith(_ELLIPSIS) or chars.text.startswith(_ELLIPSIS, printed.end):
                continue  # printed cut (Chromium's footer: ``…/publish-their-c…``)
            if running is not None and _running_line(chars.text, printed.offset):
                key = _same_key(printed.url)
                if key in running:
                    continue  # the page's address in every page's footer: once
                running.add(key)
            target = None
            if annotated:
                target = self._printed_target(printed.url)
                if _same_key(target) in annotated:
                    continue
            occurrence = make_occurrence(
                self.source.name,
                printed.url,
                self.source.base_url,
                resolved=target,
                page=self.number,
                part=part_at(printed.offset),
                element=Element.BARE,
                context=printed.context(),
            )
            found.append(_new_tuple(_Found, (occurrence, None)))

    def _groups(self, links: list[UriLink], index: PageIndex) -> list[_Group]:
        """
        The page's links, annotations of one URI that make one link joined. Annotations are
        taken in reading order, not the page's /Annots order: writers list a wrapped link's
        lower line first, or a line's right-hand run first.
        """
        links = _without_slivers(links)
        found = [
            (link, index.in_link_colour(index.inside(link.areas), link.areas)) for link in links
        ]
        # Reported in reading order too: LibreOffice lists a page's annotations by URI, so
        # two links to one page would otherwise swap their texts.
        ordered = sorted(found, key=_pair_key)
        if not self.settings.join_wrapped_pdf_links or len({link.uri for link in links}) == len(
            links
        ):
            # Nothing to join (no two annotations share a URI): a group a link, in order.
            groups = [_Group(link, [link], indices) for link, indices in ordered]
        else:
            groups = []
            last_of: dict[str, _Group] = {}
            for link, indices in ordered:
                last = last_of.get(link.uri)
                if last is not None and _continues(last, link, indices, index):
                    last.links.append(link)
                    last.indices = _bridged(last.indices, indices, index.chars.text)
                else:
                    last_of[link.uri] = _Group(link, [link], indices)
                    groups.append(last_of[link.uri])
            groups.sort(key=lambda group: _reading_key(group.link, group.indices))
        for group in groups:
            group.indices = index.trimmed(group.indices, group.areas)
        return groups

    def _annotation(
        self, group: _Group, index: PageIndex, text: str, part_at: Callable[[int], Part]
    ) -> tuple[_Found, AnchorText]:
        raw, resolve_against, url = self._resolved(group.link.uri)
        anchor = anchor_text(index, group.indices, url)
        context = None
        offset = 0
        if group.indices:
            offset = group.indices[0]
            context = sentence_around(text, offset, group.indices[-1] + 1)
        # The text is known now unless a hyphen waits for the document's words.
        pending = anchor.waits
        occurrence = make_occurrence(
            self.source.name,
            raw,
            resolve_against,
            resolved=url,  # each /URI is resolved once a page
            text="" if pending else anchor.render(_NO_WORDS),
            page=self.number,
            part=part_at(offset),
            element=Element.ANNOTATION,
            context=context,
        )
        return _new_tuple(_Found, (occurrence, anchor if pending else None)), anchor

    def _printed_target(self, url: str) -> str:
        """A printed URL resolved against the document (an http(s) URL of printable
        characters and no space resolves to itself): what ``make_occurrence`` would
        resolve it to."""
        if _HTTP.match(url) and url.isprintable() and " " not in url:
            return url
        return resolve(url, self.source.base_url)

    def _resolved(self, uri: str) -> tuple[str, str, str]:
        """The link's raw /URI, the base it resolves against and its resolved URL."""
        known = self._uris.get(uri)
        if known is None:
            known = self._uris[uri] = self._resolve(uri)
        return known

    def _resolve(self, uri: str) -> tuple[str, str, str]:
        raw, base = uri, self.base
        if base and raw.startswith(base) and not _SCHEME.match(raw[len(base) :]):
            raw = raw[len(base) :]  # pdfium prefixed the base to a relative /URI
        resolve_against = resolve(base, self.source.base_url) if base else self.source.base_url
        if is_normal_http(raw):
            return raw, resolve_against, raw  # what resolve() gives such a URL
        return raw, resolve_against, resolve(raw, resolve_against)


def _running_line(text: str, offset: int) -> bool:
    """Character ``offset`` is on one of the page text's first two or last two lines,
    where headers and footers are (Chromium writes its date, title, address and page
    number after the page's text)."""
    before = text.count("\n", 0, offset)
    if before < 2:
        return True
    return text.count("\n", offset) < 2


def _goes_on(tail: _Tail, group: _Group, spelled: str, text: str) -> bool:
    """
    The page's first link continues the previous page's last one (a link wrapped over a
    page break): the same URI, nothing but a page number before it on its page, and
    neither piece the whole link by itself unless the two together are (the rules of
    ``_continues``: a reference list citing one page at a page's foot and head keeps two).
    """
    if tail.uri != group.link.uri or not group.indices:
        return False
    if not _PAGE_FURNITURE.fullmatch(text, 0, group.indices[0]):
        return False
    forms = _whole_forms(group.link.uri)
    first, second = comparable(tail.spelled), comparable(spelled)
    if not first or not second or first == second:
        return False
    whole = {first, first.rstrip(".,;:)")}
    if whole & forms:
        return False
    together = {first + second, (first + second).rstrip(".,;:)")}
    return not ({second, second.rstrip(".,;:)")} & forms and not together & forms)


def _pair_key(pair: tuple[UriLink, list[int]]) -> tuple[int, float, float]:
    return _reading_key(*pair)


def _reading_key(link: UriLink, indices: list[int]) -> tuple[int, float, float]:
    """Where an annotation stands in reading order: its first character in pdfium's text
    order; an annotation over no text, by its place on the page (top down, left to right)."""
    if indices:
        return (0, float(indices[0]), 0.0)
    return (1, -link.rect.top, link.rect.left)


def _continues(group: _Group, link: UriLink, indices: list[int], index: PageIndex) -> bool:
    """
    ``link`` continues ``group``'s link: a run of the same line that touches it (word
    processors write one annotation per text run), or the next line down where the text
    wrapped (the group's text ends its line and ``link``'s starts the next one: also in
    a table cell or a list item, where the line is the cell's). Never when the first part
    reads as the whole link by itself, nor when the second does and the two together do
    not (``https://`` + ``www.x.org/a`` is one link): two links to one URL on consecutive
    lines (a reference list citing one page twice) stay two.
    """
    if any(_same_areas(link.areas, other.areas) for other in group.links):
        return True  # drawn twice (WeasyPrint: a link and the code span inside it)
    text = index.chars.text
    forms = _whole_forms(link.uri)
    if _reads_whole(text, group.indices, forms) and not _bracketed(text, indices, forms):
        return False
    if group.indices and indices and _same_text(text, group.indices, indices):
        return False  # "California Weekly Feedstuffs" in three rows: three links
    if _reads_whole(text, indices, forms) and not _reads_whole(
        text, _last_word(text, group.indices) + indices, forms
    ):
        return False
    if _touching(group.links[-1].rect, link.rect):
        return True
    if not indices or not group.indices:
        return _next_line(group.links[-1].rect, link.rect)
    if set(indices) & set(group.indices):
        return True
    last, first = group.indices[-1], indices[0]
    between = index.chars.text[last + 1 : first]
    if first > last and not between.strip() and index.line_end(last) and index.line_start(first):
        # Next in reading order: the next line, or the top of the next column; not when
        # the upper piece is a whole line and the line below's first word would have fit
        # after it (list items, each a link of its own: a line wraps only when full).
        return not (index.line_start(group.indices[0]) and _had_room(index, last, first))
    if index.same_line(last, first):
        return first > last and not index.chars.text[last + 1 : first].strip()
    boxes = index.chars.boxes
    upper, lower = boxes[last], boxes[first]
    height = max(upper.height, lower.height, 1.0)
    drop = (upper.bottom + upper.top - lower.bottom - lower.top) / 2
    if not (
        0 < drop <= 2.5 * height
        and first > last
        and index.line_end(last)
        and index.line_start(first)
    ):
        return False
    # The next line down, with other text between in reading order (a table row's other
    # cells): a wrap when the two pieces spell the URL on, or when the continuation starts
    # where the first piece's line of text starts, or under the piece itself (a list
    # item's hanging indent). Right-aligned cells of one table column, each a link of its
    # own, start wherever their words put them.
    if _line_between(index, last, first):
        return False  # two lines down: a second link to the page further on
    if _spells_on(text, group.indices, indices, link.uri):
        return True
    start = boxes[index.run_start(group.indices[0])].left
    # Lines of a paragraph start at one x (0.5 pt for rounding); right-aligned cells
    # start where their words' widths put them.
    return start - 0.5 <= lower.left <= boxes[group.indices[0]].left + 0.5


def _line_between(index: PageIndex, last: int, first: int) -> bool:
    """
    A line of text of the pieces' type size lies between character ``last``'s line and
    ``first``'s, across the columns they span: the lower piece is not on the next line
    (Chromium and WeasyPrint set a paragraph's second link to one page two lines under a
    first link that fills a line).
    """
    text, boxes = index.chars.text, index.chars.boxes
    upper, lower = boxes[last], boxes[first]
    height = max(upper.height, lower.height, 1.0)
    high = (upper.bottom + upper.top) / 2 - 0.5 * height
    low = (lower.bottom + lower.top) / 2 + 0.5 * height
    if high <= low:
        return False  # no room for a line between
    left, right = min(upper.left, lower.left), max(upper.right, lower.right)
    for at in range(last + 1, first):
        if text[at].isspace():
            continue
        box = boxes[at]
        if box.height < 0.8 * height or box.right <= left or box.left >= right:
            continue  # a footnote marker, or another column
        if low < (box.bottom + box.top) / 2 < high:
            return True
    return False


def _had_room(index: PageIndex, last: int, first: int) -> bool:
    """
    Character ``first`` starts the line right below ``last``'s line, in the same column,
    and the word it starts would have fit after ``last`` on that line (the column's right
    edge taken as the furthest end of the lines around that overlap them across): the
    text did not wrap there.
    """
    text, boxes = index.chars.text, index.chars.boxes
    upper, lower = boxes[last], boxes[first]
    height = max(upper.height, lower.height, 1.0)
    drop = (upper.bottom + upper.top - lower.bottom - lower.top) / 2
    if not (0 < drop <= 2.5 * height and lower.left < upper.right):
        return False  # another column, or far below: no line to measure
    word_end = first
    while word_end + 1 < len(text) and not text[word_end + 1].isspace():
        word_end += 1
    line_end = word_end
    while line_end + 1 < len(text) and text[line_end + 1] not in "\r\n":
        line_end += 1
    while line_end > word_end and text[line_end].isspace():
        line_end -= 1
    middle = (upper.bottom + upper.top) / 2
    column = index.column_right(lower.left, upper.right, middle, 20 * height)
    right = max(upper.right, boxes[line_end].right, column)
    word = boxes[word_end].right - lower.left
    return upper.right + 0.25 * height + word < right - 1.0


def _spells_on(text: str, upper: list[int], lower: list[int], uri: str) -> bool:
    """The lower piece continues the upper one's URL: their texts joined (a hyphen at the
    break kept or not) are in the link's URL."""
    target = comparable(uri)
    head = comparable("".join(text[i] for i in upper))
    tail = comparable("".join(text[i] for i in lower))
    if not head or not tail or not (_URL_MARK & set(head + tail[:1])):
        return False
    return head + tail in target or head.rstrip("-") + tail in target


def _same_text(text: str, first: list[int], second: list[int]) -> bool:
    """Two pieces that read the same (a wrapped link never repeats its words)."""
    return "".join(text[i] for i in first).strip() == "".join(text[i] for i in second).strip()


def _whole_forms(uri: str) -> frozenset[str]:
    """How a link's whole URL may be printed: as is, without its scheme (``www.x.org``,
    an e-mail address for ``mailto:``), without a trailing slash."""
    whole = comparable(uri)
    bare = re.sub(r"^(?:https?://|mailto:)", "", whole)
    return frozenset({whole, whole.rstrip("/"), bare, bare.rstrip("/")} - {""})


def _reads_whole(text: str, indices: list[int], forms: frozenset[str]) -> bool:
    """The characters at ``indices`` spell the link's whole URL (end punctuation aside)."""
    if not indices:
        return False
    spelled = comparable("".join(text[i] for i in indices))
    return spelled in forms or spelled.rstrip(".,;:)") in forms


def _bracketed(text: str, indices: list[int], forms: frozenset[str]) -> bool:
    """The characters at ``indices`` are the link's URL in brackets (or its start): the
    address a print style sheet writes after a link's text, inside the link
    (``a[href]:after { content: " (" attr(href) ")" }``: ``StudentAid.gov`` +
    ``(http://studentaid.gov/)``)."""
    spelled = "".join(text[i] for i in indices).strip()
    if len(spelled) < 2 or spelled[0] != "(":
        return False
    # The address may go on to the next line: ``(https://ai.gov/ai-`` + ``use-cases/)``.
    inside = comparable(spelled[1:].removesuffix(")").replace("\ufffe", "-").replace("\x02", "-"))
    return len(inside) >= 4 and any(form.startswith(inside) for form in forms)


def _last_word(text: str, indices: list[int]) -> list[int]:
    """The indices of the last word of the characters at ``indices`` (after the last
    space between them), without an opening bracket or quote before it: where a URL
    printed in a link's text starts (``… intelligence (https://`` + ``www.dhs.gov/…``)."""
    start = len(indices)
    while (
        start > 0
        and not (
            start < len(indices)
            and indices[start] != indices[start - 1] + 1
            and text[indices[start - 1] + 1 : indices[start]].isspace()
        )
        and not text[indices[start - 1]].isspace()
    ):
        start -= 1
    while start < len(indices) and text[indices[start]] in _OPENERS:
        start += 1
    return indices[start:]


def _bridged(upper: list[int], lower: list[int], text: str) -> list[int]:
    """The two parts joined, with what lies between them outside both when it is the
    rest of a word up to the line end (``Tricoloring`` + ``.`` + ``png``; a URL set past
    the margin, ``Double_torus_il`` + ``lustration.`` + ``png``)."""
    joined = set(upper).union(lower)
    if upper and lower and upper[-1] < lower[0]:
        between = range(upper[-1] + 1, lower[0])
        if all(text[i] in "\r\n" or not text[i].isspace() for i in between):
            joined.update(i for i in between if not text[i].isspace())
    return sorted(joined)


def _without_slivers(links: list[UriLink]) -> list[UriLink]:
    """
    The page's links less annotations with no area whose URI also has one with area: a
    0 pt wide rectangle (Google Slides ends each linked run with one) is nothing a reader
    sees or can click, only a stray copy of the link beside it.
    """
    flats = [_flat(link) for link in links]
    if True not in flats:
        return links  # most pages: every annotation has an area
    solid = {link.uri for link, flat in zip(links, flats, strict=True) if not flat}
    return [
        link for link, flat in zip(links, flats, strict=True) if link.uri not in solid or not flat
    ]


def _flat(link: UriLink) -> bool:
    """Every area of ``link`` is narrower or flatter than ``_SLIVER``."""
    for area in link.areas:
        if not (area.right - area.left < _SLIVER or area.top - area.bottom < _SLIVER):
            return False
    return True


def _same_areas(first: Sequence[Rect], second: Sequence[Rect]) -> bool:
    """Two annotations over the same place (to 0.5 pt): one link written twice."""
    return len(first) == len(second) and all(
        abs(a - b) <= 0.5
        for one, other in zip(first, second, strict=True)
        for a, b in zip(one, other, strict=True)
    )


def _touching(left: Rect, right: Rect) -> bool:
    """``right`` overlaps or touches ``left`` on the same line (runs of one link): two
    rectangles of one line's height (a box round two lines holds the next link's line)."""
    height = min(left.height, right.height)
    if height <= 0 or max(left.height, right.height) > 1.5 * height:
        return False
    overlap = min(left.top, right.top) - max(left.bottom, right.bottom)
    gap = right.left - left.right
    return overlap > 0.5 * height and -left.height <= gap + (left.right - left.left) and gap <= 1.0


def _notes_start(text: str) -> int | None:
    """Where the notes heading line starts in ``text`` (at the line break before it), if
    the page has one."""
    folded = text.casefold()  # as re's IGNORECASE folds (``ſ`` is an ``s``)
    if "notes" not in folded and "references" not in folded:
        return None  # the search tries every line start: most pages have no heading
    heading = _NOTES_HEADING.search(text)
    if heading is None:
        return None
    return max(heading.start() - 1, 0)


def _next_line(upper: Rect, lower: Rect) -> bool:
    """
    ``lower`` is the next line of text after ``upper`` (links without text under them):
    both are one text line high (image buttons are not), ``lower`` starts further left
    (the line wrapped) and sits right below.
    """
    height = max(upper.height, lower.height)
    if not 0 < height <= _MAX_LINE_HEIGHT or abs(upper.height - lower.height) > 0.3 * height:
        return False
    gap = upper.bottom - lower.top
    return -0.5 * height <= gap <= height and lower.left < upper.left


def _same_key(url: str) -> str:
    """Equal for an annotated and a printed form of one URL (scheme, case, trailing slash)."""
    key = url.strip().rstrip("/").lower()
    # What _HTTP.sub("", key) gives, without a regular expression.
    if key.startswith("http://"):
        return key[7:]
    return key[8:] if key.startswith("https://") else key


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
