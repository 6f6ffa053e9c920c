"""`/health` and the tenant-resolving API, through the real ASGI app."""

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from oneclass import db
from oneclass.api import build_api
from oneclass.services.health import forget_last_check
from tests.conftest import apply_settings


@pytest.fixture
def client() -> TestClient:
    return TestClient(build_api())


def test_health_is_healthy_with_both_servers(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["version"] == "0.1.0" and body["timestamp"]
    assert body["checks"]["database"]["status"] == "up"
    assert body["checks"]["database"]["migrated"] is True
    assert body["checks"]["cache"] == {"status": "up"}


def test_health_is_degraded_without_cache(client: TestClient) -> None:
    real = os.environ["REDIS_URL"]
    apply_settings(REDIS_URL="redis://127.0.0.1:1/0")
    forget_last_check()  # the cache has just gone: the next probe checks again
    try:
        response = client.get("/health")
    finally:
        apply_settings(REDIS_URL=real)
        forget_last_check()
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["status"] == "down"


def test_health_is_unhealthy_with_503_without_database(client: TestClient) -> None:
    real = os.environ["DATABASE_URL"]
    apply_settings(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    forget_last_check()
    try:
        response = client.get("/health")
    finally:
        apply_settings(DATABASE_URL=real)
        forget_last_check()
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["database"]["status"] == "down"


def test_a_probe_storm_checks_the_servers_at_most_once_a_second() -> None:
    """Many probes at once, each on a connection of its own, against the real app and database:
    the schema check (one query on alembic_version per check) runs at most once a second."""
    forget_last_check()
    app = build_api()
    checks: list[str] = []

    def count_checks(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "alembic_version" in statement:
            checks.append(statement)

    engine = db.app_engine()
    event.listen(engine, "before_cursor_execute", count_checks)
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda _n: TestClient(app).get("/health"), range(160)))
    finally:
        event.remove(engine, "before_cursor_execute", count_checks)
    seconds = time.monotonic() - started
    assert [a.json()["status"] for a in answers] == ["healthy"] * 160
    assert 1 <= len(checks) <= math.ceil(seconds), (len(checks), seconds)


def test_school_endpoint_answers_for_the_host(client: TestClient, two_schools) -> None:
    school_a, _ = two_schools
    response = client.get("/api/v1/school", headers={"Host": f"{school_a.subdomain}.localhost:3000"})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"]["id"] == str(school_a.id)
    assert body["data"]["name"] == school_a.name


@pytest.mark.parametrize("host", ["no-such-school.localhost:3000", "localhost:3000"])
def test_unknown_host_is_404_in_the_error_envelope(client: TestClient, host: str) -> None:
    response = client.get("/api/v1/school", headers={"Host": host, "X-Request-ID": "req-123"})
    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "NOT_FOUND"
    assert body["request_id"] == "req-123"
    assert response.headers["X-Request-ID"] == "req-123"


def test_unknown_route_uses_the_envelope_and_gets_a_request_id(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert len(response.headers["X-Request-ID"]) == 32
