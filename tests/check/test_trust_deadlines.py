"""Every run ends: a folder of links over hostile hosts (drops, hangs, resets, retries, probe
failures) finishes within its bound without ``--max-time``, and a failed probe is no
evidence, tried at most twice."""

from __future__ import annotations

import asyncio
import collections
import socket
import struct
import uuid

import pytest

from helpers.checking import observe_all
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.verdicts import Reason, Verdict
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

ARTICLE = "<title>Article {n}</title><h1>Article {n}</h1><p>{text}</p>"


def article(n: str) -> Reply:
    return Reply(200, ARTICLE.format(n=n, text=f"Findings of study {n}. " * 20))


async def test_hostile_hosts_cannot_hold_a_run(web: SimWeb, test_settings: Settings) -> None:
    """Five hosts' worth of hostility, many links per folder, two workers per host: the run
    ends (bounded by the per-request timeout and the probe budget, not by ``--max-time``),
    every live page is ok, every hanging page is a timeout, and each folder's probe was
    sent at most twice."""
    prefix = "/h-" + uuid.uuid4().hex[:8]

    async def drops_unknown(request: WebRequest) -> Reply | None:
        if "linkaudit-" in request.path:
            return None  # connection closed without an answer
        return article(request.path.rsplit("/", 1)[1])

    async def hangs_unknown(request: WebRequest) -> Reply | None:
        if "linkaudit-" in request.path:
            await request.reader.read()  # never answers; ends when the client hangs up
            return None
        return article(request.path.rsplit("/", 1)[1])

    async def resets_unknown(request: WebRequest) -> Reply | None:
        if "linkaudit-" in request.path:
            sock = request.writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.writer.transport.abort()
            return None
        return article(request.path.rsplit("/", 1)[1])

    async def busy_unknown(request: WebRequest) -> Reply:
        if "linkaudit-" in request.path:
            return Reply(503, "busy", {"retry-after": "1"}, reason="Service Unavailable")
        return article(request.path.rsplit("/", 1)[1])

    async def hangs(request: WebRequest) -> None:
        await request.reader.read()  # never answers; ends when the client hangs up

    handlers = {
        "/drop/*": drops_unknown,
        "/hang/*": hangs_unknown,
        "/reset/*": resets_unknown,
        "/busy/*": busy_unknown,
        "/stuck/*": hangs,
    }
    for path, handler in handlers.items():
        web.route(prefix + path, handler)
    folders = ("drop", "hang", "reset", "busy")
    alive = [web.url(f"{prefix}/{f}/docs/{n}") for f in folders for n in range(12)]
    stuck = [web.url(f"{prefix}/stuck/{n}") for n in range(3)]
    settings = test_settings.replace(
        timeout=1.0, connect_timeout=1.0, retries=2, backoff_base=0.05, max_per_host=2
    )
    assert settings.max_time is None
    web.reset_log()
    try:
        # The bound: every URL of a host in series, each with its retries, plus the probes'
        # budgets; far above what the run needs, far below "forever".
        found = await asyncio.wait_for(observe_all(alive + stuck, settings), timeout=90)
    finally:
        for path in handlers:
            web.unroute(prefix + path)
    verdicts = {url: classify(o, (), settings) for url, o in found.items()}
    assert {url: (r.verdict, r.reason) for url, r in verdicts.items() if url in alive} == {
        url: (Verdict.OK, None) for url in alive
    }
    assert all(verdicts[url].reason == Reason.TIMEOUT for url in stuck)
    probes = collections.Counter(
        e.path.split("/")[2] for e in web.requests if "linkaudit-" in e.path
    )
    assert set(probes) == set(folders)
    assert all(count <= 2 for count in probes.values()), probes
