"""A run keeps its per-URL state in its ledger on disk: the report reads it back in
first-cited order with every place, nothing is left on disk when the report goes (or the run
fails), and every format renders from it what it renders from a list."""

from __future__ import annotations

import dataclasses
import gc
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.extract import iter_inputs
from linkaudit.models import Extraction
from linkaudit.report import REPORTERS, get_reporter
from linkaudit.report.base import ReportOptions
from linkaudit.run.pipeline import run_check
from linkaudit.store.ledger import LedgerResults
from linkaudit.verdicts import Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where ledgers are made during the test, to see what is left there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _documents(tmp_path: Path, web: SimWeb) -> list[str]:
    """Three documents citing shared URLs, a dead one and an invalid one, in a known order."""
    ok, dead, moved = web.url("/status/200"), web.url("/status/404"), web.url("/status/410")
    (tmp_path / "a.md").write_text(f"[dead]({dead}) then [ok]({ok})\n")
    (tmp_path / "b.md").write_text(f"[moved]({moved}), [ok again]({ok}), [p](#)\n")
    (tmp_path / "c.md").write_text(f"[dead again]({dead}) and [ok a third time]({ok})\n")
    return [str(tmp_path / name) for name in ("a.md", "b.md", "c.md")]


def _settings(test_settings: Settings) -> Settings:
    return dataclasses.replace(test_settings, archive="none", soft404=False)


async def test_results_in_first_cited_order_with_every_place(
    tmp_path: Path, web: SimWeb, test_settings: Settings, temp_folder: Path
) -> None:
    outcome = await run_check(_documents(tmp_path, web), _settings(test_settings), db=None)
    results = outcome.report.results
    assert isinstance(results, LedgerResults)
    assert [r.url for r in results] == [
        web.url("/status/404"),
        web.url("/status/200"),
        web.url("/status/410"),
        "#",
    ]
    places = {
        r.url: [(o.document.rsplit("/", 1)[-1], o.text) for o in r.occurrences] for r in results
    }
    assert places[web.url("/status/200")] == [
        ("a.md", "ok"),
        ("b.md", "ok again"),
        ("c.md", "ok a third time"),
    ]
    assert [r.verdict for r in results] == [
        Verdict.DEAD,
        Verdict.OK,
        Verdict.DEAD,
        Verdict.INVALID,
    ]
    summary = outcome.report.summary
    assert (summary.urls, summary.links, summary.documents) == (4, 7, 3)
    assert summary.by_verdict == {"dead": 2, "invalid": 1, "ok": 1}
    assert list(temp_folder.iterdir()) == []  # unlinked from the start
    results.close()
    assert results.ledger.closed


@pytest.mark.parametrize("fmt", list(REPORTERS))
async def test_every_format_renders_a_run_from_its_file_as_from_a_list(
    fmt: str, tmp_path: Path, web: SimWeb, test_settings: Settings, temp_folder: Path
) -> None:
    outcome = await run_check(
        _documents(tmp_path, web), _settings(test_settings), db=str(tmp_path / "s.sqlite")
    )
    streamed = outcome.report
    listed = dataclasses.replace(streamed, results=list(streamed.results))
    for options in (ReportOptions(), ReportOptions(verbose=True)):
        reporter = get_reporter(fmt, options)
        assert reporter.render(streamed) == reporter.render(listed)
    del outcome, streamed, listed
    gc.collect()
    assert list(temp_folder.iterdir()) == []  # the file went with the report


async def test_a_failing_run_leaves_no_file(
    tmp_path: Path, web: SimWeb, test_settings: Settings, temp_folder: Path
) -> None:
    """Extraction failing halfway: the error reaches the caller and the ledger is gone."""
    settings = _settings(test_settings)
    inputs = _documents(tmp_path, web)

    def failing() -> Iterator[Extraction]:
        yield from iter_inputs(inputs[:1], settings)
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError, match="the disk went away"):
        await run_check([], settings, db=None, extractions=failing())
    assert list(temp_folder.iterdir()) == []


async def test_max_time_results_come_from_the_file(
    tmp_path: Path, web: SimWeb, test_settings: Settings, temp_folder: Path
) -> None:
    """URLs never checked before ``--max-time`` are read back with every place they have."""
    slow = web.url("/slow-headers?i=ledger")
    (tmp_path / "a.md").write_text(f"[slow]({slow})\n")
    (tmp_path / "b.md").write_text(f"[slow again]({slow})\n")
    settings = dataclasses.replace(_settings(test_settings), max_time=0.5, timeout=5.0)
    outcome = await run_check([str(tmp_path / "a.md"), str(tmp_path / "b.md")], settings, db=None)
    (only,) = outcome.report.results
    assert only.error == "not checked before --max-time ran out"
    assert len(only.occurrences) == 2
    assert any("--max-time reached: 1 URLs" in w for w in outcome.report.warnings)
