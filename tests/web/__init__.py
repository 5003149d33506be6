"""
The simulated web: real HTTP and HTTPS servers on loopback for the check stage's tests.

    web = SimWeb.start()
    web.url("/status/404")                  # http://127.0.0.1:PORT/status/404
    web.url("/page", host="127.0.0.2")      # another "host" (same port, other address)
    web.https_url("/page")                  # trusted by web.ca_file (a trustme CA)
    web.untrusted_url("/page")              # a certificate from a CA nobody trusts
    web.requests                            # the log: LogEntry(method, host, target…)
    web.route("/mine", handler)             # per-test routes; remove with web.unroute("/mine")

Routes are in ``routes.py``; the server (raw asyncio streams) in ``server.py``.
"""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path

import trustme

from . import routes
from .server import Handler, LogEntry, Reply, Router, Server, WebRequest

__all__ = ["HOSTS", "Handler", "LogEntry", "Reply", "SimWeb", "WebRequest"]

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")


class SimWeb:
    """Several loopback hosts over HTTP and HTTPS, with a request log."""

    def __init__(
        self,
        server: Server,
        ports: dict[str, int],
        ca_file: str,
        tmp: tempfile.TemporaryDirectory[str],
    ) -> None:
        self._server = server
        self.ports = ports
        self.ca_file = ca_file
        """PEM of the CA that signed the https_url() certificates (set SSL_CERT_FILE to it)."""
        self._tmp = tmp

    @classmethod
    def start(cls) -> SimWeb:
        """Start the servers (one thread, one event loop)."""
        router = Router()
        routes.install(router)
        server = Server(router)
        server.start()
        tmp = tempfile.TemporaryDirectory(prefix="linkaudit-web-")
        ca = trustme.CA()
        ca_file = str(Path(tmp.name) / "ca.pem")
        ca.cert_pem.write_to_path(ca_file)
        ports = {
            "http": server.listen(HOSTS, None),
            "https": server.listen(HOSTS, _context(ca)),
            "untrusted": server.listen(HOSTS[:1], _context(trustme.CA())),
        }
        return cls(server, ports, ca_file, tmp)

    def stop(self) -> None:
        """Stop the servers and remove the certificates."""
        self._server.stop()
        self._tmp.cleanup()

    def url(self, path: str = "/", host: str = HOSTS[0]) -> str:
        """An http URL on ``host``."""
        return f"http://{host}:{self.ports['http']}{path}"

    def https_url(self, path: str = "/", host: str = HOSTS[0]) -> str:
        """An https URL on ``host`` whose certificate ``ca_file`` vouches for."""
        return f"https://{host}:{self.ports['https']}{path}"

    def untrusted_url(self, path: str = "/") -> str:
        """An https URL whose certificate no trusted CA signed."""
        return f"https://127.0.0.1:{self.ports['untrusted']}{path}"

    @property
    def requests(self) -> list[LogEntry]:
        """Every request received since the last ``reset_log()``, in arrival order."""
        return self._server.entries()

    def reset_log(self) -> None:
        """Forget the logged requests."""
        self._server.reset_log()

    def route(self, path: str, handler: Handler, host: str | None = None) -> None:
        """Add a route (``path`` ending in ``*`` matches a prefix)."""
        self._server.router.add(path, handler, host)

    def unroute(self, path: str, host: str | None = None) -> None:
        """Remove a route added by ``route``."""
        self._server.router.remove(path, host)


def _context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", *HOSTS, "::1").configure_cert(context)
    return context
