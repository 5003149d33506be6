"""The contract every document format implements (``Source`` and ``Extraction``, the records
it takes and gives, live in ``models`` because they travel to the store and the run)."""

from __future__ import annotations

from typing import Protocol

from linkaudit.config import Settings
from linkaudit.models import DocumentFormat, Extraction, Source

__all__ = ["Extractor"]


class Extractor(Protocol):
    """**Protocol:** turn one document's bytes into link occurrences, with no network access."""

    format: DocumentFormat

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """Every link in ``source``; raise ``DocumentError`` when it cannot be read."""
        ...  # pragma: no cover
