"""
BibTeX as BibTeX: every link an entry cites, with the entry's title as the anchor text.

A parser that follows BibTeX's grammar (docs/extraction.md says why not bibtexparser 2 or
pybtex: both lose entries on files as people write them):

* ``@string{name = value}`` macros, values concatenated with ``#``, the month macros;
  ``@comment`` and ``@preamble`` read past; text outside entries ignored;
* values in ``{…}`` (nested braces), ``"…"`` or bare numbers and macro names;
* a ``%`` line inside an entry is a comment (as biber and JabRef read it), so is the rest
  of a line after ``%`` between fields; a ``%`` inside a value is the value's;
* field names as written (``_internal``, ``file-url``); an entry the parser cannot finish
  is skipped to the next ``@`` at a line start, never the rest of the file.

What an entry cites: its ``url`` (``{{…}}`` and ``\\url{…}`` unwrapped, ``\\_ \\% \\# \\&``
unescaped), its ``doi`` (``https://doi.org/…``), its ``eprint`` (arXiv, handle, PubMed or a
URL), and every ``\\url{…}`` / ``\\href{…}{…}`` in any field, plus URLs written bare in
``howpublished``, ``note`` and ``addendum``. The occurrence's line and column are the
field's; its context names the entry key and the field (``smith2020, url``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from linkaudit.config import Settings
from linkaudit.extract.context import LineCounter
from linkaudit.extract.detect import decode_text
from linkaudit.extract.latex import plain_text, unescape_url
from linkaudit.extract.text import find_urls
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Extraction, Occurrence, Part, Source

__all__ = ["BibEntry", "BibField", "BibtexExtractor", "parse_bibtex"]

_AT = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])")
_NEXT_ENTRY = re.compile(r"^[ \t]*@", re.MULTILINE)
_NAME = re.compile(r"[^\s=,{}()\"#%]+")
_NUMBER = re.compile(r"[0-9]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_LINK_COMMAND = re.compile(r"\\(url|href)\s*\{")
_PROSE_FIELDS = frozenset({"howpublished", "note", "addendum"})
_MONTHS = {
    name: str(number)
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


@dataclass(frozen=True, slots=True)
class BibField:
    """One field of an entry: its name (lower-cased), its value, where the value starts."""

    name: str
    value: str
    offset: int


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One entry: its type (lower-cased), its key and its fields in order."""

    kind: str
    key: str
    fields: tuple[BibField, ...]

    def get(self, name: str) -> str | None:
        return next((f.value for f in self.fields if f.name == name), None)


class _Syntax(Exception):
    """The entry cannot be read to its end."""


