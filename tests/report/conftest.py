"""One sample report that every reporter renders, and helpers for golden files."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkaudit.models import (
    Document,
    DocumentFormat,
    History,
    Occurrence,
    Part,
    Redirect,
    Result,
    Snapshot,
)
from linkaudit.report import HealthPoint, Report, build_report
from linkaudit.verdicts import Reason, Verdict

GOLDEN = Path(__file__).parent / "golden"
WHEN = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
BRIEF = "briefs/rok-us policy.md"
PDF = "papers/annex.pdf"


def _occ(url: str, text: str, **where: Any) -> Occurrence:
    document = str(where.pop("document", BRIEF))
    return Occurrence(document=document, raw=url, url=url, text=text, **where)


def sample_results() -> list[Result]:
    """A result for every verdict, with the awkward text real briefs hold."""
    dead_archived = "https://www.state.gov/old-fact-sheet"
    dead = "https://gone.example.invalid/report,2019:final"
    moved = "http://www.whitehouse.gov/briefing-room"
    return [
        Result(
            url=dead_archived,
            verdict=Verdict.DEAD,
            reason="http_404",
            status=404,
            checked_at=WHEN,
            archive=Snapshot(
                url="https://web.archive.org/web/20190101000000/https://www.state.gov/old-fact-sheet",
                timestamp="20190101000000",
                original=dead_archived,
                service="wayback",
            ),
            occurrences=(
                _occ(dead_archived, "[markup] fact sheet", line=12, column=5),
                _occ(dead_archived, "Fact sheet", page=3, document=PDF, part=Part.FOOTNOTE),
            ),
            history=History(
                first_seen=WHEN - dt.timedelta(days=40),
                last_ok=WHEN - dt.timedelta(days=9),
                failing_since=WHEN - dt.timedelta(days=8),
                consecutive_failures=4,
            ),
        ),
        Result(
            url=dead,
            verdict=Verdict.DEAD,
            reason=Reason.DNS.value,
            error="name does not resolve",
            occurrences=(_occ(dead, "<html> & \"quotes\" 'too'", line=20, column=1),),
        ),
        Result(
            url="https://example.com/TODO",
            verdict=Verdict.INVALID,
            reason=Reason.PLACEHOLDER.value,
            occurrences=(
                _occ(
                    "https://example.com/TODO",
                    "|pipes| in text",
                    line=31,
                    problem=Reason.PLACEHOLDER,
                ),
            ),
        ),
        Result(
            url="https://slow.example.invalid/data",
            verdict=Verdict.UNREACHABLE,
            reason=Reason.TIMEOUT.value,
            attempts=3,
            occurrences=(_occ("https://slow.example.invalid/data", "Données coréennes", line=40),),
        ),
        Result(
            url="https://www.jstor.org/stable/123",
            verdict=Verdict.RESTRICTED,
            reason=Reason.LOGIN_REDIRECT.value,
            status=200,
            occurrences=(
                _occ("https://www.jstor.org/stable/123", "한미 동맹 (JSTOR)", page=7, document=PDF),
            ),
        ),
        Result(
            url=moved,
            verdict=Verdict.REDIRECTED,
            reason=Reason.REDIRECT_PERMANENT.value,
            status=200,
            final_url="https://www.whitehouse.gov/briefings-statements/",
            redirects=(
                Redirect(moved, 301),
                Redirect("https://www.whitehouse.gov/briefing-room", 308),
            ),
            permanent=True,
            occurrences=(_occ(moved, "White House\nbriefing room", line=44, column=3),),
        ),
        Result(
            url="https://web.archive.org/web/2015/https://example.org/",
            verdict=Verdict.ARCHIVED,
            reason=Reason.WAYBACK.value,
            status=200,
            occurrences=(
                _occ(
                    "https://web.archive.org/web/2015/https://example.org/",
                    "=archived copy",
                    line=50,
                ),
            ),
        ),
        Result(
            url="https://www.congress.gov/bill/1",
            verdict=Verdict.OK,
            reason=None,
            status=200,
            title="H.R.1",
            elapsed_ms=120.5,
            attempts=1,
            cached=True,
            occurrences=(_occ("https://www.congress.gov/bill/1", "", line=55, column=10),),
        ),
        Result(
            url="mailto:press@example.org",
            verdict=Verdict.SKIPPED,
            reason=Reason.MAILTO.value,
            occurrences=(_occ("mailto:press@example.org", "press office", line=60),),
        ),
    ]


def sample_documents() -> list[Document]:
    """The two documents the results cite, and one that could not be read."""
    return [
        Document(path=BRIEF, format=DocumentFormat.MARKDOWN, title="ROK–US brief", links=8),
        Document(path=PDF, format=DocumentFormat.PDF, links=2),
        Document(path="broken.docx", format=DocumentFormat.DOCX, error="not a zip file"),
    ]


def make_report(**changes: Any) -> Report:
    """The sample report, optionally with other ``build_report`` arguments."""
    arguments: dict[str, Any] = {
        "generated_at": WHEN,
        "warnings": ["papers/annex.pdf: 1 page had no text"],
    }
    arguments.update(changes)
    report = build_report(sample_documents(), sample_results(), **arguments)
    # Golden files must not change with the package version.
    return Report(
        generated_at=report.generated_at,
        tool_version="0.0.0-test",
        summary=report.summary,
        documents=report.documents,
        results=report.results,
        warnings=report.warnings,
        health=report.health,
    )


@pytest.fixture
def sample_report() -> Report:
    """The shared report every renderer is tested with."""
    return make_report()


@pytest.fixture
def health_report() -> Report:
    """The sample report with four earlier runs, for the HTML chart."""
    points = [
        HealthPoint(
            WHEN - dt.timedelta(days=7 * n), {"ok": 5 + n, "dead": 3 - n // 2, "archived": 1}
        )
        for n in range(4, 0, -1)
    ]
    return make_report(health=points)


def check_golden(name: str, text: str) -> None:
    """Compare with ``golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.is_file(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; UPDATE_GOLDEN=1 to accept"


def shared_dir() -> Path | None:
    """``../shared`` beside the repository, or ``LINKAUDIT_SHARED``; None when absent."""
    env = os.environ.get("LINKAUDIT_SHARED")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared"
    return path if path.is_dir() else None


@pytest.fixture
def golden() -> object:
    """``golden(name, text)``: compare with or (``UPDATE_GOLDEN=1``) rewrite a golden file."""
    return check_golden


@pytest.fixture
def shared() -> Path:
    """The shared folder (schemas); skips the test when it is absent."""
    path = shared_dir()
    if path is None:
        pytest.skip("../shared is absent (set LINKAUDIT_SHARED)")
    return path


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """A headless Chromium page (``cdp.Browser``); skips the test when chromium is absent."""
    from .cdp import CHROMIUM, Browser

    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    chromium = Browser(tmp_path / "profile")
    try:
        yield chromium
    finally:
        chromium.close()
