"""
A run's fixed cost (issue 17: "start-up plus report writing under 0.3 s"), old against new:
several linkaudit source trees run in turn, round after round, so that every tree sees the
same load; CPU (user + system) of each run's own process from ``os.wait4``.

    git archive OLD src | tar -x -C /tmp/old && git archive NEW src | tar -x -C /tmp/new
    python benchmarks/startup.py old=/tmp/old/src new=/tmp/new/src --rounds 9

The cases (``--cases``, default all of them):

- ``version``: ``linkaudit --version``;
- ``offline``: ``check examples/*.md --offline --no-store --format json --output FILE``;
- ``stored``: the same into a new store each run (``--db``, the README example's default);
- ``html``: the offline check of one HTML page of 20 web links with a JSON report and
  ``--no-store`` (a run over documents other than Markdown);
- ``local``: the offline check of a generated Markdown page of 55 relative links (50 to
  files that exist, 5 to files that do not) with a JSON report and ``--no-store``: a docs
  folder checked for broken relative links, the CI gate's daily case;
- ``remote``: a check of one link to a closed loopback port (refused at once) with a JSON
  report and ``--no-store``: the start-up of a run that fetches (httpx, aiohttp, the check
  stage), with almost nothing to do;
- ``json``, ``table``: report writing alone, as ``check`` does it after a run of 5,000 URLs
  (``--urls``): a generated Markdown brief (every tenth link a missing local file, so dead;
  the others web links, skipped by ``--offline``) is checked in the child process, then the
  CPU of getting the reporter and writing the report to a file is what the child reports.

The trees take turns in the opposite order every other round. Each runs as ``python -m
linkaudit`` with ``PYTHONPATH`` set to its tree, after that tree is byte-compiled
(``compileall``), as an installed copy is: with ``PYTHONDONTWRITEBYTECODE`` set, an
uncompiled tree would compile every module again at each start. Prints every run, each
tree's median per case and the median of the per-round CPU ratios to the first tree,
which is what a claim rests on.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ("version", "offline", "stored", "html", "local", "remote", "json", "table")

#: Checks the brief offline, then times what ``cli._emit`` does for one report file.
REPORT_CHILD = """
import asyncio, functools, sys, time
from linkaudit.config import Settings
from linkaudit.report import StreamingReporter, get_reporter
from linkaudit.report.base import ReportOptions
from linkaudit.run.files import write_atomically
from linkaudit.run.pipeline import run_check
brief, fmt, out = sys.argv[1:]
report = asyncio.run(run_check([brief], Settings(offline=True), db=None)).report
started = time.process_time()
reporter = get_reporter(fmt, ReportOptions(width=100, color=False))
if isinstance(reporter, StreamingReporter):
    write_atomically(out, functools.partial(reporter.write, report))
else:
    write_atomically(out, lambda stream: stream.write(reporter.render(report)))
