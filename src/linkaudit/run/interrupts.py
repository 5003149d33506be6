"""
Signals that stop a check run: SIGINT (Ctrl-C), SIGTERM (what a CI runner sends when a job
is cancelled or times out) and SIGHUP (the terminal went away) are handled alike. The first
cancels the checking; the run writes its partial reports, is marked ``interrupted`` in the
store, and the process exits 128 + the signal's number (130, 143, 129). A second signal
exits at once, leaving no temporary report behind (the run's ledger file is unlinked from
the start: ``store/ledger.py``).

One handler for the whole command, installed by the CLI: the pipeline only tells it which
task to cancel (``watching``). A library caller that installs nothing is not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

from linkaudit.choices import ExitCode
from linkaudit.run import files

__all__ = ["INTERRUPTS", "SIGNALS", "Interrupts"]

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupts:
    """The signals received by this process, and the run task the first one cancels."""

    def __init__(self) -> None:
        self.received: int | None = None
        """The first stopping signal's number, or None."""
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def exit_code(self) -> ExitCode | None:
        """128 + the first signal's number (the shell's convention), or None."""
        return None if self.received is None else ExitCode.of(128 + self.received)

    def install(self) -> None:
        """Handle SIGINT, SIGTERM and SIGHUP in this (main) thread for the rest of the process."""
        for number in SIGNALS:
            signal.signal(number, self._handle)

    @contextlib.contextmanager
    def watching(self, task: asyncio.Task[Any] | None) -> Iterator[None]:
        """While inside, the first signal cancels ``task`` (the run's checking)."""
        self._task, self._loop = task, asyncio.get_running_loop()
        try:
            yield
        finally:
            self._task = self._loop = None

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.received is not None:
            files.remove_temporaries()
            os._exit(ExitCode.of(128 + number))
        self.received = number
        task, loop = self._task, self._loop
        if task is not None and loop is not None and not task.done():
            # As asyncio.Runner does for SIGINT: cancel, then wake the loop's selector.
            task.cancel()
            loop.call_soon_threadsafe(lambda: None)


#: The process's one instance (signal handlers are per process).
INTERRUPTS = Interrupts()
