"""Schools: the current school's row, and the platform's work on schools: listing them, creating
one with its first administrator, suspending and reactivating, and the platform's audit trail of
every school.

The public functions (`list_schools`, `export_schools`, `get_school`, `create_school_with_admin`,
`set_school_status`, `platform_events`, `export_platform_events`) take the acting super admin,
check the permission first and work in the platform role's own transaction
(`platform_unit_of_work`). The functions that take a `session` first are the internal ones
(the demo seed, the tests' fixtures, other services): they never commit.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict
from uuid import UUID

from sqlmodel import Session, col, func, or_, select

from models import Role, School, SchoolLevel, SchoolStatus
from oneclass import i18n, validation
from oneclass.current_user import CurrentUser
from oneclass.db import platform_unit_of_work, unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import require
from oneclass.security import password_problem
from oneclass.services import audit, paging, users
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.paging import Page, like_pattern
from oneclass.tenancy import forget_school_route

SCHOOLS_PERMISSION = "platform.schools"
AUDIT_PERMISSION = "platform.audit"
# Names a school may not take: they are, or may become, the platform's own hosts.
RESERVED_SUBDOMAINS = frozenset({"www", "api", "admin", "platform", "app", "mail", "static", "assets"})
CURRENCIES = ("USD", "ZiG")
# One DNS label, as the `schools.subdomain` CHECK constraint has it.
_SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
SUBDOMAIN_UNIQUE = "schools_subdomain_key"  # the UNIQUE constraint of `schools.subdomain`
# Refusals, in English (message ids): translated with _() where they are raised.
SUBDOMAIN_TAKEN = N_("Another school already uses this subdomain.")
NO_SUCH_SCHOOL = N_("No such school.")
PER_PAGE_MAX = 100
# Each page of `audit.list_all_events` reads every earlier one again: an export takes big pages.
EVENTS_EXPORT_BATCH = 1000


class SchoolRow(TypedDict):
    """A school as the platform's pages and the API show it."""

    id: str
    name: str
    subdomain: str
    level: str
    currency: str
    status: str
    language: str  # the interface's default for the school's people: en, sn or nd
    created: str  # YYYY-MM-DD


def _as_row(school: School) -> SchoolRow:
    return {
        "id": str(school.id),
        "name": school.name,
        "subdomain": school.subdomain,
        "level": school.level,
        "currency": school.currency,
        "status": school.status,
        "language": school.language,
        "created": school.created_at.strftime("%Y-%m-%d"),
    }


# --- internal: a session is given, nothing is committed ---------------------------------------


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
    language: str = i18n.DEFAULT_LANGUAGE,
) -> School:
    """Create a school. `session` must be one allowed to write `schools` (owner or platform)."""
    school = School(
        name=name.strip(),
        subdomain=subdomain.lower(),
        level=level,
        currency=currency,
        domain=domain,
        status=status,
        language=language,
    )
    session.add(school)
    session.flush()
    forget_school_route(school)
    return school


def school_names(session: Session) -> dict[UUID, str]:
    """Every school's name by id, to label audit events (platform session)."""
    return {school_id: name for school_id, name in session.exec(select(School.id, School.name)).all()}


