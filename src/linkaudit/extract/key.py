"""
What an extraction depends on besides the document's bytes, as one short key.

A re-run over an unchanged archive need not parse it again: the store keeps each
document's occurrences with its content hash and this key, and hands them back while
both match. The key covers everything else that can change the output: linkaudit's
and Python's versions, the extractor sources, the parser libraries installed, the settings
the extractors read, and where relative links resolve. A changed file, upgrade or setting
gives a new key, so a stale extraction is never reused.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from linkaudit._version import __version__
from linkaudit.config import Settings
from linkaudit.models import Source

__all__ = ["EXTRACTION_SETTINGS", "extraction_key"]

#: The settings any extractor reads (a test holds this list to the extractors' sources).
EXTRACTION_SETTINGS = (
    "base_url",
    "join_wrapped_pdf_links",
    "max_document_bytes",
    "max_links_per_document",
    "max_pages",
    "max_unzipped_bytes",
    "remap",
    "root_dir",
)

#: The parsers whose output the extractors pass on; their files change on upgrade.
_LIBRARIES = ("markdown_it", "mdit_py_plugins", "bs4", "lxml", "pypdfium2", "pypdfium2_raw")


def extraction_key(source: Source, settings: Settings) -> str:
    """The key of extracting ``source`` with ``settings`` by this installation."""
    parts = [_code(), source.base_url, source.content_type or ""]
    parts += [f"{name}={getattr(settings, name)!r}" for name in EXTRACTION_SETTINGS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


@functools.cache
def _code() -> str:
    """linkaudit's version, Python's (html.parser and urllib change between releases), its
    extractor sources and the parser libraries, by file stamps (stat is fast; reading
    package metadata would cost tens of milliseconds)."""
    stamps = [__version__, sys.version]
    folder = Path(__file__).parent
    for path in sorted(folder.glob("*.py")):
        stamps.append(_stamp(path))
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        stamps.append(f"{name}:{_stamp(Path(origin)) if origin else 'absent'}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


def _stamp(path: Path) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return f"{path.name}:missing"
    return f"{path.name}:{info.st_size}:{info.st_mtime_ns}"
