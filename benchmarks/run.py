"""
linkaudit against its peers on a simulated loopback web (issue 7), written to reports/benchmarks.md.

    python benchmarks/run.py            # 1,000 URLs over 20 hosts, under ~3 minutes
    python benchmarks/run.py --full     # 5,000 and 10,000 URLs over 50 hosts, 100,000 for memory
    python benchmarks/run.py --soak     # 100,000 URLs, 10% of hosts misbehaving (issue 8)
    python benchmarks/run.py --million  # memory at 10,000, 100,000, 1,000,000 URLs (issue 21)

A run replaces the sections of the report it measured and keeps the others, each with the
date it was measured (``sections.py``).

Every request goes to 127.0.0.0/8; every tool run and every server wait is bounded in time.
See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Corpus, kind_counts, write_corpus
from extras import cached_rerun, extraction, offline_check, startup, sub_benchmarks
from figures import Floor, ToolRun, flatness, floor, ratio_lines, rss_profile, tool_table
from measure import measure
from sections import dated, merge
from simweb import ARCHIVE_MIX, Plan, SimWeb, build_plan, sim_web
from tools import Limits, Tool, default_cache, find_tools

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Scenario:
    """One checking benchmark: a plan, the limits every tool gets, which tools run."""

    title: str
    plan: Plan
    limits: Limits
    tools: tuple[str, ...] | None = None
    """Tool names to run; None runs every tool found."""
    soak: bool = False
    store: bool = False
    """linkaudit writes to a store (``--db``), as the periodic health job does; its size is
    reported."""


def _args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="linkaudit benchmarks on a loopback web")
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--per-host", type=int, default=2, help="requests in flight per host")
    parser.add_argument("--concurrency", type=int, help="global limit [hosts × per-host]")
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--full", action="store_true", help="5,000 and 10,000 URLs / 50 hosts, 100,000 for memory"
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="with --full: only its 5,000- and 10,000-URL rows (and the extras)",
    )
    parser.add_argument("--soak", action="store_true", help="100,000 URLs, 10%% hostile hosts")
    parser.add_argument(
        "--million",
        action="store_true",
        help="linkaudit's memory at 10,000, 100,000 and --million-urls URLs, 500 URLs a host",
    )
    parser.add_argument("--million-urls", type=int, default=1_000_000)
    parser.add_argument(
        "--million-latency", type=float, default=0.02, help="seconds per response [0.02]"
    )
    parser.add_argument("--million-concurrency", type=int, default=256, help="global limit [256]")
    parser.add_argument("--no-peers", action="store_true", help="only linkaudit and lychee")
    parser.add_argument("--no-extras", action="store_true", help="skip start-up, extract, cache")
    parser.add_argument("--output", type=Path, default=ROOT / "reports" / "benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (for debugging)")
    return parser.parse_args(argv)


def _limits(
    hosts: int, per_host: int, concurrency: int | None, retries: int, timeout: float
) -> Limits:
    return Limits(concurrency or hosts * per_host, per_host, retries, timeout)


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    if not (args.full or args.soak or args.million):
        plan = build_plan(args.urls, args.hosts, seed=args.seed, latency=args.latency)
        limits = _limits(args.hosts, args.per_host, args.concurrency, args.retries, args.timeout)
        return [Scenario(f"{args.urls:,} URLs over {args.hosts} hosts", plan, limits)]
    out: list[Scenario] = []
    if args.full:
        limits = _limits(50, args.per_host, args.concurrency, args.retries, args.timeout)
        plan = build_plan(5_000, 50, seed=args.seed, latency=args.latency)
        out.append(Scenario("5,000 URLs over 50 hosts (issue 17 CPU target)", plan, limits))
        plan = build_plan(10_000, 50, seed=args.seed, latency=args.latency)
        out.append(Scenario("10,000 URLs over 50 hosts (issue 7 throughput target)", plan, limits))
    if args.full and not args.small:
        both = ("linkaudit", "lychee")
        plan = build_plan(100_000, 200, seed=args.seed, latency=args.latency, mix=ARCHIVE_MIX)
        limits = _limits(200, args.per_host, HELD_OUT_IN_FLIGHT, args.retries, args.timeout)
        title = "100,000 URLs over 200 hosts, 64 in flight (issue 21's measurement)"
        out.append(Scenario(title, plan, limits, both))
        plan = build_plan(100_000, 200, seed=args.seed, latency=args.latency)
        limits = _limits(200, args.per_host, None, args.retries, args.timeout)
        title = "100,000 URLs over 200 hosts, 400 in flight (CPU-bound stress)"
        out.append(Scenario(title, plan, limits, both))
    if args.million:
        out += _million(args)
    if args.soak:
        plan = build_plan(100_000, 200, seed=args.seed, latency=args.latency, bad_host_share=0.1)
        limits = _limits(200, args.per_host, None, 1, 2.0)
        out.append(
            Scenario(
                "Soak: 100,000 URLs, 10% of hosts misbehaving",
                plan,
                limits,
                ("linkaudit",),
                soak=True,
            )
        )
    return out


HELD_OUT_IN_FLIGHT = 64
"""Issue 21's held-out measurement: 100,000 URLs over 200 hosts at 100 ms, 64 in flight."""

