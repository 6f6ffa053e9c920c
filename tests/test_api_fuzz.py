"""A schema-driven fuzz run (schemathesis) against the OpenAPI document, through the real app,
as a school admin on a school's host: no 500s, and every answer matches the schema."""

import os
import uuid
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from oneclass import db
from oneclass.api import build_api
from oneclass.demo_records import school_admin_of, seed_school_records
from tests.conftest import TEST_PASSWORD, apply_settings, delete_school, make_school

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", build_api())


@pytest.fixture(scope="module")
def admin_headers() -> Any:
    """A school admin's headers. The fuzzer signs in wrongly many times from one address, so it
    gets counters of its own (a cache prefix) and limits it cannot reach."""
    names = ("API_RATE_PER_IP", "API_RATE_PER_TOKEN", "LOGIN_MAX_FAILURES_PER_IP", "CACHE_PREFIX")
    previous = {name: os.environ.get(name) for name in names}
    apply_settings(
        API_RATE_PER_IP="100000", API_RATE_PER_TOKEN="100000", LOGIN_MAX_FAILURES_PER_IP="100000",
        CACHE_PREFIX=f"fuzz-{uuid.uuid4().hex[:8]}",
    )
    school = make_school("fuzz")
    with db.tenant_session(school.id) as session:
        seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=5)
        session.commit()
    host = {"Host": f"{school.subdomain}.localhost:3000"}
    login = TestClient(build_api()).post(
        "/api/v1/auth/login", headers=host, json={"email": f"school_admin@{school.subdomain}.test", "password": TEST_PASSWORD}
    )
    yield {**host, "Authorization": f"Bearer {login.json()['data']['access_token']}"}
    delete_school(school)
    apply_settings(**previous)


@schema.exclude(path_regex="^/api/v1/auth/(refresh|logout)$").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_answers_match_the_schema(case: schemathesis.Case, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(
        headers={**admin_headers, **(case.headers or {})},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
