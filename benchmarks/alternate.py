"""
Alternating runs of several linkaudit source trees (and lychee) on one simulated web, for
"what did this change buy": one corpus, one server, the variants run in turn, round after
round, so that every variant sees the same load; CPU (user + system) of each run's own
process from ``os.wait4``.

    git archive OLD src | tar -x -C /tmp/old && git archive NEW src | tar -x -C /tmp/new
    python benchmarks/alternate.py --urls 10000 --rounds 3 old=/tmp/old/src new=/tmp/new/src lychee

Each variant runs as ``python -m linkaudit`` with ``PYTHONPATH`` set to its tree, with the
command line and limits of ``run.py``'s linkaudit. Prints every run, each variant's medians
(CPU and wall) and the medians of the per-round CPU and wall ratios to the first variant,
with the load average at the start and the end, and stops with an error if
two linkaudit variants gave any URL a different verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus
from simweb import build_plan, sim_web
from tools import Limits, _linkaudit_cmd, _lychee_cmd, _which


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+", help="NAME=SRC_DIR, or lychee")
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def _run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one command."""
    started = time.perf_counter()
    with subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL) as child:
        _, _, usage = os.wait4(child.pid, 0)
        child.returncode = 0  # reaped above
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - started


def main() -> int:
    """Run the rounds and print the figures."""
    args = _args()
    variants = dict(v.split("=", 1) if "=" in v else (v, "") for v in args.variants)
    limits = Limits(args.hosts * 2, 2, 2, 5.0)
    plan = build_plan(args.urls, args.hosts, seed=args.seed, latency=0.1)
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    walls: dict[str, list[float]] = {name: [] for name in variants}
    load_before = os.getloadavg()[0]
    verdicts: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="linkaudit-alt-") as tmp, sim_web(plan) as web:
        work = Path(tmp)
        files = list(write_corpus(plan, web.url, work / "corpus").mixed)
        for number in range(args.rounds):
            for name, src in variants.items():
                out = work / f"{name}.json"
                if name == "lychee":
                    command = _lychee_cmd(_which("lychee") or "lychee")(files, limits, out)
                else:
                    command = _linkaudit_cmd(sys.executable)(files, limits, out)
                    command[1:1] = ["-m", "linkaudit"]
                web.reset()
                seconds, wall = _run(command, {**os.environ, "PYTHONPATH": src}, work)
                cpu[name].append(seconds)
                walls[name].append(wall)
                if name != "lychee":
                    results = json.loads(out.read_text())["results"]
                    verdicts.setdefault(name, {r["url"]: r["verdict"] for r in results})
                per_link = 1000 * seconds / args.urls
                print(f"round {number} {name}: {seconds:.2f} CPU s ({per_link:.3f} ms a link), "
                      f"{wall:.1f} s wall", flush=True)  # fmt: skip
    first = next(iter(variants))
    for name, values in cpu.items():
        ratios = [v / f for v, f in zip(values, cpu[first], strict=True)]
        wall_ratios = [v / f for v, f in zip(walls[name], walls[first], strict=True)]
        print(
            f"{name}: median {statistics.median(values):.2f} CPU s "
            f"({1000 * statistics.median(values) / args.urls:.3f} ms a link), "
            f"median ratio to {first} {statistics.median(ratios):.3f}; "
            f"median wall {statistics.median(walls[name]):.2f} s, "
            f"median wall ratio to {first} {statistics.median(wall_ratios):.3f}"
        )
    print(f"load average: {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    reference = next(iter(verdicts.values()), {})
    changed = [n for n, v in verdicts.items() if v != reference]
    if changed:
        print(f"verdicts differ from the first variant's: {changed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
