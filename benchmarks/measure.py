"""
Run one command and measure it: wall time, CPU (user + system) and peak RSS of that process alone.

``os.wait4`` returns the resource usage of the one child it reaps, so the figures belong to the
tool and not to the simulated web (another child of the benchmark) or to an earlier tool.
A sampler thread reads the RSS from /proc over time, for the soak's "memory stays flat".

One Linux quirk: at ``exec`` the kernel keeps the high-water RSS of the memory the child
was forked with, so a child's ``ru_maxrss`` is at least the benchmark's own peak RSS
(hundreds of MB after parsing 100,000 results). When ``ru_maxrss`` is no higher than that,
it says nothing about the tool, and the highest ``VmHWM`` the samples read (every 0.1 s) is
reported instead: the kernel's own high-water mark of the tool's memory since its exec, so
one sample taken after the peak is enough.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measurement", "measure", "median_wall"]


@dataclass(frozen=True)
class Measurement:
    """One command's run."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    timed_out: bool
    rss_samples: tuple[tuple[float, float], ...] = ()
    """(seconds since start, RSS in MB) every sample interval."""


def _rss_mb(pid: int) -> tuple[float, float] | None:
    """(RSS now, high-water RSS since exec) in MB, from /proc/PID/status."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024  # kB
    if "VmRSS" not in values:
        return None  # a zombie: its memory is gone
    return values["VmRSS"], values.get("VmHWM", values["VmRSS"])


def _peak(maxrss: float, own_rss: float, high_water: float) -> float:
    """``ru_maxrss``, unless it may be the benchmark's own peak inherited at exec (above)."""
    if maxrss > own_rss + 1 or high_water <= 0:
        return maxrss
    return high_water


def _sample(
    pid: int,
    every: float,
    out: list[tuple[float, float]],
    high_water: list[float],
    done: threading.Event,
) -> None:
    start = time.monotonic()
    while not done.wait(every):
        found = _rss_mb(pid)
        if found is not None:
            out.append((round(time.monotonic() - start, 2), round(found[0], 1)))
            high_water[0] = max(high_water[0], found[1])


def measure(
    cmd: Sequence[str],
    *,
    timeout_s: float,
    stdout: Path | None = None,
    stderr: Path | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    sample_every: float = 0.1,
) -> Measurement:
    """Run ``cmd`` to the end (killed after ``timeout_s``) and measure only it."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    err = open(stderr, "wb") if stderr else subprocess.DEVNULL  # noqa: SIM115
    samples: list[tuple[float, float]] = []
    high_water = [0.0]
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    done = threading.Event()
    timed_out = threading.Event()
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            list(cmd),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        sampler = threading.Thread(
            target=_sample, args=(proc.pid, sample_every, samples, high_water, done)
        )
        sampler.start()
        timer = threading.Timer(timeout_s, _kill_group, args=(proc.pid, timed_out))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for handle in (out, err):
            if not isinstance(handle, int):
                handle.close()
    return Measurement(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=_peak(usage.ru_maxrss / 1024, own_rss, high_water[0]),
        returncode=proc.returncode,
        timed_out=timed_out.is_set(),
        rss_samples=tuple(samples),
    )


def _kill_group(pid: int, flag: threading.Event) -> None:
    """The tool ran past its bound: end its own process group (it was started in a new session)."""
    flag.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def median_wall(cmd: Sequence[str], runs: int = 10) -> float:
    """Median wall time of ``runs`` runs of a short command (start-up time)."""
    times = sorted(measure(cmd, timeout_s=30).wall_s for _ in range(runs))
    return times[len(times) // 2]
