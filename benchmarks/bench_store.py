"""
Store benchmark: a fresh run of 10,000 results, then cached re-runs of the same 10,000
URLs (what a CI re-run does) one by one, as a look-up loop with one ``save_results``, and
batched (``cached_results`` + ``save_results``), and the database size per 10,000 checks.

    python benchmarks/bench_store.py [--urls 10000] [--db PATH]

Prints a Markdown table. RSS is read from /proc after each phase: ru_maxrss would include
the RSS of the process that started this one (Linux keeps it across exec, see measure.py).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from linkaudit.config import Settings
from linkaudit.models import Document, DocumentFormat, Extraction, Occurrence, Result
from linkaudit.store import Store
from linkaudit.verdicts import Verdict


def peak_rss_mib() -> float:
    """Resident set size of this process now in MiB (ru_maxrss where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    return pages * resource.getpagesize() / (1024 * 1024)


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "bench.sqlite"
    settings = Settings()
    urls = [f"https://host{i % 500}.example/page/{i}" for i in range(args.urls)]
    rows = []

    with Store.open(path) as store:
        start = time.perf_counter()
        run = store.begin_run(["bench"], "bench")
        occurrences = [Occurrence("brief.md", u, u, text="x", line=i) for i, u in enumerate(urls)]
        store.record_documents(
            run, [Extraction(Document("brief.md", DocumentFormat.MARKDOWN), occurrences)]
        )
        for i, url in enumerate(urls):
            verdict = Verdict.OK if i % 10 else Verdict.DEAD
            store.save_result(
                run,
                Result(url=url, verdict=verdict, reason="http_200", status=200, elapsed_ms=40.0),
                settings,
            )
        store.finish_run(run, {"urls": len(urls)})
        fresh = time.perf_counter() - start
        rows.append(("fresh run: save every result", fresh, peak_rss_mib()))

        start = time.perf_counter()
        second = store.begin_run(["bench"], "bench")
        hits = 0
        for url in urls:
            cached = _one(store, url, settings)
            if cached is not None:
                hits += 1
                store.save_result(second, cached, settings)
        store.finish_run(second, {"urls": len(urls)})
        rerun = time.perf_counter() - start
        rows.append((f"cached re-run ({hits} hits, saved)", rerun, peak_rss_mib()))

        start = time.perf_counter()
        for url in urls:
            _one(store, url, settings)
        lookup = time.perf_counter() - start
        rows.append(("cached look-up pass only", lookup, peak_rss_mib()))

        start = time.perf_counter()
        third = store.begin_run(["bench"], "bench")
        found = [r for r in (_one(store, u, settings) for u in urls) if r is not None]
        store.save_results(third, found, settings)
        store.finish_run(third, {"urls": len(urls)})
        looped = time.perf_counter() - start
        rows.append(
            (f"pipeline path: look-up loop, save_results ({len(found)})", looped, peak_rss_mib())
        )
        start = time.perf_counter()
        fourth = store.begin_run(["bench"], "bench")
        batch = store.cached_results(urls, settings)
        store.save_results(fourth, list(batch.values()), settings)
        store.finish_run(fourth, {"urls": len(urls)})
        batched = time.perf_counter() - start
        rows.append(
            (f"batched: cached_results, save_results ({len(batch)})", batched, peak_rss_mib())
        )
        checks = int(store.query("SELECT count(*) AS n FROM checks")[0]["n"])
    size = file_size(Path(path))

    print(f"| phase ({len(urls):,} URLs) | wall time (s) | per URL (ms) | RSS after (MiB) |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds:.2f} | {seconds * 1000 / len(urls):.3f} | {rss:.1f} |")
    print()
    print("| database | value |")
    print("| --- | ---: |")
    print(f"| checks stored | {checks:,} |")
    print(f"| file size (db + wal) | {size / 1024 / 1024:.2f} MiB |")
    print(f"| size per 10,000 checks | {size / checks * 10_000 / 1024 / 1024:.2f} MiB |")
    folder.cleanup()
    return 0


def _one(store: Store, url: str, settings: Settings) -> Result | None:
    """One URL's look-up on its own (the path before the batched ``cached_results``)."""
    return store.cached_results([url], settings).get(url)


if __name__ == "__main__":
    sys.exit(main())
