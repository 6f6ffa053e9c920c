"""The academic structure: years and terms, departments, subjects (with the ZIMSEC list),
classes, teaching assignments, and promoting a class at year end."""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

from sqlmodel import Session, col, func, select

from models import (
    GRADE_LEVEL_NAMES,
    PRIMARY_LEVELS,
    SECONDARY_LEVELS,
    AcademicYear,
    Department,
    Enrolment,
    GradeLevel,
    SchoolClass,
    SchoolLevel,
    Student,
    StudentStatus,
    Subject,
    SubjectLevel,
    TeachingAssignment,
    Term,
    User,
)
from oneclass.db import unit_of_work
from oneclass.permissions import PermissionDenied, can, require
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import like_pattern
from oneclass.services.students import record_status_change, visible_class_ids

ZIMSEC_SUBJECTS_FILE = Path(__file__).resolve().parent.parent / "data" / "zimsec_subjects.csv"


def grade_levels_for(school_level: str) -> list[GradeLevel]:
    """Which grade levels a school has: primary (ECD A to Grade 7), secondary (Form 1 to 6)."""
    if school_level == SchoolLevel.primary:
        return list(PRIMARY_LEVELS)
    if school_level == SchoolLevel.secondary:
        return list(SECONDARY_LEVELS)
    return [*PRIMARY_LEVELS, *SECONDARY_LEVELS]


def next_grade_level(level: GradeLevel) -> GradeLevel | None:
    """The level a class moves up to; None after Grade 7, Form 4 and Form 6 (the exam years)."""
    order = [*PRIMARY_LEVELS, *SECONDARY_LEVELS]
    if level in (GradeLevel.G7, GradeLevel.F4, GradeLevel.F6):
        return None
    return order[order.index(level) + 1]


# --- years and terms ------------------------------------------------------------------------


@dataclass(frozen=True)
class TermDates:
    starts_on: date
    ends_on: date


