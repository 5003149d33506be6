"""
linkaudit's PDF extractor against pypdfium2's bare text extraction, as a ratio measured in
pairs on the generated PDF, in CPU time, as ``bench_extract_docs.py``'s table measures it
(``paired.py``: the two go first in turn, warm-up excluded, garbage collected before each
run): on a shared machine the ratio of one pair holds where absolute times do not.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ratio(pages: int, pairs: int) -> tuple[float, float, float]:
    """Median baseline seconds, median linkaudit seconds, median ratio of the pairs (measured
    as ``bench_extract_docs.py``'s table is: ``paired.py``)."""
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_extract_docs import linkaudit_pdf, pypdfium2_text_only
    from paired import paired

    from helpers.builders import pdf as pdf_builder

    found = paired(pypdfium2_text_only, linkaudit_pdf, pdf_builder.long_pdf(pages), pairs)
    return found.base_median, found.reader_median, found.ratio


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
