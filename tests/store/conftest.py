"""Fixtures for the store tests: an in-memory store, a settable clock, result builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkaudit.config import Settings
from linkaudit.models import Result
from linkaudit.store import Store
from linkaudit.verdicts import Verdict

START = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def result(url: str, verdict: Verdict = Verdict.OK, reason: str | None = None, **kw: Any) -> Result:
    """A Result as classify would hand it to the store."""
    defaults = {Verdict.OK: "http_200", Verdict.UNREACHABLE: "timeout", Verdict.DEAD: "http_404"}
    return Result(url=url, verdict=verdict, reason=reason or defaults.get(verdict), **kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def fresh_store(clock: Clock) -> Iterator[Store]:
    store = Store.open(":memory:", clock=clock)
    yield store
    store.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "linkaudit.sqlite"
