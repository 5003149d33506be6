"""
Pure URL helpers: resolve a target against its document and flag what is wrong with it
without any fetch. The key that de-duplicates URLs is ``linkaudit.urls.identity``.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from linkaudit.dois import resolve_doi
from linkaudit.fragment import has_anchor
from linkaudit.models import Element, Occurrence, Part, RobustLink, new_occurrence
from linkaudit.urls import (
    OTHER_SCHEMES,
    SCRIPT_SCHEMES,
    browser_href,
    identity,
    is_mailto_valid,
    is_normal_http,
)
from linkaudit.verdicts import Reason

__all__ = ["is_mailto_valid", "make_occurrence", "problem", "resolve"]

#: Schemes a link checker can say something about; registered non-web schemes are
#: ``other_scheme`` (skipped), scripts and unknown schemes ``unsupported_scheme``.
KNOWN_SCHEMES = frozenset({"http", "https", "ftp", "file", "mailto", "tel"})
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp"})
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$", re.UNICODE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def resolve(raw: str, base: str | None) -> str:
    """``raw`` made absolute: ``www.x`` → ``http://www.x``, ``doi:10.1/x`` →
    ``https://doi.org/10.1/x``, relative against ``base``; spaces and newlines as a browser's
    URL parser treats them (``browser_href``)."""
    written = raw.strip()
    if written[:3].lower() == "doi" or written[:9].lower() == "info:doi/":
        doi = resolve_doi(written)  # "DOI: 10.1/x" as printed, space and all
        if doi is not None:
            return doi
    target = browser_href(raw)
    if target[:4].lower() == "www.":  # no other character lower-cases to "w" or "."
        return "http://" + target
    if _SCHEME.match(target) or base is None:
        return target
    try:
        return urljoin(base, target)
    except ValueError:
        return target


def problem(raw: str, url: str, defined_fragments: frozenset[str] | None) -> Reason | None:
    """What is wrong with a link before any fetch, or ``None``."""
    target = raw.strip()
    if target in ("", "#"):
        return Reason.PLACEHOLDER
    if target.startswith("#") and defined_fragments is not None:
        return None if has_anchor(target[1:], defined_fragments) else Reason.PLACEHOLDER
    if _CONTROL.search(url) is not None or _NUL_IN_FILE.match(url) is not None:
        return Reason.MALFORMED  # no request or path can carry it (httpx, open() refuse it)
    return _scheme_problem(url)


def _scheme_problem(url: str) -> Reason | None:
    plain = _PLAIN_NETWORK.match(url)
    if plain is not None and _NO_SPACE_AFTER.match(url, plain.end()):
        # Most links: http(s) or ftp, no space, a plain host and port. What urlsplit and
        # the checks below would conclude comes from the host and port alone.
        return _host_port_problem(plain)
    match = _SCHEME.match(url)
    if match is None:  # still relative: no base to resolve it against
        return Reason.MALFORMED if _has_space(url) else None
    scheme = match.group(1).lower()
    if scheme in OTHER_SCHEMES:
        return Reason.OTHER_SCHEME
    if scheme in SCRIPT_SCHEMES or scheme not in KNOWN_SCHEMES:
        return Reason.UNSUPPORTED_SCHEME
    if scheme == "mailto":
        return None if is_mailto_valid(url) else Reason.MALFORMED
    if scheme == "tel":
        return None
    if _has_space(url):
        return Reason.MALFORMED
    return _split_problem(url, scheme)


def _host_port_problem(plain: re.Match[str]) -> Reason | None:
    """The problem of a URL matched by ``_PLAIN_NETWORK``: its port and host alone."""
    host, port = plain.groups()
    if port is not None and int(port) > 65535:
        return Reason.MALFORMED
    return None if _is_valid_host(host.lower()) else Reason.MALFORMED


def _split_problem(url: str, scheme: str) -> Reason | None:
    """The general case of ``_scheme_problem`` for a known scheme, through urlsplit."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return Reason.MALFORMED
    if scheme in _NETWORK_SCHEMES and not _is_valid_host(parts.hostname):
        return Reason.MALFORMED
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUL_IN_FILE = re.compile(r"[Ff][Ii][Ll][Ee]:.*%00")
_SPACE = re.compile(r"\s")  # the characters str.isspace() accepts
# A network URL whose authority is a plain host name and maybe a port (no user, no
# brackets): urlsplit would give that host, lower-cased, and that port, so they are
# checked alone. ASCII only, so no IGNORECASE (under which [a-z] matches the Kelvin sign).
_NO_SPACE_AFTER = re.compile(r"\S*\Z")
_PLAIN_NETWORK = re.compile(
    r"(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp])://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(?=[/?#]|\Z)"
)


def _has_space(url: str) -> bool:
    return _SPACE.search(url) is not None


@lru_cache(maxsize=4096)  # documents cite a few hosts many times
def _is_valid_host(host: str | None) -> bool:
    """A DNS name (IDN letters allowed) or an IP address."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return all(_LABEL.match(label) and "_" not in label for label in labels)


def make_occurrence(
    document: str,
    raw: str,
    base: str | None,
    defined_fragments: frozenset[str] | None = None,
    target: str | None = None,
    resolved: str | None = None,
    *,
    text: str = "",
    page: int | None = None,
    line: int | None = None,
    column: int | None = None,
    part: Part = Part.BODY,
    element: Element = Element.LINK,
    context: str | None = None,
    robust: RobustLink | None = None,
    shown: str | None = None,
) -> Occurrence:
    """
    An ``Occurrence`` of ``raw`` with its resolved URL and its offline problem filled in;
    ``target`` is what to resolve when it differs from ``raw`` (e.g. percent-encoded);
    ``resolved`` is ``resolve(raw or target, base)`` when the caller has it already;
    ``shown`` is reported as the written target instead of ``raw`` (a bare ``www.`` link,
    which is checked with the ``http://`` it is read with).
    """
    written = raw if shown is None else shown
    if target is None and is_normal_http(raw):
        # Most citations: ``resolve`` and ``identity`` give the URL back as written, and
        # its problem is its host's and port's (``_scheme_problem``'s plain path).
        plain = _PLAIN_NETWORK.match(raw)
        assert plain is not None  # every normal http(s) URL is a plain network URL
        problem_ = _host_port_problem(plain)
        return new_occurrence(
            document, written, raw, text, page, line, column, part, element, context, problem_,
            robust,
        )  # fmt: skip
    if resolved is None:
        resolved = resolve(raw if target is None else target, base)
    url = identity(resolved)
    found = problem(raw, url, defined_fragments)
    if found is Reason.PLACEHOLDER:
        # A placeholder cites nothing: resolving `#` would name the document itself, which
        # reads as a real link in reports. Keep it as written so the editor sees what to fix.
        url = raw.strip() or "#"
    return new_occurrence(
        document, written, url, text, page, line, column, part, element, context, found, robust
    )
