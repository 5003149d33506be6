"""
The local half of a check run: the ``file:`` URLs of each document (its relative links, a
``file:`` link) observed on disk, classified and saved as the document is read, by the
check stage's own ``observe_file`` but without its runner, so that a run with nothing to
fetch (``--offline``, a docs folder's relative links) never imports the HTTP stack
(``run/remote.py``, docs/development.md#lazy-imports). A mixed run takes the same path for
its local links; each result is what the runner would make of the URL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

from linkaudit.check.local import is_local, observe_file
from linkaudit.check.request import CheckRequest
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.models import Observation, Occurrence
from linkaudit.run.state import Run

__all__ = ["check_local"]


async def check_local(
    urls: list[str],
    places: Mapping[str, Sequence[Occurrence]],
    roots: Mapping[str, str | None],
    run: Run,
    deadline: float | None,
) -> list[str]:
    """Check and save the ``file:`` URLs among one document's new ``urls`` (one hand-off to a
    worker thread for them all, so the event loop's fetches go on); return the others.

    ``roots`` holds each document's root (``CheckRequest.root``). Past ``deadline``
    (``--max-time``) a local URL is left unchecked, as the runner leaves it."""
    requests = [CheckRequest(u, roots.get(places[u][0].document)) for u in urls if is_local(u)]
    if not requests:
        return urls
    observations = await asyncio.to_thread(_observe, requests, run.settings, deadline)
    for observation in observations:
        await run.save(classify(observation, places[observation.url], run.settings))
    return [url for url in urls if not is_local(url)]


def _observe(
    requests: Sequence[CheckRequest], settings: Settings, deadline: float | None
) -> list[Observation]:
    observed: list[Observation] = []
    for request in requests:
        if deadline is not None and time.monotonic() >= deadline:
            break
        observed.append(observe_file(request, settings))
    return observed
