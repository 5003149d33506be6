"""PdfExtractor on PDFs built at test time with reportlab (tests/helpers/builders/pdf.py)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest

from helpers.builders import pdf as build
from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument, EncryptedDocument
from linkaudit.extract._pdftext import printed_urls
from linkaudit.extract.pdf import PdfExtractor
from linkaudit.models import Element, Extraction, Part, Source

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

BASE = "file:///briefs/brief.pdf"
A, B = Element.ANNOTATION, Element.BARE


def extract(data: bytes, **settings: object) -> Extraction:
    return PdfExtractor().extract(Source("brief.pdf", data, BASE), Settings().replace(**settings))


def rows(extraction: Extraction) -> list[tuple[str, str, int | None, Part, Element]]:
    return [(o.url, o.text, o.page, o.part, o.element) for o in extraction.occurrences]


def test_every_occurrence_of_the_links_pdf() -> None:
    assert rows(extract(build.links_pdf())) == [
        ("https://example.org/retaliation", "economic retaliation", 1, Part.BODY, A),
        ("https://example.org/report", "the full report of the commission", 1, Part.BODY, A),
        ("https://example.org/printed", "https://example.org/printed", 1, Part.BODY, A),
        ("https://example.net/body-page", "", 1, Part.BODY, B),
        ("https://example.org/data", "the data", 2, Part.BODY, A),
        ("https://example.org/reports/2024/trade-and-alliances.pdf", "", 3, Part.ENDNOTE, B),
        ("https://example.org/very-long-hyphenated-path/index.html", "", 3, Part.ENDNOTE, B),
        ("https://example.org/notes", "", 3, Part.ENDNOTE, B),
    ]


def test_wrapped_link_is_two_occurrences_when_joining_is_off() -> None:
    found = rows(extract(build.links_pdf(), join_wrapped_pdf_links=False))
    report = [(url, text) for url, text, *_ in found if url.endswith("/report")]
    assert report == [
        ("https://example.org/report", "the full report of"),
        ("https://example.org/report", "the commission"),
    ]


def test_metadata_raw_and_context() -> None:
    extraction = extract(build.links_pdf())
    assert extraction.document.title == "Alliance policy brief"
    assert extraction.document.published == dt.date(2000, 1, 1)
    first = extraction.occurrences[1]
    assert first.raw == "https://example.org/report"
    assert first.document == "brief.pdf"
    # Lines of one sentence are one context; the sentence began on the line above.
    assert first.context == (
        "Seoul warned of economic retaliation as argued in the full report of the commission "
        "published last year."
    )


def test_relative_uri_resolves_against_uri_base() -> None:
    found = extract(build.base_uri_pdf()).occurrences
    assert [(o.raw, o.url, o.text) for o in found] == [
        ("guide/intro.html", "http://example.com/docs/guide/intro.html", "guide"),
        ("https://example.org/", "https://example.org/", "home"),
    ]


def test_max_pages_warns_and_stops() -> None:
    extraction = extract(build.links_pdf(), max_pages=1)
    assert {o.page for o in extraction.occurrences} == {1}
    assert extraction.warnings == ["brief.pdf: 3 pages, only the first 1 read (max_pages)"]


def test_empty_user_password_opens() -> None:
    assert len(extract(build.encrypted_pdf(user_password="")).occurrences) == 8


def test_encrypted_pdf() -> None:
    with pytest.raises(EncryptedDocument, match=r"brief\.pdf: encrypted PDF"):
        extract(build.encrypted_pdf())


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (build.links_pdf()[:1500], "unreadable PDF"),
        (b"not a pdf at all", "not a PDF"),
        (build.cyclic_pdf(), "unreadable PDF"),
    ],
    ids=["truncated", "junk", "cyclic"],
)
@pytest.mark.timeout(10)
def test_bad_pdfs_fail_with_one_line(data: bytes, cause: str) -> None:
    with pytest.raises(CorruptDocument) as info:
        extract(data)
    assert cause in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see https://x.org/a/\nb/c.html today", ["https://x.org/a/b/c.html"]),
        ("see https://x.org/very-\nlong today", ["https://x.org/very-long"]),
        ("see https://x.org/very-\nLong today", ["https://x.org/very-"]),
        ("https://x.org/notes\nAccessed 4 March", ["https://x.org/notes"]),
        ("https://x.org/\nAccessed 4 March", ["https://x.org/"]),
        ("https://x.org/a\n/b?c=1", ["https://x.org/a/b?c=1"]),
        ("https://x.org/a.\nNext sentence", ["https://x.org/a"]),
        ("https://x.org/a/\nhttps://y.org/b", ["https://x.org/a/", "https://y.org/b"]),
        ("https://x.org/very\ufffelong", ["https://x.org/very-long"]),
    ],
)
def test_printed_url_line_joining(text: str, urls: list[str]) -> None:
    assert [p.url for p in printed_urls(text)] == urls


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        # pdfTeX breaks URLs after a dot inside the host or after the scheme's colon.
        (
            "at https://ethereum.github.\r\nio/yellowpaper/paper.pdf.\r\nNext",
            ["https://ethereum.github.io/yellowpaper/paper.pdf"],
        ),
        (
            "URL http://www.sciencedirect.\r\ncom/science/pii/S02624.\r\nAdam",
            ["http://www.sciencedirect.com/science/pii/S02624"],
        ),
        (
            "maintained at https:\r\n//github.com/ethereum/yellowpaper/. An",
            ["https://github.com/ethereum/yellowpaper/"],
        ),
        # A file extension cut by the break; the rest of a path with slashes.
        (
            "https://x.gov/memoranda/m_16_21.p\r\ndf.\r\nScott",
            ["https://x.gov/memoranda/m_16_21.pdf"],
        ),
        (
            "https://x.gov.uk/uploads/attachment_dat\r\na/file/78959/All_v2_0.pdf.",
            ["https://x.gov.uk/uploads/attachment_data/file/78959/All_v2_0.pdf"],
        ),
        # A complete URL at a line end is not glued to prose, a footnote number or "and/or".
        (
            "DOI: http://dx.doi.org/10.1145/2810103.2813707.\r\ncoded, or widely",
            ["http://dx.doi.org/10.1145/2810103.2813707"],
        ),
        ("see https://x.org/a\r\n12 Another footnote", ["https://x.org/a"]),
        ("see https://x.org/report\r\nand/or the annex", ["https://x.org/report"]),
        # A reference list labelled "1:", "2:" (Chromium's print of a Markdown list):
        # the next label is not the rest of a URL ending in "/", nor is "[3]" or "4.".
        (
            "1: https://digital.gov/authors/castle/\r\n2: https://ben.balter.com/2014/\r\n"
            "[3] https://x.org/a/\r\n4. https://y.org/b/",
            [
                "https://digital.gov/authors/castle/",
                "https://ben.balter.com/2014/",
                "https://x.org/a/",
                "https://y.org/b/",
            ],
        ),
        # pdfium's hyphenation mark inside a URL is the URL's hyphen.
        (
            "from https://18f.gsa.gov/open-source\ufffepolicy/.",
            ["https://18f.gsa.gov/open-source-policy/"],
        ),
    ],
)
def test_printed_urls_broken_by_real_typesetters(text: str, urls: list[str]) -> None:
    assert [p.url for p in printed_urls(text)] == urls


def _drawn(lines: list[tuple[float, str]], links: list[tuple[str, tuple[float, ...]]]) -> bytes:
    """One page: text at (y, text) from x=72 in Helvetica 11, URI links over rectangles."""

    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    for y, line in lines:
        pdf.drawString(72, y, line)
    for uri, rect in links:
        pdf.linkURL(uri, rect, relative=0, thickness=0)
    pdf.save()
    return buffer.getvalue()


def _letter() -> tuple[io.BytesIO, Canvas]:
    """A US Letter page drawn by reportlab, and the buffer its PDF is saved into."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    return buffer, canvas.Canvas(buffer, pagesize=(612, 792), invariant=1)


