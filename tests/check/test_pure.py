"""The check stage's pure parts, table-driven and without a network."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from linkaudit.anchors import html_anchors as anchors
from linkaudit.anchors import markdown_anchors
from linkaudit.check.client import Fetched
from linkaudit.check.fragments import fragment_found
from linkaudit.check.guard import parse_ip_literal, refusal
from linkaudit.check.redirects import meta_refresh_target, redirect_target
from linkaudit.check.retry import is_retryable
from linkaudit.check.soft404 import (
    Probe,
    normalise_text,
    normalise_visible,
    probe_key,
    probe_url,
    similarity,
)
from linkaudit.config import Settings
from linkaudit.retry_after import retry_after_seconds
from linkaudit.verdicts import Reason

NOW = dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("status", "failure", "expected"),
    [
        (200, None, False),
        (404, None, False),
        (403, None, False),
        (408, None, True),
        (429, None, True),
        (500, None, True),
        (501, None, False),
        (502, None, True),
        (503, None, True),
        (504, None, True),
        (None, Reason.TIMEOUT, True),
        (None, Reason.CONNECTION, True),
        (None, Reason.DNS, False),
        (None, Reason.TLS, False),
        (None, Reason.PROTOCOL, False),
        (None, Reason.PRIVATE_ADDRESS, False),
        (503, Reason.REDIRECT_LOOP, False),
    ],
)
def test_is_retryable(status: int | None, failure: Reason | None, expected: bool) -> None:
    """Transient statuses and transport failures are retried; the rest are final."""
    assert is_retryable(status, failure) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1.0),
        (" 120 ", 120.0),
        ("Sat, 01 Mar 2025 12:00:30 GMT", 30.0),
        ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
    ],
)
def test_retry_after_seconds(value: str, expected: float | None) -> None:
    """Delta-seconds and HTTP dates are read; a date in the past means now; junk is None."""
    assert retry_after_seconds(value, NOW) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/admin",
        "http://app.localhost/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/",
        "http://172.16.4.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "https://192.168.1.1.:8443/",
    ],
)
def test_guard_refuses_non_public(url: str) -> None:
    """Loopback, private, link-local and odd spellings of them are refused by default."""
    assert refusal(url, Settings()) is not None
    assert refusal(url, Settings(allow_private=True)) is None


@pytest.mark.parametrize(
    "url", ["http://8.8.8.8/", "https://[2606:4700::1111]/", "http://93.184.215.14:8080/x"]
)
def test_guard_allows_public_addresses(url: str) -> None:
    """Public literal addresses pass without any name lookup."""
    assert refusal(url, Settings()) is None


def test_guard_allow_networks() -> None:
    """A listed network is allowed; its neighbours are not."""
    settings = Settings(allow_networks=("10.1.0.0/16",))
    assert refusal("http://10.1.2.3/", settings) is None
    assert refusal("http://10.2.0.1/", settings) is not None


def test_guard_with_proxy_does_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy a name is the proxy's business, but literal and local names are judged."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert refusal("https://intranet.invalid/", Settings()) is None
    assert refusal("https://127.0.0.1/", Settings()) is not None
    assert refusal("https://localhost/", Settings()) is not None


def test_guard_refuses_name_resolving_to_loopback() -> None:
    """A host name is judged by the addresses it resolves to (localhost.localdomain is local)."""
    assert refusal("http://localhost.:8080/", Settings()) is not None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0300.0250.0.1", "192.168.0.1"),
        ("[::1]", "::1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
        ("09.1.1.1", None),
    ],
)
def test_parse_ip_literal(host: str, expected: str | None) -> None:
    """Hosts are read as browsers read them (WHATWG IPv4: decimal, octal, hex, short)."""
    parsed = parse_ip_literal(host)
    assert parsed == (ipaddress.ip_address(expected) if expected else None)


def test_fragments() -> None:
    """ids, <a name> and GitHub's user-content- prefix all count."""
    html = '<h2 id="intro">x</h2><a name="old"></a><div id="user-content-readme"></div>'
    assert anchors(html) == {"intro", "old", "user-content-readme"}
    assert fragment_found(html, "intro")
    assert fragment_found(html, "readme")
    assert fragment_found(html, "top")
    assert not fragment_found(html, "missing")
    assert not fragment_found('<p name="notananchor"></p>', "notananchor")


def test_markdown_slugs() -> None:
    """Headings get GitHub's slugs, duplicates numbered."""
    text = "# Hello, World!\n\n## Hello, World!\n\n### `code` and more\n"
    assert markdown_anchors(text) == frozenset({"hello-world", "hello-world-1", "code-and-more"})
    assert markdown_anchors("#  Résumé & Notes \n") == frozenset({"résumé--notes"})


