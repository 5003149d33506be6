"""
Pure: one URL identity and the URL rules every stage shares.

* ``identity``: the one normal form of a URL for de-duplication, the cache and history
  (RFC 3986 §6.2.2 and RFC 3987, by yarl: see docs/links.md for the measured choice);
* ``split_url``: the one cached ``urlsplit`` (the guard, the soft-404 probe, the redirect
  follower and classify split the same URL within milliseconds), and ``url_defect``: why a
  URL cannot be requested as it stands;
* ``scheme_of`` and the scheme families: ``WEB_SCHEMES`` fetched, ``SCRIPT_SCHEMES`` never a
  citation (invalid), ``OTHER_SCHEMES`` registered non-web schemes (skipped, ``other_scheme``);
  ``DEFAULT_PORTS``, the one table of the port a scheme means when none is written;
* ``browser_href``: a written target with whitespace handled as WHATWG URL parsing does;
* ``is_mailto_valid``: every address of a ``mailto:`` URL is an RFC 5322 addr-spec.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import SplitResult, unquote, urlsplit

from yarl import URL

__all__ = [
    "DEFAULT_PORTS",
    "OTHER_SCHEMES",
    "SCRIPT_SCHEMES",
    "WEB_SCHEMES",
    "browser_href",
    "identity",
    "is_address_valid",
    "is_mailto_valid",
    "is_normal_http",
    "scheme_of",
    "split_url",
    "url_defect",
]

WEB_SCHEMES = frozenset({"http", "https"})
#: The port a scheme's URL means when it names none (RFC 3986 §6.2.3: written or not, one URL).
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
#: Scripts run by the page: never a citation, always a mistake in a brief.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript"})
#: Schemes registered with IANA (permanent and provisional, RFC 7595) for things other than
#: web pages: chat, feeds, news, phones, places, embedded data, other applications. A link
#: checker cannot say whether such a link works; it is skipped, not called invalid.
OTHER_SCHEMES = frozenset(
    {
        "about", "acct", "afp", "aim", "apt", "attachment", "bitcoin", "blob", "callto",
        "cid", "coap", "coaps", "content", "cvs", "data", "dav", "dict", "dns", "ed2k",
        "facetime", "fax", "feed", "finger", "geo", "git", "gopher", "gtalk", "h323", "iax",
        "icap", "im", "imap", "info", "ipfs", "ipns", "ipp", "ipps", "irc", "irc6", "ircs",
        "itms", "itms-apps", "jabber", "jar", "ldap", "ldaps", "magnet", "maps", "market",
        "matrix", "message", "mid", "mms", "msnim", "mumble", "news", "nfs", "nntp", "notes",
        "pop", "pres", "rsync", "rtmp", "rtsp", "rtsps", "sftp", "sip", "sips", "skype",
        "slack", "smb", "sms", "snews", "snmp", "spotify", "ssh", "steam", "svn", "tag",
        "teamspeak", "telnet", "tftp", "tg", "tn3270", "urn", "view-source", "vnc",
        "webcal", "whatsapp", "ws", "wss", "xmpp", "ymsgr", "zoommtg", "zoomus",
    }
)  # fmt: skip

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# WHATWG URL parsing removes leading and trailing C0 controls and spaces, and every ASCII tab
# and newline; a space left inside is percent-encoded (path, query and fragment alike).
_STRIPPED = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# RFC 5322 addr-spec: a dot-atom (atext, RFC 6532 allows UTF-8) or a quoted string, "@",
# and a domain (checked label by label). atext is ALPHA, DIGIT, !#$%&'*+-/=?^_`{|}~ and every
# non-ASCII character; a label's characters are ALPHA, DIGIT, "-" and every non-ASCII one.
# Both are written as the ASCII they leave out: the same sets (tests/test_urls.py checks
# every code point), but a class that lists U+0080-U+10FFFF is slow to compile
# (docs/development.md#lazy-imports).
_ATEXT = r'[^\x00-\x20"(),.:;<>@\[\\\]\x7f]'
_DOT_ATOM = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_QUOTED = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
_LABEL_CHAR = r"[^\x00-\x2c./:-@\[-`{-\x7f]"
_LABEL = re.compile(rf"(?!-){_LABEL_CHAR}{{1,63}}(?<!-)")
_DOMAIN_LITERAL = re.compile(r"\[[^\[\]\\]*\]")


# An http(s) URL already in normal form: lower-case scheme and ASCII host, no port or one
# written without leading zeros that is neither 80 nor 443 (a default port is dropped), a
# path, query and fragment of characters that need no percent-encoding and no "%" (so no
# escape to normalise or decode), no dot segment. Most citations look like this; yarl is
# skipped.
_NORMAL = re.compile(
    r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?!(?:80|443)/)[1-9][0-9]{0,4})?"
    r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*"
    r"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?(?:#[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?\Z"
)


def is_normal_http(url: str) -> bool:
    """``url`` is an http(s) URL already in normal form (``_NORMAL``, no dot segment):
    its own ``identity``, and written with no space or control character."""
    return _NORMAL.match(url) is not None and "/." not in url


def identity(url: str) -> str:
    """The normal form of an http(s) URL: one resource, one key (other URLs are returned as
    they are). RFC 3986 §6.2.2: scheme and host lower-cased, the default port dropped,
    percent-encodings upper-cased and those of unreserved characters decoded, dot segments
    removed, an empty path made ``/``; RFC 3987: the host in IDNA (punycode), the path, query
    and fragment UTF-8 percent-encoded. Reserved characters (``%2F``, ``+``, ``&``), the
    query's order, the path's case and the fragment are kept: they can name another resource
    or another place. A URL yarl cannot parse is its own key."""
    head = url[:8].lower()
    if not head.startswith(("http://", "https://")):
        return url
    if _NORMAL.match(url) and "/." not in url:
        return url
    return _normal_form(url)


# The escape of a reserved character (RFC 3986 2.2: gen-delims and sub-delims): ``%2C`` and
# ``,`` are different URLs to a server (2.2: "not equivalent"), but yarl decodes most of them
# (``%2C``, ``%3A``, ``%40``, ``%28`` in the path; ``%2F`` and ``%3F`` in the query).
_RESERVED_ESCAPE = re.compile(r"%(?:2[1346-9A-Ca-cFf]|3[ABDFabdf]|40|5[BDbd])")
# Stands for the "%" of a reserved escape while yarl reads the URL: a private-use
# character, which yarl writes as %EE%80%80 and which no citation holds.
_KEPT = "\ue000"
_KEPT_WRITTEN = "%EE%80%80"


@functools.lru_cache(maxsize=16384)
def _normal_form(url: str) -> str:
    """yarl's normal form of an http(s) URL (cached: a corpus cites one URL many times),
    the escapes of reserved characters kept as escapes."""
    start = url.find("//") + 2
    tail = next((i for i in range(start, len(url)) if url[i] in "/?#"), len(url))
    protect = _RESERVED_ESCAPE.search(url, tail) is not None
    if protect and (_KEPT in url or _KEPT_WRITTEN in url.upper()):
        return url  # cannot tell a marker from the URL's own text: its own key
    if protect:
        url = url[:tail] + _RESERVED_ESCAPE.sub(
            lambda m: _KEPT + m.group(0)[1:].upper(), url[tail:]
        )
    try:
        text = str(URL(url))
    except (ValueError, TypeError, UnicodeError):
        return url.replace(_KEPT, "%") if protect else url
    if protect:
        text = text.replace(_KEPT_WRITTEN, "%")
    if text.count("/") == 2:  # yarl writes an empty path as nothing: "http://host"
        return text + "/"
    return text


@functools.lru_cache(maxsize=4096)
def split_url(url: str) -> SplitResult:
    """``urllib.parse.urlsplit(url)``, cached: the guard, the soft-404 probe, the redirect
    follower and classify each split the same URL within a few milliseconds."""
    return urlsplit(url)


# C0 controls and DEL: never valid in a URL as written (WHATWG drops tab and newline, but
# a document or a server that sends one is hostile or broken, and httpx refuses them).
_CONTROL = frozenset(map(chr, [*range(0x20), 0x7F]))


def url_defect(url: str) -> str | None:
    """Why ``url`` cannot be requested as it stands (a control character, an authority
    urlsplit rejects, a port out of range), or ``None``; what the checker, the redirect
    follower and the extractors test wherever a URL is made."""
    if not _CONTROL.isdisjoint(url):
        bad = next(c for c in url if c in _CONTROL)
        return f"control character U+{ord(bad):04X} in the URL"
    try:
        parts = split_url(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    except ValueError as exc:
        return f"invalid URL: {exc}"
    return None


def scheme_of(url: str) -> str:
    """The scheme of an absolute URL, lower-cased; ``""`` for a relative reference."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def browser_href(written: str) -> str:
    """``written`` as a browser's URL parser reads it: surrounding spaces and controls
    dropped, tabs and newlines removed, inner spaces percent-encoded."""
    target = written.strip(_STRIPPED)
    if "\t" in target or "\n" in target or "\r" in target:
        target = _TAB_OR_NEWLINE.sub("", target)
    return target.replace(" ", "%20") if " " in target else target


