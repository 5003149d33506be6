"""
``file:`` URLs checked on the file system, fragments included: nothing leaves the machine.

A brief's relative links become ``file:`` URLs under the document's directory (root-relative
ones under ``--root-dir``). They may not leave ``CheckRequest.root`` (after resolving ``..``
and symlinks) unless ``Settings.allow_file_escape``: a link to ``file:///etc/passwd`` in an
untrusted brief is refused with failure ``private_address`` ("file outside the document's
root"), the same policy reason as a private network address, so the verdict is ``skipped``,
not ``dead``. Nothing outside the root is even tested for existence, so the report cannot be
used to probe the machine's files.

An existing file or folder is observed present (classify calls it ``ok``); a missing one is
``missing_file``. A fragment into a Markdown or HTML file is looked for by the renderer's
rules (``linkaudit.anchors``). A ``file://host/…`` URL names another machine's file: it
cannot be checked from here, and is reported so (``protocol``), never tested locally.

``observe_file`` is the whole check of one ``file:`` URL, as the runner makes it and as a
run makes it without the runner (``run/local.py``): nothing here imports the HTTP stack, and
markdown-it comes in only when a fragment into a Markdown file is looked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import nturl2path
import os
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkaudit.anchors import fragment_found
from linkaudit.check.contain import error_line, unexpected
from linkaudit.check.request import CheckRequest
from linkaudit.config import Settings
from linkaudit.exceptions import LinkauditError
from linkaudit.extract.formats import suffixes_of
from linkaudit.models import DocumentFormat, Observation
from linkaudit.urls import url_defect
from linkaudit.verdicts import Reason

__all__ = ["is_local", "observe_file"]

_MARKDOWN_SUFFIXES = suffixes_of(DocumentFormat.MARKDOWN)
_HTML_SUFFIXES = suffixes_of(DocumentFormat.HTML)
_TEXT_SUFFIXES = suffixes_of(DocumentFormat.MARKDOWN, DocumentFormat.HTML, DocumentFormat.TEXT)
_LOCAL_HOSTS = ("", "localhost")


def is_local(url: str) -> bool:
    """A ``file:`` URL (any case of the scheme): checked on disk, never over the network."""
    return url[:5].lower() == "file:"


def observe_file(request: CheckRequest, settings: Settings) -> Observation:
    """One ``file:`` URL observed as the check stage observes any URL: refused when malformed,
    and an error no rule foresaw (a file the system will not read) made its result."""
    url = request.url
    try:
        defect = url_defect(url)
        if defect is not None:
            return Observation(url=url, failure=Reason.MALFORMED, error=defect)
        return _check_file(url, request.root, settings)
    except LinkauditError:  # about the run, not this URL
        raise
    except Exception as exc:  # the containment boundary: see SECURITY.md
        return unexpected(url, exc, error_line(exc))


def _file_path(url: str) -> Path:
    """The local path a ``file:`` URL names."""
    parts = urlsplit(url)
    return Path(_url2pathname(unquote(parts.path)))


def _url2pathname(quoted: str) -> str:
    """``urllib.request.url2pathname`` (the same choice by ``os.name``) without importing
    ``urllib.request``, which brings http.client, email and ssl: about 14 ms in every run."""
    return nturl2path.url2pathname(quoted) if os.name == "nt" else unquote(quoted)


def _check_file(url: str, root: str | None, settings: Settings) -> Observation:
    """Observe a ``file:`` URL: refused outside ``root``, missing, or present (and its fragment)."""
    started = time.monotonic()
    checked_at = dt.datetime.now(dt.UTC)
    parts = urlsplit(url)
    fragment = parts.fragment or None
    base = Observation(url=url, final_url=url, checked_at=checked_at, fragment=fragment)
    if (parts.hostname or "").lower() not in _LOCAL_HOSTS:
        error = f"file: URL on another machine ({parts.hostname}): it cannot be checked from here"
        return replace(base, failure=Reason.PROTOCOL, error=error)
    path = _file_path(url)
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
        return fragment_found(text, fragment)
    if suffix in _MARKDOWN_SUFFIXES:
        return fragment_found(text, fragment, markdown=True)
    return None  # a fragment into a PDF or an image is read by its viewer
