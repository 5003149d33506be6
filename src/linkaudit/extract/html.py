"""
HTML through beautifulsoup4 over lxml (the tree a browser would build from broken
markup), with source positions from one pass of the standard library's tokenizer,
because bs4's lxml builder records no line numbers.

The small stdlib helpers ``html_links`` and ``fragment_ids`` also serve raw HTML inside
Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning

from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument
from linkaudit.extract.base import Extraction, Source
from linkaudit.extract.context import find_date, fold_whitespace, sentence_around
from linkaudit.extract.detect import decode_text
from linkaudit.extract.urls import make_occurrence, resolve
from linkaudit.models import Document, DocumentFormat, Element, Occurrence, RobustLink

__all__ = ["HtmlExtractor", "HtmlLink", "fragment_ids", "html_links"]

#: Attributes holding a URL that is not a citation (reported as ``resource``).
RESOURCE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "link": ("href",),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "source": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "form": ("action",),
    "button": ("formaction",),
    "object": ("data",),
    "blockquote": ("cite",),
    "q": ("cite",),
}
_PUBLISHED_META = (
    "article:published_time",
    "citation_publication_date",
    "citation_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "date",
)


@dataclass(frozen=True, slots=True)
class HtmlLink:
    """A link found by the stdlib tokenizer: 1-based line, 0-based column."""

    tag: str
    target: str
    text: str
    line: int
    column: int
    tag_source: str


class _Positions(HTMLParser):
    """Start tags with positions, and ids and names: all a whole document needs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.positions: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
        self.positions[tag].append(self.getpos())
        values = dict(attrs)  # a repeated attribute: the last one counts
        for key in ("id", "name"):
            value = values.get(key)
            if value:
                self.ids.add(value)
        return values


