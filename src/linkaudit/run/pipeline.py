"""
documents → occurrences → distinct URLs → check → classify → archive → store → report.

The run from start to report; ``feed`` reads the documents as the checker works, ``local``
and ``remote`` check their URLs, ``state`` holds what they share. Results reach the store
as they arrive, so an interrupted run keeps what it checked and the next run resumes from
there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from linkaudit import store as stores
from linkaudit._version import __version__
from linkaudit.config import Settings
from linkaudit.exceptions import StoreError
from linkaudit.extract import iter_inputs
from linkaudit.models import Extraction, Occurrence, Result, RunId
from linkaudit.report.base import Report
from linkaudit.report.build import build_report
from linkaudit.run.feed import Feed, complete
from linkaudit.run.interrupts import INTERRUPTS
from linkaudit.run.state import Listener, Run, RunOutcome, SilentListener
from linkaudit.run.storethread import StoreThread
from linkaudit.store import ABANDON_AFTER
from linkaudit.store.ledger import LedgerResults
from linkaudit.verdicts import Reason, Verdict

if TYPE_CHECKING:
    from linkaudit.store import Store

__all__ = ["check", "check_async", "run_check"]


def check(inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True) -> Report:
    """Check every link of ``inputs``; keep results in ``settings.db`` unless ``store=False``.

    Inside a running event loop (Jupyter, an async web app) the run gets its own loop in a
    worker thread, since ``asyncio.run`` refuses to nest; ``check_async`` is the way there.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(check_async(inputs, settings, store=store))
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="linkaudit") as pool:
        return pool.submit(asyncio.run, check_async(inputs, settings, store=store)).result()


async def check_async(
    inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True
) -> Report:
    """``check`` for a caller that already runs an event loop: ``await check_async(...)``."""
    settings = settings or Settings()
    outcome = await run_check(inputs, settings, db=settings.db if store else None)
    return outcome.report


async def run_check(
    inputs: Sequence[str],
    settings: Settings,
    *,
    db: str | Path | None,
    listener: Listener | None = None,
    arguments: Sequence[str] = (),
    extractions: Iterable[Extraction] | None = None,
    on_document: Callable[[Extraction], None] | None = None,
) -> RunOutcome:
    """The whole ``check`` job; ``db=None`` runs without a store.

    ``extractions`` replaces extracting ``inputs``; ``on_document`` hears of each document
    as it is extracted (the CLI prints its warnings then).
    """
    run, open_error = await _open_run(settings, db, listener)
    source = (
        iter(extractions) if extractions is not None else _iter_inputs(inputs, settings, run.store)
    )
    feed = Feed(run, source, on_document)
    interrupted = False
    try:
        if run.storage is not None:
            await _begin(run, arguments)
        run.listener.start(0)
        try:
            with INTERRUPTS.watching(asyncio.current_task()):
                if INTERRUPTS.received is not None:  # a signal came while the store opened
                    raise asyncio.CancelledError
                await _check_all(feed, run)
        except (asyncio.CancelledError, KeyboardInterrupt):
            interrupted = True
        await _after_checks(run, interrupted)
        report = _report(feed, run, interrupted)
        if run.storage is not None:
            counts = report.summary.by_verdict
            await run.storage.write(
                lambda store: store.finish_run(store.current_run, counts, interrupted=interrupted),
                None,
            )
    except BaseException:
        run.ledger.close()  # the report that would have owned it never came
        raise
    finally:
        run.listener.finished()
        if run.storage is not None:
            run.storage.close()
            # Not after a signal: the writer thread finishes in the background (the process
            # waits for it at exit) while the partial reports are written.
            await _settle_writes(run, interrupted)
    storage = run.storage
    return RunOutcome(
        report=report,
        run_id=run.run_id,
        interrupted=interrupted,
        store_error=str(storage.error)
        if storage is not None and storage.error
        else (str(open_error) if open_error else None),
    )


async def _open_run(
    settings: Settings, db: str | Path | None, listener: Listener | None
) -> tuple[Run, StoreError | None]:
    """The run's state, with its store behind the writer thread when the store opens; the
    error that kept it closed, if any."""
    open_error: StoreError | None = None
    try:
        store = await asyncio.to_thread(_open_store, db, settings.store_timeout)
    except StoreError as exc:  # full disk, locked, damaged: the links are checked all the same
        store, open_error = None, exc
    run = Run(settings, store=store, listener=listener or SilentListener())
    if open_error is not None:
        run.warnings.append(f"store error: {open_error}; the run went on without the store")
    if store is not None:
        run.storage = StoreThread(store)
    return run, open_error


