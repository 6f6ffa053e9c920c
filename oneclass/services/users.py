"""Users of a school, and the platform's super admins: listing, validating, creating, editing
and deactivating them (many at once: the "users" kind of `oneclass.services.imports`).

The public functions (an `actor` and no session) are what states and API routes call: each checks
a `users.*` permission first (a school administrator's), runs in one unit of work for the actor's
own school and returns plain data; another school's user id looks exactly like one that does not
exist. The functions that take a `session` first (`create_user`, `query_users`, the validators)
are what other services, imports and the seed build on; they never commit.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from models import PlatformUser, RefreshToken, Role, User, UserPublic
from oneclass import cache, validation
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import require
from oneclass.security import hash_password, password_problem
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page, like_pattern

# The roles a school administrator may give: never super_admin, which belongs to the platform.
SCHOOL_ROLES: tuple[Role, ...] = (Role.school_admin, Role.teacher, Role.student, Role.parent, Role.staff)
# Each role's name in English, a message id: pages show it with t(), messages with _().
ROLE_LABELS: dict[str, str] = {
    Role.school_admin.value: N_("School admin"),
    Role.teacher.value: N_("Teacher"),
    Role.student.value: N_("Student"),
    Role.parent.value: N_("Parent"),
    Role.staff.value: N_("Staff"),
}
FULL_NAME_MAX = 200
EMAIL_MAX = 254
STATUSES = ("active", "inactive")
PER_PAGE_MAX = 100
# Refusals, in English (message ids): translated with _() where they are raised.
NOT_FOUND = N_("No such user in this school.")
EMAIL_TAKEN = N_("Another user of this school already has this email address.")
LAST_ADMIN = N_("This is the school's last active administrator. Make another user an administrator first.")
NOT_YOURSELF = N_("You cannot deactivate your own account. Ask another administrator to do it.")
# A user's status in the list, in English (message ids, like ROLE_LABELS).
ACTIVE, DEACTIVATED = N_("Active"), N_("Deactivated")
# Every table a user list reads: a committed write to it shows at once.
USER_TABLES = ("users",)


def create_user(
    session: Session,
    *,
    school_id: UUID,
    email: str,
    full_name: str,
    role: Role,
    password: str | None = None,
) -> User:
    """Add a user to a school; `session` is that school's tenant session. Validates nothing:
    callers on behalf of people go through `add_user`."""
    user = User(
        school_id=school_id,
        email=email.strip().lower(),
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def create_platform_user(
    session: Session, *, email: str, full_name: str, password: str
) -> PlatformUser:
    """Add a super admin; `session` must be one allowed to write `platform_users`."""
    user = PlatformUser(
        email=email.strip().lower(), full_name=full_name.strip(), password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


# --- listing --------------------------------------------------------------------------------


def user_row(user: User) -> dict[str, Any]:
    """What the admin's table shows of a user: plain values, never a credential. The role and
    status are English message ids (the rows are cached for every reader): shown with t()."""
    return {
        "id": str(user.id),
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": ROLE_LABELS.get(user.role, user.role),
        "active": user.is_active,
        "status": ACTIVE if user.is_active else DEACTIVATED,
        "created": user.created_at.strftime("%Y-%m-%d"),
    }


def list_users(
    *,
    actor: CurrentUser,
    search: str = "",
    role: str = "",
    status: str = "",
    sort: str = "name",
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """One page of the actor's school's users; cached per school and filters, so the Users page
    and the API share one cache (every administrator sees the same rows)."""
    require(actor, "users.read")
    params = {"search": search.strip(), "role": role, "status": status, "sort": sort, "page": page, "per_page": per_page}

    def compute() -> dict[str, Any]:
        with unit_of_work(actor) as session:
            found = query_users(session, search=search, role=role, status=status, sort=sort, page=page, per_page=per_page)
        return {"rows": found.rows, "total": found.total}

    result = cache.cached(actor.school_id, USER_TABLES, {"users": params}, compute)
    return Page(result["rows"], result["total"])


def query_users(
    session: Session,
    *,
    search: str = "",
    role: str = "",
    status: str = "",
    sort: str = "name",
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """One page of the session's school's users (RLS keeps it to that school), filtered by a
    search over name and email, a role and active/inactive; unknown filters are ignored."""
    query = select(User)
    if search.strip():
        pattern = like_pattern(search.strip())
        query = query.where(
            or_(col(User.full_name).ilike(pattern, escape="\\"), col(User.email).ilike(pattern, escape="\\"))
        )
    if role in ROLE_LABELS:
        query = query.where(User.role == role)
    if status in STATUSES:
        query = query.where(User.is_active == (status == "active"))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    orders: dict[str, list[Any]] = {
        "email": [func.lower(User.email)],
        "role": [col(User.role), func.lower(User.full_name)],
        "created": [col(User.created_at).desc()],
    }
    order = orders.get(sort, [func.lower(User.full_name)])
    per_page = min(max(per_page, 1), PER_PAGE_MAX)
    users = session.exec(
        query.order_by(*order, col(User.id)).offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    return Page([user_row(user) for user in users], total)


# --- validation -----------------------------------------------------------------------------


def normalise_role(role: str) -> str:
    """'School admin', 'school-admin' and 'SCHOOL_ADMIN' all mean school_admin."""
    return re.sub(r"[\s-]+", "_", role.strip().lower())


def field_problems(*, email: str, full_name: str, role: str, password: str | None = None) -> dict[str, str]:
    """What is wrong with these values, field by field, before the database is asked anything.
    `role` must be one a school may give (super_admin is not)."""
    problems: dict[str, str] = {}
    if not email:
        problems["email"] = _("Enter an email address.")
    elif len(email) > EMAIL_MAX or not validation.EMAIL.match(email):
        problems["email"] = _("Enter a valid email address, like name@school.ac.zw.")
    if not full_name:
        problems["full_name"] = _("Enter the person's full name.")
    elif len(full_name) > FULL_NAME_MAX:
        problems["full_name"] = format_message("Use at most {count} characters.", count=FULL_NAME_MAX)
    if role not in ROLE_LABELS:
        problems["role"] = format_message("Choose one of: {roles}.", roles=", ".join(_(label) for label in ROLE_LABELS.values()))
    if password:
        problem = password_problem(password, email=email)
        if problem:
            problems["password"] = problem
    return problems


def _email_taken(session: Session, email: str, *, except_id: UUID | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return session.exec(query.limit(1)).first() is not None


def _validated(
    session: Session, *, email: str, full_name: str, role: str, password: str | None = None, except_id: UUID | None = None
) -> tuple[str, str, Role]:
    email, full_name, role = email.strip().lower(), full_name.strip(), normalise_role(role)
    problems = field_problems(email=email, full_name=full_name, role=role, password=password)
    if "email" not in problems and _email_taken(session, email, except_id=except_id):
        problems["email"] = _(EMAIL_TAKEN)
    if problems:
        raise ValidationFailed(problems)
    return email, full_name, Role(role)


@contextmanager
def _unique_email() -> Iterator[None]:
    """Around a flush: two admins adding one email at the same instant meet the unique index
    there, and are told so in the form's own words rather than as a general conflict."""
    try:
        yield
    except IntegrityError as error:
        raise ValidationFailed({"email": _(EMAIL_TAKEN)}) from error


