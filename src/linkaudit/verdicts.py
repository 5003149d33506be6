"""
Verdicts and reasons, with values identical to ``report-schema.json``.

Reports and the exit code match on members, never on text. A test asserts these enums
equal the schema's lists.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REASON_VERDICT", "Concern", "GateTerm", "Reason", "Verdict", "http_reason"]


class Verdict(StrEnum):
    """What a reader of the brief should make of one link."""

    OK = "ok"
    REDIRECTED = "redirected"
    DEAD = "dead"
    RESTRICTED = "restricted"
    UNREACHABLE = "unreachable"
    ARCHIVED = "archived"
    INVALID = "invalid"
    SKIPPED = "skipped"

    @property
    def is_problem(self) -> bool:
        """True for verdicts an editor has to act on."""
        return self not in (Verdict.OK, Verdict.ARCHIVED, Verdict.SKIPPED)


class Concern(StrEnum):
    """What a gate can fail on besides verdicts: what a page's status does not show."""

    RETRACTED = "retracted"
    """The cited work was retracted or withdrawn (a Crossref editorial notice)."""
    DRIFTED = "drifted"
    """A different page answers at the cited URL now (``--drift``)."""


#: One term of ``--fail-on``.
GateTerm = Verdict | Concern


class Reason(StrEnum):
    """The machine-readable cause of a verdict (``http_<status>`` is a plain string)."""

    HTTP_STATUS = "http_status"
    REDIRECT_PERMANENT = "redirect_permanent"
    REDIRECT_TEMPORARY = "redirect_temporary"
    META_REFRESH = "meta_refresh"
    DNS = "dns"
    SOFT_404 = "soft_404"
    HOMEPAGE_REDIRECT = "homepage_redirect"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    MISSING_FILE = "missing_file"
    MISSING_FRAGMENT = "missing_fragment"
    LOGIN_REDIRECT = "login_redirect"
    BOT_CHALLENGE = "bot_challenge"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    TLS = "tls"
    PROTOCOL = "protocol"
    NETWORK_UNAVAILABLE = "network_unavailable"
    WAYBACK = "wayback"
    ARCHIVE_TODAY = "archive_today"
    PERMA_CC = "perma_cc"
    MEMENTO = "memento"
    PLACEHOLDER = "placeholder"
    MALFORMED = "malformed"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    EXCLUDED = "excluded"
    MAILTO = "mailto"
    TEL = "tel"
    PRIVATE_ADDRESS = "private_address"
    CLIENT_RENDERED = "client_rendered"
    OTHER_SCHEME = "other_scheme"
    NEEDS_ROOT = "needs_root"
    DOI_NOT_REGISTERED = "doi_not_registered"


def http_reason(status: int) -> str:
    """The reason code for a verdict decided by an HTTP status, e.g. ``http_404``."""
    return f"http_{status}"


#: The verdict each reason implies where it alone decides (statuses decide case by case).
REASON_VERDICT: dict[Reason, Verdict] = {
    Reason.REDIRECT_PERMANENT: Verdict.REDIRECTED,
    Reason.REDIRECT_TEMPORARY: Verdict.REDIRECTED,
    Reason.META_REFRESH: Verdict.REDIRECTED,
    Reason.DNS: Verdict.DEAD,
    Reason.SOFT_404: Verdict.DEAD,
    Reason.HOMEPAGE_REDIRECT: Verdict.DEAD,
    Reason.REDIRECT_LOOP: Verdict.DEAD,
    Reason.TOO_MANY_REDIRECTS: Verdict.DEAD,
    Reason.MISSING_FILE: Verdict.DEAD,
    Reason.MISSING_FRAGMENT: Verdict.DEAD,
    Reason.LOGIN_REDIRECT: Verdict.RESTRICTED,
    Reason.BOT_CHALLENGE: Verdict.RESTRICTED,
    Reason.TIMEOUT: Verdict.UNREACHABLE,
    Reason.CONNECTION: Verdict.UNREACHABLE,
    Reason.TLS: Verdict.UNREACHABLE,
    Reason.PROTOCOL: Verdict.UNREACHABLE,
    Reason.NETWORK_UNAVAILABLE: Verdict.UNREACHABLE,
    Reason.WAYBACK: Verdict.ARCHIVED,
    Reason.ARCHIVE_TODAY: Verdict.ARCHIVED,
    Reason.PERMA_CC: Verdict.ARCHIVED,
    Reason.MEMENTO: Verdict.ARCHIVED,
    Reason.PLACEHOLDER: Verdict.INVALID,
    Reason.MALFORMED: Verdict.INVALID,
    Reason.UNSUPPORTED_SCHEME: Verdict.INVALID,
    Reason.EXCLUDED: Verdict.SKIPPED,
    Reason.MAILTO: Verdict.SKIPPED,
    Reason.TEL: Verdict.SKIPPED,
    Reason.PRIVATE_ADDRESS: Verdict.SKIPPED,
    Reason.CLIENT_RENDERED: Verdict.OK,
    Reason.OTHER_SCHEME: Verdict.SKIPPED,
    Reason.NEEDS_ROOT: Verdict.SKIPPED,
    Reason.DOI_NOT_REGISTERED: Verdict.DEAD,
}
