"""
Hypothesis strategies for hostile documents: token soups per format and byte mutations.

A token soup is a random sequence of the pieces a format's parser branches on (``[``,
``](``, ``<a href="``, ``\\href{``, ``/Kids``…), which reaches deep parser states far more
often than uniform random text does.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["TOKENS", "mutated", "mutations", "soup"]

_COMMON = ["http://", "https://", "www.", "example.com", "/", " ", "\n", "#", "é", "\u202e", "\t"]
TOKENS: dict[str, list[str]] = {
    "markdown": [
        "[",
        "]",
        "(",
        ")",
        "](",
        "<",
        ">",
        "*",
        "**",
        "_",
        "`",
        "```",
        "!",
        "\\",
        "|",
        "-",
        ":",
        "[^1]",
        "[^1]: ",
        "&amp;",
        '<a href="',
        '"',
        "'",
        "---",
        "1. ",
        "    ",
        "<!--",
        "-->",
        "<div>",
        "[x]: ",
        "mailto:",
        "{#id}",
        "=",
        "~~~",
    ],
    "html": [
        '<a href="',
        '">',
        "</a>",
        "<div>",
        "</div>",
        '<base href="',
        '<img src="',
        "<!--",
        "-->",
        "<![CDATA[",
        "<!DOCTYPE html>",
        "<html>",
        '<meta charset="',
        "utf-16",
        '">',
        "<script>",
        "</script>",
        "&#x",
        "&#",
        ";",
        "&",
        "javascript:",
        "<table>",
        "<td>",
        "<title>",
        "</title>",
        "<!ENTITY",
        "<svg>",
        "<math>",
        '<meta name="date" content="',
        'data-versiondate="',
        '<form action="',
        "<p>",
        "<",
        ">",
        '"',
        "'",
        "=",
        "<?xml ",
        'encoding="',
        "?>",
    ],
    "text": ["ftp://", "(", ")", ".", ",", "&amp;", ";", "@", "a@b.org", "\ufeff", "]", "}"],
    "latex": [
        "\\href{",
        "\\url{",
        "}",
        "{",
        "\\documentclass{article}",
        "\\begin{document}",
        "\\end{document}",
        "%",
        "\\\\",
        "\\verb|",
        "|",
        "$",
        "\\",
        "\\footnote{",
        "\\cite{",
        "\\begin{verbatim}",
        "\\end{verbatim}",
        "\\%",
        "\\#",
        "\\_",
    ],
    "bibtex": [
        "@misc{",
        "@article{",
        "url = {",
        "howpublished = {\\url{",
        "}",
        "{",
        ",",
        '"',
        "doi = {10.",
        "@string{",
        "#",
        "=",
        "@comment{",
        "%",
        "urldate = {",
        "note = ",
        "@preamble{",
        "key,",
        "title = {",
    ],
    "pdf": [
        "%PDF-1.4\n",
        "1 0 obj",
        "2 0 obj",
        "endobj",
        "<<",
        ">>",
        "/Type",
        "/Catalog",
        "/Pages",
        "/Page",
        "/Kids",
        "[",
        "]",
        "1 0 R",
        "2 0 R",
        "3 0 R",
        "xref",
        "trailer",
        "startxref",
        "stream\n",
        "endstream",
        "/URI",
        "(http://x.org)",
        "/Annots",
        "/Link",
        "/A",
        "/S",
        "/Length",
        "%%EOF",
        "0",
        "9999999999",
        "-1",
        "/Count",
        "/Root",
        "/ObjStm",
        "/Encrypt",
        "/Filter",
        "/FlateDecode",
        "/MediaBox [0 0 612 792]",
        "/Rect [0 0 10 10]",
        "/Subtype",
        "/Base",
        "/N",
        "/First",
        "\n",
    ],
    "docx": [
        "<w:p>",
        "</w:p>",
        "<w:r>",
        "</w:r>",
        "<w:t>",
        "</w:t>",
        '<w:hyperlink r:id="rId1">',
        '<w:hyperlink w:anchor="x">',
        "</w:hyperlink>",
        '<w:fldChar w:fldCharType="begin"/>',
        '<w:fldChar w:fldCharType="separate"/>',
        '<w:fldChar w:fldCharType="end"/>',
        "<w:instrText>",
        "</w:instrText>",
        " HYPERLINK ",
        '"',
        "\\l",
        "\\o",
        '<w:fldSimple w:instr="HYPERLINK ',
        '">',
        "</w:fldSimple>",
        "<w:tab/>",
        "<w:br/>",
        "<w:del>",
        "</w:del>",
        "&amp;",
        "&lt;",
        "<",
        ">",
    ],
}


def soup(fmt: str) -> st.SearchStrategy[bytes]:
    """A random sequence of ``fmt``'s tokens, common URL pieces and random text."""
    pieces = st.one_of(
        st.sampled_from(TOKENS[fmt] + _COMMON),
        st.text(max_size=8),
    )
    return st.lists(pieces, max_size=200).map(lambda parts: "".join(parts).encode("utf-8"))


# One mutation: (kind, where 0..1, how many bytes, bytes to write, where to copy to 0..1).
_Mutation = tuple[str, float, int, bytes, float]


def mutations() -> st.SearchStrategy[list[_Mutation]]:
    """A short list of byte edits: flip, insert, delete, truncate, duplicate a range."""
    one = st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]),
        st.floats(0, 1),
        st.integers(1, 4096),
        st.binary(min_size=1, max_size=16),
        st.floats(0, 1),
    )
    return st.lists(one, min_size=1, max_size=8)


def mutated(data: bytes, edits: list[_Mutation]) -> bytes:
    """``data`` after ``edits``, each placed relative to the current length."""
    buffer = bytearray(data)
    for kind, where, count, payload, to in edits:
        at = int(where * len(buffer))
        if kind == "flip" and buffer:
            at = min(at, len(buffer) - 1)
            buffer[at] = payload[0]
        elif kind == "insert":
            buffer[at:at] = payload * (1 + count // 256)
        elif kind == "delete":
            del buffer[at : at + count]
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "duplicate":
            chunk = bytes(buffer[at : at + count])
            target = int(to * len(buffer))
            buffer[target:target] = chunk
    return bytes(buffer)
