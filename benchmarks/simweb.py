"""
A simulated web on loopback: many hosts (distinct 127.x.y.z addresses, one port), a latency per
response and a realistic mix of answers, for benchmarking link checkers.

The server runs in its own process so that its CPU never counts against the tool being measured.
It keeps its own request count and the maximum number of requests in flight per host, which is
how the benchmark sees whether a tool is polite, and each request's host, start and end
(``time.monotonic``, one clock for every process on Linux), which is how ``timeline.py`` sees
where a run's time goes. Every wait is bounded and the process stops by
itself when its parent goes away, so nothing outlives a benchmark run.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import random
import socket
import struct
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing.connection import Connection
from typing import Any

__all__ = [
    "ARCHIVE_MIX",
    "Kind",
    "Plan",
    "ServerStats",
    "SimWeb",
    "build_plan",
    "host_address",
    "sim_web",
]

DEAD_KINDS = frozenset({"not_found", "gone"})
BAD_KINDS = ("hang", "reset", "trickle", "bomb")
HANG_SECONDS = 60.0
TRICKLE_SECONDS = 60.0
TRICKLE_INTERVAL = 0.3
BOMB_INFLATED = 512 * 1024 * 1024
IDLE_SECONDS = 30.0
MAX_LIFETIME = 4 * 3600.0


class Kind(StrEnum):
    """What the server does for one URL."""

    OK = "ok"
    NOT_FOUND = "not_found"
    GONE = "gone"
    REDIRECT = "redirect"
    SLOW = "slow"
    FLAKY = "flaky"
    HANG = "hang"
    RESET = "reset"
    TRICKLE = "trickle"
    BOMB = "bomb"

    @property
    def is_dead(self) -> bool:
        """Ground truth: a checker must report this URL as dead."""
        return self.value in DEAD_KINDS

    @property
    def is_hostile(self) -> bool:
        """A misbehaving answer (soak): any verdict but ok is right."""
        return self.value in BAD_KINDS


#: The default mix of issue 7: mostly 200, some 404, redirect chains, slow, flaky and gone.
DEFAULT_MIX: tuple[tuple[Kind, float], ...] = (
    (Kind.OK, 0.80),
    (Kind.NOT_FOUND, 0.08),
    (Kind.REDIRECT, 0.06),
    (Kind.SLOW, 0.03),
    (Kind.FLAKY, 0.015),
    (Kind.GONE, 0.015),
)

#: Issue 21's held-out measurement: 10% redirects (chains of 1 to 3 hops), 10% 404s.
ARCHIVE_MIX: tuple[tuple[Kind, float], ...] = (
    (Kind.OK, 0.80),
    (Kind.NOT_FOUND, 0.10),
    (Kind.REDIRECT, 0.10),
)


@dataclass(frozen=True)
class Plan:
    """Which URL id lives on which host and what its server does; shared by both processes."""

    urls: int
    hosts: int
    seed: int = 7
    latency: float = 0.1
    slow: float = 1.0
    bad_host_share: float = 0.0
    bad_url_share: float = 0.2
    kinds: tuple[Kind, ...] = field(default=(), repr=False)

    def host_of(self, url_id: int) -> int:
        """URLs are spread evenly over hosts (the floor formula assumes it)."""
        return url_id % self.hosts

    def hops(self, url_id: int) -> int:
        """Redirect chains of 1 to 3 hops."""
        return 1 + url_id % 3

    def is_bad_host(self, host: int) -> bool:
        """The soak's misbehaving hosts: the last of every block of 1 / bad_host_share."""
        if self.bad_host_share <= 0:
            return False
        step = max(1, round(1 / self.bad_host_share))
        return host % step == step - 1


