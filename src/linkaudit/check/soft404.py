"""
Soft 404 detection by probing a surely missing sibling (Bar-Yossef et al., WWW 2004).

A page that answers 200 may still be a "not found" page. Request a random sibling (the same
parent path plus a long random name): if the site answers the nonsense URL with the same
final URL or near-identical text, the cited page is very likely its not-found template.
This module holds the pure parts (probe URL, text normalisation, similarity) and a per-run
cache so that each (origin, parent path) is probed at most once; classify decides.

Only evidence counts. A page is compared only when it has a body of text (never a PDF, an
image, an archive or a 204), and classify trusts the comparison only when the probe got a
2xx itself. Two pages with almost no visible text (application shells whose content a
script draws) are compared by their markup instead, so that one shell is recognised as
the same shell and two different empty pages are not. A probe that fails, or takes longer
than its budget, is no evidence: it is tried at most twice, and no check waits for another
check's probe longer than ``ProbeCache``'s ``wait``.
"""

from __future__ import annotations

import asyncio
import difflib
import functools
import re
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlunsplit

from linkaudit.urls import split_url

__all__ = [
    "SHELL_TEXT",
    "Probe",
    "ProbeCache",
    "main_text",
    "normalise_markup",
    "normalise_text",
    "normalise_visible",
    "probe_key",
    "probe_url",
    "should_probe",
    "similarity",
    "similarity_of",
    "similarity_of_page",
    "visible_text",
]

_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_DIGITS = re.compile(r"\d+")
_NO_ASCII_DIGITS = str.maketrans("", "", "0123456789")
_SAMPLE = 20_000
_MARKUP_SAMPLE = 8_000
_SPACES = re.compile(r"\s+")
#: Visible characters (normalised) below which two pages are compared by their markup.
SHELL_TEXT = 64


@dataclass(frozen=True, slots=True)
class Probe:
    """What the random sibling answered."""

    url: str
    status: int | None
    final_url: str | None
    text: str
    """The normalised text of the probe's body (random name removed)."""
    markup: str | None = None
    """The probe's normalised markup, when its visible text is shorter than ``SHELL_TEXT``."""
    comparable: bool = True
    """The probe got a non-empty body of text (the only kind worth comparing)."""


def should_probe(url: str, status: int | None) -> bool:
    """Only a 2xx for a path below the site root is worth a probe."""
    path = split_url(url).path
    return status is not None and 200 <= status < 300 and path not in ("", "/")


def probe_key(url: str) -> tuple[str, str, str]:
    """(scheme, host and port, parent path): the unit that is probed once per run."""
    parts = split_url(url)
    return parts.scheme, parts.netloc.lower(), _parent(parts.path)


def _parent(path: str) -> str:
    trimmed = path.rstrip("/")
    return trimmed[: trimmed.rfind("/") + 1] or "/"


def probe_url(url: str, name: str | None = None) -> tuple[str, str]:
    """A surely missing sibling of ``url`` and the random name used in it."""
    name = name or "linkaudit-" + secrets.token_hex(12)
    parts = split_url(url)
    path = _parent(parts.path) + name
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")), name


def normalise_text(body: str, *remove: str) -> str:
    """Visible text, lower-cased, digits and ``remove`` strings dropped, spaces collapsed."""
    return normalise_visible(visible_text(body), *remove)


_BOILERPLATE = re.compile(
    r"<(nav|header|footer|aside)\b.*?</\1\s*>|<(script|style)\b.*?</\2\s*>|<[^>]*>",
    re.IGNORECASE | re.DOTALL,
)


def main_text(body: str) -> str:
    """``visible_text`` without the navigation, header, footer and sidebars a site repeats
    on every page: what is compared with the probe, so that a shared menu does not make an
    article look like the site's not-found page."""
    return _BOILERPLATE.sub(" ", body[: _SAMPLE * 4])


def visible_text(body: str) -> str:
    """``body`` without tags, scripts and styles (the costly step of ``normalise_text``,
    done once when a page needs both a fingerprint and a comparison)."""
    return _TAGS.sub(" ", body[: _SAMPLE * 4])


