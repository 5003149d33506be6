"""
Score linkaudit's extractors on the corpus of real documents in this folder.

    python tests/realdocs/score.py            # per format: recall, precision, text accuracy
    python tests/realdocs/score.py --verbose  # and every mismatch

The truth is ``expected.json`` (how it was made: ``SOURCES.md``). Matching, per document:
each expected link takes the first unused extracted link with the same URL (scheme and
host case, a trailing slash and percent-escapes of unreserved characters aside); the
anchor text of a matched pair is compared exactly after Unicode NFC and whitespace
folding. Standard library plus linkaudit only: the default test suite runs it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent


@dataclass
class Score:
    """Counts for one format."""

    files: int = 0
    expected: int = 0
    extracted: int = 0
    matched: int = 0
    texts: int = 0
    texts_right: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def text(self) -> float:
        return self.texts_right / self.texts if self.texts else 1.0


ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
UNRESERVED_ESCAPE = re.compile(r"%(2[dDeE]|5[fF]|7[eE]|[46][1-9a-fA-F]|[57][0-9aA]|3[0-9])")


def _unreserved(text: str) -> str:
    """RFC 3986 6.2.2.2: an escaped unreserved character is the character (``%2E`` is ``.``);
    6.2.2.1: the hexadecimal digits of other escapes are one case (``%3f`` is ``%3F``)."""
    text = UNRESERVED_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return ESCAPE.sub(lambda m: m.group(0).upper(), text)


def url_key(url: str) -> str:
    """Equal for the same target written two ways."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = unquote(parts.path).rstrip("/")
    scheme, host = parts.scheme.lower(), parts.netloc.lower()
    query, fragment = _unreserved(parts.query), _unreserved(parts.fragment)
    return urlunsplit((scheme, host, path, query, fragment))


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def extracted(path: Path) -> list[dict[str, Any]]:
    """What linkaudit extracts from one corpus file, as plain dicts."""
    from linkaudit.config import Settings
    from linkaudit.extract import iter_inputs

    links: list[dict[str, Any]] = []
    for extraction in iter_inputs([str(path)], Settings()):
        if extraction.document.error:
            raise RuntimeError(f"{path}: {extraction.document.error}")
        for occurrence in extraction.occurrences:
            links.append(
                {
                    "url": occurrence.url,
                    "text": occurrence.text,
                    "element": occurrence.element.value,
                    "page": occurrence.page,
                    "line": occurrence.line,
                }
            )
    return links


def score(expected_file: Path = HERE / "expected.json") -> dict[str, Score]:
    """Per format, the score of every file in ``expected_file``."""
    truth = json.loads(expected_file.read_text(encoding="utf-8"))
    scores: dict[str, Score] = {}
    for entry in truth["files"]:
        result = scores.setdefault(entry["format"], Score())
        found = extracted(HERE / entry["path"])
        result.files += 1
        result.expected += len(entry["links"])
        result.extracted += len(found)
        used: set[int] = set()
        for link in entry["links"]:
            key = url_key(link["url"])
            match = next(
                (i for i, got in enumerate(found) if i not in used and url_key(got["url"]) == key),
                None,
            )
            if match is None:
                result.mismatches.append(f"MISS  {entry['path']}: {link['url']}")
                continue
            used.add(match)
            result.matched += 1
            if link.get("text") is not None:
                result.texts += 1
                if fold(found[match]["text"]) == fold(link["text"]):
                    result.texts_right += 1
                else:
                    result.mismatches.append(
                        f"TEXT  {entry['path']}: {link['url']}: "
                        f"{found[match]['text']!r} != {link['text']!r}"
                    )
        for index, got in enumerate(found):
            if index not in used:
                result.mismatches.append(f"EXTRA {entry['path']}: {got['url']}")
    return scores


def table(scores: dict[str, Score]) -> str:
    """The scores as a Markdown table, one row per format and one for all."""
    rows = [
        "| format | files | expected | extracted | recall | precision | text |",
        "|---|---|---|---|---|---|---|",
    ]
    total = Score()
    for name, s in sorted(scores.items()):
        rows.append(
            f"| {name} | {s.files} | {s.expected} | {s.extracted} | {s.recall:.3f} | "
            f"{s.precision:.3f} | {s.text:.3f} |"
        )
        for attr in ("files", "expected", "extracted", "matched", "texts", "texts_right"):
            setattr(total, attr, getattr(total, attr) + getattr(s, attr))
    rows.append(
        f"| all | {total.files} | {total.expected} | {total.extracted} | {total.recall:.3f} | "
        f"{total.precision:.3f} | {total.text:.3f} |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    scores = score()
    print(table(scores))
    if args.verbose:
        for s in scores.values():
            for line in s.mismatches:
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
