"""
HTML through lxml (libxml2's parser: the tree a browser would build from broken markup, in
linear time), with source positions from one linear scan for start tags, matched to the
tree's elements by order, because libxml2 records the line of a start tag's ``>`` (capped at
65,535) and no column.

``html_links`` and ``fragment_ids`` also serve raw HTML inside Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain

from lxml import etree

from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument
from linkaudit.extract.context import LineCounter, find_date, fold_whitespace, sentence_around
from linkaudit.extract.detect import decode_text
from linkaudit.extract.urls import make_occurrence, resolve
from linkaudit.models import (
    Document,
    DocumentFormat,
    Element,
    Extraction,
    Occurrence,
    RobustLink,
    Source,
)

__all__ = ["HtmlExtractor", "HtmlLink", "fragment_ids", "html_links", "parse_html"]

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
#: Elements that can carry a link: the only ones whose source position is needed.
_LINKING = frozenset({"a", "area", "img", *RESOURCE_ATTRIBUTES})
_PUBLISHED_META = (
    "article:published_time",
    "citation_publication_date",
    "citation_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "date",
)
#: Elements whose strings are not text a reader sees (bs4's get_text() skips them too).
_NOT_TEXT = frozenset({"script", "style", "template", "rt", "rp"})


@dataclass(frozen=True, slots=True)
class HtmlLink:
    """A link of an HTML fragment: 1-based line, 0-based column."""

    tag: str
    target: str
    text: str
    line: int
    column: int
    tag_source: str


def parse_html(text: str) -> etree._Element | None:
    """libxml2's tree of ``text`` (its recovering HTML parser), or ``None`` when nothing
    could be parsed. Fed as a stream: a string with an XML encoding declaration is fine."""
    # huge_tree: no depth cap of 256 (a link after 300 nested <div>s is still a link); every
    # walk below is iterative and bounded, so depth costs nothing more.
    parser = etree.HTMLParser(huge_tree=True)
    parser.feed(text)
    try:
        return parser.close()
    except etree.XMLSyntaxError:  # nothing at all (an empty or blank document)
        return None


def _elements(root: etree._Element | None) -> list[etree._Element]:
    """Every element in document order (comments and processing instructions left out)."""
    if root is None:
        return []
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _name(element: etree._Element) -> str:
    return str(element.tag).lower()


_Named = list[tuple[etree._Element, str]]
"""The tree's elements in document order, each with its ``_name``: named once, for the
passes over the whole page (hidden parts, ``<base>``, links, title, dates)."""


def _named(elements: list[etree._Element]) -> _Named:
    return [(element, _name(element)) for element in elements]


# One linear scan for start tags, the way a tokenizer sees them: comments, declarations,
# end tags and the raw text of <script> and <style> are skipped. Every search moves forward
# or ends the scan, so no input makes it quadratic (the standard library's tokenizer is:
# docs/extraction.md#why-these-libraries-measured).
_OPEN = re.compile(r"<(?:(!--)|([A-Za-z][^\t\n\r\f />\x00]*)|[!?/])")
_REST_OF_TAG = re.compile(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")
_TAG_WINDOW = 4096
"""Characters a start tag's quoted attributes are matched within; past it, the next ``>``."""
_RAW_END = {
    "script": re.compile(r"</script", re.IGNORECASE),
    "style": re.compile(r"</style", re.IGNORECASE),
}


def _start_tags(text: str) -> Iterator[tuple[str, int, int]]:
    """``(name, start, end)`` of every start tag of an element that can link, in order."""
    pos, size = 0, len(text)
    while (found := _OPEN.search(text, pos)) is not None:
        comment, name = found.group(1), found.group(2)
        if comment:
            end = text.find("-->", found.end())
            pos = end + 3 if end >= 0 else size
            continue
        if name is None:
            end = text.find(">", found.end())
            pos = end + 1 if end >= 0 else size
            continue
        rest = _REST_OF_TAG.match(text, found.end(), min(found.end() + _TAG_WINDOW, size))
        if rest is not None:
            pos = rest.end()
        else:
            end = text.find(">", found.end())
            if end < 0:
                return  # an unfinished tag to the end: text, as a tokenizer reads it
            pos = end + 1
        lowered = name.lower()
        if lowered in _LINKING:
            yield lowered, found.start(), pos
        raw_end = _RAW_END.get(lowered)
        if raw_end is not None:
            closing = raw_end.search(text, pos)
            pos = closing.start() if closing is not None else size