def normalise_visible(text: str, *remove: str) -> str:
    """``normalise_text`` of what ``visible_text`` returned.

    ``str.split`` breaks on exactly the characters ``\\s`` matches, and an ASCII text's
    only ``\\d`` are 0-9, which ``str.translate`` drops: the same text as the regular
    expressions give, several times faster (a regular expression for other texts)."""
    for word in remove:
        if word:
            text = text.replace(word, " ")
    text = text.lower()
    text = text.translate(_NO_ASCII_DIGITS) if text.isascii() else _DIGITS.sub("", text)
    return " ".join(text.split())[:_SAMPLE]


def normalise_markup(body: str, *remove: str) -> str:
    """The markup itself, lower-cased, without digits, ``remove`` strings and runs of spaces:
    what tells one application shell from another when neither shows any text."""
    text = body[: _MARKUP_SAMPLE * 2]
    for word in remove:
        if word:
            text = text.replace(word, " ")
    text = _DIGITS.sub("", text.lower())
    return _SPACES.sub(" ", text).strip()[:_MARKUP_SAMPLE]


def similarity_of_page(
    text: str, markup: str | None, page_final: str | None, probe: Probe
) -> float:
    """``similarity_of``, by markup when both pages show less than ``SHELL_TEXT`` of text
    (``markup`` and ``Probe.markup`` are given only then)."""
    if markup is not None and probe.markup is not None:
        if page_final is not None and page_final == probe.final_url:
            return 1.0
        return _ratio(markup, probe.markup)
    return similarity_of(text, page_final, probe)


def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 3)


def similarity(page: str, page_final: str | None, probe: Probe, *remove: str) -> float:
    """0..1 likeness of the page to its probe; 1.0 when both ended at the same URL."""
    return similarity_of(normalise_text(page, *remove), page_final, probe)


def similarity_of(text: str, page_final: str | None, probe: Probe) -> float:
    """``similarity`` of a page already normalised (``normalise_text``).

    difflib's ``quick_ratio`` (an upper bound of ``ratio`` from the characters' counts) is
    computed here with ``str.count`` per character of the probe, which gives the same value
    without difflib's Python loop over every character of the page; the exact ``ratio`` is
    computed only when the bound is 0.5 or more.
    """
    if page_final is not None and probe.final_url is not None and page_final == probe.final_url:
        return 1.0
    b = probe.text
    if not text and not b:
        return 1.0
    shared = sum(min(text.count(char), n) for char, n in _counts(b).items())
    quick = 2.0 * shared / (len(text) + len(b))
    if quick < 0.5:
        return round(quick, 3)
    matcher = _matcher_for(b)
    matcher.set_seq1(text)
    return round(matcher.ratio(), 3)


@functools.lru_cache(maxsize=64)
def _counts(probe_text: str) -> Counter[str]:
    return Counter(probe_text)


@functools.lru_cache(maxsize=64)
def _matcher_for(probe_text: str) -> difflib.SequenceMatcher[str]:
    """One matcher per probe text: difflib caches its work on the second sequence, which
    every page of the same parent path is compared with (synchronous use only)."""
    return difflib.SequenceMatcher(None, "", probe_text, autojunk=False)


class ProbeCache:
    """One probe per (origin, parent path) per run, shared by concurrent checks.

    A probe that failed stays cached as no evidence (its siblings send no other); a probe
    whose sender was cancelled is forgotten, and the checks waiting for it get no evidence.
    Nobody waits longer than ``wait`` seconds for another check's probe.
    """

    def __init__(self) -> None:
        self._done: dict[tuple[str, str, str], asyncio.Future[Probe | None]] = {}

    async def get(
        self, url: str, send: Callable[[str, str], Awaitable[Probe | None]], wait: float
    ) -> Probe | None:
        """The probe for ``url``'s parent path, sending it with ``send(probe_url, name)`` once."""
        key = probe_key(url)
        future = self._done.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._done[key] = future
            target, name = probe_url(url)
            try:
                probe = await send(target, name)
            except asyncio.CancelledError:
                del self._done[key]
                future.set_result(None)  # the others go on without evidence
                raise
            except Exception:
                probe = None  # a probe that failed is no evidence (and is not sent again)
            future.set_result(probe)
            return probe
        if future.done():
            return future.result()  # the common case: no shield (a future and callbacks) to make
        try:
            return await asyncio.wait_for(asyncio.shield(future), wait)
        except TimeoutError:
            return None
