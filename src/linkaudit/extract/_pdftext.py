"""
PDF page text as a reader sees it: the words under a link, and URLs printed in the text.

**Anchor text by geometry.** A character belongs to a link when the centre of its box lies
inside one of the link's areas (its /QuadPoints, else its rectangle); the characters are
taken in pdfium's reading order. Punctuation at either end whose box pokes out of the
areas is dropped (the full stop after a link). Where the text crosses a line:

* a soft hyphen (U+00AD) goes; pdfium's hyphenation marks (``\\x02``, U+FFFE, which stand
  for a hyphen pdfium took for hyphenation) and a real hyphen at the line end are joined
  without a space, and the hyphen is dropped only when the URL requires it or the joined
  word is found elsewhere in the document (``con-`` + ``ducted``), else kept (``EIP-`` +
  ``1559``, ``well-`` + ``known``);
* a break inside a URL printed as the anchor (the two pieces, joined, are in the link's
  URL) gets no space: no space is ever put inside a URL; any other break is one space.

**Printed URLs.** A line break is taken to be inside a printed URL when the URL runs to
the line's end (a trailing full stop aside) and the next line's first word is URL
material, and either the URL is not complete by itself (it ends with ``/ - . _ ? & = # %
~ : +``, or its host has no known top-level domain: ``www.sciencedirect`` + ``com/…``)
or the next line starts with URL punctuation (``/ ? & = # . _ %``). A first word that is
a reference or footnote number (``12`` followed by prose) or a capitalised plain word
(``Accessed``) never continues a URL. Footnote markers set in smaller type right after a
URL (``…/report.pdf`` + superscript ``3``) are cut off.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote

from linkaudit.extract._pdfium import PageChars, Rect
from linkaudit.extract.context import sentence_around
from linkaudit.extract.text import find_printed, find_urls, url_marks

__all__ = [
    "AnchorText",
    "Hyphen",
    "PageIndex",
    "PrintedUrl",
    "across_pages",
    "anchor_text",
    "comparable",
    "printed_urls",
    "words_of",
]

#: pdfium's marks for a hyphen it took for hyphenation (older builds \x02, newer U+FFFE).
_HYPHEN_MARKS = "\x02\ufffe"
_SOFT_HYPHEN = "\u00ad"
_DROPPED = re.compile(r"[\x00-\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\ufeff\uffff]")
#: What a run of characters loses at once (the soft hyphen stays until the line is closed).
_DROPPED_IN_RUN = re.compile(r"[\x00-\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\uffff]")
_LEADING = "([{\"'\u201c\u2018\u00ab<*\u2022"
_TRAILING = ".,;:!?)]}\"'\u201d\u2019\u00bb>*"
_URL_MARKS = frozenset("/:.@?=&#%_~")
_SENTENCE_END = frozenset(".,;:")
_CLOSERS = {")": "(", "]": "["}
#: Glyphs shorter than this (points) are no text a reader sees: slide software writes
#: hidden copies of the text in 1 pt type under shapes.
_LEGIBLE = 2.5
#: Points of an area's height per row of probes (about a line of text).
_ROW = 12
#: Points a line may reach beyond its first and last glyphs (a raised or lowered glyph).
_SLACK = 1.0
#: pdfium's lines; a hyphenation mark ends one too (pdfium joins the next line to it).
_LINE_ENDS = ("\r", "\n", "\x02", "\ufffe")
_HYPHEN_MARK = re.compile(r"[\x02\ufffe]")
_LINE_END = re.compile(r"[\r\n\x02\ufffe]")
_SPACE = re.compile(r"\s")  # what str.isspace() accepts
_LINE = re.compile(r"[^\r\n\x02\ufffe]*[\x02\ufffe]|[^\r\n\x02\ufffe]+")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_SCHEME_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://")
#: A named tuple made without its generated ``__new__`` (a Python frame each).
_new_tuple = tuple.__new__


# --- anchor text ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hyphen:
    """A hyphen at a line end whose fate waits for the document's words."""

    stem: str
    """The word before the hyphen (letters only)."""
    rest: str
    """The word after the line break (letters only)."""


