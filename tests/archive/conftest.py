"""The fake archive services; environment and anyio fixtures come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpers.archive_fakes import FakeArchive, serve_archive


@pytest.fixture
def fake() -> Iterator[FakeArchive]:
    with serve_archive() as archive:
        yield archive
