"""
BibTeX: the ``url`` and ``doi`` fields of each entry, with the entry's title as the
anchor text (a DOI becomes ``https://doi.org/<doi>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from linkaudit.config import Settings
from linkaudit.extract.base import Extraction, Source
from linkaudit.extract.context import LineCounter
from linkaudit.extract.detect import decode_text
from linkaudit.extract.latex import plain_text
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Occurrence, Part

__all__ = ["BibField", "BibtexExtractor", "parse_fields"]

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]")
_FIELD = re.compile(r"\s*,?\s*([A-Za-z][\w:.+-]*)\s*=\s*")
_SKIPPED = frozenset({"comment", "preamble", "string"})
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


@dataclass(frozen=True, slots=True)
class BibField:
    """One field of an entry: its name, value as written, and offset of the value."""

    name: str
    value: str
    offset: int


def _value(text: str, index: int) -> tuple[str, int]:
    """The value starting at ``index`` (``{…}``, ``"…"`` or a bare word) and where it ends."""
    if index >= len(text):
        return "", index
    opener = text[index]
    if opener in '{"':
        closer = "}" if opener == "{" else '"'
        depth, cursor = 0, index
        while cursor < len(text):
            char = text[cursor]
            if char == "{":
                depth += 1
            elif char == "}" and closer == "}":
                depth -= 1
                if depth == 0:
                    return text[index + 1 : cursor], cursor + 1
            elif char == "}":
                depth -= 1
            elif char == '"' and closer == '"' and cursor > index and depth == 0:
                return text[index + 1 : cursor], cursor + 1
            cursor += 1
        return text[index + 1 :], len(text)
    word = re.match(r"[^,}\s)]*", text[index:])
    end = index + (word.end() if word else 0)
    return text[index:end], end


def parse_fields(text: str, start: int) -> tuple[list[BibField], int]:
    """The fields of the entry whose body starts after its key at ``start``."""
    fields: list[BibField] = []
    key_end = text.find(",", start)
    cursor = key_end + 1 if key_end >= 0 else len(text)
    while cursor < len(text):
        match = _FIELD.match(text, cursor)
        if match is None:
            break
        value, cursor = _value(text, match.end())
        fields.append(BibField(match.group(1).lower(), value, match.end()))
        while cursor < len(text) and text[cursor] in " \t\r\n#":
            cursor += 1  # string concatenation (``#``) is not followed
    return fields, cursor


class BibtexExtractor:
    """Links of a BibTeX database. See ``Extractor.extract``."""

    format = DocumentFormat.BIBTEX

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = decode_text(source.data, source.content_type)
        occurrences = list(self._links(text, source))
        document = Document(
            path=source.name,
            format=self.format,
            base_url=source.base_url,
            links=len(occurrences),
        )
        return Extraction(document=document, occurrences=occurrences)

    def _links(self, text: str, source: Source) -> Iterator[Occurrence]:
        cursor = 0
        lines = LineCounter(text)
        while (entry := _ENTRY.search(text, cursor)) is not None:
            if entry.group(1).lower() in _SKIPPED:
                cursor = entry.end()
                continue
            fields, cursor = parse_fields(text, entry.end())
            title = next((plain_text(f.value) for f in fields if f.name == "title"), "")
            for field in fields:
                raw = _target(field)
                if raw is None:
                    continue
                line, column = lines.at(field.offset)
                yield make_occurrence(
                    source.name,
                    raw,
                    source.base_url,
                    None,
                    text=title,
                    line=line,
                    column=column,
                    part=Part.BIBLIOGRAPHY,
                    element=Element.CITATION,
                )
            cursor = max(cursor, entry.end())


def _target(field: BibField) -> str | None:
    value = field.value.strip()
    if not value:
        return None
    if field.name == "url":
        return value.replace("\\_", "_").replace("\\%", "%").replace("\\&", "&")
    if field.name == "doi":
        return "https://doi.org/" + _DOI_PREFIX.sub("", value)
    return None
