"""Students and their guardians: admission, validation of Zimbabwean identifiers, status
history, who may see what (medical notes: admins and the class teacher only), photos.

The public functions (an `actor` and no session) are what states and API routes call: each checks
the permission, runs in one unit of work and returns plain data. The functions that take a
`session` first are the parts other services (imports, promotion, the demo seed) build on; they
never commit.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from models import (
    AcademicYear,
    ContactPreference,
    EmergencyContact,
    Enrolment,
    Gender,
    Guardian,
    Role,
    SchoolClass,
    Student,
    StudentGuardian,
    StudentStatus,
    StudentStatusChange,
    TeachingAssignment,
    User,
)
from oneclass import cache, storage, validation
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import PermissionDenied, can, require
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page, like_pattern
from oneclass.services.users import create_user

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {"image/png", "image/jpeg", "image/webp"}
STUDENT_ADDED = "student.created"
STUDENT_UPDATED = "student.updated"
STUDENT_STATUS_CHANGED = "student.status_changed"
ADMISSION_TAKEN = N_("Another student has this admission number.")
# The reason stored with an admission: data, shown translated by the page (like any stored reason
# that is a message of the catalogue).
ADMITTED = N_("Admitted")

log = logging.getLogger(__name__)


@dataclass
class StudentInput:
    """A student as typed into a form or a file row (all text, validated here)."""

    admission_number: str
    first_name: str
    last_name: str
    date_of_birth: str
    gender: str
    birth_certificate_number: str = ""
    national_id: str = ""
    zimsec_candidate_number: str = ""
    home_language: str = ""
    address: str = ""
    medical_notes: str = ""


@dataclass
class GuardianInput:
    full_name: str
    phone: str
    relationship: str
    email: str = ""
    contact_preference: str = "sms"


@dataclass
class EmergencyContactInput:
    name: str
    relationship: str
    phone: str


def _check(errors: dict[str, str], key: str, check: Any, value: str, **kwargs: Any) -> Any:
    """Run one validator; collect its message under `key` instead of stopping at the first."""
    try:
        return check(value, **kwargs)
    except validation.InvalidValue as problem:
        errors[key] = str(problem)
        return None


def _optional(errors: dict[str, str], key: str, check: Any, value: str) -> str | None:
    return _check(errors, key, check, value) if value.strip() else None


def clean_student(data: StudentInput, errors: dict[str, str]) -> dict[str, Any]:
    """The validated, normalised columns of a student; problems go into `errors` by field."""
    values = {
        "admission_number": _check(errors, "admission_number", validation.required_text, data.admission_number, label=N_("Admission number"), max_length=30),
        "first_name": _check(errors, "first_name", validation.required_text, data.first_name, label=N_("First name"), max_length=100),
        "last_name": _check(errors, "last_name", validation.required_text, data.last_name, label=N_("Last name"), max_length=100),
        "date_of_birth": _check(errors, "date_of_birth", validation.date_of_birth, data.date_of_birth),
        "birth_certificate_number": _optional(errors, "birth_certificate_number", validation.national_id, data.birth_certificate_number),
        "national_id": _optional(errors, "national_id", validation.national_id, data.national_id),
        "zimsec_candidate_number": _optional(errors, "zimsec_candidate_number", validation.zimsec_candidate_number, data.zimsec_candidate_number),
        "home_language": " ".join(data.home_language.split()) or None,
        "address": data.address.strip() or None,
        "medical_notes": data.medical_notes.strip() or None,
    }
    gender = data.gender.strip().lower()
    gender = {"f": "female", "m": "male"}.get(gender, gender)
    if gender not in Gender.__members__:
        errors["gender"] = _("Choose female or male.")
    values["gender"] = gender
    return values


def clean_guardian(data: GuardianInput, errors: dict[str, str], prefix: str = "guardian_") -> dict[str, Any]:
    values = {
        "full_name": _check(errors, f"{prefix}full_name", validation.required_text, data.full_name, label=N_("Guardian's name")),
        "phone": _check(errors, f"{prefix}phone", validation.phone, data.phone),
        "email": _optional(errors, f"{prefix}email", validation.email, data.email),
        "relationship": _check(errors, f"{prefix}relationship", validation.required_text, data.relationship, label=N_("Relationship"), max_length=40),
    }
    preference = data.contact_preference.strip().lower() or "sms"
    if preference not in ContactPreference.__members__:
        errors[f"{prefix}contact_preference"] = _("Choose SMS, WhatsApp or email.")
    elif preference == "email" and not values["email"]:
        errors[f"{prefix}email"] = _("Give an email address to be contacted by email.")
    values["contact_preference"] = preference
    return values


def admission_number_taken(session: Session, admission_number: str, *, except_id: UUID | None = None) -> bool:
    query = select(Student.id).where(func.lower(Student.admission_number) == admission_number.lower())
    if except_id:
        query = query.where(Student.id != except_id)
    return session.exec(query).first() is not None


def _record_status(session: Session, actor: CurrentUser, student: Student, old: str | None, reason: str | None) -> None:
    assert actor.school_id is not None
    session.add(
        StudentStatusChange(
            school_id=actor.school_id, student_id=student.id, from_status=old, to_status=student.status, reason=reason, changed_by=actor.id
        )
    )


def find_or_add_guardian(session: Session, *, actor: CurrentUser, values: dict[str, Any]) -> tuple[Guardian, bool]:
    """The school's guardian with this parent login (by email) or phone number, or a new one.
    A guardian with an email gets a parent login (or is linked to the existing one); returns
    (guardian, login_created)."""
    assert actor.school_id is not None
    user = session.exec(select(User).where(func.lower(User.email) == values["email"])).first() if values["email"] else None
    guardian = session.exec(select(Guardian).where(Guardian.user_id == user.id)).first() if user else None
    guardian = guardian or session.exec(select(Guardian).where(Guardian.phone == values["phone"])).first()
    if guardian is None:
        guardian = Guardian(
            school_id=actor.school_id,
            full_name=values["full_name"],
            phone=values["phone"],
            email=values["email"],
            contact_preference=ContactPreference(values["contact_preference"]),
        )
        session.add(guardian)
        session.flush()
    login_created = False
    if guardian.user_id is None and values["email"]:
        if user is None:
            user = create_user(session, school_id=actor.school_id, email=values["email"], full_name=values["full_name"], role=Role.parent)
            login_created = True
        if user.role == Role.parent:
            guardian.user_id = user.id
            session.add(guardian)
            session.flush()
    return guardian, login_created


def link_guardian(session: Session, *, actor: CurrentUser, student_id: UUID, guardian_id: UUID, relationship: str, primary: bool) -> None:
    assert actor.school_id is not None
    exists = session.exec(
        select(StudentGuardian).where(StudentGuardian.student_id == student_id, StudentGuardian.guardian_id == guardian_id)
    ).first()
    if exists is None:
        session.add(
            StudentGuardian(school_id=actor.school_id, student_id=student_id, guardian_id=guardian_id, relationship=relationship, is_primary=primary)
        )
        session.flush()


@dataclass
class AdmissionResult:
    student_id: UUID
    full_name: str
    new_parent_logins: list[UUID] = field(default_factory=list)  # users who need a set-password link


def add_student(
    *,
    actor: CurrentUser,
    data: StudentInput,
    guardians: Sequence[GuardianInput] = (),
    contacts: Sequence[EmergencyContactInput] = (),
    class_id: UUID | None = None,
    ip: str | None = None,
) -> AdmissionResult:
    """Admit a student with guardians and emergency contacts, all or nothing."""
    require(actor, "students.create")
    with unit_of_work(actor) as session:
        return admit(session, actor=actor, data=data, guardians=guardians, contacts=contacts, class_id=class_id, ip=ip)


def admit(
    session: Session,
    *,
    actor: CurrentUser,
    data: StudentInput,
    guardians: Sequence[GuardianInput] = (),
    contacts: Sequence[EmergencyContactInput] = (),
    class_id: UUID | None = None,
    ip: str | None = None,
) -> AdmissionResult:
    """Admission inside the caller's transaction (the demo seed admits hundreds in one)."""
    require(actor, "students.create")
    errors: dict[str, str] = {}
    values = clean_student(data, errors)
    guardian_values = [clean_guardian(g, errors, prefix=f"guardian{i}_") for i, g in enumerate(guardians)]
    contact_values = [
        {
            "name": _check(errors, f"contact{i}_name", validation.required_text, c.name, label=N_("Contact's name")),
            "relationship": _check(errors, f"contact{i}_relationship", validation.required_text, c.relationship, label=N_("Relationship"), max_length=40),
            "phone": _check(errors, f"contact{i}_phone", validation.phone, c.phone),
        }
        for i, c in enumerate(contacts)
    ]
    if values["admission_number"] and admission_number_taken(session, values["admission_number"]):
        errors["admission_number"] = _(ADMISSION_TAKEN)
    if class_id and session.get(SchoolClass, class_id) is None:
        errors["class"] = _("Choose one of your school's classes.")
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    student = Student(school_id=actor.school_id, **values)
    session.add(student)
    session.flush()
    _record_status(session, actor, student, None, ADMITTED)
    result = AdmissionResult(student.id, student.full_name)
    for index, guardian_value in enumerate(guardian_values):
        guardian, login_created = find_or_add_guardian(session, actor=actor, values=guardian_value)
        link_guardian(session, actor=actor, student_id=student.id, guardian_id=guardian.id, relationship=guardian_value["relationship"], primary=index == 0)
        if login_created and guardian.user_id:
            result.new_parent_logins.append(guardian.user_id)
    for contact in contact_values:
        session.add(EmergencyContact(school_id=actor.school_id, student_id=student.id, **contact))
    if class_id:
        enrol(session, actor=actor, student_id=student.id, class_id=class_id)
    audit.record(session, school_id=actor.school_id, action=STUDENT_ADDED, actor=actor.actor(ip), target=student.admission_number)
    session.flush()
    return result


