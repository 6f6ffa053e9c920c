"""Teachers and other staff as the school keeps them: their profile (department, job title,
employee number, phone), what they teach, and who may teach or lead a class.

`list_staff`, `departments` and `update_staff_profile` are the public calls (an actor, one unit of
work each, plain data back); the functions taking a `session` first serve other services."""

from typing import Any
from uuid import UUID

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from models import (
    Department,
    Duty,
    Role,
    SchoolClass,
    StaffProfile,
    Subject,
    TeachingAssignment,
    User,
)
from oneclass import validation
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import require
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page

STAFF_ROLES = (Role.teacher.value, Role.staff.value)
# Each role named in English, shown translated (`t()` on the page, `_()` in an export).
STAFF_ROLE_LABELS = {Role.teacher.value: N_("Teacher"), Role.staff.value: N_("Staff")}
# Who may teach a subject or lead a class (as `academics.set_teacher` and `add_class` check).
TEACHING_ROLES = (Role.teacher.value, Role.school_admin.value)
STAFF_UPDATED = "staff.updated"
DUTY_CHANGED = "staff.duty_changed"
NOT_FOUND = N_("No such teacher or staff member in this school.")
JOB_TITLE_MAX = 100
EMPLOYEE_NUMBER_MAX = 30


def subjects_taught(session: Session, teacher_ids: set[UUID]) -> dict[UUID, list[str]]:
    """Each teacher's subjects (from their teaching assignments), names in order, once each."""
    pairs = session.exec(
        select(TeachingAssignment.teacher_id, Subject.name)
        .join(Subject, col(Subject.id) == TeachingAssignment.subject_id)
        .where(col(TeachingAssignment.teacher_id).in_(teacher_ids or {UUID(int=0)}))
        .distinct()
        .order_by(Subject.name)
    ).all()
    taught: dict[UUID, list[str]] = {}
    for teacher_id, subject in pairs:
        taught.setdefault(teacher_id, []).append(subject)
    return taught


def _staff_row(user: User, profile: StaffProfile | None, department: str | None, subjects: list[str]) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "full_name": user.full_name,
        "email": user.email,
        "role_label": STAFF_ROLE_LABELS.get(user.role, user.role),
        "active": user.is_active,
        "department": department or "",
        "department_id": str(profile.department_id) if profile and profile.department_id else "",
        "job_title": (profile.job_title if profile else None) or "",
        "employee_number": (profile.employee_number if profile else None) or "",
        "phone": (profile.phone if profile else None) or "",
        "subjects": ", ".join(subjects),
        "is_staff": user.role == Role.staff.value,  # only staff may be given a duty
        "bursar": Duty.bursar.value in user.duties,
    }


