"""
The terminal: findings as rich tables and the extracted-links table (the progress bar is
``progress.py``).

With ``progress.py``, the only rich import outside ``cli.py``. Every user string goes in as
``Text`` (never as markup), since anchor texts and URLs may contain ``[``.
"""

from __future__ import annotations

import os
from io import StringIO

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.text import Text

from linkaudit.printable import guard_lines, neutralise, one_line
from linkaudit.report.base import LinksReport, Report, ReportOptions
from linkaudit.report.findings import ALL_VERDICTS, FINDING_VERDICTS, Finding, findings, place
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
    """See ``Reporter.render``: one row per distinct URL and verdict, the action to take, and
    below it every place that cites it as ``path:line:col "anchor text"``.

    URLs are never folded nor cut (a line overflows the width instead), so that they can be
    copied; places are what terminals and editors open on a click.
    """

    name = "table"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        options = self.options
        console = _console(options.width, options.color)
        shown = _shown(report, options)
        if options.group_by == "document":
            blocks = _by_document(shown, options.width)
        else:
            blocks = _by_verdict(shown, options.width)
        for block in blocks:  # one print a block: rich's cost is per print (docs/benchmarks.md)
            console.print(_NEWLINE.join(block), soft_wrap=True)
            console.print()
        if not options.quiet:
            for warning in report.warnings:
                console.print(Text(f"warning: {one_line(warning)}", style="yellow"))
        console.print(_summary_line(report))
        return guard_lines(_output(console))


def _shown(report: Report, options: ReportOptions) -> list[Finding]:
    """Problems and archive links; with ``quiet`` only what fails the gate; ``verbose`` adds
    ok and skipped links."""
    verdicts = ALL_VERDICTS if options.verbose else FINDING_VERDICTS
    chosen = findings(report.results, verdicts, baselined=report.baselined)
    if options.quiet:
        return [f for f in chosen if f.result.fails(options.fail_on) and not f.baselined]
    return chosen


def _rows(chosen: list[Finding]) -> list[list[Finding]]:
    """Findings grouped by (verdict, URL), in the order of each group's first finding."""
    rows: dict[tuple[Verdict, str], list[Finding]] = {}
    for finding in chosen:
        rows.setdefault((finding.result.verdict, finding.result.url), []).append(finding)
    return list(rows.values())


def _by_verdict(chosen: list[Finding], width: int) -> list[list[Text]]:
    blocks = []
    for verdict in ALL_VERDICTS:
        group = [f for f in chosen if f.result.verdict is verdict]
        if not group:
            continue
        rows = _rows(group)
        title = Text(
            f"{verdict.value}: {_count(len(rows), 'URL')} in {_count(len(group), 'place')}"
        )
        title.stylize(STYLES[verdict])
        accepted = sum(f.baselined for f in group)
        if accepted:
            title.append(f" ({accepted} accepted by the baseline)", style="dim")
        pad = _location_width(group, width)
        lines = [title]
        for row in rows:
            lines += _row(row, pad, width, show_verdict=False)
        blocks.append(lines)
    return blocks


def _by_document(chosen: list[Finding], width: int) -> list[list[Text]]:
    documents: dict[str, list[Finding]] = {}
    for finding in sorted(chosen, key=lambda f: f.document):
        documents.setdefault(finding.document, []).append(finding)
    blocks = []
    for document, group in documents.items():
        rank = {verdict: index for index, verdict in enumerate(ALL_VERDICTS)}
        group.sort(key=lambda f: rank[f.result.verdict])
        title = Text(one_line(document or "(no document)"), style="bold")
        title.append(f": {_count(len(group), 'finding')}")
        pad = _location_width(group, width)
        lines = [title]
        for row in _rows(group):
            lines += _row(row, pad, width, show_verdict=True)
        blocks.append(lines)
    return blocks


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


_INDENT = "    "


