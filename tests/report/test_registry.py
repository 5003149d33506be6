"""The format registry, suffixes and ``build_report``."""

from __future__ import annotations

import pytest

from linkaudit.exceptions import ConfigError
from linkaudit.models import Occurrence, Result, Snapshot
from linkaudit.report import (
    FORMATS,
    REPORTERS,
    Report,
    ReportFormat,
    StreamingReporter,
    build_report,
    contradicting_suffix,
    format_for_path,
    get_reporter,
)
from linkaudit.report.findings import action_for, location, status_text
from linkaudit.verdicts import Verdict


@pytest.mark.parametrize("name", list(REPORTERS))
def test_every_format_renders(name: str, sample_report: Report) -> None:
    reporter = get_reporter(name)
    assert reporter.name == name
    assert ReportFormat(name).value == name
    assert reporter.render(sample_report).endswith("\n")


def test_registry_matches_enum() -> None:
    assert set(REPORTERS) == {f.value for f in ReportFormat}


def test_unknown_format_names_choices() -> None:
    with pytest.raises(ConfigError, match=r"unknown report format 'yaml'.*sarif"):
        get_reporter("yaml")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("out/report.json", "json"),
        ("r.HTML", "html"),
        ("fix.md", "markdown"),
        ("junit.xml", "junit"),
        ("scan.sarif", "sarif"),
        ("scan.sarif.json", "sarif"),
        ("rows.csv", "csv"),
        ("report.txt", "table"),
        ("report.pdf", None),
        ("noext", None),
    ],
)
def test_format_for_path(path: str, expected: str | None) -> None:
    assert format_for_path(path) == expected


def test_every_suffix_names_its_format_or_an_earlier_one() -> None:
    """Each suffix maps back to its format, except one an earlier entry claims (github's .txt)."""
    for fmt, entry in FORMATS.items():
        for suffix in entry.suffixes:
            found = format_for_path(f"x{suffix}")
            assert found == fmt.value or (fmt is ReportFormat.GITHUB and found == "table")
            assert contradicting_suffix(fmt.value, f"x{suffix}") is None


@pytest.mark.parametrize(
    ("fmt", "path", "expected"),
    [
        ("github", "linkaudit.sarif", "sarif"),
        ("sarif", "report.md", "markdown"),
        ("json", "scan.sarif.json", "sarif"),
        ("sarif", "scan.sarif.json", None),
        ("github", "annotations.txt", None),
        ("markdown", "summary", None),
        ("csv", "rows.out", None),
    ],
)
def test_contradicting_suffix(fmt: str, path: str, expected: str | None) -> None:
    assert contradicting_suffix(fmt, path) == expected


def test_streaming_reporters_are_found_by_protocol() -> None:
    assert isinstance(get_reporter("json"), StreamingReporter)
    assert not isinstance(get_reporter("markdown"), StreamingReporter)


def test_build_report_counts(sample_report: Report) -> None:
    summary = sample_report.summary
    assert (summary.documents, summary.links, summary.urls) == (3, 10, 9)
    assert sum(summary.by_verdict.values()) == summary.urls
    empty = build_report([], [], network="unavailable", interrupted=True)
    assert empty.summary.by_verdict == {} and empty.summary.network == "unavailable"
    assert empty.summary.interrupted and empty.generated_at.tzinfo is not None


def test_actions_and_locations() -> None:
    dead = Result(url="u", verdict=Verdict.DEAD, reason="http_410", status=410)
    assert action_for(dead) == "find a replacement or an archived copy"
    archived = Result(
        url="u", verdict=Verdict.DEAD, reason="dns", archive=Snapshot(url="https://a/u")
    )
    assert action_for(archived) == "cite https://a/u instead"
    temporary = Result(
        url="u", verdict=Verdict.REDIRECTED, reason="redirect_temporary", final_url="v"
    )
    assert action_for(temporary) == "none needed; temporary redirect to v"
    assert (
        action_for(Result(url="u", verdict=Verdict.DEAD, reason="missing_fragment"))
        == "fix or drop the #fragment"
    )
    assert action_for(Result(url="u", verdict=Verdict.OK, reason=None)) == ""
    assert status_text(dead) == "HTTP 410"
    assert status_text(Result(url="u", verdict=Verdict.OK, reason=None, status=200)) == "HTTP 200"
    assert status_text(Result(url="u", verdict=Verdict.SKIPPED, reason=None)) == "skipped"
    occurrence = Occurrence(document="d", raw="u", url="u", page=2, line=4, column=1)
    assert location(occurrence) == "page 2, line 4:1"
    assert location(None) == ""
