"""
Pure content and URL heuristics: not-found pages, login walls, bot challenges, trivial and
homepage redirects.

Each signal is deliberately conservative: a false "dead" costs more than a missed soft 404,
because it teaches people to ignore the gate.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import parse_qsl

from linkaudit.urls import DEFAULT_PORTS, split_url

__all__ = [
    "CHALLENGE_TITLES",
    "NOT_FOUND_PATTERNS",
    "is_app_shell",
    "is_bot_challenge",
    "is_homepage_redirect",
    "is_login_page",
    "is_login_wall",
    "is_not_found_page",
    "is_trivial_redirect",
    "says_not_found",
]

#: A whole title part or main heading that says "not found", per language (lower-cased,
#: NFKC-normalised, apostrophes straightened). Each is matched whole, between optional
#: fillers ("Oops!", "Error 404 –", "Sorry,"), never as words inside a longer text.
NOT_FOUND_PATTERNS: tuple[str, ...] = (
    # English
    r"(?:the\s+)?(?:requested\s+)?(?:page|file|document|resource|url|content|article|post|"
    r"item|entry|link|site)\s+(?:was\s+|is\s+)?not\s+found",
    r"not\s+found",
    r"(?:(?:the|this|that)\s+)?(?:requested\s+)?(?:page|file|document|resource|content|"
    r"article|post|link|url)(?:\s+you(?:'re|\s+are|\s+were|'ve)?\s+(?:looking\s+for|after|"
    r"trying\s+to\s+(?:reach|access|find|view|open)|tried\s+to\s+(?:reach|access|open)|"
    r"requested|followed))?\s+(?:(?:could\s+not|couldn't|cannot|can't|can\s+not)\s+be\s+found|"
    r"(?:was\s+not|wasn't|is\s+not|isn't)\s+found|(?:does\s+not|doesn't)\s+exist|"
    r"no\s+longer\s+exists|(?:is\s+)?missing)",
    r"(?:we|i)\s+(?:could\s+not|couldn't|cannot|can't|can\s+not)\s+find\s+(?:that|this|the|"
    r"your)\s+(?:page|file|document)(?:\s+you(?:'re|\s+are|\s+were)?\s+(?:looking\s+for|"
    r"after|requested))?",
    r"(?:page|file|document)\s+missing",
    r"(?:error\s*)?404(?:\s*error)?(?:\s*page)?",
    # German
    r"(?:die\s+)?(?:angeforderte\s+|gesuchte\s+)?seite\s+(?:wurde\s+)?nicht\s+gefunden",
    r"(?:die\s+)?(?:angeforderte\s+|gesuchte\s+)?seite\s+konnte\s+nicht\s+gefunden\s+werden",
    r"(?:diese\s+|die\s+)?(?:angeforderte\s+|gesuchte\s+)?seite\s+existiert\s+(?:leider\s+)?"
    r"nicht(?:\s+mehr)?",
    r"(?:diese\s+)?seite\s+gibt\s+es\s+(?:leider\s+)?nicht(?:\s+mehr)?",
    r"seite\s+nicht\s+vorhanden",
    r"datei\s+nicht\s+gefunden",
    r"nicht\s+gefunden",
    r"fehler\s*404|404\s*fehler",
    # French
    r"page\s+(?:introuvable|non\s+trouv[ée]e|inexistante)",
    r"(?:cette\s+|la\s+)?page(?:\s+demand[ée]e|\s+que\s+vous\s+(?:recherchez|cherchez))?\s+"
    r"(?:est\s+introuvable|n'existe\s+pas(?:\s+ou\s+plus)?|n'a\s+pas\s+[ée]t[ée]\s+trouv[ée]e)",
    r"fichier\s+introuvable",
    r"introuvable",
    r"erreur\s*404",
    # Spanish
    r"p[áa]gina\s+no\s+(?:encontrada|existe|disponible)",
    r"(?:la\s+|esta\s+)?p[áa]gina(?:\s+que\s+(?:buscas|busca|est[áa]s\s+buscando)|\s+solicitada)?"
    r"\s+no\s+(?:existe|se\s+encuentra|fue\s+encontrada|se\s+ha\s+encontrado|"
    r"se\s+pudo\s+encontrar)",
    r"no\s+(?:se\s+ha\s+podido\s+encontrar|se\s+encontr[óo]|se\s+encuentra|hemos\s+encontrado|"
    r"encontramos)\s+(?:la\s+|esta\s+)?p[áa]gina",
    r"p[áa]gina\s+inexistente",
    r"archivo\s+no\s+encontrado",
    r"no\s+encontrad[oa]",
    r"error\s*404",
    # Portuguese
    r"p[áa]gina\s+n[ãa]o\s+(?:encontrada|existe)",
    r"(?:a\s+|esta\s+)?p[áa]gina(?:\s+que\s+(?:voc[êe]\s+)?procura|\s+solicitada)?\s+n[ãa]o\s+"
    r"(?:existe|foi\s+encontrada|pode\s+ser\s+encontrada)",
    r"p[áa]gina\s+inexistente",
    r"(?:arquivo|ficheiro)\s+n[ãa]o\s+encontrado",
    r"n[ãa]o\s+encontrad[oa]",
    r"erro\s*404",
    # Italian, Dutch, Polish
    r"pagina\s+non\s+trovata",
    r"(?:la\s+)?pagina\s+(?:richiesta\s+)?non\s+esiste",
    r"errore\s*404",
    r"pagina\s+niet\s+gevonden",
    r"(?:deze\s+)?pagina\s+bestaat\s+niet(?:\s+meer)?",
    r"strona\s+nie\s+(?:zosta[łl]a\s+znaleziona|istnieje)",
    r"nie\s+znaleziono\s+strony",
    r"b[łl][ąa]d\s*404",
    # Russian
    r"(?:запрашиваемая\s+|такая\s+)?страница\s+не\s+(?:найдена|существует)",
    r"(?:такой\s+)?страницы\s+не\s+существует",
    r"страница\s+(?:была\s+)?удалена\s+или\s+не\s+существует",
    r"файл\s+не\s+найден",
    r"не\s+найдено",
    r"ошибка\s*404",
    # Korean
    r"(?:요청하신\s*|찾으시는\s*)?페이지를\s*찾을\s*수\s*(?:없습니다|없음|없어요)",
    r"(?:요청하신\s*|찾으시는\s*)?페이지가\s*(?:존재하지\s*않습니다|없습니다|존재하지\s*않음)",
    r"(?:존재하지\s*않는|찾을\s*수\s*없는)\s*페이지(?:입니다)?",
    r"404\s*(?:오류|에러)|(?:오류|에러)\s*404",
    # Japanese
    r"(?:お探しの|ご指定の|指定された|リクエストされた)?ページ(?:は|が)?見つかりません(?:でした)?",
    r"(?:お探しの|ご指定の|指定された|リクエストされた)?ページ(?:は|が)存在しません(?:でした)?",
    r"ファイルが見つかりません(?:でした)?",
    r"404\s*(?:エラー|error)|エラー\s*404",
    # Chinese
    r"(?:抱歉[,，]?\s*)?(?:您|你)?(?:所|要)?(?:访问|訪問|請求|请求|查找|查看)?的?"
    r"(?:页面|頁面|网页|網頁)(?:不存在|未找到|找不到了?|没有找到|沒有找到|无法找到|無法找到|"
    r"已被删除|已刪除)",
    r"找不到(?:该|此|这个|這個|您要的)?(?:页面|頁面|网页|網頁)",
    r"404\s*(?:错误|錯誤)|(?:错误|錯誤)\s*404",
)
_FILLER = (
    r"(?:oops|ooops|whoops|sorry|uh[\s-]?oh|ouch|hmm+|error|http|404|oups|huch|ups|упс|ой|"
    r"désolé|lo\s+sentimos|desculpe|leider|죄송합니다|申し訳ございません|抱歉|對不起|对不起)"
)
_SEP = r"[\s!?¡¿.,:;–—\-_/()\[\]【】「」『』<>…。！？、]*"
_NOT_FOUND = (
    rf"^{_SEP}(?:{_FILLER}{_SEP})*(?:{'|'.join(NOT_FOUND_PATTERNS)})"
    rf"(?:{_SEP}(?:\(?(?:error|erreur|fehler|erro|ошибка|오류|エラー|错误)?\s*404\)?|error))*"
    rf"{_SEP}$"
)


@functools.cache
def _not_found() -> re.Pattern[str]:
    """``_NOT_FOUND`` compiled on first use: a compile that a run with no page to read (an
    offline one) never needs (docs/development.md#lazy-imports)."""
    return re.compile(_NOT_FOUND)


_TITLE_PARTS = re.compile(r"\s+[|:–—-]\s+|\s*[|｜·•_]\s*|\s+::\s+")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_H2 = re.compile(r"<h2\b[^>]*>(.*?)</h2\s*>", re.I | re.S)
_BODY_TAG = re.compile(r"<body\b", re.I)
_TAG = re.compile(r"<[^>]+>")
#: How much of the body counts as its top, where a not-found page's second-level heading
#: must be when it has no first-level one.
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
    r"authori[sz]e|idp|adfs|openid-connect|account-login|authwall|signin\.\w+|login\.\w+)$",
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


def is_not_found_page(title: str | None, body: str) -> bool:
    """The whole title (or a whole part of it), or the page's main heading, says "not found".

    The main heading is the first ``<h1>``, or without one the first ``<h2>`` near the top
    of the body. A phrase inside a longer title or heading ("Why pages are not found: a
    study") is content, not a verdict.
    """
    if title and says_not_found(title):
        return True
    heading = _main_heading(body)
    return heading is not None and says_not_found(heading)


def says_not_found(text: str) -> bool:
    """``text`` (a title or heading) is, as a whole or in one of its parts, a not-found phrase."""
    lowered = _normalised(text)
    if not lowered or len(lowered) > 300:
        return False
    not_found = _not_found()
    if not_found.match(lowered):
        return True
    parts = _TITLE_PARTS.split(lowered)  # one part: the whole text, already matched
    return len(parts) > 1 and any(not_found.match(part) for part in parts if part)


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.lower().split())


