"""
The progress bar on stderr, as a pipeline listener.

rich is imported only when a bar is drawn: a quiet run, a CI job or a run whose stderr is
not a terminal starts without it, sooner (figure in docs/reports.md).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from linkaudit.models import Result

__all__ = ["ProgressListener"]


class ProgressListener:
    """
    A pipeline listener that draws a progress bar on stderr.

    Silent when stderr is not a terminal, when ``CI`` is set, or with ``quiet``: logs of CI
    jobs fill up with redrawn bars otherwise.
    """

    def __init__(self, *, quiet: bool = False, console: Console | None = None) -> None:
        self.console = console
        self.enabled = not quiet and not os.environ.get("CI") and _terminal(console)
        self._progress: Any = None
        self._task: Any = None
        self.done = 0

    def start(self, total: int) -> None:
        """Begin the bar for ``total`` URLs."""
        if not self.enabled:
            return
        # Only a bar that is shown imports rich (docs/development.md#lazy-imports).
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = self.console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        )
        # No total yet (0): documents are still being read; ``grew`` sets it.
        self._task = self._progress.add_task("checking", total=total or None)
        self._progress.start()

    def grew(self, total: int) -> None:
        """More distinct URLs were found (documents are read while checking)."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def result_ready(self, result: Result) -> None:
        """Advance the bar."""
        self.done += 1
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def finished(self) -> None:
        """Remove the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _terminal(console: Console | None) -> bool:
    """Whether stderr (or ``console``) is a terminal, asking rich only when it may be one."""
    if console is not None:
        return console.is_terminal
    if not sys.stderr.isatty() and not os.environ.get("FORCE_COLOR"):
        return False
    from rich.console import Console  # only when stderr may be a terminal, as above

    return Console(stderr=True).is_terminal
