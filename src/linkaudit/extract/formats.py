"""
The one table of document formats linkaudit reads: each format's extractor, suffixes and
Content-Types. Every suffix map (folder discovery, detection, local fragment checks) is
derived from it, so a new format is one entry here and one extractor module.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkaudit.models import DocumentFormat

__all__ = [
    "CONTENT_TYPES",
    "DOCUMENT_TYPES",
    "SUFFIXES",
    "TEXT_FORMATS",
    "DocumentType",
    "format_of_name",
    "suffixes_of",
]


@dataclass(frozen=True, slots=True)
class DocumentType:
    """One readable format: who extracts it and how its files are recognised."""

    format: DocumentFormat
    extractor: str
    """``module:Class`` under ``linkaudit.extract``, imported only when such a document turns up."""
    suffixes: tuple[str, ...]
    content_types: tuple[str, ...] = ()
    text: bool = True
    """Read as decoded text (False: a binary container such as PDF or DOCX)."""


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType(
        DocumentFormat.MARKDOWN,
        "markdown:MarkdownExtractor",
        (".md", ".markdown", ".mdown", ".mkd"),
        ("text/markdown", "text/x-markdown"),
    ),
    DocumentType(
        DocumentFormat.HTML,
        "html:HtmlExtractor",
        (".html", ".htm", ".xhtml"),
        ("text/html", "application/xhtml+xml"),
    ),
    DocumentType(
        DocumentFormat.PDF, "pdf:PdfExtractor", (".pdf",), ("application/pdf",), text=False
    ),
    DocumentType(
        DocumentFormat.DOCX,
        "docx:DocxExtractor",
        (".docx", ".docm", ".dotx"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
        text=False,
    ),
    DocumentType(DocumentFormat.TEXT, "text:TextExtractor", (".txt", ".text"), ("text/plain",)),
    DocumentType(
        DocumentFormat.LATEX,
        "latex:LatexExtractor",
        (".tex", ".ltx"),
        ("application/x-tex", "text/x-tex"),
    ),
    DocumentType(
        DocumentFormat.BIBTEX,
        "bibtex:BibtexExtractor",
        (".bib",),
        ("application/x-bibtex", "text/x-bibtex"),
    ),
)

#: Suffix → format: the files a folder is walked for.
SUFFIXES: dict[str, DocumentFormat] = {
    suffix: kind.format for kind in DOCUMENT_TYPES for suffix in kind.suffixes
}
#: Content-Type (without parameters) → format, for documents fetched by URL.
CONTENT_TYPES: dict[str, DocumentFormat] = {
    name: kind.format for kind in DOCUMENT_TYPES for name in kind.content_types
}
TEXT_FORMATS = frozenset(kind.format for kind in DOCUMENT_TYPES if kind.text)


def suffixes_of(*formats: DocumentFormat) -> tuple[str, ...]:
    """The suffixes of ``formats``, in table order."""
    return tuple(s for kind in DOCUMENT_TYPES if kind.format in formats for s in kind.suffixes)


def format_of_name(name: str) -> DocumentFormat | None:
    """The format a path's or URL's suffix names (query and fragment ignored), or None."""
    path = name.split("?", 1)[0].split("#", 1)[0]
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return SUFFIXES.get(base[dot:].lower()) if dot > 0 else None