def _main_heading(body: str) -> str | None:
    found = _BODY_TAG.search(body)
    start = found.start() if found else 0
    h1 = _H1.search(body, start)
    if h1 is not None:
        return _text(h1.group(1))
    h2 = _H2.search(body[: start + BODY_TOP_CHARS], start)
    return _text(h2.group(1)) if h2 is not None else None


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub(" ", fragment))


#: Elements a client-side application mounts into (React, Vue, Angular, Next, Nuxt,
#: Gatsby, Svelte, Ember and custom elements), found in an otherwise empty page.
_APP_ROOT = re.compile(
    r"""<(?:div|main|section|body)\b[^>]*\bid\s*=\s*["']?(?:root|app|__next|__nuxt|___gatsby|"""
    r"""svelte|application|app-root|main-app|react-root|ember-app|q-app)\b"""
    r"""|<(?:app-root|[a-z][a-z0-9]*-(?:app|root|shell))\b|\bdata-reactroot\b|\bng-version\s*="""
    r"""|<noscript\b[^>]*>[^<]{0,200}\b(?:javascript|js)\b""",
    re.I,
)
_SCRIPT_BUNDLE = re.compile(r"""<script\b[^>]*\b(?:src\s*=|type\s*=\s*["']?module)""", re.I)
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.I | re.S
)
#: Visible characters below which a page is a shell waiting for its script.
APP_SHELL_TEXT = 200