def update_student(*, actor: CurrentUser, student_id: UUID, data: StudentInput, ip: str | None = None) -> str:
    """Save a student's details; returns their name as saved."""
    require(actor, "students.update")
    with unit_of_work(actor) as session:
        student = _student(session, student_id)
        _update(session, actor, student, data, ip)
        return student.full_name


def _student(session: Session, student_id: UUID) -> Student:
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("No such student in this school."))
    return student


def _update(session: Session, actor: CurrentUser, student: Student, data: StudentInput, ip: str | None) -> None:
    errors: dict[str, str] = {}
    values = clean_student(data, errors)
    if values["admission_number"] and admission_number_taken(session, values["admission_number"], except_id=student.id):
        errors["admission_number"] = _(ADMISSION_TAKEN)
    if errors:
        raise ValidationFailed(errors)
    for name, value in values.items():
        setattr(student, name, value)
    session.add(student)
    assert actor.school_id is not None
    audit.record(session, school_id=actor.school_id, action=STUDENT_UPDATED, actor=actor.actor(ip), target=student.admission_number)
    session.flush()


def change_status(*, actor: CurrentUser, student_id: UUID, status: str, reason: str = "", ip: str | None = None) -> str:
    """Move a student to another status (enrolled, transferred, graduated, left), with the reason
    in their history; returns their name."""
    require(actor, "students.update")
    if status not in StudentStatus.__members__:
        raise ValidationFailed({"status": _("Choose enrolled, transferred, graduated or left.")})
    with unit_of_work(actor) as session:
        student = record_status_change(session, actor=actor, student_id=student_id, status=StudentStatus(status), reason=reason, ip=ip)
        return student.full_name


