"""
SARIF 2.1.0 for code scanning: one rule per reason code, one result per cited place, with
the document and line so that the alert lands on the line that cites the URL.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from linkaudit._version import PROJECT_URL
from linkaudit.models import Result
from linkaudit.printable import json_text, neutralise, one_line
from linkaudit.report.base import Report, ReportOptions
from linkaudit.report.findings import FINDING_VERDICTS, Finding, findings

__all__ = ["SarifReporter"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = PROJECT_URL


class SarifReporter:
    """See ``Reporter.render``: error for fail-on verdicts, warning for problems, else note."""

    name = "sarif"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        chosen = findings(report.results, FINDING_VERDICTS, baselined=report.baselined)
        rule_ids = sorted({_rule_id(f) for f in chosen})
        index = {rule: i for i, rule in enumerate(rule_ids)}
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "linkaudit",
                    "version": report.tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": [_rule(rule, chosen) for rule in rule_ids],
                }
            },
            "results": [self._result(f, index) for f in chosen],
        }
        log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        return json_text(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"

    def _result(self, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
        rule = _rule_id(finding)
        result: dict[str, Any] = {
            "ruleId": rule,
            "ruleIndex": index[rule],
            "level": self._level(finding.result),
            "message": {"text": _message(finding)},
            "partialFingerprints": {"linkaudit/v1": _fingerprint(finding)},
            "properties": {"verdict": finding.result.verdict.value, "url": finding.result.url},
        }
        if finding.context:
            result["properties"]["context"] = one_line(finding.context)
        if finding.occurrence is not None:
            result["locations"] = [_location(finding)]
        if finding.baselined:
            # SARIF's own word for an accepted finding: code scanning shows it as dismissed.
            result["suppressions"] = [
                {"kind": "external", "justification": "accepted by the linkaudit baseline"}
            ]
            result["baselineState"] = "unchanged"
        return result

    def _level(self, result: Result) -> str:
        if result.fails(self.options.fail_on):
            return "error"
        return "warning" if result.verdict.is_problem or result.notices else "note"


def _rule_id(finding: Finding) -> str:
    return finding.result.reason or finding.result.verdict.value


def _rule(rule_id: str, chosen: list[Finding]) -> dict[str, Any]:
    verdicts = sorted({f.result.verdict.value for f in chosen if _rule_id(f) == rule_id})
    text = f"Link {' or '.join(verdicts)}: {rule_id.replace('_', ' ')}"
    return {
        "id": rule_id,
        "name": "".join(word.capitalize() for word in rule_id.split("_")),
        "shortDescription": {"text": text},
        "helpUri": INFORMATION_URI,
        "properties": {"tags": ["links", *verdicts]},
    }


def _message(finding: Finding) -> str:
    text = f"“{one_line(finding.text)}” → " if finding.text else ""
    url, status = neutralise(finding.result.url), neutralise(finding.status)
    message = f"{text}{url} is {finding.result.verdict.value} ({status})"
    if finding.occurrence is not None and finding.occurrence.page is not None:
        message += f" on page {finding.occurrence.page}"
    if finding.action:
        message += f". Action: {neutralise(finding.action)}."
    if finding.context:
        message += f" Context: “{one_line(finding.context)}”"
    return message


def _location(finding: Finding) -> dict[str, Any]:
    occurrence = finding.occurrence
    assert occurrence is not None
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(occurrence.document)}}
    if occurrence.line is not None:
        region: dict[str, Any] = {"startLine": occurrence.line}
        if occurrence.column is not None:
            region["startColumn"] = occurrence.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(document: str) -> str:
    """A URI reference for a document path (URLs of fetched documents pass through)."""
    if "://" in document:
        return document
    return quote(document.replace("\\", "/"), safe="/:@!$&'()*+,;=-._~")


def _fingerprint(finding: Finding) -> str:
    key = f"{finding.document}\n{finding.result.url}\n{finding.text}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]
