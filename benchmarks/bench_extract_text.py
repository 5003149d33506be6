"""
Links per second of linkaudit's Markdown, HTML and text extractors against the bare
parsers they are built on, in one run.

    python benchmarks/bench_extract_text.py [--links 20000] [--repeat 3] [--dump DIR]

The inputs are generated (deterministically): a Markdown file of about 1 MB with inline,
reference, autolink, bare-URL, ``www.``, e-mail, image and raw-HTML links, and an HTML page
of paragraphs, list items and table cells. The ratio column is the extractor's time over
the bare parse of the same file (stock markdown-it-py ``parse`` with the same rules; bs4 + lxml;
``find_urls``), so it stays comparable across machines. ``--dump`` writes every occurrence
as JSON lines, to compare outputs before and after a change.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from linkaudit.config import Settings
from linkaudit.extract.html import HtmlExtractor
from linkaudit.extract.markdown import MarkdownExtractor
from linkaudit.extract.text import TextExtractor, find_urls
from linkaudit.models import Extraction, Source

_PROSE = (
    "the policy brief argues that allied supply chains need a common screening rule "
    "while export controls on advanced chips remain the central lever of the strategy"
)
_WORDS = _PROSE.split()


def _words(i: int, n: int) -> str:
    return " ".join(_WORDS[(i * 7 + k) % len(_WORDS)] for k in range(n))


def _markdown_paragraph(i: int) -> tuple[str, int]:
    """One paragraph (12 links) and the number of links in it."""
    host = f"host{i % 97}.example.org"
    lines = [
        f"## Section {i}",
        "",
        f"The {_words(i, 2)} [inline link {i}](https://{host}/a/{i}?q={i}) and "
        f"[a reference][ref{i}] as well as <https://{host}/auto/{i}>.",
        f"See also https://{host}/bare/{i}, which {_words(i + 1, 2)}, and "
        f"www.{host}/www/{i} or write to editor{i}@{host}.",
        f'An image ![chart {i}](https://{host}/img/{i}.png "Chart") sits beside '
        f'<a href="https://{host}/raw/{i}">raw *HTML* link</a> in the text. '
        f"A [*nested* `code` link](https://{host}/nested/{i}) and [empty](#).",
        f"{_words(i + 2, 3)}. Then [collapsed][] and [shortcut] close it.",
        "",
        f'[ref{i}]: https://{host}/ref/{i} "Title {i}"',
        "",
    ]
    return "\n".join(lines) + "\n", 12


def markdown_document(links: int) -> str:
    """About ``links`` links of every Markdown kind (definitions of shared refs at the end)."""
    parts, count, i = [], 0, 0
    while count < links:
        text, made = _markdown_paragraph(i)
        parts.append(text)
        count += made
        i += 1
    parts.append("[collapsed]: https://example.org/collapsed\n[shortcut]: /relative/path\n")
    return "# Generated brief\n\nPublished 14 March 2025.\n\n" + "".join(parts)


def html_document(links: int) -> str:
    """About ``links`` links in paragraphs, list items and table cells."""
    body, count, i = [], 0, 0
    while count < links:
        host = f"host{i % 97}.example.org"
        body.append(
            f"<h2 id='s{i}'>Section {i}</h2>\n<p>The {_words(i, 4)} "
            f"<a href='https://{host}/a/{i}'>first <em>link</em> {i}</a>. "
            f"{_words(i + 1, 4)} <a href='/rel/{i}' data-originalurl='https://{host}/o/{i}' "
            f"data-versiondate='2024-01-0{i % 9 + 1}'>second link</a> and "
            f"<a href='#s{i}'>a fragment</a>.</p>\n<ul>\n"
            f"  <li>{_words(i + 2, 6)} <a href='https://{host}/li/{i}'><img src='/i/{i}.png' "
            f"alt='logo {i}'></a></li>\n"
            f"  <li><a href='mailto:ed{i}@{host}'>mail</a> or <a href='#missing'>broken</a></li>\n"
            f"</ul>\n<table><tr><td>{_words(i + 3, 4)} <a href='https://{host}/td/{i}'>cell</a>"
            f"</td><td><area href='https://{host}/area/{i}'></td></tr></table>\n"
            f"<script src='/js/{i}.js'></script>\n"
        )
        count += 10
        i += 1
    head = (
        "<!doctype html>\n<html><head><title>Generated page</title>"
        "<meta name='date' content='2025-03-14'><base href='https://example.org/dir/'>"
        "</head>\n<body>\n"
    )
    return head + "".join(body) + "</body></html>\n"


def _extract(extractor: Any, name: str, data: bytes) -> Extraction:
    source = Source(name=name, data=data, base_url=f"file:///bench/{name}")
    result: Extraction = extractor.extract(source, Settings())
    return result


def _stock_markdown() -> MarkdownIt:
    """markdown-it-py with the rules linkaudit enables, as shipped (linkify-it-py)."""
    return MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])


def _bs4_lxml(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        BeautifulSoup(text, "lxml")


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, Any]:
    """Best time of ``repeat`` runs, and the last run's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _dump(extraction: Extraction, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for occurrence in extraction.occurrences:
            out.write(json.dumps(dataclasses.asdict(occurrence), default=str) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dump", type=Path, help="write occurrences as JSON lines here")
    parser.add_argument("--write", type=Path, help="also save the generated inputs here")
    parser.add_argument("--only", nargs="*", help="labels to run (Markdown, HTML, text)")
    args = parser.parse_args()

    markdown = markdown_document(args.links)
    html = html_document(args.links)
    text = markdown  # the text extractor reads the same prose, bare URLs only
    inputs = {"bench.md": markdown, "bench.html": html, "bench.txt": text}
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, content in inputs.items():
            (args.write / name).write_text(content, encoding="utf-8")

    stock = _stock_markdown()
    cases: list[tuple[str, Any, str, str, Callable[[], object]]] = [
        (
            "Markdown",
            MarkdownExtractor(),
            "bench.md",
            "markdown-it-py parse",
            lambda: stock.parse(markdown),
        ),
        ("HTML", HtmlExtractor(), "bench.html", "bs4 + lxml parse", lambda: _bs4_lxml(html)),
        ("text", TextExtractor(), "bench.txt", "find_urls", lambda: find_urls(text)),
    ]
    print("| input | size | links | linkaudit | links/s | bare parser | parse | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for label, extractor, name, bare_name, bare in cases:
        if args.only and label not in args.only:
            continue
        data = inputs[name].encode("utf-8")
        whole, extraction = _best(lambda: _extract(extractor, name, data), args.repeat)  # noqa: B023
        found = len(extraction.occurrences)
        parse, _ = _best(bare, args.repeat)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            _dump(extraction, args.dump / f"{name}.jsonl")
        print(
            f"| {label} | {len(data) / 1e6:.2f} MB | {found} | {whole:.2f} s | "
            f"{found / whole:,.0f} | {bare_name} | {parse:.2f} s | {whole / parse:.2f}× |"
        )


if __name__ == "__main__":
    main()
