"""
One run's per-URL state on disk, so that a run's memory does not grow with its URLs.

A run learns three things per distinct URL: that it was seen (the dedup, in first-cited
order), every place it is cited, and its result. Held in dicts they grow with the URLs
(docs/scale.md#memory). The ledger keeps them in a private
SQLite file made in a temporary folder and unlinked at once, as ``tmpfile`` does: the open
connection keeps using it (no journal, no second connection, so SQLite never opens it by
name again), and the system frees it when the connection closes, when the ledger is
garbage-collected, or when the process ends in any way, SIGKILL included. Only the pages
SQLite caches (``CACHE_KIB``) stay in memory.

``LedgerResults`` reads the results back in first-cited order, each with every place it is
cited, as a re-iterable sequence: what ``Report.results`` holds after a run, so that every
reporter streams from the file instead of a list.

One connection, used by one thread at a time (the run's event loop, then whoever renders
the report); it is not part of the ``Store`` (the run's history), which it never touches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import operator
import pickle
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, overload

from linkaudit.models import Element, Occurrence, Part, Result
from linkaudit.verdicts import Verdict

__all__ = ["CACHE_KIB", "Ledger", "LedgerResults", "Tally"]

#: SQLite's page cache for the ledger: the memory it may hold whatever the run's size.
CACHE_KIB = 8 * 1024
#: Writes between commits (one transaction per write would cost a write call each).
COMMIT_EVERY = 2000
#: URLs cited and awaiting a result whose row number is kept in memory at most (about
#: 100 bytes each): the checker's queues hold far fewer.
UNSETTLED = 16_384
#: Rows per chunked read (a read never holds more than this many results at once).
CHUNK = 500

_SCHEMA = """
CREATE TABLE urls (seq INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE);
CREATE TABLE citations (
    seq INTEGER NOT NULL, n INTEGER NOT NULL, problem INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (seq, n)
) WITHOUT ROWID;
CREATE TABLE results (
    seq INTEGER PRIMARY KEY, verdict TEXT NOT NULL, reason TEXT, flagged INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""

_RESULT_FIELDS = tuple(f.name for f in fields(Result))
_OCCURRENCES_AT = _RESULT_FIELDS.index("occurrences")
_VERDICT_AT = _RESULT_FIELDS.index("verdict")
_CHECKED_AT = _RESULT_FIELDS.index("checked_at")
_result_state = operator.attrgetter(*_RESULT_FIELDS)
_OCCURRENCE_FIELDS = tuple(f.name for f in fields(Occurrence))
_PART_AT = _OCCURRENCE_FIELDS.index("part")
_ELEMENT_AT = _OCCURRENCE_FIELDS.index("element")
_occurrence_state = operator.attrgetter(*_OCCURRENCE_FIELDS)
_PROTOCOL = pickle.HIGHEST_PROTOCOL
# Enum members by value: a dict look-up, where calling the enum runs Python code.
_VERDICTS = {v.value: v for v in Verdict}
_PARTS = {p.value: p for p in Part}
_ELEMENTS = {e.value: e for e in Element}


@dataclass(frozen=True, slots=True)
class Tally:
    """The report's counts, from the file: results by verdict and the places they cite."""

    by_verdict: dict[str, int]
    links: int
    urls: int


class Ledger:
    """The run's URLs, citations and results in a temporary SQLite file (module docstring)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="linkaudit-run-", dir=folder))
        self.path = self._folder / "ledger.sqlite"
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._closer = weakref.finalize(self, _close, self._db, self._folder)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "temp_store = FILE",
            f"cache_size = -{CACHE_KIB}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_SCHEMA)
        # Where a file cannot be removed while open, ``close`` removes it.
        shutil.rmtree(self._folder, ignore_errors=True)
        self._numbers = itertools.count()
        self._urls = 0
        self._unsettled: dict[str, int] = {}
        """The row of each URL cited and not given a result yet (at most ``UNSETTLED``):
        ``put`` writes by row number, without looking the URL up."""
        self._writes = 0
        self.version = 0
        """Bumped by every change, so that a reader's cached length knows when it is stale."""

    # ---------------------------------------------------------------- writes

    def cite(self, occurrences: Sequence[Occurrence]) -> list[str]:
        """Add one document's citations; the URLs it is the first to cite, in order."""
        if not occurrences:
            return []
        distinct = list(dict.fromkeys(o.url for o in occurrences))
        seqs = self._seqs(distinct)
        new = [url for url in distinct if url not in seqs]
        first = self._urls + 1  # row numbers given here: one statement for the document
        self._db.executemany(
            "INSERT INTO urls (seq, url) VALUES (?, ?)", enumerate(new, start=first)
        )
        seqs.update(zip(new, range(first, first + len(new)), strict=True))
        self._urls += len(new)
        if len(self._unsettled) + len(new) > UNSETTLED:
            self._unsettled.clear()  # a run that cites far more than it checks: look up
        for url in new:
            self._unsettled[url] = seqs[url]
        numbers = self._numbers
        self._db.executemany(
            "INSERT INTO citations (seq, n, problem, data) VALUES (?, ?, ?, ?)",
            [
                (
                    seqs[o.url],
                    next(numbers),
                    o.problem is not None,
                    _encode_occurrence(o),
                )
                for o in occurrences
            ],
        )
        self._wrote(len(occurrences))
        return new

    def put(self, result: Result) -> None:
        """Keep ``result`` (replacing the URL's earlier one); its places come from ``cite``."""
        flagged = bool(result.notices or result.drift is not None or result.quotes)
        row = (result.verdict.value, result.reason, flagged, _encode_result(result))
        seq = self._unsettled.pop(result.url, None)
        if seq is not None:
            sql = "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)"
            self._db.execute(sql, (seq, *row))
        else:
            sql = (
                "INSERT OR REPLACE INTO results (seq, verdict, reason, flagged, data) "
                "SELECT seq, ?, ?, ?, ? FROM urls WHERE url = ?"
            )
            self._db.execute(sql, (*row, result.url))
        self._wrote(1)

    def _wrote(self, count: int) -> None:
        self.version += 1
        self._writes += count
        if self._writes >= COMMIT_EVERY:
            self._writes = 0
            self._db.commit()

    # ---------------------------------------------------------------- reads

    def _seqs(self, urls: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(urls), CHUNK):
            part = urls[start : start + CHUNK]
            marks = ",".join("?" * len(part))
            sql = f"SELECT url, seq FROM urls WHERE url IN ({marks})"
            found.update(self._db.execute(sql, part).fetchall())
        return found

    def urls(self) -> int:
        """Distinct URLs cited so far (counted as they come: SQLite's count is a scan)."""
        return self._urls

    def count(self) -> int:
        """Results kept so far."""
        return int(self._db.execute("SELECT count(*) FROM results").fetchone()[0])

    def tally(self) -> Tally:
        """Counts by verdict, places cited by the URLs that have a result, and results."""
        rows = self._db.execute("SELECT verdict, count(*) FROM results GROUP BY verdict")
        by_verdict = dict(sorted((str(v), int(n)) for v, n in rows))
        links = self._db.execute(
            "SELECT count(*) FROM citations c JOIN results r ON r.seq = c.seq"
        ).fetchone()[0]
        return Tally(by_verdict, int(links), sum(by_verdict.values()))

    def count_reason(self, reason: str) -> int:
        sql = "SELECT count(*) FROM results WHERE reason = ?"
        return int(self._db.execute(sql, (reason,)).fetchone()[0])

    def citations(self, url: str) -> tuple[Occurrence, ...]:
        """Every place ``url`` is cited so far, in citation order."""
        sql = (
            "SELECT c.data FROM citations c JOIN urls u ON u.seq = c.seq "
            "WHERE u.url = ? ORDER BY c.n"
        )
        return tuple(_occurrence(data) for (data,) in self._db.execute(sql, (url,)))

    def unresolved(self) -> Iterator[list[str]]:
        """URLs cited but without a result, in first-cited order, a chunk at a time (the
        caller may add results between chunks)."""
        last = 0
        sql = (
            "SELECT u.seq, u.url FROM urls u LEFT JOIN results r ON r.seq = u.seq "
            "WHERE r.seq IS NULL AND u.seq > ? ORDER BY u.seq LIMIT ?"
        )
        while rows := self._db.execute(sql, (last, CHUNK)).fetchall():
            last = rows[-1][0]
            yield [url for _, url in rows]

    def select(self, where: str, params: Sequence[Any] = ()) -> Iterator[list[Result]]:
        """Results matching an SQL condition on ``verdict`` / ``reason``, with their places,
        in first-cited order, a chunk at a time (the caller may replace them between chunks)."""
        last = 0
        sql = f"SELECT seq, data FROM results WHERE ({where}) AND seq > ? ORDER BY seq LIMIT ?"
        while rows := self._db.execute(sql, (*params, last, CHUNK)).fetchall():
            last = rows[-1][0]
            yield [self._result(seq, data) for seq, data in rows]

    def with_late_problems(self) -> Iterator[list[Result]]:
        """Results whose URL is cited more than once with an offline problem in some place:
        a place read after the URL went to the checker may decide it (``feed.complete``)."""
        sql = (
            "SELECT r.seq FROM results r JOIN "
            "(SELECT seq FROM citations GROUP BY seq HAVING count(*) > 1 AND max(problem) = 1) "
            "p ON p.seq = r.seq ORDER BY r.seq"
        )
        found = [seq for (seq,) in self._db.execute(sql)]  # one scan; few, and plain ints
        for start in range(0, len(found), CHUNK):
            part = found[start : start + CHUNK]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT seq, data FROM results WHERE seq IN ({marks}) ORDER BY seq", part
            ).fetchall()
            yield [self._result(seq, data) for seq, data in rows]

    def _result(self, seq: int, data: bytes) -> Result:
        sql = "SELECT data FROM citations WHERE seq = ? ORDER BY n"
        cited = tuple(_occurrence(d) for (d,) in self._db.execute(sql, (seq,)))
        return _build(data, cited)

    def iter_results(self) -> Iterator[Result]:
        """Every result in first-cited order with every place it is cited: two ordered scans
        merged, one result in memory at a time."""
        results = self._db.execute("SELECT seq, data FROM results ORDER BY seq")
        places = self._db.execute("SELECT seq, data FROM citations ORDER BY seq, n")
        place = next(places, None)
        for seq, data in results:
            cited: list[Occurrence] = []
            while place is not None and place[0] <= seq:
                if place[0] == seq:
                    cited.append(_occurrence(place[1]))
                place = next(places, None)
            yield _build(data, tuple(cited))

    def narrowed(self, verdicts: Collection[str]) -> Iterator[Result]:
        """The results whose verdict is one of ``verdicts`` or that carry an editorial
        notice, a drift verdict or a quotation, in first-cited order: only those are read."""
        marks = ",".join("?" * len(verdicts))
        sql = f"SELECT seq, data FROM results WHERE verdict IN ({marks}) OR flagged ORDER BY seq"
        for seq, data in self._db.execute(sql, list(verdicts)):  # a row at a time
            yield self._result(seq, data)

    def result_at(self, index: int) -> Result:
        row = self._db.execute(
            "SELECT seq, data FROM results ORDER BY seq LIMIT 1 OFFSET ?", (index,)
        ).fetchone()
        if row is None:
            raise IndexError(index)
        return self._result(row[0], row[1])

    # ---------------------------------------------------------------- lifetime

    @property
    def closed(self) -> bool:
        return not self._closer.alive

    def close(self) -> None:
        """Close the file, which frees it (again: nothing)."""
        self._closer()


