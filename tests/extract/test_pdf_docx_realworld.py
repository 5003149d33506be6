"""
The PDF and DOCX extractors on ../shared/realworld, scored by its own score_extract.py.

PDF truth counts one occurrence per annotation and no printed URLs, so the PDF group is
scored as the corpus defines it: annotations only, wrapped links not joined. The numbers
with printed URLs and joining (linkaudit's defaults) are in docs/pdf-libraries.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from linkaudit.config import Settings
from linkaudit.exceptions import DocumentError
from linkaudit.extract.docx import DocxExtractor
from linkaudit.extract.pdf import PdfExtractor
from linkaudit.models import Element, Source

SHARED = Path(
    os.environ.get("LINKAUDIT_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared")
)
REALWORLD = (SHARED / "realworld").resolve()
GROUPS = ("pdf", "docx-pandoc", "docx-mammoth", "docx-other")

pytestmark = [
    pytest.mark.realworld,
    pytest.mark.skipif(
        not (REALWORLD / "expected.json").is_file(), reason="../shared/realworld absent"
    ),
]


def links_json(settings: Settings, printed_pdf_urls: bool) -> dict[str, Any]:
    """A links-schema document for every file of GROUPS."""
    files = json.loads((REALWORLD / "expected.json").read_text())["files"]
    documents: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for entry in files:
        if entry["group"] not in GROUPS:
            continue
        path = REALWORLD / entry["path"]
        extractor = PdfExtractor() if entry["format"] == "pdf" else DocxExtractor()
        try:
            found = extractor.extract(Source(str(path), path.read_bytes(), path.as_uri()), settings)
        except DocumentError as exc:
            documents.append(
                {"path": str(path), "format": entry["format"], "links": 0, "error": str(exc)}
            )
            continue
        kept = [
            o
            for o in found.occurrences
            if printed_pdf_urls or entry["format"] != "pdf" or o.element != Element.BARE
        ]
        documents.append(
            {"path": str(path), "format": entry["format"], "links": len(kept), "error": None}
        )
        links.extend(
            {
                "url": o.url,
                "raw": o.raw,
                "document": str(path),
                "text": o.text,
                "page": o.page,
                "line": o.line,
                "column": o.column,
                "context": o.context,
                "part": o.part.value,
                "problem": o.problem.value if o.problem else None,
            }
            for o in kept
        )
    return {"schema": "linkaudit.links/1", "documents": documents, "links": links}


def score(tmp_path: Path, output: dict[str, Any], groups: str) -> dict[str, Any]:
    out, report = tmp_path / "links.json", tmp_path / "report.json"
    out.write_text(json.dumps(output))
    subprocess.run(
        [
            sys.executable,
            str(REALWORLD / "score_extract.py"),
            str(out),
            "--groups",
            groups,
            "--json",
            str(report),
        ],
        check=True,
        capture_output=True,
        cwd=REALWORLD,
    )
    result: dict[str, Any] = json.loads(report.read_text())
    return result


def overall(report: dict[str, Any]) -> dict[str, Any]:
    total: dict[str, Any] = report["realworld"]
    return total


def test_links_json_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SHARED / "links-schema.json").read_text())
    jsonschema.validate(links_json(Settings(), printed_pdf_urls=True), schema)


@pytest.mark.timeout(60)
def test_docx_groups(tmp_path: Path) -> None:
    numbers = overall(
        score(tmp_path, links_json(Settings(), True), "docx-pandoc,docx-mammoth,docx-other")
    )
    assert numbers["recall"] >= 0.98
    assert numbers["precision"] >= 0.95
    assert numbers["text_accuracy"] >= 0.95


@pytest.mark.timeout(60)
def test_pdf_group_as_the_corpus_counts(tmp_path: Path) -> None:
    settings = Settings(join_wrapped_pdf_links=False)
    numbers = overall(score(tmp_path, links_json(settings, printed_pdf_urls=False), "pdf"))
    assert numbers["recall"] >= 0.98
    assert numbers["precision"] >= 0.95