class _Positions:
    """Where each linking element's start tag is: the n-th ``<a`` element of the tree is
    the n-th ``<a`` start tag of the source."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._tags: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for name, start, end in _start_tags(text):
            self._tags[name].append((start, end))
        self._seen: dict[str, int] = defaultdict(int)

    def next(self, name: str) -> tuple[int, int] | None:
        """Offsets ``(start, end)`` of the next start tag named ``name``, if any is left."""
        index = self._seen[name]
        self._seen[name] = index + 1
        found = self._tags.get(name, [])
        return found[index] if index < len(found) else None


def _line_column(counter: LineCounter, offsets: tuple[int, int] | None) -> tuple[int, int] | None:
    """1-based line and 0-based column of a start tag (offsets met in document order)."""
    if offsets is None:
        return None
    line, column = counter.at(offsets[0])
    return line, column - 1


_TEXT_STEPS = 200
"""Nodes and strings one element's text is read from at most (an anchor is a few words)."""


def _text_of(
    element: etree._Element, alts: bool = False, hidden: frozenset[etree._Element] = frozenset()
) -> str:
    """The strings a reader sees inside ``element`` in document order (comments, scripts,
    styles, templates and ruby annotations left out, as bs4's ``get_text`` leaves them out),
    with each image's ``alt`` too when ``alts``; a walk with a stack, not recursion."""
    if element in hidden or _name(element) in _NOT_TEXT:
        return ""
    parts: list[str] = [element.text or ""]
    stack: list[Iterator[etree._Element | str]] = [iter(element)]
    steps = 0
    while stack and steps < _TEXT_STEPS:  # a link wrapping 1,000 nested links stays cheap
        steps += 1
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, str):
            parts.append(item)  # the tail of an element whose content is done
        elif isinstance(item.tag, str) and (name := _name(item)) not in _NOT_TEXT:
            if alts and name == "img":
                parts.append(item.get("alt") or "")
            parts.append(item.text or "")
            stack.append(chain(item, (item.tail or "",)))
        else:
            if alts and _name(item) == "img":
                parts.append(item.get("alt") or "")
            parts.append(item.tail or "")
    return "".join(parts)


def _hidden(named: _Named) -> frozenset[etree._Element]:
    """The elements that are, or are inside, one whose strings a reader does not see (one
    pass, not a walk up the ancestors per link)."""
    found: set[etree._Element] = set()
    for element, name in named:
        if name in _NOT_TEXT and element not in found:
            found.update(e for e in element.iter() if isinstance(e.tag, str))
    return frozenset(found)


@dataclass(slots=True)
class _Streamed:
    """A start tag met by ``_Stream``: its attributes, and the text of an ``<a>``."""

    name: str
    attrs: dict[str, str]
    pieces: list[tuple[bool, str]] = field(default_factory=list)
    """The strings inside an ``<a>`` in order, each marked True when it is an image's alt."""

    def text(self, alts: bool) -> str:
        """The folded text; with ``alts``, images' alts where they stand, else as fallback."""
        if alts:
            return fold_whitespace("".join(p for _, p in self.pieces))
        strings = fold_whitespace("".join(p for alt, p in self.pieces if not alt))
        return strings or fold_whitespace(" ".join(p for alt, p in self.pieces if alt))


@dataclass(frozen=True, slots=True)
class _Read:
    """What a ``_Stream`` took from one document."""

    tags: list[_Streamed]
    ids: set[str]
    title: list[str] | None


class _Stream:
    """An lxml parser target: the linking start tags and the ids of a document, as events
    (no tree, so no depth cap: libxml2 stops building a tree 2,048 elements deep). It
    starts over after each document, so that one parser can read many (``_stream``)."""

    def __init__(self) -> None:
        self._start_over()

    def _start_over(self) -> None:
        self.tags: list[_Streamed] = []
        self.ids: set[str] = set()
        self.title: list[str] | None = None
        self._open: list[str] = []
        self._anchors: list[_Streamed] = []
        self._hidden = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = tag.lower()
        attrs = dict(attrib)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        self._open.append(name)
        if name in _NOT_TEXT:
            self._hidden += 1
        if name == "title" and self.title is None:
            self.title = []
        if name == "img" and self._anchors:
            self._anchors[-1].pieces.append((True, attrs.get("alt") or ""))
        if name in _LINKING or name in ("base", "meta"):
            found = _Streamed(name, attrs)
            self.tags.append(found)
            if name == "a":
                self._anchors.append(found)

    def end(self, tag: str) -> None:
        name = tag.lower()
        if name not in self._open[-64:]:
            return  # an end tag libxml2 had no start for
        while self._open:
            closed = self._open.pop()
            if closed in _NOT_TEXT:
                self._hidden -= 1
            if closed == "a" and self._anchors:
                self._anchors.pop()
            if closed == name:
                return

    def data(self, data: str) -> None:
        if self._hidden:
            return
        if self._anchors:
            self._anchors[-1].pieces.append((False, data))
        if self.title is not None and self._open and self._open[-1] == "title":
            self.title.append(data)

    def close(self) -> _Read:
        read = _Read(self.tags, self.ids, self.title)
        self._start_over()
        return read


