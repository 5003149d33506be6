"""
httpx's transports compared on the benchmark's simulated web, in one run (issue 17).

    python benchmarks/transports.py [--urls 3000] [--hosts 50] [--rounds 3]

Each transport gets the same URLs through the same loop (``client.send(stream=True)``,
the body read raw, per-host and global limits as the checker keeps them), in alternating
rounds so that the load of a shared machine falls on each alike. Printed per run: wall
time, the polite floor's share, CPU ms per link (this process only: the server runs in
its own), and connections the server accepted. Needs the ``bench`` extra (httpx-aiohttp).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simweb import SimWeb, build_plan, sim_web

from linkaudit.check.client import fetch_once, make_check_client
from linkaudit.config import Settings

PER_HOST = 2


def _httpx_default(concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, trust_env=False)


def _httpx_aiohttp(concurrency: int) -> httpx.AsyncClient:
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(transport=AiohttpTransport(limits=limits), trust_env=False)


def _pyreqwest(concurrency: int) -> httpx.AsyncClient:
    from datetime import timedelta

    from pyreqwest.client import ClientBuilder
    from pyreqwest.compatibility.httpx import HttpxTransport

    builder = (
        ClientBuilder()
        .max_connections(concurrency)
        .follow_redirects(False)
        .gzip(False)
        .timeout(timedelta(seconds=30))
    )
    return httpx.AsyncClient(transport=HttpxTransport(builder.build()), trust_env=False)


def _linkaudit(concurrency: int) -> httpx.AsyncClient:
    settings = Settings(allow_private=True, max_concurrency=concurrency, max_per_host=PER_HOST)
    return make_check_client(settings)


TRANSPORTS: dict[str, Callable[[int], httpx.AsyncClient] | None] = {
    "httpx default (httpcore + h11)": _httpx_default,
    "httpx-aiohttp 0.2 (aiohttp + llhttp)": _httpx_aiohttp,
    "pyreqwest 0.15 (reqwest + hyper, Rust)": _pyreqwest,
    "linkaudit's adapter (aiohttp + llhttp, guarded resolver)": _linkaudit,
    "linkaudit's fetch_once (the checker's one send path)": _linkaudit,
    "aiohttp alone (no httpx)": None,
    "pyreqwest alone (no httpx)": None,
}
"""``None``: the same loop written against the client's own API, the floor under any httpx
transport built on it."""


async def _each(urls: list[str], hosts: int, get: Callable[[str], Awaitable[bool]]) -> int:
    """``get`` every URL with the per-host and global limits; how many it answered."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    per_host: dict[str, asyncio.Semaphore] = {}
    answered = 0

    async def worker() -> None:
        nonlocal answered
        while not queue.empty():
            url = queue.get_nowait()
            async with per_host.setdefault(url.split("/")[2], asyncio.Semaphore(PER_HOST)):
                ok = await get(url)  # awaited first: `answered += await …` would read it early
            answered += ok

    await asyncio.gather(*(worker() for _ in range(hosts * PER_HOST)))
    return answered


async def _run_aiohttp(urls: list[str], hosts: int) -> int:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=hosts * PER_HOST)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

        async def get(url: str) -> bool:
            try:
                async with session.get(url, allow_redirects=False) as response:
                    async for _ in response.content.iter_chunked(16 * 1024):
                        pass
            except aiohttp.ClientError:
                return False
            return True

        return await _each(urls, hosts, get)


async def _run_pyreqwest(urls: list[str], hosts: int) -> int:
    from datetime import timedelta

    from pyreqwest.client import ClientBuilder
    from pyreqwest.exceptions import PyreqwestError

    builder = ClientBuilder().max_connections(hosts * PER_HOST).follow_redirects(False)
    async with builder.gzip(False).timeout(timedelta(seconds=30)).build() as client:

        async def get(url: str) -> bool:
            try:
                async with client.get(url).build_streamed() as response:
                    while await response.body_reader.read() is not None:
                        pass
            except PyreqwestError:
                return False
            return True

        return await _each(urls, hosts, get)


NATIVE = {"aiohttp alone (no httpx)": _run_aiohttp, "pyreqwest alone (no httpx)": _run_pyreqwest}


async def _run(
    make: Callable[[int], httpx.AsyncClient], urls: list[str], hosts: int, send_path: bool
) -> int:
    concurrency = hosts * PER_HOST
    settings = Settings(allow_private=True, max_concurrency=concurrency, max_per_host=PER_HOST)
    fetch = fetch_once if send_path else None
    per_host: dict[str, asyncio.Semaphore] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    answered = 0

    async with make(concurrency) as client:

        async def worker() -> None:
            nonlocal answered
            while not queue.empty():
                url = queue.get_nowait()
                host = httpx.URL(url).host
                slot = per_host.setdefault(host, asyncio.Semaphore(PER_HOST))
                async with slot:
                    if fetch is not None:
                        if (await fetch(client, url, settings)).failure is None:
                            answered += 1
                        continue
                    try:
                        request = client.build_request("GET", url)
                        response = await client.send(request, stream=True)
                        try:
                            async for _ in response.aiter_raw():
                                pass
                        finally:
                            await response.aclose()
                        answered += 1
                    except httpx.HTTPError:
                        pass

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--urls", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="a comma-separated list of words; transports named with one")
    parser.add_argument("--uvloop", action="store_true", help="also run each on uvloop's loop")
    args = parser.parse_args()
    chosen = {
        name: make
        for name, make in TRANSPORTS.items()
        if not args.only or any(word in name for word in args.only.split(","))
    }
    loops = ["asyncio", "uvloop"] if args.uvloop else ["asyncio"]
    plan = build_plan(args.urls, args.hosts, latency=args.latency)
    floor = args.urls / (args.hosts * PER_HOST) * args.latency
    latency_ms = args.latency * 1000
    print(f"{args.urls} URLs over {args.hosts} hosts, {latency_ms:g} ms, floor {floor:.2f} s")
    print("| transport | round | wall s | floor share | CPU ms per link | connections |")
    print("| --- | --- | --- | --- | --- | --- |")
    with sim_web(plan) as web:
        urls = [web.url(i) for i in range(args.urls)]
        for round_ in range(1, args.rounds + 1):
            for name, make in chosen.items():
                for loop in loops:
                    _measure(web, name, make, urls, args.hosts, round_, floor, loop)


def _measure(
    web: SimWeb,
    name: str,
    make: Callable[[int], httpx.AsyncClient] | None,
    urls: list[str],
    hosts: int,
    round_: int,
    floor: float,
    loop: str = "asyncio",
) -> None:
    web.reset()
    send_path = "fetch_once" in name
    work = _run(make, urls, hosts, send_path) if make is not None else NATIVE[name](urls, hosts)
    factory = None
    if loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
        name = f"{name}, uvloop"
    wall, cpu = time.perf_counter(), time.process_time()
    with asyncio.Runner(loop_factory=factory) as runner:
        answered = runner.run(work)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = web.stats()
    share = floor / wall
    per_link = cpu * 1000 / max(1, answered)
    print(
        f"| {name} | {round_} | {wall:.2f} | {share:.0%} | {per_link:.2f} | {stats.connections} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
