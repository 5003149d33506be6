"""
The extraction speed-ups (issue 7) are shortcuts that must give what the slow way gives:
each is held here to the code or pattern it stands in for, on generated inputs that reach
the edges (case folding, ports, look-behinds at a search start, over-long anchor texts).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText

from helpers.builders import pdf as pdf_builder
from linkaudit.extract import _pdfium, _pdftext, context, html, markdown, pdf, text, urls
from linkaudit.extract._pdfium import uri_links
from linkaudit.extract.context import fold_whitespace
from linkaudit.urls import identity, is_normal_http
from linkaudit.verdicts import Reason

# The patterns as they were before issue 7: the new ones must find the same matches.
_OLD_CANDIDATE = re.compile(
    r"(?<![\w@.+-])(?:(?:https?|ftp)://|www\.)"
    r"[^\s<>\"`{}|\\^\u00a0\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+",
    re.IGNORECASE,
)
_NEXT = context._NEXT_STARTS
_OLD_END_BEFORE = re.compile(r"(?:[.!?][\"”’)]?\s+" + _NEXT + r"|[。！？]|\n\s*\n)")
_OLD_END_AFTER = re.compile(r"(?:[.!?][\"”’)]?(?=\s+[A-Z0-9\"“‘(\[]|\s*$)|[。！？]|\n\s*\n)")

_URL_PIECES = [
    "http://", "HTTPS://", "ftp://", "www.", "WwW.", "h", "f", "w", "ttp", "s", "\u017f",
    "\u212a", "x", "@", ".", "+", "-", "_", "/", ":", " ", "\n", "\u3001", "(", ")", "é",
]  # fmt: skip
_TEXT_PIECES = [
    "a", "B", "7", ".", "!", "?", " ", "\n", "\n\n", '"', "”", ")", "(", "。", "！", "\t",
    ". A", "? 1", "’", "“", "[",
]  # fmt: skip


def _spans(
    pattern: re.Pattern[str], s: str, pos: int = 0, endpos: int | None = None
) -> list[tuple[int, int]]:
    end = len(s) if endpos is None else endpos
    return [m.span() for m in pattern.finditer(s, pos, end)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=30), st.integers(0, 40))
def test_url_candidates_match_the_former_pattern(pieces: list[str], cut: int) -> None:
    s = "".join(pieces)
    pos = min(cut, len(s))
    assert _spans(text._CANDIDATE, s) == _spans(_OLD_CANDIDATE, s)
    assert _spans(text._CANDIDATE, s, pos) == _spans(_OLD_CANDIDATE, s, pos)
    new, old = text._CANDIDATE.match(s), _OLD_CANDIDATE.match(s)
    assert (new and new.span()) == (old and old.span())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=40), st.integers(0, 60), st.integers(0, 60))
def test_sentence_boundaries_match_the_former_patterns(pieces: list[str], a: int, b: int) -> None:
    s = "".join(pieces)
    pos, endpos = sorted((min(a, len(s)), min(b, len(s))))
    for new, old in ((context._END_BEFORE, _OLD_END_BEFORE), (context._END_AFTER, _OLD_END_AFTER)):
        assert _spans(new, s, pos, endpos) == _spans(old, s, pos, endpos)
        found, expected = new.search(s, pos), old.search(s, pos)
        assert (found and found.span()) == (expected and expected.span())


_HOSTS = st.sampled_from(
    [
        "example.org",
        "EXAMPLE.org",
        "127.1.0.3",
        "a-b.c.",
        "-bad.org",
        "x..y",
        "b_c.org",
        "h",
        "é.fr",
    ]
)
_PORTS = st.sampled_from(["", ":", ":0", ":80", ":8080", ":65535", ":65536", ":99999", ":0080"])
_RESTS = st.sampled_from(["", "/", "/a b", "?q=1", "#frag", "/p?x#y", ":x", "@u", "\\x", "[1]"])
_SCHEMES = st.sampled_from(["http", "HTTPS", "hTtP", "ftp", "Ftp"])


@settings(max_examples=400, deadline=None)
@given(_SCHEMES, _HOSTS, _PORTS, _RESTS)
def test_plain_network_urls_get_what_urlsplit_gives(
    scheme: str, host: str, port: str, rest: str
) -> None:
    url = f"{scheme}://{host}{port}{rest}"
    assert urls._scheme_problem(url) == (
        Reason.MALFORMED if urls._has_space(url) else urls._split_problem(url, scheme.lower())
    )


def test_the_plain_path_is_taken_for_common_urls() -> None:
    """The shortcut is not dead code: ordinary citations take it."""
    for url in ("https://example.org/a", "http://127.1.0.1:8080/doc/1", "FTP://x.org"):
        assert urls._PLAIN_NETWORK.match(url) is not None


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.from_regex(r"[a-zA-Z0-9_-]{1,8}(\.[a-z0-9-]{0,8}){0,2}", fullmatch=True),
    st.sampled_from(["", ":1", ":80", ":443", ":8080", ":0080", ":99999", ":"]),
    st.from_regex(r"([/?#][A-Za-z0-9/?#._~!$&'()*+,;=:@% -]{0,12})?", fullmatch=True),
    st.sampled_from([None, "file:///docs/brief.pdf", "https://example.org/a/"]),
)
def test_a_normal_url_makes_the_occurrence_the_general_path_makes(
    scheme: str, host: str, port: str, rest: str, base: str | None
) -> None:
    url = f"{scheme}://{host}{port}{rest}"
    found = urls.make_occurrence("doc", url, base, text="t", page=1)
    resolved = identity(urls.resolve(url, base))
    assert found.url == resolved
    assert found.problem == urls.problem(url, resolved, None)


def test_the_normal_url_path_is_taken_for_common_urls() -> None:
    for url in ("https://example.org/a", "http://127.1.0.1:8080/doc/1?q=a#b", "http://x.org/"):
        assert is_normal_http(url)
    for url in ("https://example.org", "HTTP://x.org/", "https://x.org/a/../b", "http://x/%20"):
        assert not is_normal_http(url)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9-]{1,8}(\.[a-z0-9-]{1,8}){0,2}", fullmatch=True),
    st.sampled_from(["", ":1", ":8080", ":0080", ":123456"]),
    st.from_regex(r"([/?#][A-Za-z0-9/?#._~!$&'()*+,;=:@-]{0,12})?", fullmatch=True),
)
def test_urls_left_alone_by_commonmark_are_left_alone(
    scheme: str, host: str, port: str, rest: str
) -> None:
    url = f"{scheme}://{host}{port}{rest}"
    assert markdown._UNCHANGED_BY_NORMALISATION.match(url)
    assert normalizeLink(url) == url
    if "xn--" not in url:
        assert normalizeLinkText(url) == url


def test_a_uri_longer_than_the_reused_buffer_is_read_whole() -> None:
    import io

    uri = "https://example.org/" + "a" * 5000
    buffer = io.BytesIO()
    writer = pdf_builder._canvas(buffer, "Long")
    writer.line(("long ", None), ("link", uri))
    writer.pdf.save()
    document = pdfium.PdfDocument(buffer.getvalue())
    try:
        assert [link.uri for link in uri_links(document, document[0])] == [uri]
    finally:
        document.close()


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from([*_URL_PIECES, "w.", "W.", "ww", "://", "wWw."]), max_size=30))
def test_url_search_from_the_marks_finds_what_a_full_scan_finds(pieces: list[str]) -> None:
    s = "".join(pieces)
    assert [m.span() for m in text._candidates(s)] == _spans(text._CANDIDATE, s)


# The hint pattern of the printed-URL pass before it searched with str.find.
_OLD_URL_HINT = re.compile(r"[:Ww](?:(?<=:)//|(?<=[Ww])[Ww][Ww]\.|(?<=:)(?=[\r\n]|\Z))")


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from([":", "/", "w", "W", ".", "x", " ", "\r", "\n", "\r\n"]), max_size=20)
)
def test_printed_url_hints_are_the_former_patterns_matches(pieces: list[str]) -> None:
    s = "".join(pieces)
    assert _pdftext._url_hints(s) == [m.start() for m in _OLD_URL_HINT.finditer(s)]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["a", "b c", ".", " ", "\r\n", "\r", "\n"]), max_size=25))
def test_page_text_offsets_map_back_as_the_general_way_maps_them(pieces: list[str]) -> None:
    s = "".join(pieces)  # no URL hint: no line is joined
    joined, origin = _pdftext._join_lines_of(s)
    removed = [i + 1 for i in range(len(s) - 1) if s[i : i + 2] == "\r\n"]
    keys = [at - count for count, at in enumerate(removed)]
    assert joined == s.replace("\r\n", "\n").replace("\r", "\n")
    for offset in range(len(joined) + 1):
        assert origin(offset) == offset + bisect_right(keys, offset)


def test_page_text_read_through_pdfiums_handles_is_pypdfium2s() -> None:
    files = sorted((Path(__file__).parents[1] / "realdocs" / "files" / "pdf").glob("*.pdf"))
    pdfs = [path.read_bytes() for path in files] + [pdf_builder.long_pdf(3)]
    assert len(pdfs) > 5
    for data in pdfs:
        document = pdfium.PdfDocument(data)
        try:
            for index in range(len(document)):
                page = _pdfium.load_text(document, _pdfium.load_page(document, index), index)
                try:
                    count = pdfium_c.FPDFText_CountChars(page.text)
                    if count <= 0:
                        continue
                    helper = _pdfium._helper_text(page)
                    assert helper and _pdfium._page_text(page, count) == helper
                finally:
                    _pdfium.close_text(page)
                    _pdfium.close_page(page.raw)
        finally:
            document.close()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["http", "HTTPS", "s", "://", "/", " ", "x.org", "\u212a"]), max_size=8
    )
)
def test_the_same_url_key_is_the_former_regex_key(pieces: list[str]) -> None:
    url = "".join(pieces)
    former = re.sub(r"^https?://", "", url.strip().rstrip("/").lower())
    assert pdf._same_key(url) == former


_OLD_PRETEST = re.compile(r"://|www\.|@", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([":", "/", "w", "W", ".", "@", "x", "\u017f", " "]), max_size=12))
def test_the_linkify_pretest_matches_the_former_one(pieces: list[str]) -> None:
    s = "".join(pieces)
    assert (text._PRETEST.search(s) is None) == (_OLD_PRETEST.search(s) is None)
    if text._PRETEST.search(s) is None:  # what the early return in match() relies on
        assert not text.find_urls(s) and not text.find_emails(s)


_HTML_PIECES = [
    "a b",
    " ",
    "\n",
    "<b>x</b>",
    "<i><b>y</b> z</i>",
    "<!-- c -->",
    "<![CDATA[d]]>",
    "&amp;",
    "<br>",
    "<img alt=i>",
    "<script>s()</script>",
    "<style>p{}</style>",
    "<template>t</template>",
    "<?pi x?>",
    "<div><p>q</div>",
    "<table><td>c",
    "</p>",
    "<svg><title>v</title></svg>",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_HTML_PIECES), max_size=6),
    st.sampled_from(["a", "p", "title", "div", "script", "template", "td"]),
)
def test_element_text_is_bs4s_get_text(pieces: list[str], name: str) -> None:
    from bs4 import BeautifulSoup

    markup = f"<{name} href=x>{''.join(pieces)}</{name}>"
    soup = BeautifulSoup(markup, "lxml")
    tags = soup.find_all(True)
    elements = html._elements(html.parse_html(markup))
    hidden = html._hidden(html._named(elements))
    assert [t.name for t in tags] == [html._name(e) for e in elements]
    for tag, element in zip(tags, elements, strict=True):
        if tag.name not in html._NOT_TEXT:  # never asked: no link, title or block is one
            # Folded, as every caller uses it (bs4 turns a blank string into one space).
            assert fold_whitespace(html._text_of(element, hidden=hidden)) == fold_whitespace(
                tag.get_text()
            )


# Issue 20's PDF speed-ups, each held to the code it replaced.
_LINE_PIECES = [
    "https:", "http:", "ftp:", "https://x.org/a", "www.X.", "mail@x", "a/b", "-", ".", " ",
    "\t", "word", "Word", "12", "//", "/c", "?q=1", "é", "\u00a0", "x", "ſ", "WWW.",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_LINE_PIECES), max_size=12),
    st.lists(st.sampled_from(_LINE_PIECES), max_size=6),
)
def test_a_line_whose_end_is_closed_never_continues(line: list[str], nxt: list[str]) -> None:
    first, second = "".join(line), "".join(nxt)
    if _pdftext._continues(first, second) or _pdftext._cut_word(first, second):
        assert _pdftext._open_end(first)


def test_the_end_of_a_line_is_read_as_continues_reads_it() -> None:
    assert _pdftext._open_end("see https://x.org/reports/2024/")
    assert _pdftext._continues("see https://x.org/reports/2024/", "trade.pdf, accessed")
    assert _pdftext._open_end("the address is https:")
    assert not _pdftext._open_end("Printed: https://example.net/p4/printed0 in the text.")
    assert not _pdftext._open_end("https://x.org/a ")
    assert not _pdftext._open_end("")


def _former_line_end(text: str, start: int) -> int:
    ends = [at for at in (text.find("\r", start), text.find("\n", start)) if at >= 0]
    return min(ends) if ends else len(text)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(["a", " ", "\r", "\n", "\r\n", "\n\r", "b c"]), max_size=15),
    st.integers(0, 40),
)
def test_a_line_ends_where_the_former_search_ended_it(pieces: list[str], start: int) -> None:
    s = "".join(pieces)
    start = min(start, len(s))
    assert _pdftext._line_end(s, start) == _former_line_end(s, start)


def _former_without_slivers(links: list[_pdfium.UriLink]) -> list[_pdfium.UriLink]:
    def flat(link: _pdfium.UriLink) -> bool:
        return all(
            area.right - area.left < pdf._SLIVER or area.top - area.bottom < pdf._SLIVER
            for area in link.areas
        )

    solid = {link.uri for link in links if not flat(link)}
    return [link for link in links if link.uri not in solid or not flat(link)]


_EDGES = st.sampled_from([0.0, 0.05, 0.1, 0.2, 10.0, float("nan"), -1.0])


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.lists(st.tuples(_EDGES, _EDGES), min_size=0, max_size=3),
        ),
        max_size=6,
    )
)
def test_slivers_are_dropped_as_before(
    links: list[tuple[str, list[tuple[float, float]]]],
) -> None:
    made = [
        _pdfium.UriLink(
            uri,
            _pdfium.Rect(0.0, 0.0, 1.0, 1.0),
            tuple(_pdfium.Rect(0.0, 0.0, width, height) for width, height in areas),
        )
        for uri, areas in links
    ]
    assert pdf._without_slivers(made) == _former_without_slivers(made)


# The extraction pass of issue 17 (docs/benchmarks.md, "Extraction pass"), each held to
# what it replaced.
_MARKDOWN_TARGETS = [
    "https://", "http://", "HTTP://", "www.", "mailto:", "ftp://", "x.org", "X.org", "/a",
    "?q=1", "#f", "%20", "%", " ", "]", "\\", "é", "xn--p1ai", ":8080", ":80", "/../",
    "..", "@", "(", ")", "doi:10.1/x", "javascript:", "#",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(_MARKDOWN_TARGETS), max_size=6),
    st.sampled_from([None, "www.x.org/shown"]),
    st.sampled_from(["file:///docs/brief.md", "https://example.org/a/"]),
)
def test_a_markdown_occurrence_is_what_the_former_two_steps_made(
    pieces: list[str], shown: str | None, base: str
) -> None:
    """The target CommonMark leaves alone goes as no target (so normal URLs take the fast
    path); a bare link's shown text is set as the occurrence is made, not by a copy."""
    import dataclasses

    from linkaudit.models import Element, Source

    raw = "".join(pieces)
    source = Source(name="brief.md", data=b"", base_url=base)
    walker = markdown._Walker(source, [], frozenset({"f"}))
    found = markdown._Found(raw, "text", Element.BARE, 3, 4, shown)
    former = urls.make_occurrence(
        "brief.md", raw, base, frozenset({"f"}), target=markdown._normalised(raw),
        text="text", line=3, column=4, element=Element.BARE, context="c",
    )  # fmt: skip
    if shown is not None:
        former = dataclasses.replace(former, raw=shown)
    assert walker._occurrence(found, "c") == former


