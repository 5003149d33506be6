"""
DOCX: hyperlinks, HYPERLINK fields and bare URLs in every part a reader sees.

Read with zipfile and lxml directly (python-docx sees neither fields nor notes, and is
slower; docs/pdf-libraries.md). Per paragraph of the body, footnotes, endnotes, comments,
headers and footers:

* ``w:hyperlink r:id`` → the part's own relationships (``Element.LINK``); a hyperlink
  with only ``w:anchor`` jumps to a bookmark of the same document and is reported as
  ``#bookmark`` (the DOCX truths of pandoc's writer and pydocx count them); adjacent
  hyperlinks with one target are one occurrence;
* ``HYPERLINK`` fields, simple (``w:fldSimple``) and complex (``w:fldChar`` begin,
  ``w:instrText`` possibly split over runs, separate, result runs, end; fields may nest
  and span paragraphs) → ``Element.FIELD``, the anchor text being the result runs;
* URLs printed in the text outside any link → ``Element.BARE``.

Anchor text is the runs' ``w:t``, with ``w:tab``, ``w:br`` and ``w:cr`` read as spaces;
deleted text of tracked changes is not read. A paragraph is not a line: ``line`` stays
None and the paragraph's sentence is the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from linkaudit.config import Settings
from linkaudit.exceptions import DocumentTooLarge
from linkaudit.extract._ooxml import Package, Relationship, core_properties, local, open_package
from linkaudit.extract.context import sentence_around
from linkaudit.extract.text import find_printed
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Extraction, Occurrence, Part, Source

__all__ = ["DocxExtractor"]

_PARTS = {
    "footnotes": Part.FOOTNOTE,
    "endnotes": Part.ENDNOTE,
    "comments": Part.COMMENT,
    "header": Part.HEADER,
    "footer": Part.FOOTER,
}
_SPACES = {"tab": " ", "br": " ", "cr": " ", "noBreakHyphen": "-", "ptab": " "}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


@dataclass
class _Span:
    """A link over ``text[start:end]`` of the current paragraph."""

    start: int
    end: int
    raw: str
    element: Element
    text: str | None = None
    """The anchor text when it is not ``text[start:end]`` (a field spanning paragraphs)."""


@dataclass
class _Field:
    """An open complex field: its instruction, and its result text once separated."""

    instr: str = ""
    in_result: bool = False
    result: str = ""
    start: int = 0


@dataclass
class _Walker:
    """Walks one part's paragraphs, keeping complex fields open across runs and paragraphs."""

    rels: dict[str, Relationship]
    text: str = ""
    spans: list[_Span] = field(default_factory=list)
    fields: list[_Field] = field(default_factory=list)

    def paragraph(self, p: etree._Element) -> tuple[str, list[_Span]]:
        self.text, self.spans = "", []
        for f in self.fields:
            f.start = 0  # a field still open began in an earlier paragraph
            f.result += " "
        self._children(p)
        return self.text, self.spans

    def _children(self, element: etree._Element) -> None:
        for child in element:
            if isinstance(child.tag, str):
                self._visit(child)

    def _visit(self, el: etree._Element) -> None:
        name = local(el.tag)
        if name == "p" or name in ("delText", "del", "moveFrom"):
            return  # nested paragraphs are walked on their own; deleted text is not shown
        if name == "t":
            self._add(el.text or "")
        elif name in _SPACES:
            self._add(_SPACES[name])
        elif name == "instrText":
            if self.fields and not self.fields[-1].in_result:
                self.fields[-1].instr += el.text or ""
        elif name == "fldChar":
            self._fld_char(_attr(el, "fldCharType"))
        elif name == "hyperlink":
            self._hyperlink(el)
        elif name == "fldSimple":
            self.fields.append(
                _Field(instr=_attr(el, "instr"), in_result=True, start=len(self.text))
            )
            self._children(el)
            self._close_field()
        else:
            self._children(el)

    def _add(self, piece: str) -> None:
        if any(not f.in_result for f in self.fields):
            return  # text inside an instruction is not shown
        self.text += piece
        for f in self.fields:
            f.result += piece

    def _fld_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            self.fields[-1].in_result = True
            self.fields[-1].start = len(self.text)
        elif kind == "end" and self.fields:
            self._close_field()

    def _close_field(self) -> None:
        f = self.fields.pop()
        target = _hyperlink_instruction(f.instr)
        if target:
            self.spans.append(_Span(f.start, len(self.text), target, Element.FIELD, f.result))

    def _hyperlink(self, el: etree._Element) -> None:
        start = len(self.text)
        self._children(el)
        rel = self.rels.get(_attr(el, "id", ns_any=True))
        anchor = _attr(el, "anchor")
        if rel is not None and rel.target:
            raw = rel.target + ("#" + anchor if anchor and "#" not in rel.target else "")
        elif anchor:
            raw = "#" + anchor  # a bookmark of this document
        else:
            return
        self.spans.append(_Span(start, len(self.text), raw, Element.LINK))