def query_schools(session: Session, *, search: str = "", status: str = "", page: int = 1, per_page: int = 20) -> Page:
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
        query = query.where(School.status == _status(status))
    per_page = min(max(per_page, 1), PER_PAGE_MAX)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    schools = session.exec(
        query.order_by(func.lower(School.name), col(School.id)).offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    return Page([dict(_as_row(school)) for school in schools], total)


def _status(status: str) -> SchoolStatus:
    try:
        return SchoolStatus(status)
    except ValueError as error:
        raise ValidationFailed({"status": _("Choose active or suspended.")}) from error


def _school_uuid(school_id: UUID | str) -> UUID:
    try:
        return school_id if isinstance(school_id, UUID) else UUID(school_id)
    except ValueError as error:
        raise NotFound(_(NO_SUCH_SCHOOL)) from error


def _school(session: Session, school_id: UUID | str) -> School:
    school = session.get(School, _school_uuid(school_id))
    if school is None:
        raise NotFound(_(NO_SUCH_SCHOOL))
    return school


# --- the platform's list of schools -----------------------------------------------------------


def list_schools(*, actor: CurrentUser, search: str = "", status: str = "", page: int = 1, per_page: int = 20) -> Page:
    """One page of schools, searched by part of their name or subdomain, filtered by status."""
    require(actor, SCHOOLS_PERMISSION)
    with platform_unit_of_work() as session:
        return query_schools(session, search=search, status=status, page=page, per_page=per_page)


def export_schools(*, actor: CurrentUser, search: str = "", status: str = "") -> list[dict[str, str]]:
    """Every school the filters match (not just one page), read in one transaction."""
    require(actor, SCHOOLS_PERMISSION)
    with platform_unit_of_work() as session:
        return paging.every_row(
            lambda page, per_page: query_schools(session, search=search, status=status, page=page, per_page=per_page),
            PER_PAGE_MAX,
        )


def get_school(*, actor: CurrentUser, school_id: UUID | str) -> SchoolRow:
    """One school as the platform's pages and API show it."""
    require(actor, SCHOOLS_PERMISSION)
    with platform_unit_of_work() as session:
        return _as_row(_school(session, school_id))


# --- creating a school with its first administrator -------------------------------------------


def _subdomain_problem(session: Session, subdomain: str) -> str | None:
    if not subdomain:
        return _("Enter a subdomain.")
    if not _SUBDOMAIN.fullmatch(subdomain):
        return _("Use 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.")
    if subdomain in RESERVED_SUBDOMAINS:
        return _("This subdomain is reserved for the platform; choose another.")
    if session.exec(select(School.id).where(School.subdomain == subdomain)).first() is not None:
        return _(SUBDOMAIN_TAKEN)
    return None


def language_problem(language: str) -> str | None:
    """Why `language` cannot be a school's default (None: it can): one of the interface's
    languages, by its code."""
    if language in i18n.LANGUAGES:
        return None
    choices = ", ".join(f"{name} ({code})" for code, name in i18n.LANGUAGES.items())
    return format_message("Choose the school's language: {languages}.", languages=choices)


def _invalid(check: Callable[[], object]) -> str | None:
    """The message of a `validation` check that refuses its value, or None."""
    try:
        check()
    except validation.InvalidValue as invalid:
        return str(invalid)
    return None


@dataclass(frozen=True)
class NewSchool:
    """A school as the platform is asked to create it, with its first administrator; values are
    stored as `validation` reads them (names on one line with single spaces, emails lowercase)."""

    name: str
    subdomain: str
    level: str
    currency: str
    admin_email: str
    admin_name: str
    admin_password: str
    language: str = i18n.DEFAULT_LANGUAGE

    @classmethod
    def from_form(
        cls,
        *,
        name: str,
        subdomain: str,
        level: str,
        currency: str,
        admin_email: str,
        admin_name: str,
        admin_password: str,
        language: str = i18n.DEFAULT_LANGUAGE,
    ) -> "NewSchool":
        return cls(
            name=" ".join(name.split()),
            subdomain=subdomain.strip().lower(),
            level=level,
            currency=currency,
            language=language.strip().lower(),
            admin_email=admin_email.strip().lower(),
            admin_name=" ".join(admin_name.split()),
            admin_password=admin_password,
        )


def new_school_problems(session: Session, new: NewSchool) -> dict[str, str]:
    """Every reason the new school would be refused, by form field (empty: acceptable), so the
    form can show them all at once. `session` is a platform session, which sees every school's
    subdomain."""
    problems = {
        "name": _invalid(lambda: validation.required_text(new.name, label=N_("The school's name"))),
        "subdomain": _subdomain_problem(session, new.subdomain),
        "level": None if new.level in [known.value for known in SchoolLevel] else _("Choose the school's level."),
        "currency": None if new.currency in CURRENCIES else _("Choose USD or ZiG."),
        "language": language_problem(new.language),
        "admin_name": _invalid(lambda: validation.required_text(new.admin_name, label=N_("The administrator's full name"))),
        "admin_email": _invalid(lambda: validation.email(new.admin_email)),
        "admin_password": password_problem(new.admin_password, email=new.admin_email),
    }
    return {field: problem for field, problem in problems.items() if problem}


class SchoolCreationIncomplete(Exception):
    """The school row was written but its first administrator was not; the school is left
    suspended (never reachable without an administrator) and the platform trail says why."""

    def __init__(self, subdomain: str) -> None:
        super().__init__(
            format_message(
                "The school '{subdomain}' was saved but its administrator could not be created, so it "
                "has been left suspended. Nothing else was changed; please report this.",
                subdomain=subdomain,
            )
        )
        self.message = str(self)


@dataclass(frozen=True)
class _InSchool:
    """A school named for `unit_of_work`: the new school's first admin is written in its tenant."""

    school_id: UUID


def _insert_pending_school(session: Session, new: NewSchool) -> School:
    """Validate everything, then write the school suspended: it is activated only once its
    administrator exists, so a failure in between never leaves a live school nobody can run."""
    problems = new_school_problems(session, new)
    if problems:
        raise ValidationFailed(problems)
    return create_school(
        session,
        name=new.name,
        subdomain=new.subdomain,
        level=SchoolLevel(new.level),
        currency=new.currency,
        status=SchoolStatus.suspended,
        language=new.language,
    )


def _add_first_admin(session: Session, school_id: UUID, new: NewSchool, by: audit.Actor) -> None:
    """The school's first administrator and the school's own record of it (its tenant session)."""
    admin = users.create_user(
        session,
        school_id=school_id,
        email=new.admin_email,
        full_name=new.admin_name,
        role=Role.school_admin,
        password=new.admin_password,
    )
    audit.record(
        session, school_id=school_id, action=audit.USER_CREATED, actor=by, target=admin.email, detail={"role": Role.school_admin.value}
    )


def _activate_new_school(session: Session, school_id: UUID, new: NewSchool, by: audit.Actor) -> School:
    school = _school(session, school_id)
    school.status = SchoolStatus.active
    audit.record_platform(
        session,
        action=audit.SCHOOL_CREATED,
        actor=by,
        school_id=school.id,
        target=school.subdomain,
        detail={"name": school.name, "admin": new.admin_email},
    )
    return school


def _record_left_suspended(session: Session, school: School, by: audit.Actor, error: Exception) -> None:
    """The platform role may not delete a school, so the half-made one stays suspended, with
    the reason in the platform trail for whoever finds it in the list."""
    audit.record_platform(
        session,
        action=audit.SCHOOL_SUSPENDED,
        actor=by,
        school_id=school.id,
        target=school.subdomain,
        detail={"reason": "its first administrator could not be created", "error": type(error).__name__},
    )


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
    language: str = i18n.DEFAULT_LANGUAGE,
) -> SchoolRow:
    """A new school and its first school admin, who can sign in at the new subdomain at once.

    All or nothing, though it cannot be one transaction: the school is written by the platform
    role and its admin by the app role under the new school's tenant (the platform role may not
    write a school's data, the app role may not write `schools`), the school's row must be
    committed before the admin's row can refer to it, and the platform role may not delete a
    school. So three units of work, ordered so that no failure leaves a live school without an
    administrator:
      1. platform: validate everything (so the later writes have nothing left to refuse), and
         write the school suspended;
      2. the new school's tenant: its admin, and its own audit event;
      3. platform: activate the school, and the platform trail's event.
    Should step 2 fail, the school stays suspended and the platform trail says why
    (`SchoolCreationIncomplete`); should step 3 fail, it stays suspended with its admin, and a
    super admin can reactivate it from the list.
    """
    require(actor, SCHOOLS_PERMISSION)
    new = NewSchool.from_form(
        name=name, subdomain=subdomain, level=level, currency=currency,
        admin_email=admin_email, admin_name=admin_name, admin_password=admin_password, language=language,
    )
    by = actor.actor(ip)
    try:
        with platform_unit_of_work() as session:
            pending = _insert_pending_school(session, new)
    except Conflict as clash:
        if clash.constraint != SUBDOMAIN_UNIQUE:
            raise
        # Another super admin took the subdomain between our check and our write.
        raise ValidationFailed({"subdomain": _(SUBDOMAIN_TAKEN)}) from clash
    try:
        with unit_of_work(_InSchool(pending.id)) as session:
            _add_first_admin(session, pending.id, new, by)
    except Exception as error:
        with platform_unit_of_work() as session:
            _record_left_suspended(session, pending, by, error)
        forget_school_route(pending)
        raise SchoolCreationIncomplete(pending.subdomain) from error
    with platform_unit_of_work() as session:
        created = _activate_new_school(session, pending.id, new, by)
    # After the commit, not before: a lookup in between would cache the suspended school again.
    forget_school_route(created)
    return _as_row(created)