def record_status_change(
    session: Session, *, actor: CurrentUser, student_id: UUID, status: StudentStatus, reason: str = "", ip: str | None = None
) -> Student:
    require(actor, "students.update")
    student = _student(session, student_id)
    old = student.status
    if old == status:
        return student
    student.status = status
    session.add(student)
    _record_status(session, actor, student, old, reason.strip() or None)
    assert actor.school_id is not None
    audit.record(
        session, school_id=actor.school_id, action=STUDENT_STATUS_CHANGED, actor=actor.actor(ip),
        target=student.admission_number, detail={"from": old, "to": status.value},
    )
    session.flush()
    return student


def status_history(session: Session, student_id: UUID) -> list[dict[str, str]]:
    changes = session.exec(
        select(StudentStatusChange).where(StudentStatusChange.student_id == student_id).order_by(col(StudentStatusChange.changed_at).desc())
    ).all()
    return [
        {"when": c.changed_at.strftime("%Y-%m-%d"), "from": c.from_status or "", "to": c.to_status, "reason": c.reason or ""}
        for c in changes
    ]


# --- who may see which students and classes -----------------------------------------------
# One rule each, used by the lists, the profiles, the teacher's and parent's pages and the API.

SEES_EVERY_STUDENT = "students.update"  # the school's administrators


