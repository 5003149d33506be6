"""Every verdict and reason from hand-built observations: no network."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkaudit.classify import RULES, classify, precheck
from linkaudit.config import Settings
from linkaudit.models import DoiRecord, Observation, Occurrence, Redirect, Snapshot
from linkaudit.verdicts import Reason, Verdict

SETTINGS = Settings()
URL = "https://example.org/reports/2023/brief.pdf"
OCC = (Occurrence(document="brief.md", raw=URL, url=URL, text="the brief"),)
WB = "https://web.archive.org/web/20200101000000/https://example.org/a"
DOI = "https://doi.org/10.1234/abc"
SHELL = (
    "<html><head><title>Data Portal</title></head><body><div id='root'></div>"
    "<script src='/static/js/main.8d2f4b.js'></script></body></html>"
)
LOGIN_FORM = (
    "<h2>You must log in to continue.</h2><form><input name='email'>"
    "<input type='password' name='pass'><button>Log In</button></form>"
)


def obs(url: str = URL, **fields: Any) -> Observation:
    fields.setdefault("status", 200)
    return Observation(url=url, **fields)


def hops(*pairs: tuple[str, int] | tuple[str, int, str]) -> tuple[Redirect, ...]:
    return tuple(Redirect(*pair) for pair in pairs)


CASES: list[tuple[str, Observation, Verdict, str | None]] = [
    ("plain 200", obs(), Verdict.OK, None),
    ("204", obs(status=204), Verdict.OK, None),
    # --- failures
    ("dns", obs(status=None, failure=Reason.DNS), Verdict.DEAD, "dns"),
    ("loop", obs(status=None, failure=Reason.REDIRECT_LOOP), Verdict.DEAD, "redirect_loop"),
    (
        "too many",
        obs(status=None, failure=Reason.TOO_MANY_REDIRECTS),
        Verdict.DEAD,
        "too_many_redirects",
    ),
    ("missing file", obs(status=None, failure=Reason.MISSING_FILE), Verdict.DEAD, "missing_file"),
    # --- local files: present is ok, a missing fragment in a present file is dead
    ("present file", obs("file:///brief/annex.md", status=None), Verdict.OK, None),
    (
        "file fragment",
        obs("file:///brief/annex.md#method", status=None, fragment="method", fragment_found=True),
        Verdict.OK,
        None,
    ),
    (
        "file fragment missing",
        obs("file:///brief/annex.md#nope", status=None, fragment="nope", fragment_found=False),
        Verdict.DEAD,
        "missing_fragment",
    ),
    (
        "file on another host",
        obs("file://server/share/a.md", status=None, failure=Reason.PROTOCOL),
        Verdict.UNREACHABLE,
        "protocol",
    ),
    ("timeout", obs(status=None, failure=Reason.TIMEOUT), Verdict.UNREACHABLE, "timeout"),
    ("refused", obs(status=None, failure=Reason.CONNECTION), Verdict.UNREACHABLE, "connection"),
    ("tls", obs(status=None, failure=Reason.TLS), Verdict.UNREACHABLE, "tls"),
    ("protocol", obs(status=None, failure=Reason.PROTOCOL), Verdict.UNREACHABLE, "protocol"),
    ("no response", obs(status=None), Verdict.UNREACHABLE, "protocol"),
    (
        "offline",
        obs(status=None, failure=Reason.NETWORK_UNAVAILABLE),
        Verdict.UNREACHABLE,
        "network_unavailable",
    ),
    (
        "private",
        obs(status=None, failure=Reason.PRIVATE_ADDRESS),
        Verdict.SKIPPED,
        "private_address",
    ),
    # --- statuses
    ("404", obs(status=404), Verdict.DEAD, "http_404"),
    ("410", obs(status=410), Verdict.DEAD, "http_410"),
    ("400", obs(status=400), Verdict.DEAD, "http_400"),
    ("401", obs(status=401), Verdict.RESTRICTED, "http_401"),
    ("403", obs(status=403), Verdict.RESTRICTED, "http_403"),
    ("407", obs(status=407), Verdict.RESTRICTED, "http_407"),
    ("429 after retries", obs(status=429, attempts=3), Verdict.RESTRICTED, "http_429"),
    ("451", obs(status=451), Verdict.RESTRICTED, "http_451"),
    ("500", obs(status=500, attempts=3), Verdict.UNREACHABLE, "http_500"),
    ("503", obs(status=503), Verdict.UNREACHABLE, "http_503"),
    ("304 without location", obs(status=304), Verdict.UNREACHABLE, "http_304"),
    # --- bot walls
    (
        "cf-mitigated",
        obs(status=403, headers={"cf-mitigated": "challenge"}),
        Verdict.RESTRICTED,
        "bot_challenge",
    ),
    ("linkedin 999", obs(status=999), Verdict.RESTRICTED, "bot_challenge"),
    (
        "just a moment",
        obs(status=503, title="Just a moment..."),
        Verdict.RESTRICTED,
        "bot_challenge",
    ),
    (
        "captcha body on 403",
        obs(status=403, body='<div class="g-recaptcha" data-sitekey="x"></div>'),
        Verdict.RESTRICTED,
        "bot_challenge",
    ),
    (
        "captcha form on a 200 is a page",
        obs(status=200, body='<form><div class="g-recaptcha"></div></form>'),
        Verdict.OK,
        None,
    ),
    # --- login walls
    (
        "login redirect",
        obs(
            final_url="https://example.org/login?next=/reports/2023/brief.pdf",
            redirects=hops((URL, 302)),
        ),
        Verdict.RESTRICTED,
        "login_redirect",
    ),
    (
        "sso host",
        obs(
            final_url="https://sso.example.org/idp/profile",
            redirects=hops((URL, 302)),
        ),
        Verdict.RESTRICTED,
        "login_redirect",
    ),
    (
        "login title",
        obs(
            final_url="https://example.org/portal",
            title="Sign in to Example",
            redirects=hops((URL, 302)),
        ),
        Verdict.RESTRICTED,
        "login_redirect",
    ),
    # --- soft 404
    ("probe similar", obs(probe_status=200, probe_similarity=0.97), Verdict.DEAD, "soft_404"),
    ("probe different", obs(probe_status=200, probe_similarity=0.2), Verdict.OK, None),
    (
        "same final url as probe",
        obs(
            final_url="https://example.org/notfound",
            redirects=hops((URL, 302)),
            probe_status=200,
            probe_final_url="https://example.org/notfound",
        ),
        Verdict.DEAD,
        "soft_404",
    ),
    (
        "probe that got a 404 is no evidence",
        obs(probe_status=404, probe_similarity=0.97),
        Verdict.OK,
        None,
    ),
    (
        "application shell like its sibling",
        obs(
            title="Data Portal",
            body=SHELL,
            content_type="text/html",
            probe_status=200,
            probe_similarity=1.0,
        ),
        Verdict.OK,
        "client_rendered",
    ),
    (
        "application shell whose sibling got a real 404",
        obs(title="Data Portal", body=SHELL, probe_status=404),
        Verdict.OK,
        None,
    ),
    (
        "application shell that says not found",
        obs(title="Page not found", body=SHELL, probe_status=200, probe_similarity=1.0),
        Verdict.DEAD,
        "soft_404",
    ),
    (
        "login wall served with 200 for every path",
        obs(title="Social", body=LOGIN_FORM, probe_status=200, probe_similarity=0.99),
        Verdict.RESTRICTED,
        "login_redirect",
    ),
    (
        "login wall reached by a redirect",
        obs(
            final_url="https://example.org/gate?next=/reports/2023/brief.pdf",
            title="Members",
            body=LOGIN_FORM,
            redirects=hops((URL, 302)),
        ),
        Verdict.RESTRICTED,
        "login_redirect",
    ),
    (
        "a login box beside the content after http to https is a page",
        obs(
            url="http://example.org/forum/topic-7",
            final_url="https://example.org/forum/topic-7",
            title="Topic 7",
            body=LOGIN_FORM,
            redirects=hops(("http://example.org/forum/topic-7", 301)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "a not-found page with a login box is a soft 404",
        obs(title="Page not found", body=LOGIN_FORM, probe_status=200, probe_similarity=0.99),
        Verdict.DEAD,
        "soft_404",
    ),
    (
        "a login form on a page unlike its sibling is a page",
        obs(title="Account", body=LOGIN_FORM, probe_status=200, probe_similarity=0.3),
        Verdict.OK,
        None,
    ),
    ("title en", obs(title="Page Not Found | Example"), Verdict.DEAD, "soft_404"),
    ("title 404", obs(title="404 | Example"), Verdict.DEAD, "soft_404"),
    ("title de", obs(title="Seite nicht gefunden"), Verdict.DEAD, "soft_404"),
    ("title fr", obs(title="Page introuvable – Ministère"), Verdict.DEAD, "soft_404"),
    ("title es", obs(title="Página no encontrada"), Verdict.DEAD, "soft_404"),
    ("title it", obs(title="Pagina non trovata"), Verdict.DEAD, "soft_404"),
    ("title ko", obs(title="페이지를 찾을 수 없습니다"), Verdict.DEAD, "soft_404"),
    ("title ja", obs(title="ページが見つかりません"), Verdict.DEAD, "soft_404"),
    ("title zh", obs(title="找不到页面"), Verdict.DEAD, "soft_404"),
    ("heading", obs(body="<html><h1>Oops! Page not found</h1>"), Verdict.DEAD, "soft_404"),
    (
        "404 in a long title is content",
        obs(title="Why HTTP 404 errors matter for the long-term preservation of policy documents"),
        Verdict.OK,
        None,
    ),
    # --- redirects
    (
        "homepage",
        obs(final_url="https://example.org/", redirects=hops((URL, 301))),
        Verdict.DEAD,
        "homepage_redirect",
    ),
    (
        "homepage of another host",
        obs(final_url="https://new.example.net", redirects=hops((URL, 302))),
        Verdict.DEAD,
        "homepage_redirect",
    ),
    (
        "index.html to root is trivial",
        obs(
            url="http://example.org/index.html",
            final_url="https://example.org/",
            redirects=hops(("http://example.org/index.html", 301)),
        ),
        Verdict.REDIRECTED,
        "redirect_permanent",
    ),
    (
        "missing fragment",
        obs(url=URL + "#sec-3", fragment="sec-3", fragment_found=False),
        Verdict.DEAD,
        "missing_fragment",
    ),
    (
        "http to https",
        obs(
            url="http://example.org/a",
            final_url="https://example.org/a",
            redirects=hops(("http://example.org/a", 301)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "trailing slash",
        obs(
            url="https://example.org/a",
            final_url="https://example.org/a/",
            redirects=hops(("https://example.org/a", 301)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "www added",
        obs(
            url="https://example.org/a",
            final_url="https://www.example.org/a",
            redirects=hops(("https://example.org/a", 302)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "default port dropped",
        obs(
            url="https://example.org:443/a",
            final_url="https://example.org/a",
            redirects=hops(("https://example.org:443/a", 301)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "percent-escape case",
        obs(
            url="https://example.org/%7euser/caf%c3%a9",
            final_url="https://example.org/~user/caf%C3%A9",
            redirects=hops(("https://example.org/%7euser/caf%c3%a9", 301)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "path letter case",
        obs(
            url="https://example.org/Reports/Annual.PDF",
            final_url="https://example.org/reports/annual.pdf",
            redirects=hops(("https://example.org/Reports/Annual.PDF", 301)),
        ),
        Verdict.OK,
        None,
    ),
    (
        "another port is a real move",
        obs(
            url="https://example.org/a",
            final_url="https://example.org:8443/a",
            redirects=hops(("https://example.org/a", 301)),
        ),
        Verdict.REDIRECTED,
        "redirect_permanent",
    ),
    (
        "a changed query is a real move",
        obs(
            url="https://example.org/a?id=1",
            final_url="https://example.org/a?id=2",
            redirects=hops(("https://example.org/a?id=1", 302)),
        ),
        Verdict.REDIRECTED,
        "redirect_temporary",
    ),
    (
        "permanent",
        obs(
            final_url="https://example.org/b",
            redirects=hops((URL, 301), ("https://example.org/x", 308)),
        ),
        Verdict.REDIRECTED,
        "redirect_permanent",
    ),
    (
        "temporary",
        obs(
            final_url="https://example.org/b",
            redirects=hops((URL, 301), ("https://example.org/x", 302)),
        ),
        Verdict.REDIRECTED,
        "redirect_temporary",
    ),
    (
        "meta refresh",
        obs(final_url="https://example.org/b", redirects=hops((URL, 200, "meta_refresh"))),
        Verdict.REDIRECTED,
        "meta_refresh",
    ),
    # --- archive links
    ("wayback ok", obs(url=WB), Verdict.ARCHIVED, "wayback"),
    (
        "wayback after redirect",
        obs(
            url=WB,
            final_url="https://web.archive.org/web/20200103101010/https://example.org/a",
            redirects=hops((WB, 302)),
        ),
        Verdict.ARCHIVED,
        "wayback",
    ),
    ("wayback gone", obs(url=WB, status=404), Verdict.DEAD, "http_404"),
    ("archive dns", obs(url=WB, status=None, failure=Reason.DNS), Verdict.DEAD, "dns"),
    (
        "wayback timeout",
        obs(url=WB, status=None, failure=Reason.TIMEOUT),
        Verdict.UNREACHABLE,
        "timeout",
    ),
    ("archive.today", obs(url="https://archive.ph/AbCd1"), Verdict.ARCHIVED, "archive_today"),
    ("perma", obs(url="https://perma.cc/ABCD-1234"), Verdict.ARCHIVED, "perma_cc"),
    (
        "loc memento",
        obs(url="https://webarchive.loc.gov/all/20200101000000/https://example.org/"),
        Verdict.ARCHIVED,
        "memento",
    ),
    (
        "webcite defunct",
        obs(url="https://www.webcitation.org/6ABCdef12", status=None, failure=Reason.DNS),
        Verdict.DEAD,
        "dns",
    ),
    # --- DOIs, from the handle API alone or with the publisher's page (--doi-follow)
    (
        "doi registered",
        obs(url=DOI, status=None, doi=DoiRecord("10.1234/abc", True, "https://p.example/a")),
        Verdict.OK,
        None,
    ),
    (
        "doi not registered",
        obs(url=DOI, status=None, doi=DoiRecord("10.1234/abc", False)),
        Verdict.DEAD,
        "doi_not_registered",
    ),
    (
        "doi api down",
        obs(url=DOI, status=None, failure=Reason.DNS, doi=DoiRecord("10.1234/abc", None)),
        Verdict.UNREACHABLE,
        "connection",
    ),
    (
        "doi api timeout",
        obs(url=DOI, status=None, failure=Reason.TIMEOUT, doi=DoiRecord("10.1234/abc", None)),
        Verdict.UNREACHABLE,
        "timeout",
    ),
    (
        "doi followed to a bot wall",
        obs(url=DOI, status=403, doi=DoiRecord("10.1234/abc", True)),
        Verdict.RESTRICTED,
        "http_403",
    ),
    (
        "doi followed to a dead page",
        obs(url=DOI, status=404, doi=DoiRecord("10.1234/abc", True)),
        Verdict.DEAD,
        "http_404",
    ),
]


@pytest.mark.parametrize(
    ("observation", "verdict", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_classify(observation: Observation, verdict: Verdict, reason: str | None) -> None:
    result = classify(observation, OCC, SETTINGS)
    assert (result.verdict, result.reason) == (verdict, reason)


def test_result_carries_evidence() -> None:
    when = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    observation = obs(
        final_url="https://example.org/b",
        redirects=hops((URL, 301)),
        title="B",
        checked_at=when,
        elapsed_ms=12.5,
        attempts=2,
        error="slow",
    )
    result = classify(observation, OCC, SETTINGS)
    assert result.occurrences == OCC
    assert (result.status, result.final_url, result.redirects) == (
        200,
        "https://example.org/b",
        observation.redirects,
    )
    assert (result.title, result.checked_at, result.elapsed_ms, result.attempts, result.error) == (
        "B",
        when,
        12.5,
        2,
        "slow",
    )
    assert result.permanent is True


def test_temporary_is_not_permanent() -> None:
    result = classify(
        obs(final_url="https://example.org/b", redirects=hops((URL, 307))), OCC, SETTINGS
    )
    assert result.permanent is False


def test_archive_snapshot_is_the_one_served() -> None:
    served = "https://web.archive.org/web/20200103101010/https://example.org/a"
    result = classify(obs(url=WB, final_url=served, redirects=hops((WB, 302))), OCC, SETTINGS)
    assert result.archive == Snapshot(
        url=served, timestamp="20200103101010", original="https://example.org/a", service="wayback"
    )


def test_webcite_is_reported_defunct() -> None:
    url = "https://www.webcitation.org/6ABCdef12"
    result = classify(obs(url=url, status=404), OCC, SETTINGS)
    assert result.verdict is Verdict.DEAD
    assert result.error is not None and "defunct" in result.error
    assert result.archive is None  # a dead snapshot is never its own replacement


@pytest.mark.parametrize(
    "observation",
    [
        obs(url=WB, status=404),
        obs(url=WB, status=None, failure=Reason.DNS),
        obs(url=WB, status=None, failure=Reason.TIMEOUT),
        obs(url=WB, status=503),
    ],
    ids=["404", "dns", "timeout", "503"],
)
def test_a_lost_snapshot_is_not_its_own_replacement(observation: Observation) -> None:
    result = classify(observation, OCC, SETTINGS)
    assert result.verdict is not Verdict.ARCHIVED
    assert result.archive is None


def test_accept_overrides() -> None:
    result = classify(obs(status=403), OCC, Settings(accept=(403,)))
    assert (result.verdict, result.reason) == (Verdict.OK, "http_403")


def test_fragments_off() -> None:
    observation = obs(fragment="x", fragment_found=False)
    assert classify(observation, OCC, Settings(check_fragments=False)).verdict is Verdict.OK


def test_rule_order_ends_with_ok() -> None:
    assert RULES[0].__name__ == "archive_link"
    assert RULES[-1].__name__ == "ok"


# --- precheck


def occ(url: str, problem: Reason | None = None) -> tuple[Occurrence, ...]:
    return (Occurrence(document="d.md", raw=url, url=url, problem=problem),)


PRECHECKS: list[tuple[str, Settings, Reason | None, Verdict | None, str | None]] = [
    ("TODO", SETTINGS, Reason.PLACEHOLDER, Verdict.INVALID, "placeholder"),
    ("http://exa mple.org", SETTINGS, Reason.MALFORMED, Verdict.INVALID, "malformed"),
    (
        "javascript:void(0)",
        SETTINGS,
        Reason.UNSUPPORTED_SCHEME,
        Verdict.INVALID,
        "unsupported_scheme",
    ),
    ("mailto:press@example.org", SETTINGS, None, Verdict.SKIPPED, "mailto"),
    ("mailto:a@example.org,b@example.net?subject=Hi", SETTINGS, None, Verdict.SKIPPED, "mailto"),
    ("mailto:press-at-example", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("tel:+1-202-555-0100", SETTINGS, None, Verdict.SKIPPED, "tel"),
    # RFC 5322 addr-spec: dots, the 64-octet local part, domain labels.
    ("mailto:a..b@example.org", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("mailto:.ab@example.org", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("mailto:ab.@example.org", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("mailto:" + "a" * 65 + "@example.org", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("mailto:" + "a" * 64 + "@example.org", SETTINGS, None, Verdict.SKIPPED, "mailto"),
    ("mailto:ab@-example.org", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("mailto:ab@example..org", SETTINGS, None, Verdict.INVALID, "malformed"),
    ("mailto:o'brien+news@example.org", SETTINGS, None, Verdict.SKIPPED, "mailto"),
    ("mailto:%22j%20doe%22@example.org", SETTINGS, None, Verdict.SKIPPED, "mailto"),
    # Registered non-web schemes are skipped (the problem set at extraction, or the scheme).
    (
        "irc://irc.libera.chat/python",
        SETTINGS,
        Reason.OTHER_SCHEME,
        Verdict.SKIPPED,
        "other_scheme",
    ),
    ("feed:https://example.org/rss.xml", SETTINGS, None, Verdict.SKIPPED, "other_scheme"),
    ("geo:37.57,126.98", SETTINGS, None, Verdict.SKIPPED, "other_scheme"),
    ("data:image/png;base64,iVBORw0KGgo=", SETTINGS, None, Verdict.SKIPPED, "other_scheme"),
    ("/about/", SETTINGS, Reason.NEEDS_ROOT, Verdict.SKIPPED, "needs_root"),
    ("https://x.example/a", Settings(exclude=(r"x\.example",)), None, Verdict.SKIPPED, "excluded"),
    ("https://y.example/a", Settings(include=(r"x\.example",)), None, Verdict.SKIPPED, "excluded"),
    ("https://x.example/a", Settings(include=(r"x\.example",)), None, None, None),
    ("https://example.org/", SETTINGS, None, None, None),
    # --offline: a remote link is skipped, a local file is still checked, a placeholder found
    ("https://example.org/", Settings(offline=True), None, Verdict.SKIPPED, "excluded"),
    ("file:///docs/b.md#top", Settings(offline=True), None, None, None),
    ("#", Settings(offline=True), Reason.PLACEHOLDER, Verdict.INVALID, "placeholder"),
]


@pytest.mark.parametrize(("url", "settings", "problem", "verdict", "reason"), PRECHECKS)
def test_precheck(
    url: str,
    settings: Settings,
    problem: Reason | None,
    verdict: Verdict | None,
    reason: str | None,
) -> None:
    result = precheck(url, occ(url, problem), settings)
    if verdict is None:
        assert result is None
    else:
        assert result is not None
        assert (result.verdict, result.reason) == (verdict, reason)
        assert len(result.occurrences) == 1
