"""
Text from documents, servers and file names made safe to print (issue #14, item 2).

Everything a user controls (URLs, anchor texts, context sentences, document paths, error
and warning messages) passes through ``neutralise`` before it reaches a terminal, a log line,
stderr or a report. It guarantees, for a string printed anywhere in a line:

- no ESC: terminal escape sequences (``ESC[2J``, OSC 8 links, OSC 0 titles) lose their
  introducer and print as harmless text;
- no other C0 or C1 control, no DEL and no Unicode line or paragraph separator: each is
  shown as a visible escape (``\\n``, ``\\x01``, ``\\x9b``), so a value never becomes two lines;
- no GitHub Actions workflow command: the runner executes a line whose first non-blank
  characters are ``::``, and the legacy ``##[`` form anywhere in a line. A zero-width space
  (U+200B, not blank to the runner's ``Trim`` nor to Python's ``strip``) is put between the
  two characters, so the text reads the same and no longer parses as a command;
- no bidirectional override (U+202A–U+202E, U+2066–U+2069) that would reorder what a
  reviewer reads ("Trojan Source"): shown escaped.

Each output format applies its own escaping on top (HTML, CSV formula prefixes, Markdown,
XML, JSON, workflow-command ``%`` escapes). ``guard_lines`` is the last net over a whole
rendered text, and ``json_text`` keeps JSON exact while printing none of these characters.
"""

from __future__ import annotations

import re

__all__ = ["ZWSP", "guard_lines", "json_text", "neutralise", "neutralise_lines", "one_line"]

ZWSP = "\u200b"

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 (less ESC, dropped), DEL, C1, the Unicode line/paragraph separators, bidi controls.
_UNSAFE = re.compile("[\x00-\x1a\x1c-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COMMAND_START = re.compile(r"^(\s*):(?=:)")
_LEGACY = "##["


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def neutralise(text: object) -> str:
    """``text`` as one printable line: see the module's docstring for what that promises."""
    value = str(text)
    if value.isprintable() and _LEGACY not in value and not _COMMAND_START.match(value):
        return value  # the common case: nothing to change
    value = _UNSAFE.sub(_visible, value.replace("\x1b", ""))
    value = value.replace(_LEGACY, f"#{ZWSP}#[")
    return _COMMAND_START.sub(rf"\1:{ZWSP}", value)


def one_line(text: object) -> str:
    """Prose (an anchor text, a context sentence) with each run of whitespace as one space,
    then neutralised: a line break inside a link's text is layout, not content."""
    return neutralise(" ".join(str(text).split()))


def neutralise_lines(text: str) -> str:
    """A block of text made of user content (a diff, a list someone else built), each line
    neutralised on its own: the lines stay lines, nothing in them acts on a terminal or CI."""
    return "\n".join(neutralise(line) for line in text.split("\n"))


def guard_lines(text: str) -> str:
    """The last net over rendered output: no line starts with ``::`` or holds ``##[``.

    Reporters neutralise each value; this catches a line that layout (wrapping a cell) made
    start with ``::``. It leaves ESC alone, since colour codes are the terminal's own.
    """
    if "::" not in text and _LEGACY not in text:
        return text
    lines = text.split("\n")
    return "\n".join(_COMMAND_START.sub(rf"\1:{ZWSP}", line) for line in lines).replace(
        _LEGACY, f"#{ZWSP}#["
    )


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(encoded: str) -> str:
    """JSON text (from ``json.dumps``) that decodes to the same data and prints safely.

    ``json`` already writes C0 controls (ESC and newlines included) as ``\\u`` escapes; this
    also escapes DEL, C1 controls, the line separators and bidi controls, and writes the
    ``#`` of ``##[`` as ``\\u0023``. These characters can only occur inside strings there.
    """
    # Every character escaped here but DEL is non-ASCII, and most JSON is ASCII: one C-level
    # test then instead of a search of every character (docs/benchmarks.md).
    if not encoded.isascii() or "\x7f" in encoded:
        encoded = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
    return encoded.replace(_LEGACY, "#\\u0023[")
