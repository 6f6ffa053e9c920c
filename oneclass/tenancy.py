"""Which school a request belongs to, read from its host: the school's route (what routing needs
to know before any tenant is set), looked up through the database's one SECURITY DEFINER function
and cached in Redis, and forgotten whenever a school's name, address or status changes."""

from dataclasses import asdict, dataclass
from enum import StrEnum
from ipaddress import ip_address
from uuid import UUID

from sqlalchemy import text

from models import School
from oneclass import cache
from oneclass.db import tenant_session
from oneclass.settings import get_settings


@dataclass(frozen=True)
class SchoolRoute:
    """What routing needs to know about a school, before any tenant is set."""

    id: UUID
    name: str
    subdomain: str
    level: str
    status: str
    language: str = "en"


class HostKind(StrEnum):
    platform = "platform"  # the root domain: the platform's own pages
    school = "school"
    unknown = "unknown"  # a subdomain (or domain) that is no school of ours


@dataclass(frozen=True)
class HostResolution:
    kind: HostKind
    school: SchoolRoute | None = None


# --- a school's route, by subdomain or custom domain ----------------------------------------


def _route_cache_key(subdomain: str | None, domain: str | None) -> str:
    return cache.key("route", subdomain or "", domain or "")


def find_school_route(*, subdomain: str | None, domain: str | None = None) -> SchoolRoute | None:
    """Look a school up by subdomain (or custom domain); cached in Redis, misses briefly too."""
    cache_key = _route_cache_key(subdomain, domain)
    cached = cache.get_json(cache_key)
    if cached is not None:
        return SchoolRoute(**{**cached, "id": UUID(cached["id"])}) if cached else None
    # No tenant yet: the SECURITY DEFINER function is the only thing the app role can ask.
    with tenant_session(None) as session:
        row = session.connection().execute(
            text("SELECT * FROM find_school_for_host(:subdomain, :domain)"),
            {"subdomain": subdomain, "domain": domain},
        ).mappings().first()
    route = SchoolRoute(**row) if row else None
    if route:
        cache.set_json(cache_key, {**asdict(route), "id": str(route.id)}, cache.TTL_SCHOOL_CONFIG)
    else:
        cache.set_json(cache_key, {}, cache.TTL_UNKNOWN_HOST)
    return route


def forget_school_route(school: School) -> None:
    """Call after any change to a school's name, subdomain, domain or status."""
    cache.delete(_route_cache_key(school.subdomain, None), _route_cache_key(None, school.domain))


# --- a request's host -----------------------------------------------------------------------


def _hostname(host: str) -> str:
    """'Harare-Primary.localhost:3000' -> 'harare-primary.localhost' (also handles [::1]:3000)."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(hostname: str) -> bool:
    try:
        ip_address(hostname)
    except ValueError:
        return False
    return True


def resolve_host(host: str) -> HostResolution:
    """Map a request's host to the platform, one school, or nothing we serve."""
    base_domain = get_settings().base_domain.lower()
    hostname = _hostname(host)
    if not hostname or _is_ip(hostname) or hostname in (base_domain, f"www.{base_domain}"):
        return HostResolution(HostKind.platform)
    if hostname.endswith(f".{base_domain}"):
        label = hostname[: -len(base_domain) - 1]
        route = None if "." in label else find_school_route(subdomain=label)
    else:
        route = find_school_route(subdomain=None, domain=hostname)
    if route is None:
        return HostResolution(HostKind.unknown)
    return HostResolution(HostKind.school, route)
