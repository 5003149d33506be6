"""Pure helpers: find_urls, urls, context, detect."""

from __future__ import annotations

import datetime as dt

import pytest

from linkaudit.exceptions import CorruptDocument, UnsupportedFormat
from linkaudit.extract.context import find_date, fold_whitespace, sentence_around
from linkaudit.extract.detect import decode_text, detect_format
from linkaudit.extract.text import find_urls
from linkaudit.extract.urls import is_mailto_valid, problem, resolve
from linkaudit.models import DocumentFormat
from linkaudit.urls import identity
from linkaudit.verdicts import Reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(see https://x.org/a_(b)).", [(5, 24, "https://x.org/a_(b)")]),
        ("Visit https://example.com/path.", [(6, 30, "https://example.com/path")]),
        ('"https://a.org/x"', [(1, 16, "https://a.org/x")]),
        ("go to www.example.com, now", [(6, 21, "www.example.com")]),
        ("q http://a.b/c?d=1&amp; x", [(2, 18, "http://a.b/c?d=1")]),
        ("ftp://files.example.org/x!", [(0, 25, "ftp://files.example.org/x")]),
        ("http:// alone and mail@www.x.org", []),
        (
            "two: https://a.org/1, https://b.org/2;",
            [(5, 20, "https://a.org/1"), (22, 37, "https://b.org/2")],
        ),
    ],
)
def test_find_urls(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert find_urls(text) == expected


@pytest.mark.parametrize(
    ("raw", "base", "expected"),
    [
        ("www.x.org/a", None, "http://www.x.org/a"),
        ("../b.md", "file:///a/c/d.md", "file:///a/b.md"),
        ("#x", "https://a.org/p", "https://a.org/p#x"),
        ("https://a.org/", "file:///d.md", "https://a.org/"),
        ("rel/x", None, "rel/x"),
        ("annual report.md", "file:///a/d.md", "file:///a/annual%20report.md"),
        ("\thttps://a.org/x\ny ", None, "https://a.org/xy"),
    ],
)
def test_resolve(raw: str, base: str | None, expected: str) -> None:
    assert resolve(raw, base) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#", Reason.PLACEHOLDER),
        ("", Reason.PLACEHOLDER),
        ("  ", Reason.PLACEHOLDER),
        ("javascript:alert(1)", Reason.UNSUPPORTED_SCHEME),
        ("data:text/plain,hi", Reason.OTHER_SCHEME),
        ("vbscript:x", Reason.UNSUPPORTED_SCHEME),
        ("gopher://x.org/", Reason.OTHER_SCHEME),
        ("irc://irc.libera.chat/python", Reason.OTHER_SCHEME),
        ("ircs://irc.libera.chat:6697/python", Reason.OTHER_SCHEME),
        ("news:comp.lang.python", Reason.OTHER_SCHEME),
        ("sms:+15551234", Reason.OTHER_SCHEME),
        ("no-such-scheme:x", Reason.UNSUPPORTED_SCHEME),
        ("mailto:a..b@b.org", Reason.MALFORMED),
        # WHATWG: spaces in the path are encoded, not malformed; in the host they are.
        ("https://ok.org/annual report.pdf", None),
        ("  https://ok.org/x\n ", None),
        ("my notes.html", None),
        ("mailto:a@b.org", None),
        ("mailto:nobody", Reason.MALFORMED),
        ("http://exa mple.com", Reason.MALFORMED),
        ("http://-bad-.com/", Reason.MALFORMED),
        ("http://.example.org/", Reason.MALFORMED),
        ("http://a.org:99999/", Reason.MALFORMED),
        ("https:///nohost", Reason.MALFORMED),
        ("https://ok.org/x", None),
        ("https://[::1]:8080/", None),
        ("tel:+15551234", None),
        ("page.html", None),
    ],
)
def test_problem(raw: str, expected: Reason | None) -> None:
    assert problem(raw, resolve(raw, "file:///doc.md"), None) == expected


