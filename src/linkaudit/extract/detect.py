"""
What format a document is in, judged by its content first, then its Content-Type, then
its suffix, so that a lying suffix cannot send a PDF to the Markdown reader; and how
its text is decoded when it is not UTF-8.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePosixPath

from linkaudit.exceptions import CorruptDocument, UnsupportedFormat
from linkaudit.extract.formats import CONTENT_TYPES, SUFFIXES, suffixes_of
from linkaudit.models import DocumentFormat

__all__ = ["decode_text", "detect_format"]

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_LATEX = re.compile(r"\\(?:documentclass|begin\{document\}|href\{|url\{)")
_BIBTEX = re.compile(
    r"^\s*@(?:article|book|inproceedings|misc|online|techreport|incollection"
    r"|phdthesis|mastersthesis|report|manual|unpublished|proceedings)\s*\{",
    re.I | re.M,
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.-]+)", re.I)
_SNIFF = 4096
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(data: bytes, name: str, content_type: str | None = None) -> DocumentFormat:
    """The format of ``data``; raise ``UnsupportedFormat`` or ``CorruptDocument`` if none fits."""
    by_content = _by_magic(data, name)
    if by_content is not None:
        return by_content
    if _is_binary(data[:_SNIFF]):
        raise UnsupportedFormat(name, "binary content")
    claimed = _by_content_type(content_type)
    if claimed in (None, DocumentFormat.TEXT):  # servers send text/plain for .md, .tex, .bib
        claimed = SUFFIXES.get(_suffix(name)) or claimed
    if claimed in (DocumentFormat.PDF, DocumentFormat.DOCX):
        raise CorruptDocument(name, f"named {claimed.value.upper()} but its content is text")
    sniffed = _by_text(data[:_SNIFF])
    if (
        sniffed == DocumentFormat.HTML
    ):  # a document that opens with <html> is HTML whatever its name
        return sniffed
    return claimed or sniffed or DocumentFormat.TEXT


def _suffix(name: str) -> str:
    """The suffix of a path or of a URL's path (its query and fragment ignored)."""
    path = name.split("?", 1)[0].split("#", 1)[0]
    return PurePosixPath(path).suffix.lower()


def _by_magic(data: bytes, name: str) -> DocumentFormat | None:
    # At the start only (after a BOM or blank lines at most): a Markdown file that quotes
    # "%PDF-" in its text is still Markdown.
    if data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-"):
        return DocumentFormat.PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data, name)
    if data.startswith(_OLE_MAGIC) and _suffix(name) in suffixes_of(DocumentFormat.DOCX):
        return DocumentFormat.DOCX  # Word encrypts a .docx into an OLE file: say so, not "binary"
    return None


def _zip_format(data: bytes, name: str) -> DocumentFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
        raise CorruptDocument(name, f"broken zip archive: {exc}") from exc
    if "word/document.xml" in names:
        return DocumentFormat.DOCX
    raise UnsupportedFormat(
        name, "a zip archive that is not a Word document (no word/document.xml)"
    )


def _by_content_type(content_type: str | None) -> DocumentFormat | None:
    if not content_type:
        return None
    return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())


def _by_text(head: bytes) -> DocumentFormat | None:
    if _HTML_START.match(head.lstrip(codecs.BOM_UTF8)):
        return DocumentFormat.HTML
    text = head.decode("utf-8", "replace")
    if _LATEX.search(text):
        return DocumentFormat.LATEX
    if _BIBTEX.search(text):
        return DocumentFormat.BIBTEX
    return None


def _is_binary(head: bytes) -> bool:
    """NUL bytes or mostly control characters: no text format reads this."""
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls / len(head) > 0.1


def decode_text(data: bytes, content_type: str | None = None) -> str:
    """The document's text: its declared charset, else UTF-8, else cp1252; never raises."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, "replace")
    for declared in _declared_charsets(data, content_type):
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _declared_charsets(data: bytes, content_type: str | None) -> list[str]:
    found: list[str] = []
    if content_type and "charset=" in content_type.lower():
        found.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'"))
    head = data[:_SNIFF]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match:
            found.append(match.group(1).decode("ascii"))
    return found
