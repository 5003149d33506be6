"""
The extract stage: documents in, link occurrences out, with no network access
(except fetching a published document given as a URL, in ``inputs``).

    iter_inputs(inputs, settings)      → one Extraction per document (``inputs``)
    extract_source(source, settings)   → one document's Extraction (``document``)

One module per format behind the ``Extractor`` protocol (``base``), imported when a document
of that format turns up. The names are handed out on first use, so that ``import linkaudit``
(which imports this package) and ``linkaudit --version`` load no reader
(docs/development.md#lazy-imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkaudit._lazy import lazy_names

if TYPE_CHECKING:
    from linkaudit.extract.base import Extractor
    from linkaudit.extract.detect import detect_format
    from linkaudit.extract.document import (
        EXTRACTORS,
        content_hash_of,
        extract_source,
        get_extractor,
    )
    from linkaudit.extract.inputs import StoredExtractions, iter_inputs
    from linkaudit.models import Extraction, Source

__all__ = [
    "EXTRACTORS",
    "Extraction",
    "Extractor",
    "Source",
    "StoredExtractions",
    "content_hash_of",
    "detect_format",
    "extract_source",
    "get_extractor",
    "iter_inputs",
]

_HOMES = {
    "EXTRACTORS": "linkaudit.extract.document",
    "Extraction": "linkaudit.models",
    "Extractor": "linkaudit.extract.base",
    "Source": "linkaudit.models",
    "StoredExtractions": "linkaudit.extract.inputs",
    "content_hash_of": "linkaudit.extract.document",
    "detect_format": "linkaudit.extract.detect",
    "extract_source": "linkaudit.extract.document",
    "get_extractor": "linkaudit.extract.document",
    "iter_inputs": "linkaudit.extract.inputs",
}

__getattr__ = lazy_names(__name__, _HOMES)