def validate_year(name: str, starts_on: date, ends_on: date, terms: list[TermDates]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the year a name, e.g. 2027."
    if starts_on >= ends_on:
        errors["ends_on"] = "The year must end after it starts."
    if len(terms) != 3:
        errors["terms"] = "A year has three terms."
        return errors
    previous_end = starts_on
    for number, term in enumerate(terms, start=1):
        if term.starts_on >= term.ends_on:
            errors[f"term{number}"] = f"Term {number} must end after it starts."
        elif term.starts_on < previous_end or term.ends_on > ends_on:
            errors[f"term{number}"] = f"Term {number} must fall inside the year, after term {number - 1}."
        previous_end = term.ends_on
    return errors


def create_academic_year(
    session: Session, *, actor: CurrentUser, name: str, starts_on: date, ends_on: date, terms: list[TermDates], current: bool = False
) -> AcademicYear:
    require(actor, "school.update")
    errors = validate_year(name, starts_on, ends_on, terms)
    if session.exec(select(AcademicYear).where(AcademicYear.name == name.strip())).first():
        errors["name"] = "There is already a year with this name."
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    year = AcademicYear(school_id=actor.school_id, name=name.strip(), starts_on=starts_on, ends_on=ends_on)
    session.add(year)
    session.flush()
    for number, term in enumerate(terms, start=1):
        session.add(Term(school_id=actor.school_id, academic_year_id=year.id, number=number, starts_on=term.starts_on, ends_on=term.ends_on))
    if current:
        set_current_year(session, actor=actor, year_id=year.id)
    session.flush()
    return year


def set_current_year(session: Session, *, actor: CurrentUser, year_id: UUID) -> None:
    require(actor, "school.update")
    target = session.get(AcademicYear, year_id)
    if target is None:
        raise NotFound("No such academic year.")
    for year in session.exec(select(AcademicYear)).all():
        year.is_current = year.id == year_id
    session.flush()


def current_year(session: Session) -> AcademicYear | None:
    return session.exec(select(AcademicYear).where(AcademicYear.is_current)).first()


def list_years(session: Session) -> list[dict[str, object]]:
    years = session.exec(select(AcademicYear).order_by(col(AcademicYear.starts_on).desc())).all()
    terms = session.exec(select(Term).order_by(Term.number)).all()
    return [
        {
            "id": str(year.id),
            "name": year.name,
            "starts_on": year.starts_on.isoformat(),
            "ends_on": year.ends_on.isoformat(),
            "is_current": year.is_current,
            "terms": [
                f"Term {t.number}: {t.starts_on.isoformat()} to {t.ends_on.isoformat()}"
                for t in terms
                if t.academic_year_id == year.id
            ],
        }
        for year in years
    ]


# --- departments and subjects ---------------------------------------------------------------


def create_department(session: Session, *, actor: CurrentUser, name: str) -> Department:
    require(actor, "department.create")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed({"name": "Name the department."})
    if session.exec(select(Department).where(func.lower(Department.name) == cleaned.lower())).first():
        raise ValidationFailed({"name": "There is already a department with this name."})
    assert actor.school_id is not None
    department = Department(school_id=actor.school_id, name=cleaned)
    session.add(department)
    session.flush()
    return department


def zimsec_subjects() -> list[tuple[str, str, SubjectLevel]]:
    """The ZIMSEC subject list that ships as data: (code, name, level)."""
    with ZIMSEC_SUBJECTS_FILE.open(newline="") as handle:
        return [(row["code"], row["name"], SubjectLevel(row["level"])) for row in csv.DictReader(handle)]


def create_subject(session: Session, *, actor: CurrentUser, code: str, name: str, level: str) -> Subject:
    require(actor, "classes.create")
    code = code.strip().upper()
    errors: dict[str, str] = {}
    if not code.isalnum() or not 2 <= len(code) <= 10:
        errors["code"] = "Use 2 to 10 letters or digits, e.g. 4008."
    if not name.strip():
        errors["name"] = "Name the subject."
    if level not in SubjectLevel.__members__:
        errors["level"] = "Choose primary, O-level or A-level."
    if not errors and session.exec(select(Subject).where(Subject.code == code)).first():
        errors["code"] = "There is already a subject with this code."
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    subject = Subject(school_id=actor.school_id, code=code, name=" ".join(name.split()), level=SubjectLevel(level))
    session.add(subject)
    session.flush()
    return subject


def adopt_zimsec_subjects(session: Session, *, actor: CurrentUser, school_level: str) -> int:
    """Start a school's subject list from the ZIMSEC list for its level; returns how many were added."""
    require(actor, "classes.create")
    wanted = {
        SchoolLevel.primary: {SubjectLevel.primary},
        SchoolLevel.secondary: {SubjectLevel.o_level, SubjectLevel.a_level},
    }.get(SchoolLevel(school_level), set(SubjectLevel))
    existing = set(session.exec(select(Subject.code)).all())
    assert actor.school_id is not None
    added = 0
    for code, name, level in zimsec_subjects():
        if level in wanted and code not in existing:
            session.add(Subject(school_id=actor.school_id, code=code, name=name, level=level))
            added += 1
    session.flush()
    return added


def list_subjects(session: Session, *, search: str = "") -> list[Subject]:
    query = select(Subject).order_by(Subject.level, Subject.name)
    if search:
        query = query.where(col(Subject.name).ilike(like_pattern(search), escape="\\") | col(Subject.code).ilike(like_pattern(search), escape="\\"))
    return list(session.exec(query).all())


# --- classes and teaching -------------------------------------------------------------------


def create_class(
    session: Session,
    *,
    actor: CurrentUser,
    school_level: str,
    year_id: UUID,
    grade_level: str,
    name: str,
    capacity: int = 40,
    class_teacher_id: UUID | None = None,
) -> SchoolClass:
    require(actor, "classes.create")
    errors: dict[str, str] = {}
    if grade_level not in [level.value for level in grade_levels_for(school_level)]:
        errors["grade_level"] = "Choose a grade level your school has."
    cleaned = " ".join(name.split())
    if not cleaned:
        errors["name"] = "Name the class, e.g. Form 2 Blue."
    if not 1 <= capacity <= 200:
        errors["capacity"] = "Capacity must be between 1 and 200."
    if session.get(AcademicYear, year_id) is None:
        errors["year"] = "Choose a year."
    elif session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year_id, SchoolClass.name == cleaned)).first():
        errors["name"] = "There is already a class with this name this year."
    if class_teacher_id and not _is_teacher(session, class_teacher_id):
        errors["class_teacher"] = "Choose one of your school's teachers."
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    school_class = SchoolClass(
        school_id=actor.school_id,
        academic_year_id=year_id,
        grade_level=GradeLevel(grade_level),
        name=cleaned,
        capacity=capacity,
        class_teacher_id=class_teacher_id,
    )
    session.add(school_class)
    session.flush()
    return school_class


def _is_teacher(session: Session, user_id: UUID) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.role in ("teacher", "school_admin") and user.is_active


def assign_teacher(session: Session, *, actor: CurrentUser, class_id: UUID, subject_id: UUID, teacher_id: UUID) -> TeachingAssignment:
    require(actor, "classes.update")
    if session.get(SchoolClass, class_id) is None or session.get(Subject, subject_id) is None:
        raise NotFound("No such class or subject.")
    if not _is_teacher(session, teacher_id):
        raise ValidationFailed({"teacher": "Choose one of your school's teachers."})
    existing = session.exec(
        select(TeachingAssignment).where(TeachingAssignment.class_id == class_id, TeachingAssignment.subject_id == subject_id)
    ).first()
    assert actor.school_id is not None
    assignment = existing or TeachingAssignment(school_id=actor.school_id, class_id=class_id, subject_id=subject_id, teacher_id=teacher_id)
    assignment.teacher_id = teacher_id
    session.add(assignment)
    session.flush()
    return assignment