def _x(text: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return 72.0 + float(stringWidth(text, "Helvetica", 11))


def test_anchor_text_is_what_lies_inside_the_rectangles() -> None:
    """A sloppy rectangle over the next word's first letter and the full stop (as word
    processors draw them) does not take them; two runs of one link are one link."""
    line = "See the Research Repository to learn more."
    start, end = _x("See the "), _x("See the Research Repository t")
    middle = _x("See the Research Rep")
    data = _drawn(
        [(700, line)],
        [
            ("https://example.org/rrr", (start, 697, middle + 2, 711)),
            ("https://example.org/rrr", (middle - 2, 697, end, 711)),
        ],
    )
    assert rows(extract(data)) == [
        ("https://example.org/rrr", "Research Repository", 1, Part.BODY, A)
    ]


def test_wrapped_link_in_a_table_cell_is_one_occurrence() -> None:
    """The cell's second line starts at the cell's left edge, level with where the link
    started on the first line: still one link, and no space inside the URL."""
    first, second = "https://example.org/reports/", "annual-2024.pdf"
    data = _drawn(
        [(700, first), (686, second), (660, "Next row")],
        [
            ("https://example.org/reports/annual-2024.pdf", (72, 697, _x(first), 711)),
            ("https://example.org/reports/annual-2024.pdf", (72, 683, _x(second), 697)),
        ],
    )
    assert [(o.url, o.text) for o in extract(data).occurrences] == [
        (
            "https://example.org/reports/annual-2024.pdf",
            "https://example.org/reports/annual-2024.pdf",
        )
    ]


def test_hyphen_at_a_line_end_is_kept_unless_the_word_exists() -> None:
    """``con-`` + ``ducted`` reads "conducted" when the document has that word elsewhere;
    ``well-`` + ``known`` stays hyphenated."""
    data = _drawn(
        [
            (700, "The review was con-"),
            (686, "ducted twice; it was well-"),
            (672, "known and conducted."),
        ],
        [
            ("https://example.org/a", (_x("The review was "), 697, _x("The review was con-"), 711)),
            ("https://example.org/a", (72, 683, _x("ducted"), 697)),
            (
                "https://example.org/b",
                (_x("ducted twice; it was "), 683, _x("ducted twice; it was well-"), 697),
            ),
            ("https://example.org/b", (72, 669, _x("known"), 683)),
        ],
    )
    assert [o.text for o in extract(data).occurrences] == ["conducted", "well-known"]


def test_printed_url_under_an_annotation_is_reported_once() -> None:
    url = "https://example.org/printed/and/annotated"
    data = _drawn(
        [(700, f"Read {url} today.")], [(url, (_x("Read "), 697, _x(f"Read {url}"), 711))]
    )
    assert [(o.url, o.element) for o in extract(data).occurrences] == [(url, A)]


def test_wrapped_link_listed_lower_line_first_is_one_occurrence() -> None:
    """Writers may list a wrapped link's second line first in /Annots (and a line's
    right-hand run first): the parts are taken in reading order."""
    url = "https://www.regulations.gov/docket/FAA-2020-0686"
    lead, title = "found on the internet at ", "My Escape from Slavery"
    data = _drawn(
        [(700, "found on the internet at https://"), (686, "www.regulations.gov/docket/"),
         (672, "FAA-2020-0686 by searching"), (640, "My Escape from Slavery")],
        [
            (url, (72, 669, _x("FAA-2020-0686"), 683)),
            (url, (72, 683, _x("www.regulations.gov/docket/"), 697)),
            (url, (_x(lead), 697, _x(lead + "https://"), 711)),
            ("https://example.org/escape", (_x("My Escape "), 637, _x(title), 651)),
            ("https://example.org/escape", (72, 637, _x("My Escape "), 651)),
        ],
    )  # fmt: skip
    assert [(o.url, o.text) for o in extract(data).occurrences] == [
        (url, url),
        ("https://example.org/escape", "My Escape from Slavery"),
    ]


def test_two_links_to_one_url_on_consecutive_lines_stay_two() -> None:
    """A reference list citing one page twice: each line reads as the whole link by itself,
    so the second does not continue the first, though one ends a line and the next starts
    the following one."""
    url = "https://example.org/report.pdf"
    data = _drawn(
        [(700, "[1] Annual report, 2023."), (686, url), (672, "[2] The same, revised."),
         (658, "example.org/report.pdf")],
        [(url, (72, 683, _x(url), 697)), (url, (72, 655, _x("example.org/report.pdf"), 669))],
    )  # fmt: skip
    assert [(o.url, o.text) for o in extract(data).occurrences] == [
        (url, url),
        (url, "example.org/report.pdf"),
    ]
    adjacent = _drawn(
        [(700, url), (686, url)], [(url, (72, 697, _x(url), 711)), (url, (72, 683, _x(url), 697))]
    )
    assert [o.text for o in extract(adjacent).occurrences] == [url, url]


def test_table_rows_linking_one_url_are_links_of_their_own() -> None:
    """An Excel report: a column of right-aligned cells, each a link to one report, with
    figures to their left on each row. Each row is a link a reader sees; the same words in
    three rows are three links."""

    from reportlab.pdfbase.pdfmetrics import stringWidth

    url, feed = "https://example.org/ethanol.pdf", "https://example.org/feed.txt"
    rows = [("Minnesota", "Minnesota Ethanol", url), ("Nebraska", "Nebraska Ethanol", url),
            ("Wisconsin", "Wisconsin Ethanol", url), ("Fresno", "Weekly Feedstuffs", feed),
            ("Los Angeles", "Weekly Feedstuffs", feed)]  # fmt: skip
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 9)
    for number, (state, cell, target) in enumerate(rows):
        y = 700 - 12 * number
        pdf.drawString(72, y, f"{state}   1.38 - 1.48   1.40 - 1.49")
        pdf.drawRightString(500, y, cell)
        left = 500 - stringWidth(cell, "Helvetica", 9)
        pdf.linkURL(target, (left, y - 2, 500, y + 8), relative=0, thickness=0)
    pdf.save()
    found = [(o.url, o.text) for o in extract(buffer.getvalue()).occurrences]
    assert found == [(target, cell) for _, cell, target in rows]


