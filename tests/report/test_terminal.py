"""The extracted-links table and the progress listener."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from linkaudit.config import Settings
from linkaudit.models import Document, DocumentFormat, Occurrence, Result
from linkaudit.report import LinksReport
from linkaudit.report.progress import ProgressListener
from linkaudit.report.terminal import render_links_table
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Reason, Verdict
from web import SimWeb


def test_links_table_fits_and_escapes() -> None:
    links = LinksReport(
        documents=[
            Document(path="a.md", format=DocumentFormat.MARKDOWN, links=2),
            Document(path="b.pdf", format=DocumentFormat.PDF, error="encrypted"),
        ],
        links=[
            Occurrence(
                document="a.md",
                raw="TODO",
                url="TODO",
                text="[bold]x[/bold]",
                line=3,
                problem=Reason.PLACEHOLDER,
            ),
            Occurrence(
                document="a.md", raw="u", url="https://example.org/" + "long/" * 30, text="", page=2
            ),
        ],
    )
    text = render_links_table(links)
    assert all("://" in line for line in text.splitlines() if len(line) > 80)
    assert "https://example.org/" + "long/" * 30 in text  # never folded
    assert "[bold]x[/bold]" in text and "placeholder" in text and "(bare URL)" in text
    assert "b.pdf: encrypted" in text and "2 links in 2 documents" in text
    assert "a.md:3 " in text and "a.md page 2 " in text


def _terminal(drawn: StringIO) -> Console:
    return Console(file=drawn, force_terminal=True, width=80)


@pytest.mark.anyio
async def test_a_check_run_draws_its_progress_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, web: SimWeb, test_settings: Settings
) -> None:
    """The bar as a check run drives it: no total while the documents are read, then one
    step per result, against the total of distinct URLs."""
    monkeypatch.delenv("CI", raising=False)
    drawn = StringIO()
    listener = ProgressListener(console=_terminal(drawn))
    assert listener.enabled
    doc = tmp_path / "brief.md"
    doc.write_text(f"[a]({web.url('/status/200')}), [b]({web.url('/status/404')})\n")
    settings = test_settings.replace(soft404=False, archive="none")
    outcome = await run_check([str(doc)], settings, db=None, listener=listener)
    assert listener.done == len(outcome.report.results) == 2
    assert "checking" in drawn.getvalue() and "2/2" in drawn.getvalue()


@pytest.mark.parametrize("case", ["ci", "quiet", "pipe"])
def test_progress_is_silent_when_it_should_be(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    if case == "ci":
        monkeypatch.setenv("CI", "true")
    drawn = StringIO()
    console = Console(file=drawn, force_terminal=False) if case == "pipe" else _terminal(drawn)
    listener = ProgressListener(quiet=case == "quiet", console=console)
    assert not listener.enabled
    listener.start(0)
    listener.grew(1)
    listener.result_ready(Result(url="https://example.org/", verdict=Verdict.OK, reason=None))
    listener.finished()
    assert drawn.getvalue() == ""


def test_many_links_print_one_line_each() -> None:
    """The extract table is one line per link, places aligned (fast to lay out)."""
    count = 1001
    links = LinksReport(
        documents=[Document("big.md", DocumentFormat.MARKDOWN, links=count)],
        links=[
            Occurrence(
                "big.md", f"https://x.example/{i}", f"https://x.example/{i}", text="[t]", line=i + 1
            )
            for i in range(count)
        ],
    )
    out = render_links_table(links, width=80)
    assert out.count("https://x.example/") == count
    assert 'big.md:1     "[t]"  https://x.example/0\n' in out
