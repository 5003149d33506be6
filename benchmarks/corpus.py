"""
The benchmark's inputs: Markdown and HTML documents citing every URL of a plan once, and the
ground truth of which URLs are dead.

Each chunk of URLs is written twice, as Markdown and as HTML, so that a peer that reads only one
of the two formats still sees every URL; the main run gives each tool the mixed set (even chunks
as Markdown, odd chunks as HTML).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simweb import Kind, Plan

__all__ = ["Corpus", "write_big_markdown", "write_corpus"]

LINKS_PER_FILE = 1000


@dataclass(frozen=True)
class Corpus:
    """Where the documents are and what the right answers are."""

    mixed: tuple[Path, ...]
    markdown: tuple[Path, ...]
    html: tuple[Path, ...]
    urls: tuple[str, ...]
    dead: frozenset[str]
    hostile: frozenset[str]


def write_corpus(plan: Plan, url_of: Callable[[int], str], root: Path) -> Corpus:
    """Write the documents and truth.json under ``root``, world-readable for LinkChecker."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    urls = tuple(url_of(i) for i in range(plan.urls))
    markdown: list[Path] = []
    html: list[Path] = []
    for start in range(0, plan.urls, LINKS_PER_FILE):
        ids = range(start, min(start + LINKS_PER_FILE, plan.urls))
        number = start // LINKS_PER_FILE
        markdown.append(_write(root / f"brief-{number:03d}.md", _markdown(number, ids, urls)))
        html.append(_write(root / f"brief-{number:03d}.html", _html(number, ids, urls)))
    mixed = tuple(markdown[i] if i % 2 == 0 else html[i] for i in range(len(markdown)))
    dead = frozenset(urls[i] for i, kind in enumerate(plan.kinds) if kind.is_dead)
    hostile = frozenset(urls[i] for i, kind in enumerate(plan.kinds) if kind.is_hostile)
    truth = {url: str(kind) for url, kind in zip(urls, plan.kinds, strict=True)}
    (root / "truth.json").write_text(json.dumps(truth, indent=0))
    return Corpus(mixed, tuple(markdown), tuple(html), urls, dead, hostile)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


_TOPICS = ("the treaty text", "the budget table", "the council minutes", "the trade data")


def _markdown(number: int, ids: range, urls: tuple[str, ...]) -> str:
    lines = [f"# Policy brief {number}", ""]
    for i in ids:
        topic = _TOPICS[i % len(_TOPICS)]
        lines.append(f"Paragraph {i} cites [{topic} ({i})]({urls[i]}) as its source.")
        lines.append("")
    return "\n".join(lines)


def _html(number: int, ids: range, urls: tuple[str, ...]) -> str:
    head = f"<!doctype html><html><head><meta charset='utf-8'><title>Brief {number}</title>"
    parts = [head, "</head><body>", f"<h1>Policy brief {number}</h1>"]
    for i in ids:
        topic = _TOPICS[i % len(_TOPICS)]
        parts.append(f'<p>Paragraph {i} cites <a href="{urls[i]}">{topic} ({i})</a>.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def write_big_markdown(path: Path, links: int) -> Path:
    """One large Markdown file for extraction speed: inline, reference-style and bare links."""
    lines = ["# A long report", ""]
    for i in range(links):
        url = f"https://www.institute-{i % 50}.org/section/{i // 100}/item-{i}"
        style = i % 3
        if style == 0:
            lines.append(f"Item {i} is described in [the source]({url}) at length.")
        elif style == 1:
            lines.append(f"Item {i} is described in [the source][ref{i}].\n\n[ref{i}]: {url}")
        else:
            lines.append(f"Item {i} is at {url} for now.")
        lines.append("")
    return _write(path, "\n".join(lines))


def kind_counts(plan: Plan) -> dict[str, int]:
    """How many URLs of each kind: for the report's parameters section."""
    counts = {str(k): 0 for k in Kind}
    for kind in plan.kinds:
        counts[str(kind)] += 1
    return {k: v for k, v in counts.items() if v}
