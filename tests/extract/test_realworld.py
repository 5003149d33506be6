"""
The extractors against ../shared/realworld (CommonMark and GFM specs, LinkChecker's HTML
tests), scored by the corpus's own ``score_extract.py``. Skipped when the corpus is absent.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers.realworld import realworld_dir
from linkaudit.config import Settings
from linkaudit.extract import iter_inputs

GROUPS = ("commonmark", "gfm", "html")


def links_json(paths: list[str], settings: Settings) -> dict[str, Any]:
    """linkaudit.links/1, built here so that the test does not depend on the report package."""
    documents: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for extraction in iter_inputs(paths, settings):
        doc = extraction.document
        documents.append(
            {"path": doc.path, "format": doc.format.value, "links": doc.links, "error": doc.error}
        )
        for occ in extraction.occurrences:
            item = dataclasses.asdict(occ)
            links.append(
                {
                    key: item[key]
                    for key in (
                        "url",
                        "raw",
                        "document",
                        "text",
                        "page",
                        "line",
                        "column",
                        "context",
                        "part",
                        "problem",
                    )
                }
            )
    return {"schema": "linkaudit.links/1", "documents": documents, "links": links}


def corpus_files(folder: Path, groups: tuple[str, ...]) -> list[str]:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return [str(folder / f["path"]) for f in expected["files"] if f["group"] in groups]


def score(folder: Path, output: Path, report: Path) -> str:
    command = [
        sys.executable,
        "score_extract.py",
        str(output),
        "--groups",
        ",".join(GROUPS),
        "--json",
        str(report),
        "--max-lines",
        "200",
    ]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


@pytest.mark.realworld
def test_realworld_text_formats(tmp_path: Path) -> None:
    folder = realworld_dir()
    if folder is None:
        pytest.skip("../shared/realworld is absent")
    output, report = tmp_path / "links.json", tmp_path / "score.json"
    data = links_json(corpus_files(folder, GROUPS), Settings())
    output.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    printed = score(folder, output, report)
    result = json.loads(report.read_text(encoding="utf-8"))
    for group in GROUPS:
        numbers = result["groups"][group]
        assert numbers["recall"] >= 0.98, printed
        assert numbers["precision"] >= 0.95, printed
        assert numbers["text_accuracy"] >= 0.95, printed
        assert numbers["error_documents"] == 0, printed
