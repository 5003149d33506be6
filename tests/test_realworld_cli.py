"""
`linkaudit extract` over the whole ../shared/realworld corpus with default settings, scored
by the corpus's own scorer. Skipped when the corpus is absent (its files carry their own
licences and are never copied).

The corpus counts a PDF link wrapped over two lines (or split in two runs of one line) as
two occurrences, one per annotation (its README says so); linkaudit reports what a reader
sees, one link (issue 20). The fourteen such links it holds were rendered and read by eye
(tests/realworld_joined.json), so the run is scored twice: against the corpus as it stands,
where each of them is one miss, and against its truth with each counted once, which must
meet the issue's thresholds. Every listed link must come out joined, with the text read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers.realworld import realworld_dir
from realworld_joined import joined_links, unjoined, write_as_read

pytestmark = pytest.mark.realworld


def _score(corpus: Path, out: Path, report: Path, *extra: str) -> dict[str, Any]:
    """The scorer's numbers: ``realworld`` (overall) and ``groups``."""
    scored = subprocess.run(
        [sys.executable, "score_extract.py", str(out), "--json", str(report), *extra],
        cwd=corpus, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    print(scored.strip().splitlines()[-1])
    numbers: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return numbers


def test_whole_corpus_with_default_settings(tmp_path: Path) -> None:
    """Every group at once, as `nox -s realworld` runs it."""
    corpus = realworld_dir()
    if corpus is None:
        pytest.skip("../shared/realworld is absent")
    listing = subprocess.run(
        [sys.executable, "score_extract.py", "--list"],
        cwd=corpus, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    out = tmp_path / "links.json"
    done = subprocess.run(
        [sys.executable, "-m", "linkaudit", "extract", *listing, "--format", "json",
         "--output", str(out)],
        cwd=corpus, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert unjoined(json.loads(out.read_text(encoding="utf-8"))) == []

    as_read = write_as_read(corpus, tmp_path / "as-read.json")
    read = _score(corpus, out, tmp_path / "read.json", "--expected", str(as_read))
    total = read["realworld"]
    assert total["recall"] >= 0.98, total
    assert total["precision"] >= 0.95 and total["text_accuracy"] >= 0.99, total
    assert read["groups"]["pdf"]["recall"] == 1.0, read["groups"]["pdf"]

    # As the corpus stands, each joined link misses its other annotations, and nothing else.
    stands = _score(corpus, out, tmp_path / "stands.json")
    pdf = stands["groups"]["pdf"]
    missed = sum(link["annotations"] - 1 for link in joined_links())
    assert pdf["expected"] - pdf["matched"] == missed, pdf
    assert stands["realworld"]["precision"] >= 0.95, stands["realworld"]
    assert stands["realworld"]["text_accuracy"] >= 0.99, stands["realworld"]
