"""The command's interpreter tuning: the end of a command skips the final cycle collection,
and only the console script's own process is tuned (never a library's host)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Runs the console script's ``main`` (or click's ``cli`` alone) and prints how many objects
#: are frozen afterwards.
SCRIPT = """
import gc, sys
sys.argv = ["linkaudit", "--version"]
from linkaudit import cli
try:
    cli.main() if {whole} else cli.cli(prog_name="linkaudit")
except SystemExit:
    pass
print(gc.get_freeze_count())
"""


def frozen_after(whole: bool) -> int:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(whole=whole)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    return int(done.stdout.splitlines()[-1])


def test_the_console_script_freezes_the_heap_before_it_exits() -> None:
    assert frozen_after(whole=True) > 1000


def test_the_command_group_alone_leaves_the_collector_as_it_was() -> None:
    assert frozen_after(whole=False) == 0
