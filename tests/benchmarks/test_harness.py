"""The benchmark harness: the plan, the floor, the simulated web's answers and counts."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from figures import floor
from measure import measure
from simweb import Kind, build_plan, host_address, sim_web
from tools import Limits, parse_lychee


def _get(address: str, port: int, path: str) -> tuple[int, dict[str, str]]:
    with socket.create_connection((address, port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers


def test_plan_is_deterministic_and_follows_the_mix() -> None:
    a, b = build_plan(2000, 20, seed=3), build_plan(2000, 20, seed=3)
    assert a.kinds == b.kinds
    dead = sum(1 for k in a.kinds if k.is_dead)
    assert 0.05 < dead / 2000 < 0.15
    assert not any(k.is_hostile for k in a.kinds)


def test_soak_plan_has_hostile_urls_only_on_bad_hosts() -> None:
    plan = build_plan(4000, 40, bad_host_share=0.1)
    hostile_hosts = {plan.host_of(i) for i, k in enumerate(plan.kinds) if k.is_hostile}
    assert hostile_hosts and all(plan.is_bad_host(h) for h in hostile_hosts)
    assert len(hostile_hosts) == 4


def test_floor_matches_the_formula_for_a_plain_mix() -> None:
    plan = build_plan(1000, 10, latency=0.1)
    plain = plan.__class__(1000, 10, latency=0.1, kinds=(Kind.OK,) * 1000)
    limits = Limits(concurrency=20, per_host=2, retries=0, timeout=5)
    assert floor(plain, limits).simple_s == pytest.approx(1000 * 0.1 / 20)
    assert floor(plain, limits).mix_s == pytest.approx(1000 * 0.1 / 20)
    assert floor(plan, limits).mix_s > floor(plan, limits).simple_s


def test_server_answers_the_plan_and_counts() -> None:
    kinds = (Kind.OK, Kind.NOT_FOUND, Kind.REDIRECT, Kind.FLAKY, Kind.GONE)
    plan = build_plan(5, 2, latency=0.0).__class__(5, 2, latency=0.0, kinds=kinds)
    with sim_web(plan) as web:
        port = web.port
        assert _get(host_address(0), port, "/doc/0")[0] == 200
        assert _get(host_address(1), port, "/doc/1")[0] == 404
        status, headers = _get(host_address(0), port, "/doc/2")
        assert status in (301, 302) and headers["Location"].endswith("/doc/2/1")
        assert _get(host_address(1), port, "/doc/3")[0] == 503
        assert _get(host_address(1), port, "/doc/3")[0] == 200
        assert _get(host_address(0), port, "/doc/4")[0] == 410
        assert _get(host_address(0), port, "/doc/nonsense")[0] == 404
        stats = web.stats()
        assert stats.requests == 7 and stats.connections == 7
        assert stats.max_in_flight_per_host == 1
        web.reset()
        assert web.stats().requests == 0
        assert _get(host_address(1), port, "/doc/3")[0] == 503


def test_measure_reports_the_child_alone(tmp_path: Path) -> None:
    # Alive long enough for the sampler: when this process's own peak is higher than the
    # child's, the child's ru_maxrss says nothing (exec keeps it) and the samples decide.
    code = (
        "import time; x = bytearray(60 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); "
        "time.sleep(0.4)"
    )
    m = measure([sys.executable, "-c", code], timeout_s=30)
    assert m.returncode == 0 and not m.timed_out
    assert m.peak_rss_mb > 60
    assert m.cpu_s > 0
    killed = measure([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.5)
    assert killed.timed_out


def test_parse_lychee_reads_dead_and_failing(tmp_path: Path) -> None:
    out = tmp_path / "lychee.json"
    out.write_text(
        '{"total": 3, "error_map": {"a.md": ['
        '{"url": "http://h/1", "status": {"code": 404}},'
        '{"url": "http://h/2", "status": {"code": 503}}]}}'
    )
    verdicts = parse_lychee(out, tmp_path / "none")
    assert verdicts.answered == 3
    assert verdicts.dead == {"http://h/1"}
    assert verdicts.failing == {"http://h/1", "http://h/2"}


def test_peak_rss_ignores_what_the_child_inherited_at_exec() -> None:
    """A child's ru_maxrss no higher than the benchmark's own RSS may be inherited: the
    sampled high-water mark (VmHWM) stands in; a higher one is the child's own."""
    from measure import _peak

    assert _peak(283.0, 283.0, 65.0) == 65.0
    assert _peak(157.0, 100.0, 65.0) == 157.0
    assert _peak(90.0, 283.0, 0.0) == 90.0  # never sampled: ru_maxrss is all there is


def test_server_keeps_each_requests_host_and_times() -> None:
    plan = build_plan(2, 2, latency=0.0).__class__(2, 2, latency=0.05, kinds=(Kind.OK,) * 2)
    with sim_web(plan) as web:
        before = time.monotonic()
        _get(host_address(1), web.port, "/doc/1")
        timeline = web.timeline()
        assert [host for host, _, _ in timeline] == [host_address(1)]
        ((_, start, end),) = timeline
        assert before <= start and end - start >= 0.05 and end <= time.monotonic()
        web.reset()
        assert web.timeline() == []


def test_breakdown_splits_the_wall_time() -> None:
    from timeline import breakdown

    # Host a: two lanes busy 1..3 then one lane 3..4 (idle lane-second: 1 of 2 lanes);
    # host b ends first. The run: started at 0, the last answer at 4, exit at 4.5.
    requests = [("a", 1.0, 3.0), ("a", 1.0, 4.0), ("b", 1.5, 2.0)]
    parts = breakdown(requests, 0.0, 4.5, per_host=2)
    assert parts.host == "a"
    assert parts.before_first == pytest.approx(1.0)
    assert parts.after_last == pytest.approx(0.5)
    assert parts.host_work == pytest.approx(2.5)
    assert parts.host_idle == pytest.approx(0.5)
    assert parts.wall == pytest.approx(4.5)
