"""
Pure comparison of what a page says now with what it said when it was cited.

Main text: the page without its boilerplate (``nav``, ``header``, ``footer``, ``aside``,
scripts, forms), from ``<main>`` or ``<article>`` when the page marks one; a redesign that
keeps the text compares as unchanged. Likeness: Jaccard similarity of word 3-shingles, a
lexical measure (lexical measures tracked drift better than semantic ones in Eve, 2024).

Quotations: text in straight or typographic double quotes (or guillemets) of at least
``MIN_QUOTE_WORDS`` words in the sentence around a citation; single words in quotes are
scare quotes, not quotations. A quotation is found when its normalised words appear in the
page's normalised text, allowing ``QUOTE_TOLERANCE`` of its words to differ (an elision, a
changed hyphenation, an editor's [bracket]); a word with a digit never differs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from lxml import html as lxml_html

__all__ = [
    "CHANGED_BELOW",
    "DRIFTED_BELOW",
    "DriftState",
    "PageText",
    "drift_state",
    "find_quotations",
    "main_text",
    "quotation_found",
    "similarity",
]

#: Similarity below which a page counts as edited since it was cited.
CHANGED_BELOW = 0.85
#: Similarity below which a different page answers at the URL now.
DRIFTED_BELOW = 0.3
MIN_QUOTE_WORDS = 3
QUOTE_TOLERANCE = 0.15
MAX_TEXT = 200_000
"""Characters of main text compared at most (a bound on work per page)."""

_BOILERPLATE = (
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template",
    "svg", "iframe", "button", "select",
)  # fmt: skip
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r"[\"“”„«»]\s*([^\"“”„«»]{3,600}?)\s*[\"“”„«»]")


class DriftState(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    DRIFTED = "drifted"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PageText:
    """A page reduced to what is compared: its title and main text."""

    title: str
    text: str


def main_text(document: str) -> PageText:
    """The title and boilerplate-free text of an HTML page (plain text passes through)."""
    if "<" not in document[:2000]:
        return PageText("", _squash(document)[:MAX_TEXT])
    try:
        root = lxml_html.document_fromstring(document[: MAX_TEXT * 4])
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return PageText("", "")
    found = root.find(".//title")
    title = found.text_content() if found is not None else ""
    dropped = [e for e in root.iter(*_BOILERPLATE) if e.getparent() is not None]
    dropped += [c for c in root.iter(lxml_html.etree.Comment) if c.getparent() is not None]
    for element in dropped:
        if element.getparent() is not None:
            element.drop_tree()
    main = root.find(".//main")
    if main is None:
        main = root.find(".//article")
    if main is None:
        main = root.find(".//body")
    body = main if main is not None else root
    return PageText(_squash(title), _squash(" ".join(body.itertext()))[:MAX_TEXT])


def _squash(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded.replace("\u00ad", ""))


def _shingles(words: list[str], size: int = 3) -> set[tuple[str, ...]]:
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def similarity(a: PageText, b: PageText) -> float:
    """0..1 likeness of two pages' main text (Jaccard of word 3-shingles)."""
    left, right = _shingles(_words(a.text)), _shingles(_words(b.text))
    if not left and not right:
        return 1.0 if _words(a.title) == _words(b.title) else 0.0
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def drift_state(score: float, then: PageText, now: PageText) -> DriftState:
    """The documented thresholds; a changed title with little text left in common is a
    different page even above ``DRIFTED_BELOW``."""
    if score >= CHANGED_BELOW:
        return DriftState.UNCHANGED
    titles_differ = bool(then.title and now.title) and not set(_words(then.title)) & set(
        _words(now.title)
    )
    if score < DRIFTED_BELOW or (titles_differ and score < 0.5):
        return DriftState.DRIFTED
    return DriftState.CHANGED


def find_quotations(sentence: str | None) -> list[str]:
    """Direct quotations of at least ``MIN_QUOTE_WORDS`` words in ``sentence``."""
    if not sentence:
        return []
    found = []
    for match in _QUOTED.finditer(sentence):
        quote = match.group(1).strip(" ,.;:")
        if len(_words(quote)) >= MIN_QUOTE_WORDS:
            found.append(quote)
    return found


def quotation_found(quote: str, page: PageText) -> bool:
    """Whether the page holds the quotation, up to ``QUOTE_TOLERANCE`` of its words."""
    wanted = _words(re.sub(r"\[[^\]]*\]|\.\.\.|…", " ", quote))
    if not wanted:
        return False
    have = _words(page.text) + _words(page.title)
    joined = " " + " ".join(have) + " "
    if " " + " ".join(wanted) + " " in joined:
        return True
    size = len(wanted)
    allowed = int(size * QUOTE_TOLERANCE)
    if allowed == 0:
        return False
    first = set(wanted[: allowed + 1])
    for start in range(len(have)):
        if have[start] not in first:
            continue
        window = have[start : start + size + allowed]
        if _near(wanted, window, allowed):
            return True
    return False


def _near(wanted: list[str], window: list[str], allowed: int) -> bool:
    """``wanted`` is a subsequence of ``window`` but for at most ``allowed`` words."""
    missing, index = 0, 0
    for word in wanted:
        try:
            index = window.index(word, index) + 1
        except ValueError:
            missing += 1
            if missing > allowed or any(c.isdigit() for c in word):
                return False  # figures are what a quotation is checked for: never approximate
    return True
