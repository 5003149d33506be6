"""
LaTeX: ``\\href{url}{text}`` and ``\\url{url}``, with the text a reader of the PDF sees.

A scan, not a TeX engine, with what a reader needs from one:

* ``\\url{x}`` reads ``x``; ``\\href{u}{t}`` reads ``t`` rendered (``plain_text``): TeX's
  ligatures of dashes and quotes (``--`` –, ``---`` —, ```` `` ```` “, ``''`` ”, `` ` `` ‘,
  ``'`` ’), accents (``\\'e`` é), symbols (``\\&``, ``\\ss``, ``\\ldots``), font commands
  and braces dropped, ``~`` a space;
* a target written with a macro is expanded when the document defines the macro without
  arguments (``\\newcommand{\\repo}{https://…}``, ``\\def\\repo{…}``); one that cannot be
  expanded is reported as written and ``malformed``, never resolved as a file name;
* a macro with arguments that wraps a link (``\\newcommand{\\urlcite}[2]{#2\\footnote{\\url{#1}}}``)
  links where it is used, its arguments put in (the ``\\url{#1}`` of the definition is no
  link); a command the file does not define whose argument is a whole absolute URL
  (``\\urlcite{https://…}{…}``, defined in another file of the document) typesets that URL,
  so it is a link whose text is the URL;
* ``%`` comments, Sweave/knitr code chunks (``<<…>>=`` to ``@``), ``verbatim``,
  ``lstlisting``, ``minted``, ``Verbatim`` and ``comment`` environments and ``\\verb``
  are not read (a URL inside code is not a link).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace

from linkaudit.config import Settings
from linkaudit.extract.context import LineCounter, find_date, fold_whitespace, sentence_around
from linkaudit.extract.detect import decode_text
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Extraction, Occurrence, Source
from linkaudit.verdicts import Reason

__all__ = ["LatexExtractor", "blank_code", "plain_text", "strip_comments", "unescape_url"]

_COMMAND = re.compile(r"\\(href|url)\s*(?:\[[^\]{}]*\]\s*)?\{")
_LABEL = re.compile(r"\s*\{")
_OPTIONAL = re.compile(r"\s*\[([^\]]*)\]")
_TITLE = re.compile(r"\\title\s*(?:\[[^\]]*\])?\s*\{")
_DATE = re.compile(r"\\date\s*\{")
_URL_ESCAPES = re.compile(r"\\([%#&_~$\\{}])")
_MACRO = re.compile(r"\\[A-Za-z@]+")
_DEFINITION = re.compile(
    r"\\(?:(?:re)?newcommand\*?|providecommand\*?)\s*\{?\s*(\\[A-Za-z@]+)\s*\}?"
    r"\s*(?:\[\s*(\d)\s*\](?:\s*\[([^\]]*)\])?)?\s*\{"
    r"|\\def\s*(\\[A-Za-z@]+)\s*((?:#\d)*)\s*\{"
)
# ``\\name{https://…}``: a command's first argument that is a whole absolute URL.
_URL_ARGUMENT = re.compile(
    r"\\([A-Za-z@]+)\*?\s*(?:\[[^\]{}]*\]\s*)?\{\s*((?:https?|ftp)://[^\s{}]+)\s*\}"
)
# Commands whose argument is not typeset text (a file, a key, a setting).
_NOT_TYPESET = frozenset(
    {"url", "href", "input", "include", "includegraphics", "includepdf", "bibliography",
     "addbibresource", "label", "ref", "pageref", "cite", "nocite", "hypersetup",
     "usepackage", "documentclass", "newcommand", "renewcommand", "providecommand", "def",
     "externaldocument", "graphicspath", "verb", "lstinputlisting", "inputminted"}
)  # fmt: skip
_CODE = re.compile(
    r"^[ \t]*<<[^>\n]*>>=[ \t]*$.*?^[ \t]*@[ \t]*$"  # Sweave / knitr chunks
    r"|\\begin\{(verbatim\*?|Verbatim|lstlisting|minted|comment|alltt)\}.*?\\end\{\1\}"
    r"|\\verb\*?([^A-Za-z\s]).*?\2"
    r"|\\lstinline\s*(?:\[[^\]]*\])?([^A-Za-z\s{]).*?\3",
    re.DOTALL | re.MULTILINE,
)


def strip_comments(text: str) -> str:
    """Blank out ``%`` comments (not ``\\%``), keeping every offset and line in place."""
    return re.sub(
        r"(?<!\\)((?:\\\\)*)%[^\n]*",
        lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))),
        text,
    )


def blank_code(text: str) -> str:
    """Blank out code chunks and verbatim text, keeping every offset and line in place."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


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