def test_a_bracket_the_anchor_does_not_open_is_the_sentence_s() -> None:
    """``(http://…/report.pdf)`` with the rectangle over the closing bracket: the link's
    text is the URL; a URL that holds the bracket keeps it."""
    url = "https://example.org/report.pdf"
    paren = "https://example.org/wiki/Apollo_(spacecraft)"
    line, other = f"See ({url}), then", f"and {paren} too"
    data = _drawn(
        [(700, line), (686, other)],
        [(url, (_x("See ("), 697, _x(f"See ({url})"), 711)),
         (paren, (_x("and "), 683, _x(f"and {paren}"), 697))],
    )  # fmt: skip
    assert [o.text for o in extract(data).occurrences] == [url, paren]


def test_list_items_linked_to_one_url_stay_links_of_their_own() -> None:
    """Lines that are each a whole link to one URL are separate links when the next
    line's first word would have fit on the line above (text wraps only when full);
    a whole-line link whose line is full goes on below (a wrapped link)."""
    top, below = "Organizational Location", "Analysis of Organizational Factors and Publishing"
    last = "Implications and Recommendations for Public Administrators"
    prose = "The series goes on with these parts, written as the study of the code went on."
    url = "https://example.org/series/"
    data = _drawn(
        [(714, prose), (700, top), (686, below), (672, last)],
        [
            (url, (72, 697, _x(top), 711)),
            (url, (72, 683, _x(below), 697)),
            (url, (72, 669, _x(last), 683)),
        ],
    )
    # "Implications" fits after "Publishing" only within the column the prose line shows.
    assert [text for _, text, *_ in rows(extract(data))] == [top, below, last]
    full = "An essay on the organizational factors behind publishing open source code by"
    rest = "federal agencies"
    data = _drawn(
        [(700, full), (686, rest + " and more prose after it on the same line.")],
        [(url, (72, 697, _x(full), 711)), (url, (72, 683, _x(rest), 697))],
    )
    assert [text for _, text, *_ in rows(extract(data))] == [f"{full} {rest}"]


