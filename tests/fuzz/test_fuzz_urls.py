"""
Fuzzing URL handling and the redirect path: whatever a document or a server writes as a
URL, the pure helpers return an answer and never raise; what they hand on is a string.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkaudit.check.client import Fetched
from linkaudit.check.redirects import REDIRECT_STATUSES, meta_refresh_target, redirect_target
from linkaudit.dois import doi_of, find_dois, resolve_doi
from linkaudit.extract.urls import make_occurrence
from linkaudit.urls import browser_href, identity, is_mailto_valid, url_defect

from ._harness import FUZZ, TEST_TIMEOUT

_PIECES = st.sampled_from(
    [
        "http://", "https://", "HTTPS://", "file://", "mailto:", "doi:10.", "//", "/", "../",
        "./", "#", "?", "&", "=", "%", "%00", "%7e", "%zz", "@", ":", "[", "]", "[::1", "::",
        "65536", "99999999999", "0x7f", "127.0.0.1", "xn--", "www.", ".", " ", "\t", "\n",
        "\r", "\x00", "\x01", "\x7f", "\u0085", "\u2028", "\ufeff", "é", "한국", "ß", "😀",
        "javascript:", "data:", "irc:", ":~:text=", "#!/", "..", "\\", "'", '"', "<", ">",
    ]
)  # fmt: skip
URLISH = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=12).map("".join)


@pytest.mark.timeout(TEST_TIMEOUT)
@FUZZ
@given(URLISH, st.one_of(st.none(), URLISH))
def test_url_helpers_answer_anything(text: str, base: str | None) -> None:
    assert isinstance(identity(text), str)
    assert url_defect(text) is None or isinstance(url_defect(text), str)
    assert isinstance(browser_href(text), str)
    assert isinstance(is_mailto_valid(text), bool)
    occurrence = make_occurrence("fuzz.md", text, base)
    assert isinstance(occurrence.url, str) and occurrence.raw == text
    doi_of(text)
    resolve_doi(text)
    for start, end, written in find_dois(text):
        assert text[start:end] == written


@pytest.mark.timeout(TEST_TIMEOUT)
@FUZZ
@given(
    URLISH,
    st.sampled_from([*sorted(REDIRECT_STATUSES), 200, 204, 404]),
    URLISH,
    st.binary(max_size=200)
    | URLISH.map(
        lambda u: f'<meta http-equiv="refresh" content="0;url={u}">'.encode(
            "utf-8", "surrogatepass"
        )
    ),
)
def test_the_redirect_path_answers_any_server(
    url: str, status: int, location: str, body: bytes
) -> None:
    headers = {"location": location, "content-type": "text/html"}
    hop = redirect_target(Fetched(url=url, status=status, headers=headers, body=body))
    if hop is not None:
        target, via = hop
        assert isinstance(target, str) and via in ("http", "meta_refresh")
        url_defect(target)
        identity(target)
    refresh = meta_refresh_target(body, url)
    assert refresh is None or isinstance(refresh, str)