@dataclass(slots=True)
class AnchorText:
    """The text of one link: strings and undecided hyphens, in order."""

    parts: list[str | Hyphen] = field(default_factory=list)
    url: str = ""
    waits: bool = False
    """A part is a ``Hyphen``: the text waits for the document's words."""

    def render(self, words: frozenset[str]) -> str:
        """The text, each hyphen dropped when its joined word is among ``words``."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Hyphen):
                joined = (part.stem + part.rest).lower()
                out.append("" if joined in words else "-")
            else:
                out.append(part)
        text = " ".join("".join(out).split())
        # A full stop or comma right after a link is the sentence's, not the link's (word
        # processors' rectangles reach over it), unless the URL itself ends so; so is a
        # closing bracket the text does not open: ``(http://x.org/report.pdf)``.
        while text and not self.url.endswith(text[-1]):
            last = text[-1]
            unopened = last in _CLOSERS and text.count(last) > text.count(_CLOSERS[last])
            if not (unopened or last in _SENTENCE_END):
                break
            text = text[:-1].rstrip()
        return text


class PageIndex:
    """
    The characters of a page a reader can see, sorted by their vertical centre.

    Glyphs too small to read are left out: slide software (PowerPoint's PDF export)
    writes hidden 1 pt copies of the text, which no reader sees.
    """

    def __init__(self, chars: PageChars) -> None:
        self.chars = chars
        self._lines: tuple[list[int], list[int]] | None = None
        self._runs: list[tuple[int, int]] = []
        """Runs of one text object found inside a link's area (``_whole_run``)."""

    def _spans(self) -> tuple[list[int], list[int]]:
        """Where pdfium's lines start and end (read once)."""
        if self._lines is None:
            spans = [match.span() for match in _LINE.finditer(self.chars.text)]
            self._lines = ([span[0] for span in spans], [span[1] for span in spans])
        return self._lines

    def _line_of(self, index: int) -> tuple[int, int] | None:
        """The pdfium line holding character ``index``: (first index, end index), found
        from ``index`` outwards (a page's links need few of its lines)."""
        text = self.chars.text
        if text[index] in "\r\n":
            return None
        first = 1 + max(text.rfind(mark, 0, index) for mark in _LINE_ENDS)
        if text[index] in _HYPHEN_MARKS:
            return first, index + 1
        ends = [at for at in (text.find(mark, index) for mark in _LINE_ENDS) if at >= 0]
        if not ends:
            return first, len(text)
        end = min(ends)
        return first, end + 1 if text[end] in _HYPHEN_MARKS else end

    def inside(self, areas: Sequence[Rect]) -> list[int]:
        """The indices of the characters whose centre lies in any of ``areas``, in order.

        pdfium finds a character under each row of an area; the walk goes left and right
        from it along its line while the glyphs still reach the area, so only the link's
        own glyphs (and one on each side) are read.
        """
        found: set[int] = set()
        for area in areas:
            if area.top - area.bottom < 1.5 * _ROW:  # one line: read from its two ends
                run = self._whole_run(area)
                if run is not None:
                    if len(areas) == 1:
                        return run  # in order already
                    found.update(run)
                    continue
            hits = self.chars.indices_at(_probes(area))
            for hit in hits:
                self._walk_on(area, hit, found)
            if not hits:  # text far smaller than its rectangle: look through the lines
                found.update(self._scan(area))
        return sorted(found)

    def _walk_on(self, area: Rect, hit: int, found: set[int]) -> None:
        """``_walk`` from ``hit`` along its pdfium line and on along the visual line both
        ways: pdfium ends a line at a raised footnote mark (``each year³, representing…``,
        ``…Guide.pdf)`` + ``[1] is…``), and the words on the other side lie in the area too."""
        line = self._line_of(hit)
        if line is None:
            return
        walked = self._walk(area, hit, *line)
        found.update(walked)
        for step in (1, -1):
            here: tuple[int, int] | None = line
            part = walked
            while here is not None and part:
                beside = self._beside(area, here, part, step, found)
                if beside is None:
                    break
                here = self._line_of(beside)
                if here is None:
                    break
                part = self._walk(area, beside, *here)
                found.update(part)

    def _beside(
        self, area: Rect, line: tuple[int, int], walked: list[int], step: int, found: set[int]
    ) -> int | None:
        """The character of the next (``step`` 1) or previous (-1) pdfium line that goes on
        ``line`` along its visual line inside ``area``, when the walk reached that end."""
        text, boxes = self.chars.text, self.chars.boxes
        first, end = line
        if step > 0:
            edge = end - 1
            while edge > first and text[edge].isspace():
                edge -= 1
            if max(walked) < edge:
                return None  # the walk left the area before the line's end
            beside = end
            while beside < len(text) and text[beside] in "\r\n":
                beside += 1
            if beside >= len(text):
                return None
        else:
            edge = first
            while edge < end - 1 and text[edge].isspace():
                edge += 1
            if min(walked) > edge:
                return None
            beside = first - 1
            while beside >= 0 and text[beside] in "\r\n":
                beside -= 1
            if beside < 0:
                return None
        if beside in found or text[beside] in _HYPHEN_MARKS:
            return None
        if not (_centre_in(boxes[beside], area) and self.same_line(edge, beside)):
            return None
        return beside

    def _whole_run(self, area: Rect) -> list[int] | None:
        """
        The characters of a one-line ``area`` read from its two ends: pdfium finds the
        glyph under each end; when both lie inside the area, their neighbours outside it,
        and every glyph between them belongs to one text object (pdfium counts one
        rectangle for them: one run drawn along one baseline), every glyph between lies
        inside too, and only the end glyphs' boxes are read instead of one per glyph.
        ``None`` when any of that does not hold (the walk decides).
        """
        chars = self.chars
        ends = chars.ends_at(area)
        if ends is None:
            return None
        start, end = ends
        text, boxes = chars.text, chars.boxes
        while start <= end and text[start].isspace():
            start += 1
        while end >= start and text[end].isspace():
            end -= 1
        if start > end or _LINE_END.search(text, start, end + 1) is not None:
            return None
        # ``_centre_in`` written out (four glyphs a link).
        left, bottom, right, top = area
        for index in (start, end):
            box = boxes[index]
            if box.top - box.bottom < _LEGIBLE or box.right <= box.left:
                return None
            x, y = (box.left + box.right) / 2, (box.bottom + box.top) / 2
            if not (left <= x <= right and bottom <= y <= top):
                return None
        size = len(text)
        for index, step in ((start - 1, -1), (end + 1, 1)):
            while 0 <= index < size and text[index] in " \t":
                index += step
            if 0 <= index < size and text[index] not in "\r\n":
                box = boxes[index]
                if box.top - box.bottom >= _LEGIBLE and box.right > box.left:
                    x, y = (box.left + box.right) / 2, (box.bottom + box.top) / 2
                    if left <= x <= right and bottom <= y <= top:
                        return None
        if end > start and not chars.one_run(start, end):
            return None
        self._runs.append((start, end))
        if _SPACE.search(text, start, end + 1) is None:
            return list(range(start, end + 1))
        return [index for index in range(start, end + 1) if not text[index].isspace()]

    def cut_at_margin(self, last: int, first: int) -> bool:
        """
        Character ``last`` ends a line that fills its column and ``first`` starts the line
        right below, in type of the same size, where ``last``'s line starts: the line
        broke because nothing more fitted (a centred page number or an indented line is
        something else).
        """
        text, boxes = self.chars.text, self.chars.boxes
        line = self._line_of(last)
        if line is None:
            return False
        upper, lower, start = boxes[last], boxes[first], boxes[line[0]]
        height = max(upper.height, lower.height, 1.0)
        if abs(upper.height - lower.height) > 0.15 * height or not text[first].strip():
            return False
        drop = (upper.bottom + upper.top - lower.bottom - lower.top) / 2
        if not (0.8 * height < drop <= 2.0 * height and abs(lower.left - start.left) <= 1.0):
            return False
        middle = (upper.bottom + upper.top) / 2
        column = self.column_right(start.left, upper.right, middle, 20 * height)
        return upper.right >= column - 0.5 * height

    def column_right(self, left: float, right: float, middle: float, reach: float) -> float:
        """The furthest right end of the lines within ``reach`` of height ``middle`` that
        overlap ``left``-``right`` across (the lines of one column; 0 when none)."""
        text, boxes = self.chars.text, self.chars.boxes
        found = 0.0
        for first, end in zip(*self._spans(), strict=True):
            last = end - 1
            while last > first and text[last].isspace():
                last -= 1
            head, tail = boxes[first], boxes[last]
            if abs((head.bottom + head.top) / 2 - middle) > reach:
                continue
            if head.left < right and tail.right > left:
                found = max(found, tail.right)
        return found

    def _scan(self, area: Rect) -> Iterator[int]:
        """Every character inside ``area``, line by line (lines whose first and last
        glyphs are level with the area)."""
        text, boxes = self.chars.text, self.chars.boxes
        for first, end in zip(*self._spans(), strict=True):
            head, tail = boxes[first], boxes[end - 1]
            if max(head.top, tail.top) < area.bottom or min(head.bottom, tail.bottom) > area.top:
                continue
            for index in range(first, end):
                box = boxes[index]
                if box.height < _LEGIBLE or box.right <= box.left or text[index].isspace():
                    continue
                x, y = (box.left + box.right) / 2, (box.bottom + box.top) / 2
                if area.left <= x <= area.right and area.bottom <= y <= area.top:
                    yield index

    def _walk(self, area: Rect, hit: int, first: int, end: int) -> list[int]:
        """From ``hit``, the characters of its line inside ``area``, both ways: a walk
        ends at the first glyph outside once it has found one inside (pdfium's hit may
        lie just outside the area, a few glyphs are allowed before that)."""
        text, boxes = self.chars.text, self.chars.boxes
        inside: list[int] = []
        for step, stop in ((-1, first - 1), (1, end)):
            index = hit if step < 0 else hit + 1
            found = False
            missed = 0
            while index != stop:
                box = boxes[index]
                if box.height >= _LEGIBLE and box.right > box.left and not text[index].isspace():
                    x, y = (box.left + box.right) / 2, (box.bottom + box.top) / 2
                    if area.left <= x <= area.right and area.bottom <= y <= area.top:
                        inside.append(index)
                        found = True
                    elif found or missed == 2:
                        break
                    else:
                        missed += 1
                index += step
        return inside

    def trimmed(self, indices: list[int], areas: Sequence[Rect]) -> list[int]:
        """
        ``indices`` without end punctuation that pokes out of every area, and without a
        piece of a word at either end that the areas only clip (word processors draw link
        rectangles a little wider than the text: ``Repository t`` where ``to`` follows).
        """
        text, boxes = self.chars.text, self.chars.boxes
        if _BRACKETED_NUMBER.match("".join(text[i] for i in indices)):
            return indices  # a note's number linked with its brackets: ``[1]``, ``(12)``
        start, stop = 0, len(indices)
        while True:
            before = (start, stop)
            while start < stop and text[indices[start]] in _LEADING:
                if self._within(boxes[indices[start]], areas):
                    break
                start += 1
            while stop > start and text[indices[stop - 1]] in _TRAILING:
                if self._within(boxes[indices[stop - 1]], areas):
                    break
                stop -= 1
            start, stop = self._whole_words(indices, start, stop)
            if (start, stop) == before:
                return self._unclipped(indices[start:stop])

    def in_link_colour(self, indices: list[int], areas: Sequence[Rect]) -> list[int]:
        """
        A link wrapped over lines under one rectangle (wkhtmltopdf, Qt: the box round all
        the link's lines, no quad points) holds the whole of its first and last lines. When
        the link is set in a colour of its own, a reader sees it from where that colour
        starts on the first line to where it ends on the last: the run in the colour that
        ends the first line and starts the last, with the lines between. Text of one colour
        throughout is left as it is (nothing tells the link apart).
        """
        if len(areas) != 1 or len(indices) < 2 or self.same_line(indices[0], indices[-1]):
            return indices
        text, fill = self.chars.text, self.chars.fill
        seen = [i for i in indices if not text[i].isspace()]
        top = [i for i in seen if self.same_line(seen[0], i)]
        bottom = [i for i in seen if self.same_line(seen[-1], i)]
        colour = fill(top[-1])
        if colour is None or fill(bottom[0]) != colour:
            return indices
        # A footnote mark in smaller type is a link of its own, even in the same colour.
        boxes = self.chars.boxes
        size = 0.85 * boxes[top[-1]].height
        head = len(top)
        while head > 0 and fill(top[head - 1]) == colour and boxes[top[head - 1]].height >= size:
            head -= 1
        size = 0.85 * boxes[bottom[0]].height
        tail = 0
        while (
            tail < len(bottom)
            and fill(bottom[tail]) == colour
            and boxes[bottom[tail]].height >= size
        ):
            tail += 1
        if head == 0 and tail == len(bottom):
            return indices
        start, end = top[head], bottom[tail - 1]
        return [i for i in indices if start <= i <= end]

    def _unclipped(self, indices: list[int]) -> list[int]:
        """
        A link whose one word the areas clip reads the whole word: its rectangle is set off
        the text (Quartz from Word sets one 16 pt right of ``www.fai.gov``, over ``i.gov.``)
        and a reader sees the word underlined, not a piece of it. Only a single run of
        characters with a letter or digit cut on either side grows, along its line.
        """
        text = self.chars.text
        if not indices or indices[-1] - indices[0] + 1 != len(indices):
            return indices
        if any(text[i].isspace() for i in indices):
            return indices  # several words: ``_whole_words`` has settled the ends
        boxes = self.chars.boxes
        size = 0.8 * max(boxes[i].height for i in indices)

        def part_of_word(index: int, beside: int) -> bool:
            # Not a footnote marker in smaller type, nor the next line.
            return (
                not text[index].isspace()
                and boxes[index].height >= size
                and self.same_line(index, beside)
            )

        first = start = indices[0]
        last = end = indices[-1]
        if first > 0 and text[first - 1].isalnum() and text[first].isalnum():
            while start > 0 and part_of_word(start - 1, first):
                start -= 1
        if last + 1 < len(text) and text[last + 1].isalnum() and text[last].isalnum():
            while end + 1 < len(text) and part_of_word(end + 1, last):
                end += 1
        return list(range(start, end + 1)) if (start, end) != (first, last) else indices

    def _whole_words(self, indices: list[int], start: int, stop: int) -> tuple[int, int]:
        """Drop a clipped word at either end, when the link has other words."""
        text = self.chars.text
        if stop - start < 2:
            return start, stop
        last = indices[stop - 1]
        if last + 1 < len(text) and text[last + 1].isalnum() and not self._marker(last + 1, last):
            cut = stop - 1
            while cut > start and indices[cut - 1] == indices[cut] - 1:
                cut -= 1
            if cut > start and not text[indices[cut - 1] + 1 : indices[cut]].strip():
                stop = cut
        first = indices[start]
        if first > 0 and text[first - 1].isalnum():
            cut = start
            while cut + 1 < stop and indices[cut + 1] == indices[cut] + 1:
                cut += 1
            if cut + 1 < stop and not text[indices[cut] + 1 : indices[cut + 1]].strip():
                start = cut + 1
        return start, stop

    def _marker(self, index: int, beside: int) -> bool:
        """Character ``index`` is set in smaller type than ``beside``, or raised above it (a
        superscript glyph of the same font: Typst's ``guide¹``): a footnote mark after a
        word, not the rest of the word."""
        boxes = self.chars.boxes
        if boxes[index].height < 0.85 * boxes[beside].height:
            return True
        if not self.chars.text[index].isdigit():
            return False
        mark, base = self.chars.glyph_bottom(index), self.chars.glyph_bottom(beside)
        return mark is not None and base is not None and mark - base > 0.3 * boxes[beside].height

    @staticmethod
    def _within(box: Rect, areas: Sequence[Rect]) -> bool:
        middle = (box.bottom + box.top) / 2
        return any(
            area.bottom <= middle <= area.top
            and box.left >= area.left - 0.5
            and box.right <= area.right + 0.5
            for area in areas
        )

    def same_line(self, first: int, second: int) -> bool:
        """The two characters sit on one text line (their vertical centres are close)."""
        for start, end in reversed(self._runs):
            if start <= first <= end and start <= second <= end:
                return True  # one text object read whole: one baseline
        boxes = self.chars.boxes
        a, b = boxes[first], boxes[second]
        height = max(a.height, b.height, 1.0)
        return abs((a.bottom + a.top) - (b.bottom + b.top)) / 2 < 0.5 * height

    def run_start(self, index: int) -> int:
        """The first character of the run of text ``index`` is in: back along its line to
        the line's start or to a gap wider than two line heights (a table's other cell)."""
        text, boxes = self.chars.text, self.chars.boxes
        start = index
        cursor = index - 1
        while cursor >= 0 and text[cursor] not in "\r\n" and text[cursor] not in _HYPHEN_MARKS:
            if not text[cursor].isspace() and boxes[cursor].right > boxes[cursor].left:
                here, there = boxes[start], boxes[cursor]
                if not self.same_line(start, cursor):
                    break
                if here.left - there.right > 2 * max(here.height, 1.0):
                    break
                start = cursor
            cursor -= 1
        return start

    def line_end(self, index: int) -> bool:
        """Nothing but spaces follow ``index`` on its line (or what follows is far off)."""
        return self._edge(index, 1)

    def line_start(self, index: int) -> bool:
        """Nothing but spaces precede ``index`` on its line (or what precedes is far off)."""
        return self._edge(index, -1)

    def _runs_to_line_end(self, index: int) -> bool:
        """From ``index`` to the line break there is no space: the rest of one word."""
        text = self.chars.text
        cursor = index
        while cursor < len(text) and not text[cursor].isspace():
            cursor += 1
        return cursor == len(text) or text[cursor] in "\r\n"

    def _edge(self, index: int, step: int) -> bool:
        text, boxes = self.chars.text, self.chars.boxes
        here = boxes[index]
        cursor = index + step
        while 0 <= cursor < len(text):
            char = text[cursor]
            if char in "\r\n":
                return True
            if step > 0 and not char.isspace() and self._runs_to_line_end(cursor):
                return True  # ``File:Tricoloring`` + ``.`` (or a word past the margin)
            if not char.isspace() and boxes[cursor].right > boxes[cursor].left:
                if not self.same_line(index, cursor):
                    return True
                there = boxes[cursor]
                gap = there.left - here.right if step > 0 else here.left - there.right
                return gap > 2 * max(here.height, 1.0)
            cursor += step
        return True


def _centre_in(box: Rect, area: Rect) -> bool:
    """A legible glyph whose centre lies inside ``area``."""
    if box.height < _LEGIBLE or box.right <= box.left:
        return False
    x, y = (box.left + box.right) / 2, (box.bottom + box.top) / 2
    return area.left <= x <= area.right and area.bottom <= y <= area.top


def _probes(area: Rect) -> list[list[tuple[float, float]]]:
    """Rows of points over ``area`` (a row per 12 points of height), each row's points
    in the order to try them: middle, left, right (pdfium's look-up reads the whole page,
    so one that hits is enough for the row)."""
    rows = max(1, min(24, round(area.height / _ROW)))
    step = area.height / rows
    inset = min(1.0, (area.right - area.left) / 4)
    xs = ((area.left + area.right) / 2, area.left + inset, area.right - inset)
    return [[(x, area.bottom + step * (row + 0.5)) for x in xs] for row in range(rows)]


def anchor_text(index: PageIndex, indices: list[int], uri: str) -> AnchorText:
    """The text a reader sees in characters ``indices`` of the page, lines joined.

    The characters go in runs of neighbours in pdfium's order (a run ends after a
    hyphenation mark, where pdfium joined the next line): what joins two runs is decided
    between them, a run itself is copied whole."""
    text = index.chars.text
    target: str | None = None  # comparable(uri), made when a line break needs it
    result = AnchorText(url=uri)
    current: list[str] = []
    previous: int | None = None
    at, count = 0, len(indices)
    marks = bool(indices) and _HYPHEN_MARK.search(text, indices[0], indices[-1] + 1) is not None
    # Where runs end when no hyphenation mark splits one: at the gaps between indices.
    ends = iter([j for j in range(1, count) if indices[j] != indices[j - 1] + 1] + [count])
    while at < count:
        position = indices[at]
        if marks:
            stop = at + 1
            while (
                stop < count
                and indices[stop] == indices[stop - 1] + 1
                and text[indices[stop - 1]] not in _HYPHEN_MARKS
            ):
                stop += 1
        else:
            stop = next(ends)
        if previous is not None:
            gap = text[previous + 1 : position]
            # Neighbours in pdfium's order share a line, unless pdfium joined the next
            # line to a hyphen it took for hyphenation.
            adjacent = not gap and text[previous] not in _HYPHEN_MARKS
            if "\r" in gap or "\n" in gap or not (adjacent or index.same_line(previous, position)):
                if target is None:
                    target = _uri_target(uri)
                _join_lines(result, current, _next_word(text, indices, at), target)
                current = []
            elif gap and not _gap_in_url(current, text, indices, at, uri):
                current.append(" ")
        previous = indices[stop - 1]
        current.append(_DROPPED_IN_RUN.sub("", text[position : previous + 1]))
        at = stop
    result.parts.append(_clean("".join(current)))
    return result


def across_pages(first: AnchorText, second: AnchorText) -> AnchorText:
    """The text of a link that ends one page and goes on at the top of the next (Chromium
    writes one annotation a page): joined as a line break inside the link is."""
    parts = list(first.parts)
    last = parts[-1] if parts and isinstance(parts[-1], str) else ""
    head = "".join(part for part in second.parts if isinstance(part, str)).lstrip()
    rest = head.split(" ", 1)[0]
    waits = first.waits or second.waits
    joint: list[str | Hyphen] = [" "]
    if last.endswith("-") and _letters(last[:-1], tail=True) and _letters(rest):
        parts[-1] = last[:-1]
        joint = [Hyphen(_letters(last[:-1], tail=True), _letters(rest))]
        waits = True
    elif _url_continues([last], rest, _uri_target(first.url)):
        joint = []
    return AnchorText(parts + joint + list(second.parts), first.url, waits)


def _join_lines(result: AnchorText, current: list[str], rest: str, target: str) -> None:
    """Close the line in ``current`` and decide what joins it to the word ``rest``."""
    line = "".join(current)
    if line.endswith(_SOFT_HYPHEN):
        result.parts.append(_clean(line))  # the soft hyphen goes: the word continues
        return
    if line[-1:] in _HYPHEN_MARKS or line.endswith("-"):
        stem = _clean(line[:-1])
        last = stem.split(" ")[-1] if stem else ""
        result.parts.append(stem)
        if comparable(last + rest) in target and comparable(last + "-" + rest) not in target:
            return  # the URL runs on without the hyphen
        if comparable(last + "-" + rest) in target or not _letters(last) or not _letters(rest):
            result.parts.append("-")
            return
        result.parts.append(Hyphen(_letters(last, tail=True), _letters(rest)))
        result.waits = True
        return
    cleaned = _clean(line)
    result.parts.append(cleaned)
    if not _url_continues([cleaned], rest, target):
        result.parts.append(" ")


def _gap_in_url(current: Sequence[str], text: str, indices: list[int], at: int, uri: str) -> bool:
    """``_url_continues`` over a gap on one line, the next word read only when the URL
    could go on (a word before it with URL punctuation, or a next word that starts so)."""
    first = text[indices[at]]
    if first.isalnum() and _URL_MARKS.isdisjoint("".join(current).rsplit(" ", 1)[-1]):
        return False
    return _url_continues(current, _next_word(text, indices, at), _uri_target(uri))


def _url_continues(current: Sequence[str], rest: str, target: str) -> bool:
    """The word before the break and ``rest`` are two pieces of the link's URL."""
    # A URL printed in brackets or quotes inside the text: ``(https://`` + ``www.x.org)``.
    before = "".join(current).split(" ")[-1].lstrip("([{<\"'\u201c\u2018")
    if not before or not rest:
        return False
    if not (_URL_MARKS & set(before) or rest[0] in _URL_MARKS):
        return False
    joined = comparable(before + rest)
    # The text may print another scheme than the link's (``https://`` over ``http://``).
    return joined in target or _SCHEME_PREFIX.sub("", joined, count=1) in target


def _next_word(text: str, indices: list[int], at: int) -> str:
    """The word that starts at ``indices[at]`` (only characters of the link)."""
    chars: list[str] = []
    previous = indices[at] - 1
    for index in indices[at:]:
        if index != previous + 1 or text[index].isspace():
            break
        chars.append(text[index])
        previous = index
    return _clean("".join(chars)).strip(_TRAILING)


def _clean(text: str) -> str:
    return _DROPPED.sub("", text.replace("\ufffe", "-").replace("\x02", "-"))


def comparable(text: str) -> str:
    """``text`` as compared with a URL: percent-escapes decoded, lower case, no spaces."""
    # Backslashes go: a TeX source's ``\\_`` printed as is should not part a URL.
    return "".join(unquote(text).lower().replace("\\", "").split())


@lru_cache(maxsize=256)
def _uri_target(uri: str) -> str:
    """``comparable(uri)``, kept: a link's text may ask for it at every gap."""
    return comparable(uri)


def _letters(word: str, tail: bool = False) -> str:
    """The letters of ``word`` (the last run of them with ``tail``), or '' when it has
    something else inside (a number, a URL)."""
    runs: list[str] = _WORD.findall(word)
    if not runs:
        return ""
    return runs[-1] if tail else runs[0]


def words_of(text: str) -> set[str]:
    """The lower-cased words of a page's text, for the hyphen decisions."""
    return {word.lower() for word in _WORD.findall(_clean(text))}


# --- printed URLs -------------------------------------------------------------------

_OPEN_END = "/?&=#_%~:+-."
_CONTINUATION_START = "/?&=#._%"
_URL_WORD = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_BRACKETED_NUMBER = re.compile(r"^(?:\[\d{1,3}\]|\(\d{1,3}\))$")
_REFERENCE_LABEL = re.compile(r"^(?:\[\d{1,3}\]|\d{1,3}:)$")
_REFERENCE_NUMBER = re.compile(r"^\[?\d{1,3}[.):\]]?$")
_EXTENSIONS = frozenset(
    [
        "pdf",
        "html",
        "htm",
        "php",
        "aspx",
        "asp",
        "jsp",
        "cfm",
        "shtml",
        "xhtml",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "csv",
        "json",
        "xml",
        "txt",
        "zip",
        "gz",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "md",
    ]
)
_EXTENSION = re.compile(r"\.(?:" + "|".join(sorted(_EXTENSIONS)) + r")$", re.IGNORECASE)
_EXTENSION_START = re.compile(r"/[^/]*\.([A-Za-z]{1,4})$")
_SCHEME_ONLY = re.compile(r"(?:https?|ftp):$", re.IGNORECASE)
# The top-level domains cited in practice; any two-letter label is a country code.
_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "mil",
        "int",
        "info",
        "biz",
        "name",
        "pro",
        "aero",
        "coop",
        "museum",
        "mobi",
        "jobs",
        "travel",
        "app",
        "dev",
        "io",
        "ai",
        "xyz",
        "online",
        "site",
        "tech",
        "blog",
        "news",
        "wiki",
        "page",
        "science",
        "health",
        "global",
        "africa",
        "asia",
        "eu",
        "swiss",
        "berlin",
        "london",
        "paris",
        "nyc",
        "tokyo",
        "cloud",
        "google",
        "microsoft",
        "amazon",
        "foundation",
        "institute",
        "network",
        "center",
        "studio",
        "digital",
        "media",
        "today",
        "world",
        "one",
        "live",
        "academy",
        "agency",
        "research",
        "solutions",
        "systems",
        "international",
    ]
)


