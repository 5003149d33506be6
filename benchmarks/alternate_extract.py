"""
CPU of the Markdown and HTML readers of several linkaudit source trees, in alternating
rounds: what a change of the extraction thread bought.

    git archive OLD src | tar -x -C /tmp/old
    python benchmarks/alternate_extract.py old=/tmp/old/src new=src --rounds 7

Each measurement is one process per tree (``PYTHONPATH`` set to it) that imports linkaudit,
reads one small generated document untimed (imports, first allocations), then times
``extract_source`` of the inputs in CPU (``time.process_time``; ``--passes`` times over, the
fastest pass kept, which a burst of another process's load moves less): the reader and what runs
after it for every document (inline ignores, root-relative links, the key), as the run's
extraction thread calls it. ``--command`` times the whole ``linkaudit extract --format json``
instead (user + system of the process: start-up and JSON writing included). The trees run in
turn, the order swapped every other round; the figure to quote is the median of the
per-round ratios to the first tree, printed with the load average at the start and the end.

The inputs: ``bench_extract_text.py``'s Markdown of 20,000 and 100,000 links and its HTML of
20,000 links, and the network benchmark's documents (``corpus.py``: 1,000 links a file, one
paragraph each, ten Markdown and ten HTML files).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract_text import html_document, markdown_document
from corpus import write_corpus
from simweb import build_plan, url_for

_READER = """
import sys, time
from pathlib import Path
from linkaudit.config import Settings
from linkaudit.extract.document import extract_source
from linkaudit.models import Source

def source(path):
    name = Path(path)
    return Source(name=path, data=name.read_bytes(), base_url=name.resolve().as_uri())

settings = Settings()
extract_source(source(sys.argv[1]), settings)
extract_source(source(sys.argv[2]), settings)
passes = int(sys.argv[3])
inputs = [source(p) for p in sys.argv[4:]]
best = float("inf")
for _ in range(passes):
    start = time.process_time()
    links = sum(len(extract_source(s, settings).occurrences) for s in inputs)
    best = min(best, time.process_time() - start)
print(best, links)
"""


def _inputs(work: Path) -> dict[str, list[Path]]:
    """The inputs by label, written under ``work``."""
    found: dict[str, list[Path]] = {}
    for label, name, text in (
        ("markdown-20k", "20k.md", markdown_document(20_000)),
        ("markdown-100k", "100k.md", markdown_document(100_000)),
        ("html-20k", "20k.html", html_document(20_000)),
        ("warm.md", "warm.md", markdown_document(200)),
        ("warm.html", "warm.html", html_document(200)),
    ):
        path = work / name
        path.write_text(text, encoding="utf-8")
        found[label] = [path]
    plan = build_plan(10_000, 50, seed=7, latency=0.1)
    corpus = write_corpus(plan, lambda i: url_for(plan, i, 40_000), work / "net")
    found["net-markdown"] = list(corpus.markdown)
    found["net-html"] = list(corpus.html)
    return found


def _cpu(command: list[str], src: str, cwd: Path) -> tuple[float, int | None]:
    """CPU seconds of one run: the reader's own figure, else the process's user + system."""
    env = {**os.environ, "PYTHONPATH": src}
    with subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE) as child:
        out = child.stdout.read() if child.stdout else b""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = 0  # reaped above
    if status != 0:
        raise SystemExit(f"{command[:4]} failed with status {status}")
    if command[1] == "-c":
        seconds, links = out.split()
        return float(seconds), int(links)
    return usage.ru_utime + usage.ru_stime, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", help="NAME=SRC_DIR; the first is the baseline")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--passes", type=int, default=1, help="in-process passes (fastest kept)")
    parser.add_argument("--only", nargs="*", help="input labels to run")
    parser.add_argument("--command", action="store_true", help="time linkaudit extract")
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.trees)
    trees = {name: str(Path(src).resolve()) for name, src in trees.items()}
    first = next(iter(trees))
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="alternate-extract-") as tmp:
        work = Path(tmp)
        inputs = _inputs(work)
        warm = [str(inputs["warm.md"][0]), str(inputs["warm.html"][0])]
        labels = [k for k in inputs if not k.startswith("warm")]
        labels = [k for k in labels if not args.only or k in args.only]
        for label in labels:
            files = [str(p) for p in inputs[label]]
            if args.command:
                command = [sys.executable, "-m", "linkaudit", "extract", *files]
                command += ["--format", "json", "--output", os.devnull]
            else:
                command = [sys.executable, "-c", _READER, *warm, str(args.passes), *files]
            cpu: dict[str, list[float]] = {name: [] for name in trees}
            links: set[int | None] = set()
            for number in range(args.rounds):
                order = list(trees.items())
                for name, src in order if number % 2 == 0 else order[::-1]:
                    seconds, count = _cpu(command, src, work)
                    cpu[name].append(seconds)
                    links.add(count)
            _print(label, cpu, first, links)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


def _print(label: str, cpu: dict[str, list[float]], first: str, links: set[int | None]) -> None:
    count = next(iter(links)) if len(links) == 1 else None
    for name, runs in cpu.items():
        median = statistics.median(runs)
        per_link = f", {median / count * 1e6:.1f} µs a link" if count else ""
        line = f"{label} {name}: median {median:.3f} CPU s{per_link}"
        if name != first:
            ratios = [new / old for old, new in zip(cpu[first], runs, strict=True)]
            shown = ", ".join(f"{r:.2f}" for r in ratios)
            line += f"; ratio {statistics.median(ratios):.3f} (rounds {shown})"
        print(line, flush=True)
    if len(links) > 1:
        print(f"{label}: the trees found different numbers of links: {sorted(map(str, links))}")


if __name__ == "__main__":
    sys.exit(main())