def visibility_key(actor: CurrentUser) -> str:
    """What a cached result's visibility depends on: one key for every administrator (they see
    the same rows), the user's own id for everyone else."""
    return "all" if can(actor, SEES_EVERY_STUDENT) else f"user:{actor.id}"


def visible_student_ids(session: Session, actor: CurrentUser) -> set[UUID] | None:
    """None: every student of the school (admins). Otherwise the only students the actor may
    see: a teacher's classes, a parent's children, a student themself."""
    if can(actor, SEES_EVERY_STUDENT):
        return None
    if actor.role == Role.teacher:
        class_ids = class_ids_taught_by(session, actor.id)
        return set(session.exec(select(Enrolment.student_id).where(col(Enrolment.class_id).in_(class_ids or {UUID(int=0)}))).all())
    if actor.role == Role.parent:
        return {s.id for s in children_of(session, user_id=actor.id)}
    if actor.role == Role.student:
        return set(session.exec(select(Student.id).where(Student.user_id == actor.id)).all())
    return set()


def visible_class_ids(session: Session, actor: CurrentUser) -> set[UUID] | None:
    """None: every class (admins). Otherwise the classes the actor may see: those a teacher
    teaches or leads, a parent's children's, a student's own."""
    if can(actor, SEES_EVERY_STUDENT):
        return None
    if actor.role == Role.teacher:
        return class_ids_taught_by(session, actor.id)
    students = visible_student_ids(session, actor) or {UUID(int=0)}
    return set(session.exec(select(Enrolment.class_id).where(col(Enrolment.student_id).in_(students))).all())


def current_year_id(session: Session) -> UUID | None:
    return session.exec(select(AcademicYear.id).where(AcademicYear.is_current)).first()


def may_see_medical(session: Session, actor: CurrentUser, student_id: UUID) -> bool:
    """Medical notes and emergency contacts: admins, and the class teacher of the student's class."""
    if can(actor, "students.update"):
        return True
    return session.exec(
        select(SchoolClass.id)
        .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
        .where(Enrolment.student_id == student_id, SchoolClass.class_teacher_id == actor.id)
    ).first() is not None


def children_of(session: Session, *, user_id: UUID) -> list[Student]:
    return list(
        session.exec(
            select(Student)
            .join(StudentGuardian, col(StudentGuardian.student_id) == Student.id)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .where(Guardian.user_id == user_id)
            .order_by(Student.first_name)
        ).all()
    )


SORTS: dict[str, tuple[Any, ...]] = {
    "name": (col(Student.last_name), col(Student.first_name)),
    "admission": (col(Student.admission_number),),
    "newest": (col(Student.created_at).desc(),),
}


# Every table a student list or profile reads: a committed write to any of them shows at once.
STUDENT_TABLES = (
    "students", "enrolments", "classes", "academic_years", "student_guardians", "guardians", "teaching_assignments",
    "student_status_changes", "emergency_contacts",
)


def _may_list_students(actor: CurrentUser) -> None:
    # Parents and students see their own through the same list; `visible_student_ids` narrows it.
    if not (can(actor, "students.read") or actor.role in (Role.parent, Role.student)):
        raise PermissionDenied("students.read")


