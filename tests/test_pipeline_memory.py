"""What keeps a 100,000-URL run small: no whole-report strings at the end of the run."""

from __future__ import annotations

from linkaudit.models import Occurrence, Result, RunId
from linkaudit.report import build_report
from linkaudit.run.state import RunOutcome
from linkaudit.verdicts import Verdict


def _outcome(urls: int) -> RunOutcome:
    results = [
        Result(
            url=f"https://example.org/{i}",
            verdict=Verdict.OK,
            reason=None,
            occurrences=(Occurrence(document="d.md", raw="x", url=f"https://example.org/{i}"),),
        )
        for i in range(urls)
    ]
    return RunOutcome(report=build_report([], results), run_id=RunId(3))


def test_repr_does_not_grow_with_the_report() -> None:
    """asyncio.run (3.11) formats its main task's result; that must not render every result."""
    small, large = repr(_outcome(1)), repr(_outcome(2000))
    assert "https://example.org/0" not in large
    assert len(large) - len(small) < 10
    assert "run_id=3" in large and "urls=2000" in large