_PASSWORD_FIELD = re.compile(r"""<input\b[^>]*\btype\s*=\s*["']?password\b""", re.I)
_LOGIN_WORDS = re.compile(
    r"\b(?:log\s*in|login|log\s+into|sign\s*in|signin|sign\s+up)\b|anmelden|einloggen|"
    r"se\s+connecter|connexion|iniciar\s+sesi[óo]n|inicia\s+sesi[óo]n|entrar|acceder|"
    r"accedi|inloggen|войти|вход|로그인|ログイン|登录|登入|登錄",
    re.I,
)


def is_app_shell(body: str) -> bool:
    """A page whose content a script renders: little visible text, a script bundle and a
    root element (``<div id="root">``, ``<app-root>``) or a "needs JavaScript" notice."""
    if not body or not _SCRIPT_BUNDLE.search(body) or not _APP_ROOT.search(body):
        return False
    visible = " ".join(html.unescape(_INVISIBLE.sub(" ", body)).split())
    return len(visible) < APP_SHELL_TEXT


def is_login_wall(title: str | None, body: str) -> bool:
    """A page that asks the reader to log in: a password field, and a title, heading or text
    near it that says log in / sign in (in the major languages)."""
    field = _PASSWORD_FIELD.search(body)
    if field is None:
        return False
    if title and _LOGIN_WORDS.search(title):
        return True
    near = body[max(0, field.start() - BODY_TOP_CHARS) : field.end() + BODY_TOP_CHARS]
    return bool(_LOGIN_WORDS.search(_text(_INVISIBLE.sub(" ", near))))


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
    if port is not None and DEFAULT_PORTS.get(parts.scheme.lower()) != port:
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