def list_staff(*, actor: CurrentUser, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    """A page of the school's teachers and staff with their profiles, searched by name, email,
    employee number or job title."""
    require(actor, "users.read")
    with unit_of_work(actor) as session:
        return query_staff(session, search=search, page=page, per_page=per_page)


def query_staff(session: Session, *, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    query = (
        select(User, StaffProfile, Department.name)
        .outerjoin(StaffProfile, col(StaffProfile.user_id) == User.id)
        .outerjoin(Department, col(Department.id) == StaffProfile.department_id)
        .where(col(User.role).in_(STAFF_ROLES))
    )
    term = search.strip().lower()
    if term:
        query = query.where(
            or_(
                *(
                    func.lower(column).contains(term, autoescape=True)
                    for column in (User.full_name, User.email, StaffProfile.employee_number, StaffProfile.job_title)
                )
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    per_page = min(max(per_page, 1), 100)
    found = session.exec(
        query.order_by(func.lower(User.full_name), col(User.id)).offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    taught = subjects_taught(session, {user.id for user, _, _ in found})
    return Page([_staff_row(user, profile, department, taught.get(user.id, [])) for user, profile, department in found], total)


def departments(*, actor: CurrentUser) -> list[dict[str, str]]:
    """The school's departments, as the choices of the profile dialog."""
    require(actor, "users.read")
    with unit_of_work(actor) as session:
        return department_choices(session)


def department_choices(session: Session) -> list[dict[str, str]]:
    departments = session.exec(select(Department).order_by(Department.name)).all()
    return [{"value": str(department.id), "label": department.name} for department in departments]


def teacher_choices(session: Session) -> list[dict[str, str]]:
    """The active people who may teach a subject or lead a class, by name."""
    teachers = session.exec(
        select(User).where(col(User.role).in_(TEACHING_ROLES), col(User.is_active).is_(True)).order_by(func.lower(User.full_name))
    ).all()
    return [{"value": str(teacher.id), "label": teacher.full_name} for teacher in teachers]


def class_teaching(session: Session, class_id: UUID) -> list[dict[str, str]]:
    """Who teaches which subject to one class."""
    rows = session.exec(
        select(Subject.name, User.full_name)
        .select_from(TeachingAssignment)
        .join(Subject, col(Subject.id) == TeachingAssignment.subject_id)
        .join(User, col(User.id) == TeachingAssignment.teacher_id)
        .where(TeachingAssignment.class_id == class_id)
        .order_by(Subject.name)
    ).all()
    return [{"subject": subject, "teacher": teacher} for subject, teacher in rows]


def subjects_by_class(session: Session, teacher_id: UUID) -> dict[UUID, list[str]]:
    """The subjects one teacher teaches, class by class."""
    rows = session.exec(
        select(TeachingAssignment.class_id, Subject.name)
        .join(Subject, col(Subject.id) == TeachingAssignment.subject_id)
        .where(TeachingAssignment.teacher_id == teacher_id)
        .order_by(Subject.name)
    ).all()
    by_class: dict[UUID, list[str]] = {}
    for class_id, subject in rows:
        by_class.setdefault(class_id, []).append(subject)
    return by_class


def classes_led_by(session: Session, teacher_id: UUID) -> set[UUID]:
    return set(session.exec(select(SchoolClass.id).where(SchoolClass.class_teacher_id == teacher_id)).all())


def _as_uuid(value: UUID | str) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _clean_profile(
    session: Session, *, user_id: UUID, department_id: str, job_title: str, employee_number: str, phone: str
) -> dict[str, Any]:
    """The profile's validated columns, or every problem at once (by form field)."""
    errors: dict[str, str] = {}
    department = _as_uuid(department_id) if department_id else None
    if department_id and (department is None or session.get(Department, department) is None):
        errors["department"] = _("Choose one of your school's departments.")
    title = " ".join(job_title.split())
    if len(title) > JOB_TITLE_MAX:
        errors["job_title"] = format_message("Use at most {count} characters.", count=JOB_TITLE_MAX)
    number = employee_number.strip()
    if len(number) > EMPLOYEE_NUMBER_MAX:
        errors["employee_number"] = format_message("Use at most {count} characters.", count=EMPLOYEE_NUMBER_MAX)
    elif number and session.exec(
        select(StaffProfile.id).where(
            func.lower(StaffProfile.employee_number) == number.lower(), StaffProfile.user_id != user_id
        )
    ).first():
        errors["employee_number"] = _("Another member of staff has this employee number.")
    cleaned_phone = None
    if phone.strip():
        try:
            cleaned_phone = validation.phone(phone)
        except validation.InvalidValue as problem:
            errors["phone"] = str(problem)
    if errors:
        raise ValidationFailed(errors)
    return {"department_id": department, "job_title": title or None, "employee_number": number or None, "phone": cleaned_phone}


def update_staff_profile(
    *,
    actor: CurrentUser,
    user_id: UUID | str,
    department_id: str = "",
    job_title: str = "",
    employee_number: str = "",
    phone: str = "",
    bursar: bool | None = None,
    ip: str | None = None,
) -> None:
    """Set a teacher's or staff member's profile (creating it the first time); empty values
    clear a field. `bursar` gives or takes a staff member's bursar duty (None: as it is)."""
    require(actor, "users.update")
    with unit_of_work(actor) as session:
        profile = save_staff_profile(
            session, actor=actor, user_id=user_id, department_id=department_id, job_title=job_title,
            employee_number=employee_number, phone=phone, ip=ip,
        )
        if bursar is not None:
            _set_bursar_duty(session, actor=actor, user_id=profile.user_id, bursar=bursar, ip=ip)


def _set_bursar_duty(session: Session, *, actor: CurrentUser, user_id: UUID, bursar: bool, ip: str | None) -> None:
    """Give or take the bursar duty (fees: the cashier, invoices, arrears); a duty is for staff
    members only, and a change is audited. The user's next event sees it (the cached sign-in
    profile follows the users table's version)."""
    user = session.get(User, user_id)
    assert user is not None and actor.school_id is not None
    if bursar == (Duty.bursar.value in user.duties):
        return
    if bursar and user.role != Role.staff.value:
        raise ValidationFailed({"bursar": _("Only a staff member can be given the bursar duty.")})
    user.duties = sorted({*user.duties, Duty.bursar.value} if bursar else set(user.duties) - {Duty.bursar.value})
    session.add(user)
    audit.record(
        session, school_id=actor.school_id, action=DUTY_CHANGED, actor=actor.actor(ip), target=user.email,
        detail={"duty": Duty.bursar.value, "given": bursar},
    )
    session.flush()


def save_staff_profile(
    session: Session,
    *,
    actor: CurrentUser,
    user_id: UUID | str,
    department_id: str = "",
    job_title: str = "",
    employee_number: str = "",
    phone: str = "",
    ip: str | None = None,
) -> StaffProfile:
    """`update_staff_profile` inside the caller's transaction."""
    require(actor, "users.update")
    staff_id = _as_uuid(user_id)
    user = session.get(User, staff_id) if staff_id else None
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound(_(NOT_FOUND))
    values = _clean_profile(
        session, user_id=user.id, department_id=department_id, job_title=job_title, employee_number=employee_number, phone=phone
    )
    assert actor.school_id is not None
    profile = session.exec(select(StaffProfile).where(StaffProfile.user_id == user.id)).first()
    profile = profile or StaffProfile(school_id=actor.school_id, user_id=user.id)
    changed = [name for name, value in values.items() if getattr(profile, name) != value]
    for name, value in values.items():
        setattr(profile, name, value)
    session.add(profile)
    if changed:
        audit.record(
            session, school_id=actor.school_id, action=STAFF_UPDATED, actor=actor.actor(ip), target=user.email,
            detail={"changed": changed},
        )
    session.flush()
    return profile