def test_a_rectangle_set_off_its_one_word_reads_the_whole_word() -> None:
    """Class: a rectangle shifted along the line (Quartz from Word: over ``i.gov.`` of
    ``www.fai.gov.``) clips the link's only word; a reader sees the word. Not grown: a
    rectangle over a whole word (``fai`` of ``fai.gov`` stays ``fai.gov``, not wider), a
    footnote marker in smaller type after the word, and a link of several words."""

    first = "Apply on www.fai.gov. Then"
    second = "Also TopCoder"
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, first)
    pdf.drawString(72, 686, second)
    pdf.setFont("Helvetica", 6)
    pdf.drawString(_x(second), 690, "31")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 672, "Read the whole report here.")
    clipped = (_x("Apply on www.fa"), 697, _x("Apply on www.fai.gov.") + 1, 711)
    pdf.linkURL("https://fai.example/", clipped, relative=0, thickness=0)
    whole = (_x("Also "), 683, _x(second) + 0.5, 697)
    pdf.linkURL("https://topcoder.example/", whole, relative=0, thickness=0)
    pdf.linkURL("https://report.example/", (_x("Read the who"), 669, _x("Read the whole report"),
                683), relative=0, thickness=0)  # fmt: skip
    pdf.save()
    assert [o.text for o in extract(buffer.getvalue()).occurrences] == [
        "www.fai.gov",
        "TopCoder",
        "report",
    ]