_FRAGMENTS = [
    "<a href=x>", "<A HREF='y'>", "</a>", "<img src=i.png alt=p>", "<IMG SRC=j>", "<br>",
    "<a name=n>", "<a id=i>", "t", "<b>", "</b>", "<!-- <a href=c> -->", "<span>",
    "<script>s('<a href=q>')</script>", "<area href=r>", "\n",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_FRAGMENTS), max_size=5), max_size=4))
def test_raw_html_links_are_read_as_a_new_parser_reads_them(fragments: list[list[str]]) -> None:
    """Fragments read one after another by one reused parser, the ones without ``href`` or
    ``src`` not read at all, give what each read by a parser of its own gives."""
    written = ["".join(pieces) for pieces in fragments]
    read = [html.html_links(fragment) for fragment in written]
    alone = []
    for fragment in written:
        html._PARSERS.idle = None
        alone.append(html._fragment_links(fragment))
    assert read == alone


def test_a_link_attribute_in_capitals_is_read() -> None:
    found = html.html_links('<A HREF="https://x.org/">x</A><IMG SRC="i.png">')
    assert [(link.tag, link.target) for link in found] == [
        ("a", "https://x.org/"),
        ("img", "i.png"),
    ]
    assert html.html_links('</a><a name="n"><br>') == []