URLS_PER_HOST = 500
"""The --million series' shape: 2,000 hosts for 1,000,000 URLs, as issue 21 asks."""


def _million(args: argparse.Namespace) -> list[Scenario]:
    """linkaudit alone at 10,000, 100,000 and ``--million-urls`` URLs, 500 URLs a host, at a
    short latency (slow pages 0.2 s) so that a million URLs take minutes, not hours."""
    out = []
    for urls in sorted({min(n, args.million_urls) for n in (10_000, 100_000, args.million_urls)}):
        hosts = max(1, urls // URLS_PER_HOST)
        plan = build_plan(urls, hosts, seed=args.seed, latency=args.million_latency, slow=0.2)
        limits = _limits(hosts, args.per_host, args.million_concurrency, args.retries, 5.0)
        title = f"Memory at scale: {urls:,} URLs over {hosts:,} hosts (issue 21)"
        out.append(Scenario(title, plan, limits, ("linkaudit",), soak=True, store=True))
    return out


def run_tool(
    tool: Tool,
    corpus: Corpus,
    web: SimWeb,
    limits: Limits,
    work: Path,
    bound: float,
    store: Path | None = None,
) -> ToolRun:
    """Run one tool over the corpus with the server's counters zeroed first (linkaudit into
    the store ``store``, when given, instead of ``--no-store``)."""
    chosen = {"mixed": corpus.mixed, "markdown": corpus.markdown, "html": corpus.html}[tool.inputs]
    files = [path.relative_to(work) for path in chosen]  # linkinator reads relative paths only
    out, stdout, stderr = (work / f"{tool.name}.{ext}" for ext in ("out", "stdout", "stderr"))
    command = tool.command(files, limits, out)
    if store is not None and "--no-store" in command:
        at = command.index("--no-store")
        command[at : at + 1] = ["--db", str(store)]
    web.reset()
    measured = measure(command, timeout_s=bound, stdout=stdout, stderr=stderr, cwd=work)
    stats = web.stats()
    try:
        verdicts = tool.parse(out, stdout)
    except (OSError, ValueError, KeyError) as exc:
        tail = stderr.read_text(errors="replace").strip().splitlines()[-3:]
        return ToolRun(
            tool, measured, stats, None, f"{type(exc).__name__}: {exc}; {' / '.join(tail)}"
        )
    return ToolRun(tool, measured, stats, verdicts)


def check_scenario(scenario: Scenario, tools: list[Tool], work: Path) -> list[str]:
    """Serve the plan, run the tools one after another, and render the section."""
    plan, limits = scenario.plan, scenario.limits
    fl = floor(plan, limits)
    bound = max(120.0, 15 * fl.mix_s + 60, plan.urls * 0.004)  # a CPU-bound million: 67 min
    chosen = [t for t in tools if scenario.tools is None or t.name in scenario.tools]
    print(
        f"== {scenario.title}: floor {fl.mix_s:.1f} s, tools {[t.name for t in chosen]}", flush=True
    )
    with sim_web(plan) as web:
        corpus = write_corpus(plan, web.url, work / "corpus")
        load_before = _load()
        runs = []
        for tool in chosen:
            print(f"   running {tool.name} …", flush=True)
            store = work / "store.sqlite" if scenario.store else None
            runs.append(run_tool(tool, corpus, web, limits, work, bound, store))
            print(f"   {tool.name}: {runs[-1].measured.wall_s:.1f} s {runs[-1].error}", flush=True)
    ok_urls = frozenset(corpus.urls) - corpus.dead - corpus.hostile
    lines = [f"## {scenario.title}", "", *_parameters(plan, limits, fl)]
    lines += [f"- machine load average (1, 5, 15 min): {load_before} before, {_load()} after", ""]
    lines += tool_table(runs, plan.urls, corpus.dead, ok_urls, fl)
    if len(runs) > 1:
        lines += ["", *ratio_lines(runs)]
    lines += [f"- {r.tool.name}: {r.tool.note}" for r in runs if r.tool.note]
    lines += [f"- {r.tool.name} failed: {r.error}" for r in runs if r.error]
    if scenario.soak:
        lines += _soak_lines(runs, corpus)
    if scenario.store:
        lines += ["", _store_line(work / "store.sqlite", plan.urls)]
    return [*lines, ""]


def _store_line(db: Path, checks: int) -> str:
    files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    size = sum(f.stat().st_size for f in files if f.exists()) / 1024 / 1024
    per_million = size * 1_000_000 / max(checks, 1)
    return (
        f"- linkaudit's store (`--db`, database and WAL) after {checks:,} checks: {size:.1f} MB "
        f"({per_million:,.0f} MB per million checks)"
    )


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _parameters(plan: Plan, limits: Limits, fl: Floor) -> list[str]:
    mix = ", ".join(f"{k} {v}" for k, v in kind_counts(plan).items())
    return [
        f"- {plan.urls:,} distinct URLs over {plan.hosts} hosts; "
        f"latency {plan.latency * 1000:.0f} ms "
        f"per response ({plan.slow:g} s for slow pages); mix: {mix}",
        f"- every tool: global concurrency {limits.concurrency}, per host {limits.per_host}, "
        f"retries {limits.retries}, timeout {limits.timeout:g} s",
        f"- physical floor (links × L / min(H × c, G)): **{fl.simple_s:.2f} s**; with the mix's "
        f"hops, slow pages and retries: **{fl.mix_s:.2f} s** (floor/wall uses this one)",
    ]


def _soak_lines(runs: Sequence[ToolRun], corpus: Corpus) -> list[str]:
    lines: list[str] = []
    for run in runs:
        first, second = flatness(run.measured.rss_samples)
        answered = run.verdicts.answered if run.verdicts else 0
        passed_hostile = len(corpus.hostile - run.verdicts.failing) if run.verdicts else "-"
        lines += [
            "",
            f"### {run.tool.name} memory over time",
            "",
            *rss_profile(run.measured.rss_samples),
            "",
            f"- every URL got a verdict: {'yes' if answered == len(corpus.urls) else '**no**'} "
            f"({answered:,}/{len(corpus.urls):,}); "
            f"hostile URLs not reported failing: {passed_hostile}",
            f"- peak RSS first half {first:.0f} MB, second half {second:.0f} MB "
            f"(flat: {'yes' if second <= first * 1.2 + 10 else '**no**'})",
        ]
    return lines


def _header(tools: list[Tool], notes: list[str], args: argparse.Namespace) -> list[str]:
    modes = [name for name in ("full", "soak", "million") if getattr(args, name)]
    mode = " + ".join(modes) or "default"
    command = "".join(f" {a}" for a in sys.argv[1:])
    lines = [
        "# linkaudit benchmarks",
        "",
        f"Generated by `python benchmarks/run.py{command}` on "
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} ({mode} run). "
        "See docs/benchmarks.md. Sections this run did not measure are kept from earlier "
        "runs; each says when it was measured.",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs (nproc), {platform.platform()}",
        f"- python {platform.python_version()}",
    ]
    lines += [f"- {t.name}: {t.version}" for t in tools]
    lines += [f"- {note}" for note in notes]
    return [*lines, ""]