def _attr(el: etree._Element, name: str, ns_any: bool = False) -> str:
    """An attribute by local name (``w:`` transitional or strict; ``r:id`` when ``ns_any``)."""
    for key, value in el.attrib.items():
        if local(str(key)) == name and (ns_any or "}" in str(key)):
            return str(value)
    return ""


def _hyperlink_instruction(instr: str) -> str | None:
    """The target of ``HYPERLINK "url" [\\l "anchor"] [\\o "tip"]…``; None for others."""
    tokens = [quoted if quoted or bare == '""' else bare for quoted, bare in _TOKEN.findall(instr)]
    if not tokens or tokens[0].upper() != "HYPERLINK":
        return None
    url, anchor, i = "", "", 1
    while i < len(tokens):
        token = tokens[i]
        if token in ("\\l", "\\o", "\\t") and i + 1 < len(tokens):
            if token == "\\l":
                anchor = tokens[i + 1]
            i += 2
            continue
        if not token.startswith("\\") and not url:
            url = token
        i += 1
    if not url and not anchor:
        return None
    return url + ("#" + anchor if anchor else "")  # \l alone: a bookmark of this document


class DocxExtractor:
    """Links in a Word document (see the module docstring for what counts)."""

    format = DocumentFormat.DOCX

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """Every link in ``source``, part by part; raise ``DocumentError`` on bad input."""
        if len(source.data) > settings.max_document_bytes:
            raise DocumentTooLarge(source.name, f"{len(source.data)} bytes > max_document_bytes")
        package = open_package(
            source.data, source.name, settings.max_document_bytes, settings.max_unzipped_bytes
        )
        occurrences: list[Occurrence] = []
        for part_name, part in _parts(package):
            occurrences.extend(_read_part(package, part_name, part, source))
        warnings = []
        if len(occurrences) > settings.max_links_per_document:
            warnings.append(
                f"{source.name}: {len(occurrences)} links, only the first "
                f"{settings.max_links_per_document} reported (max_links_per_document)"
            )
            del occurrences[settings.max_links_per_document :]
        title, published = core_properties(package)
        document = Document(
            path=source.name,
            format=DocumentFormat.DOCX,
            title=title,
            published=published,
            base_url=source.base_url,
            links=len(occurrences),
        )
        return Extraction(document, occurrences, warnings)


def _parts(package: Package) -> list[tuple[str, Part]]:
    """The main part, then its notes, comments, headers and footers, in relationship order."""
    found = [(package.main, Part.BODY)]
    for rel in package.relationships(package.main).values():
        part = _PARTS.get(rel.kind)
        name = package.resolve(package.main, rel.target)
        if part is not None and not rel.external and package.has(name):
            found.append((name, part))
    return found


def _read_part(package: Package, name: str, part: Part, source: Source) -> list[Occurrence]:
    walker = _Walker(package.relationships(name))
    found: list[Occurrence] = []
    for p in package.xml(name).iter("{*}p"):
        text, spans = walker.paragraph(p)
        found.extend(_occurrences(text, _merge_adjacent(spans), part, source))
    return found


def _merge_adjacent(spans: list[_Span]) -> list[_Span]:
    """One occurrence for adjacent hyperlinks to one target (docx2python's merged_links)."""
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.raw == span.raw
            and prev.element == span.element
            and span.start == prev.end
        ):
            prev.end = span.end
        else:
            merged.append(span)
    return merged


def _occurrences(text: str, spans: list[_Span], part: Part, source: Source) -> list[Occurrence]:
    located: list[tuple[int, Occurrence]] = []
    for span in spans:
        anchor = " ".join((text[span.start : span.end] if span.text is None else span.text).split())
        located.append(
            (
                span.start,
                _occurrence(
                    source,
                    span.raw,
                    anchor,
                    part,
                    span.element,
                    sentence_around(text, span.start, span.end),
                ),
            )
        )
    for start, end, url in find_printed(text):
        if any(s.start < end and start < s.end for s in spans):
            continue  # printed inside a hyperlink: the hyperlink is the occurrence
        located.append(
            (
                start,
                _occurrence(source, url, "", part, Element.BARE, sentence_around(text, start, end)),
            )
        )
    located.sort(key=lambda pair: pair[0])
    return [occurrence for _, occurrence in located]


def _occurrence(
    source: Source, raw: str, text: str, part: Part, element: Element, context: str
) -> Occurrence:
    return make_occurrence(
        source.name,
        raw.strip(),
        source.base_url,
        text=text,
        part=part,
        element=element,
        context=context or None,
    )