# --- one user at a time ---------------------------------------------------------------------


def _school_of(actor: CurrentUser) -> UUID:
    if actor.school_id is None:
        raise NotFound(_(NOT_FOUND))  # a platform account has no school's users to manage here
    return actor.school_id


def _get_user(session: Session, user_id: UUID | str) -> User:
    try:
        user = session.get(User, UUID(str(user_id)))
    except ValueError:
        user = None
    if user is None:
        raise NotFound(_(NOT_FOUND))
    return user


def _is_last_active_admin(session: Session, user: User) -> bool:
    """Is `user` the school's only active administrator? The admins' rows stay locked until
    commit, so two admins removing each other at the same moment cannot both succeed."""
    if user.role != Role.school_admin.value or not user.is_active:
        return False
    admin_ids = session.exec(
        select(User.id).where(User.role == Role.school_admin.value, col(User.is_active).is_(True)).with_for_update()
    ).all()
    return set(admin_ids) <= {user.id}


def add_user(
    *, actor: CurrentUser, email: str, full_name: str, role: str, password: str | None, ip: str
) -> UserPublic:
    """Add a user to the actor's school. Without a password they sign in once the admin has
    sent them a reset link."""
    require(actor, "users.create")
    school_id = _school_of(actor)
    with unit_of_work(actor) as session:
        email, full_name, school_role = _validated(session, email=email, full_name=full_name, role=role, password=password)
        with _unique_email():
            user = create_user(
                session, school_id=school_id, email=email, full_name=full_name, role=school_role, password=password or None
            )
        audit.record(
            session, school_id=school_id, action=audit.USER_CREATED, actor=actor.actor(ip), target=email,
            detail={"role": school_role.value},
        )
        return UserPublic.model_validate(user)