class PrintedUrl(NamedTuple):
    """A URL as printed on one page, with the logical line it sits in (a named tuple:
    made for every printed URL, faster than a frozen dataclass)."""

    url: str
    offset: int
    """Start in the page's text (pdfium's character index)."""
    end: int
    """End in the page's text (exclusive)."""
    joined: str
    """The page's text with URL-continuing line breaks removed, for the context."""
    joined_span: tuple[int, int]

    def context(self) -> str:
        """The sentence around the URL."""
        return sentence_around(self.joined, *self.joined_span)


def printed_urls(
    page_text: str,
    font_size: Callable[[int], float] | None = None,
    cut_at_margin: Callable[[int, int], bool] | None = None,
) -> list[PrintedUrl]:
    """
    Every bare URL in ``page_text`` (pdfium's text, lines ending ``\\r\\n`` or ``\\n``),
    broken URLs rejoined; offsets are indices into ``page_text``. ``font_size`` (of the
    character at an index) lets footnote markers in smaller type be cut off a URL;
    ``cut_at_margin(last, first)``, that character ``last`` ends a full line and ``first``
    starts the line below it in the same column, lets a URL cut where it met the margin
    (no break opportunity in it) be read whole.
    """
    text = page_text.replace("\ufffe", "-").replace("\x02", "-")
    lower = text.lower()
    if "//" not in text and "www." not in lower and "doi" not in lower:
        return []  # no URL, none broken after its scheme, and no printed DOI
    joined, origin = _join_lines_of(text, cut_at_margin)
    found: list[PrintedUrl] = []
    for start, end, url in find_printed(joined):
        first, last = origin(start), origin(end - 1) + 1
        if font_size is not None:
            url, last = _cut_marker(url, first, last, text, font_size)
        found.append(_new_tuple(PrintedUrl, (url, first, last, joined, (start, start + len(url)))))
    return found