class _Parsers(threading.local):
    """An idle ``_Stream`` parser of this thread. lxml inspects a Python target's methods
    whenever a parser is made for it (about 40 µs, more than reading a short tag), and
    Markdown hands ``html_links`` each raw HTML tag on its own."""

    idle: etree.HTMLParser | None = None


_PARSERS = _Parsers()


def _stream(text: str) -> _Read:
    """``text`` read by libxml2's HTML parser through a ``_Stream``."""
    parser = _PARSERS.idle or etree.HTMLParser(target=_Stream())
    _PARSERS.idle = None  # a parser that fails half-way is never fed again
    parser.feed(text)
    read: _Read = parser.close()
    _PARSERS.idle = parser
    return read


def html_links(fragment: str) -> list[HtmlLink]:
    """``<a href>`` and ``<img src>`` of an HTML fragment, in order."""
    if _LINK_ATTRIBUTE.search(fragment) is None:
        return []  # an end tag, a <br>, an <a name>: no attribute a link needs
    return _fragment_links(fragment)


def _fragment_links(fragment: str) -> list[HtmlLink]:
    positions = _Positions(fragment)
    counter = LineCounter(fragment)
    links: list[HtmlLink] = []
    for tag in _stream(fragment).tags:
        if tag.name not in _LINKING:
            continue
        offsets = positions.next(tag.name)
        if tag.name == "a" and "href" in tag.attrs:
            target, text = tag.attrs["href"], tag.text(alts=True)
        elif tag.name == "img" and "src" in tag.attrs:
            target, text = tag.attrs["src"], tag.attrs.get("alt", "")
        else:
            continue
        where = _line_column(counter, offsets)
        if where is None or offsets is None:
            continue
        source = fragment[offsets[0] : offsets[1]]
        links.append(HtmlLink(tag.name, target, text, where[0], where[1], source))
    return links


#: The attribute names ``html_links`` reads a link from (libxml2 lower-cases them).
_LINK_ATTRIBUTE = re.compile("href|src", re.IGNORECASE)


def fragment_ids(fragment: str) -> set[str]:
    """Every ``id`` and ``name`` attribute value in an HTML fragment."""
    if "id" not in fragment and "name" not in fragment:
        return set()
    return _stream(fragment).ids


def _ids(elements: list[etree._Element]) -> set[str]:
    found: set[str] = set()
    for element in elements:
        for key in ("id", "name"):
            value = element.get(key)
            if value:
                found.add(value)
    return found


class HtmlExtractor:
    """Links of an HTML document. See ``Extractor.extract``."""

    format = DocumentFormat.HTML

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = decode_text(source.data, source.content_type)
        root = parse_html(text)
        if root is None and text.strip():
            raise CorruptDocument(source.name, "no HTML could be parsed")
        elements = _elements(root)
        if root is not None and _depth_capped(root):
            return _streamed_extraction(source, text)
        named = _named(elements)
        hidden = _hidden(named)
        base = _base(named, source.base_url)
        fragments = frozenset(_ids(elements))
        occurrences = list(_links(named, hidden, source.name, base, fragments, text))
        document = Document(
            path=source.name,
            format=self.format,
            title=_title(named, hidden),
            published=_published(named),
            base_url=base,
            links=len(occurrences),
        )
        return Extraction(document=document, occurrences=occurrences)


_TREE_DEPTH_CAP = 2048
"""libxml2 (huge_tree) stops building a tree this deep, silently: the rest is lost."""


_CAPPED_DEPTH = _TREE_DEPTH_CAP - 8
#: An element as deep as ``_CAPPED_DEPTH`` (the root is 1), found by libxml2's XPath one
#: level at a time: linear, where a walk with a Python step per start and end was 3 ms a
#: page of 1,000 links.
_AT_CAPPED_DEPTH = "boolean(" + "/*" * _CAPPED_DEPTH + ")"


def _depth_capped(root: etree._Element) -> bool:
    """Whether the tree reached libxml2's depth cap (and may have lost what follows)."""
    return bool(root.xpath(_AT_CAPPED_DEPTH))