print(time.process_time() - started)
"""


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+", help="NAME=SRC_DIR")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--urls", type=int, default=5000, help="links of the report cases")
    parser.add_argument("--cases", default=",".join(CASES), help="of: " + ", ".join(CASES))
    return parser.parse_args()


def _brief(path: Path, links: int) -> Path:
    """A Markdown brief of ``links`` distinct links, every tenth to a missing local file."""
    lines = ["# A long brief", ""]
    for i in range(links):
        if i % 10 == 0:
            lines.append(f"Item {i}, see [the note](missing/note-{i}.md) for the details.")
        else:
            url = f"https://www.institute-{i % 50}.org/section/{i // 100}/item-{i}"
            lines.append(f"Item {i} is described in [the source]({url}) at length.")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _docs(folder: Path, present: int = 50, missing: int = 5) -> None:
    """A docs folder: ``index.md`` links to ``present`` pages that exist and ``missing`` that
    do not, by relative links."""
    (folder / "pages").mkdir(parents=True)
    lines = ["# Index", ""]
    for i in range(present):
        (folder / "pages" / f"page-{i}.md").write_text(f"# Page {i}\n")
        lines.append(f"- [Page {i}](pages/page-{i}.md)")
    lines.extend(f"- [Gone {i}](pages/gone-{i}.md)" for i in range(missing))
    (folder / "index.md").write_text("\n".join(lines) + "\n")


def _command(case: str, work: Path, name: str, number: int) -> list[str]:
    if case in ("json", "table"):
        out = str(work / f"{name}.{case}")
        return [sys.executable, "-c", REPORT_CHILD, str(work / "brief.md"), case, out]
    base = [sys.executable, "-m", "linkaudit"]
    if case == "html":
        out = str(work / f"{name}.json")
        page = str(work / "page.html")
        return [*base, "check", page, "--offline", "--no-store", "--format", "json", "-o", out]
    if case == "local":
        out = str(work / f"{name}.json")
        page = str(work / "docs" / "index.md")
        return [*base, "check", page, "--offline", "--no-store", "--format", "json", "-o", out]
    if case == "remote":
        out = str(work / f"{name}.json")
        options = ["--allow-private", "--retries", "0", "--archive", "none", "--no-store"]
        return [*base, "check", str(work / "remote.md"), *options, "--format", "json", "-o", out]
    if case == "version":
        return [*base, "--version"]
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.md"))
    out = str(work / f"{name}.json")
    command = [*base, "check", *examples, "--offline", "--format", "json", "--output", out]
    if case == "offline":
        return [*command, "--no-store"]
    return [*command, "--db", str(work / f"{name}-{number}.sqlite")]


def _cpu(command: list[str], env: dict[str, str], cwd: Path, *, reported: bool) -> float:
    """CPU seconds (user + system) of one command's process, or what it printed last."""
    with subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True) as child:
        printed = child.stdout.read() if child.stdout else ""
        _, _, usage = os.wait4(child.pid, 0)
        child.returncode = 0  # reaped above
    if reported:
        return float(printed.split()[-1])
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    """Run the rounds and print the figures."""
    args = _args()
    variants = dict(v.split("=", 1) for v in args.variants)
    cases = [c for c in args.cases.split(",") if c]
    for name, src in variants.items():
        if not (Path(src) / "linkaudit").is_dir():  # else the installed copy would run
            sys.exit(f"{name}: {src} holds no linkaudit package")
        compileall.compile_dir(src, quiet=1)
    cpu: dict[tuple[str, str], list[float]] = {(n, c): [] for n in variants for c in cases}
    with tempfile.TemporaryDirectory(prefix="linkaudit-startup-") as tmp:
        work = Path(tmp)
        _brief(work / "brief.md", args.urls)
        _docs(work / "docs")
        (work / "remote.md").write_text("[closed](http://127.0.0.1:9/page)\n")
        links = (f'<a href="https://example.org/{i}#part">{i}</a>' for i in range(20))
        (work / "page.html").write_text(f"<html><body><p>{' '.join(links)}</p></body></html>")
        for number in range(args.rounds):
            for case in cases:
                order = list(variants.items())
                for name, src in order if number % 2 == 0 else order[::-1]:
                    env = {**os.environ, "PYTHONPATH": src}
                    command = _command(case, work, name, number)
                    seconds = _cpu(command, env, ROOT, reported=case in ("json", "table"))
                    cpu[name, case].append(seconds)
                    print(f"round {number} {case} {name}: {seconds * 1000:.0f} CPU ms", flush=True)
    first = next(iter(variants))
    for case in cases:
        for name in variants:
            values = cpu[name, case]
            ratios = [v / f for v, f in zip(values, cpu[first, case], strict=True)]
            print(
                f"{case:8} {name}: median {statistics.median(values) * 1000:.0f} CPU ms "
                f"(min {min(values) * 1000:.0f}), median ratio to {first} "
                f"{statistics.median(ratios):.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