def test_soft404_probe_url_and_key() -> None:
    """The probe is a sibling of the page; siblings share one probe."""
    url, name = probe_url("https://a.example/news/2024/story?id=3", "linkaudit-x")
    assert url == "https://a.example/news/2024/linkaudit-x"
    assert name == "linkaudit-x"
    assert probe_key("https://A.example/news/2024/one") == probe_key(
        "https://a.example/news/2024/two"
    )
    assert probe_key("https://a.example/news/one") != probe_key("https://a.example/news/2024/one")


def test_soft404_similarity() -> None:
    """A not-found template scores near 1, an unrelated page low, same final URL exactly 1."""
    template = "<h1>Sorry, we could not find {}</h1><p>Try search. Ref {}</p>"
    probe = Probe(
        "u", 200, "u", normalise_text(template.format("/a/linkaudit-x", 9), "linkaudit-x")
    )
    assert similarity(template.format("/a/story", 1), "p", probe, "/a/story") > 0.9
    article = "<h1>Budget outlook</h1><p>The committee projects deficits over the decade.</p>"
    assert similarity(article, "p", probe, "/a/story") < 0.5
    assert similarity(article, "https://x/404", Probe("u", 200, "https://x/404", ""), "") == 1.0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'<meta http-equiv="refresh" content="0; url=/new">', "https://a.example/new"),
        (b"<META HTTP-EQUIV=Refresh CONTENT='5;URL=https://b.example/'>", "https://b.example/"),
        (
            b'<meta content="0;url=next.html" http-equiv="refresh">',
            "https://a.example/dir/next.html",
        ),
        (b'<meta http-equiv="refresh" content="30">', None),
        (b'<meta name="viewport" content="width=device-width">', None),
    ],
)
def test_meta_refresh(body: bytes, expected: str | None) -> None:
    """A meta refresh with a URL is a hop; a plain reload is not."""
    assert meta_refresh_target(body, "https://a.example/dir/page") == expected


def test_redirect_target_resolves_relative_location() -> None:
    """A relative Location is resolved against the URL that answered."""
    fetched = Fetched(url="https://a.example/x/y", status=301, headers={"location": "../z"})
    assert redirect_target(fetched) == ("https://a.example/z", "http")
    assert redirect_target(Fetched(url="https://a.example/", status=304)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://Example.ORG/a",
        "https://example.org:8443/a?b#c",
        "http://example.org",
        "http://user:pw@example.org/",
        "http://[::1]:8080/x",
        "http://example.org:/x",
        "HTTPS://EXAMPLE.org#top",
        "http://ex\\ample.org/",
        "ftp://example.org/",
        "http://example.org?q",
    ],
)
def test_host_key_fast_path_agrees_with_urlsplit(url: str) -> None:
    from urllib.parse import urlsplit

    from linkaudit.check.hosts import host_key

    assert host_key(url) == (urlsplit(url).hostname or "").lower()


@pytest.mark.anyio
async def test_the_guard_is_decided_once_per_origin_and_survives_a_bad_port() -> None:
    """One answer per (scheme, host, port), paths aside; a redirect to a port out of range
    (which urlsplit cannot give a port for) is left to the fetch to report, not a crash."""
    from linkaudit.check.client import make_check_client
    from linkaudit.check.runner import Checker

    settings = Settings()
    async with make_check_client(settings) as client:
        checker = Checker(client, settings)
        first = await checker._guard("http://127.0.0.1/a", settings)
        again = await checker._guard("http://127.0.0.1/b?c", settings)
        odd = await checker._guard("http://example.invalid:99999/", settings)
    assert first is not None and "loopback" in first
    assert again == first
    assert len(checker._refusals) == 1
    assert odd is None


@hsettings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(
        st.sampled_from("aZ 09\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000é٣१ß/x-") | st.characters(),
        max_size=60,
    ),
    st.sampled_from(["", "/x", "x-9"]),
)
def test_normalise_visible_is_the_regular_expressions_text(text: str, remove: str) -> None:
    """The fast normalisation (translate, split) gives what the regular expressions gave:
    fingerprints stored by earlier runs stay comparable."""
    reference = text.replace(remove, " ") if remove else text
    reference = re.sub(r"\d+", "", reference.lower())
    reference = re.sub(r"\s+", " ", reference).strip()[:20_000]
    assert normalise_visible(text, remove) == reference