def _streamed_extraction(source: Source, text: str) -> Extraction:
    """Links read as parser events, for a document nested past the tree's depth cap:
    every link, its position and anchor text, without the sentence around it."""
    stream = _stream(text)
    base = source.base_url
    for tag in stream.tags:
        if tag.name == "base" and "href" in tag.attrs:
            base = resolve(tag.attrs["href"], source.base_url)
            break
    positions, counter = _Positions(text), LineCounter(text)
    occurrences = []
    fragments = frozenset(stream.ids)
    for tag in stream.tags:
        if tag.name not in _LINKING:
            continue
        offsets = positions.next(tag.name)
        found = _target(tag.name, tag.attrs.get, partial(tag.text, False))
        if found is None:
            continue
        raw, kind, anchor = found
        where = _line_column(counter, offsets)
        line, column = (where[0], where[1] + 1) if where is not None else (None, None)
        occurrences.append(
            make_occurrence(
                source.name, raw, base, fragments, text=anchor, line=line, column=column,
                element=kind, robust=_robust(tag.attrs.get),
            )
        )  # fmt: skip
    metas = [t.attrs for t in stream.tags if t.name == "meta"]
    document = Document(
        path=source.name,
        format=DocumentFormat.HTML,
        title=fold_whitespace("".join(stream.title or ())) or None,
        published=_published_in(metas),
        base_url=base,
        links=len(occurrences),
    )
    warning = f"{source.name}: nested {_TREE_DEPTH_CAP}+ elements deep; links read without context"
    return Extraction(document=document, occurrences=occurrences, warnings=[warning])


def _base(named: _Named, fallback: str) -> str:
    for element, name in named:
        if name == "base" and element.get("href") is not None:
            return resolve(element.get("href") or "", fallback)
    return fallback


def _links(
    named: _Named,
    hidden: frozenset[etree._Element],
    name: str,
    base: str,
    fragments: frozenset[str],
    text: str,
) -> Iterator[Occurrence]:
    positions = _Positions(text)
    counter = LineCounter(text)
    blocks = _Blocks(hidden, budget=_CONTEXT_BUDGET_PER_CHAR * len(text) + _CONTEXT_BUDGET)
    for element, tag in named:
        if tag not in _LINKING:
            continue
        offsets = positions.next(tag)
        found = _target(tag, element.get, partial(_anchor_text, element, hidden))
        if found is None:
            continue
        raw, kind, anchor = found
        where = _line_column(counter, offsets)
        line, column = (where[0], where[1] + 1) if where is not None else (None, None)
        context = blocks.context(element, anchor) if kind != Element.RESOURCE else None
        yield make_occurrence(
            name,
            raw,
            base,
            fragments,
            text=anchor,
            line=line,
            column=column,
            element=kind,
            robust=_robust(element.get),
            context=context,
        )


def _target(
    tag: str, get: Callable[[str], str | None], anchor: Callable[[], str]
) -> tuple[str, Element, str] | None:
    """(target as written, element, anchor text) of a tag that links, else ``None``; ``get``
    reads its attributes, ``anchor`` its text (only called for an ``<a>`` or ``<area>``)."""
    if tag in ("a", "area") and get("href") is not None:
        kind = Element.LINK if tag == "a" else Element.AREA
        return get("href") or "", kind, anchor()
    if tag == "img" and get("src") is not None:
        return get("src") or "", Element.IMAGE, fold_whitespace(get("alt") or "")
    for attribute in RESOURCE_ATTRIBUTES.get(tag, ()):
        value = get(attribute)
        if value is not None and value.strip():  # action="" is no link
            return value, Element.RESOURCE, ""
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


_NEARBY = 1000
"""Characters either side of an image where its alt text is looked for in the block."""