def list_students(
    *,
    actor: CurrentUser,
    search: str = "",
    class_id: UUID | None = None,
    status: str = "",
    sort: str = "name",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """A page of the students the actor may see, with their class this year; cached per school,
    filters and visibility, so the pages and the API share one cache."""
    _may_list_students(actor)
    params = {"search": search.strip(), "class_id": str(class_id or ""), "status": status, "sort": sort, "page": page, "per_page": per_page}

    def compute() -> dict[str, Any]:
        with unit_of_work(actor) as session:
            found = query_students(session, actor=actor, search=search, class_id=class_id, status=status, sort=sort, page=page, per_page=per_page)
        return {"rows": found.rows, "total": found.total}

    result = cache.cached(actor.school_id, STUDENT_TABLES, {"list": params, "who": visibility_key(actor)}, compute)
    return Page(result["rows"], result["total"])


def query_students(
    session: Session,
    *,
    actor: CurrentUser,
    search: str = "",
    class_id: UUID | None = None,
    status: str = "",
    sort: str = "name",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    _may_list_students(actor)
    # Only this year's enrolment: after a promotion a student has one per year.
    enrolment = and_(col(Enrolment.student_id) == Student.id, col(Enrolment.academic_year_id) == current_year_id(session))
    query = select(Student, SchoolClass.name).outerjoin(Enrolment, enrolment).outerjoin(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
    visible = visible_student_ids(session, actor)
    if visible is not None:
        query = query.where(col(Student.id).in_(visible or {UUID(int=0)}))
    if search.strip():
        pattern = like_pattern(search.strip())
        query = query.where(
            or_(
                col(Student.first_name).ilike(pattern, escape="\\"),
                col(Student.last_name).ilike(pattern, escape="\\"),
                col(Student.admission_number).ilike(pattern, escape="\\"),
                (col(Student.first_name) + " " + col(Student.last_name)).ilike(pattern, escape="\\"),
            )
        )
    if class_id:
        query = query.where(Enrolment.class_id == class_id)
    if status:
        query = query.where(Student.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*SORTS.get(sort, SORTS["name"])).offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return Page(
        [
            {
                "id": str(student.id),
                "admission_number": student.admission_number,
                "name": student.full_name,
                "gender": student.gender,
                "date_of_birth": student.date_of_birth.isoformat(),
                "class": class_name or "",
                "status": student.status,
            }
            for student, class_name in rows
        ],
        total,
    )


def _visible_student(session: Session, actor: CurrentUser, student_id: UUID) -> Student:
    visible = visible_student_ids(session, actor)
    student = session.get(Student, student_id)
    if student is None or (visible is not None and student_id not in visible):
        raise NotFound(_("No such student, or not one of yours."))
    return student


def student_profile(*, actor: CurrentUser, student_id: UUID) -> dict[str, Any]:
    """Everything the actor may see of one student (medical details only when allowed); cached
    like the lists."""
    _may_list_students(actor)

    def compute() -> dict[str, Any]:
        with unit_of_work(actor) as session:
            return profile_of(session, actor=actor, student_id=student_id)

    return cache.cached(actor.school_id, STUDENT_TABLES, {"one": str(student_id), "who": visibility_key(actor)}, compute)


def student_with_photo(*, actor: CurrentUser, student_id: UUID) -> tuple[dict[str, Any], tuple[bytes, str] | None]:
    """A profile page's whole load, in one transaction: the profile and the photo (or None)."""
    _may_list_students(actor)
    with unit_of_work(actor) as session:
        return profile_of(session, actor=actor, student_id=student_id), _photo(session, actor, student_id)


def profile_of(session: Session, *, actor: CurrentUser, student_id: UUID) -> dict[str, Any]:
    student = _visible_student(session, actor, student_id)
    guardians = session.exec(
        select(Guardian, StudentGuardian.relationship)
        .join(StudentGuardian, col(StudentGuardian.guardian_id) == Guardian.id)
        .where(StudentGuardian.student_id == student_id)
    ).all()
    class_name = session.exec(
        select(SchoolClass.name)
        .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
        .where(Enrolment.student_id == student_id, Enrolment.academic_year_id == current_year_id(session))
    ).first()
    profile: dict[str, Any] = {
        "id": str(student.id),
        "admission_number": student.admission_number,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "name": student.full_name,
        "date_of_birth": student.date_of_birth.isoformat(),
        "gender": student.gender,
        "birth_certificate_number": student.birth_certificate_number or "",
        "national_id": student.national_id or "",
        "zimsec_candidate_number": student.zimsec_candidate_number or "",
        "home_language": student.home_language or "",
        "address": student.address or "",
        "status": student.status,
        "class": class_name or "",
        "has_photo": student.photo_key is not None,
        "guardians": [
            {"name": g.full_name, "relationship": relationship, "phone": g.phone, "email": g.email or "", "preference": g.contact_preference}
            for g, relationship in guardians
        ],
        "history": status_history(session, student_id),
        "can_see_medical": False,
        "medical_notes": "",
        "emergency_contacts": [],
    }
    if may_see_medical(session, actor, student_id):
        contacts = session.exec(select(EmergencyContact).where(EmergencyContact.student_id == student_id)).all()
        profile["can_see_medical"] = True
        profile["medical_notes"] = student.medical_notes or ""
        profile["emergency_contacts"] = [{"name": c.name, "relationship": c.relationship, "phone": c.phone} for c in contacts]
    return profile


def set_photo(*, actor: CurrentUser, student_id: UUID, content: bytes, content_type: str) -> None:
    require(actor, "students.update")
    if content_type not in PHOTO_TYPES:
        raise ValidationFailed({"photo": _("Upload a PNG, JPEG or WebP image.")})
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationFailed({"photo": format_message("The photo must be {size} MB or smaller.", size=MAX_PHOTO_BYTES // (1024 * 1024))})
    assert actor.school_id is not None
    key = storage.photo_key(actor.school_id, student_id, content)
    with unit_of_work(actor) as session:
        student = _student(session, student_id)
        # The file first: a row never names a file that is not there (a refused commit leaves an
        # unnamed file, which is only space).
        storage.put(actor, key, content, content_type)
        replaced = student.photo_key if student.photo_key != key else None
        student.photo_key, student.photo_type = key, content_type
        session.add(student)
    if replaced:
        storage.delete(actor, replaced)


def student_photo(*, actor: CurrentUser, student_id: UUID) -> tuple[bytes, str] | None:
    """The photo and its content type, for whoever may see the student; None when there is none."""
    _may_list_students(actor)
    with unit_of_work(actor) as session:
        return _photo(session, actor, student_id)


def _photo(session: Session, actor: CurrentUser, student_id: UUID) -> tuple[bytes, str] | None:
    student = _visible_student(session, actor, student_id)
    if not student.photo_key:
        return None
    try:
        return storage.get(actor, student.photo_key), student.photo_type or "image/png"
    except NotFound:
        log.warning("student %s: photo %s is missing from storage", student_id, student.photo_key)
        return None


# --- classes: who is in them, who teaches them -------------------------------------------


def class_ids_taught_by(session: Session, teacher_id: UUID) -> set[UUID]:
    """Classes a teacher teaches a subject in, or is class teacher of."""
    taught = set(session.exec(select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == teacher_id)).all())
    led = set(session.exec(select(SchoolClass.id).where(SchoolClass.class_teacher_id == teacher_id)).all())
    return taught | led


def class_full(school_class: SchoolClass) -> str:
    return format_message("{name} is full ({capacity} students).", name=school_class.name, capacity=school_class.capacity)


def enrol(session: Session, *, actor: CurrentUser, student_id: UUID, class_id: UUID) -> Enrolment:
    """Put a student in a class for that class's year (moving them if already in another)."""
    require(actor, "students.update")
    school_class = session.get(SchoolClass, class_id)
    if school_class is None or session.get(Student, student_id) is None:
        raise NotFound(_("No such student or class."))
    enrolled = session.exec(select(func.count()).select_from(Enrolment).where(Enrolment.class_id == class_id)).one()
    current = session.exec(
        select(Enrolment).where(Enrolment.student_id == student_id, Enrolment.academic_year_id == school_class.academic_year_id)
    ).first()
    if (current is None or current.class_id != class_id) and enrolled >= school_class.capacity:
        raise ValidationFailed({"class": class_full(school_class)})
    assert actor.school_id is not None
    enrolment = current or Enrolment(
        school_id=actor.school_id, student_id=student_id, class_id=class_id, academic_year_id=school_class.academic_year_id
    )
    enrolment.class_id = class_id
    session.add(enrolment)
    session.flush()
    return enrolment
