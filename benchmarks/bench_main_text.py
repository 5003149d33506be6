"""
Main-text extraction for content drift: linkaudit's rule (``drift.text.main_text``) against
trafilatura and readability-lxml, on the drift fixture pairs, by the drift state each gives
and by time per page.

    pip install trafilatura readability-lxml   # the bench extra has them
    python benchmarks/bench_main_text.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.drift_pages import ARTICLE, EDITED, OTHER, page
from linkaudit.drift.text import PageText, drift_state, main_text, similarity

PAIRS = {
    "unchanged": (page("Budget outlook", ARTICLE), page("Budget outlook", ARTICLE), "unchanged"),
    "redesign": (
        page("Budget outlook", ARTICLE),
        page("Budget outlook", ARTICLE, chrome="new shiny redesigned"),
        "unchanged",
    ),
    "edited": (page("Budget outlook", ARTICLE), page("Budget outlook", EDITED), "changed"),
    "replaced": (page("Budget outlook", ARTICLE), page("Local food", OTHER), "drifted"),
}


def _trafilatura(html: str) -> PageText:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html)
    return PageText((meta.title if meta else "") or "", text)


def _readability(html: str) -> PageText:
    from lxml import html as lxml_html
    from readability import Document

    document = Document(html)
    body = lxml_html.fromstring(document.summary())
    return PageText(document.short_title() or "", " ".join(body.text_content().split()))


EXTRACTORS: dict[str, Callable[[str], PageText]] = {
    "linkaudit rule": main_text,
    "trafilatura": _trafilatura,
    "readability-lxml": _readability,
}


def main() -> None:
    print("| extractor | states right | ms per page |")
    print("| --- | --- | --- |")
    for name, extract in EXTRACTORS.items():
        right = 0
        started = time.perf_counter()
        pages = 0
        for then, now, expected in PAIRS.values():
            a, b = extract(then), extract(now)
            pages += 2
            right += drift_state(similarity(a, b), a, b).value == expected
        for _ in range(20):  # timing: the four pairs again
            for then, now, _ in PAIRS.values():
                extract(then), extract(now)
                pages += 2
        ms = (time.perf_counter() - started) * 1000 / pages
        print(f"| {name} | {right}/{len(PAIRS)} | {ms:.2f} |")


if __name__ == "__main__":
    main()