async def _after_checks(run: Run, interrupted: bool) -> None:
    """Every result into the ledger: the store's answers, the late citations' say, then
    ``--check-originals`` (after ``complete``: results reused from the store are all in)."""
    await _settle_writes(run, interrupted)
    run.keep_pending()
    await complete(run)
    if run.settings.check_originals and not run.offline and not interrupted:
        from linkaudit.run.remote import check_originals  # the HTTP stack, on first use

        await check_originals(run)
    await _settle_writes(run, interrupted)
    run.keep_pending()  # as saved: history, escalations


def _report(feed: Feed, run: Run, interrupted: bool) -> Report:
    """The run's report, read from its ledger, with every warning the run gathered."""
    _count_needs_root(run)
    tally = run.ledger.tally()
    if interrupted:
        run.warnings.append(
            f"interrupted: {tally.urls} of {run.ledger.urls()} URLs checked; run again to resume"
        )
    return build_report(
        feed.documents,
        LedgerResults(run.ledger),
        network="unavailable" if run.offline else "ok",
        warnings=feed.warnings + run.warnings + _store_warning(run),
        interrupted=interrupted,
        counts=(tally.by_verdict, tally.links),
    )


#: Seconds an interrupted run waits for the store's queued writes before its reports.
INTERRUPTED_WRITE_GRACE = 2.0


async def _begin(run: Run, arguments: Sequence[str]) -> None:
    """Queue the run's ``running`` row (first on the writer thread: every later write finds
    its id there); a locked store delays it without delaying the checking."""
    assert run.storage is not None

    def begun(run_id: RunId | None) -> None:
        run.run_id = run_id
        if run.storage is not None and run.storage.store is not None:
            run.warnings.extend(_abandoned_warning(run.storage.store.abandoned))

    await run.storage.write(
        lambda store: store.begin_run(list(arguments), __version__), None, begun
    )


async def _settle_writes(run: Run, interrupted: bool) -> None:
    if run.storage is not None:
        await run.storage.drain(INTERRUPTED_WRITE_GRACE if interrupted else None)


def _store_warning(run: Run) -> list[str]:
    error = run.storage.error if run.storage is not None else None
    return [f"store error: {error}; the run went on without the store"] if error else []


def _count_needs_root(run: Run) -> None:
    """Say how many root-relative links went unchecked and what would check them."""
    unrooted = run.ledger.count_reason(Reason.NEEDS_ROOT.value)
    if unrooted:
        run.warnings.append(
            f"{unrooted} root-relative link{'s' if unrooted > 1 else ''} of local documents "
            "not checked (needs_root): give --root-dir or --base-url to resolve them"
        )


def _abandoned_warning(runs: Sequence[int]) -> list[str]:
    if not runs:
        return []
    named = ", ".join(str(r) for r in runs)
    hours = ABANDON_AFTER.total_seconds() / 3600
    return [
        f"run {named} never finished and was closed as abandoned (unfinished for more than "
        f"{hours:g} h); its results are not reused"
    ]


def _iter_inputs(
    inputs: Sequence[str], settings: Settings, store: Store | None
) -> Iterator[Extraction]:
    """The documents; an unchanged one comes back from the store unparsed (not with
    ``--fresh``, which re-reads everything)."""
    stored = store.stored_extraction if store is not None and not settings.fresh else None
    return iter_inputs(inputs, settings, stored)


def _open_store(db: str | Path | None, busy_timeout: float) -> Store | None:
    if db is None:
        return None
    # sqlite-utils is imported here, on the package's first use of ``Store``: a run
    # without a store never pays for it.
    return stores.Store.open(db, busy_timeout=busy_timeout)


async def _check_all(feed: Feed, run: Run) -> None:
    """Check each document's URLs as it is read, until all are done or ``--max-time``."""
    settings = run.settings
    deadline = None if settings.max_time is None else time.monotonic() + settings.max_time
    feed.deadline = deadline
    if await feed.until_remote():
        # Only a run with something to fetch imports the HTTP stack and the check stage.
        from linkaudit.run.remote import check_remote

        await check_remote(feed, run, deadline)
        await feed.drain()
    feed.flight.clear()
    await _settle_writes(run, False)  # the store's answers are in the ledger
    run.keep_pending()
    unchecked = 0
    for chunk in run.ledger.unresolved():
        unchecked += len(chunk)
        for url in chunk:
            run.accept(_not_checked(url, run.ledger.citations(url)))
    if unchecked:
        run.warnings.append(
            f"--max-time reached: {unchecked} URLs not checked, reported as timeout"
        )


def _not_checked(url: str, occurrences: tuple[Occurrence, ...]) -> Result:
    return Result(
        url=url,
        verdict=Verdict.UNREACHABLE,
        reason=Reason.TIMEOUT,
        error="not checked before --max-time ran out",
        occurrences=occurrences,
    )
