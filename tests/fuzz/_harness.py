"""
The property every extractor must keep, and the seed documents mutated by the fuzzers.

``extract_once`` is the oracle: an input either yields an ``Extraction`` or raises
linkaudit's ``DocumentError``; anything else (a foreign exception, a hang, a memory blow-up)
is a bug. Memory is measured with tracemalloc, so it counts Python allocations only, not
what pdfium or libxml2 allocate in C.
"""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, settings

from helpers.builders import docx as build_docx
from helpers.builders import pdf as build_pdf
from linkaudit.config import Settings
from linkaudit.exceptions import DocumentError
from linkaudit.extract import extract_source
from linkaudit.models import Extraction, Source

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "fixtures" / "docs"
#: Peak Python memory one document may take (generous: real documents take a few MB).
MEMORY_BOUND = 200_000_000
#: Exceptions that mean linkaudit's own code went wrong, even when the catch-all in
#: ``extract_source`` turns them into ``CorruptDocument``.
_BUGS = (
    AssertionError,
    AttributeError,
    IndexError,
    KeyError,
    NameError,
    TypeError,
    UnboundLocalError,
    ZeroDivisionError,
    RecursionError,
    MemoryError,
)
#: Examples per fuzz test: small in CI, raised by ``LINKAUDIT_FUZZ_EXAMPLES`` (nox -s fuzz).
EXAMPLES = int(os.environ.get("LINKAUDIT_FUZZ_EXAMPLES", "60"))
#: Seconds one fuzz test may take before pytest-timeout calls it a hang.
TEST_TIMEOUT = max(120.0, EXAMPLES * 1.0)

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Outcome:
    """What one extraction did: its result or its one-line error, and its peak memory."""

    extraction: Extraction | None
    error: DocumentError | None
    peak_bytes: int


def extract_once(name: str, data: bytes, settings: Settings | None = None) -> Outcome:
    """Extract ``data`` as document ``name``; fail the test on anything but the contract."""
    tracemalloc.start()
    try:
        extraction: Extraction | None = None
        error: DocumentError | None = None
        try:
            extraction = extract_source(
                Source(name, data, f"file:///fuzz/{name}"), settings or Settings()
            )
        except DocumentError as exc:
            error = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"{name}: {peak} bytes of Python memory for {len(data)} bytes"
    if error is not None:
        message = str(error)
        assert message and "\n" not in message.strip(), f"not one line: {message!r}"
        cause = error.__cause__
        assert not isinstance(cause, _BUGS), f"{name}: a bug caught as a document error: {cause!r}"
    return Outcome(extraction, error, peak)


@cache
def seed(fmt: str) -> bytes:
    """A valid document of ``fmt`` with links of every kind the extractor knows."""
    if fmt == "pdf":
        return build_pdf.links_pdf()
    if fmt == "docx":
        return build_docx.links_docx()
    if fmt == "markdown":
        return (ROOT / "examples" / "rok-us-policy-brief-2025-03.md").read_bytes()
    files = {
        "html": "base-href.html",
        "text": "plain.txt",
        "latex": "paper.tex",
        "bibtex": "refs.bib",
    }
    return (DOCS / files[fmt]).read_bytes()


SUFFIX = {
    "markdown": ".md",
    "html": ".html",
    "text": ".txt",
    "latex": ".tex",
    "bibtex": ".bib",
    "pdf": ".pdf",
    "docx": ".docx",
}


def docx_members(data: bytes) -> dict[str, bytes]:
    """The members of a DOCX seed, to mutate one and zip them again."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(members: dict[str, bytes]) -> bytes:
    """A zip of ``members`` (valid CRCs, so the mutation reaches the XML reader)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()
