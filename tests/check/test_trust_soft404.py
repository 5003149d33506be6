"""Soft 404 only on evidence, on real local servers: the probe counts only when it got a
2xx, binary and empty bodies are never compared, an application shell is ``client_rendered``,
a login wall is ``login_redirect``, and not-found titles decide alone only when whole, in
the encoding the page declares or a browser would sniff."""

from __future__ import annotations

import uuid

import pytest

from helpers.checking import observe_all
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.models import Observation
from linkaudit.verdicts import Reason, Verdict
from web import Handler, Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def verdict(observation: Observation, settings: Settings) -> tuple[Verdict, str | None]:
    result = classify(observation, (), settings)
    return result.verdict, result.reason


async def check_site(
    web: SimWeb, handler: Handler, paths: list[str], settings: Settings
) -> dict[str, tuple[Verdict, str | None]]:
    """Serve ``handler`` under a fresh prefix, check ``paths`` below it, give the verdicts."""
    prefix = "/s-" + uuid.uuid4().hex[:8]
    web.route(prefix + "/*", handler)
    try:
        found = await observe_all([web.url(prefix + p) for p in paths], settings)
    finally:
        web.unroute(prefix + "/*")
    return {p: verdict(found[web.url(prefix + p)], settings) for p in paths}


def tail(request: WebRequest) -> str:
    """The path below the test's prefix."""
    return "/" + request.path.split("/", 2)[2]


async def test_binary_and_empty_bodies_are_never_compared(
    web: SimWeb, test_settings: Settings
) -> None:
    """A host whose 404 body is empty: its live PDF, image and 204 stay ok; a missing PDF is
    dead by its real 404."""

    async def site(request: WebRequest) -> Reply:
        path = tail(request)
        if path == "/docs/report.pdf":
            return Reply(200, PDF, {"content-type": "application/pdf"})
        if path == "/docs/chart.png":
            return Reply(200, PNG, {"content-type": "image/png"})
        if path == "/docs/ping":
            return Reply(204, b"", {"content-type": "text/html"})
        return Reply(404, b"", reason="Not Found")

    paths = ["/docs/report.pdf", "/docs/chart.png", "/docs/ping", "/docs/missing.pdf"]
    got = await check_site(web, site, paths, test_settings)
    assert got == {
        "/docs/report.pdf": (Verdict.OK, None),
        "/docs/chart.png": (Verdict.OK, None),
        "/docs/ping": (Verdict.OK, None),
        "/docs/missing.pdf": (Verdict.DEAD, "http_404"),
    }


async def test_empty_200_bodies_everywhere_prove_nothing(
    web: SimWeb, test_settings: Settings
) -> None:
    """A host that answers every path with an empty 200: two empty bodies are not alike."""

    async def site(request: WebRequest) -> Reply:
        if tail(request) == "/gone/page":
            return Reply(410, b"", reason="Gone")
        return Reply(200, b"", {"content-type": "text/html"})

    got = await check_site(web, site, ["/data/export", "/gone/page"], test_settings)
    assert got == {"/data/export": (Verdict.OK, None), "/gone/page": (Verdict.DEAD, "http_410")}


NAV = "".join(
    f"<li><a href='/section/{i}'>Section number {i} of the ministry</a></li>" for i in range(60)
)
CMS = (
    "<html><head><title>{title}</title></head><body><nav><ul>"
    + NAV
    + "</ul></nav>{main}</body></html>"
)


async def test_cms_404_sharing_its_navigation_is_no_evidence(
    web: SimWeb, test_settings: Settings
) -> None:
    """A CMS whose real 404 page shares a large navigation with every article: the probe got
    a 404, so likeness proves nothing; the missing article is dead by its own 404."""

    async def site(request: WebRequest) -> Reply:
        if tail(request) == "/news/budget-2024":
            main = "<main><h1>Budget 2024</h1><p>The budget raises spending by 2%.</p></main>"
            return Reply(200, CMS.format(title="Budget 2024", main=main))
        main = "<main><h1>Sorry</h1><p>We could not find that.</p></main>"
        return Reply(404, CMS.format(title="Ministry", main=main), reason="Not Found")

    got = await check_site(web, site, ["/news/budget-2024", "/news/budget-1999"], test_settings)
    assert got == {
        "/news/budget-2024": (Verdict.OK, None),
        "/news/budget-1999": (Verdict.DEAD, "http_404"),
    }


