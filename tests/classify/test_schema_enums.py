"""Verdict and Reason must be exactly the report schema's enums, and every one is reachable."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from linkaudit.verdicts import Reason, Verdict

from .test_rules import CASES, PRECHECKS

REPO = Path(__file__).resolve().parents[2]


def _schema() -> dict[str, Any]:
    candidates = [REPO / "src" / "linkaudit" / "schemas" / "report-schema.json"]
    if "LINKAUDIT_SHARED" in os.environ:
        candidates.append(Path(os.environ["LINKAUDIT_SHARED"]) / "report-schema.json")
    candidates.append(REPO / ".." / "shared" / "report-schema.json")
    for path in candidates:
        if path.is_file():
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return data
    pytest.skip("report-schema.json not found")


def test_verdicts_equal_schema() -> None:
    assert [v.value for v in Verdict] == _schema()["$defs"]["verdict"]["enum"]


def test_reasons_equal_schema() -> None:
    assert [r.value for r in Reason] == _schema()["$defs"]["reason"]["enum"]


def test_every_verdict_and_reason_is_covered_by_a_case() -> None:
    verdicts = {case[2] for case in CASES} | {c[3] for c in PRECHECKS if c[3] is not None}
    reasons = {case[3] for case in CASES} | {c[4] for c in PRECHECKS}
    assert set(Verdict) <= verdicts
    # http_status is the schema's name for the http_<status> family.
    uncovered = {r.value for r in Reason} - {Reason.HTTP_STATUS.value} - reasons
    assert uncovered == set()
    assert any(r is not None and r.startswith("http_") for r in reasons)
