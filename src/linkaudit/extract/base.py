"""The contract every document format implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from linkaudit.config import Settings
from linkaudit.models import Document, DocumentFormat, Occurrence

__all__ = ["Extraction", "Extractor", "Source"]


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


class Extractor(Protocol):
    """**Protocol:** turn one document's bytes into link occurrences, with no network access."""

    format: DocumentFormat

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """Every link in ``source``; raise ``DocumentError`` when it cannot be read."""
        ...  # pragma: no cover
