"""
Generators of nasty documents: the small ones are committed to ``tests/fixtures/nasty``
(regenerate with ``python tests/fuzz/nasty.py``), the big ones are built at test time.

Each generator returns the bytes of one hostile document; its file name says what the
document claims to be, which is often a lie.
"""

from __future__ import annotations

import io
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from helpers.builders import docx as build_docx
from helpers.builders import pdf as build_pdf

__all__ = ["BIG", "CORPUS", "SMALL", "deflate_bomb_docx", "hand_pdf", "write_corpus"]

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "nasty"
LONG_URL = "https://example.org/" + "a" * 100_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


hand_pdf = build_pdf.hand_pdf


_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>"
_LINK = b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] /A << /S /URI /URI (https://example.org/) >> >>"  # noqa: E501


def cyclic_kids_pdf() -> bytes:
    """The page tree's /Kids refers back to the /Pages node itself."""
    return hand_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>"]
    )


def cyclic_parent_pdf() -> bytes:
    """A page whose /Kids holds its own /Pages parent, two levels deep."""
    return hand_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def million_pages_pdf() -> bytes:
    """One real page, and a /Pages node that claims 1,000,000."""
    return hand_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>",
            _PAGE,
            _LINK,
        ]
    )


def xref_prev_loop_pdf() -> bytes:
    """A trailer whose /Prev points at its own xref table (an endless xref chain)."""
    body = hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    xref = body.rindex(b"xref\n")
    return body.replace(b"/Root 1 0 R", b"/Root 1 0 R /Prev %d" % xref)


