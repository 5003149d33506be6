from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fakes import FakeArchive, serve_archive

_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxies from the developer's shell must not reroute loopback traffic."""
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def fake() -> Iterator[FakeArchive]:
    with serve_archive() as archive:
        yield archive