def test_a_parser_that_failed_half_way_is_not_fed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    start = html._Stream.start

    def failing(self: html._Stream, tag: str, attrib: dict[str, str]) -> None:
        if tag == "boom":
            raise ValueError("boom")
        start(self, tag, attrib)

    monkeypatch.setattr(html._Stream, "start", failing)
    html._PARSERS.idle = None  # a parser binds its target's methods when it is made
    with pytest.raises(ValueError, match="boom"):
        html.html_links('<a href="https://left.example/">left <boom>')
    assert html._PARSERS.idle is None  # lxml resets it too, today; not left to chance
    monkeypatch.setattr(html._Stream, "start", start)
    found = html.html_links('<a href="https://next.example/">next</a>')
    assert [(link.target, link.text) for link in found] == [("https://next.example/", "next")]


_START_PIECES = [
    b"http:", b"HTTPS:", b"hTtP", b"www.", b"WWW.", b"//www.", b"mailto:", b"MAILTO:", b"doi",
    b"DOI", b"href=", b"HREF =", b"src=", b"SRC\n=", b"\\url", b"\\href", b"](", b"][", b"]]((",
    b"w", b"ww", b".", b"/", b" ", b"x", b"\xc3\xa9", b"\xe2\x84\xaa",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_START_PIECES), max_size=20))
