"""The content and URL heuristics, case by case."""

from __future__ import annotations

import pytest

from linkaudit.classify.signals import (
    is_bot_challenge,
    is_homepage_redirect,
    is_login_page,
    is_not_found_page,
    is_trivial_redirect,
)
from linkaudit.urls import is_mailto_valid


@pytest.mark.parametrize(
    ("asked", "final", "trivial"),
    [
        ("http://a.example/x", "https://a.example/x", True),
        ("https://a.example/x", "https://a.example/x/", True),
        ("https://a.example/x/", "https://a.example/x", True),
        ("https://www.a.example/x", "https://a.example/x", True),
        ("http://a.example:80/x", "https://a.example/x", True),
        ("https://a.example/x", "http://a.example/x", False),  # a downgrade
        ("https://a.example/x", "https://a.example/y", False),
        ("https://a.example/x", "https://b.example/x", False),
        ("https://a.example/x?id=1", "https://a.example/x?id=2", False),
        ("https://a.example:8443/x", "https://a.example/x", False),
    ],
)
def test_trivial_redirect(asked: str, final: str, trivial: bool) -> None:
    assert is_trivial_redirect(asked, final) is trivial


@pytest.mark.parametrize(
    ("asked", "final", "homepage"),
    [
        ("https://a.example/reports/x.pdf", "https://a.example/", True),
        ("https://a.example/?p=123", "https://a.example/", True),
        ("https://a.example/x", "https://b.example", True),
        ("https://a.example/", "https://a.example/", False),
        ("https://a.example/index.html", "https://a.example/", False),
        ("https://a.example/en/", "https://a.example/", False),
        ("https://a.example/x", "https://a.example/y", False),
        ("https://a.example/x", "https://a.example/?lang=en", False),
    ],
)
def test_homepage_redirect(asked: str, final: str, homepage: bool) -> None:
    assert is_homepage_redirect(asked, final) is homepage


@pytest.mark.parametrize(
    ("asked", "final", "title", "login"),
    [
        ("https://a.example/doc", "https://a.example/login?next=/doc", None, True),
        ("https://a.example/doc", "https://a.example/users/sign_in", None, True),
        ("https://a.example/doc", "https://login.b.example/common/oauth2", None, True),
        ("https://a.example/doc", "https://a.example/index.php?action=login", None, True),
        ("https://a.example/doc", "https://a.example/gate", "Log in – Example", True),
        ("https://a.example/login", "https://a.example/login/", None, False),  # cited as is
        ("https://a.example/doc", "https://a.example/authors/smith", None, False),
        ("https://a.example/doc", "https://a.example/doc", "Sign in", False),
        ("https://a.example/doc", "https://a.example/blog/logging-in-python", None, False),
    ],
)
def test_login_page(asked: str, final: str, title: str | None, login: bool) -> None:
    assert is_login_page(asked, final, title) is login


@pytest.mark.parametrize(
    ("title", "body", "not_found"),
    [
        ("404", "", True),
        ("Error 404 - Example", "", True),
        ("Seite nicht gefunden – Bundesamt", "", True),
        ("página no encontrada", "", True),
        (None, "<header>…</header><h1 class='x'>Page <em>not</em> found</h1>", True),
        ("Oops! 404", "", True),
        ("404 Not Found", "", True),
        (None, "<h1>Page not found</h1>", True),
        (None, "<h2>페이지를 찾을 수 없습니다</h2>", True),
        ("Annual report 2023", "<h1>Annual report</h1><p>page not found in archive</p>", False),
        ("The 404 page: a history of missing documents on the web", "", False),
        (None, "x" * 5000 + "<h2>Page not found</h2>", False),  # not the top of the body
        (None, "<h1>Example</h1><p>…</p><h1>Page not found</h1>", False),  # not the main one
        (None, "<body>" + "<nav>menu</nav>" * 500 + "<h1>Page not found</h1>", True),
        # whole phrases only: an article about missing pages is an article
        ("Why pages are not found: a study of link rot", "", False),
        ("Page not found in the archive: what librarians do", "", False),
        ("How to design a 404 page", "<h1>How to design a 404 page</h1>", False),
        ("Error handling in Python", "<h1>Not found errors, explained</h1>", False),
        # every language the brief names, with the fillers sites add
        ("The page you are looking for could not be found.", "", True),
        ("Sorry, we couldn't find that page | Example", "", True),
        ("404 - Not Found", "", True),
        ("페이지를 찾을 수 없습니다 | 기획재정부", "", True),
        ("요청하신 페이지를 찾을 수 없습니다", "", True),
        ("ページが見つかりません｜内閣府", "", True),
        ("お探しのページは見つかりませんでした", "", True),
        ("【404】ページが見つかりません", "", True),
        ("页面不存在_国家统计局", "", True),
        ("抱歉，您访问的页面不存在", "", True),
        ("找不到網頁", "", True),
        ("Die angeforderte Seite wurde nicht gefunden", "", True),
        ("Fehler 404 – Seite nicht gefunden", "", True),
        ("Erreur 404 - Page introuvable", "", True),
        ("Oups ! Cette page n'existe pas", "", True),
        ("La página que buscas no existe", "", True),
        ("Página não encontrada - Governo", "", True),
        ("Страница не найдена — Минфин России", "", True),
        ("Ошибка 404", "", True),
        ("ＰＡＧＥ ＮＯＴ ＦＯＵＮＤ", "", True),  # full-width, NFKC
        # not-found words inside real titles in those languages
        ("「ページが見つかりません」エラーの原因と対策", "", False),
        ("Warum Seiten nicht gefunden werden: Linkfäule in Archiven", "", False),
        ("页面不存在的原因分析与解决方法", "", False),
    ],
)
def test_not_found_page(title: str | None, body: str, not_found: bool) -> None:
    assert is_not_found_page(title, body) is not_found


@pytest.mark.parametrize(
    ("status", "headers", "title", "body", "challenge"),
    [
        (999, {}, None, "", True),
        (403, {"cf-mitigated": "challenge"}, None, "", True),
        (200, {}, "Just a moment...", "", True),
        (403, {}, None, "<script src='/cdn-cgi/challenge-platform/h/b'></script>", True),
        (403, {}, "Forbidden", "<p>You do not have access</p>", False),
        (200, {}, "Contact us", "<div class='g-recaptcha'></div>", False),
    ],
)
def test_bot_challenge(
    status: int, headers: dict[str, str], title: str | None, body: str, challenge: bool
) -> None:
    assert is_bot_challenge(status, headers, title, body) is challenge


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("mailto:a@example.org", True),
        ("mailto:a%40b@example.org", False),
        ("mailto:first.last+tag@sub.example.co.uk?subject=Hi%20there", True),
        ("mailto:?subject=share", True),
        ("mailto:", False),
        ("mailto:someone", False),
        ("mailto:a@localhost", False),
        ("mailto:a@example.org,b@", False),
    ],
)
def test_mailto(url: str, valid: bool) -> None:
    assert is_mailto_valid(url) is valid
