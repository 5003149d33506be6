"""
The links of ../shared/realworld that a reader sees as one link and the corpus counts once
per annotation (``realworld_joined.json``, each rendered and read by eye), and the corpus's
truth with each of them counted once: what `nox -s realworld` and
tests/test_realworld_cli.py score beside the corpus as it stands.

    python tests/realworld_joined.py CORPUS OUT.json   # writes the truth as a reader counts
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().with_name("realworld_joined.json")


def joined_links() -> list[dict[str, Any]]:
    """The table's entries: path, page, url, annotations, reads (the text), seen (why)."""
    links: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))["links"]
    return links


def write_as_read(corpus: Path, out: Path) -> Path:
    """The corpus's expected.json with every joined link's extra annotations left out
    (document paths made absolute, so that the file may live anywhere)."""
    truth = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    extra: Counter[tuple[str, int, str]] = Counter()
    for link in joined_links():
        extra[(link["path"], link["page"], link["url"])] += link["annotations"] - 1
    for entry in truth["files"]:
        kept = []
        for item in entry["links"]:
            key = (entry["path"], item.get("page"), item["url"])
            if extra[key] > 0:
                extra[key] -= 1
                continue
            kept.append(item)
        entry["links"] = kept
        entry["path"] = str((corpus / entry["path"]).resolve())
    left = [key for key, count in extra.items() if count]
    if left:
        raise ValueError(f"not in the corpus's truth: {left}")
    out.write_text(json.dumps(truth), encoding="utf-8")
    return out


def unjoined(links_json: dict[str, Any]) -> list[str]:
    """The table's links that the extractor's output does not hold as one link reading
    ``reads`` (each listed link must be found that many times)."""
    wanted = Counter((e["path"], e["page"], e["url"], e["reads"]) for e in joined_links())
    found: Counter[tuple[str, int, str, str]] = Counter()
    for link in links_json["links"]:
        for path, page, url, reads in wanted:
            if (
                link["document"].endswith(path)
                and link.get("page") == page
                and link["url"].rstrip("/") == url.rstrip("/")
                and link.get("text") == reads
            ):
                found[(path, page, url, reads)] += 1
    return [f"{key}: found {found[key]}, want {n}" for key, n in wanted.items() if found[key] < n]


if __name__ == "__main__":
    print(write_as_read(Path(sys.argv[1]).resolve(), Path(sys.argv[2])))
