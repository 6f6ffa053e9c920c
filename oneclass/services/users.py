"""Users of a school, and the platform's super admins: listing, validating, creating (one at a
time or from a CSV file), editing and deactivating them.

The school admin's functions take the acting `CurrentUser`, check its permission and work in
that user's own school only: another school's user id looks exactly like one that does not exist.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from models import PlatformUser, RefreshToken, Role, User, UserPublic
from oneclass import validation
from oneclass.db import tenant_session
from oneclass.permissions import require
from oneclass.security import hash_password, password_problem
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page, like_pattern

SCHOOL_ROLES: tuple[Role, ...] = (Role.school_admin, Role.teacher, Role.student, Role.parent, Role.staff)
ROLE_LABELS: dict[str, str] = {role.value: role.value.replace("_", " ").capitalize() for role in SCHOOL_ROLES}
FULL_NAME_MAX = 200
EMAIL_MAX = 254
CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_ROWS = 2000
CSV_COLUMNS = ("email", "full_name", "role")
CSV_OPTIONAL_COLUMNS = ("password",)
STATUSES = ("active", "inactive")
PER_PAGE_MAX = 100
NOT_FOUND = "No such user in this school."
EMAIL_TAKEN = "Another user of this school already has this email address."
LAST_ADMIN = "This is the school's last active administrator. Make another user an administrator first."


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
    """What the admin's table shows of a user: plain values, never a credential."""
    return {
        "id": str(user.id),
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": ROLE_LABELS.get(user.role, user.role),
        "active": user.is_active,
        "status": "Active" if user.is_active else "Deactivated",
        "created": user.created_at.strftime("%Y-%m-%d"),
    }


