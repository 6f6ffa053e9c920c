"""Schools: routing lookup (cached), the current school's details, and the platform's work on
schools: listing them, creating one with its first administrator, suspending and reactivating."""

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import or_, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from models import Role, School, SchoolLevel, SchoolStatus
from oneclass import cache, validation
from oneclass.db import platform_session, tenant_session
from oneclass.permissions import require
from oneclass.security import password_problem
from oneclass.services import audit, users
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page, like_pattern

# Names a school may not take: they are, or may become, the platform's own hosts.
RESERVED_SUBDOMAINS = frozenset({"www", "api", "admin", "platform", "app", "mail", "static", "assets"})
CURRENCIES = ("USD", "ZiG")
# One DNS label, as the `schools.subdomain` CHECK constraint has it.
_SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
SUBDOMAIN_TAKEN = "Another school already uses this subdomain."


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
    status: SchoolStatus = SchoolStatus.active,
) -> School:
    """Create a school. `session` must be one allowed to write `schools` (owner or platform)."""
    school = School(
        name=name.strip(),
        subdomain=subdomain.lower(),
        level=level,
        currency=currency,
        domain=domain,
        status=status,
    )
    session.add(school)
    session.flush()
    forget_school_route(school)
    return school


# --- the platform's list of schools ---------------------------------------------------------


def _as_row(school: School) -> dict[str, Any]:
    return {
        "id": str(school.id),
        "name": school.name,
        "subdomain": school.subdomain,
        "level": school.level,
        "currency": school.currency,
        "status": school.status,
        "created": school.created_at.strftime("%Y-%m-%d"),
    }


