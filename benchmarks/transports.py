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
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simweb import SimWeb, build_plan, sim_web

from linkaudit.check.client import make_client
from linkaudit.config import Settings

PER_HOST = 2


def _httpx_default(concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, trust_env=False)


def _httpx_aiohttp(concurrency: int) -> httpx.AsyncClient:
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(transport=AiohttpTransport(limits=limits), trust_env=False)


def _linkaudit(concurrency: int) -> httpx.AsyncClient:
    settings = Settings(allow_private=True, max_concurrency=concurrency, max_per_host=PER_HOST)
    return make_client(settings)


TRANSPORTS: dict[str, Callable[[int], httpx.AsyncClient]] = {
    "httpx default (httpcore + h11)": _httpx_default,
    "httpx-aiohttp 0.2 (aiohttp + llhttp)": _httpx_aiohttp,
    "linkaudit's adapter (aiohttp + llhttp, guarded resolver)": _linkaudit,
}


async def _run(make: Callable[[int], httpx.AsyncClient], urls: list[str], hosts: int) -> int:
    concurrency = hosts * PER_HOST
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
    args = parser.parse_args()
    plan = build_plan(args.urls, args.hosts, latency=args.latency)
    floor = args.urls / (args.hosts * PER_HOST) * args.latency
    latency_ms = args.latency * 1000
    print(f"{args.urls} URLs over {args.hosts} hosts, {latency_ms:g} ms, floor {floor:.2f} s")
    print("| transport | round | wall s | floor share | CPU ms per link | connections |")
    print("| --- | --- | --- | --- | --- | --- |")
    with sim_web(plan) as web:
        urls = [web.url(i) for i in range(args.urls)]
        for round_ in range(1, args.rounds + 1):
            for name, make in TRANSPORTS.items():
                _measure(web, name, make, urls, args.hosts, round_, floor)


def _measure(
    web: SimWeb,
    name: str,
    make: Callable[[int], httpx.AsyncClient],
    urls: list[str],
    hosts: int,
    round_: int,
    floor: float,
) -> None:
    web.reset()
    wall, cpu = time.perf_counter(), time.process_time()
    answered = asyncio.run(_run(make, urls, hosts))
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