def test_a_link_annotation_with_no_area_beside_its_link_is_no_link_of_its_own() -> None:
    """Class: Google Slides ends each linked run with a copy of the annotation 0 pt wide;
    it is nothing a reader sees (beside a link that reads as its whole URL it was a second
    link with no text). A zero-width annotation whose URI has no other one on the page is
    kept (it is all the page says of that link)."""
    url = "https://video.example/talk"
    line = f"Watch {url} today"
    start, end = _x("Watch "), _x(f"Watch {url}")
    data = _drawn(
        [(700, line), (686, "Other")],
        [
            (url, (start, 697, end, 711)),
            (url, (end, 697, end, 711)),
            ("https://lone.example/", (_x("Other"), 683, _x("Other"), 697)),
        ],
    )
    assert [(o.url, o.text) for o in extract(data).occurrences] == [
        (url, url),
        ("https://lone.example/", ""),
    ]


def test_a_wrapped_url_printed_with_another_scheme_than_its_link_has_no_space() -> None:
    """Class: the slide prints ``https://18f.github.`` + ``io/consulting/`` over a link to
    ``http://…``: the two pieces are one URL, joined without a space. Two words of prose
    over a link still read with their space."""
    first, second = "16. 18F Consulting: https://18f.github.", "io/consulting/"
    prose_first, prose_second = "the consulting", "guide"
    start = _x("16. 18F Consulting: ")
    data = _drawn(
        [(700, first), (686, second), (640, prose_first), (626, prose_second)],
        [
            ("http://18f.github.io/consulting/", (start, 697, _x(first), 711)),
            ("http://18f.github.io/consulting/", (72, 683, _x(second), 697)),
            ("https://guide.example/", (_x("the "), 637, _x(prose_first), 651)),
            ("https://guide.example/", (72, 623, _x(prose_second), 637)),
        ],
    )
    assert [o.text for o in extract(data).occurrences] == [
        "https://18f.github.io/consulting/",
        "consulting guide",
    ]


def test_links_are_reported_in_reading_order_not_annots_order() -> None:
    """LibreOffice lists a page's annotations grouped by URI: two links to one page, the
    lower one listed first, keep their own texts in the order a reader meets them."""
    url, other = "https://example.org/a", "https://example.org/b"
    lines: list[tuple[float, str]] = [
        (700, "First see this page and that one."),
        (686, "Then this page again."),
    ]
    data = _drawn(
        lines,
        [
            (url, (72, 683, _x("Then this page"), 697)),
            (other, (_x("First see this page and "), 697, _x(lines[0][1][:-1]), 711)),
            (url, (_x("First see "), 697, _x("First see this page"), 711)),
        ],
    )  # fmt: skip
    assert [(o.url, o.text) for o in extract(data).occurrences] == [
        (url, "this page"),
        (other, "that one"),
        (url, "Then this page"),
    ]


def test_a_second_link_two_lines_under_a_whole_line_link_is_its_own() -> None:
    """Chromium and WeasyPrint: a link that fills its line, a line of prose, then a line
    starting with another link to the same page: two links, not one wrapped over the
    prose; the same link going on at the very next line is one."""
    url = "https://example.org/collaboration/"
    whole = "open source collaboration by the Department of Homeland Security and GSA"
    data = _drawn(
        [(700, whole), (686, "that focuses solely on measuring it. We are very grateful"),
         (672, "DHS open sourced this tool, as it improves our scans.")],
        [(url, (72, 697, _x(whole), 711)), (url, (72, 669, _x("DHS open sourced this tool"), 683))],
    )  # fmt: skip
    assert [o.text for o in extract(data).occurrences] == [whole, "DHS open sourced this tool"]
    wrapped = _drawn(
        [(700, whole), (686, "that focuses solely on measuring it.")],
        [(url, (72, 697, _x(whole), 711)), (url, (72, 683, _x("that focuses"), 697))],
    )
    assert [o.text for o in extract(wrapped).occurrences] == [f"{whole} that focuses"]


def _one_box_link(link_colour: tuple[float, float, float]) -> bytes:
    """wkhtmltopdf: a link wrapped over two lines under one rectangle round both lines."""

    before, link_top = "Agencies should read the ", "annual report of"
    link_bottom, after = "the chief officers", " before they plan anything new."
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, before)
    pdf.setFillColorRGB(*link_colour)
    pdf.drawString(_x(before), 700, link_top)
    pdf.drawString(72, 686, link_bottom)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawString(_x(link_bottom), 686, after)
    pdf.linkURL("https://example.org/report", (72, 683, _x(before + link_top), 711), relative=0)
    pdf.save()
    return buffer.getvalue()