def _url_hints(text: str) -> list[int]:
    """Where a line may hold a URL that runs on to the next line (``_continues`` decides):
    ``://``, ``www.`` in any case, a colon at the line end (``https:``); found with
    ``str.find``, which on a page of prose is many times faster than a regular expression."""
    hints = url_marks(text)
    colons = _all(text, ":\r") + _all(text, ":\n")
    if text.endswith(":"):
        colons.append(len(text) - 1)
    return sorted(hints + colons) if colons else hints


def _all(text: str, part: str) -> list[int]:
    """Where ``part`` starts in ``text``."""
    found: list[int] = []
    at = text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


def _join_lines_of(
    text: str, cut_at_margin: Callable[[int, int], bool] | None = None
) -> tuple[str, Callable[[int], int]]:
    """The text with URL-continuing line breaks removed and the others made ``\\n``, and
    the offset in ``text`` of an offset in it. Only lines holding a URL are looked at; the
    page is not split into lines (a ``\\r\\n`` keeps its ``\\r``, as ``\\n``, and loses its
    ``\\n``), so the offsets map through the few characters removed."""
    glued: list[tuple[int, int]] = []  # (start, end) of each break a URL runs over
    done = -1  # where the last line looked at ends
    for hint in _url_hints(text):
        if hint < done:
            continue
        first = 1 + max(text.rfind("\r", 0, hint), text.rfind("\n", 0, hint))
        stop = _line_end(text, first)
        current = text[first:stop]
        while stop < len(text) and _open_end(current):
            after = stop + (2 if text.startswith("\r\n", stop) else 1)
            next_stop = _line_end(text, after)
            following = text[after:next_stop]
            if not _continues(current, following) and not (
                cut_at_margin is not None
                and _cut_word(current, following)
                and cut_at_margin(stop - 1, after)
            ):
                break
            glued.append((stop, after))
            current += text[after:next_stop]
            stop = next_stop
        done = stop + 1
    if not glued and "\r" not in text:
        return text, _same_offset
    pairs = text.count("\r\n")
    if not glued and pairs == text.count("\r") == text.count("\n"):
        # Every break a \r\n that loses its \n: an offset moves by the breaks before it.
        crlf_joined = text.replace("\r\n", "\n")
        return crlf_joined, lambda offset: offset + crlf_joined.count("\n", 0, offset)
    removed = [match.start() + 1 for match in _CRLF.finditer(text)]
    if glued:
        cut = {at for start, end in glued for at in range(start, end)}
        removed = sorted(cut.union(at for at in removed if at not in cut))
        kept, last = [], 0
        for at in removed:
            kept.append(text[last:at])
            last = at + 1
        kept.append(text[last:])
        joined = "".join(kept).replace("\r", "\n")
    else:
        joined = text.replace("\r\n", "\n").replace("\r", "\n")
    keys = [at - count for count, at in enumerate(removed)]

    def origin(offset: int) -> int:
        return offset + bisect_right(keys, offset)

    return joined, origin


