"""JSON reports validated against the shared schemas, SARIF against the official one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from linkaudit.models import Document, DocumentFormat, Occurrence
from linkaudit.report import LinksReport, Report, ReportOptions, get_reporter
from linkaudit.report.json import render_links
from linkaudit.verdicts import Reason, Verdict

#: The contracts ship with the package (copies of ../shared's, kept equal by test_schemas_match).
PACKAGED = Path(__file__).resolve().parents[2] / "src" / "linkaudit" / "schemas"


def _validate(data: Any, schema_path: Path) -> None:
    if not schema_path.is_file():
        pytest.skip(f"{schema_path} is absent")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).validate(data)


def test_report_matches_schema(sample_report: Report) -> None:
    data = json.loads(get_reporter("json").render(sample_report))
    _validate(data, PACKAGED / "report-schema.json")
    assert data["generated_at"] == "2025-03-14T09:30:00Z"
    assert data["summary"] == {
        "documents": 3,
        "links": 10,
        "urls": 9,
        "by_verdict": {v.value: (2 if v is Verdict.DEAD else 1) for v in sorted(Verdict)},
        "network": "ok",
        "interrupted": False,
        "baselined": 0,
    }


def test_report_results_carry_every_field(sample_report: Report) -> None:
    data = json.loads(get_reporter("json").render(sample_report))
    first = data["results"][0]
    assert first["archive"]["timestamp"] == "20190101000000"
    assert first["history"] == {
        "first_seen": "2025-02-02T09:30:00Z",
        "last_ok": "2025-03-05T09:30:00Z",
        "failing_since": "2025-03-06T09:30:00Z",
        "consecutive_failures": 4,
        "flapping": False,
        "recovered": False,
        "escalated": False,
    }
    assert [o["page"] for o in first["occurrences"]] == [None, 3]
    redirected = next(r for r in data["results"] if r["verdict"] == "redirected")
    assert redirected["permanent"] is True
    assert [hop["status"] for hop in redirected["redirects"]] == [301, 308]
    assert "history" not in data["results"][1]
    assert data["warnings"] == ["papers/annex.pdf: 1 page had no text"]


def test_links_match_schema() -> None:
    links = LinksReport(
        documents=[Document(path="a.md", format=DocumentFormat.MARKDOWN, links=2)],
        links=[
            Occurrence(
                document="a.md",
                raw="TODO",
                url="TODO",
                text="x",
                line=1,
                problem=Reason.PLACEHOLDER,
            ),
            Occurrence(
                document="a.md", raw="/b", url="https://h.example/b", text="", line=2, column=3
            ),
        ],
    )
    data = json.loads(render_links(links))
    _validate(data, PACKAGED / "links-schema.json")
    assert [link["problem"] for link in data["links"]] == ["placeholder", None]


def test_sarif_matches_official_schema(sample_report: Report, shared: Path) -> None:
    data = json.loads(get_reporter("sarif").render(sample_report))
    _validate(data, shared / "schemas" / "sarif-schema-2.1.0.json")
    run = data["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == sorted(set(rules))
    assert set(rules) == {r["ruleId"] for r in run["results"]}
    assert set(rules) == {
        "http_404",
        "dns",
        "placeholder",
        "timeout",
        "login_redirect",
        "redirect_permanent",
        "wayback",
    }
    levels = [r["level"] for r in run["results"]]
    assert levels.count("error") == 4 and levels.count("warning") == 3 and levels.count("note") == 1
    located = run["results"][0]["locations"][0]["physicalLocation"]
    assert located["artifactLocation"]["uri"] == "briefs/rok-us%20policy.md"
    assert located["region"] == {"startLine": 12, "startColumn": 5}
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_sarif_levels_follow_fail_on(sample_report: Report) -> None:
    options = ReportOptions(fail_on=(Verdict.REDIRECTED,))
    data = json.loads(get_reporter("sarif", options).render(sample_report))
    errors = [r for r in data["runs"][0]["results"] if r["level"] == "error"]
    assert [r["properties"]["verdict"] for r in errors] == ["redirected"]


@pytest.mark.parametrize("name", ["report-schema.json", "links-schema.json"])
def test_packaged_schemas_match_shared(name: str, shared: Path) -> None:
    """The schemas shipped in the package are the shared contracts, unchanged."""
    assert (PACKAGED / name).read_bytes() == (shared / name).read_bytes()
