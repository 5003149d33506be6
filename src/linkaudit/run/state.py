"""
One check run's state, shared by ``pipeline``, ``feed``, ``local`` and ``remote``: where
results go, what the run has learnt, and who hears about its progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from linkaudit.config import Settings
from linkaudit.models import Result, RunId
from linkaudit.report.base import Report
from linkaudit.run.storethread import StoreThread
from linkaudit.store.ledger import Ledger
from linkaudit.verdicts import Reason

if TYPE_CHECKING:  # sqlite-utils only for a run with a store
    from linkaudit.store import Store

__all__ = ["Listener", "Run", "RunOutcome", "SilentListener"]


class Listener(Protocol):
    """**Protocol:** hears about progress (the rich progress bar is one listener)."""

    def start(self, total: int) -> None: ...  # pragma: no cover
    def grew(self, total: int) -> None: ...  # pragma: no cover
    def result_ready(self, result: Result) -> None: ...  # pragma: no cover
    def finished(self) -> None: ...  # pragma: no cover


class SilentListener:
    def start(self, total: int) -> None:
        """Nothing to show."""

    def grew(self, total: int) -> None:
        """Nothing to show."""

    def result_ready(self, result: Result) -> None:
        """Nothing to show."""

    def finished(self) -> None:
        """Nothing to show."""


@dataclass(repr=False)
class RunOutcome:
    """A finished (or interrupted) run: its report and its id in the store."""

    report: Report
    run_id: RunId | None = None
    interrupted: bool = False
    store_error: str | None = None
    """The store failure the run went on without (``"<path>: <cause>"``), if any."""

    def __repr__(self) -> str:
        """Counts, not results: Python 3.11's ``asyncio.run`` formats its main task, result
        included, when it restores the SIGINT handler, and the full repr of a 100,000-result
        report is hundreds of megabytes."""
        return (
            f"RunOutcome(run_id={self.run_id!r}, interrupted={self.interrupted!r}, "
            f"urls={self.report.summary.urls}, links={self.report.summary.links})"
        )


@dataclass
class Run:
    """One check run: its settings, where results go, and what it has learnt so far."""

    settings: Settings
    store: Store | None = None
    storage: StoreThread | None = None
    """The store behind its writer and reader threads: what the run uses while it checks."""
    run_id: RunId | None = None
    listener: Listener = field(default_factory=SilentListener)
    ledger: Ledger = field(default_factory=Ledger)
    """Every URL, citation and result of the run, on disk (``store/ledger.py``)."""
    pending: dict[str, Result] = field(default_factory=dict)
    """Results waiting for the store's answer (at most its queue's worth): the ledger gets
    the answer, or these as they are if the answer never comes (an interrupted run)."""
    offline: bool | None = None
    """None until the first network failure makes us ask the canaries."""
    any_response: bool = False
    published: dict[str, dt.date | None] = field(default_factory=dict)
    """Each document's publication date: the default citation date of its links."""
    warnings: list[str] = field(default_factory=list)
    first_checks: dict[str, Any] = field(default_factory=dict)
    """Pages' text as first checked, for ``--drift`` in a run without a store."""

    def accept(self, result: Result) -> None:
        """Keep ``result`` for the report and tell the listener."""
        self.pending.pop(result.url, None)
        self.ledger.put(result)
        self.listener.result_ready(result)

    def keep_pending(self) -> None:
        """Results the store never answered for (an interrupted run) go in as they are."""
        for result in list(self.pending.values()):
            self.ledger.put(result)
        self.pending.clear()

    async def save(self, result: Result) -> None:
        """Store as it arrives; an offline verdict is no evidence about the link: not kept.

        The result is known to the run at once; the store's answer (history, an escalation
        to dead) replaces it when the writer thread gets to it, so a slow or locked store
        delays only that."""
        evidence = result.reason != Reason.NETWORK_UNAVAILABLE
        storage = self.storage
        if not evidence or storage is None:
            self.accept(result)
            return
        self.pending[result.url] = result
        settings = self.settings
        await storage.write(
            lambda store: store.save_result(store.current_run, result, settings),
            result,
            self.accept,
        )