# --- suspending and reactivating --------------------------------------------------------------


def set_school_status(*, actor: CurrentUser, school_id: UUID | str, status: SchoolStatus | str, ip: str) -> SchoolRow:
    """Suspend or reactivate a school. The cached route is forgotten once it is committed, so a
    suspended school's users are refused on their next event, sign-in and request."""
    require(actor, SCHOOLS_PERMISSION)
    wanted = _status(status)
    with platform_unit_of_work() as session:
        school = _school(session, school_id)
        if school.status == wanted:
            return _as_row(school)
        school.status = wanted
        audit.record_platform(
            session,
            action=audit.SCHOOL_SUSPENDED if wanted is SchoolStatus.suspended else audit.SCHOOL_REACTIVATED,
            actor=actor.actor(ip),
            school_id=school.id,
            target=school.subdomain,
        )
    forget_school_route(school)
    return _as_row(school)


# --- the platform's audit trail: every school's events and its own ----------------------------


def platform_events(*, actor: CurrentUser, filters: audit.AuditFilter, page: int = 1, per_page: int = 50) -> Page:
    """One page of every school's events and the platform's, newest first, each labelled with
    its school's name."""
    require(actor, AUDIT_PERMISSION)
    with platform_unit_of_work() as session:
        return audit.list_all_events(session, filters, school_names=school_names(session), page=page, per_page=per_page)


def export_platform_events(*, actor: CurrentUser, filters: audit.AuditFilter) -> list[dict[str, str]]:
    """Every event the filters match (not just one page), read in one transaction."""
    require(actor, AUDIT_PERMISSION)
    with platform_unit_of_work() as session:
        names = school_names(session)
        return paging.every_row(
            lambda page, per_page: audit.list_all_events(session, filters, school_names=names, page=page, per_page=per_page),
            EVENTS_EXPORT_BATCH,
        )