class _Blocks:
    """The folded text of each block (paragraph, list item, cell…) that holds a link, read
    once, with where each element inside it starts: a link's sentence is found at its own
    place, not by searching the block for its text (a search per link is quadratic on a
    paragraph of 20,000 links)."""

    def __init__(self, hidden: frozenset[etree._Element], budget: int) -> None:
        self._read: dict[etree._Element, tuple[str, dict[etree._Element, int]] | None] = {}
        self._hidden = hidden
        self._blocks: dict[etree._Element, etree._Element | None] = {}
        self._budget = budget
        """Characters all blocks may read together: nested blocks each holding a link
        would otherwise read the same text once per level."""

    def context(self, element: etree._Element, text: str) -> str | None:
        """The sentence around ``element`` (whose text is ``text``) in its nearest block."""
        if not text:
            return None
        block = self._block_of(element)
        if block is None:
            return None
        if block not in self._read:
            self._read[block] = self._fold(block)
        found = self._read[block]
        if found is None:
            return None
        whole, starts = found
        start = starts.get(element)
        if start is None:
            return None
        if _name(element) == "img":
            # Its alt is no part of the text; where the text says the same nearby (a caption,
            # the link beside it), that sentence. Looked for near the image only.
            start = whole.find(text, max(start - _NEARBY, 0), start + _NEARBY + len(text))
            if start < 0:
                return None
        elif not whole.startswith(text, start):
            return None
        return sentence_around(whole, start, start + len(text)) or None

    def _block_of(self, element: etree._Element) -> etree._Element | None:
        """The nearest block above ``element``; each ancestor's answer is kept, so links
        1,000 inline elements deep do not each walk the 1,000 up."""
        climbed: list[etree._Element] = []
        block = element.getparent()
        while block is not None and _name(block) not in _BLOCKS:
            if block in self._blocks:
                block = self._blocks[block]
                break
            climbed.append(block)
            block = block.getparent()
        for passed in climbed:
            self._blocks[passed] = block
        return block

    def _fold(self, block: etree._Element) -> tuple[str, dict[etree._Element, int]] | None:
        """The block's folded text and starts, or ``None`` once the budget is spent."""
        if self._budget <= 0:
            return None
        found = _folded_with_starts(block, self._hidden, self._budget)
        self._budget -= found[2]
        return (found[0], found[1]) if self._budget >= 0 else None


_CONTEXT_BUDGET = 100_000
_CONTEXT_BUDGET_PER_CHAR = 3


def _folded_with_starts(
    block: etree._Element, hidden: frozenset[etree._Element], budget: int
) -> tuple[str, dict[etree._Element, int], int]:
    """``fold_whitespace`` of the block's text, where in it each linking element's first
    word is (one walk of the block, as ``_text_of`` walks it), and the characters read;
    the walk stops once it has read more than ``budget``."""
    folder = _Folder()
    starts: dict[etree._Element, int] = {}
    if block in hidden:
        return "", starts, 0
    folder.add(block.text or "")
    stack: list[Iterator[etree._Element | str]] = [iter(block)]
    while stack and folder.read <= budget:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, str):
            folder.add(item)
        elif isinstance(item.tag, str) and (name := _name(item)) not in _NOT_TEXT:
            if name in _LINKING:
                starts[item] = folder.next_word_at()
            folder.add(item.text or "")
            stack.append(chain(item, (item.tail or "",)))
        else:
            folder.add(item.tail or "")
    return folder.text(), starts, folder.read


class _Folder:
    """``" ".join("".join(pieces).split())`` built piece by piece, so that the offset of the
    next word is known while the text is read."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._space = False
        self.read = 0
        """Characters and pieces taken in (what the context budget counts)."""

    def next_word_at(self) -> int:
        """Where the next word will start in the folded text."""
        return self._length + 1 if self._space and self._length else self._length

    def add(self, piece: str) -> None:
        self.read += len(piece) + 1
        if not piece:
            return
        words = piece.split()
        if not words:
            self._space = True
            return
        joined = " ".join(words)
        if self._length and (self._space or piece[0].isspace()):
            joined = " " + joined
        self._parts.append(joined)
        self._length += len(joined)
        self._space = piece[-1].isspace()

    def text(self) -> str:
        return "".join(self._parts)


def _anchor_text(element: etree._Element, hidden: frozenset[etree._Element]) -> str:
    """The text a reader sees; the ``alt`` of an image when the link is only an image."""
    text = fold_whitespace(_text_of(element, hidden=hidden))
    if text:
        return text
    alts = [img.get("alt") or "" for img in element.iter("img", "IMG") if img is not element]
    return fold_whitespace(" ".join(alts))


def _robust(get: Callable[[str], str | None]) -> RobustLink | None:
    values = [get(k) for k in ("data-originalurl", "data-versionurl", "data-versiondate")]
    if not any(values):
        return None
    original, version, date = values
    return RobustLink(original_url=original, version_url=version, version_date=date)


def _title(named: _Named, hidden: frozenset[etree._Element]) -> str | None:
    title = next((e for e, name in named if name == "title"), None)
    if title is None:
        return None
    return fold_whitespace(_text_of(title, hidden=hidden)) or None


def _published(named: _Named) -> dt.date | None:
    return _published_in([dict(e.attrib) for e, name in named if name == "meta"])


def _published_in(metas: list[dict[str, str]]) -> dt.date | None:
    """The first publication date among the attributes of the ``<meta>`` tags."""
    for meta in (m for m in metas if m.get("content") is not None):
        key = str(meta.get("property") or meta.get("name") or "").lower()
        if key in _PUBLISHED_META:
            date = find_date((meta.get("content") or "").replace("/", "-"))
            if date is not None:
                return date
    return None
