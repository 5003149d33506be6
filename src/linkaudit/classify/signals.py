"""
Pure content and URL heuristics: not-found pages, login walls, bot challenges, trivial and
homepage redirects.

Each signal is deliberately conservative: a false "dead" costs more than a missed soft 404,
because it teaches people to ignore the gate.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote

from linkaudit._urls import split_url

__all__ = [
    "CHALLENGE_TITLES",
    "NOT_FOUND_PHRASES",
    "is_bot_challenge",
    "is_homepage_redirect",
    "is_login_page",
    "is_mailto_valid",
    "is_not_found_page",
    "is_trivial_redirect",
]

#: "Page not found" in the languages briefs are most often written in, lower-cased.
NOT_FOUND_PHRASES: tuple[str, ...] = (
    "page not found",
    "file not found",
    "this page doesn't exist",
    "this page does not exist",
    "page could not be found",
    "page cannot be found",
    "seite nicht gefunden",
    "seite wurde nicht gefunden",
    "page introuvable",
    "page non trouvée",
    "página no encontrada",
    "página não encontrada",
    "pagina non trovata",
    "pagina niet gevonden",
    "strona nie została znaleziona",
    "страница не найдена",
    "페이지를 찾을 수 없습니다",
    "페이지를 찾을 수 없음",
    "ページが見つかりません",
    "找不到页面",
    "页面不存在",
    "找不到網頁",
    "頁面不存在",
)
_TITLE_PARTS = re.compile(r"\s+[|:–—-]\s+|\s*[|·•]\s*")
_BARE_404 = re.compile(r"^(oops!?\s*)?(error\s*)?(http\s*)?404(\s*(error|not found|page))?[!.]*$")
_HEADING = re.compile(r"<h[12][^>]*>(.*?)</h[12]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
#: How much of the body counts as its top, where a not-found page says so.
BODY_TOP_CHARS = 4000

#: Titles of interstitial challenge pages (Cloudflare, Sucuri, DDoS-Guard, generic captchas).
CHALLENGE_TITLES: tuple[str, ...] = (
    "just a moment...",
    "just a moment…",
    "attention required! | cloudflare",
    "please wait... | cloudflare",
    "ddos-guard",
    "sucuri website firewall - access denied",
    "human verification",
    "verify you are human",
    "are you a robot?",
    "are you a human?",
)
#: Markers that a non-2xx body is a challenge, not the page (never trusted on a 200:
#: plenty of real pages embed a reCAPTCHA form).
_CHALLENGE_MARKERS: tuple[str, ...] = (
    "cf-chl-",
    "/cdn-cgi/challenge-platform",
    "_cf_chl_opt",
    "g-recaptcha",
    "h-captcha",
    "hcaptcha.com",
    "px-captcha",
    "_incapsula_resource",
    "ddos-guard",
    "captcha-delivery.com",
    "awswaf",
)
_CHALLENGE_STATUSES = frozenset({202, 403, 429, 503})

_LOGIN_SEGMENT = re.compile(
    r"^(log-?in|log_in|sign-?in|sign_in|log-?on|sso|auth|oauth2?|saml2?|cas|authenticate|"
    r"authori[sz]e|idp|adfs|openid-connect|account-login|signin\.\w+|login\.\w+)$",
    re.I,
)
_LOGIN_HOST_LABELS = frozenset({"login", "signin", "sso", "auth", "idp", "accounts", "account"})
_LOGIN_QUERY = re.compile(r"(^|[=&])(log-?in|sign-?in|sso|auth)($|&)", re.I)
_LOGIN_TITLE = re.compile(
    r"^\s*(log\s*in|login|sign\s*in|single sign-on|anmelden|connexion|iniciar sesión|"
    r"accedi|inloggen|로그인|ログイン|登录|登入)\b",
    re.I,
)
_INDEX_PAGES = re.compile(r"^/(index|default|home)(\.\w+)?/?$", re.I)
_LANGUAGE_ROOT = re.compile(r"^/[a-z]{2}([-_][a-z]{2,4})?/?$", re.I)
_MAILTO = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\".]+(\.[^@\s<>()\[\],;:\".]+)+$")


def is_not_found_page(title: str | None, body: str) -> bool:
    """The title, or a top-level heading near the top of the body, says "not found"."""
    if title and _says_not_found(title):
        return True
    top = body[:BODY_TOP_CHARS]
    return any(_says_not_found(_text(heading)) for heading in _HEADING.findall(top))


def _says_not_found(text: str) -> bool:
    lowered = " ".join(text.lower().split())
    if any(phrase in lowered for phrase in NOT_FOUND_PHRASES):
        return True
    # "404" alone only as a whole part of a title: "404", "404 | Example", "Error 404 - Site".
    return any(_BARE_404.match(part.strip()) for part in _TITLE_PARTS.split(lowered))


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub(" ", fragment))


def is_bot_challenge(
    status: int | None, headers: Mapping[str, str], title: str | None, body: str
) -> bool:
    """A robot wall: LinkedIn's 999, Cloudflare's ``cf-mitigated``, or a challenge page."""
    if status == 999:
        return True
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if title and " ".join(title.lower().split()) in CHALLENGE_TITLES:
        return True
    if status in _CHALLENGE_STATUSES:
        top = body[: BODY_TOP_CHARS * 4].lower()
        return any(marker in top for marker in _CHALLENGE_MARKERS)
    return False


def is_login_page(asked: str, final: str, title: str | None) -> bool:
    """``final`` is a sign-in page on another path than ``asked`` (a login wall)."""
    asked_parts, final_parts = split_url(asked), split_url(final)
    if (asked_parts.hostname, asked_parts.path) == (final_parts.hostname, final_parts.path):
        return False
    if _login_like(asked_parts.hostname or "", asked_parts.path):
        return False  # the citation is itself a login page
    if _login_like(final_parts.hostname or "", final_parts.path):
        return True
    query = "&".join(f"{k}={v}" for k, v in parse_qsl(final_parts.query, keep_blank_values=True))
    return bool(_LOGIN_QUERY.search(query)) or bool(title and _LOGIN_TITLE.match(title))


def _login_like(host: str, path: str) -> bool:
    labels = host.lower().split(".")
    if len(labels) > 2 and labels[0] in _LOGIN_HOST_LABELS:
        return True
    return any(_LOGIN_SEGMENT.match(segment) for segment in path.split("/") if segment)


def _site_key(url: str) -> tuple[str, str, str]:
    """What a reader would see of ``url``: the host without ``www.`` or a default port,
    the path without a trailing slash and in one letter case, the query, each with its
    percent-escapes in one case and unreserved characters decoded (RFC 3986 §6.2.2)."""
    parts = split_url(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = _escapes_normalised(parts.path).rstrip("/").lower()
    return host, path, _escapes_normalised(parts.query)


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _escapes_normalised(text: str) -> str:
    """``%7e`` and ``%7E`` as ``~``, ``%c3`` as ``%C3``: the same characters, one spelling."""
    if "%" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(one, text)


def is_trivial_redirect(asked: str, final: str) -> bool:
    """
    Same page, cosmetically moved: http→https, trailing slash, ``www.`` added or removed,
    a default port written or dropped, percent-escapes in another case, or the path in
    another letter case.

    ``www.`` counts as trivial because every major site serves both names as one site and
    the citation still reaches the cited page; a downgrade to http does not count. A path
    that differs only in letter case is the same page on a server that answers both (the
    redirect proves it does), as IIS and many CMSs do.
    """
    asked_scheme, final_scheme = split_url(asked).scheme.lower(), split_url(final).scheme.lower()
    if asked_scheme != final_scheme and (asked_scheme, final_scheme) != ("http", "https"):
        return False
    return _site_key(asked) == _site_key(final)


def is_homepage_redirect(asked: str, final: str) -> bool:
    """A deep link that ends at a site root: the cited page is gone and the site hides it."""
    asked_parts, final_parts = split_url(asked), split_url(final)
    path = asked_parts.path
    if path in ("", "/") and not asked_parts.query:
        return False
    if _INDEX_PAGES.match(path) or _LANGUAGE_ROOT.match(path):
        return False  # /index.html or /en/ → / is the same home page
    return final_parts.path in ("", "/") and not final_parts.query


def is_mailto_valid(url: str) -> bool:
    """A ``mailto:`` with at least one plausible address (local@domain.tld)."""
    target = url.split(":", 1)[1].split("?", 1)[0] if ":" in url else ""
    addresses = [a.strip() for a in target.split(",") if a.strip()]
    if not addresses:
        # mailto:?subject=… leaves the address to the reader: not a broken citation.
        return "?" in url
    return all(_MAILTO.match(unquote(a)) for a in addresses)
