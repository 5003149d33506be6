"""
The terminal: findings as rich tables and the extracted-links table (the progress bar is
``progress.py``).

With ``progress.py``, the only rich import outside ``cli.py``. Every user string goes in as
``Text`` (never as markup), since anchor texts and URLs may contain ``[``.
"""

from __future__ import annotations

import os
from io import StringIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from linkaudit.report.base import LinksReport, Report, ReportOptions
from linkaudit.report.findings import ALL_VERDICTS, FINDING_VERDICTS, Finding, findings, location
from linkaudit.verdicts import Verdict

__all__ = ["TableReporter", "render_links_table"]

STYLES: dict[Verdict, str] = {
    Verdict.DEAD: "bold red",
    Verdict.INVALID: "bold magenta",
    Verdict.UNREACHABLE: "yellow",
    Verdict.RESTRICTED: "yellow",
    Verdict.REDIRECTED: "cyan",
    Verdict.ARCHIVED: "blue",
    Verdict.OK: "green",
    Verdict.SKIPPED: "dim",
}


class TableReporter:
    """See ``Reporter.render``: findings grouped by verdict, each with the action to take."""

    name = "table"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        console = _console(self.options.width, self.options.color)
        chosen = findings(report.results)
        for verdict in FINDING_VERDICTS:
            group = [f for f in chosen if f.result.verdict is verdict]
            if group:
                console.print(_verdict_table(verdict, group))
        for warning in report.warnings:
            console.print(Text(f"warning: {warning}", style="yellow"))
        console.print(_summary_line(report))
        return _output(console)


def render_links_table(links: LinksReport, width: int = 80, color: bool | None = False) -> str:
    """What ``linkaudit extract`` shows: every link with where it is and any problem."""
    console = _console(width, color)
    if len(links.links) > PLAIN_ROWS:
        _plain_links(console, links)
    else:
        console.print(_links_table(links, width))
    errors = [d for d in links.documents if d.error]
    for document in errors:
        console.print(Text(f"{document.path}: {document.error}", style="red"))
    console.print(Text(f"{len(links.links)} links in {len(links.documents)} documents"))
    return _output(console)


#: Above this many links a table costs seconds to lay out (rich measures every cell), so
#: ``linkaudit extract`` prints one line per link instead: ``where  text  url  problem``.
PLAIN_ROWS = 1000


def _plain_links(console: Console, links: LinksReport) -> None:
    for occurrence in links.links:
        line = Text(f"{occurrence.document} {location(occurrence)}".rstrip(), style="dim")
        line.append(f"  {occurrence.text or '(bare URL)'}  ")
        line.append(occurrence.url, style="cyan")
        if occurrence.problem:
            line.append(f"  {occurrence.problem.value}", style="magenta")
        console.print(line, overflow="fold", crop=False, soft_wrap=True)


def _links_table(links: LinksReport, width: int) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False, show_lines=False, pad_edge=False)
    table.add_column("Where", overflow="fold", max_width=max(16, width // 4))
    table.add_column("Link", overflow="fold")
    table.add_column("Problem", overflow="fold", max_width=12)
    for occurrence in links.links:
        where = Text(occurrence.document)
        if place := location(occurrence):
            where.append(f"\n{place}", style="dim")
        link = Text(occurrence.text or "(bare URL)", style="" if occurrence.text else "dim italic")
        link.append(f"\n{occurrence.url}", style="cyan")
        problem = Text(occurrence.problem.value if occurrence.problem else "", style="magenta")
        table.add_row(where, link, problem)
    return table


def _console(width: int, color: bool | None) -> Console:
    if color is None:
        color = "NO_COLOR" not in os.environ
    return Console(
        file=StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


def _output(console: Console) -> str:
    file = console.file
    assert isinstance(file, StringIO)
    # Rich pads every line to the console width; trailing blanks only get in the way.
    return "".join(line.rstrip() + "\n" for line in file.getvalue().splitlines())


def _verdict_table(verdict: Verdict, group: list[Finding]) -> Table:
    title = Text(f"{verdict.value} ({len(group)})", style=STYLES[verdict])
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=True
    )
    table.add_column("Where", overflow="fold", max_width=22)
    table.add_column("Link", overflow="fold", ratio=3)
    table.add_column("Status / action", overflow="fold", ratio=2)
    for finding in group:
        table.add_row(_where(finding), _link(finding), _status(finding))
    return table


def _where(finding: Finding) -> Text:
    where = Text(finding.document or "(no document)")
    if finding.where:
        where.append(f"\n{finding.where}", style="dim")
    return where


def _link(finding: Finding) -> Text:
    link = Text(finding.text or "(bare URL)", style="" if finding.text else "dim italic")
    link.append(f"\n{finding.result.url}", style="cyan")
    return link


def _status(finding: Finding) -> Text:
    status = Text(finding.status, style=STYLES[finding.result.verdict])
    if finding.action:
        status.append(f"\n→ {finding.action}", style="bold")
    return status


def _summary_line(report: Report) -> Text:
    summary = report.summary
    counts = ", ".join(
        f"{summary.by_verdict[v.value]} {v.value}"
        for v in ALL_VERDICTS
        if summary.by_verdict.get(v.value)
    )
    line = Text(f"{summary.documents} documents, {summary.links} links, {summary.urls} URLs: ")
    line.append(counts or "nothing to check")
    if summary.network != "ok":
        line.append(f"; network {summary.network}", style="bold red")
    if summary.interrupted:
        line.append("; interrupted", style="bold red")
    return line
