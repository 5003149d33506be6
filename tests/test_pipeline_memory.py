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


def test_groups_are_tuples_in_first_cited_order() -> None:
    """The run's grouping (tuples, no list per URL) keeps first-cited order and every occurrence."""
    from linkaudit.models import Document, DocumentFormat, Extraction
    from linkaudit.run.feed import group_occurrences

    def occ(doc: str, url: str, line: int) -> Occurrence:
        return Occurrence(document=doc, raw=url, url=url, line=line)

    extractions = [
        Extraction(
            Document(path=doc, format=DocumentFormat.MARKDOWN),
            [occ(doc, u, n) for n, u in enumerate(urls)],
        )
        for doc, urls in (("a.md", "xyxzx"), ("b.md", "zwx"))
    ]
    tuples = group_occurrences(extractions)
    assert list(tuples) == ["x", "y", "z", "w"]
    assert all(isinstance(found, tuple) for found in tuples.values())
    assert [o.line for o in tuples["x"]] == [0, 2, 4, 2]
    assert [o.document for o in tuples["x"]] == ["a.md", "a.md", "a.md", "b.md"]
