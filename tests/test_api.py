"""`/health` and the tenant-resolving API, through the real ASGI app."""

import os

import pytest
from fastapi.testclient import TestClient

from oneclass.api import build_api
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
    try:
        response = client.get("/health")
    finally:
        apply_settings(REDIS_URL=real)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["status"] == "down"


def test_health_is_unhealthy_with_503_without_database(client: TestClient) -> None:
    real = os.environ["DATABASE_URL"]
    apply_settings(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    try:
        response = client.get("/health")
    finally:
        apply_settings(DATABASE_URL=real)
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["database"]["status"] == "down"


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