def list_schools(
    session: Session, *, search: str = "", status: str = "", page: int = 1, per_page: int = 20
) -> Page:
    """Schools by name, filtered by part of their name or subdomain and by status.

    `session` is a platform session: the platform role's policy shows it every school.
    """
    query = select(School)
    if search.strip():
        pattern = like_pattern(search.strip())
        query = query.where(
            or_(col(School.name).ilike(pattern, escape="\\"), col(School.subdomain).ilike(pattern, escape="\\"))
        )
    if status:
        query = query.where(School.status == SchoolStatus(status))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    schools = session.exec(
        query.order_by(func.lower(School.name), col(School.id)).offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    return Page([_as_row(school) for school in schools], total)


def school_names(session: Session) -> dict[UUID, str]:
    """Every school's name by id, to label audit events (platform session)."""
    return {school_id: name for school_id, name in session.exec(select(School.id, School.name)).all()}


# --- creating a school with its first administrator -----------------------------------------


def _subdomain_problem(session: Session, subdomain: str) -> str | None:
    if not subdomain:
        return "Enter a subdomain."
    if not _SUBDOMAIN.fullmatch(subdomain):
        return "Use 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen."
    if subdomain in RESERVED_SUBDOMAINS:
        return "This subdomain is reserved for the platform; choose another."
    if session.exec(select(School.id).where(School.subdomain == subdomain)).first() is not None:
        return SUBDOMAIN_TAKEN
    return None


def _invalid(check: Callable[[], object]) -> str | None:
    """The message of a `validation` check that refuses its value, or None."""
    try:
        check()
    except validation.InvalidValue as invalid:
        return str(invalid)
    return None


def validate_new_school(
    session: Session,
    *,
    name: str,
    subdomain: str,
    level: str,
    currency: str,
    admin_email: str,
    admin_name: str,
    admin_password: str,
) -> dict[str, str]:
    """Every reason the new school would be refused, by form field (empty: acceptable), so the
    form can show them all at once. Values are read as `create_school_with_admin` stores them.
    `session` is a platform session, which sees every school's subdomain.
    """
    admin_email = admin_email.strip().lower()
    problems = {
        "name": _invalid(lambda: validation.required_text(name, label="The school's name")),
        "subdomain": _subdomain_problem(session, subdomain.strip().lower()),
        "level": None if level in [known.value for known in SchoolLevel] else "Choose the school's level.",
        "currency": None if currency in CURRENCIES else "Choose USD or ZiG.",
        "admin_name": _invalid(lambda: validation.required_text(admin_name, label="The administrator's full name")),
        "admin_email": _invalid(lambda: validation.email(admin_email)),
        "admin_password": password_problem(admin_password, email=admin_email),
    }
    return {field: problem for field, problem in problems.items() if problem}


class SchoolCreationIncomplete(Exception):
    """The school row was written but its first administrator was not; the school is left
    suspended (never reachable without an administrator) and the platform trail says why."""

    def __init__(self, subdomain: str) -> None:
        super().__init__(
            f"The school '{subdomain}' was saved but its administrator could not be created, so it "
            "has been left suspended. Nothing else was changed; please report this."
        )
        self.message = str(self)


def _insert_pending_school(
    *, name: str, subdomain: str, level: str, currency: str, admin_email: str, admin_name: str, admin_password: str
) -> School:
    """Validate everything, then write the school suspended: it is activated only once its
    administrator exists, so a failure in between never leaves a live school nobody can run."""
    with platform_session() as session:
        errors = validate_new_school(
            session,
            name=name,
            subdomain=subdomain,
            level=level,
            currency=currency,
            admin_email=admin_email,
            admin_name=admin_name,
            admin_password=admin_password,
        )
        if errors:
            raise ValidationFailed(errors)
        school = create_school(
            session,
            name=name,
            subdomain=subdomain.strip(),
            level=SchoolLevel(level),
            currency=currency,
            status=SchoolStatus.suspended,
        )
        try:
            session.commit()
        except IntegrityError as clash:
            if getattr(clash.orig, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            # Another super admin took the subdomain between our check and our write.
            raise ValidationFailed({"subdomain": SUBDOMAIN_TAKEN}) from clash
    return school


def _leave_suspended(school: School, actor: CurrentUser, ip: str, error: Exception) -> None:
    """The platform role may not delete a school, so the half-made one stays suspended, with
    the reason in the platform trail for whoever finds it in the list."""
    with platform_session() as session:
        audit.record_platform(
            session,
            action=audit.SCHOOL_SUSPENDED,
            actor=actor.actor(ip),
            school_id=school.id,
            target=school.subdomain,
            detail={"reason": "its first administrator could not be created", "error": type(error).__name__},
        )
        session.commit()


def create_school_with_admin(
    *,
    actor: CurrentUser,
    name: str,
    subdomain: str,
    level: str,
    currency: str,
    admin_email: str,
    admin_name: str,
    admin_password: str,
    ip: str,
) -> School:
    """A new school and its first school admin, who can sign in at the new subdomain at once.

    The school is written by the platform role and the admin by the app role under the new
    school's tenant: two roles, so two transactions, and the platform role may not delete.
    Hence: validate everything first (so the second write has nothing left to refuse), write
    the school suspended, write the admin, then activate. Should the admin's write still fail
    the school stays suspended (see `SchoolCreationIncomplete`).
    """
    require(actor, "platform.schools")
    # Stored as `validation` reads them: names on one line with single spaces, email lowercase.
    name, admin_name, admin_email = " ".join(name.split()), " ".join(admin_name.split()), admin_email.strip().lower()
    school = _insert_pending_school(
        name=name,
        subdomain=subdomain,
        level=level,
        currency=currency,
        admin_email=admin_email,
        admin_name=admin_name,
        admin_password=admin_password,
    )
    try:
        with tenant_session(school.id) as session:
            admin = users.create_user(
                session,
                school_id=school.id,
                email=admin_email,
                full_name=admin_name,
                role=Role.school_admin,
                password=admin_password,
            )
            audit.record(
                session,
                school_id=school.id,
                action=audit.USER_CREATED,
                actor=actor.actor(ip),
                target=admin.email,
                detail={"role": Role.school_admin.value},
            )
            session.commit()
    except Exception as error:
        _leave_suspended(school, actor, ip, error)
        raise SchoolCreationIncomplete(school.subdomain) from error
    with platform_session() as session:
        created = session.get(School, school.id)
        assert created is not None
        created.status = SchoolStatus.active
        audit.record_platform(
            session,
            action=audit.SCHOOL_CREATED,
            actor=actor.actor(ip),
            school_id=created.id,
            target=created.subdomain,
            detail={"name": created.name, "admin": admin_email},
        )
        session.commit()
    forget_school_route(created)
    return created


# --- suspending and reactivating ------------------------------------------------------------


def _school_uuid(school_id: UUID | str) -> UUID:
    try:
        return school_id if isinstance(school_id, UUID) else UUID(school_id)
    except ValueError as error:
        raise NotFound("No such school.") from error


def set_school_status(*, actor: CurrentUser, school_id: UUID | str, status: SchoolStatus, ip: str) -> School:
    """Suspend or reactivate a school. The cached route is forgotten at once, so a suspended
    school's users are refused at their next sign-in and their next request."""
    require(actor, "platform.schools")
    status = SchoolStatus(status)
    with platform_session() as session:
        school = session.get(School, _school_uuid(school_id))
        if school is None:
            raise NotFound("No such school.")
        if school.status == status:
            return school
        school.status = status
        audit.record_platform(
            session,
            action=audit.SCHOOL_SUSPENDED if status is SchoolStatus.suspended else audit.SCHOOL_REACTIVATED,
            actor=actor.actor(ip),
            school_id=school.id,
            target=school.subdomain,
        )
        session.commit()
    forget_school_route(school)
    return school


def get_school_row(*, school_id: UUID | str) -> dict[str, Any]:
    """One school as the platform's pages and API show it (platform session)."""
    with platform_session() as session:
        school = session.get(School, _school_uuid(school_id))
        if school is None:
            raise NotFound("No such school.")
        return _as_row(school)
