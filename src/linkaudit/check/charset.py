"""
A response body as text, in the encoding a browser would pick.

The order is the HTML standard's (WHATWG "encoding sniffing"): a byte order mark, the
``charset`` of ``Content-Type``, a ``<meta charset>`` or ``<meta http-equiv>`` near the top
(or an XML declaration), then valid UTF-8, then a statistical guess (charset-normalizer).
Legacy labels map to the superset browsers decode them as (``shift_jis`` → ``cp932``,
``euc-kr`` → ``cp949``, ``gb2312`` → ``gb18030``, ``iso-8859-1`` → ``cp1252``), so a
not-found page in Japanese, Korean or Chinese reads as its author wrote it.
"""

from __future__ import annotations

import codecs
import functools
import re

__all__ = ["decode_body", "encoding_of", "is_textual"]

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)["']""")
_PRESCAN = 4096
_SNIFF = 32_768
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Labels whose encoding browsers replace with a superset (WHATWG Encoding, "labels").
_SUPERSETS = {
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
_TEXTUAL = ("text/", "html", "xml", "json", "javascript")


def is_textual(content_type: str) -> bool:
    """Whether a body of ``content_type`` is text (an absent type counts as text)."""
    lowered = content_type.lower()
    return not lowered or any(t in lowered for t in _TEXTUAL)


def decode_body(body: bytes, content_type: str) -> str:
    """``body`` as text when it is text; ``""`` for binary content or an empty body."""
    if not body or not is_textual(content_type):
        return ""
    return body.decode(encoding_of(body, content_type), "replace")


def encoding_of(body: bytes, content_type: str) -> str:
    """The Python codec a browser's choice for ``body`` corresponds to."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = _declared(content_type) or _in_document(body[:_PRESCAN])
    if declared is not None:
        return declared
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 4:  # not merely a character cut at the read cap
            return _sniffed(body[:_SNIFF])
    return "utf-8"


def _declared(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return _codec(value.strip().strip("\"'"))
    return None


def _in_document(head: bytes) -> str | None:
    found = _XML.match(head) or _META.search(head)
    if found is None:
        return None
    name = _codec(found.group(1).decode("ascii", "replace"))
    # A page that is sent as bytes cannot be UTF-16 by its own declaration (WHATWG).
    return "utf-8" if name is not None and name.startswith("utf-16") else name


@functools.lru_cache(maxsize=64)
def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _sniffed(sample: bytes) -> str:
    """A guess from the bytes themselves; windows-1252 (the web's default) without one."""
    # Only a page that declares no charset needs it (docs/development.md#lazy-imports).
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return "cp1252"
    return _codec(best.encoding) or "cp1252"