class LedgerResults(Sequence[Result]):
    """A run's results read back from its ledger in first-cited order: re-iterable, with a
    length, and an index (a scan: for tests and the odd look-up, not for loops). It owns the
    ledger: the file is freed when this goes (or at ``close``)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._length: tuple[int, int] | None = None

    def __iter__(self) -> Iterator[Result]:
        return self.ledger.iter_results()

    def narrowed(self, verdicts: Collection[Verdict]) -> Iterator[Result]:
        """See ``report.base.Narrowable``: what a gate or a findings list can look at."""
        return self.ledger.narrowed([v.value for v in verdicts])

    def __len__(self) -> int:
        version = self.ledger.version
        if self._length is None or self._length[0] != version:
            self._length = (version, self.ledger.count())
        return self._length[1]

    @overload
    def __getitem__(self, index: int) -> Result: ...
    @overload
    def __getitem__(self, index: slice) -> list[Result]: ...
    def __getitem__(self, index: int | slice) -> Result | list[Result]:
        if isinstance(index, slice):
            return list(self)[index]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return self.ledger.result_at(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LedgerResults({len(self)} results)"

    def close(self) -> None:
        self.ledger.close()


# The codecs pickle each record's fields, not the record: the enums as their values and a
# UTC time without its zone, which pickle spends most of its time on (docs/benchmarks.md).


def _encode_result(result: Result) -> bytes:
    state = list(_result_state(result))
    state[_OCCURRENCES_AT] = ()
    state[_VERDICT_AT] = result.verdict.value
    checked = result.checked_at
    utc = checked is not None and checked.tzinfo is dt.UTC
    if utc:
        state[_CHECKED_AT] = checked.replace(tzinfo=None)  # type: ignore[union-attr]
    state.append(utc)
    return pickle.dumps(state, _PROTOCOL)


def _build(data: bytes, cited: tuple[Occurrence, ...]) -> Result:
    state = pickle.loads(data)
    if state.pop():
        state[_CHECKED_AT] = state[_CHECKED_AT].replace(tzinfo=dt.UTC)
    state[_OCCURRENCES_AT] = cited
    state[_VERDICT_AT] = _VERDICTS[state[_VERDICT_AT]]
    return Result(*state)


def _encode_occurrence(occurrence: Occurrence) -> bytes:
    state = list(_occurrence_state(occurrence))
    state[_PART_AT] = occurrence.part.value
    state[_ELEMENT_AT] = occurrence.element.value
    return pickle.dumps(state, _PROTOCOL)


def _occurrence(data: bytes) -> Occurrence:
    state = pickle.loads(data)
    state[_PART_AT] = _PARTS[state[_PART_AT]]
    state[_ELEMENT_AT] = _ELEMENTS[state[_ELEMENT_AT]]
    return Occurrence(*state)


def _close(db: sqlite3.Connection, folder: Path) -> None:
    with contextlib.suppress(sqlite3.Error):
        db.close()
    shutil.rmtree(folder, ignore_errors=True)