def shell(nonce: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Open Data Portal</title>"
        f"<link rel='stylesheet' href='/static/css/main.5f1c2a.css'><script nonce='{nonce}'>"
        "window.__CONFIG__={api:'/api'}</script></head><body>"
        "<noscript>You need to enable JavaScript to run this app.</noscript>"
        "<div id='root'></div><script src='/static/js/main.8d2f4b.js'></script></body></html>"
    )


async def test_spa_deep_link_is_client_rendered_and_a_real_404_is_dead(
    web: SimWeb, test_settings: Settings
) -> None:
    """A single-page application sends one shell for every route: ``client_rendered``, not
    dead. A dead link on the same host behind a real 404 is still dead, and a soft 404 of a
    server-rendered site is still a soft 404."""

    async def site(request: WebRequest) -> Reply:
        path = tail(request)
        if path.startswith("/app/"):
            return Reply(200, shell(uuid.uuid4().hex[:16]))
        if path.startswith("/legacy/"):
            return Reply(404, "<title>404</title>Not here", reason="Not Found")
        if path.startswith("/catalog/"):  # a server-rendered soft 404 on the same host
            body = f"<title>Catalog</title><h2>Sorry</h2><p>No item {path} in the catalog.</p>"
            return Reply(200, body)
        return Reply(404, "no")

    paths = ["/app/datasets/unemployment-2023", "/legacy/datasets/old", "/catalog/item-7"]
    got = await check_site(web, site, paths, test_settings)
    assert got == {
        "/app/datasets/unemployment-2023": (Verdict.OK, Reason.CLIENT_RENDERED),
        "/legacy/datasets/old": (Verdict.DEAD, "http_404"),
        "/catalog/item-7": (Verdict.DEAD, Reason.SOFT_404),
    }


LOGIN_WALL = """<!doctype html><html><head><title>Social</title></head><body>
<div class="interstitial"><h2>You must log in to continue.</h2>
<form method="post" action="/login/device-based/regular/login/">
<input type="text" name="email" placeholder="Email or phone number">
<input type="password" name="pass" placeholder="Password">
<button type="submit" name="login">Log In</button></form>
<a href="/recover">Forgotten password?</a> <a href="/r.php">Create new account</a>
</div></body></html>"""


async def test_login_wall_served_with_200_or_by_redirect_is_restricted(
    web: SimWeb, test_settings: Settings
) -> None:
    """A social network's logged-out interstitial, a 200 for every path, and a login form
    reached by a redirect: ``restricted``/``login_redirect``, never a soft 404. A plain
    soft 404 beside them is still dead."""

    async def site(request: WebRequest) -> Reply:
        path = tail(request)
        if path.startswith("/social/"):
            return Reply(200, LOGIN_WALL)
        if path.startswith("/members/"):
            prefix = request.path[: -len(path)]
            return Reply(302, headers={"location": f"{prefix}/gate?next={path}"})
        if path == "/gate":
            return Reply(200, LOGIN_WALL.replace("Social", "Members"))
        return Reply(200, f"<title>Page not found</title><p>nothing at {path}</p>")

    paths = ["/social/ministry.of.finance", "/members/report-2023", "/blog/gone"]
    got = await check_site(web, site, paths, test_settings)
    assert got == {
        "/social/ministry.of.finance": (Verdict.RESTRICTED, Reason.LOGIN_REDIRECT),
        "/members/report-2023": (Verdict.RESTRICTED, Reason.LOGIN_REDIRECT),
        "/blog/gone": (Verdict.DEAD, Reason.SOFT_404),
    }


