"""
Shared fixtures for every test package.

``web`` (session)
    The simulated web (``tests/web``): real HTTP/HTTPS servers on 127.0.0.1, 127.0.0.2 and
    127.0.0.3 sharing one port per scheme. ``web.url(path, host=…)``, ``web.https_url(…)``,
    ``web.untrusted_url(…)``, ``web.requests`` (the request log: method, host, target,
    headers, time, in-flight count per host), ``web.reset_log()``, ``web.route(path, handler)``.
    Built-in routes are listed in ``tests/web/routes.py`` (``/status/{code}``,
    ``/redirect/{code}/{n}``, ``/chain/{n}``, ``/loop/a``, ``/to?url=…``, ``/soft/*``,
    ``/slow-headers``, ``/trickle``, ``/bomb``, ``/malformed``, ``/close``, ``/reset``,
    ``/retry-after?key=…``, ``/flaky503?key=…``, ``/ua-block``, ``/head-lies``,
    ``/private/report`` → ``/login``, ``/cf-challenge``, ``/status/999``, ``/page`` (anchors),
    ``/meta-refresh``, ``/gzip``, ``/big``).
``web_ca`` (function)
    Sets ``SSL_CERT_FILE`` to the simulated web's CA so that ``web.https_url()`` is trusted
    (linkaudit's client honours ``SSL_CERT_FILE`` as httpx does); returns the PEM path.
``clean_environ`` (autouse)
    Removes proxy, CA, colour and CI variables so that no test depends on the machine.
``anyio_backend``
    ``"asyncio"``: mark async tests with ``@pytest.mark.anyio``.
``test_settings``
    ``Settings`` for the simulated web: ``allow_private=True`` (it is loopback), 2 s timeouts,
    one retry with a tiny backoff, canaries pointing at the local server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkaudit.config import Settings
from web import SimWeb

_STRIPPED = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NO_COLOR",
    "FORCE_COLOR",
    "CI",
    "GITHUB_ACTIONS",
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strip the environment variables that change network, TLS or terminal behaviour."""
    for name in _STRIPPED:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the backend linkaudit uses)."""
    return "asyncio"


@pytest.fixture(scope="session")
def web() -> Iterator[SimWeb]:
    """The simulated web, started once per session."""
    server = SimWeb.start()
    yield server
    server.stop()


@pytest.fixture
def web_ca(web: SimWeb, monkeypatch: pytest.MonkeyPatch) -> str:
    """Trust the simulated web's CA through ``SSL_CERT_FILE``."""
    monkeypatch.setenv("SSL_CERT_FILE", web.ca_file)
    return web.ca_file


@pytest.fixture
def test_settings(web: SimWeb) -> Settings:
    """Settings for checking the simulated web quickly."""
    return Settings(
        allow_private=True,
        timeout=2.0,
        connect_timeout=2.0,
        retries=1,
        backoff_base=0.01,
        retry_after_cap=5.0,
        max_per_host=2,
        max_concurrency=8,
        network_canaries=(web.url("/"),),
    )
