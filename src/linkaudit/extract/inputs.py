"""
Inputs to documents: files, directories walked recursively, ``-`` (a list of inputs on
stdin) and http(s) URLs of published documents, fetched once. A document that cannot be
read becomes an ``Extraction`` with ``Document.error`` set, so that a run goes on.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

from linkaudit.config import Settings
from linkaudit.exceptions import DocumentError, DocumentTooLarge
from linkaudit.extract.document import content_hash_of, extract_source
from linkaudit.extract.formats import SUFFIXES, format_of_name
from linkaudit.extract.key import extraction_key
from linkaudit.models import Document, DocumentFormat, Extraction, Source

if TYPE_CHECKING:
    import httpx
    import pathspec

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
    skipped: list[str] = []
    for name in _expand_stdin(inputs):
        for document in discover(name, settings, skipped):
            try:
                source = _load(document, settings)
                digest = content_hash_of(source)
                key = extraction_key(source, settings)
                kept = stored(source.name, digest, key) if stored is not None else None
                extraction = kept if kept is not None else extract_source(source, settings, digest)
            except DocumentError as exc:
                extraction = failed(document, exc.cause)
            if skipped:  # told with the next document (a folder always yields one)
                extraction = dataclasses.replace(
                    extraction, warnings=[*skipped, *extraction.warnings]
                )
                skipped.clear()
            yield extraction


def failed(name: str, cause: str) -> Extraction:
    """The extraction of a document that could not be read: its error and no links."""
    fmt = format_of_name(name) or DocumentFormat.TEXT
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


def discover(name: str, settings: Settings, skipped: list[str] | None = None) -> Iterator[str]:
    """``name`` itself, or the readable files under it when it is a directory: sorted, less
    what ``.gitignore`` files exclude and, unless ``follow_symlinks``, less files whose real
    path is outside ``name`` (a pull request can add ``docs/notes.txt -> ../.git/config``);
    each such file is named in ``skipped`` before the first file is yielded (the walk is
    done first: it costs little beside parsing)."""
    if _is_url(name) or not os.path.isdir(name):
        yield name
        return
    # Said, not silently nothing: read_file reports an empty directory.
    yield from list(_walk(name, settings, skipped)) or [name]


def _walk(name: str, settings: Settings, skipped: list[str] | None) -> Iterator[str]:
    root = os.path.realpath(name)
    ignores = _GitIgnores.above(Path(name)) if settings.gitignore else None
    seen_dirs = {root}
    for folder, dirs, files in os.walk(name, followlinks=settings.follow_symlinks):
        relative_folder = PurePosixPath(Path(folder).relative_to(name).as_posix())
        if ignores is not None:
            ignores.enter(Path(folder), relative_folder)
        kept = []
        for directory in sorted(d for d in dirs if not d.startswith(".")):
            path = os.path.join(folder, directory)
            rel = relative_folder / directory
            if ignores is not None and ignores.ignored(rel, is_dir=True):
                continue
            if os.path.islink(path):
                real = os.path.realpath(path)
                if not settings.follow_symlinks:
                    _note(skipped, path, "a symlinked folder, not followed (--follow-symlinks)")
                    continue
                if real in seen_dirs:  # a loop, or a folder already walked
                    continue
                seen_dirs.add(real)
            kept.append(directory)
        dirs[:] = kept
        for file in sorted(files):
            path = os.path.join(folder, file)
            relative = relative_folder / file
            if file.startswith(".") or not _wanted(relative, settings):
                continue
            if ignores is not None and ignores.ignored(relative, is_dir=False):
                continue
            if not settings.follow_symlinks and not _inside(path, root):
                _note(skipped, path, f"its real path is outside {name} (--follow-symlinks)")
                continue
            yield path


def _inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _note(skipped: list[str] | None, path: str, why: str) -> None:
    if skipped is not None:
        skipped.append(f"skipped {path}: {why}")


class _GitIgnores:
    """The ``.gitignore`` files that apply in a walk: those of the folders above the one
    given (up to the repository's top) and of each folder walked, deeper ones deciding."""

    def __init__(self, inherited: list[tuple[PurePosixPath, pathspec.GitIgnoreSpec]]) -> None:
        self.inherited = inherited
        self.specs: dict[PurePosixPath, pathspec.GitIgnoreSpec] = {}

    @classmethod
    def above(cls, start: Path) -> _GitIgnores:
        """The ignore files from the repository's top down to ``start``'s parent, each with
        ``start``'s path relative to it (none outside a repository, as git would have it)."""
        here = start.resolve()
        top = next((f for f in (here, *here.parents) if (f / ".git").exists()), None)
        inherited: list[tuple[PurePosixPath, pathspec.GitIgnoreSpec]] = []
        if top is not None and top != here:
            for folder in [top, *[top / p for p in _between(top, here)]]:
                spec = _read_gitignore(folder)
                if spec is not None:
                    inherited.append((PurePosixPath(here.relative_to(folder).as_posix()), spec))
        return cls(inherited)

    def enter(self, folder: Path, relative: PurePosixPath) -> None:
        spec = _read_gitignore(folder)
        if spec is not None:
            self.specs[relative] = spec

    def ignored(self, relative: PurePosixPath, *, is_dir: bool) -> bool:
        """Git's answer: the deepest file with a matching rule decides (``!`` re-includes)."""
        text = relative.as_posix() + ("/" if is_dir else "")
        verdict: bool | None = None
        for offset, spec in self.inherited:
            verdict = _decide(spec, f"{offset.as_posix()}/{text}", verdict)
        for base in (relative.parent, *relative.parent.parents)[::-1]:
            inner_spec = self.specs.get(base)
            if inner_spec is not None:
                inner = PurePosixPath(relative).relative_to(base).as_posix()
                verdict = _decide(inner_spec, inner + ("/" if is_dir else ""), verdict)
        return bool(verdict)


def _between(top: Path, here: Path) -> list[PurePosixPath]:
    """The folders strictly between ``top`` and ``here``, relative to ``top``, outermost first."""
    parts = here.relative_to(top).parts
    return [PurePosixPath(*parts[:n]) for n in range(1, len(parts))]


def _decide(spec: pathspec.GitIgnoreSpec, path: str, verdict: bool | None) -> bool | None:
    found = spec.check_file(path).include
    return verdict if found is None else found


def _read_gitignore(folder: Path) -> pathspec.GitIgnoreSpec | None:
    import pathspec  # only folder walks need it; `linkaudit check FILE` starts without it

    try:
        text = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())


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