def test_problem_fragment_against_the_document() -> None:
    defined = frozenset({"intro"})
    assert problem("#intro", "file:///d.md#intro", defined) is None
    assert problem("#missing", "file:///d.md#missing", defined) == Reason.PLACEHOLDER
    assert problem("#missing", "file:///d.md#missing", None) is None


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("mailto:a@b.org", True),
        ("MAILTO:a@b.org,c@d.net?subject=hi", True),
        ("mailto:?to=a@b.org", True),
        ("mailto:a@b", False),
        ("mailto:", False),
        ("mailto:a b@c.org", False),
        ("https://a.org", False),
    ],
)
def test_is_mailto_valid(url: str, valid: bool) -> None:
    assert is_mailto_valid(url) is valid


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://Example.COM:80", "http://example.com/"),
        ("https://a.org:443/x?#", "https://a.org/x"),
        ("https://a.org:8443/x#y", "https://a.org:8443/x#y"),
        ("https://user@A.org/p", "https://user@a.org/p"),
        ("http://[::1", "http://[::1"),
        # The cases: one resource, one key (RFC 3986 6.2.2, RFC 3987).
        ("HTTPS://WWW.Example.org/a", "https://www.example.org/a"),
        ("https://www.example.org:443/a", "https://www.example.org/a"),
        ("https://www.example.org/%7Euser", "https://www.example.org/~user"),
        ("https://www.example.org/%7euser", "https://www.example.org/~user"),
        ("https://www.example.org/a/../b", "https://www.example.org/b"),
        ("https://www.example.org/a/./b", "https://www.example.org/a/b"),
        ("https://example.org/%ed%95%9c", "https://example.org/%ED%95%9C"),
        ("https://example.org/한국", "https://example.org/%ED%95%9C%EA%B5%AD"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("http://example.org/?q=%7e", "http://example.org/?q=~"),
        # What can name another resource or place is kept.
        ("http://example.org/a%2Fb", "http://example.org/a%2Fb"),
        # A reserved character's escape is not that character (RFC 3986 2.2): yarl alone
        # decodes these.
        ("http://e.org/Yellow_River%2C_Qing.jpg", "http://e.org/Yellow_River%2C_Qing.jpg"),
        ("http://e.org/a%2cb", "http://e.org/a%2Cb"),
        ("http://e.org/a%28b%29%40%3A%3B%3D%26", "http://e.org/a%28b%29%40%3A%3B%3D%26"),
        ("http://e.org/?u=http%3A%2F%2Fx.org%2F%3Fa", "http://e.org/?u=http%3A%2F%2Fx.org%2F%3Fa"),
        ("http://e.org/#a%2Cb", "http://e.org/#a%2Cb"),
        ("HTTP://E.org:80/a%2C/../b%7e%2c", "http://e.org/b~%2C"),
        ("http://e.org/a,b", "http://e.org/a,b"),
        ("http://example.org/?b=1&a=2", "http://example.org/?b=1&a=2"),
        ("http://example.org/?q=a+b", "http://example.org/?q=a+b"),
        ("http://example.org/A#Part", "http://example.org/A#Part"),
        ("http://example.org/a/", "http://example.org/a/"),
        ("mailto:A@Example.org", "mailto:A@Example.org"),
        ("file:///tmp/a%20b", "file:///tmp/a%20b"),
    ],
)
def test_identity(url: str, key: str) -> None:
    assert identity(url) == key


def test_sentence_around() -> None:
    text = "First one. Comply with U.S. rules via the link here! Next sentence."
    start = text.index("link")
    assert sentence_around(text, start, start + 4) == "Comply with U.S. rules via the link here!"
    assert fold_whitespace(" a\n\t b  ") == "a b"
    long = "word " * 200 + "LINK " + "word " * 200
    cut = sentence_around(long, long.index("LINK"), long.index("LINK") + 4, limit=50)
    assert "LINK" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 52


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2025-Apr. ISSUE 8", dt.date(2025, 4, 1)),
        ("Published March 2025", dt.date(2025, 3, 1)),
        ("on 14 March 2025", dt.date(2025, 3, 14)),
        ("March 14, 2025", dt.date(2025, 3, 14)),
        ("2024-02-30 then 2024-02-03", dt.date(2024, 2, 3)),
        ("nothing in 2025", None),
    ],
)
def test_find_date(text: str, date: dt.date | None) -> None:
    assert find_date(text) == date


@pytest.mark.parametrize(
    ("data", "name", "content_type", "fmt"),
    [
        (b"%PDF-1.7\n...", "lying.md", None, DocumentFormat.PDF),
        (b"<!DOCTYPE html><html></html>", "page.md", None, DocumentFormat.HTML),
        (b"# Title\n", "notes.md", None, DocumentFormat.MARKDOWN),
        (b"# Title\n", "https://x.org/brief", "text/markdown", DocumentFormat.MARKDOWN),
        (b"# Title\n", "https://x.org/brief.md?x=1", "text/plain", DocumentFormat.MARKDOWN),
        (b"\\documentclass{article}", "paper", None, DocumentFormat.LATEX),
        (b"@article{k, url={x}}", "refs", None, DocumentFormat.BIBTEX),
        (b"just words", "README", None, DocumentFormat.TEXT),
        (b"<p>x</p>", "page", "text/html; charset=utf-8", DocumentFormat.HTML),
    ],
)
def test_detect_format(
    data: bytes, name: str, content_type: str | None, fmt: DocumentFormat
) -> None:
    assert detect_format(data, name, content_type) == fmt


def test_detect_refuses_binary_and_lies() -> None:
    with pytest.raises(UnsupportedFormat, match="binary content"):
        detect_format(bytes(range(256)) * 4, "junk.md")
    with pytest.raises(CorruptDocument, match="named PDF"):
        detect_format(b"plain text", "fake.pdf")
    with pytest.raises(CorruptDocument, match="broken zip"):
        detect_format(b"PK\x03\x04garbage", "broken.docx")


def test_decode_text_never_raises() -> None:
    assert decode_text("café".encode("cp1252")) == "café"
    assert decode_text('<meta charset="iso-8859-2">\xb1'.encode("latin-1")).endswith("ą")
    assert decode_text("ü".encode("latin-1"), "text/plain; charset=latin-1") == "ü"
    assert decode_text("\ufeffhé".encode()) == "hé"
