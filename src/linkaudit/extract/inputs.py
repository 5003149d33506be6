"""
Inputs to documents: files, directories walked recursively, ``-`` (a list of inputs on
stdin) and http(s) URLs of published documents, fetched once. A document that cannot be
read becomes an ``Extraction`` with ``Document.error`` set, so that a run goes on.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin

from linkaudit.config import Settings
from linkaudit.exceptions import DocumentError, DocumentTooLarge
from linkaudit.extract.base import Extraction, Source
from linkaudit.extract.detect import SUFFIXES
from linkaudit.models import Document, DocumentFormat

if TYPE_CHECKING:
    import httpx

__all__ = ["StoredExtractions", "discover", "fetch_document", "iter_inputs", "read_file"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class StoredExtractions(Protocol):
    """**Protocol:** an earlier extraction of the same bytes under the same key, if kept."""

    def __call__(self, path: str, content_hash: str, key: str) -> Extraction | None: ...


def iter_inputs(
    inputs: Sequence[str], settings: Settings, stored: StoredExtractions | None = None
) -> Iterator[Extraction]:
    """One ``Extraction`` per document, in the order given (directories sorted); with
    ``stored``, an unchanged document's kept extraction instead of parsing it again."""
    from linkaudit.extract import content_hash_of, extract_source  # the package imports us
    from linkaudit.extract.key import extraction_key

    for name in _expand_stdin(inputs):
        for document in discover(name, settings):
            try:
                source = _load(document, settings)
                digest = content_hash_of(source)
                key = extraction_key(source, settings)
                kept = stored(source.name, digest, key) if stored is not None else None
                yield kept if kept is not None else extract_source(source, settings, digest)
            except DocumentError as exc:
                yield failed(document, exc.cause)


def failed(name: str, cause: str) -> Extraction:
    """The extraction of a document that could not be read: its error and no links."""
    fmt = SUFFIXES.get(PurePosixPath(name.split("?", 1)[0]).suffix.lower(), DocumentFormat.TEXT)
    line = " ".join(cause.split()) or "unreadable"
    return Extraction(document=Document(path=name, format=fmt, error=line))


def _expand_stdin(inputs: Sequence[str]) -> Iterator[str]:
    for name in inputs:
        if name == "-":
            yield from (line.strip() for line in sys.stdin if line.strip())
        else:
            yield name


def _is_url(name: str) -> bool:
    return name.lower().startswith(("http://", "https://"))


def discover(name: str, settings: Settings) -> Iterator[str]:
    """``name`` itself, or the readable files under it when it is a directory."""
    if _is_url(name) or not os.path.isdir(name):
        yield name
        return
    found = False
    for folder, dirs, files in os.walk(name):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            path = os.path.join(folder, file)
            relative = PurePosixPath(Path(path).relative_to(name).as_posix())
            if not file.startswith(".") and _wanted(relative, settings):
                found = True
                yield path
    if not found:  # said, not silently nothing: read_file reports the empty directory
        yield name


def _wanted(relative: PurePosixPath, settings: Settings) -> bool:
    if relative.suffix.lower() not in SUFFIXES:
        return False
    text = relative.as_posix()

    def matches(pattern: str) -> bool:
        return fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(relative.name, pattern)

    if settings.include_globs and not any(map(matches, settings.include_globs)):
        return False
    return not any(map(matches, settings.exclude_globs))


def _load(name: str, settings: Settings) -> Source:
    return fetch_document(name, settings) if _is_url(name) else read_file(name, settings)


def read_file(name: str, settings: Settings) -> Source:
    """The bytes of a local document, refusing one larger than ``max_document_bytes``."""
    path = Path(name)
    limit = settings.max_document_bytes
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(name, "a directory with no document linkaudit reads")
        if not stat.S_ISREG(info.st_mode):  # /dev/zero never ends, a FIFO blocks
            raise DocumentError(name, "not a regular file (a device, pipe or socket)")
        if info.st_size > limit:
            raise DocumentTooLarge(
                name, f"{info.st_size} bytes, more than max_document_bytes ({limit})"
            )
        with path.open("rb") as handle:
            # Ask for what the file holds (read(n) allocates n bytes up front), then keep
            # reading in small steps only if it grows while being read.
            data = handle.read(info.st_size + 1)
            while len(data) > info.st_size and len(data) <= limit:
                more = handle.read(min(1 << 20, limit + 1 - len(data)))
                if not more:
                    break
                data += more
        if len(data) > limit:  # it grew while being read
            raise DocumentTooLarge(name, f"more than max_document_bytes ({limit}) bytes")
    except FileNotFoundError as exc:
        raise DocumentError(name, "no such file") from exc
    except IsADirectoryError as exc:
        raise DocumentError(name, "is a directory") from exc
    except OSError as exc:
        raise DocumentError(name, f"cannot read: {exc.strerror or exc}") from exc
    return Source(name=name, data=data, base_url=path.resolve().as_uri())


def _guard() -> Callable[[str, Settings], str | None] | None:
    """``linkaudit.check.guard.refusal`` when the check stage provides it."""
    try:
        module = importlib.import_module("linkaudit.check.guard")
    except ImportError:
        return None
    refusal: Callable[[str, Settings], str | None] | None = getattr(module, "refusal", None)
    return refusal


def fetch_document(url: str, settings: Settings) -> Source:
    """GET a published document once, following redirects by hand so each hop is guarded."""
    import httpx  # only documents given as URLs need it; `linkaudit extract FILE` starts faster

    timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    headers = {"User-Agent": settings.user_agent}
    try:
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
            return _fetch(client, url, settings)
    except httpx.HTTPError as exc:
        raise DocumentError(url, f"cannot fetch: {type(exc).__name__}: {exc}") from exc


def _fetch(client: httpx.Client, url: str, settings: Settings) -> Source:
    refusal = _guard()
    target = url
    for _ in range(settings.max_redirects + 1):
        reason = refusal(target, settings) if refusal else None
        if reason is not None:
            raise DocumentError(url, f"refused to fetch {target}: {reason}")
        with client.stream("GET", target) as response:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                target = urljoin(target, response.headers["location"])
                continue
            if response.status_code >= 400:
                raise DocumentError(url, f"HTTP {response.status_code} fetching the document")
            data = _read_capped(response, url, settings.max_document_bytes)
            content_type = response.headers.get("content-type")
            return Source(
                name=url, data=data, base_url=str(response.url), content_type=content_type
            )
    raise DocumentError(url, f"more than {settings.max_redirects} redirects")


def _read_capped(response: httpx.Response, url: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise DocumentTooLarge(url, f"more than max_document_bytes ({limit}) bytes")
        chunks.append(chunk)
    return b"".join(chunks)