def _compile_linkaudit() -> None:
    """Byte-compile linkaudit as ``pip install`` does for a regular install: an editable
    install under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module on
    every start, a cost no installed copy pays."""
    spec = importlib.util.find_spec("linkaudit")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and write the report."""
    args = _args(argv)
    _compile_linkaudit()
    tools, notes = find_tools(default_cache(), peers=not args.no_peers)
    header = _header(tools, notes, args)
    command = "".join(f" {a}" for a in sys.argv[1:])
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="linkaudit-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        work.chmod(0o755)
        for number, scenario in enumerate(_scenarios(args)):
            folder = work / f"scenario-{number}"
            folder.mkdir(mode=0o777)
            folder.chmod(0o777)
            lines += check_scenario(scenario, tools, folder)
        if not args.no_extras:
            lines += _extras(tools, args, work)
    when = (
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `python benchmarks/run.py{command}`"
    )
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    text = "\n".join(merge(header, dated(lines, when), old)).rstrip() + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


def _extras(tools: list[Tool], args: argparse.Namespace, work: Path) -> list[str]:
    names = {t.name for t in tools}
    lines = ["## Start-up, extraction and cached re-run", ""]
    lines += startup(names)
    lines += offline_check(names, work / "offline")
    lines += extraction(names, work, links=100_000 if args.full else 20_000)
    cached_urls, cached_hosts = (10_000, 50) if args.full else (args.urls, args.hosts)
    plan = build_plan(cached_urls, cached_hosts, seed=args.seed, latency=args.latency)
    limits = _limits(cached_hosts, args.per_host, args.concurrency, args.retries, args.timeout)
    if "linkaudit" in names:
        lines += cached_rerun(plan, limits, work / "cached")
    lines += sub_benchmarks(ROOT / "benchmarks")
    return lines


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except subprocess.SubprocessError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