def is_mailto_valid(url: str) -> bool:
    """Every address of a ``mailto:`` URL (RFC 6068: the path and any ``to``, ``cc`` or
    ``bcc`` field) is an RFC 5322 addr-spec; a bare ``mailto:`` is not valid."""
    if url[:7].lower() != "mailto:":
        return False
    addresses, _, query = url[7:].partition("?")
    found = [unquote(a).strip() for a in addresses.split(",") if a.strip()]
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        if key.lower() in ("to", "cc", "bcc"):
            found.extend(unquote(a).strip() for a in value.split(",") if a.strip())
    if not found:
        # mailto:?subject=… leaves the address to the reader (a "share" link): not broken.
        return bool(query)
    return all(is_address_valid(a) for a in found)


def is_address_valid(address: str) -> bool:
    """An RFC 5322 addr-spec with a domain a mail could be sent to: no leading, trailing or
    doubled dot in the local part, at most 64 octets there, and valid domain labels."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return False
    if not (_DOT_ATOM.fullmatch(local) or _QUOTED.fullmatch(local)):
        return False
    if len(local.encode("utf-8")) > 64:
        return False
    return _is_mail_domain(domain)


def _is_mail_domain(domain: str) -> bool:
    if _DOMAIN_LITERAL.fullmatch(domain):
        return True
    labels = domain.split(".")  # a trailing dot leaves an empty label: not a dot-atom
    if len(labels) < 2 or len(domain.encode("utf-8")) > 253 or labels[-1].isdigit():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)
