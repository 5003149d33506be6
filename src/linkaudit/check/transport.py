"""
One small connection pool per origin instead of one pool for the whole run.

A single pool of ``max_concurrency`` connections is scanned whenever a request starts or a
response closes (httpcore's is), so its cost grows with the global concurrency.
``OriginRouter`` gives each (scheme, host, port) its own pool of at most a few connections
(``max_per_host`` are in flight at once by the host limiter), created on first use: an
``http11.OriginPool``. The least recently used idle pools are closed beyond ``keep_open``,
so a run over 10,000 hosts does not keep 10,000 pools and their sockets.

Proxies come from the environment as httpx's ``trust_env`` reads them (``HTTP_PROXY``,
``HTTPS_PROXY``, ``ALL_PROXY`` minus ``NO_PROXY``), decided by ``guard.proxy_for`` so the
request guard and the routing agree; all requests through one proxy share one pool, and
that pool is httpx's own transport (CONNECT tunnels, SOCKS), not ``OriginPool``.
"""

from __future__ import annotations

import importlib.util
import ssl
import sys
import urllib.request
from collections import OrderedDict
from collections.abc import Callable

import httpx

from linkaudit.check.guard import proxy_from
from linkaudit.check.http11 import OriginPool
from linkaudit.exceptions import ConfigError

__all__ = ["OriginRouter", "quiet_sniffio_probe"]

_Origin = tuple[bytes, bytes, int | None]


def quiet_sniffio_probe() -> None:
    """Make httpcore's per-lock ``import sniffio`` fail fast when sniffio is not installed.

    httpcore asks ``import sniffio`` for every connection lock it sets up; a module that is
    not installed is searched for on the whole ``sys.path`` each time (failed imports are
    not cached), which cost a tenth of a run's CPU. ``None`` in ``sys.modules`` makes the
    import fail at once with the same ``ImportError``, so httpcore behaves as before.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


class OriginRouter(httpx.AsyncBaseTransport):
    """Routes each request to its origin's own small pool, or to its proxy's pool."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | Callable[[], ssl.SSLContext],
        *,
        per_origin: int | Callable[[str], int],
        proxy_connections: int,
        keep_open: int,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._ssl_source = ssl_context
        self._ssl_context: ssl.SSLContext | None = None
        self._per_origin = per_origin
        self._proxy_connections = max(1, proxy_connections)
        self._keep_open = max(1, keep_open)
        self._expiry = keepalive_expiry
        self._proxies = urllib.request.getproxies_environment()
        self._pools: OrderedDict[_Origin, OriginPool] = OrderedDict()
        self._proxy_pools: dict[str, httpx.AsyncBaseTransport] = {}

    @property
    def uses_proxies(self) -> bool:
        """A proxy is configured in the environment (for some URLs at least)."""
        return bool(self._proxies)

    @property
    def open_pools(self) -> int:
        """Origin pools currently open (for tests and statistics)."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool of its origin (or proxy)."""
        proxy = proxy_from(str(request.url), self._proxies) if self._proxies else None
        if proxy is not None:
            return await self._proxied(proxy).handle_async_request(request)
        url = request.url
        return await self.pool(url.raw_scheme, url.raw_host, url.port).handle_async_request(request)

    async def aclose(self) -> None:
        """Close every pool."""
        pools = [*self._pools.values(), *self._proxy_pools.values()]
        self._pools.clear()
        self._proxy_pools.clear()
        for pool in pools:
            await pool.aclose()

    def pool(self, scheme: bytes, host: bytes, port: int | None) -> OriginPool:
        """The pool of one origin (``port`` ``None`` for the scheme's own), made on first use;
        for a URL no proxy serves (``guard.proxy_from``)."""
        origin = (scheme, host, port)
        pool = self._pools.get(origin)
        if pool is not None:
            self._pools.move_to_end(origin)
            return pool
        name = _unicode_host(host)
        size = self._per_origin(name) if callable(self._per_origin) else self._per_origin
        self._close_idle_beyond_bound()
        pool = self._pools[origin] = OriginPool(
            self._tls, max_connections=max(1, size), keepalive_expiry=self._expiry
        )
        return pool

    def _tls(self) -> ssl.SSLContext:
        """The run's TLS context, made when the first https origin or proxy needs it
        (loading the CA bundle takes tens of milliseconds a run over http never spends)."""
        if self._ssl_context is None:
            source = self._ssl_source
            try:
                self._ssl_context = source if isinstance(source, ssl.SSLContext) else source()
            except OSError as exc:  # ssl.SSLError too: a bad SSL_CERT_FILE stops the run
                cause = " ".join(str(exc).split()) or type(exc).__name__
                raise ConfigError(f"cannot load the CA certificates: {cause}") from exc
        return self._ssl_context

    def _proxied(self, proxy: str) -> httpx.AsyncBaseTransport:
        found = self._proxy_pools.get(proxy)
        if found is None:
            connections = self._proxy_connections
            limits = httpx.Limits(
                max_connections=connections,
                max_keepalive_connections=connections,
                keepalive_expiry=self._expiry,
            )
            found = self._proxy_pools[proxy] = httpx.AsyncHTTPTransport(
                verify=self._tls(), http1=True, http2=False, limits=limits, proxy=proxy
            )
        return found

    def _close_idle_beyond_bound(self) -> None:
        """Close the least recently used idle pools while there are ``keep_open`` or more
        (closing an idle pool never waits: nothing can start on it meanwhile)."""
        excess = len(self._pools) + 1 - self._keep_open
        idle = [o for o, pool in self._pools.items() if not pool.busy][: max(0, excess)]
        for origin in idle:
            self._pools.pop(origin).close_idle()


def _unicode_host(host: bytes) -> str:
    """The host as ``httpx.URL.host`` gives it (IDNA decoded), which ``host_limits`` match."""
    name = host.decode("ascii")
    if name.startswith("xn--"):
        import idna  # httpx's own dependency

        try:
            return str(idna.decode(name))
        except idna.IDNAError:
            return name
    return name
