"""REST API v1 through the real ASGI app, real PostgreSQL and Redis: envelopes, auth, permissions,
other schools, paging, validation, rate limits, caching."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from models import User
from oneclass import db
from oneclass.api import build_api
from oneclass.demo_records import school_admin_of, seed_school_records
from tests.conftest import NO_SUCH_ID, TEST_PASSWORD, SchoolFixture, apply_settings, fresh_ip


@pytest.fixture
def client() -> TestClient:
    """The API as one caller at an address of its own, so per-address sign-in failures and rate
    limits never add up across tests."""
    return TestClient(build_api(), client=(fresh_ip(), 50000))


@pytest.fixture
def schools(two_schools) -> Iterator[tuple[SchoolFixture, SchoolFixture]]:
    school_a, school_b = two_schools
    for school in (school_a, school_b):
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=12)
            session.commit()
    yield school_a, school_b


def host(school: SchoolFixture) -> dict[str, str]:
    return {"Host": f"{school.subdomain}.localhost:3000"}


def token(client: TestClient, school: SchoolFixture, role: str) -> str:
    response = client.post("/api/v1/auth/login", headers=host(school), json={"email": f"{role}@{school.subdomain}.test", "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["data"]["access_token"]


def as_user(client: TestClient, school: SchoolFixture, role: str) -> dict[str, str]:
    return {**host(school), "Authorization": f"Bearer {token(client, school, role)}"}


def assert_success(body: dict[str, Any], *, listing: bool = False) -> None:
    assert body["success"] is True and "timestamp" in body
    if listing:
        assert set(body["meta"]) == {"total", "page", "per_page"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_login_refresh_logout(client: TestClient, schools) -> None:
    school_a, _ = schools
    login = client.post("/api/v1/auth/login", headers=host(school_a), json={"email": f"teacher@{school_a.subdomain}.test", "password": TEST_PASSWORD})
    assert login.status_code == 200
    tokens = login.json()["data"]
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900 and tokens["user"]["role"] == "teacher"
    refreshed = client.post("/api/v1/auth/refresh", headers=host(school_a), json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new = refreshed.json()["data"]
    assert_error(client.post("/api/v1/auth/refresh", headers=host(school_a), json={"refresh_token": tokens["refresh_token"]}), 401, "UNAUTHORIZED")
    # The reuse above ended the family: the newest tokens are dead too.
    assert_error(client.get("/api/v1/classes", headers={**host(school_a), "Authorization": f"Bearer {new['access_token']}"}), 401, "UNAUTHORIZED")
    fresh = token(client, school_a, "teacher")
    second = client.post("/api/v1/auth/login", headers=host(school_a), json={"email": f"teacher@{school_a.subdomain}.test", "password": TEST_PASSWORD}).json()["data"]
    assert client.post("/api/v1/auth/logout", headers=host(school_a), json={"refresh_token": second["refresh_token"]}).status_code == 200
    assert_error(client.get("/api/v1/classes", headers={**host(school_a), "Authorization": f"Bearer {second['access_token']}"}), 401, "UNAUTHORIZED")
    assert client.get("/api/v1/classes", headers={**host(school_a), "Authorization": f"Bearer {fresh}"}).status_code == 200


def test_wrong_password_and_validation(client: TestClient, schools) -> None:
    school_a, _ = schools
    wrong = client.post("/api/v1/auth/login", headers=host(school_a), json={"email": f"teacher@{school_a.subdomain}.test", "password": "nope-nope"})
    assert_error(wrong, 401, "UNAUTHORIZED")
    missing = client.post("/api/v1/auth/login", headers=host(school_a), json={"email": "x@y.z"})
    body = assert_error(missing, 422, "VALIDATION_ERROR")
    assert {"field": "password", "message": "Field required"} in body["error"]["details"]


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/students", "/api/v1/classes", f"/api/v1/students/{NO_SUCH_ID}", f"/api/v1/users/{NO_SUCH_ID}"])
def test_every_school_endpoint_needs_a_token(client: TestClient, schools, path: str) -> None:
    school_a, _ = schools
    assert_error(client.get(path, headers=host(school_a)), 401, "UNAUTHORIZED")
    assert_error(client.get(path, headers={**host(school_a), "Authorization": "Bearer not-a-token"}), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/students", "/api/v1/classes"])
def test_another_schools_token_is_refused(client: TestClient, schools, path: str) -> None:
    school_a, school_b = schools
    headers = {**host(school_b), "Authorization": f"Bearer {token(client, school_a, 'school_admin')}"}
    assert_error(client.get(path, headers=headers), 401, "UNAUTHORIZED")


def test_permissions_are_refused_with_403(client: TestClient, schools) -> None:
    school_a, _ = schools
    teacher = as_user(client, school_a, "teacher")
    body = assert_error(client.get("/api/v1/users", headers=teacher), 403, "FORBIDDEN")
    assert body["error"]["details"] == {"permission": "users.read"}
    assert_error(client.post("/api/v1/students", headers=teacher, json={}), 403, "FORBIDDEN")
    assert_error(client.get("/api/v1/classes", headers=as_user(client, school_a, "parent")), 403, "FORBIDDEN")


def test_users_list_get_create(client: TestClient, schools) -> None:
    school_a, school_b = schools
    admin = as_user(client, school_a, "school_admin")
    listing = client.get("/api/v1/users?per_page=5&sort=email", headers=admin).json()
    assert_success(listing, listing=True)
    assert listing["meta"]["per_page"] == 5 and len(listing["data"]) == 5
    with db.tenant_session(school_a.id) as session:
        in_school = session.exec(select(func.count()).select_from(User)).one()
    assert listing["meta"]["total"] == in_school >= 13  # 5 roles + 8 demo teachers, made by the fixture
    assert "password_hash" not in listing["data"][0]
    created = client.post("/api/v1/users", headers=admin, json={"email": "new.teacher@a.test", "full_name": "New Teacher", "role": "teacher"})
    assert created.status_code == 201
    user_id = created.json()["data"]["id"]
    assert client.get(f"/api/v1/users/{user_id}", headers=admin).json()["data"]["email"] == "new.teacher@a.test"
    # Another school's user id answers 404, never its data.
    assert_error(client.get(f"/api/v1/users/{user_id}", headers=as_user(client, school_b, "school_admin")), 404, "NOT_FOUND")
    bad = client.post("/api/v1/users", headers=admin, json={"email": "not-an-email", "full_name": "", "role": "teacher"})
    fields = {d["field"] for d in assert_error(bad, 422, "VALIDATION_ERROR")["error"]["details"]}
    assert {"email", "full_name"} <= fields
    assert_error(client.post("/api/v1/users", headers=admin, json={"email": "new.teacher@a.test", "full_name": "Again", "role": "teacher"}), 422, "VALIDATION_ERROR")


def test_students_visibility_paging_and_cache_invalidation(client: TestClient, schools) -> None:
    school_a, school_b = schools
    admin = as_user(client, school_a, "school_admin")
    first = client.get("/api/v1/students?per_page=5", headers=admin).json()
    assert_success(first, listing=True)
    assert first["meta"]["total"] == 12 and len(first["data"]) == 5
    page3 = client.get("/api/v1/students?per_page=5&page=3", headers=admin).json()
    assert len(page3["data"]) == 2
    beyond = client.get("/api/v1/students?per_page=5&page=9", headers=admin).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 12
    for query, field in (("per_page=101", "per_page"), ("page=0", "page"), ("status=expelled", "status"), ("class_id=nope", "class_id")):
        details = assert_error(client.get(f"/api/v1/students?{query}", headers=admin), 422, "VALIDATION_ERROR")["error"]["details"]
        assert details[0]["field"] == field
    # A write shows at once: the cached list is stale the moment the admission commits.
    admitted = client.post(
        "/api/v1/students",
        headers=admin,
        json={
            "admission_number": "API-1", "first_name": "Rufaro", "last_name": "Api", "date_of_birth": "2016-02-03", "gender": "female",
            "guardians": [{"full_name": "Baba Rufaro", "phone": "0772000111", "relationship": "Father"}],
        },
    )
    assert admitted.status_code == 201, admitted.text
    student = admitted.json()["data"]
    assert student["guardians"][0]["phone"] == "+263772000111"
    again = client.get("/api/v1/students?per_page=5", headers=admin).json()
    assert again["meta"]["total"] == 13
    assert client.get("/api/v1/students?search=Rufaro Api", headers=admin).json()["meta"]["total"] == 1
    # Another school's admin: 404 for this id; the teacher sees only their own classes.
    assert_error(client.get(f"/api/v1/students/{student['id']}", headers=as_user(client, school_b, "school_admin")), 404, "NOT_FOUND")
    teacher_total = client.get("/api/v1/students", headers=as_user(client, school_a, "teacher")).json()["meta"]["total"]
    assert 0 < teacher_total < 13
    invalid = client.post("/api/v1/students", headers=admin, json={
        "admission_number": "API-2", "first_name": "X", "last_name": "Y", "date_of_birth": "2016-02-03", "gender": "male", "national_id": "123",
        "guardians": [{"full_name": "G", "phone": "12", "relationship": "Mother"}],
    })
    fields = {d["field"] for d in assert_error(invalid, 422, "VALIDATION_ERROR")["error"]["details"]}
    assert fields == {"national_id", "guardian0_phone"}


def test_medical_notes_only_for_those_allowed(client: TestClient, schools) -> None:
    school_a, _ = schools
    admin = as_user(client, school_a, "school_admin")
    every = [row["id"] for row in client.get("/api/v1/students?per_page=100", headers=admin).json()["data"]]
    parent = as_user(client, school_a, "parent")
    children = [row["id"] for row in client.get("/api/v1/students", headers=parent).json()["data"]]
    assert len(children) == 2  # the demo records make this parent the guardian of two
    child = client.get(f"/api/v1/students/{children[0]}", headers=parent).json()["data"]
    assert child["medical_notes"] is None  # a parent is neither admin nor class teacher
    assert client.get(f"/api/v1/students/{children[0]}", headers=admin).json()["data"]["medical_notes"] is not None
    stranger = next(student for student in every if student not in children)
    assert_error(client.get(f"/api/v1/students/{stranger}", headers=parent), 404, "NOT_FOUND")


def test_platform_schools_on_the_root_domain_only(client: TestClient, schools) -> None:
    from oneclass.seed import seed_demo

    seed_demo()
    school_a, _ = schools
    login = client.post("/api/v1/auth/login", headers={"Host": "localhost:3000"}, json={"email": "root@oneclass.test", "password": "oneclass-demo"})
    root = {"Host": "localhost:3000", "Authorization": f"Bearer {login.json()['data']['access_token']}"}
    listing = client.get(f"/api/v1/schools?search={school_a.subdomain}", headers=root).json()
    assert_success(listing, listing=True)
    assert [s["id"] for s in listing["data"]] == [str(school_a.id)]
    assert client.get(f"/api/v1/schools/{school_a.id}", headers=root).json()["data"]["name"] == school_a.name
    assert_error(client.get(f"/api/v1/schools/{uuid.uuid4()}", headers=root), 404, "NOT_FOUND")
    # School users cannot reach the platform's API, on either host.
    assert_error(client.get("/api/v1/schools", headers=as_user(client, school_a, "school_admin")), 404, "NOT_FOUND")
    assert_error(client.get("/api/v1/schools", headers={"Host": "localhost:3000", "Authorization": as_user(client, school_a, "school_admin")["Authorization"]}), 401, "UNAUTHORIZED")
    subdomain = f"api-{uuid.uuid4().hex[:6]}"
    created = client.post("/api/v1/schools", headers=root, json={
        "name": "Api High", "subdomain": subdomain, "level": "secondary", "currency": "ZiG",
        "admin_email": f"admin@{subdomain}.test", "admin_name": "Api Admin", "admin_password": "kwedu-chikoro-2026", "language": "sn",
    })
    assert created.status_code == 201, created.text
    assert (created.json()["data"]["status"], created.json()["data"]["language"]) == ("active", "sn")
    new_login = client.post("/api/v1/auth/login", headers={"Host": f"{subdomain}.localhost"}, json={"email": f"admin@{subdomain}.test", "password": "kwedu-chikoro-2026"})
    assert new_login.status_code == 200


def test_rate_limit_answers_429_with_retry_after(client: TestClient, schools) -> None:
    school_a, _ = schools
    previous = {name: os.environ.get(name) for name in ("API_RATE_PER_IP", "CACHE_PREFIX")}
    apply_settings(API_RATE_PER_IP="3", CACHE_PREFIX=f"rate-{uuid.uuid4().hex[:6]}")
    try:
        statuses = [client.get("/api/v1/school", headers=host(school_a)).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        limited = client.get("/api/v1/school", headers=host(school_a))
        assert_error(limited, 429, "RATE_LIMITED")
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
    finally:
        apply_settings(**previous)  # the run's own prefix again, not this test's


def test_a_crash_is_a_500_without_a_traceback(client: TestClient, schools, monkeypatch: pytest.MonkeyPatch) -> None:
    school_a, _ = schools
    headers = as_user(client, school_a, "school_admin")

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("oneclass.api.v1.classes.academics.current_year", explode)
    crashed = TestClient(build_api(), raise_server_exceptions=False).get("/api/v1/classes", headers=headers)
    body = assert_error(crashed, 500, "INTERNAL_ERROR")
    assert "secret" not in crashed.text and "Traceback" not in crashed.text
    assert body["error"]["message"] == "Something went wrong."


def _scrape_metrics() -> str:
    """As the scraper on this machine does: /metrics answers loopback only (or a token)."""
    return TestClient(build_api(), client=("127.0.0.1", 50000)).get("/metrics").text


def test_metrics_count_requests_by_route(client: TestClient, schools) -> None:
    school_a, _ = schools
    client.get("/api/v1/school", headers=host(school_a))
    text = _scrape_metrics()
    assert 'oneclass_http_requests_total{method="GET",route="/api/v1/school",status="200"}' in text
    assert "oneclass_http_request_duration_seconds_bucket" in text
    assert "oneclass_cache_requests_total" in text
    assert "oneclass_db_pool_connections_in_use" in text


def test_openapi_document_is_served(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "OneClass API"
    assert {"/api/v1/students", "/api/v1/users/{user_id}", "/api/v1/schools", "/api/v1/auth/login"} <= set(spec["paths"])
    assert client.get("/api/v1/docs").status_code == 200


def test_grafana_dashboard_charts_only_metrics_we_export(client: TestClient, schools) -> None:
    import json
    import re

    from oneclass.settings import PROJECT_ROOT

    dashboard = json.loads((PROJECT_ROOT / "ops" / "grafana" / "oneclass-dashboard.json").read_text())
    charted = {name for panel in dashboard["panels"] for target in panel["targets"] for name in re.findall(r"oneclass_[a-z_]+", target["expr"])}
    exported = _scrape_metrics()
    for name in charted:
        base = re.sub(r"_(bucket|total)$", "", name)
        assert f"# TYPE {base}" in exported or f"# TYPE {name}" in exported, name
