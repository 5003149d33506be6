"""The JSON report written a result at a time is the text ``render`` returns."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from typing import overload

from linkaudit.models import Result
from linkaudit.report import Report, build_report
from linkaudit.report.json import JsonReporter, iter_report_json, report_to_dict
from linkaudit.verdicts import Verdict


def test_write_equals_render(sample_report: Report) -> None:
    stream = io.StringIO()
    JsonReporter().write(sample_report, stream)
    assert stream.getvalue() == JsonReporter().render(sample_report)
    assert json.loads(stream.getvalue()) == report_to_dict(sample_report)


def test_empty_report_streams_an_empty_list() -> None:
    report = build_report([], [])
    text = JsonReporter().render(report)
    assert '"results": []' in text
    assert json.loads(text) == report_to_dict(report)


class _Watched(Sequence[Result]):
    """Results that note how far they have been read."""

    def __init__(self, results: list[Result]) -> None:
        self.results, self.read = results, 0

    def __len__(self) -> int:
        return len(self.results)

    @overload
    def __getitem__(self, index: int) -> Result: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Result]: ...
    def __getitem__(self, index: int | slice) -> Result | Sequence[Result]:
        return self.results[index]

    def __iter__(self) -> Iterator[Result]:
        for result in self.results:
            self.read += 1
            yield result


def test_results_are_encoded_one_at_a_time(sample_report: Report) -> None:
    results = [
        Result(url=f"https://example.org/{i}", verdict=Verdict.OK, reason=None) for i in range(5)
    ]
    watched = _Watched(results)
    report = build_report(sample_report.documents, results)
    object.__setattr__(report, "results", watched)  # a frozen report over a watched list
    chunks = iter_report_json(report)
    for chunk in chunks:
        if "https://example.org/0" in chunk:
            break
    assert watched.read == 1  # the first result is out before the second is read
    rest = "".join(chunks)
    assert watched.read == 5
    assert rest.rstrip().endswith("}")
