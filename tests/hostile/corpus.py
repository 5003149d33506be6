"""
The hostile corpus: every class of document that once cost quadratic time or unbounded
memory, generated at test time (``scale`` 0.25 is the fast subset of the default suite;
``LINKAUDIT_HOSTILE_SCALE`` raises it: ``nox -s hostile`` runs scale 4, the issue's sizes
and more, e.g. 117 KiB of ``[`` and 30,000 links in one paragraph).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable

from helpers.builders import docx as build_docx
from helpers.builders import pdf as build_pdf

SCALE = float(os.environ.get("LINKAUDIT_HOSTILE_SCALE", "0.25"))


def sized(n: int) -> int:
    return max(1, int(n * SCALE))


def _md_links(n: int) -> bytes:
    return b"".join(b"[l%d](https://e.example/%d) " % (i, i) for i in range(n))


def _html_links_in_one_p(n: int) -> bytes:
    return b"<p>" + b"".join(b"<a href=https://e.example/%d>l%d</a> " % (i, i) for i in range(n))


#: name -> (file name, bytes): text formats whose old extractors were quadratic.
TEXT_DOCUMENTS: dict[str, Callable[[], tuple[str, bytes]]] = {
    # 50 KB of "<a id=": 11 s with the standard library's tokenizer.
    "html-unfinished-a-id": lambda: ("a.html", b"<a id=" * sized(8_500)),
    "html-unfinished-quotes": lambda: ("b.html", b'<a title="' * sized(8_500)),
    "html-one-paragraph-of-links": lambda: ("c.html", _html_links_in_one_p(sized(5_000))),
    "html-nested-anchors": lambda: (
        "d.html",
        b"<span><a href=https://e.example/>x " * 900
        + b"<a href=https://e.example/>y</a> " * sized(3_000),
    ),
    "html-deep-divs": lambda: (
        "e.html",
        b"<div>" * sized(50_000) + b"<a href=https://e.example/>x</a>",
    ),
    "html-nested-blocks-with-links": lambda: (
        "f.html",
        b"<div><a href=https://e.example/>x</a>" * sized(2_000),
    ),
    # 20,000 links in one Markdown paragraph: 21 s (a search per link).
    "md-one-paragraph-of-links": lambda: ("a.md", _md_links(sized(5_000))),
    "md-one-long-line-of-bare-urls": lambda: (
        "b.md",
        b"".join(b"https://e.example/%d " % i for i in range(sized(5_000))),
    ),
    "md-raw-html-block-a-id": lambda: ("c.md", b"<div>\n" + b"<a id=" * sized(20_000)),
    "md-unclosed-raw-anchors": lambda: (
        "d.md",
        b"x " + b"<a href='https://e.example/'>t " * sized(4_700),
    ),
    "md-heading-of-spaces": lambda: ("e.md", b"# a" + b" " * sized(117_000) + b"b\n"),
    "md-heading-of-braces": lambda: ("f.md", b"# " + b"{" * sized(117_000) + b"#\n"),
    "md-brackets": lambda: ("g.md", b"[" * sized(20_000)),
    "md-image-brackets": lambda: ("h.md", b"![" * sized(10_000)),
}


def docx_of_many_paragraphs(paragraphs: int) -> bytes:
    """A small DOCX whose document.xml inflates to a tree far larger than its zip."""
    return build_docx.package("<w:p><w:r><w:t>a</w:t></w:r></w:p>" * paragraphs, {})


def pdf_pages_sharing_one_stream(pages: int = 40, stream_bytes: int = 20_000_000) -> bytes:
    """Every page draws the same large content stream (deflated: the file stays small)."""
    content = zlib.compress(b"0 0 m 1 1 l S\n" * (stream_bytes // 14), 9)
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
    objects.extend(page for _ in range(pages))
    return build_pdf.hand_pdf(objects)
