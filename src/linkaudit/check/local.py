"""
``file:`` URLs checked on the file system, fragments included.

A brief's relative links become ``file:`` URLs under the document's directory. They may
not leave ``CheckRequest.root`` (after resolving ``..`` and symlinks) unless
``Settings.allow_file_escape``: a link to ``file:///etc/passwd`` in an untrusted brief is
refused with failure ``private_address`` ("file outside the document's root"), the same
policy reason as a private network address, so the verdict is ``skipped``, not ``dead``.
A file that does not exist is ``missing_file``. Nothing outside the root is even tested
for existence, so the report cannot be used to probe the machine's files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
import time
import unicodedata
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from linkaudit.check.fragments import anchors, has_fragment
from linkaudit.config import Settings
from linkaudit.extract.formats import suffixes_of
from linkaudit.models import DocumentFormat, Observation
from linkaudit.verdicts import Reason

__all__ = ["check_file", "file_path", "markdown_anchors", "slugify"]

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MARKDOWN_SUFFIXES = suffixes_of(DocumentFormat.MARKDOWN)
_HTML_SUFFIXES = suffixes_of(DocumentFormat.HTML)
_TEXT_SUFFIXES = suffixes_of(DocumentFormat.MARKDOWN, DocumentFormat.HTML, DocumentFormat.TEXT)


def file_path(url: str) -> Path:
    """The local path a ``file:`` URL names."""
    parts = urlsplit(url)
    return Path(url2pathname(unquote(parts.path)))


def check_file(url: str, root: str | None, settings: Settings) -> Observation:
    """Observe a ``file:`` URL: refused outside ``root``, missing, or present (and its fragment)."""
    started = time.monotonic()
    checked_at = dt.datetime.now(dt.UTC)
    fragment = urlsplit(url).fragment or None
    path = file_path(url)
    base = Observation(url=url, final_url=url, checked_at=checked_at, fragment=fragment)
    if root is not None and not settings.allow_file_escape and not _inside(path, Path(root)):
        error = f"file outside the document's root {root}"
        return replace(base, failure=Reason.PRIVATE_ADDRESS, error=error)
    if not path.exists():
        return replace(base, failure=Reason.MISSING_FILE, error=f"no such file: {path}")
    found = None
    text = ""
    if path.is_file():
        text = _read_text(path, settings.max_body_bytes)
        if fragment is not None and settings.check_fragments:
            found = _fragment_in(path, text, fragment)
    return replace(
        base,
        content_type=mimetypes.guess_type(path.name)[0],
        body=text[:65536],
        fragment_found=found,
        fingerprint=hashlib.sha256(text.encode()).hexdigest() if text else None,
        elapsed_ms=(time.monotonic() - started) * 1000,
    )


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _read_text(path: Path, limit: int) -> str:
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        return ""
    with path.open("rb") as handle:
        return handle.read(limit).decode("utf-8", "replace")


def _fragment_in(path: Path, text: str, fragment: str) -> bool | None:
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return has_fragment(fragment, anchors(text))
    if suffix in _MARKDOWN_SUFFIXES:
        return has_fragment(fragment, markdown_anchors(text) | anchors(text))
    return None  # a fragment into a PDF or an image is not checkable


def markdown_anchors(text: str) -> frozenset[str]:
    """The heading slugs GitHub gives a Markdown file (duplicates numbered ``-1``, ``-2``…)."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for heading in _HEADING.findall(text):
        slug = slugify(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def slugify(heading: str) -> str:
    """GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"[`*_~\[\]]|\(.*?\)(?=$)", "", text) if "](" not in text else text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")