def list_classes(session: Session, *, year_id: UUID | None = None, only_ids: set[UUID] | None = None) -> list[dict[str, object]]:
    """Classes with their teacher's name and how many students are enrolled."""
    query = select(SchoolClass).order_by(SchoolClass.grade_level, SchoolClass.name)
    if year_id:
        query = query.where(SchoolClass.academic_year_id == year_id)
    if only_ids is not None:
        query = query.where(col(SchoolClass.id).in_(only_ids or {UUID(int=0)}))
    classes = session.exec(query).all()
    counts = dict(
        session.exec(select(Enrolment.class_id, func.count()).group_by(Enrolment.class_id)).all()  # type: ignore[arg-type]
    )
    teachers = {u.id: u.full_name for u in session.exec(select(User).where(col(User.role).in_(["teacher", "school_admin"]))).all()}
    return [
        {
            "id": str(c.id),
            "name": c.name,
            "grade_level": GRADE_LEVEL_NAMES[GradeLevel(c.grade_level)],
            "class_teacher": teachers.get(c.class_teacher_id, "") if c.class_teacher_id else "",
            "capacity": c.capacity,
            "enrolled": int(counts.get(c.id, 0)),
        }
        for c in classes
    ]


def visible_classes(*, actor: CurrentUser) -> list[dict[str, object]]:
    """This year's classes the actor may see (`students.visible_class_ids`): the class filters,
    the teacher's classes and the API's list."""
    if not (can(actor, "students.read") or can(actor, "classes.read")):
        raise PermissionDenied("classes.read")
    with unit_of_work(actor) as session:
        year = current_year(session)
        return list_classes(session, year_id=year.id if year else UUID(int=0), only_ids=visible_class_ids(session, actor))


# --- promotion at year end ------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionPlan:
    """What promoting a class would do: who moves into which class, who leaves (exam years)."""

    from_class: str
    to_class: str | None  # None: the class finishes (Grade 7, Form 4, Form 6)
    moving: list[str]
    graduating: list[str]
    problem: str = ""


def _enrolled_students(session: Session, class_id: UUID) -> list[Student]:
    return list(
        session.exec(
            select(Student)
            .join(Enrolment, col(Enrolment.student_id) == Student.id)
            .where(Enrolment.class_id == class_id, Student.status == StudentStatus.enrolled)
            .order_by(Student.last_name, Student.first_name)
        ).all()
    )


def promotion_targets(session: Session, *, class_id: UUID) -> list[dict[str, str]]:
    """The classes a class can move up into: the next grade level, in a later year."""
    source = session.get(SchoolClass, class_id)
    next_level = next_grade_level(GradeLevel(source.grade_level)) if source else None
    source_year = session.get(AcademicYear, source.academic_year_id) if source else None
    if source_year is None or next_level is None:
        return []
    targets = session.exec(
        select(SchoolClass, AcademicYear.name)
        .join(AcademicYear, col(AcademicYear.id) == SchoolClass.academic_year_id)
        .where(SchoolClass.grade_level == next_level, AcademicYear.starts_on > source_year.starts_on)
        .order_by(AcademicYear.starts_on, SchoolClass.name)
    ).all()
    return [{"value": str(target.id), "label": f"{target.name} ({year})"} for target, year in targets]


def preview_promotion(session: Session, *, actor: CurrentUser, class_id: UUID, to_class_id: UUID | None) -> PromotionPlan:
    require(actor, "classes.update")
    source = session.get(SchoolClass, class_id)
    if source is None:
        raise NotFound("No such class.")
    students = _enrolled_students(session, class_id)
    names = [s.full_name for s in students]
    next_level = next_grade_level(GradeLevel(source.grade_level))
    if next_level is None:
        return PromotionPlan(source.name, None, [], names)
    target = session.get(SchoolClass, to_class_id) if to_class_id else None
    if target is None:
        return PromotionPlan(source.name, None, names, [], problem="Choose the class they move up to.")
    if target.grade_level != next_level or target.academic_year_id == source.academic_year_id:
        return PromotionPlan(
            source.name, target.name, names, [],
            problem=f"They move up to {GRADE_LEVEL_NAMES[next_level]} in a later year; choose such a class.",
        )
    already = session.exec(select(func.count()).select_from(Enrolment).where(Enrolment.class_id == target.id)).one()
    if already + len(students) > target.capacity:
        return PromotionPlan(source.name, target.name, names, [], problem=f"{target.name} has room for {target.capacity - already} more.")
    return PromotionPlan(source.name, target.name, names, [])


def promote_class(session: Session, *, actor: CurrentUser, class_id: UUID, to_class_id: UUID | None) -> PromotionPlan:
    """Do what the preview shows, all in the caller's one transaction (nothing half-done)."""
    plan = preview_promotion(session, actor=actor, class_id=class_id, to_class_id=to_class_id)
    if plan.problem:
        raise ValidationFailed({"to_class": plan.problem})
    assert actor.school_id is not None
    for student in _enrolled_students(session, class_id):
        if plan.to_class is None:
            record_status_change(session, actor=actor, student_id=student.id, status=StudentStatus.graduated, reason="Completed the final class")
        else:
            target = session.get(SchoolClass, to_class_id)
            assert target is not None
            session.add(Enrolment(school_id=actor.school_id, student_id=student.id, class_id=target.id, academic_year_id=target.academic_year_id))
    session.flush()
    return plan
