"""
The figures of a benchmark run: the physical floor, each tool's row, the ratios, as Markdown.

Pure functions over measurements, so the report can be re-rendered and read without running
anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from measure import Measurement
from simweb import Kind, Plan, ServerStats
from tools import Limits, Tool, Verdicts

__all__ = ["Floor", "ToolRun", "floor", "ratio_lines", "tool_table"]


@dataclass(frozen=True)
class Floor:
    """The least time any polite checker needs: the issue's formula and the mix-aware bound."""

    simple_s: float
    """links × L / min(H × c, G)."""
    mix_s: float
    """Every request of the mix (redirect hops, slow pages, one retry per flaky URL), per host / c
    and in total / G, whichever is larger, and never less than the slowest single chain."""


def _service_seconds(plan: Plan, url_id: int, kind: Kind) -> float:
    if kind is Kind.SLOW:
        return plan.slow
    if kind is Kind.REDIRECT:
        return (plan.hops(url_id) + 1) * plan.latency
    if kind is Kind.FLAKY:
        return 2 * plan.latency
    return plan.latency


def floor(plan: Plan, limits: Limits) -> Floor:
    """Both floors for ``plan`` under ``limits``."""
    lanes = min(plan.hosts * limits.per_host, limits.concurrency)
    simple = plan.urls * plan.latency / lanes
    per_host = [0.0] * plan.hosts
    longest = 0.0
    for url_id, kind in enumerate(plan.kinds):
        seconds = _service_seconds(plan, url_id, kind)
        per_host[plan.host_of(url_id)] += seconds
        longest = max(longest, seconds)
    busiest = max(per_host) / limits.per_host
    total = sum(per_host) / limits.concurrency
    return Floor(simple, max(busiest, total, longest))


@dataclass(frozen=True)
class ToolRun:
    """One tool's run over the corpus, with what the server saw and how right it was."""

    tool: Tool
    measured: Measurement
    stats: ServerStats
    verdicts: Verdicts | None
    error: str = ""


def _dead_cell(run: ToolRun, dead: frozenset[str]) -> str:
    if run.verdicts is None:
        return "no output"
    found = len(dead & run.verdicts.dead)
    mark = "yes" if found == len(dead) else "**no**"
    return f"{mark} ({found}/{len(dead)})"


def tool_table(
    runs: Sequence[ToolRun], links: int, dead: frozenset[str], ok_urls: frozenset[str], fl: Floor
) -> list[str]:
    """The main table: one row per tool."""
    head = (
        "| tool | wall s | links/s | floor/wall | CPU s per 1k links | peak RSS MB | requests "
        "| connections | max in-flight per host | every dead link found | false alarms | verdicts |"
    )
    lines = [head, "|" + " --- |" * 12]
    for run in runs:
        m = run.measured
        wall = f"{m.wall_s:.2f}" + (" (killed)" if m.timed_out else "")
        false = len(run.verdicts.failing & ok_urls) if run.verdicts else "-"
        answered = run.verdicts.answered if run.verdicts else "-"
        cells = [
            run.tool.name, wall, f"{links / m.wall_s:.0f}", f"{fl.mix_s / m.wall_s:.0%}",
            f"{m.cpu_s * 1000 / links:.3f}", f"{m.peak_rss_mb:.0f}", str(run.stats.requests),
            str(run.stats.connections), str(run.stats.max_in_flight_per_host),
            _dead_cell(run, dead), str(false), str(answered),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ratio_lines(runs: Sequence[ToolRun]) -> list[str]:
    """linkaudit's figures as ratios to lychee's (the README quotes these)."""
    by_name = {run.tool.name: run for run in runs}
    ours, theirs = by_name.get("linkaudit"), by_name.get("lychee")
    if ours is None or theirs is None or ours.error or theirs.error:
        return ["linkaudit / lychee: not both measured in this run."]
    a, b = ours.measured, theirs.measured
    return [
        f"- wall time: linkaudit / lychee = **{a.wall_s / b.wall_s:.2f}×** (target ≤ 1.00×)",
        f"- CPU seconds: linkaudit / lychee = **{a.cpu_s / max(b.cpu_s, 1e-6):.2f}×** "
        "(target ≤ 3×)",
        f"- peak RSS: linkaudit / lychee = **{a.peak_rss_mb / b.peak_rss_mb:.2f}×**",
        f"- requests: linkaudit {ours.stats.requests}, lychee {theirs.stats.requests}",
    ]


def rss_profile(samples: Sequence[tuple[float, float]], points: int = 10) -> list[str]:
    """RSS over time at ``points`` evenly spaced moments, as a one-row Markdown table."""
    if not samples:
        return ["(no RSS samples)"]
    step = max(1, len(samples) // points)
    chosen = [*list(samples[::step])[:points], samples[-1]]
    head = "| t (s) | " + " | ".join(f"{t:.0f}" for t, _ in chosen) + " |"
    row = "| RSS MB | " + " | ".join(f"{mb:.0f}" for _, mb in chosen) + " |"
    return [head, "|" + " --- |" * (len(chosen) + 1), row]


def flatness(samples: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Peak RSS in the first and the second half of a run: flat memory keeps them close."""
    if len(samples) < 4:
        return (0.0, 0.0)
    half = len(samples) // 2
    return (max(mb for _, mb in samples[:half]), max(mb for _, mb in samples[half:]))