def build_plan(
    urls: int,
    hosts: int,
    *,
    seed: int = 7,
    latency: float = 0.1,
    slow: float = 1.0,
    bad_host_share: float = 0.0,
    bad_url_share: float = 0.2,
    mix: tuple[tuple[Kind, float], ...] = DEFAULT_MIX,
) -> Plan:
    """A deterministic plan: the same arguments give the same kinds in every process."""
    rng = random.Random(seed)
    names = [k for k, _ in mix]
    weights = [w for _, w in mix]
    draft = Plan(urls, hosts, seed, latency, slow, bad_host_share, bad_url_share)
    kinds: list[Kind] = []
    for url_id in range(urls):
        host = draft.host_of(url_id)
        if draft.is_bad_host(host) and rng.random() < bad_url_share:
            kinds.append(Kind(BAD_KINDS[(host // 10) % len(BAD_KINDS)]))
        else:
            kinds.append(rng.choices(names, weights)[0])
    return Plan(urls, hosts, seed, latency, slow, bad_host_share, bad_url_share, tuple(kinds))


def host_address(host: int) -> str:
    """Host number to a loopback address: 127.1.0.1, 127.1.0.2, … (never 127.0.0.1)."""
    return f"127.1.{host // 250}.{host % 250 + 1}"


def url_for(plan: Plan, url_id: int, port: int) -> str:
    """The cited URL of one id."""
    return f"http://{host_address(plan.host_of(url_id))}:{port}/doc/{url_id}"


@dataclass(frozen=True)
class ServerStats:
    """What the server saw since the last reset."""

    requests: int
    connections: int
    max_in_flight_per_host: int
    max_in_flight: int
    methods: dict[str, int]


class _Server:
    """The asyncio side: one handler per connection, HTTP/1.1 with keep-alive."""

    def __init__(self, plan: Plan, port: int) -> None:
        self.plan, self.port = plan, port
        self.reset()
        self.bomb = _gzip_bomb() if any(k is Kind.BOMB for k in plan.kinds) else b""

    def reset(self) -> None:
        self.requests = self.connections = self.peak = self.peak_total = self.total = 0
        self.methods: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.flaky_seen: set[int] = set()
        self.timeline: list[tuple[str, float, float]] = []

    def stats(self) -> ServerStats:
        return ServerStats(
            self.requests, self.connections, self.peak, self.peak_total, dict(self.methods)
        )

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        host = str(writer.get_extra_info("sockname")[0])
        try:
            while await self._one_request(reader, writer, host):
                pass
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.transport.abort()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> bool:
        line = await asyncio.wait_for(reader.readline(), IDLE_SECONDS)
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        keep = True
        while (header := await asyncio.wait_for(reader.readline(), IDLE_SECONDS)) not in (
            b"\r\n",
            b"\n",
            b"",
        ):
            if header.lower().startswith(b"connection:") and b"close" in header.lower():
                keep = False
        self.requests += 1
        self.methods[method] += 1
        self.in_flight[host] += 1
        self.total += 1
        self.peak = max(self.peak, self.in_flight[host])
        self.peak_total = max(self.peak_total, self.total)
        started = time.monotonic()
        try:
            return await self._respond(method, target.split("?")[0], reader, writer, host) and keep
        finally:
            self.in_flight[host] -= 1
            self.total -= 1
            self.timeline.append((host, started, time.monotonic()))

    async def _respond(
        self,
        method: str,
        path: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        host: str,
    ) -> bool:
        url_id, hop = _parse_path(path)
        kind = self.plan.kinds[url_id] if 0 <= url_id < self.plan.urls else Kind.NOT_FOUND
        if kind is Kind.HANG:
            # Hang until the client gives up (closes) or HANG_SECONDS pass: a request the
            # client abandoned at its deadline is no longer "in flight" for the politeness count.
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(reader.read(), HANG_SECONDS)
            return False
        await asyncio.sleep(self.plan.slow if kind is Kind.SLOW else self.plan.latency)
        if kind is Kind.RESET:
            _reset(writer)
            return False
        if kind is Kind.TRICKLE:
            await _trickle(writer, url_id)
            return False
        status, headers, body = self._answer(kind, url_id, hop, host)
        if kind is Kind.BOMB:
            headers, body = [*headers, ("Content-Encoding", "gzip")], self.bomb
        writer.write(_head(status, headers, len(body)) + (b"" if method == "HEAD" else body))
        await writer.drain()
        return True

    def _answer(
        self, kind: Kind, url_id: int, hop: int | None, host: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if kind in (Kind.NOT_FOUND, Kind.GONE) or (hop is not None and kind is not Kind.REDIRECT):
            code = 410 if kind is Kind.GONE else 404
            return code, [], _page(f"Error {code}", "This page does not exist.")
        if kind is Kind.FLAKY and url_id not in self.flaky_seen:
            self.flaky_seen.add(url_id)
            return 503, [("Retry-After", "0")], _page("Unavailable", "Try again.")
        if kind is Kind.REDIRECT and (hop or 0) < self.plan.hops(url_id):
            nxt = (hop or 0) + 1
            where = f"http://{host}:{self.port}/doc/{url_id}/{nxt}"
            return (301 if url_id % 2 else 302), [("Location", where)], b""
        return 200, [], _page(f"Document {url_id}", _prose(url_id))


def _parse_path(path: str) -> tuple[int, int | None]:
    """``/doc/<id>`` or ``/doc/<id>/<hop>``; anything else is (-1, None), a 404."""
    parts = path.strip("/").split("/")
    if len(parts) in (2, 3) and parts[0] == "doc" and all(p.isdigit() for p in parts[1:]):
        return int(parts[1]), (int(parts[2]) if len(parts) == 3 else None)
    return -1, None


def _prose(url_id: int) -> str:
    words = ("archive", "policy", "brief", "report", "budget", "treaty", "council", "trade")
    rng = random.Random(url_id)
    return " ".join(rng.choice(words) for _ in range(40)) + f" (page {url_id})."


def _page(title: str, text: str) -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()


def _head(status: int, headers: list[tuple[str, str]], length: int) -> bytes:
    lines = [f"HTTP/1.1 {status} {_PHRASES.get(status, 'Status')}"]
    lines += ["Content-Type: text/html; charset=utf-8", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_PHRASES = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 410: "Gone"}
_PHRASES |= {500: "Internal Server Error", 503: "Service Unavailable"}


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0) instead of FIN: a connection reset by peer."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _trickle(writer: asyncio.StreamWriter, url_id: int) -> None:
    """One byte at a time, so a per-read timeout never fires; bounded by TRICKLE_SECONDS."""
    data = _head(200, [], 1_000_000) + _page(f"Document {url_id}", "x" * 1000)
    deadline = time.monotonic() + TRICKLE_SECONDS
    for byte in data:
        if time.monotonic() > deadline or writer.is_closing():
            return
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(TRICKLE_INTERVAL)


def _gzip_bomb() -> bytes:
    """About 0.5 MB of gzip that inflates to BOMB_INFLATED bytes of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1024 * 1024)
    parts = [packer.compress(chunk) for _ in range(BOMB_INFLATED // len(chunk))]
    return b"".join(parts) + packer.flush()


async def _serve(plan: Plan, port: int, socks: list[socket.socket], control: Connection) -> None:
    server = _Server(plan, port)
    servers = [await asyncio.start_server(server.handle, sock=s, backlog=4096) for s in socks]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_command() -> None:
        try:
            command = control.recv()
        except EOFError:
            stop.set()
            return
        if command == "reset":
            server.reset()
            control.send("ok")
        elif command == "stats":
            control.send(server.stats())
        elif command == "timeline":
            control.send(server.timeline)
        else:
            stop.set()

    loop.add_reader(control.fileno(), on_command)
    parent, started = os.getppid(), time.monotonic()
    while not stop.is_set() and os.getppid() == parent:
        if time.monotonic() - started > MAX_LIFETIME:
            break
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
    for s in servers:
        s.close()


def _server_main(plan: Plan, control: Connection) -> None:
    socks = _bind(plan.hosts)
    control.send(socks[0].getsockname()[1])
    asyncio.run(_serve(plan, socks[0].getsockname()[1], socks, control))


def _bind(hosts: int) -> list[socket.socket]:
    """One listening socket per host address, all on the port the first one got."""
    socks: list[socket.socket] = []
    port = 0
    for host in range(hosts):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host_address(host), port))
        port = sock.getsockname()[1]
        sock.listen(4096)
        sock.setblocking(False)
        socks.append(sock)
    return socks


@dataclass
class SimWeb:
    """The parent's handle on a running server process."""

    plan: Plan
    port: int
    control: Connection
    process: Any

    def url(self, url_id: int) -> str:
        """The URL of one id on this server."""
        return url_for(self.plan, url_id, self.port)

    def reset(self) -> None:
        """Zero the counters and the flaky state before the next tool."""
        self.control.send("reset")
        self.control.recv()

    def stats(self) -> ServerStats:
        """What the server saw since the last reset."""
        self.control.send("stats")
        stats: ServerStats = self.control.recv()
        return stats

    def timeline(self) -> list[tuple[str, float, float]]:
        """(host, start, end) of every request answered since the last reset, the times
        from ``time.monotonic`` (the header read, to the last byte written)."""
        self.control.send("timeline")
        found: list[tuple[str, float, float]] = self.control.recv()
        return found


@contextmanager
def sim_web(plan: Plan) -> Iterator[SimWeb]:
    """Start the server process; stop it (by its own id) when the block ends."""
    ctx = mp.get_context("fork")
    ours, theirs = ctx.Pipe()
    process = ctx.Process(target=_server_main, args=(plan, theirs), daemon=True)
    process.start()
    try:
        if not ours.poll(120):
            raise RuntimeError("the simulated web did not start")
        yield SimWeb(plan, int(ours.recv()), ours, process)
    finally:
        with suppress(OSError):
            ours.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
