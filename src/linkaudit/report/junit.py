"""
JUnit XML: one testsuite per document, one testcase per place a URL is cited.

Verdicts in fail-on are failures, ``skipped`` is skipped, the rest pass (problems not in
fail-on carry their detail in ``system-out`` so that CI UIs still show them).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from linkaudit.printable import guard_lines, neutralise, one_line
from linkaudit.report.base import Report, ReportOptions
from linkaudit.report.findings import ALL_VERDICTS, Finding, citation_problem, findings, iso
from linkaudit.verdicts import Verdict

__all__ = ["JunitReporter"]

# XML 1.0 forbids most control characters even as references; anchor texts can hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NO_DOCUMENT = "(no document)"


class JunitReporter:
    """See ``Reporter.render``."""

    name = "junit"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        root = ET.Element("testsuites", name="linkaudit", timestamp=iso(report.generated_at) or "")
        chosen = findings(report.results, ALL_VERDICTS, baselined=report.baselined)
        chosen.sort(key=lambda f: f.document)
        for document, group in groupby(chosen, key=lambda f: f.document):
            root.append(self._suite(document or NO_DOCUMENT, list(group)))
        for key in ("tests", "failures", "skipped"):
            root.set(key, str(sum(int(suite.get(key, "0")) for suite in root)))
        root.set("errors", "0")
        ET.indent(root)
        return guard_lines(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")

    def _suite(self, document: str, group: list[Finding]) -> ET.Element:
        suite = ET.Element("testsuite", name=_clean(document))
        failures = skipped = 0
        for finding in group:
            case = ET.SubElement(
                suite, "testcase", name=_clean(_case_name(finding)), classname=_clean(document)
            )
            verdict = finding.result.verdict
            detail = _detail(finding)
            fails = finding.result.fails(self.options.fail_on)
            if fails and finding.baselined:
                ET.SubElement(case, "system-out").text = detail + "\naccepted by the baseline"
            elif fails:
                failures += 1
                failure = ET.SubElement(
                    case, "failure", type=verdict.value, message=_clean(finding.status)
                )
                failure.text = detail
            elif verdict is Verdict.SKIPPED:
                skipped += 1
                ET.SubElement(case, "skipped", message=_clean(finding.status))
            elif verdict.is_problem or finding.result.notices or citation_problem(finding.result):
                ET.SubElement(case, "system-out").text = detail
        suite.set("tests", str(len(group)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        return suite


def _case_name(finding: Finding) -> str:
    where = finding.where
    return f"{where}: {finding.result.url}" if where else finding.result.url


def _detail(finding: Finding) -> str:
    lines = [
        f"url: {_clean(finding.result.url)}",
        f"verdict: {finding.result.verdict.value}",
        f"status: {_clean(finding.status)}",
    ]
    if finding.text:
        lines.append(f"anchor text: {_clean(one_line(finding.text))}")
    if finding.occurrence is not None and finding.occurrence.context:
        lines.append(f"context: {_clean(one_line(finding.occurrence.context))}")
    if finding.action:
        lines.append(f"action: {_clean(finding.action)}")
    return "\n".join(lines)


def _clean(text: str) -> str:
    """One printable line (``neutralise``) that XML 1.0 can hold."""
    return _NOT_XML.sub("\ufffd", neutralise(text))
