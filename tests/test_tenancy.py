"""Tenant resolution by host, and its Redis cache."""

import os

from sqlalchemy import text

from models import School
from oneclass import cache, db
from oneclass.tenancy import HostKind, find_school_route, forget_school_route, resolve_host
from tests.conftest import apply_settings


def test_subdomain_resolves_to_its_school(two_schools) -> None:
    school_a, school_b = two_schools
    for school in (school_a, school_b):
        resolution = resolve_host(f"{school.subdomain}.localhost:3000")
        assert resolution.kind is HostKind.school
        assert resolution.school is not None
        assert (resolution.school.id, resolution.school.name) == (school.id, school.name)


def test_host_is_read_case_insensitively_with_or_without_port(two_schools) -> None:
    school_a, _ = two_schools
    for host in (f"{school_a.subdomain.upper()}.LOCALHOST", f"{school_a.subdomain}.localhost.", f"{school_a.subdomain}.localhost:8000"):
        assert resolve_host(host).school.id == school_a.id  # type: ignore[union-attr]


def test_root_domain_and_addresses_are_the_platform() -> None:
    for host in ("localhost:3000", "localhost", "www.localhost", "127.0.0.1:3000", "[::1]:3000"):
        assert resolve_host(host).kind is HostKind.platform, host


def test_unknown_and_nested_subdomains_are_unknown(two_schools) -> None:
    school_a, _ = two_schools
    assert resolve_host("no-such-school.localhost:3000").kind is HostKind.unknown
    assert resolve_host(f"evil.{school_a.subdomain}.localhost").kind is HostKind.unknown
    assert resolve_host("example.org").kind is HostKind.unknown


def test_custom_domain_resolves(two_schools) -> None:
    school_a, _ = two_schools
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE schools SET domain = 'alpha.ac.zw' WHERE id = :id"), {"id": school_a.id})
    assert resolve_host("alpha.ac.zw").school.id == school_a.id  # type: ignore[union-attr]


def test_lookup_is_cached_in_redis_and_forgotten_on_change(two_schools) -> None:
    school_a, _ = two_schools
    route_key = cache.key("route", school_a.subdomain, "")
    assert cache.get_redis().get(route_key) is None
    find_school_route(subdomain=school_a.subdomain)
    assert cache.get_json(route_key)["name"] == school_a.name
    # A change made behind the cache's back is not seen until the cache is told...
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE schools SET name = 'Renamed' WHERE id = :id"), {"id": school_a.id})
    assert find_school_route(subdomain=school_a.subdomain).name == school_a.name  # type: ignore[union-attr]
    # ...which is what every service that changes a school does.
    with db.owner_session() as session:
        forget_school_route(session.get(School, school_a.id))  # type: ignore[arg-type]
    assert find_school_route(subdomain=school_a.subdomain).name == "Renamed"  # type: ignore[union-attr]


def test_unknown_subdomain_is_cached_briefly() -> None:
    assert find_school_route(subdomain="ghost-school") is None
    ttl = cache.get_redis().ttl(cache.key("route", "ghost-school", ""))
    assert 0 < ttl <= cache.TTL_UNKNOWN_HOST


def test_resolution_works_without_redis(two_schools) -> None:
    school_a, _ = two_schools
    real_redis = os.environ["REDIS_URL"]
    apply_settings(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    try:
        assert not cache.ping()
        assert resolve_host(f"{school_a.subdomain}.localhost").school.id == school_a.id  # type: ignore[union-attr]
    finally:
        apply_settings(REDIS_URL=real_redis)
    assert cache.ping()
