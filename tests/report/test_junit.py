"""JUnit XML parsed back: suites per document, counts that add up."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from linkaudit.models import Occurrence, Result
from linkaudit.report import Report, ReportOptions, build_report, get_reporter
from linkaudit.verdicts import Verdict


def test_parses_back_with_counts(sample_report: Report) -> None:
    root = ET.fromstring(get_reporter("junit").render(sample_report).encode())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["briefs/rok-us policy.md", "papers/annex.pdf"]
    cases = root.iter("testcase")
    assert sum(1 for _ in cases) == sample_report.summary.links == int(root.get("tests", "-1"))
    assert len(list(root.iter("failure"))) == int(root.get("failures", "-1")) == 4
    assert len(list(root.iter("skipped"))) == int(root.get("skipped", "-1")) == 1
    for suite in suites:
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))
        assert int(suite.get("failures", "-1")) == len(suite.findall("testcase/failure"))
    types = sorted(f.get("type", "") for f in root.iter("failure"))
    assert types == ["dead", "dead", "dead", "invalid"]


def test_fail_on_decides_failures(sample_report: Report) -> None:
    options = ReportOptions(fail_on=(Verdict.DEAD, Verdict.INVALID, Verdict.UNREACHABLE))
    root = ET.fromstring(get_reporter("junit", options).render(sample_report).encode())
    assert root.get("failures") == "5"


def test_control_characters_stay_parseable() -> None:
    occurrence = Occurrence(document="a.md", raw="x", url="https://x.invalid/", text="bell\x07")
    result = Result(
        url="https://x.invalid/", verdict=Verdict.DEAD, reason="dns", occurrences=(occurrence,)
    )
    root = ET.fromstring(get_reporter("junit").render(build_report([], [result])).encode())
    failure = root.find(".//failure")
    assert failure is not None and "bell\\x07" in (failure.text or "")  # shown, not sent