def list_users(
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
    order = {
        "email": [func.lower(User.email)],
        "role": [col(User.role), func.lower(User.full_name)],
        "created": [col(User.created_at).desc()],
    }.get(sort, [func.lower(User.full_name)])
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
    """What is wrong with these values, field by field, before the database is asked anything."""
    problems: dict[str, str] = {}
    if not email:
        problems["email"] = "Enter an email address."
    elif len(email) > EMAIL_MAX or not validation.EMAIL.match(email):
        problems["email"] = "Enter a valid email address, like name@school.ac.zw."
    if not full_name:
        problems["full_name"] = "Enter the person's full name."
    elif len(full_name) > FULL_NAME_MAX:
        problems["full_name"] = f"Use at most {FULL_NAME_MAX} characters."
    if role not in ROLE_LABELS:
        problems["role"] = "Choose one of: " + ", ".join(ROLE_LABELS.values()) + "."
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
        problems["email"] = EMAIL_TAKEN
    if problems:
        raise ValidationFailed(problems)
    return email, full_name, Role(role)


def _commit(session: Session) -> None:
    """Commit; two admins adding one email at the same instant meet the unique index here."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ValidationFailed({"email": EMAIL_TAKEN}) from error


# --- one user at a time ---------------------------------------------------------------------


def _school_of(actor: CurrentUser) -> UUID:
    if actor.school_id is None:
        raise NotFound(NOT_FOUND)  # a platform account has no school's users to manage here
    return actor.school_id


def _get_user(session: Session, user_id: UUID | str) -> User:
    try:
        user = session.get(User, UUID(str(user_id)))
    except ValueError:
        user = None
    if user is None:
        raise NotFound(NOT_FOUND)
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
    with tenant_session(school_id) as session:
        email, full_name, school_role = _validated(session, email=email, full_name=full_name, role=role, password=password)
        user = create_user(
            session, school_id=school_id, email=email, full_name=full_name, role=school_role, password=password or None
        )
        audit.record(
            session, school_id=school_id, action=audit.USER_CREATED, actor=actor.actor(ip), target=email,
            detail={"role": school_role.value},
        )
        public = UserPublic.model_validate(user)
        _commit(session)
    return public


def update_user(
    *, actor: CurrentUser, user_id: UUID | str, email: str, full_name: str, role: str, ip: str
) -> UserPublic:
    """Change a user's email, name or role; a role change is audited on its own, with both roles."""
    require(actor, "users.update")
    school_id = _school_of(actor)
    with tenant_session(school_id) as session:
        user = _get_user(session, user_id)
        email, full_name, new_role = _validated(session, email=email, full_name=full_name, role=role, except_id=user.id)
        if new_role is not Role.school_admin and _is_last_active_admin(session, user):
            raise ValidationFailed({"role": LAST_ADMIN})
        old_role = user.role
        values = {"email": (user.email, email), "full_name": (user.full_name, full_name), "role": (old_role, new_role.value)}
        changed = [name for name, (old, new) in values.items() if old != new]
        user.email, user.full_name, user.role = email, full_name, new_role
        who = actor.actor(ip)
        if changed:
            audit.record(session, school_id=school_id, action=audit.USER_UPDATED, actor=who, target=email, detail={"changed": changed})
        if "role" in changed:
            audit.record(
                session, school_id=school_id, action=audit.ROLE_CHANGED, actor=who, target=email,
                detail={"from": old_role, "to": new_role.value},
            )
        public = UserPublic.model_validate(user)
        _commit(session)
    return public


def set_user_active(*, actor: CurrentUser, user_id: UUID | str, active: bool, ip: str) -> UserPublic:
    """Deactivate (which ends every sign-in of theirs at once) or reactivate a user."""
    require(actor, "users.update")
    school_id = _school_of(actor)
    with tenant_session(school_id) as session:
        user = _get_user(session, user_id)
        if user.is_active == active:
            return UserPublic.model_validate(user)
        if not active and _is_last_active_admin(session, user):
            raise ValidationFailed({"form": LAST_ADMIN})
        user.is_active = active
        if not active:
            session.execute(
                update(RefreshToken)
                .where(col(RefreshToken.user_id) == user.id, col(RefreshToken.revoked_at).is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        action = audit.USER_REACTIVATED if active else audit.USER_DEACTIVATED
        audit.record(session, school_id=school_id, action=action, actor=actor.actor(ip), target=user.email)
        public = UserPublic.model_validate(user)
        session.commit()
    return public


# --- many users from a CSV file -------------------------------------------------------------


@dataclass(frozen=True)
class CsvPreview:
    """What an import would do: one row per data line (never its password), each with its
    problems; `problems` are about the file as a whole (size, encoding, header)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.problems) + sum(1 for row in self.rows if row["error"])

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if not row["error"])

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.valid_count > 0


@dataclass(frozen=True)
class _CsvLine:
    number: int  # as a spreadsheet numbers it: the header is row 1
    email: str
    full_name: str
    role: str
    password: str
    errors: dict[str, str]


def _read_csv(content: bytes) -> tuple[list[tuple[int, dict[str | None, Any]]], list[str]]:
    """The file's records keyed by header, each with its row number as a spreadsheet shows it
    (the header is row 1), or why the file as a whole cannot be read."""
    if len(content) > CSV_MAX_BYTES:
        return [], [f"The file is larger than {CSV_MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."]
    try:
        text = content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\"."]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in CSV_COLUMNS if name not in header]
        unknown = [name for name in header if name not in CSV_COLUMNS + CSV_OPTIONAL_COLUMNS]
        if missing or unknown or len(set(header)) != len(header):
            return [], ["The first row must be the header: email,full_name,role (and optionally ,password)."]
        reader.fieldnames = header
        records = [
            (reader.line_num, record)
            for record in reader
            if any(value.strip() for value in record.values() if isinstance(value, str))
        ]
    except csv.Error as error:
        return [], [f"The file is not valid CSV: {error}."]
    if len(records) > CSV_MAX_ROWS:
        return [], [f"The file has more than {CSV_MAX_ROWS} users. Split it into smaller files."]
    if not records:
        return [], ["The file has a header but no users."]
    return records, []


def _check_csv(session: Session, content: bytes) -> tuple[list[_CsvLine], list[str]]:
    """Validate every line: its fields, duplicates within the file, and emails already taken."""
    records, problems = _read_csv(content)
    lines: list[_CsvLine] = []
    seen: dict[str, int] = {}
    emails = [str(record.get("email") or "").strip().lower() for _, record in records]
    taken = set(
        session.exec(select(func.lower(User.email)).where(func.lower(User.email).in_(emails))).all()
    ) if emails else set()
    for (number, record), email in zip(records, emails, strict=True):
        full_name = str(record.get("full_name") or "").strip()
        role = normalise_role(str(record.get("role") or ""))
        password = str(record.get("password") or "")
        errors = field_problems(email=email, full_name=full_name, role=role, password=password or None)
        if record.get(None):
            errors["form"] = "This row has more fields than the header."
        if "email" not in errors:
            if email in taken:
                errors["email"] = EMAIL_TAKEN
            elif email in seen:
                errors["email"] = f"The same email is also on row {seen[email]}."
        seen.setdefault(email, number)
        lines.append(_CsvLine(number, email, full_name, role, password, errors))
    return lines, problems


def _preview_of(lines: list[_CsvLine], problems: list[str]) -> CsvPreview:
    rows = [
        {
            "row": line.number,
            "email": line.email,
            "full_name": line.full_name,
            "role": ROLE_LABELS.get(line.role, line.role),
            "password": "Yes" if line.password else "No",
            "error": " ".join(line.errors.values()),
        }
        for line in lines
    ]
    return CsvPreview(rows, problems)


def preview_user_csv(*, actor: CurrentUser, content: bytes) -> CsvPreview:
    """Read and check an upload without writing anything, so the admin sees every problem
    (with its row number) before deciding to import."""
    require(actor, "users.create")
    with tenant_session(_school_of(actor)) as session:
        return _preview_of(*_check_csv(session, content))


def import_user_csv(*, actor: CurrentUser, content: bytes, ip: str) -> int:
    """Create every user of the file in one transaction, or none: the file is checked again
    inside that transaction, and any problem refuses the whole file. Returns how many."""
    require(actor, "users.create")
    school_id = _school_of(actor)
    with tenant_session(school_id) as session:
        lines, problems = _check_csv(session, content)
        preview = _preview_of(lines, problems)
        if not preview.ok:
            raise ValidationFailed({"form": f"The file has {preview.error_count} problem(s); nothing was imported."})
        who = actor.actor(ip)
        for line in lines:
            create_user(
                session, school_id=school_id, email=line.email, full_name=line.full_name, role=Role(line.role),
                password=line.password or None,
            )
            audit.record(
                session, school_id=school_id, action=audit.USER_CREATED, actor=who, target=line.email,
                detail={"role": line.role, "source": "csv"},
            )
        _commit(session)
    return len(lines)


def get_user(*, actor: CurrentUser, user_id: UUID | str) -> UserPublic:
    """One user of the actor's school; another school's id is simply not found."""
    require(actor, "users.read")
    with tenant_session(_school_of(actor)) as session:
        return UserPublic.model_validate(_get_user(session, user_id))