# --- TeX text as a reader sees it ----------------------------------------------------

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_SYMBOLS = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "guillemotleft": "«",
    "guillemotright": "»", "textasciitilde": "~", "textbackslash": "\\",
    "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "S": "§", "P": "¶", "copyright": "©", "textcopyright": "©", "textregistered": "®",
    "texttrademark": "™", "euro": "€", "texteuro": "€", "pounds": "£", "textdegree": "°",
    "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
    "quad": " ", "qquad": " ", "newline": " ", "linebreak": " ", "par": " ",
    "space": " ", "enspace": " ", "thinspace": " ", "nobreakspace": " ",
}  # fmt: skip
_ESCAPED = {
    "&": "&", "%": "%", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ",
    ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": "", "\\": " ",
}  # fmt: skip
_LIGATURES = (
    ("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("!`", "¡"), ("?`", "¿"),
    (",,", "„"), ("<<", "«"), (">>", "»"), ("`", "‘"), ("'", "’"), ("~", " "),
)  # fmt: skip
_TOKEN = re.compile(
    r"\\([A-Za-z@]+)\*?[ \t]*(?:\n[ \t]*)?"  # a control word eats the spaces after it
    r"|\\(.)"  # a control symbol
    r"|\$\$?|[{}]",
    re.DOTALL,
)
_ACCENT_TARGET = re.compile(r"\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))")


def plain_text(tex: str) -> str:
    """What a reader of the typeset document sees for the LaTeX fragment ``tex``."""
    out: list[str] = []
    position = 0
    while position < len(tex):
        match = _TOKEN.search(tex, position)
        if match is None:
            out.append(_ligatures(tex[position:]))
            break
        out.append(_ligatures(tex[position : match.start()]))
        position = match.end()
        word, symbol = match.group(1), match.group(2)
        if word is not None or (symbol is not None and symbol in _ACCENTS):
            name = word if word is not None else symbol
            if name in _ACCENTS and (word is None or len(name) == 1):
                accented, position = _accent(tex, position, _ACCENTS[name])
                out.append(accented)
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            # Any other command: dropped; its {argument}, if any, is read on as text.
        elif symbol is not None:
            out.append(_ESCAPED.get(symbol, symbol))
        # Braces and math shifts are dropped.
    return fold_whitespace(unicodedata.normalize("NFC", "".join(out)))


def _accent(tex: str, position: int, mark: str) -> tuple[str, int]:
    """The accented letter after an accent command, and where reading goes on."""
    match = _ACCENT_TARGET.match(tex, position)
    if match is None:  # ``\~{}`` and ``\^{}`` print the mark itself
        return {"\u0303": "~", "\u0302": "^"}.get(mark, ""), position
    letter = match.group(1) or match.group(2)
    base = _SYMBOLS.get(letter[1:], letter[1:]) if letter.startswith("\\") else letter
    return base + mark, match.end()


def _ligatures(text: str) -> str:
    for pattern, glyph in _LIGATURES:
        if pattern in text:
            text = text.replace(pattern, glyph)
    return text


def unescape_url(raw: str) -> str:
    """A URL as ``\\url`` and ``\\href`` typeset and link it: ``\\%`` is ``%``, ``\\#`` is
    ``#``, ``\\_`` is ``_``, ``\\~{}``/``\\textasciitilde`` is ``~``; spaces and line
    breaks in the source are not part of it."""
    text = re.sub(r"\\(?:textasciitilde|string~|~)(?:\{\})?", "~", raw)
    text = _URL_ESCAPES.sub(r"\1", text)
    return "".join(text.split())


class LatexExtractor:
    """Links of a LaTeX document. See ``Extractor.extract``."""

    format = DocumentFormat.LATEX

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = blank_code(strip_comments(decode_text(source.data, source.content_type)))
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
        macros = _definitions(text, closing)
        found: list[tuple[int, Occurrence]] = []
        for start, raw, anchor, after in _commands(text, closing, macros):
            if not _inside_definition(start, macros):
                found.append(
                    (start, self._occurrence(source, text, lines, start, after, raw, anchor))
                )
        found.extend(self._template_links(text, source, lines, macros))
        found.extend(self._url_arguments(text, source, lines, macros))
        # A macro whose body holds a link (``\newcommand{\commiturl}{\url{…}}``) links
        # where it is used.
        for name, body in macros.values.items():
            if not _COMMAND.search(body):
                continue
            inner = list(_commands(body, _closing_braces(body), macros))
            for use in re.finditer(re.escape(name) + r"(?![A-Za-z@])", text):
                if _inside_definition(use.start(), macros):
                    continue
                for _, raw, anchor, _ in inner:
                    occurrence = self._occurrence(
                        source, text, lines, use.start(), use.end(), raw, anchor
                    )
                    found.append((use.start(), occurrence))
        found.sort(key=lambda item: item[0])
        yield from (occurrence for _, occurrence in found)

    def _template_links(
        self, text: str, source: Source, lines: LineCounter, macros: _Macros
    ) -> Iterator[tuple[int, Occurrence]]:
        """Uses of a macro with arguments whose definition holds a ``\\url`` or ``\\href``."""
        closing = _closing_braces(text)
        for name, (count, default, body) in macros.templates.items():
            if not _COMMAND.search(body):
                continue
            for use in re.finditer(re.escape(name) + r"(?![A-Za-z@])", text):
                if _inside_definition(use.start(), macros):
                    continue
                arguments, end = _arguments(text, use.end(), count, default, closing)
                if arguments is None:
                    continue
                expanded = _substitute(body, arguments)
                for _, raw, anchor, _ in _commands(expanded, _closing_braces(expanded), macros):
                    yield (
                        use.start(),
                        self._occurrence(source, text, lines, use.start(), end, raw, anchor),
                    )

    def _url_arguments(
        self, text: str, source: Source, lines: LineCounter, macros: _Macros
    ) -> Iterator[tuple[int, Occurrence]]:
        """``\\cmd{https://…}`` for a command this file does not define: the URL is typeset."""
        for match in _URL_ARGUMENT.finditer(text):
            name = match.group(1)
            if (
                name in _NOT_TYPESET
                or "\\" + name in macros.templates
                or "\\" + name in macros.values
                or _inside_definition(match.start(), macros)
            ):
                continue
            raw = unescape_url(match.group(2))
            yield (
                match.start(),
                self._occurrence(source, text, lines, match.start(), match.end(), raw, raw),
            )

    @staticmethod
    def _occurrence(
        source: Source,
        text: str,
        lines: LineCounter,
        start: int,
        after: int,
        raw: str,
        anchor: str,
    ) -> Occurrence:
        line, column = lines.at(start)
        occurrence = make_occurrence(
            source.name,
            raw,
            source.base_url,
            None,
            text=anchor,
            line=line,
            column=column,
            element=Element.CITATION,
            context=plain_text(sentence_around(text, start, after)) or None,
        )
        if _MACRO.search(raw):
            # A macro this document does not define: what it stands for is unknown.
            occurrence = replace(occurrence, url=raw, problem=Reason.MALFORMED)
        return occurrence


def _commands(
    text: str, closing: dict[int, int], macros: _Macros
) -> Iterator[tuple[int, str, str, int]]:
    """Each ``\\url``/``\\href`` in ``text``: (start, target, anchor text, end)."""
    for match in _COMMAND.finditer(text):
        target = _group(text, match.end(), closing)
        if target is None:
            continue
        written, after = target
        raw = unescape_url(_expand(written.strip(), macros.values))
        if match.group(1) == "href":
            rest = _LABEL.match(text, after)
            label = _group(text, rest.end(), closing) if rest else None
            anchor = plain_text(label[0]) if label else ""
            after = label[1] if label else after
        else:
            anchor = raw if not _MACRO.search(raw) else written.strip()
        yield match.start(), raw, anchor, after


class _Macros:
    """The macros a document defines, and where their definitions are: argument-less ones
    (``values``) and those with arguments (``templates``: their count, the default of an
    optional first one, the body)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.templates: dict[str, tuple[int, str | None, str]] = {}
        self.spans: list[tuple[int, int]] = []


def _definitions(text: str, closing: dict[int, int]) -> _Macros:
    macros = _Macros()
    for match in _DEFINITION.finditer(text):
        body = _group(text, match.end(), closing)
        if body is None:
            continue
        name = match.group(1) or match.group(4)
        count = int(match.group(2) or 0) or (match.group(5) or "").count("#")
        if count:
            macros.templates[name] = (count, match.group(3), body[0])
        else:
            macros.values[name] = body[0].strip()
        macros.spans.append((match.start(), body[1]))
    return macros


def _arguments(
    text: str, position: int, count: int, default: str | None, closing: dict[int, int]
) -> tuple[list[str] | None, int]:
    """The ``count`` arguments of a macro used at ``position`` (the first in ``[…]`` when
    the definition gives it a default, then brace groups), and where the use ends."""
    arguments: list[str] = []
    if default is not None:
        bracket = _OPTIONAL.match(text, position)
        arguments.append(bracket.group(1) if bracket else default)
        position = bracket.end() if bracket else position
    while len(arguments) < count:
        opening = _LABEL.match(text, position)
        group = _group(text, opening.end(), closing) if opening else None
        if group is None:
            return None, position
        arguments.append(group[0])
        position = group[1]
    return arguments, position


def _substitute(body: str, arguments: list[str]) -> str:
    """A macro's body with ``#1``…``#9`` replaced by its arguments."""
    return re.sub(
        r"#(\d)",
        lambda m: arguments[int(m.group(1)) - 1] if int(m.group(1)) <= len(arguments) else "",
        body,
    )


def _inside_definition(position: int, macros: _Macros) -> bool:
    return any(start <= position < end for start, end in macros.spans)


def _expand(target: str, values: dict[str, str]) -> str:
    """``target`` with the document's own macros replaced (nested ones too, a few deep)."""
    for _ in range(8):
        expanded = _MACRO.sub(lambda m: values.get(m.group(), m.group()), target)
        expanded = re.sub(r"\{\}", "", expanded) if expanded != target else expanded
        if expanded == target:
            break
        target = expanded
    return target


def _field(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    group = _group(text, match.end(), _closing_braces(text)) if match else None
    return (plain_text(group[0]) or None) if group else None
