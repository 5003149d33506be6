"""
Where one linkaudit run's wall time goes, against the mix-aware floor: the start before the
first request reaches the server, the end after the last answer, and the busiest host's lanes
left idle while it still had work (docs/benchmarks.md, "Where the time above the floor goes").

    python benchmarks/timeline.py --urls 5000              # the installed linkaudit
    python benchmarks/timeline.py --urls 5000 --src /tmp/new/src

The server's own log gives every request's host, start and end on the clock the parent
reads too (``time.monotonic``), so nothing in linkaudit is instrumented.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus
from figures import floor
from simweb import build_plan, sim_web
from tools import Limits, _linkaudit_cmd

__all__ = ["Breakdown", "breakdown"]

Request = tuple[str, float, float]


@dataclass(frozen=True)
class Breakdown:
    """One run's wall time in parts, in seconds."""

    wall: float
    before_first: float
    """From the process's start to the first request the server saw."""
    after_last: float
    """From the last answer the server wrote to the process's exit."""
    host: str
    """The host whose requests ended last (it decides when the checking ends)."""
    host_work: float
    """That host's request-seconds / per-host limit: its share of the floor."""
    host_idle: float
    """Lane-seconds / per-host limit that host left unused between its first start and its
    last end: hand-offs, backoff waits, and the lanes idle while its last request ran."""


def breakdown(
    requests: Sequence[Request], started: float, ended: float, per_host: int
) -> Breakdown:
    """Split ``ended - started`` by the server's ``requests`` (host, start, end)."""
    by_host: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        by_host[request[0]].append(request)
    first = min(r[1] for r in requests)
    last_host = max(by_host, key=lambda h: max(r[2] for r in by_host[h]))
    mine = by_host[last_host]
    span = max(r[2] for r in mine) - min(r[1] for r in mine)
    work = sum(r[2] - r[1] for r in mine) / per_host
    last = max(r[2] for r in requests)
    return Breakdown(ended - started, first - started, ended - last, last_host, work, span - work)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--src", default="", help="a linkaudit source tree (default: installed)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> int:
    """One run, then its breakdown."""
    args = _args()
    limits = Limits(args.hosts * 2, 2, 2, 5.0)
    plan = build_plan(args.urls, args.hosts, seed=args.seed, latency=0.1)
    env = {**os.environ, "PYTHONPATH": args.src} if args.src else None
    with tempfile.TemporaryDirectory(prefix="linkaudit-timeline-") as tmp, sim_web(plan) as web:
        work = Path(tmp)
        files = list(write_corpus(plan, web.url, work / "corpus").mixed)
        command = _linkaudit_cmd(sys.executable)(files, limits, work / "out.json")
        command[1:1] = ["-m", "linkaudit"]
        load = os.getloadavg()[0]
        web.reset()
        started = time.monotonic()
        subprocess.run(command, env=env, cwd=work, stdout=subprocess.DEVNULL, check=False)
        ended = time.monotonic()
        parts = breakdown(web.timeline(), started, ended, limits.per_host)
    mix = floor(plan, limits).mix_s
    print(f"{args.urls} URLs over {args.hosts} hosts, load average {load:.1f}")
    print(f"wall {parts.wall:.2f} s, floor {mix:.2f} s, floor/wall {mix / parts.wall:.0%}")
    print(f"before the first request {parts.before_first:.2f} s")
    print(f"the last host to finish ({parts.host}): work / per-host {parts.host_work:.2f} s, "
          f"lanes idle while it had work {parts.host_idle:.2f} s")  # fmt: skip
    print(f"after the last answer {parts.after_last:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