def page(title: str, body: str, charset: str | None, header: bool) -> Reply:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if (charset and not header)
        else ""
    )
    text = (
        f"<html><head>{meta}<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )
    data = text.encode(charset or "utf-8")
    content_type = f"text/html; charset={charset}" if header and charset else "text/html"
    return Reply(200, data, {"content-type": content_type})


NOT_FOUND_PAGES = {
    "/ja/sjis-meta": ("ページが見つかりません", "shift_jis", False),
    "/ko/euc-kr-sniffed": ("페이지를 찾을 수 없습니다", "euc-kr", None),
    "/zh/gb2312-header": ("页面不存在", "gb2312", True),
    "/ru/windows-1251": ("Страница не найдена", "windows-1251", True),
    "/de/latin1": ("Seite nicht gefunden", "iso-8859-1", True),
    "/fr/utf8": ("Page introuvable", "utf-8", True),
    "/es/utf8": ("Página no encontrada", None, False),
    "/pt/utf8": ("Página não encontrada", None, False),
    "/en/plain": ("Page not found", None, False),
}
ARTICLES = {
    "/en/article": "Page not found? How link rot eats the citations of policy briefs",
    "/ja/article": "「ページが見つかりません」と表示される原因と対策",
    "/de/article": "Seite nicht gefunden: Wie Behörden mit toten Links umgehen",
}


async def test_whole_not_found_titles_in_any_encoding(web: SimWeb, test_settings: Settings) -> None:
    """A 200 whose whole title and heading say "not found" is dead in nine languages and
    in the encoding it declares (header or meta) or that a browser would sniff; an article
    whose title merely talks about missing pages is ok. The probes get real 404s here, so
    the titles decide alone."""
    body = "<p>" + "Lorem ipsum dolor sit amet. " * 30 + "</p>"

    async def site(request: WebRequest) -> Reply:
        path = tail(request)
        if path in NOT_FOUND_PAGES:
            title, charset, header = NOT_FOUND_PAGES[path]
            if header is None:  # no declaration at all: the bytes must be sniffed
                data = (
                    f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                    f"<p>{'요청하신 페이지가 삭제되었거나 주소가 변경되었습니다. ' * 8}</p>"
                    "</body></html>"
                ).encode(charset or "utf-8")
                return Reply(200, data, {"content-type": "text/html"})
            return page(title, body, charset, header)
        if path in ARTICLES:
            return page(ARTICLES[path], body, "utf-8", True)
        return Reply(404, "<title>404</title>", reason="Not Found")

    got = await check_site(web, site, [*NOT_FOUND_PAGES, *ARTICLES], test_settings)
    assert got == {
        **{path: (Verdict.DEAD, Reason.SOFT_404) for path in NOT_FOUND_PAGES},
        **{path: (Verdict.OK, None) for path in ARTICLES},
    }


async def test_cms_soft_404_sharing_its_navigation_with_articles(
    web: SimWeb, test_settings: Settings
) -> None:
    """A CMS that answers missing pages with a 200 not-found page inside the same large
    menu as its articles: the menu is not compared, so the article stays ok and the missing
    page is still a soft 404 (its title says nothing: the likeness to the probe decides)."""

    async def site(request: WebRequest) -> Reply:
        if tail(request) == "/news/budget-2024":
            main = "<main><h1>Budget 2024</h1><p>The budget raises spending by 2%.</p></main>"
            return Reply(200, CMS.format(title="Budget 2024", main=main))
        main = "<main><h1>Sorry</h1><p>We could not find that. Try the search.</p></main>"
        return Reply(200, CMS.format(title="Ministry", main=main))

    got = await check_site(web, site, ["/news/budget-2024", "/news/budget-1999"], test_settings)
    assert got == {
        "/news/budget-2024": (Verdict.OK, None),
        "/news/budget-1999": (Verdict.DEAD, Reason.SOFT_404),
    }