def update_user(
    *, actor: CurrentUser, user_id: UUID | str, email: str, full_name: str, role: str, ip: str
) -> UserPublic:
    """Change a user's email, name or role; a role change is audited on its own, with both roles."""
    require(actor, "users.update")
    school_id = _school_of(actor)
    with unit_of_work(actor) as session:
        user = _get_user(session, user_id)
        email, full_name, new_role = _validated(session, email=email, full_name=full_name, role=role, except_id=user.id)
        if new_role is not Role.school_admin and _is_last_active_admin(session, user):
            raise ValidationFailed({"role": _(LAST_ADMIN)})
        old_role = user.role
        values = {"email": (user.email, email), "full_name": (user.full_name, full_name), "role": (old_role, new_role.value)}
        changed = [name for name, (old, new) in values.items() if old != new]
        user.email, user.full_name, user.role = email, full_name, new_role
        with _unique_email():
            session.flush()
        who = actor.actor(ip)
        if changed:
            audit.record(session, school_id=school_id, action=audit.USER_UPDATED, actor=who, target=email, detail={"changed": changed})
        if "role" in changed:
            audit.record(
                session, school_id=school_id, action=audit.ROLE_CHANGED, actor=who, target=email,
                detail={"from": old_role, "to": new_role.value},
            )
        return UserPublic.model_validate(user)


def set_user_active(*, actor: CurrentUser, user_id: UUID | str, active: bool, ip: str) -> UserPublic:
    """Deactivate (which ends every sign-in of theirs at once) or reactivate a user. Nobody
    deactivates themself (they would lock themself out mid-task), nor the school's last admin."""
    require(actor, "users.update")
    school_id = _school_of(actor)
    with unit_of_work(actor) as session:
        user = _get_user(session, user_id)
        if user.is_active == active:
            return UserPublic.model_validate(user)
        if not active and user.id == actor.id:
            raise ValidationFailed({"form": _(NOT_YOURSELF)})
        if not active and _is_last_active_admin(session, user):
            raise ValidationFailed({"form": _(LAST_ADMIN)})
        user.is_active = active
        if not active:
            session.execute(
                update(RefreshToken)
                .where(col(RefreshToken.user_id) == user.id, col(RefreshToken.revoked_at).is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        action = audit.USER_REACTIVATED if active else audit.USER_DEACTIVATED
        audit.record(session, school_id=school_id, action=action, actor=actor.actor(ip), target=user.email)
        return UserPublic.model_validate(user)


def get_user(*, actor: CurrentUser, user_id: UUID | str) -> UserPublic:
    """One user of the actor's school; another school's id is simply not found."""
    require(actor, "users.read")
    _school_of(actor)
    with unit_of_work(actor) as session:
        return UserPublic.model_validate(_get_user(session, user_id))
