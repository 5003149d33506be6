"""
Other link checkers' test-suite expectations, reproduced offline (issue 13, "Done when").

Each ``*.toml`` here names a peer (LinkChecker, lychee, markdown-link-check, linkinator), the
files of its cases (documents of our own exercising what the peer's fixtures test), the
routes the simulated web serves for them (``%%BASE%%`` is its origin), and per document the
links the peer's suite expects alive, dead or skipped, with the test that expects it. The run
is linkaudit's: documents checked with ``--root-dir`` at the peer's folder.

Agreement is on what a brief's editor sees. The peer's *alive* and *skipped* are linkaudit's
``ok``, ``redirected``, ``archived`` and ``skipped`` (nothing to fix); its *dead* is ``dead``
or ``invalid``. ``restricted`` and ``unreachable`` agree with neither: each such case is a
disagreement. Every disagreement must be explained in docs/peers.md, and linkaudit must agree
with at least 85% of the applicable expectations.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkaudit.config import Settings
from linkaudit.models import Result
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Verdict
from web import Handler, Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

HERE = Path(__file__).parent
DOCS = HERE.parents[1] / "docs" / "peers.md"
BASE = "%%BASE%%"
AGREEMENT = 0.85
_NOTHING_TO_FIX = {Verdict.OK, Verdict.REDIRECTED, Verdict.ARCHIVED, Verdict.SKIPPED}
_BROKEN = {Verdict.DEAD, Verdict.INVALID}


@dataclass(frozen=True)
class Case:
    """One expectation of a peer's suite."""

    peer: str
    file: str
    link: str
    expect: str
    source: str

    def agrees(self, verdict: Verdict) -> bool:
        if self.expect == "dead":
            return verdict in _BROKEN
        return verdict in _NOTHING_TO_FIX


def _peers() -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(HERE.glob("*.toml"))]


def _cases(peer: dict[str, Any]) -> Iterator[Case]:
    for check in peer["check"]:
        for expect in ("alive", "dead", "skipped"):
            for link in check.get(expect, ()):
                yield Case(peer["peer"], check["file"], link, expect, check["source"])


def _handler(spec: dict[str, Any]) -> Handler:
    headers = {"content-type": spec.get("type", "text/html")}
    if "location" in spec:
        headers["location"] = spec["location"]

    async def handler(request: WebRequest) -> Reply:
        if request.method == "HEAD" and "head_status" in spec:
            return Reply(spec["head_status"], "", headers)
        return Reply(spec.get("status", 200), spec.get("body", "<p>ok</p>"), headers)

    return handler


async def _run(
    peer: dict[str, Any], folder: Path, web: SimWeb, settings: Settings
) -> dict[tuple[str, str], Result]:
    origin = web.url("").rstrip("/")
    for name, text in peer["files"].items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace(BASE, origin), encoding="utf-8")
    for route, spec in peer.get("routes", {}).items():
        web.route(route, _handler(spec))
    documents = sorted({str(folder / c["file"]) for c in peer["check"]})
    try:
        outcome = await run_check(documents, settings, db=None)
    finally:
        for route in peer.get("routes", {}):
            web.unroute(route)
    found: dict[tuple[str, str], Result] = {}
    for result in outcome.report.results:
        for occurrence in result.occurrences:
            document = str(Path(occurrence.document).relative_to(folder))
            found[(document, occurrence.raw.replace(origin, BASE))] = result
    return found


async def test_peer_expectations(tmp_path: Path, web: SimWeb, test_settings: Settings) -> None:
    settings = dataclasses.replace(test_settings, archive="none", retries=0, timeout=3.0)
    total = agreed = 0
    disagreements: list[str] = []
    for peer in _peers():
        folder = tmp_path / peer["peer"]
        folder.mkdir()
        found = await _run(peer, folder, web, dataclasses.replace(settings, root_dir=str(folder)))
        cases = list(_cases(peer))
        assert cases, peer["peer"]
        for case in cases:
            result = found.get((case.file, case.link))
            assert result is not None, f"{case.peer} {case.file}: {case.link!r} was not extracted"
            total += 1
            if case.agrees(result.verdict):
                agreed += 1
            else:
                disagreements.append(
                    f"{case.peer} | {case.file} | `{case.link}` | expects {case.expect} | "
                    f"linkaudit {result.verdict.value} ({result.reason})"
                )
    report = "\n".join(disagreements)
    print(f"\nagreement: {agreed}/{total} = {agreed / total:.1%}\n{report}")
    assert agreed / total >= AGREEMENT, report
    documented = DOCS.read_text(encoding="utf-8")
    missing = [d for d in disagreements if d.split(" | ")[2] not in documented]
    assert not missing, "explain in docs/peers.md:\n" + "\n".join(missing)