def objstm_loop_pdf() -> bytes:
    """An xref stream saying object 2 lives in object stream 3 and object 3 in stream 2."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    catalog = out.tell()
    out.write(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
    inner = b"2 0 << /Type /Pages /Kids [] /Count 0 >>"
    out.write(
        b"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Extends 3 0 R /Length %d >>\nstream\n%s\n"
        b"endstream\nendobj\n" % (len(inner), inner)
    )
    xref = out.tell()
    rows = [
        (0, 0, 65535),
        (1, catalog, 0),
        (2, 3, 0),  # compressed in object stream 3 …
        (3, 2, 0),  # … which is compressed in object stream 2
        (1, xref, 0),
    ]
    table = b"".join(bytes([t]) + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows)
    out.write(
        b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
    )
    out.write(table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _laughs(levels: int = 10) -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, levels)
    )
    return f"<!DOCTYPE html [{entities}]>"


def billion_laughs_xhtml() -> bytes:
    """XHTML with the billion-laughs entities in its internal DTD subset."""
    return (
        f'<?xml version="1.0"?>{_laughs()}<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        '<p>&lol9;</p><a href="https://example.org/laughs">x</a></body></html>'
    ).encode()


def billion_laughs_html() -> bytes:
    """The same entities in an HTML document (HTML parsers must not expand them)."""
    return (
        f'{_laughs()}<html><body><p>&lol9;</p><a href="https://example.org/laughs">x</a>'
        "</body></html>"
    ).encode()


def encrypted_ole_docx() -> bytes:
    """What Word writes for a password-protected .docx: an OLE compound file, not a zip."""
    return _OLE_MAGIC + bytes(504) + b"EncryptionInfo".ljust(512, b"\x00")


def pdf_named_docx() -> bytes:
    """A real PDF with links, named .docx."""
    return build_pdf.links_pdf()


def html_named_pdf() -> bytes:
    """An HTML page (a login wall, say) saved as .pdf."""
    return (
        b'<!DOCTYPE html><html><body><a href="https://example.org/login">log in</a></body></html>'
    )


def docx_named_md() -> bytes:
    """A DOCX named .md (the content wins over the name)."""
    return build_docx.package(build_docx.para(build_docx.run("see https://example.org/x")), {})


SMALL: dict[str, Callable[[], bytes]] = {
    "cyclic-kids.pdf": cyclic_kids_pdf,
    "cyclic-parent.pdf": cyclic_parent_pdf,
    "million-pages.pdf": million_pages_pdf,
    "xref-prev-loop.pdf": xref_prev_loop_pdf,
    "objstm-loop.pdf": objstm_loop_pdf,
    "encrypted.pdf": build_pdf.encrypted_pdf,
    "encrypted-ole.docx": encrypted_ole_docx,
    "billion-laughs.xhtml": billion_laughs_xhtml,
    "billion-laughs.html": billion_laughs_html,
    "billion-laughs.docx": build_docx.billion_laughs_docx,
    "pdf-named.docx": pdf_named_docx,
    "html-named.pdf": html_named_pdf,
    "docx-named.md": docx_named_md,
    "empty.md": lambda: b"",
    "invalid-utf8.txt": lambda: b"caf\xe9 \xff\xfe\xc3( see https://example.org/ok \x80\n",
    "utf16-no-bom.txt": lambda: "see https://example.org/utf16\n".encode("utf-16-le"),
    "nul-bytes.txt": lambda: b"https://example.org/a\x00https://example.org/b\x00\n",
    "only-bom.md": lambda: b"\xef\xbb\xbf",
}


def deflate_bomb_docx(inflated: int = 3 << 30) -> bytes:
    """A few-MB zip whose word/document.xml honestly declares ``inflated`` bytes (< 4 GiB)."""
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    # A full flush makes each block independent of the last, so one block repeats as is.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    raw = block * (inflated // len(chunk)) + b"\x03\x00"  # an empty final block
    return _one_member_zip(b"word/document.xml", raw, inflated)


def _one_member_zip(name: bytes, raw: bytes, size: int) -> bytes:
    """A zip of one deflated member, its header written by hand (the CRC is left 0)."""
    sizes = len(raw).to_bytes(4, "little") + size.to_bytes(4, "little")
    common = (8).to_bytes(2, "little") + bytes(8) + sizes + len(name).to_bytes(2, "little")
    local = b"PK\x03\x04" + (20).to_bytes(2, "little") + bytes(2) + common + bytes(2) + name
    central = b"PK\x01\x02" + (20).to_bytes(2, "little") * 2 + bytes(2) + common
    central += bytes(16) + name  # extra, comment, disk, attributes, local header at 0
    end = b"PK\x05\x06" + bytes(4) + (1).to_bytes(2, "little") * 2
    end += len(central).to_bytes(4, "little") + (len(local) + len(raw)).to_bytes(4, "little")
    return local + raw + central + end + bytes(2)


BIG: dict[str, Callable[[], bytes]] = {
    "zip-bomb.docx": deflate_bomb_docx,
    "deep-divs.html": lambda: (
        b"<html><body>"
        + b"<div>" * 100_000
        + b'<a href="https://example.org/deep">x</a>'
        + b"</div>" * 100_000
    ),
    "long-url.md": lambda: (
        f"# Long\n\n[long]({LONG_URL}) and <{LONG_URL}> and {LONG_URL}\n".encode()
    ),
    "long-url.html": lambda: f'<html><body><a href="{LONG_URL}">long</a></body></html>'.encode(),
    "long-url.txt": lambda: f"see {LONG_URL} now\n".encode(),
    "long-url.docx": lambda: build_docx.package(
        build_docx.para(build_docx.hyperlink("rId9", "long"), build_docx.run(f" {LONG_URL}")),
        {"rId9": LONG_URL},
    ),
    "brackets.md": lambda: b"[" * 50_000 + b"x" + b"](https://example.org/)" + b"\n",
    "balanced-brackets.md": lambda: (
        b"[" * 50_000 + b"x" + b"]" * 50_000 + b"(https://example.org/)\n"
    ),
    "stars.md": lambda: (b"*a " * 30_000) + b"_b " * 30_000 + b"https://example.org/\n",
    "backticks.md": lambda: b"`" * 50_000 + b" https://example.org/ " + b"`" * 49_999 + b"\n",
    "nested-quotes.md": lambda: b"> " * 50_000 + b"https://example.org/\n",
    "nested-lists.md": lambda: (
        b"".join(b"  " * i + b"- x\n" for i in range(2_000)) + b"https://example.org/\n"
    ),
    "angle-brackets.html": lambda: b"<html><body>" + b"<a href=" * 50_000 + b"</body></html>",
    "latex-braces.tex": lambda: (
        b"\\documentclass{article}" + b"\\href{" * 50_000 + b"https://example.org/}"
    ),
    "bibtex-braces.bib": lambda: (
        b"@misc{k, url = {" + b"{" * 50_000 + b"https://example.org/" + b"}" * 50_000 + b"}}\n"
    ),
}


def write_corpus(folder: Path = CORPUS) -> None:
    """Write the small nasty documents to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in SMALL.items():
        (folder / name).write_bytes(make())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    write_corpus()
