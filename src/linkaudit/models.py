"""
The frozen values that cross pipeline stages.

    extract  → Source (bytes in), Extraction (Document, Occurrences)
    check    → Observation (what the network or file system said; no verdict)
    classify → Result (verdict, reason, evidence, every occurrence of the URL)
    archive  → Snapshot (on a Result)
    store    → History (on a Result)

Stages never import each other (but for the contracts ``tests/test_architecture.py`` allows);
they share these types and the other modules at the top (``verdicts``, ``config``, the pure
URL, fragment and DOI rules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

from linkaudit.verdicts import Concern, GateTerm, Reason, Verdict

__all__ = [
    "Document",
    "DocumentFormat",
    "DoiRecord",
    "Drift",
    "Element",
    "Extraction",
    "History",
    "Notice",
    "NoticeKind",
    "Observation",
    "Occurrence",
    "OpenAccess",
    "Part",
    "Quote",
    "Redirect",
    "Result",
    "RobustLink",
    "RunId",
    "Snapshot",
    "Source",
    "new_occurrence",
]

RunId = NewType("RunId", int)


class DocumentFormat(StrEnum):
    """Formats named by ``links-schema.json``."""

    MARKDOWN = "markdown"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    TEXT = "text"
    LATEX = "latex"
    BIBTEX = "bibtex"
    RST = "rst"


class Part(StrEnum):
    """Where in a document a link sits."""

    BODY = "body"
    FOOTNOTE = "footnote"
    ENDNOTE = "endnote"
    HEADER = "header"
    FOOTER = "footer"
    BIBLIOGRAPHY = "bibliography"
    COMMENT = "comment"


class Element(StrEnum):
    """How the link is written, so that users can filter (images, bare URLs…)."""

    LINK = "link"  # a Markdown [text](url), an HTML <a>, a DOCX hyperlink, a PDF annotation
    REFERENCE = "reference"  # a Markdown [text][ref] resolved through its definition
    AUTOLINK = "autolink"  # <https://…> in Markdown
    BARE = "bare"  # a URL printed as text and found by the scanner
    IMAGE = "image"  # ![alt](src), <img src>
    AREA = "area"  # <area href>
    RESOURCE = "resource"  # <link href>, <script src>… (not citations; reported for completeness)
    FIELD = "field"  # a DOCX HYPERLINK field code
    ANNOTATION = "annotation"  # a PDF URI link annotation
    CITATION = "citation"  # \href, \url, BibTeX url/doi


@dataclass(frozen=True, slots=True)
class RobustLink:
    """The Robust Links attributes of an HTML link (https://robustlinks.mementoweb.org/)."""

    original_url: str | None = None
    version_url: str | None = None
    version_date: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A document as read: where it came from, what it is, and what it says of itself."""

    path: str
    """As given on the command line, or the URL of a fetched document."""
    format: DocumentFormat
    title: str | None = None
    published: dt.date | None = None
    """The publication date the document states; the date its sources were cited."""
    base_url: str | None = None
    """What relative targets resolve against (``<base href>``, the fetch URL, or a file: URI)."""
    content_hash: str | None = None
    error: str | None = None
    """Why the document could not be read; its links are then absent."""
    links: int = 0


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a document cites a target."""

    document: str
    raw: str
    """The target exactly as written."""
    url: str
    """The target resolved against the document's base."""
    text: str = ""
    """The anchor text as a reader sees it (empty for a bare URL)."""
    page: int | None = None
    line: int | None = None
    column: int | None = None
    part: Part = Part.BODY
    element: Element = Element.LINK
    context: str | None = None
    """The sentence around the link."""
    problem: Reason | None = None
    """Set when the link is invalid without a fetch: placeholder, malformed, unsupported_scheme."""
    robust: RobustLink | None = None


_new = object.__new__
(
    _set_document,
    _set_raw,
    _set_url,
    _set_text,
    _set_page,
    _set_line,
    _set_column,
    _set_part,
    _set_element,
    _set_context,
    _set_problem,
    _set_robust,
) = (getattr(Occurrence, name).__set__ for name in Occurrence.__slots__)


def new_occurrence(
    document: str,
    raw: str,
    url: str,
    text: str,
    page: int | None,
    line: int | None,
    column: int | None,
    part: Part,
    element: Element,
    context: str | None,
    problem: Reason | None,
    robust: RobustLink | None,
) -> Occurrence:
    """``Occurrence(...)`` with every field given in order, made without the dataclass's
    ``__init__``: the extractors make one per link, and a frozen dataclass's ``__init__``
    sets each field through ``object.__setattr__`` behind keyword arguments (slower, as
    docs/extraction.md measured). The same value, equal and hashed alike
    (tests/test_models.py holds it to the dataclass, field for field)."""
    made = _new(Occurrence)
    _set_document(made, document)
    _set_raw(made, raw)
    _set_url(made, url)
    _set_text(made, text)
    _set_page(made, page)
    _set_line(made, line)
    _set_column(made, column)
    _set_part(made, part)
    _set_element(made, element)
    _set_context(made, context)
    _set_problem(made, problem)
    _set_robust(made, robust)
    return made


@dataclass(frozen=True, slots=True)
class Source:
    """The bytes of one document and where they came from."""

    name: str
    """As given by the user (a path or URL); reported as the occurrence's document."""
    data: bytes
    base_url: str
    """What relative targets resolve against: a file: URI of the document, or its fetch URL."""
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one extractor found in one document, in document order."""

    document: Document
    occurrences: list[Occurrence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Bounds hit and other things the user should know (never silently truncated)."""
    extracted_with: str | None = None
    """What the result depends on besides the bytes (``extract.key``): the store reuses a
    stored extraction only while this and the content hash are unchanged."""
    reused: bool = False
    """Read back from the store (the document is unchanged since its last scan), not parsed."""


class NoticeKind(StrEnum):
    """The editorial notices that change what a citation of a work is worth."""

    RETRACTION = "retraction"
    WITHDRAWAL = "withdrawal"
    CORRECTION = "correction"
    EXPRESSION_OF_CONCERN = "expression_of_concern"
    OTHER = "other"

    @property
    def is_retraction(self) -> bool:
        """A retraction or withdrawal: the work should no longer be cited as evidence."""
        return self in (NoticeKind.RETRACTION, NoticeKind.WITHDRAWAL)


@dataclass(frozen=True, slots=True)
class DoiRecord:
    """What the DOI system says of a cited DOI, without asking the publisher."""

    doi: str
    registered: bool | None
    """True: the handle exists; False: the handle API said "not found"; None: not asked."""
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """An editorial notice that updates a cited work (a retraction, a correction…)."""

    kind: NoticeKind
    doi: str | None = None
    date: str | None = None
    """YYYY-MM-DD."""
    url: str | None = None


@dataclass(frozen=True, slots=True)
class OpenAccess:
    """A free, legal copy of a DOI's work."""

    url: str
    source: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Drift:
    """Whether a live page still says what it said when it was cited."""

    state: str
    """unchanged, changed, drifted or unknown (``drift.text.DriftState``)."""
    similarity: float | None = None
    compared_with: str | None = None
    """The snapshot URL, or ``first_check``."""
    compared_at: str | None = None
    """The date of what the live page was compared with."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation around a citation, and whether the source still holds it."""

    text: str
    found: bool | None
    in_snapshot: bool | None = None
    document: str | None = None
    line: int | None = None
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Redirect:
    """One hop: ``url`` answered ``status`` and pointed on (``via`` http or meta_refresh)."""

    url: str
    status: int
    via: str = "http"


@dataclass(frozen=True, slots=True)
class Observation:
    """What checking one URL found: evidence for classify, never a verdict."""

    url: str
    status: int | None = None
    final_url: str | None = None
    redirects: tuple[Redirect, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    """Headers of the final response, names lower-cased."""
    content_type: str | None = None
    title: str | None = None
    body: str = ""
    """A capped, decoded sample of the final body (for soft-404, login and challenge signals)."""
    failure: Reason | None = None
    """A transport or policy failure: dns, timeout, connection, tls, protocol, redirect_loop,
    too_many_redirects, private_address, missing_file, excluded, network_unavailable…"""
    error: str | None = None
    attempts: int = 1
    elapsed_ms: float | None = None
    checked_at: dt.datetime | None = None
    probe_status: int | None = None
    """Status of the soft-404 probe (a surely missing sibling), when one was sent."""
    probe_final_url: str | None = None
    probe_similarity: float | None = None
    """0..1 likeness of the probe's body to this URL's body."""
    fragment: str | None = None
    fragment_found: bool | None = None
    fingerprint: str | None = None
    """A hash of the body sample, to notice when a page's content changes."""
    truncated: bool = False
    """The body was larger than the read cap (only the cap was read)."""
    doi: DoiRecord | None = None
    notices: tuple[Notice, ...] = ()
    open_access: OpenAccess | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An archived copy of a page."""

    url: str
    timestamp: str | None = None
    """14 digits or a prefix of them (YYYYMMDDhhmmss)."""
    original: str | None = None
    service: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    """What the store knows of one URL across runs."""

    first_seen: dt.datetime | None = None
    last_ok: dt.datetime | None = None
    failing_since: dt.datetime | None = None
    consecutive_failures: int = 0
    flapping: bool = False
    recovered: bool = False
    escalated: bool = False
    """The verdict was raised to dead because the URL kept failing across runs and days."""


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict on one distinct URL, with every place it is cited."""

    url: str
    verdict: Verdict
    reason: str | None
    """A ``Reason`` value or ``http_<status>``."""
    status: int | None = None
    final_url: str | None = None
    redirects: tuple[Redirect, ...] = ()
    permanent: bool | None = None
    title: str | None = None
    checked_at: dt.datetime | None = None
    elapsed_ms: float | None = None
    attempts: int | None = None
    cached: bool = False
    error: str | None = None
    archive: Snapshot | None = None
    occurrences: tuple[Occurrence, ...] = ()
    history: History | None = None
    fingerprint: str | None = None
    """The Observation's body hash, kept by the store to notice when a page's content changes."""
    doi: DoiRecord | None = None
    notices: tuple[Notice, ...] = ()
    open_access: OpenAccess | None = None
    drift: Drift | None = None
    quotes: tuple[Quote, ...] = ()

    @property
    def retracted(self) -> bool:
        """The cited work was retracted or withdrawn."""
        return any(notice.kind.is_retraction for notice in self.notices)

    @property
    def drifted(self) -> bool:
        """A different page answers at the URL now than when it was cited."""
        return self.drift is not None and self.drift.state == "drifted"

    def fails(self, fail_on: Collection[GateTerm]) -> bool:
        """Whether this result fails a gate set to ``fail_on`` (verdicts and concerns)."""
        if self.verdict in fail_on:
            return True
        if Concern.RETRACTED in fail_on and self.retracted:
            return True
        return Concern.DRIFTED in fail_on and self.drifted