def _location_width(group: list[Finding], width: int) -> int:
    """The places of one group are aligned on the widest: as wide as it needs, never cut."""
    return max((cell_len(_place(f)) for f in group), default=0)


def _place(finding: Finding) -> str:
    return neutralise(finding.place or "(no document)")


def _row(row: list[Finding], pad: int, width: int, *, show_verdict: bool) -> list[Text]:
    first = row[0]
    result = first.result
    head = Text("  ")
    if show_verdict:
        head.append(f"{result.verdict.value:<11} ", style=STYLES[result.verdict])
    head.append(neutralise(result.url), style="cyan")
    status = Text(_INDENT)
    status.append(neutralise(first.status), style=STYLES[result.verdict])
    if first.action:
        status.append(f" → {neutralise(first.action)}", style="bold")
    lines = [head, status]
    for finding in row:
        lines.append(_place_line(finding, pad, width))
    return lines


def _place_line(finding: Finding, pad: int, width: int) -> Text:
    where = _place(finding)
    line = Text(_INDENT)
    line.append(where + " " * max(0, pad - cell_len(where)))
    mark = "  [baseline]" if finding.baselined else ""
    room = width - cell_len(line.plain) - 2 - cell_len(mark)
    if finding.text:
        line.append("  " + _fit(f'"{one_line(finding.text)}"', room))
    else:
        line.append("  (bare URL)", style="dim italic")
    if mark:
        line.append(mark, style="dim")
    return line


_NEWLINE = Text("\n")

#: Cells an anchor text keeps however long the place and URL beside it are.
_MIN_TEXT = 24


def _fit(text: str, room: int) -> str:
    """Anchor text cut at the end to fit (URLs never are); at least a few words stay."""
    room = max(room, _MIN_TEXT)
    if cell_len(text) <= room:
        return text
    return set_cell_size(text, room - 2) + '…"'


def render_links_table(links: LinksReport, width: int = 80, color: bool | None = False) -> str:
    """What ``linkaudit extract`` shows: one line per link, ``path:line:col  "text"  URL
    problem``, places aligned, URLs whole (a line overflows rather than fold one)."""
    console = _console(width, color)
    pad = max((cell_len(neutralise(place(o))) for o in links.links), default=0)
    for occurrence in links.links:
        where = neutralise(place(occurrence))
        line = Text(where + " " * max(0, pad - cell_len(where)), style="dim")
        if occurrence.text:
            tail = cell_len(occurrence.url) + (
                len(occurrence.problem.value) + 2 if occurrence.problem else 0
            )
            room = width - cell_len(line.plain) - 4 - tail
            line.append("  " + _fit(f'"{one_line(occurrence.text)}"', room))
        else:
            line.append("  (bare URL)", style="dim italic")
        line.append("  ")
        line.append(neutralise(occurrence.url), style="cyan")
        if occurrence.problem:
            line.append(f"  {occurrence.problem.value}", style="magenta")
        console.print(line, soft_wrap=True)
    for document in links.documents:
        if document.error:
            message = f"{one_line(document.path)}: {one_line(document.error)}"
            console.print(Text(message, style="red"), soft_wrap=True)
    console.print(Text(f"{len(links.links)} links in {len(links.documents)} documents"))
    return guard_lines(_output(console))


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


def _summary_line(report: Report) -> Text:
    summary = report.summary
    counts = ", ".join(
        f"{summary.by_verdict[v.value]} {v.value}"
        for v in ALL_VERDICTS
        if summary.by_verdict.get(v.value)
    )
    sizes = [
        _count(summary.documents, "document"),
        _count(summary.links, "link"),
        _count(summary.urls, "URL"),
    ]
    line = Text(", ".join(sizes) + ": ")
    line.append(counts or "nothing to check")
    if summary.baselined:
        line.append(f"; {summary.baselined} accepted by the baseline", style="dim")
    if summary.network != "ok":
        line.append(f"; network {summary.network}", style="bold red")
    if summary.interrupted:
        line.append("; interrupted", style="bold red")
    return line
