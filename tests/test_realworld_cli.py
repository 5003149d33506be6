"""
`linkaudit extract` over the whole ../shared/realworld corpus, scored by its own scorer: the
issue's overall thresholds (0.98 recall, 0.95 precision, 0.95 text). Skipped when the corpus
is absent (its files carry their own licences and are never copied).

Default settings but one: the corpus counts a PDF link wrapped over two lines as two
occurrences (one per annotation, its README says so), where linkaudit reports one by default
(issue 20). The run uses ``join_wrapped_pdf_links = false`` so that the corpus is scored by
its own definition; joined, the nine wrapped links it holds count as nine misses
(docs/extraction.md gives both numbers).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from extract.test_realworld import realworld_dir

pytestmark = pytest.mark.realworld


def test_whole_corpus_with_default_settings(tmp_path: Path) -> None:
    """Every group at once, as `nox -s realworld` runs it (wrapped PDF links not joined)."""
    corpus = realworld_dir()
    if corpus is None:
        pytest.skip("../shared/realworld is absent")
    listing = subprocess.run(
        [sys.executable, "score_extract.py", "--list"],
        cwd=corpus, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    out = tmp_path / "links.json"
    config = tmp_path / "linkaudit.toml"
    config.write_text("join_wrapped_pdf_links = false\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "linkaudit", "extract", *listing, "--format", "json",
         "--config", str(config), "--output", str(out)],
        cwd=corpus, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    scored = subprocess.run(
        [sys.executable, "score_extract.py", str(out)],
        cwd=corpus, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    last = scored.strip().splitlines()[-1]
    found = re.match(r"realworld: ([\d.]+) recall, ([\d.]+) precision, ([\d.]+) text", last)
    assert found, last
    recall, precision, text = (float(x) for x in found.groups())
    print(last)
    assert recall >= 0.98 and precision >= 0.95 and text >= 0.95, last
