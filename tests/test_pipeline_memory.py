"""What keeps a 100,000-URL run small: no whole-report strings at the end of the run."""

from __future__ import annotations

from linkaudit.models import Occurrence, Result
from linkaudit.pipeline import RunOutcome
from linkaudit.report import build_report
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
    return RunOutcome(report=build_report([], results), run_id=3)


def test_repr_does_not_grow_with_the_report() -> None:
    """asyncio.run (3.11) formats its main task's result; that must not render every result."""
    small, large = repr(_outcome(1)), repr(_outcome(2000))
    assert "https://example.org/0" not in large
    assert len(large) - len(small) < 10
    assert "run_id=3" in large and "urls=2000" in large


def test_tuple_groups_equal_group_occurrences() -> None:
    """The run's own grouping (tuples, no list per URL) keeps the public one's order and content."""
    from linkaudit.extract.base import Extraction
    from linkaudit.models import Document, DocumentFormat
    from linkaudit.pipeline import _group_by_url, group_occurrences

    def occ(doc: str, url: str, line: int) -> Occurrence:
        return Occurrence(document=doc, raw=url, url=url, line=line)

    extractions = [
        Extraction(
            Document(path=doc, format=DocumentFormat.MARKDOWN),
            [occ(doc, u, n) for n, u in enumerate(urls)],
        )
        for doc, urls in (("a.md", "xyxzx"), ("b.md", "zwx"))
    ]
    tuples = _group_by_url(extractions)
    assert list(tuples) == ["x", "y", "z", "w"]
    assert tuples == {url: tuple(found) for url, found in group_occurrences(extractions).items()}
    assert [o.line for o in tuples["x"]] == [0, 2, 4, 2]