class _Collector(_Positions):
    """Also the links of a fragment, with the text of each ``<a>``."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[HtmlLink] = []
        self._open: list[tuple[int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = self._start(tag, attrs)
        values = {name: value or "" for name, value in found.items()}
        line, column = self.positions[tag][-1]
        source = self.get_starttag_text() or ""
        if tag == "a" and "href" in values:
            self._open.append((len(self.links), []))
            self.links.append(HtmlLink("a", values["href"], "", line, column, source))
        elif tag == "img" and "src" in values:
            alt = values.get("alt", "")
            self.links.append(HtmlLink("img", values["src"], alt, line, column, source))
            for _, parts in self._open:
                parts.append(alt)

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            index, parts = self._open.pop()
            link = self.links[index]
            text = fold_whitespace("".join(parts))
            self.links[index] = HtmlLink(
                link.tag, link.target, text, link.line, link.column, link.tag_source
            )


#: ``<![`` not followed by a keyword the stdlib tokenizer knows. Python 3.11's html.parser
#: raises AssertionError on such a "marked section" (``<![{#id}``, found by the fuzzer);
#: browsers read it as a bogus comment up to the next ``>``.
_BAD_MARKED_SECTION = re.compile(
    r"<!\[(?!(?:temp|cdata|ignore|include|rcdata|if|else|endif)(?![-_.a-z0-9]))", re.IGNORECASE
)


def _feed(parser: HTMLParser, html: str) -> None:
    """Feed ``html`` with bogus marked sections turned into bogus comments, as browsers read
    them: ``<![`` becomes ``<!-`` (same length, so lines and columns do not move)."""
    parser.feed(_BAD_MARKED_SECTION.sub("<!-", html))
    parser.close()


def _collect(html: str) -> _Collector:
    collector = _Collector()
    _feed(collector, html)
    return collector


def _positions(html: str) -> _Positions:
    """One pass of the stdlib tokenizer: bs4's lxml builder records no positions."""
    tokens = _Positions()
    _feed(tokens, html)
    return tokens


def html_links(fragment: str) -> list[HtmlLink]:
    """``<a href>`` and ``<img src>`` of an HTML fragment, in order."""
    return _collect(fragment).links


def fragment_ids(fragment: str) -> set[str]:
    """Every ``id`` and ``name`` attribute value in an HTML fragment."""
    if "id" not in fragment and "name" not in fragment:
        return set()
    return _collect(fragment).ids


class HtmlExtractor:
    """Links of an HTML document. See ``Extractor.extract``."""

    format = DocumentFormat.HTML

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = decode_text(source.data, source.content_type)
        soup = _parse(text)
        if soup.html is None and text.strip():
            raise CorruptDocument(source.name, "no HTML could be parsed")
        tags = [node for node in soup.descendants if isinstance(node, Tag)]
        base = _base(tags, source.base_url)
        tokens = _positions(text)
        fragments = frozenset(tokens.ids)
        occurrences = list(_links(tags, source.name, base, fragments, tokens.positions))
        document = Document(
            path=source.name,
            format=self.format,
            title=_title(soup),
            published=_published(tags),
            base_url=base,
            links=len(occurrences),
        )
        return Extraction(document=document, occurrences=occurrences)


def _parse(text: str) -> BeautifulSoup:
    """The tree, without bs4's advice to the programmer (a document that looks like a URL
    or like XML is still the user's document, not a mistake to warn about on stderr)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(text, "lxml")


def _base(tags: list[Tag], fallback: str) -> str:
    for tag in tags:
        if tag.name == "base" and tag.get("href") is not None:
            return resolve(str(tag["href"]), fallback)
    return fallback


def _links(
    tags: list[Tag],
    name: str,
    base: str,
    fragments: frozenset[str],
    positions: dict[str, list[tuple[int, int]]],
) -> Iterator[Occurrence]:
    seen: dict[str, int] = defaultdict(int)
    blocks: dict[int, str] = {}  # folded text of each block, computed once
    for tag in tags:
        index = seen[tag.name]
        seen[tag.name] += 1
        found = _target(tag)
        if found is None:
            continue
        raw, element, text = found
        line, column = _position(positions, tag.name, index)
        context = _context(tag, text, blocks) if element != Element.RESOURCE else None
        yield make_occurrence(
            name,
            raw,
            base,
            fragments,
            text=text,
            line=line,
            column=column,
            element=element,
            robust=_robust(tag),
            context=context,
        )


def _target(tag: Tag) -> tuple[str, Element, str] | None:
    """(target as written, element, anchor text) of a tag that links, else ``None``."""
    if tag.name in ("a", "area") and tag.has_attr("href"):
        element = Element.LINK if tag.name == "a" else Element.AREA
        return _attr(tag, "href"), element, _anchor_text(tag)
    if tag.name == "img" and tag.has_attr("src"):
        return _attr(tag, "src"), Element.IMAGE, fold_whitespace(_attr(tag, "alt"))
    for attribute in RESOURCE_ATTRIBUTES.get(tag.name, ()):
        if tag.has_attr(attribute) and _attr(tag, attribute).strip():  # action="" is no link
            return _attr(tag, attribute), Element.RESOURCE, ""
    return None


_BLOCKS = frozenset(
    {
        "p",
        "li",
        "td",
        "th",
        "dd",
        "dt",
        "blockquote",
        "figcaption",
        "caption",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "div",
        "section",
        "article",
        "body",
    }
)


def _context(tag: Tag, text: str, blocks: dict[int, str]) -> str | None:
    """The sentence around the link in its nearest block (paragraph, list item, cell…).

    ``blocks`` caches each block's text by identity: a ``<body>`` holding thousands of
    links is read once, not once per link."""
    block = tag.parent
    while block is not None and block.name not in _BLOCKS:
        block = block.parent
    if block is None:
        return None
    whole = blocks.get(id(block))
    if whole is None:
        whole = blocks[id(block)] = fold_whitespace(_text(block))
    start = whole.find(text) if text else -1
    if start < 0:
        return None
    return sentence_around(whole, start, start + len(text)) or None


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def _anchor_text(tag: Tag) -> str:
    """The text a reader sees; the ``alt`` of an image when the link is only an image."""
    text = fold_whitespace(_text(tag))
    if text:
        return text
    images = (d for d in tag.descendants if isinstance(d, Tag) and d.name == "img")
    alts = [_attr(img, "alt") for img in images]
    return fold_whitespace(" ".join(alts))


def _text(tag: Tag) -> str:
    """
    ``tag.get_text()`` without bs4's generator: the strings of the types ``tag`` is
    interested in, in document order (a walk of ``contents``, with a stack, not recursion).
    """
    types = tag.interesting_string_types
    if types is None:
        return tag.get_text()
    parts: list[str] = []
    stack = [iter(tag.contents)]
    while stack:
        for child in stack[-1]:
            if type(child) in types:
                parts.append(child)  # type: ignore[arg-type]  # a NavigableString
            elif isinstance(child, Tag):
                stack.append(iter(child.contents))
                break
        else:
            stack.pop()
    return "".join(parts)


def _position(
    positions: dict[str, list[tuple[int, int]]], name: str, index: int
) -> tuple[int | None, int | None]:
    found = positions.get(name, [])
    if index < len(found):
        line, column = found[index]
        return line, column + 1
    return None, None


def _robust(tag: Tag) -> RobustLink | None:
    values = [tag.get(k) for k in ("data-originalurl", "data-versionurl", "data-versiondate")]
    if not any(values):
        return None
    original, version, date = (str(v) if isinstance(v, str) else None for v in values)
    return RobustLink(original_url=original, version_url=version, version_date=date)


def _title(soup: BeautifulSoup) -> str | None:
    if soup.title is None:
        return None
    return fold_whitespace(soup.title.get_text()) or None


def _published(tags: list[Tag]) -> dt.date | None:
    for meta in (t for t in tags if t.name == "meta" and t.get("content") is not None):
        key = str(meta.get("property") or meta.get("name") or "").lower()
        if key in _PUBLISHED_META:
            date = find_date(_attr(meta, "content").replace("/", "-"))
            if date is not None:
                return date
    return None
