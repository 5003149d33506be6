"""
Regenerate reports/sample.* from the example brief (``nox -s reports``).

The run is made with no network at all when the machine allows it (``unshare --net`` as
root), so the samples show the offline verdicts and do not depend on who regenerates them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/rok-us-policy-brief-2025-03.md"
FORMATS = {
    "json": "sample.json",
    "markdown": "sample.md",
    "html": "sample.html",
    "sarif": "sample.sarif",
    "junit": "sample.junit.xml",
    "csv": "sample.csv",
    "github": "sample.github.txt",
    "table": "sample.txt",
}


def command() -> list[str]:
    """The check, wrapped in a loopback-only network namespace where possible."""
    argv = [sys.executable, "-m", "linkaudit", "check", EXAMPLE, "--no-store"]
    for fmt, name in FORMATS.items():
        argv += ["--format", fmt, "--output", f"reports/{name}"]
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0:
        probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [
                unshare,
                "--net",
                "sh",
                "-c",
                'ip link set lo up 2>/dev/null; exec "$@"',
                "sh",
            ] + argv
    return argv


def main() -> int:
    """Run it; exit 1 is expected (the brief has placeholders)."""
    done = subprocess.run(command(), cwd=ROOT, check=False)
    if done.returncode not in (0, 1, 3):
        return done.returncode
    for name in FORMATS.values():
        print(f"reports/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
