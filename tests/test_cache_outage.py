"""Redis goes away and comes back: the app keeps answering from PostgreSQL (health says
"degraded") and uses the cache again once Redis returns. A real Redis server, stopped and started."""

import os
import signal
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oneclass import cache, embedded
from oneclass.api import build_api
from oneclass.observability import CACHE_BREAKER_TRIPS, CACHE_REQUESTS
from tests.conftest import TEST_PASSWORD, SchoolFixture, apply_settings


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Path]:
    """A Redis of this test's own, so stopping it disturbs nobody else."""
    previous = os.environ["REDIS_URL"]
    apply_settings(REDIS_URL=embedded.start_redis(tmp_path))
    yield tmp_path
    embedded.stop_redis(tmp_path)
    apply_settings(REDIS_URL=previous)


def hits() -> float:
    return CACHE_REQUESTS.labels("hit")._value.get()


def _redis_pid(data_dir: Path) -> int:
    return int((data_dir / "redis" / "redis.pid").read_text())


def wait_for_the_breaker_to_close() -> None:
    """Redis is back: the breaker's probe finds it within a few of its periods."""
    deadline = time.monotonic() + 20 * cache.PROBE_SECONDS
    while cache.BREAKER.is_open and time.monotonic() < deadline:
        time.sleep(cache.PROBE_SECONDS / 10)
    assert not cache.BREAKER.is_open


def trips() -> float:
    return CACHE_BREAKER_TRIPS._value.get()


def test_outage_and_recovery(own_redis: Path, two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school_a, _ = two_schools
    client = TestClient(build_api())
    headers = {"Host": f"{school_a.subdomain}.localhost:3000"}
    login = client.post("/api/v1/auth/login", headers=headers, json={"email": f"school_admin@{school_a.subdomain}.test", "password": TEST_PASSWORD})
    headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"
    assert client.get("/health").json()["status"] == "healthy"
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    before = hits()
    total_before = client.get("/api/v1/users", headers=headers).json()["meta"]["total"]
    assert hits() > before  # served from the cache

    # 1. Redis hangs (a partition): it keeps its data, but cannot be reached.
    os.kill(_redis_pid(own_redis), signal.SIGSTOP)
    try:
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert health.json()["checks"]["cache"]["status"] == "down"
        # Still answering, from PostgreSQL: sign-in, tenant lookup, authentication, lists, writes.
        relogin = client.post("/api/v1/auth/login", headers={"Host": headers["Host"]}, json={"email": f"teacher@{school_a.subdomain}.test", "password": TEST_PASSWORD})
        assert relogin.status_code == 200
        created = client.post("/api/v1/users", headers=headers, json={"email": "during.outage@a.test", "full_name": "During Outage", "role": "staff"})
        assert created.status_code == 201
        assert client.get("/api/v1/users", headers=headers).json()["meta"]["total"] == total_before + 1
    finally:
        os.kill(_redis_pid(own_redis), signal.SIGCONT)
    wait_for_the_breaker_to_close()
    assert client.get("/health").json()["status"] == "healthy"
    # The list cached before the outage could not be invalidated by that write (Redis was
    # away), yet it is not served again: the cache's epoch moved on.
    assert client.get("/api/v1/users", headers=headers).json()["meta"]["total"] == total_before + 1
    before = hits()
    assert client.get("/api/v1/users", headers=headers).json()["meta"]["total"] == total_before + 1
    assert hits() > before  # and the cache is used again

    # 2. Redis stops altogether, then starts again (empty).
    embedded.stop_redis(own_redis)
    assert not cache.ping()
    assert client.get("/health").json()["status"] == "degraded"
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    embedded.start_redis(own_redis)
    wait_for_the_breaker_to_close()
    assert client.get("/health").json()["status"] == "healthy"
    assert client.get("/api/v1/users", headers=headers).json()["meta"]["total"] == total_before + 1


def test_a_frozen_redis_is_waited_for_once(own_redis: Path, two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    """Redis hangs: the first command waits out its timeout and trips the breaker; every later
    request of the outage is served from PostgreSQL without touching Redis (the breaker is not
    tripped again: nothing reached the socket). The latencies are printed, not asserted."""
    school_a, _ = two_schools
    client = TestClient(build_api())
    headers = {"Host": f"{school_a.subdomain}.localhost:3000"}
    login = client.post("/api/v1/auth/login", headers=headers, json={"email": f"school_admin@{school_a.subdomain}.test", "password": TEST_PASSWORD})
    headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    trips_before = trips()
    os.kill(_redis_pid(own_redis), signal.SIGSTOP)
    try:
        latencies = []
        for _ in range(10):
            started = time.perf_counter()
            assert client.get("/api/v1/users", headers=headers).status_code == 200
            latencies.append((time.perf_counter() - started) * 1000)
        assert trips() == trips_before + 1 and cache.BREAKER.is_open
        assert client.get("/health").json()["checks"]["cache"]["status"] == "down"
        print(f"\nRedis frozen: first request {latencies[0]:.0f} ms, then median {statistics.median(latencies[1:]):.0f} ms, max {max(latencies[1:]):.0f} ms")
    finally:
        os.kill(_redis_pid(own_redis), signal.SIGCONT)
    wait_for_the_breaker_to_close()
    before = hits()
    client.get("/api/v1/users", headers=headers)
    client.get("/api/v1/users", headers=headers)
    assert hits() > before  # the cache is used again
