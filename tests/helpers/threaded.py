"""A stdlib HTTP server on a free loopback port, served from a thread for one block: what the
fake archive and DOI services (and small one-test servers) share."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer

__all__ = ["serving"]


@contextmanager
def serving(
    server: ThreadingHTTPServer, *, on_stop: Callable[[], None] | None = None
) -> Iterator[str]:
    """Serve ``server`` until the block ends; yields its base URL. ``on_stop`` runs first at
    the end (to release handlers a test holds waiting, so that shutdown does not wait)."""
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if on_stop is not None:
            on_stop()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
