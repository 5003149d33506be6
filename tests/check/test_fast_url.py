"""``client.httpx_url`` (the send path's shortcut past httpx's URL parser) against
``httpx.URL``: the same parts for every URL, the same error for a bad one."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from linkaudit.check.client import httpx_url

# Every character class the shortcut treats specially, and some it must leave to httpx.
_PIECES = [
    *"aZ09-._~!$&'()*+,;=:@/?%#[]\\^`{}| \t\"<>",
    "é",
    "%41",
    "%zz",
    "%4",
    "/./",
    "/../",
    "/.",
    "/..",
    "..",
    "A",
]
_HOSTS = ["example.org", "a-b.c0", "127.1.0.5", "999.1.1.1", "01.2.3.4", "EXAMPLE.org", "a..b"]
_HOSTS += ["xn--bcher-kva.example", "bücher.example", "[::1]", "a.b.", "1.2.3", "-a.b", ""]


def _parts(url: str) -> object:
    try:
        return httpx.URL(url)._uri_reference
    except httpx.InvalidURL as exc:
        return ("invalid", str(exc))


def _fast_parts(url: str) -> object:
    try:
        return httpx_url(url)._uri_reference
    except httpx.InvalidURL as exc:
        return ("invalid", str(exc))


_NORMAL_PIECES = [*"aZ09-._~!$&'()*+,;=:@/?", "%41", "%2F", ".", "..", "/a."]


@st.composite
def _urls(draw: st.DrawFn) -> str:
    """Half of them near the shortcut's border (only characters it takes, and dots)."""
    near = draw(st.booleans())
    schemes = ["http", "https"] if near else ["http", "https", "HTTP", "ftp"]
    scheme = draw(st.sampled_from(schemes))
    host = draw(st.sampled_from(_HOSTS[:4] if near else _HOSTS))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":080", ":", ":99999", ":x"]))
    pieces = _NORMAL_PIECES if near else _PIECES
    tail = "".join(draw(st.lists(st.sampled_from(pieces), max_size=12)))
    lead = draw(st.sampled_from(["/", "", "?", "/p?", "/a/b"]))
    return f"{scheme}://{host}{port}{lead}{tail}"


@hsettings(max_examples=1000, deadline=None, derandomize=True)
@given(_urls())
def test_the_shortcut_gives_what_httpx_gives(url: str) -> None:
    assert _fast_parts(url) == _parts(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1.0.17:43210/p/12345/page.html?x=1&y=%40",
        "https://example.org",
        "https://example.org:443/a%2Fb?",
        "http://example.org:80/",
        "https://sub.example.org/a;b=c/(d)/*e*?q=a/b?c:@!$",
    ],
)
def test_a_normal_url_takes_the_shortcut(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alive: the common URL never reaches httpx's parser, and comes out the same."""
    expected = _parts(url)
    monkeypatch.setattr(httpx, "URL", _Refusing)
    assert _fast_parts(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/a/../b",
        "http://EXAMPLE.org/",
        "http://bücher.example/",
        "http://example.org/a b",
        "http://999.1.1.1/",
        "http://user@example.org/",
        "http://example.org/#top",
        "http://example.org/" + "a" * 65_536,
    ],
)
def test_any_other_url_goes_through_httpx(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dead: a URL httpx would change, refuse or read differently is left to httpx."""
    monkeypatch.setattr(httpx, "URL", _Refusing)
    with pytest.raises(_Parsed):
        httpx_url(url)


class _Parsed(Exception):
    pass


class _Refusing(httpx.URL):
    def __init__(self, url: object = "", **_: object) -> None:
        raise _Parsed(url)
