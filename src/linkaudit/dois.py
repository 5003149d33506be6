"""
DOIs as they are cited: in resolver URLs, ``doi:`` URIs, BibTeX fields and printed text.

Pure functions shared by extraction (which keeps what the document wrote and resolves it to
``https://doi.org/<doi>``), the checker (which asks the DOI system about that name rather
than the publisher) and the reports. DOI names are case-insensitive (ISO 26324), so the
comparison key is lower-cased; printed DOIs lose trailing punctuation as Crossref's matching
guidance does.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "DOI_HOSTS",
    "doi_of",
    "doi_url",
    "find_dois",
    "handle_path",
    "normalise_doi",
    "resolve_doi",
]

#: Hosts of the DOI resolver whose path is a DOI name.
DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org", "hdl.handle.net"})
_RESOLVER = "https://doi.org/"

# Crossref's recommended pattern (prefix 10.NNNN, a suffix of the characters nearly every
# registered DOI uses), with the suffix widened to what DOIs in URLs carry (<>, #, [] and
# other characters stay out: they end a printed DOI).
_NAME = r"10\.\d{4,9}/[-._;()/:A-Za-z0-9+~*'%]+"
_DOI_NAME = re.compile(rf"^{_NAME}$")
_PRINTED = re.compile(
    # ``doi:10.…``, ``DOI: 10.…``, ``doi 10.…`` or ``https://doi.org/10.…`` in prose
    rf"(?<![\w/.])(?:(?i:doi)\s*:?\s*|(?i:https?://(?:dx\.)?doi\.org/))({_NAME})"
)
_URI = re.compile(r"^\s*(?:(?i:doi):\s*|(?i:info:doi/))(.+)$", re.DOTALL)
_TRAILING = ".,;:'\""


def normalise_doi(doi: str) -> str:
    """The comparison key: lower-cased, percent-decoded, no surrounding space."""
    return unquote(doi).strip().lower()


def _trim(name: str) -> str:
    """Trailing punctuation and unbalanced closing brackets are prose, not the DOI."""
    while name:
        last = name[-1]
        if last in _TRAILING or (last == ")" and name.count(")") > name.count("(")):
            name = name[:-1]
        else:
            break
    return name


def doi_of(url: str) -> str | None:
    """The DOI a resolver URL or ``doi:`` URI names (lower-cased), else None."""
    uri = _URI.match(url)
    if uri is not None:
        name = _trim(unquote(uri.group(1)).strip())
        return name.lower() if _DOI_NAME.match(name) else None
    if "doi.org" not in url[:40].lower() and "handle.net" not in url[:40].lower():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or (parts.hostname or "") not in DOI_HOSTS:
        return None
    if parts.hostname == "hdl.handle.net" or parts.path.startswith("/api/"):
        name = unquote(parts.path.removeprefix("/api/handles").lstrip("/"))
        if not name.startswith("10."):
            return None
    else:
        name = unquote(parts.path.lstrip("/"))
    return name.lower() if _DOI_NAME.match(name) else None


def resolve_doi(written: str) -> str | None:
    """``doi:10.1/x``, ``DOI: 10.1/x`` or a bare ``10.1/x`` → ``https://doi.org/10.1/x``."""
    text = written.strip()
    uri = _URI.match(text)
    if uri is not None:
        text = uri.group(1).strip()
    elif text[:3].lower() == "doi":
        text = text[3:].lstrip(" :\t")
    name = _trim(unquote(text))
    return doi_url(name) if _DOI_NAME.match(name) else None


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI name, its characters escaped as RFC 3986 asks."""
    return _RESOLVER + handle_path(doi)


def handle_path(doi: str) -> str:
    """A DOI name as a URL path (``/`` kept, ``#``, ``?``, ``%`` and spaces escaped)."""
    return quote(doi, safe="/:;()+~*'-._")


def find_dois(text: str) -> list[tuple[int, int, str]]:
    """DOIs printed in prose (``doi:10.…``, ``DOI: 10.…``) as ``(start, end, as written)``.

    Resolver URLs are found by the URL scanner; this finds the forms it cannot.
    """
    found = []
    for match in _PRINTED.finditer(text):
        if match.group(0)[:4].lower() == "http":
            continue
        name = _trim(match.group(1))
        if _DOI_NAME.match(name):
            end = match.start(1) + len(name)
            found.append((match.start(), end, text[match.start() : end]))
    return found
