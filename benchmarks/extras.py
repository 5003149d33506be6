"""
The benchmark's other figures: start-up time, offline extraction speed, a fully cached re-run
against a fresh one, and the other engineers' sub-benchmarks (extraction of PDF/DOCX, the store).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from corpus import write_big_markdown, write_corpus
from measure import measure, median_wall
from simweb import Plan, sim_web
from tools import BIN, Limits, _which

__all__ = ["cached_rerun", "extraction", "offline_check", "startup", "sub_benchmarks"]

SUB_BENCHMARKS = ("bench_extract_docs.py", "bench_store.py")


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _exe(name: str) -> str:
    return _which(name) or str(BIN / name)


def startup(names: Iterable[str]) -> list[str]:
    """Median of 10 runs of ``--version`` (target for linkaudit: under 150 ms)."""
    lines = ["| start-up (`--version`, median of 10) | ms |", "| --- | --- |"]
    for name in ("linkaudit", "lychee"):
        if name in names:
            lines.append(f"| {name} | {median_wall([_exe(name), '--version']) * 1000:.0f} |")
    return [*lines, ""]


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rok-us-policy-brief-2025-03.md"


def offline_check(names: Iterable[str], work: Path, runs: int = 10) -> list[str]:
    """Everything of ``linkaudit check`` outside the network phase (issue 17's "start-up plus
    report writing", target under 0.3 s): start-up, settings, a new store, the example
    brief's extraction, classification and the JSON report, with ``--offline``."""
    if "linkaudit" not in names:
        return []
    work.mkdir(parents=True, exist_ok=True)
    runs_seen = []
    for number in range(runs):
        db, out = work / f"offline-{number}.sqlite", work / "offline.json"
        cmd = [_exe("linkaudit"), "check", str(EXAMPLE), "--offline", "--db", str(db),
               "--format", "json", "--output", str(out), "--quiet"]  # fmt: skip
        runs_seen.append(measure(cmd, timeout_s=60, stderr=work / "offline.err"))
    wall = statistics.median(m.wall_s for m in runs_seen)
    cpu = statistics.median(m.cpu_s for m in runs_seen)
    return [
        f"| offline check of `examples/{EXAMPLE.name}` (new store, JSON report; median of "
        f"{runs}) | wall ms | CPU ms |",
        "| --- | --- | --- |",
        _row("linkaudit", f"{wall * 1000:.0f}", f"{cpu * 1000:.0f}"),
        "",
    ]


def _count_links(path: Path) -> int:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return 0
    links = data.get("links", []) if isinstance(data, dict) else data
    return len(links)


def extraction(names: Iterable[str], work: Path, links: int) -> list[str]:
    """Offline link extraction from one large Markdown file (includes start-up)."""
    work.mkdir(parents=True, exist_ok=True)
    big = write_big_markdown(work / "big.md", links)
    lines = [
        _row(
            f"extraction of one Markdown file, {links:,} links",
            "wall s",
            "links/s",
            "links found",
            "peak RSS MB",
        ),
        "| --- | --- | --- | --- | --- |",
    ]
    if "linkaudit" in names:
        out = work / "extract.json"
        cmd = [_exe("linkaudit"), "extract", str(big), "--format", "json", "--output", str(out)]
        m = measure(cmd, timeout_s=600, stderr=work / "extract.err")
        found = _count_links(out)
        lines.append(
            _row(
                "linkaudit extract",
                f"{m.wall_s:.2f}",
                f"{found / m.wall_s:.0f}",
                found,
                f"{m.peak_rss_mb:.0f}",
            )
        )
    if "lychee" in names:
        out = work / "dump.txt"
        m = measure([_exe("lychee"), "--dump", str(big)], timeout_s=600, stdout=out)
        found = sum(1 for line in out.read_text().splitlines() if line.startswith("http"))
        lines.append(
            _row(
                "lychee --dump",
                f"{m.wall_s:.2f}",
                f"{found / m.wall_s:.0f}",
                found,
                f"{m.peak_rss_mb:.0f}",
            )
        )
    return [*lines, ""]


def _check_cmd(files: Iterable[Path], limits: Limits, db: Path, out: Path) -> list[str]:
    return [
        _exe("linkaudit"), "check", *map(str, files), "--format", "json", "--output", str(out),
        "--db", str(db), "--allow-private", "--max-per-host", str(limits.per_host),
        "--max-concurrency", str(limits.concurrency), "--retries", str(limits.retries),
        "--timeout", str(limits.timeout), "--archive", "none", "--quiet",
    ]  # fmt: skip


def cached_rerun(plan: Plan, limits: Limits, work: Path) -> list[str]:
    """A fresh run into a new store, then the same run again: all answers come from the store."""
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o777)
    db = work / "store.sqlite"
    lines = [
        _row(
            f"linkaudit with a store, {plan.urls:,} URLs",
            "wall s",
            "peak RSS MB",
            "requests",
            "cached results",
        ),
        "| --- | --- | --- | --- | --- |",
    ]
    with sim_web(plan) as web:
        corpus = write_corpus(plan, web.url, work / "corpus")
        for label in ("fresh run", "fully cached re-run"):
            out = work / f"{label.split()[0]}.json"
            web.reset()
            m = measure(
                _check_cmd(corpus.mixed, limits, db, out), timeout_s=900, stderr=work / "err.txt"
            )
            cached = _cached(out)
            lines.append(
                _row(label, f"{m.wall_s:.2f}", f"{m.peak_rss_mb:.0f}", web.stats().requests, cached)
            )
    size = db.stat().st_size / 1024 / 1024 if db.exists() else 0.0
    lines += ["", f"- store size after {plan.urls:,} checks: {size:.1f} MB "
              f"({size * 10_000 / max(plan.urls, 1):.1f} MB per 10,000 checks); target for the "
              "cached re-run of 10,000 URLs: under 3 s", ""]  # fmt: skip
    return lines


def _cached(out: Path) -> str:
    try:
        results = json.loads(out.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return "no output"
    return f"{sum(1 for r in results if r.get('cached'))}/{len(results)}"


def sub_benchmarks(folder: Path) -> list[str]:
    """Run the extraction and store benchmarks when present and append their Markdown."""
    lines: list[str] = []
    for name in SUB_BENCHMARKS:
        script = folder / name
        if not script.exists():
            lines += [f"- {name}: not present", ""]
            continue
        print(f"== {name}", flush=True)
        try:
            done = subprocess.run(
                [sys.executable, str(script)],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        except subprocess.TimeoutExpired:
            lines += [f"- {name}: stopped after 600 s", ""]
            continue
        body = (
            done.stdout.strip()
            or f"(no output; exit {done.returncode}: {done.stderr.strip()[-300:]})"
        )
        lines += [f"## {name}", "", body, ""]
    return lines


def median(values: Iterable[float]) -> float:
    """The median of some timings."""
    return statistics.median(list(values))
