"""
LaTeX: ``\\href{url}{text}`` and ``\\url{url}``, comments ignored.

A scan, not a TeX engine: macros that build URLs are out of reach, and the two commands
that cite one are written literally in practice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linkaudit.config import Settings
from linkaudit.extract.base import Extraction, Source
from linkaudit.extract.context import LineCounter, find_date, fold_whitespace, sentence_around
from linkaudit.extract.detect import decode_text
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Occurrence

__all__ = ["LatexExtractor", "plain_text", "strip_comments"]

_COMMAND = re.compile(r"\\(href|url)\s*\{")
_LABEL = re.compile(r"\s*\{")
_TITLE = re.compile(r"\\title\s*(?:\[[^\]]*\])?\s*\{")
_DATE = re.compile(r"\\date\s*\{")
_ESCAPES = re.compile(r"\\([%#&_~$])")


def strip_comments(text: str) -> str:
    """Blank out ``%`` comments (not ``\\%``), keeping every offset and line in place."""
    return re.sub(
        r"(?<!\\)((?:\\\\)*)%[^\n]*",
        lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))),
        text,
    )


def _closing_braces(text: str) -> dict[int, int]:
    """
    For each ``{``, the index after it → the index of its ``}``, in one pass (``\\x``
    escapes skipped); scanning from every ``\\href{`` instead is quadratic on unclosed ones.
    """
    found: dict[int, int] = {}
    opened: list[int] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            opened.append(index + 1)
        elif char == "}" and opened:
            found[opened.pop()] = index
        index += 1
    return found


def _group(text: str, start: int, closing: dict[int, int]) -> tuple[str, int] | None:
    """The brace group opened just before ``start``: (content, index after ``}``)."""
    end = closing.get(start)
    return None if end is None else (text[start:end], end + 1)


def plain_text(tex: str) -> str:
    """Readable text of a LaTeX fragment: escapes undone, commands and braces dropped."""
    text = _ESCAPES.sub(r"\1", tex)
    text = re.sub(r"\\[A-Za-z]+\*?\s*", "", text)
    return fold_whitespace(text.replace("{", "").replace("}", "").replace("~", " "))


class LatexExtractor:
    """Links of a LaTeX document. See ``Extractor.extract``."""

    format = DocumentFormat.LATEX

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = strip_comments(decode_text(source.data, source.content_type))
        occurrences = list(self._links(text, source))
        document = Document(
            path=source.name,
            format=self.format,
            title=_field(_TITLE, text),
            published=find_date(_field(_DATE, text) or ""),
            base_url=source.base_url,
            links=len(occurrences),
        )
        return Extraction(document=document, occurrences=occurrences)

    def _links(self, text: str, source: Source) -> Iterator[Occurrence]:
        closing = _closing_braces(text)
        lines = LineCounter(text)
        for match in _COMMAND.finditer(text):
            target = _group(text, match.end(), closing)
            if target is None:
                continue
            raw, after = target
            anchor = ""
            if match.group(1) == "href":
                rest = _LABEL.match(text, after)
                label = _group(text, rest.end(), closing) if rest else None
                anchor = plain_text(label[0]) if label else ""
                after = label[1] if label else after
            start = match.start()
            line, column = lines.at(start)
            yield make_occurrence(
                source.name,
                _ESCAPES.sub(r"\1", raw.strip()),
                source.base_url,
                None,
                text=anchor,
                line=line,
                column=column,
                element=Element.CITATION,
                context=plain_text(sentence_around(text, start, after)) or None,
            )


def _field(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    group = _group(text, match.end(), _closing_braces(text)) if match else None
    return (plain_text(group[0]) or None) if group else None