def test_one_rectangle_round_a_wrapped_link_reads_the_link_s_colour() -> None:
    """The rectangle holds the whole of both lines; the link's own colour tells a reader
    where it starts and ends. Text of one colour throughout keeps what the box holds."""
    blue = [o.text for o in extract(_one_box_link((0.1, 0.27, 0.5))).occurrences]
    assert blue == ["annual report of the chief officers"]
    black = [o.text for o in extract(_one_box_link((0, 0, 0))).occurrences]
    assert black == [
        "Agencies should read the annual report of the chief officers before they plan anything"
    ]


def test_one_link_written_twice_over_one_place_is_one_link() -> None:
    """WeasyPrint writes a link holding a code span twice, over the same rectangle: one
    link; the same words linked on two rows stay two (``test_two_links_…``)."""
    url = "https://github.com/dhs-ncats/pshtt"
    rect = (_x("a new tool called "), 697, _x("a new tool called pshtt"), 711)
    data = _drawn(
        [(700, "a new tool called pshtt, an open source tool")], [(url, rect), (url, rect)]
    )
    assert [o.text for o in extract(data).occurrences] == ["pshtt"]
    assert len(extract(data, join_wrapped_pdf_links=False).occurrences) == 2


def test_a_note_number_linked_with_its_brackets_keeps_them() -> None:
    """``[1]`` under a rectangle its opening bracket pokes out of by a hair (wkhtmltopdf):
    a reader sees the brackets underlined; a URL in brackets still loses them."""
    url = "https://example.org/notes#fn1"
    line = "the humane design guide[1] is an activity"
    rect = (_x("the humane design guide") + 0.6, 697, _x("the humane design guide[1]"), 711)
    assert [o.text for o in extract(_drawn([(700, line)], [(url, rect)])).occurrences] == ["[1]"]


def _pages(
    pages: Sequence[Sequence[tuple[float, str]]], links: list[tuple[int, str, tuple[float, ...]]]
) -> bytes:
    """Pages of text at (y, text) from x=72 in Helvetica 11; links as (page, uri, rect)."""

    buffer, pdf = _letter()
    for number, lines in enumerate(pages):
        pdf.setFont("Helvetica", 11)
        for y, line in lines:
            pdf.drawString(72, y, line)
        for page, uri, rect in links:
            if page == number:
                pdf.linkURL(uri, rect, relative=0, thickness=0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_link_wrapped_over_a_page_break_is_one_link() -> None:
    """Chromium writes one annotation a page: the piece ending page 1 and the one starting
    page 2 are one link, on page 1. A URL printed whole at a page's foot and again at the
    next page's head is two links; so is a page-2 link after text of its own."""
    url = "https://sourcecode.cio.gov/"
    top, rest = "issued the Federal Source Code Policy: Achieving Efficiency,", "and Innovation"
    data = _pages(
        [[(700, "In 2016 the White House"), (60, top)], [(720, rest + " through Reuse.")]],
        [(0, url, (_x("issued the "), 57, _x(top), 71)), (1, url, (72, 717, _x(rest), 731))],
    )  # fmt: skip
    assert [(o.text, o.page) for o in extract(data).occurrences] == [
        ("Federal Source Code Policy: Achieving Efficiency, and Innovation", 1)
    ]
    whole = "https://example.org/report.pdf"
    twice = _pages(
        [[(60, whole)], [(720, whole)]],
        [(0, whole, (72, 57, _x(whole), 71)), (1, whole, (72, 717, _x(whole), 731))],
    )
    assert [o.page for o in extract(twice).occurrences] == [1, 2]
    # WeasyPrint draws a page's list bullets after its text: still nothing after the link.

    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 60, top)
    pdf.linkURL(url, (_x("issued the "), 57, _x(top), 71), relative=0, thickness=0)
    pdf.drawString(60, 700, "\u2022")
    pdf.showPage()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 720, rest + " through Reuse.")
    pdf.linkURL(url, (72, 717, _x(rest), 731), relative=0, thickness=0)
    pdf.save()
    assert len(extract(buffer.getvalue()).occurrences) == 1
    later = _pages(
        [[(60, top)], [(720, "Prose first, then " + rest)]],
        [(0, url, (_x("issued the "), 57, _x(top), 71)),
         (1, url, (_x("Prose first, then "), 717, _x("Prose first, then " + rest), 731))],
    )  # fmt: skip
    assert [o.page for o in extract(later).occurrences] == [1, 2]