def _same_offset(offset: int) -> int:
    return offset


def _line_end(text: str, start: int) -> int:
    """Where the line starting at ``start`` ends (its break, or the text's end): the
    first ``\r``, or a ``\n`` before it (looked for only up to it)."""
    carriage = text.find("\r", start)
    if carriage < 0:
        carriage = len(text)
    newline = text.find("\n", start, carriage)
    return carriage if newline < 0 else newline


_CRLF = re.compile("\r\n")


def _open_end(line: str) -> bool:
    """``_continues(line, nxt)`` or ``_cut_word(line, nxt)`` may hold for some next line:
    their checks that read ``line`` alone, so that most lines are closed without reading
    the next."""
    if _SCHEME_ONLY.search(line[-6:]) is not None:
        return True
    if not line or line[-1].isspace():
        return False
    last = line.rsplit(None, 1)[-1]
    return "://" in last or "www." in last.lower() or "@" in last


def _continues(line: str, nxt: str) -> bool:
    """The break between ``line`` and ``nxt`` is inside a printed URL."""
    if _SCHEME_ONLY.search(line[-6:]) is not None:  # the longest, ``https:``
        return nxt.startswith("//")
    if not nxt or nxt[0].isspace() or ("://" not in line and "www." not in line.lower()):
        return False
    end = len(line.rstrip())
    if end != len(line):
        return False
    last = line.rsplit(None, 1)[-1]
    if "://" not in last and "www." not in last.lower() and "@" not in last:
        return False  # no URL or address in the last word: none runs to the line end
    found = find_urls(line)
    if not found:
        return False
    _, stop, url = found[-1]
    head = nxt.split(None, 1)[0]
    if stop != end:
        if line[stop:end] != "." or stop + 1 != end:
            return False
        # A full stop that find_urls trimmed: the host's inner dot (``www.sciencedirect.``
        # + ``com/…``) or a file name's (``paper.`` + ``pdf``), else the sentence's end.
        return _inner_dot(url, head.rstrip(".,;:)"))
    after = nxt[len(head) :].lstrip()
    if find_urls(head) and find_urls(head)[0][0] == 0:
        return False  # the next line starts a URL of its own
    if _REFERENCE_NUMBER.match(head) and after[:1].isalpha():
        return False  # a footnote or reference number, then its text
    if not after and _REFERENCE_LABEL.match(head):
        return False  # a reference's label alone, its URL too long to fit beside it
    word = head.rstrip(".,;:)")
    if not word or not _URL_WORD.match(word):
        return False
    if head[0] in _CONTINUATION_START or _path_like(word) or _split_extension(url, word):
        return True
    if _complete(url):
        return False
    marks = any(c in "/.-_=&?%#" or c.isdigit() for c in word)
    return marks or (url[-1] in _OPEN_END and (word[0].islower() or word[0].isdigit()))