Pin = Callable[[str, Settings], tuple[str | None, str | None]]


def _guard() -> Pin | None:
    """``linkaudit.check.guard.pinned_address`` when the check stage provides it."""
    try:
        module = importlib.import_module("linkaudit.check.guard")
    except ImportError:
        return None
    pin: Pin | None = getattr(module, "pinned_address", None)
    return pin


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
    pin = _guard()
    target = url
    # One total deadline for the whole fetch (redirects and a trickled body included):
    # --max-time when given, else the per-request timeout, as for every checked link.
    deadline = time.monotonic() + (settings.max_time or settings.timeout)
    for _ in range(settings.max_redirects + 1):
        address, reason = pin(target, settings) if pin else (None, None)
        if reason is not None:
            raise DocumentError(url, f"refused to fetch {target}: {reason}")
        pinned, options = _pinned(target, address)
        with client.stream("GET", pinned, **options) as response:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                target = urljoin(target, response.headers["location"])
                continue
            if response.status_code >= 400:
                raise DocumentError(url, f"HTTP {response.status_code} fetching the document")
            data = _read_capped(response, url, settings.max_document_bytes, deadline)
            content_type = response.headers.get("content-type")
            return Source(name=url, data=data, base_url=target, content_type=content_type)
    raise DocumentError(url, f"more than {settings.max_redirects} redirects")


def _pinned(url: str, address: str | None) -> tuple[str, dict[str, Any]]:
    """The request for ``url`` sent to the approved ``address``: the URL names the address,
    the Host header and TLS (SNI and certificate check) the original name."""
    if address is None:
        return url, {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    headers = {"Host": parts.netloc.rpartition("@")[2]}
    return parts._replace(netloc=netloc).geturl(), {
        "headers": headers,
        "extensions": {"sni_hostname": host},
    }


def _read_capped(response: httpx.Response, url: str, limit: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise DocumentTooLarge(url, f"more than max_document_bytes ({limit}) bytes")
        if time.monotonic() > deadline:
            raise DocumentError(url, "cannot fetch: the document took longer than its deadline")
        chunks.append(chunk)
    return b"".join(chunks)
