"""Golden files for the text formats, and the properties each must keep."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from linkaudit.report import Report, ReportOptions, get_reporter
from linkaudit.report.github import escape_data, escape_property
from linkaudit.report.markdown import code, escape

Golden = Callable[[str, str], None]
PLAIN = ReportOptions(color=False)


@pytest.mark.parametrize(
    ("name", "file"),
    [
        ("markdown", "report.md"),
        ("junit", "report.junit.xml"),
        ("sarif", "report.sarif"),
        ("github", "report.github.txt"),
        ("csv", "report.csv"),
        ("table", "report.table.txt"),
    ],
)
def test_golden(sample_report: Report, golden: Golden, name: str, file: str) -> None:
    golden(file, get_reporter(name, PLAIN).render(sample_report))


@pytest.mark.parametrize(
    ("file", "options"),
    [
        ("report.table.160.txt", ReportOptions(color=False, width=160)),
        ("report.table.by-document.txt", ReportOptions(color=False, group_by="document")),
        ("report.table.quiet.txt", ReportOptions(color=False, quiet=True)),
        ("report.table.verbose.160.txt", ReportOptions(color=False, verbose=True, width=160)),
    ],
)
def test_table_layouts(
    sample_report: Report, golden: Golden, file: str, options: ReportOptions
) -> None:
    """The table at 80 (``report.table.txt``) and 160 columns, by document, quiet, verbose."""
    golden(file, get_reporter("table", options).render(sample_report))


def test_table_quiet_shows_only_what_fails_the_gate(sample_report: Report) -> None:
    text = get_reporter("table", ReportOptions(color=False, quiet=True)).render(sample_report)
    assert "dead: 2 URLs in 3 places" in text and "invalid: 1 URL" in text
    assert "unreachable" not in text.split("\n3 documents")[0]
    assert "warning:" not in text and text.rstrip().endswith("1 ok, 1 skipped")


def test_table_verbose_adds_ok_links(sample_report: Report) -> None:
    plain = get_reporter("table", PLAIN).render(sample_report)
    verbose = get_reporter("table", ReportOptions(color=False, verbose=True)).render(sample_report)
    assert "https://www.congress.gov/bill/1" not in plain
    assert "ok: 1 URL in 1 place" in verbose and "https://www.congress.gov/bill/1" in verbose


def test_table_places_are_clickable(sample_report: Report) -> None:
    text = get_reporter("table", PLAIN).render(sample_report)
    assert '    briefs/rok-us policy.md:12:5  "[markup] fact sheet"' in text
    assert '    papers/annex.pdf page 3       "Fact sheet"' in text
    assert text.count("→ cite https://web.archive.org/") == 1  # one row per URL, not per place


def test_table_fits_80_columns_and_escapes_markup(sample_report: Report) -> None:
    text = get_reporter("table", PLAIN).render(sample_report)
    # Laid out for 80 columns; a line overflows only to keep a URL whole (never folded).
    assert all("://" in line for line in text.splitlines() if len(line) > 80)
    for result in sample_report.results:
        if result.verdict.is_problem:
            assert f"  {result.url}\n" in text
    assert "[markup] fact sheet" in text  # shown literally, not eaten as rich markup
    assert "\x1b[" not in text


def test_table_actions(sample_report: Report) -> None:
    text = " ".join(
        get_reporter("table", ReportOptions(color=False, width=200)).render(sample_report).split()
    )
    assert "cite https://web.archive.org/web/20190101000000/" in text
    assert "update to https://www.whitehouse.gov/briefings-statements/" in text
    assert "remove placeholder or add the target" in text
    assert "find a replacement or an archived copy" in text
    assert "check by hand" in text
    assert "retry later" in text
    # problems first, in editing order; ok and skipped are only counted
    order = [
        text.index(f"{v}: ") for v in ("dead", "invalid", "unreachable", "restricted", "redirected")
    ]
    assert order == sorted(order)
    assert "congress.gov" not in text
    assert "1 ok, 1 skipped" in text


def test_table_colour_respects_no_color(
    sample_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in get_reporter("table").render(sample_report)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in get_reporter("table").render(sample_report)


def test_markdown_cells_are_escaped(sample_report: Report) -> None:
    text = get_reporter("markdown").render(sample_report)
    assert "\\|pipes\\| in text" in text
    assert "\\<html\\>" in text and "<html>" not in text
    rows = [line for line in text.splitlines() if line.startswith("| briefs/")]
    # every row of a fix table has exactly the six columns (unescaped pipes would add more)
    assert all(line.replace("\\|", "").count("|") == 7 for line in rows)


def test_markdown_max_rows(sample_report: Report) -> None:
    text = get_reporter("markdown", ReportOptions(max_rows=1)).render(sample_report)
    assert "… and 2 more." in text


def test_markdown_helpers() -> None:
    assert escape("a|b [c]\nd") == "a\\|b \\[c\\] d"
    assert code("a`b|c") == "``a`b\\|c``"
    assert code("") == ""


def test_csv_one_row_per_occurrence(sample_report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(get_reporter("csv").render(sample_report))))
    assert len(rows) == sample_report.summary.links
    by_text = {row["text"]: row for row in rows}
    assert by_text["'=archived copy"]["verdict"] == "archived"  # formula defused
    assert by_text["Fact sheet"]["page"] == "3"
    assert by_text["<html> & \"quotes\" 'too'"]["url"].endswith("report,2019:final")


def test_github_annotations_carry_file_and_line(sample_report: Report) -> None:
    lines = get_reporter("github").render(sample_report).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(errors) == 4  # three dead occurrences and one invalid
    assert len(warnings) == 3
    first = errors[0]
    assert first.startswith(
        "::error file=briefs/rok-us policy.md,line=12,col=5,title=dead link%3A HTTP 404::"
    )
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert any("file=papers/annex.pdf," in line and "on page 3" in line for line in errors)
    assert "White House briefing room" in "\n".join(warnings)  # one line, as a reader sees it


def test_github_fail_on_changes_levels(sample_report: Report) -> None:
    options = ReportOptions(fail_on=())
    text = get_reporter("github", options).render(sample_report)
    assert "::error" not in text and text.count("::warning") == 7


def test_github_escaping() -> None:
    assert escape_data("50%\r\nx") == "50%25\\r\\nx"  # neutralised: shown, never a new line
    assert escape_property("a,b:c%") == "a%2Cb%3Ac%25"


def test_github_one_annotation_per_url_and_document_within_the_limit() -> None:
    """29 places of one URL in one brief are one annotation; past 10, one line says how many."""
    from linkaudit.models import Occurrence, Result
    from linkaudit.report import build_report
    from linkaudit.report.github import ANNOTATION_LIMIT
    from linkaudit.verdicts import Verdict

    def dead(n: int, places: int) -> Result:
        url = f"https://gone{n}.invalid/"
        occurrences = tuple(
            Occurrence(document="brief.md", raw=url, url=url, text=f"t{i}", line=i + 1, column=2)
            for i in range(places)
        )
        return Result(url=url, verdict=Verdict.DEAD, reason="dns", occurrences=occurrences)

    one = get_reporter("github").render(build_report([], [dead(0, 29)])).splitlines()
    assert len(one) == 1 and one[0].startswith("::error file=brief.md,line=1,col=2,")
    assert "Also cited at line 2:2, line 3:2" in one[0] and "and 8 more" in one[0]

    many = get_reporter("github").render(build_report([], [dead(n, 2) for n in range(25)]))
    lines = many.splitlines()
    assert len(lines) == ANNOTATION_LIMIT
    assert lines[-1].startswith("::error title=linkaudit::16 more error annotations")