def test_a_reference_label_alone_on_its_line_does_not_continue_a_url() -> None:
    """``2:`` left alone on its line (its URL too long to fit beside it) is the next
    reference's label, not the rest of the URL above; a path piece still is."""
    text = "1: https://digital.gov/authors/joseph-castle/\n2:\nhttps://www.wsj.com/articles/SB1\n"
    assert [p.url for p in printed_urls(text)] == [
        "https://digital.gov/authors/joseph-castle/",
        "https://www.wsj.com/articles/SB1",
    ]
    assert [p.url for p in printed_urls("[4] https://example.org/a/\n[5]\n")] == [
        "https://example.org/a/"
    ]
    assert [p.url for p in printed_urls("see https://example.org/a/\n2024/report.pdf\n")] == [
        "https://example.org/a/2024/report.pdf"
    ]


def test_a_url_cut_at_the_margin_reads_whole() -> None:
    """LibreOffice breaks a URL with no break opportunity where it meets the margin
    (``…2946`` + ``0``): the line is full and the rest starts the next line below it. A
    short URL line under a wider paragraph, or a centred page number, is no such cut."""
    url = "https://www.wsj.com/articles/SB10001424053111903480904576512250915629460"
    head, cut = url[:-1], url[-1]
    prose = (
        "This paragraph line is set as wide as the column allows, to show where its right edge is."
    )
    wide = _x(prose)
    assert _x(head) < wide
    full = _drawn([(700, prose[: len(prose) // 2]), (686, head), (672, cut)], [])
    assert [o.url for o in extract(full).occurrences] == [url]
    short = _drawn([(700, prose), (686, head), (672, cut)], [])
    assert [o.url for o in extract(short).occurrences] == [head]

    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 686, head)
    pdf.drawCentredString(306, 672, "12")
    pdf.save()
    assert [o.url for o in extract(buffer.getvalue()).occurrences] == [head]


def test_one_rectangle_over_a_line_pdfium_splits_at_a_raised_mark() -> None:
    """pdfium ends a line at a raised footnote mark; the words after it on the same line
    lie in a two-line rectangle too (wkhtmltopdf) and are read."""

    first, mark = "The government spends six billion dollars on software each year", "3"
    after = ", about 7% of the information technology"
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, first)
    pdf.setFont("Helvetica", 7)
    pdf.drawString(_x(first) + 1, 705, mark)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(_x(first) + 6, 700, after)
    pdf.drawString(72, 686, "(IT) budget of the agencies.")
    pdf.linkURL(
        "https://itdashboard.gov/", (72, 683, _x(first) + 6 + _x(after) - 72, 711), relative=0
    )
    pdf.save()
    text = extract(buffer.getvalue()).occurrences[0].text
    assert "information technology (IT) budget" in text, text


def test_a_url_printed_in_brackets_in_a_link_s_text_reads_as_one_link() -> None:
    """A print style sheet writes each link's address after its text, inside the link:
    ``… intelligence (https://`` + ``www.dhs.gov/data)`` is one link, no space after the
    scheme; ``StudentAid.gov`` + ``(http://studentaid.gov/)`` too, though the first piece
    reads as the whole URL; two lines each printing the URL stay two links."""
    url = "https://www.dhs.gov/data/AI_inventory"
    top, below = (
        "Homeland Security uses artificial intelligence (https://",
        "www.dhs.gov/data/AI_inventory)",
    )
    data = _drawn(
        [(700, "the Department of " + top), (686, below + " to verify addresses.")],
        [(url, (_x("the Department of "), 697, _x("the Department of " + top), 711)),
         (url, (72, 683, _x(below), 697))],
    )  # fmt: skip
    assert [o.text for o in extract(data).occurrences] == [f"{top}{below}"]
    aid = "http://studentaid.gov/"
    first, second = "answers questions on StudentAid.gov", "(http://studentaid.gov/)"
    named = _drawn(
        [(700, first), (686, second + " and helps students.")],
        [(aid, (_x("answers questions on "), 697, _x(first), 711)),
         (aid, (72, 683, _x(second), 697))],
    )  # fmt: skip
    assert [o.text for o in extract(named).occurrences] == [f"StudentAid.gov {second}"]
    twice = _drawn(
        [(700, "studentaid.gov"), (686, "studentaid.gov")],
        [(aid, (72, 697, _x("studentaid.gov"), 711)), (aid, (72, 683, _x("studentaid.gov"), 697))],
    )
    assert len(extract(twice).occurrences) == 2


def test_a_box_round_two_lines_does_not_take_in_the_next_link_on_its_last_line() -> None:
    """wkhtmltopdf: a link wrapped over two lines (one box round both) and a second link
    to the same page on its last line are two links: the box overlaps the second link's
    rectangle but is no run of its line."""

    url = "https://18f.gsa.gov/AI-services/"
    before, one = "consider how you might ", "leverage the power"
    two, other = "of AI", "Reach out to 18F"
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, before)
    pdf.setFillColorRGB(0.1, 0.27, 0.5)
    pdf.drawString(_x(before), 700, one)
    pdf.drawString(72, 686, two)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawString(_x(two), 686, ". ")
    pdf.setFillColorRGB(0.1, 0.27, 0.5)
    pdf.drawString(_x(two + ". "), 686, other)
    pdf.linkURL(url, (72, 683, _x(before + one), 711), relative=0)
    pdf.linkURL(url, (_x(two + ". "), 683, _x(two + ". " + other), 697), relative=0)
    pdf.save()
    assert [o.text for o in extract(buffer.getvalue()).occurrences] == [
        "leverage the power of AI",
        other,
    ]


def test_a_box_round_a_wrapped_link_stops_at_the_footnote_mark_after_it() -> None:
    """wkhtmltopdf: the last line of a wrapped link ends ``Guide.pdf)`` and a raised
    ``[1]`` in the link colour (a link of its own) follows; pdfium starts a new line at
    the mark. The link reads to ``.pdf)``, the words before the mark included."""

    url = "https://example.org/uploads/Humane_Tech_Design_Guide.pdf"
    before, top, bottom = (
        "The humane ",
        "design guide (https://example.org/uploads/",
        "Humane_Tech_Design_Guide.pdf)",
    )
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, before)
    pdf.setFillColorRGB(0.1, 0.27, 0.5)
    pdf.drawString(_x(before), 700, top)
    pdf.drawString(72, 686, bottom)
    pdf.setFont("Helvetica", 7)
    pdf.drawString(_x(bottom) + 0.5, 691, "[1]")
    pdf.setFont("Helvetica", 11)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawString(_x(bottom) + 12, 686, "is an activity to assess a product.")
    pdf.linkURL(url, (72, 683, _x(before + top), 711), relative=0)
    pdf.save()
    assert [o.text for o in extract(buffer.getvalue()).occurrences] == [f"{top}{bottom}"]