def _cut_word(line: str, nxt: str) -> bool:
    """``line`` ends with a URL and ``nxt`` is one word of URL material alone on its line,
    not a word of prose nor a label: what is left of a URL cut at the margin
    (LibreOffice breaks a word too long for the line where it meets the margin:
    ``…/SB1000…2946`` + ``0``). The geometry decides the rest."""
    word = nxt.strip()
    if not word or word != nxt or " " in word or not line or line[-1].isspace():
        return False
    last = line.rsplit(None, 1)[-1]
    if "://" not in last and "www." not in last.lower():
        return False
    if not _URL_WORD.match(word) or _REFERENCE_LABEL.match(word):
        return False
    if find_urls(word) and find_urls(word)[0][0] == 0:
        return False  # a URL of its own
    return word[0].islower() or any(c.isdigit() or c in "/.-_=&?%#~" for c in word)


def _inner_dot(url: str, word: str) -> bool:
    """``url`` + ``.`` + ``word`` is one URL broken after a dot."""
    if not word or not _URL_WORD.match(word):
        return False
    if _split_extension(url + ".", word):
        return True
    after_scheme = url.split("://", 1)[-1]
    in_host = not re.search(r"[/?#]", after_scheme)
    return in_host and not _complete(url) and "/" in word and word[0].isalnum()