class _Parser:
    """A cursor over the database's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.strings: dict[str, str] = dict(_MONTHS)

    def entries(self) -> Iterator[BibEntry]:
        while (found := _AT.search(self.text, self.pos)) is not None:
            kind = found.group(1).lower()
            closer = "}" if found.group(2) == "{" else ")"
            self.pos = found.end()
            try:
                if kind == "comment":
                    self._skip_comment(found.group(2))
                elif kind == "preamble":
                    self._value()
                    self._skip_space()
                    self._expect(closer)
                elif kind == "string":
                    self._string(closer)
                else:
                    yield self._entry(kind, closer)
            except _Syntax:
                following = _NEXT_ENTRY.search(self.text, found.end())
                self.pos = following.start() if following else len(self.text)

    def _skip_comment(self, opener: str) -> None:
        if opener == "{":
            self._braced()
        else:
            end = self.text.find(")", self.pos)
            self.pos = len(self.text) if end < 0 else end + 1

    def _string(self, closer: str) -> None:
        self._skip_space()
        name = self._name()
        self._skip_space()
        self._expect("=")
        self.strings[name.lower()] = self._value()
        self._skip_space()
        self._expect(closer)

    def _entry(self, kind: str, closer: str) -> BibEntry:
        self._skip_space()
        key_end = self.pos
        while key_end < len(self.text) and self.text[key_end] not in ",\n" + closer:
            key_end += 1
        key = self.text[self.pos : key_end].strip()
        self.pos = key_end
        fields: list[BibField] = []
        while True:
            self._skip_space()
            if self._at(closer):
                self.pos += 1
                return BibEntry(kind, key, tuple(fields))
            self._expect(",")
            self._skip_space()
            if self._at(closer):
                continue
            name = self._name()
            self._skip_space()
            self._expect("=")
            self._skip_space()
            offset = self.pos
            fields.append(BibField(name.lower(), self._value(), offset))

    def _value(self) -> str:
        """A value: parts joined by ``#``."""
        parts = [self._part()]
        while True:
            self._skip_space()
            if not self._at("#"):
                return "".join(parts)
            self.pos += 1
            self._skip_space()
            parts.append(self._part())

    def _part(self) -> str:
        self._skip_space()
        if self._at("{"):
            return self._braced()
        if self._at('"'):
            return self._quoted()
        number = _NUMBER.match(self.text, self.pos)
        if number is not None:
            self.pos = number.end()
            return number.group()
        name = self._name()
        return self.strings.get(name.lower(), name)

    def _braced(self) -> str:
        """``{…}`` with nested braces; the content, outer braces off."""
        depth, start = 0, self.pos
        index = self.pos
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                index += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.pos = index + 1
                    return self.text[start + 1 : index]
            index += 1
        raise _Syntax

    def _quoted(self) -> str:
        depth, index = 0, self.pos + 1
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                index += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth == 0:
                value = self.text[self.pos + 1 : index]
                self.pos = index + 1
                return value
            index += 1
        raise _Syntax

    def _name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise _Syntax
        self.pos = match.end()
        return match.group()

    def _skip_space(self) -> None:
        """Whitespace and ``%`` comments up to the line end."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char.isspace():
                self.pos += 1
            elif char == "%":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            else:
                return

    def _at(self, char: str) -> bool:
        return self.text.startswith(char, self.pos)

    def _expect(self, char: str) -> None:
        if not self._at(char):
            raise _Syntax
        self.pos += 1


def parse_bibtex(text: str) -> list[BibEntry]:
    """The entries of a BibTeX database, ``@string`` macros resolved."""
    return list(_Parser(text).entries())


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
        lines = LineCounter(text)
        for entry in parse_bibtex(text):
            title = plain_text(entry.get("title") or "")
            seen: set[str] = set()
            for field in entry.fields:
                for raw in _targets(entry, field):
                    if _same_target(raw) in seen:
                        continue  # ``url`` and ``howpublished`` citing one URL: one link
                    seen.add(_same_target(raw))
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
                        context=f"{entry.key}, {field.name}",
                    )


def _same_target(url: str) -> str:
    """
    One key for a DOI however the entry writes it: the ``doi`` field's
    ``https://doi.org/10.1088/1742-…`` and a ``url`` of ``http://dx.doi.org/…`` or
    ``https://doi.org/10.1088%2F1742-…`` (ADS and publisher exports) are one link.
    """
    resolver = _DOI_PREFIX.match(url)
    if resolver is None or not resolver.group().lower().startswith("http"):
        return url
    return "doi:" + unquote(url[resolver.end() :]).lower()


def _targets(entry: BibEntry, field: BibField) -> list[str]:
    """The URLs one field cites."""
    value = field.value.strip()
    if not value:
        return []
    if field.name == "url":
        commands = _commands(value)
        return commands or [unescape_url(value.replace("{", "").replace("}", ""))]
    if field.name == "doi":
        doi = unescape_url(value.replace("{", "").replace("}", ""))
        return ["https://doi.org/" + _DOI_PREFIX.sub("", doi)]
    if field.name == "eprint":
        eprint = _eprint(entry, unescape_url(value.replace("{", "").replace("}", "")))
        return [eprint] if eprint else []
    found = _commands(value)
    if field.name in _PROSE_FIELDS:
        rest = _LINK_COMMAND.sub(" ", value) if found else value
        found += [url for _, _, url in find_urls(_prose(rest)) if url not in found]
    return found


def _commands(value: str) -> list[str]:
    """The targets of ``\\url{…}`` and ``\\href{…}{…}`` in a value."""
    targets: list[str] = []
    for match in _LINK_COMMAND.finditer(value):
        depth, index = 1, match.end()
        while index < len(value) and depth:
            char = value[index]
            if char == "\\":
                index += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            index += 1
        if depth == 0:
            targets.append(unescape_url(value[match.end() : index - 1]))
    return targets


def _prose(value: str) -> str:
    """A prose field with TeX escapes undone, so that a bare URL in it reads whole."""
    return re.sub(r"\\([%#&_~$])", r"\1", value.replace("{", " ").replace("}", " "))


def _eprint(entry: BibEntry, eprint: str) -> str | None:
    kind = (entry.get("archiveprefix") or entry.get("eprinttype") or "").strip().lower()
    if eprint.lower().startswith(("http://", "https://")):
        return eprint
    if kind == "arxiv" or (not kind and _ARXIV_ID.match(eprint)):
        return "https://arxiv.org/abs/" + eprint.removeprefix("arXiv:")
    if kind in ("hdl", "handle"):
        return "https://hdl.handle.net/" + eprint
    if kind in ("pubmed", "pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{eprint}/"
    return None
