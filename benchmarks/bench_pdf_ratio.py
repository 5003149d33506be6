"""
linkaudit's PDF extractor against pypdfium2's bare text extraction, as a ratio measured in
pairs (baseline, then linkaudit, alternating) on the generated PDF, in CPU time: on a shared
machine the ratio of one pair holds where absolute times do not.

    python benchmarks/bench_pdf_ratio.py [--pages 100] [--pairs 9]
    python benchmarks/bench_pdf_ratio.py --compare OTHER/src [--rounds 5]

``--compare`` runs this measurement alternately with the linkaudit of another checkout's
``src`` (a commit before a change) and with this one, and prints the median ratio of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ratio(pages: int, pairs: int) -> tuple[float, float, float]:
    """Median baseline seconds, median linkaudit seconds, median ratio of the pairs."""
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_extract_docs import linkaudit_pdf, pypdfium2_text_only

    from helpers.builders import pdf as pdf_builder

    data = pdf_builder.long_pdf(pages)
    linkaudit_pdf(data)
    pypdfium2_text_only(data)
    base, ours = [], []
    for _ in range(pairs):
        for reader, into in ((pypdfium2_text_only, base), (linkaudit_pdf, ours)):
            start = time.process_time()
            reader(data)
            into.append(time.process_time() - start)
    ratios = [b / a for a, b in zip(base, ours, strict=True)]
    return statistics.median(base), statistics.median(ours), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--compare", help="another checkout's src folder (the 'before')")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.compare:
        base, ours, median = ratio(args.pages, args.pairs)
        print(f"{base:.3f} {ours:.3f} {median:.2f}")
        return
    found: dict[str, list[tuple[float, ...]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for name, src in (("before", args.compare), ("after", str(ROOT / "src"))):
            command = [sys.executable, __file__, "--pages", str(args.pages)]
            command += ["--pairs", str(args.pairs)]
            env = {**os.environ, "PYTHONPATH": src}
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            found[name].append(tuple(float(x) for x in out.stdout.split()))
    print("| run | pypdfium2 text only (CPU s) | linkaudit (CPU s) | ratio (median of pairs) |")
    print("| --- | --- | --- | --- |")
    for name, rows in found.items():
        base, ours, median = (statistics.median(column) for column in zip(*rows, strict=True))
        each = ", ".join(f"{row[2]:.2f}" for row in rows)
        print(f"| {name} | {base:.3f} | {ours:.3f} | {median:.2f} ({each}) |")


if __name__ == "__main__":
    main()