def _path_like(word: str) -> bool:
    """``a/file/78959/All_About_Open_Source_v2_0``: the rest of a path, not prose like
    ``and/or`` (two slashes, or one and a file name)."""
    return word[:1].islower() and (
        word.count("/") >= 2 or ("/" in word and _EXTENSION.search(word) is not None)
    )


def _split_extension(url: str, word: str) -> bool:
    """``…/m_16_21.p`` + ``df``: a file extension cut by the line break."""
    cut = _EXTENSION_START.search(url)
    return cut is not None and (cut.group(1) + word).lower() in _EXTENSIONS


def _complete(url: str) -> bool:
    """The URL could end here: a known top-level domain and no open end."""
    if url[-1] in _OPEN_END:
        return False
    rest = url.split("://", 1)[-1]
    host = re.split(r"[/?#:]", rest, maxsplit=1)[0].lower()
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    return (len(tld) == 2 and tld.isalpha()) or tld in _TLDS or tld.startswith("xn--")


def _cut_marker(
    url: str, first: int, last: int, text: str, font_size: Callable[[int], float]
) -> tuple[str, int]:
    """Drop trailing digits set smaller than the URL before them (a footnote marker)."""
    digits = len(url) - len(url.rstrip("0123456789"))
    if not digits or digits == len(url) or last - first != len(url):
        return url, last
    body = font_size(last - digits - 1)
    marker = font_size(last - digits)
    if body > 0 and 0 < marker < 0.85 * body:
        return url[:-digits], last - digits
    return url, last
