"""Findings a baseline accepts are marked in every format and counted in the summary (#16.4)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from linkaudit.report import REPORTERS, Report, ReportOptions, get_reporter

from .conftest import BRIEF, make_report

ACCEPTED = (BRIEF, "https://example.com/TODO", "|pipes| in text")


@pytest.fixture
def marked() -> Report:
    report = make_report()
    summary = dataclasses.replace(report.summary, baselined=1)
    return dataclasses.replace(report, summary=summary, baselined=frozenset({ACCEPTED}))


def render(fmt: str, report: Report, **options: Any) -> str:
    return get_reporter(fmt, ReportOptions(color=False, **options)).render(report)


def test_json_marks_the_place_and_counts_it(marked: Report) -> None:
    data = json.loads(render("json", marked))
    assert data["summary"]["baselined"] == 1
    (todo,) = [r for r in data["results"] if r["url"] == "https://example.com/TODO"]
    assert todo["occurrences"][0]["baselined"] is True
    others = [o for r in data["results"] if r is not todo for o in r["occurrences"]]
    assert not any("baselined" in o for o in others)


def test_table_marks_and_quiet_hides_it(marked: Report) -> None:
    text = render("table", marked)
    assert '"|pipes| in text"  [baseline]' in text
    assert "invalid: 1 URL in 1 place (1 accepted by the baseline)" in text
    assert "1 accepted by the baseline" in text.splitlines()[-1] + text.splitlines()[-2]
    quiet = render("table", marked, quiet=True)
    assert "https://example.com/TODO" not in quiet and "dead: 2 URLs" in quiet


def test_text_formats_mark_it(marked: Report) -> None:
    markdown = render("markdown", marked)
    assert "*(accepted by the baseline)*" in markdown and "**Baseline:** 1" in markdown
    rows = list(csv.DictReader(io.StringIO(render("csv", marked))))
    assert [r["url"] for r in rows if r["baselined"] == "yes"] == ["https://example.com/TODO"]
    html = render("html", marked)
    assert html.count('data-baselined="true"') == 1 and "accepted by the baseline" in html
    github = render("github", marked)
    (notice,) = [line for line in github.splitlines() if line.startswith("::notice ")]
    assert "example.com/TODO" in notice and "accepted by the baseline" in notice
    assert "example.com/TODO" not in "".join(
        line for line in github.splitlines() if line.startswith("::error")
    )


def test_sarif_and_junit_do_not_fail_on_it(marked: Report) -> None:
    sarif = json.loads(render("sarif", marked))
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [r["properties"]["url"] for r in suppressed] == ["https://example.com/TODO"]
    root = ET.fromstring(render("junit", marked).encode())
    assert root.get("failures") == "3"  # the three dead places; the placeholder is accepted
    assert "accepted by the baseline" in ET.tostring(root, encoding="unicode")


def test_every_format_is_covered() -> None:
    assert set(REPORTERS) == {
        "table",
        "json",
        "markdown",
        "html",
        "junit",
        "sarif",
        "github",
        "csv",
    }
