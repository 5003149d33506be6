"""The store benchmark runs against the store's current API (a method it called was removed
once and only `nox -s bench` found out)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_store.py"


def test_bench_store_runs_and_finds_every_cached_result(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--urls", "50", "--db", str(tmp_path / "bench.sqlite")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| cached re-run (50 hits, saved) |" in done.stdout
    assert "| batched: cached_results, save_results (50) |" in done.stdout
