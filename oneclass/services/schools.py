"""Schools: routing lookup (cached), the current school's details, and creating a school."""

from dataclasses import asdict, dataclass
from uuid import UUID

from sqlalchemy import text
from sqlmodel import Session, select

from models import School, SchoolLevel
from oneclass import cache
from oneclass.db import tenant_session


@dataclass(frozen=True)
class SchoolRoute:
    """What routing needs to know about a school, before any tenant is set."""

    id: UUID
    name: str
    subdomain: str
    level: str
    status: str


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


def get_current_school(session: Session) -> School | None:
    """The school of a tenant session (RLS shows it only its own row)."""
    return session.exec(select(School)).first()


def create_school(
    session: Session,
    *,
    name: str,
    subdomain: str,
    level: SchoolLevel,
    currency: str = "USD",
    domain: str | None = None,
) -> School:
    """Create a school. `session` must be one allowed to write `schools` (the owner's)."""
    school = School(
        name=name.strip(), subdomain=subdomain.lower(), level=level, currency=currency, domain=domain
    )
    session.add(school)
    session.flush()
    forget_school_route(school)
    return school

