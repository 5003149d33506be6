"""
One document from its bytes to its ``Extraction``: detect the format, bound the work, run the
format's extractor (contained), apply inline ignores and ``remap``, resolve root-relative
links, count and hash.

``EXTRACTORS`` maps each format to ``"module:Class"`` (from the one table in ``formats``);
the module is imported only when a document of that format turns up, so that
``linkaudit --help`` does not pay for pypdfium2 or lxml.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import re

from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument, DocumentError, DocumentTooLarge, UnsupportedFormat
from linkaudit.extract.base import Extractor
from linkaudit.extract.detect import decode_text, detect_format
from linkaudit.extract.formats import DOCUMENT_TYPES, TEXT_FORMATS
from linkaudit.extract.ignore import COMMENT_FORMATS, MARKER_BYTES, inline_ignored, remapped
from linkaudit.extract.key import extraction_key
from linkaudit.extract.roots import rooted
from linkaudit.extract.sandbox import described, run_contained
from linkaudit.models import DocumentFormat, Extraction, Occurrence, Source

__all__ = ["EXTRACTORS", "content_hash_of", "extract_source", "get_extractor"]

EXTRACTORS: dict[DocumentFormat, str] = {
    kind.format: f"linkaudit.extract.{kind.extractor}" for kind in DOCUMENT_TYPES
}


def get_extractor(fmt: DocumentFormat, document: str = "") -> Extractor:
    """The extractor of ``fmt``; ``UnsupportedFormat`` if none is registered or installed."""
    target = EXTRACTORS.get(fmt)
    if target is None:
        raise UnsupportedFormat(document, f"no extractor for {fmt.value}")
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, class_name)
    except (ImportError, AttributeError) as exc:
        raise UnsupportedFormat(
            document, f"the {fmt.value} extractor is unavailable: {exc}"
        ) from exc
    extractor: Extractor = factory()
    return extractor


def extract_source(
    source: Source, settings: Settings, content_hash: str | None = None
) -> Extraction:
    """Detect, bound and extract one document; every failure is a ``DocumentError``."""
    if len(source.data) > settings.max_document_bytes:
        limit = settings.max_document_bytes
        raise DocumentTooLarge(
            source.name, f"{len(source.data)} bytes, more than max_document_bytes ({limit})"
        )
    fmt = detect_format(source.data, source.name, source.content_type)
    extractor = get_extractor(fmt, source.name)
    whole, limit = source, settings.max_links_per_document
    starts = 2 * limit
    source, stopped_at = _bounded(whole, fmt, starts)
    extraction = _contained(fmt, extractor, source, settings)
    while stopped_at is not None and len(extraction.occurrences) <= limit:
        # Links whose URLs hold several link starts (a web archive's URL of a DOI URL) can
        # fill the cut before the limit: read twice as far, until the limit is passed.
        starts *= 2
        source, stopped_at = _bounded(whole, fmt, starts)
        extraction = _contained(fmt, extractor, source, settings)
    if stopped_at is not None:
        note = (
            f"{source.name}: more than {settings.max_links_per_document} links; reading stopped "
            f"at byte {stopped_at} of {len(whole.data)} (max_links_per_document)"
        )
        extraction = dataclasses.replace(extraction, warnings=[*extraction.warnings, note])
    return _finished(extraction, whole, settings, content_hash)


#: What starts a link in a text format; most links make one or two (``[x](http://…)``),
#: ``www.`` right after ``//`` is the same link's.
_LINK_START = re.compile(
    rb"(?i:https?:|(?<!//)www\.|mailto:|doi|href\s*=|src\s*=|\\url|\\href)|\]\(|\]\["
)


#: A piece of text each ``_LINK_START`` match holds (ASCII case aside); none of them can
#: overlap itself, so two matches never share one counted piece.
_LINK_START_PIECES = (b"http", b"www.", b"mailto:", b"doi", b"href", b"src", b"\\url", b"](", b"][")


def _most_link_starts(data: bytes) -> int:
    """At least as many as ``_LINK_START`` finds in ``data``: a count of the pieces its
    matches hold, ten times faster than the search (which runs only when this count says
    the limit may be passed)."""
    lowered = data.lower()  # ASCII only, as _LINK_START's (?i:) on bytes
    return sum(lowered.count(piece) for piece in _LINK_START_PIECES)


def _contained(
    fmt: DocumentFormat, extractor: Extractor, source: Source, settings: Settings
) -> Extraction:
    """The extractor's reading; any failure of it is this document's ``DocumentError``."""
    try:
        return run_contained(fmt, extractor, source, settings)
    except DocumentError:
        raise
    except RecursionError as exc:
        raise CorruptDocument(source.name, "nested too deeply to read") from exc
    except Exception as exc:  # any bug or library failure is this document's error only
        raise CorruptDocument(source.name, described(exc)) from exc


def _bounded(source: Source, fmt: DocumentFormat, starts: int) -> tuple[Source, int | None]:
    """A text document cut at the line where its link starts exceed ``starts``, so that a
    million-link file is never parsed whole (``extract_source`` reads further when the cut
    holds no more than the limit; the limit then trims to exactly the limit). Binary formats
    are bounded by their sandbox."""
    if fmt not in TEXT_FORMATS or len(source.data) < starts:
        return source, None
    if _most_link_starts(source.data) <= starts:
        return source, None
    for seen, match in enumerate(_LINK_START.finditer(source.data), start=1):
        if seen > starts:
            end = source.data.find(b"\n", match.start())
            cut = len(source.data) if end < 0 else end + 1
            if cut >= len(source.data):
                return source, None
            return dataclasses.replace(source, data=source.data[:cut]), cut
    return source, None


def _as_asked(extraction: Extraction, source: Source, settings: Settings) -> list[Occurrence]:
    """The occurrences less those an inline ignore comment covers, with ``remap`` applied."""
    occurrences = extraction.occurrences
    fmt = extraction.document.format
    if fmt in COMMENT_FORMATS and MARKER_BYTES in source.data:
        text = decode_text(source.data, source.content_type)
        markdown = fmt is DocumentFormat.MARKDOWN
        occurrences = inline_ignored(text, occurrences, markdown=markdown)
    if settings.remap:
        rules = [(re.compile(pattern), replacement) for pattern, replacement in settings.remap]
        occurrences = remapped(occurrences, rules)
    return list(occurrences)


def content_hash_of(source: Source) -> str:
    """The document's content hash, as the store keeps it."""
    return hashlib.sha256(source.data).hexdigest()


def _finished(
    extraction: Extraction, source: Source, settings: Settings, content_hash: str | None
) -> Extraction:
    """Bound the links to ``max_links_per_document`` (and say so), resolve a local document's
    root-relative links (``--root-dir``, ``--base-url``); count and hash once here, for every
    format."""
    limit = settings.max_links_per_document
    occurrences = _as_asked(extraction, source, settings)
    warnings = list(extraction.warnings)
    if len(occurrences) > limit:
        warnings.append(
            f"{extraction.document.path}: {len(occurrences)} links, only the first {limit} kept "
            "(max_links_per_document)"
        )
        occurrences = occurrences[:limit]
    if source.base_url and source.base_url[:5].lower() == "file:":
        occurrences = [rooted(o, settings.root_dir, settings.base_url) for o in occurrences]
    document = dataclasses.replace(
        extraction.document,
        links=len(occurrences),
        content_hash=content_hash or content_hash_of(source),
    )
    return Extraction(
        document=document,
        occurrences=list(occurrences),
        warnings=warnings,
        extracted_with=extraction_key(source, settings),
    )