def test_the_link_start_count_never_falls_short_of_the_search(pieces: list[bytes]) -> None:
    """The cheap count stands in for the search only when it is under the limit: it must
    never find fewer than the search does."""
    from linkaudit.extract import document

    data = b"".join(pieces)
    assert document._most_link_starts(data) >= len(document._LINK_START.findall(data))


def test_a_document_over_the_link_limit_is_still_cut() -> None:
    from linkaudit.config import Settings
    from linkaudit.extract.document import extract_source
    from linkaudit.models import Source

    data = "".join(f"[l{i}](https://x.org/{i}) and text\n\n" for i in range(50)).encode()
    source = Source("brief.md", data, "file:///brief.md")
    found = extract_source(source, Settings(max_links_per_document=10))
    assert len(found.occurrences) == 10 and any("byte" in w for w in found.warnings)


def _former_depth_capped(root: object) -> bool:
    from lxml import etree

    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest >= html._TREE_DEPTH_CAP - 8


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2020, 2060),
    st.sampled_from(["", "<!-- c -->", "<?pi x?>", "<p>t</p>", "<b>x</b>y"]),
    st.sampled_from(["div", "span", "a href=x"]),
)
def test_the_depth_cap_is_found_as_the_former_walk_found_it(
    depth: int, inner: str, tag: str
) -> None:
    root = html.parse_html("<p>before</p>" + f"<{tag}>" * depth + inner + "<p>after</p>")
    assert root is not None
    assert html._depth_capped(root) == _former_depth_capped(root)


def test_a_page_at_the_depth_cap_is_found_and_one_below_it_is_not() -> None:
    for depth, capped in ((2030, False), (2045, True)):
        root = html.parse_html("<div>" * depth)
        assert root is not None and html._depth_capped(root) is capped