def test_a_raised_note_number_right_after_a_link_is_no_clipped_word() -> None:
    """Typst sets a footnote mark as a superscript glyph of the text's own size right after
    the linked word (``guide¹``): the link keeps ``guide``; a word the rectangle really
    clips still goes (``Repository t`` where ``to`` follows)."""

    url = "https://example.org/Humane_Tech_Design_Guide.pdf"
    before, link = "The Center's ", "humane design guide"
    buffer, pdf = _letter()
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, before + link)
    pdf.drawString(_x(before + link), 704.5, "1")
    pdf.drawString(_x(before + link + "1") + 3, 700, "is an activity.")
    pdf.linkURL(url, (_x(before), 697, _x(before + link), 711), relative=0)
    pdf.save()
    assert [o.text for o in extract(buffer.getvalue()).occurrences] == [link]
    clipped = _drawn(
        [(700, "See the Research Repository to learn more.")],
        [
            (
                "https://example.org/r",
                (_x("See the "), 697, _x("See the Research Repository t"), 711),
            )
        ],
    )
    assert [o.text for o in extract(clipped).occurrences] == ["Research Repository"]


def test_the_address_in_every_page_s_footer_is_one_link_and_a_cut_one_none() -> None:
    """Chromium's "Save as PDF" prints the page's address in each page's footer: one link,
    on the first page, not one a page; an address it cut with an ellipsis is no link. The
    same URL cited in the body of two pages is two links."""
    url = "https://18f.gsa.gov/2016/08/08/facts/"
    body = [(700 - 14 * n, f"Line {n} of the essay's text, written as prose.") for n in range(5)]
    footer = [(40, f"{url}    1/3")]
    pages = [body + footer, body + footer, body + footer]
    assert [(o.url, o.page) for o in extract(_pages(pages, [])).occurrences] == [(url, 1)]
    cut = [
        [*body, (40, "https://18f.gsa.gov/2016/08/08/facts-about-publishing-open-sou\u2026  1/2")]
    ]
    assert extract(_pages(cut, [])).occurrences == []
    cited = [(700, "Prose."), (686, "More prose."), (672, f"See {url} for the facts."),
             (658, "Prose again."), (644, "And the end.")]  # fmt: skip
    assert [o.page for o in extract(_pages([cited, cited], [])).occurrences] == [1, 2]
