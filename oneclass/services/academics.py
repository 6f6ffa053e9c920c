"""The academic structure: years and terms, departments, subjects (with the ZIMSEC list),
classes, teaching assignments, and promoting a class at year end.

The public functions (an `actor` and no session) are what states and API routes call: each checks
its permission first, runs in one unit of work and returns plain data. The functions that take a
`session` first are what other services and the demo seed build on; they never commit.

Setting up years, subjects and classes, assigning teachers and promotion are the school's
administration (`school.update`, `subjects.manage`, `classes.manage`). Reading a class is
`classes.read` within the classes the actor may see: `require_class` is that one check, built on
`students.visible_class_ids`.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypedDict
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
from oneclass.i18n import N_, _, format_date, format_message
from oneclass.permissions import require
from oneclass.services import calendar, staff
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import like_pattern
from oneclass.services.schools import get_current_school
from oneclass.services.students import enrol, query_students, record_status_change, visible_class_ids

ZIMSEC_SUBJECTS_FILE = Path(__file__).resolve().parent.parent / "data" / "zimsec_subjects.csv"
MANAGE_YEARS = "school.update"
MANAGE_SUBJECTS = "subjects.manage"
MANAGE_CLASSES = "classes.manage"  # create classes, assign teachers, promote
READ_CLASSES = "classes.read"  # only within the classes the actor may see (`require_class`)
CLASS_LIST_MAX = 200  # a class's capacity is at most 200
NO_SUCH_CLASS = N_("No such class, or not one of yours.")


class Choice(TypedDict):
    """One option of a select: the id it sends and what it shows."""

    value: str
    label: str


class YearRow(TypedDict):
    """A year as the years page shows it: its dates and terms written in the request's language."""

    id: str
    name: str
    starts_on: str
    ends_on: str
    is_current: bool
    terms: list[str]


class SubjectRow(TypedDict):
    id: str
    code: str
    name: str
    level: str  # a SubjectLevel value


class ClassRow(TypedDict):
    id: str
    name: str
    grade_level: str  # its name, "Grade 3"
    class_teacher: str
    capacity: int
    enrolled: int


class TaughtClassRow(ClassRow):
    """A class on the teacher's own page: what they teach in it, and whether they lead it."""

    subjects: str
    is_class_teacher: bool


def grade_levels_for(school_level: str) -> list[GradeLevel]:
    """Which grade levels a school has: primary (ECD A to Grade 7), secondary (Form 1 to 6)."""
    if school_level == SchoolLevel.primary:
        return list(PRIMARY_LEVELS)
    if school_level == SchoolLevel.secondary:
        return list(SECONDARY_LEVELS)
    return [*PRIMARY_LEVELS, *SECONDARY_LEVELS]


def school_level(session: Session) -> str:
    """The level (primary, secondary, combined) of the session's school, as it is saved."""
    school = get_current_school(session)
    if school is None:
        raise NotFound(_("This school could not be found."))  # a platform account has no school here
    return str(school.level)


def grade_choices(school_level: str) -> list[Choice]:
    """The grade levels a school's class may have, by their English names (`t()` shows them)."""
    return [{"value": level.value, "label": GRADE_LEVEL_NAMES[level]} for level in grade_levels_for(school_level)]


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
        errors["name"] = _("Give the year a name, e.g. 2027.")
    if starts_on >= ends_on:
        errors["ends_on"] = _("The year must end after it starts.")
    if len(terms) != 3:
        errors["terms"] = _("A year has three terms.")
        return errors
    previous_end = starts_on
    for number, term in enumerate(terms, start=1):
        if term.starts_on >= term.ends_on:
            errors[f"term{number}"] = format_message("Term {number} must end after it starts.", number=number)
        elif term.starts_on < previous_end or term.ends_on > ends_on:
            errors[f"term{number}"] = format_message(
                "Term {number} must fall inside the year, after term {previous}.", number=number, previous=number - 1
            )
        previous_end = term.ends_on
    return errors


def list_years(*, actor: CurrentUser) -> list[YearRow]:
    """Every year of the school with its terms, the latest first."""
    require(actor, MANAGE_YEARS)
    with unit_of_work(actor) as session:
        return year_rows(session)


def create_year(
    *, actor: CurrentUser, name: str, starts_on: date, ends_on: date, terms: list[TermDates], current: bool = False
) -> str:
    """Add a year and its three terms; returns the year's name as saved."""
    require(actor, MANAGE_YEARS)
    with unit_of_work(actor) as session:
        return add_year(session, actor=actor, name=name, starts_on=starts_on, ends_on=ends_on, terms=terms, current=current).name


def make_current_year(*, actor: CurrentUser, year_id: UUID) -> str:
    """Make one year the current one (the lists, registers and reports use it); returns its name."""
    require(actor, MANAGE_YEARS)
    with unit_of_work(actor) as session:
        return set_current_year(session, actor=actor, year_id=year_id).name


def add_year(
    session: Session, *, actor: CurrentUser, name: str, starts_on: date, ends_on: date, terms: list[TermDates], current: bool = False
) -> AcademicYear:
    require(actor, MANAGE_YEARS)
    errors = validate_year(name, starts_on, ends_on, terms)
    if session.exec(select(AcademicYear).where(AcademicYear.name == name.strip())).first():
        errors["name"] = _("There is already a year with this name.")
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    year = AcademicYear(school_id=actor.school_id, name=name.strip(), starts_on=starts_on, ends_on=ends_on)
    session.add(year)
    session.flush()
    for number, term in enumerate(terms, start=1):
        session.add(Term(school_id=actor.school_id, academic_year_id=year.id, number=number, starts_on=term.starts_on, ends_on=term.ends_on))
    calendar.add_public_holidays(session, actor.school_id, starts_on.year, ends_on.year)
    if current:
        set_current_year(session, actor=actor, year_id=year.id)
    session.flush()
    return year


def set_current_year(session: Session, *, actor: CurrentUser, year_id: UUID) -> AcademicYear:
    require(actor, MANAGE_YEARS)
    target = session.get(AcademicYear, year_id)
    if target is None:
        raise NotFound(_("No such academic year."))
    for year in session.exec(select(AcademicYear)).all():
        year.is_current = year.id == year_id
    session.flush()
    return target


def current_year(session: Session) -> AcademicYear | None:
    return session.exec(select(AcademicYear).where(AcademicYear.is_current)).first()


def year_rows(session: Session) -> list[YearRow]:
    years = session.exec(select(AcademicYear).order_by(col(AcademicYear.starts_on).desc())).all()
    terms = session.exec(select(Term).order_by(col(Term.number))).all()
    return [
        {
            "id": str(year.id),
            "name": year.name,
            "starts_on": format_date(year.starts_on),
            "ends_on": format_date(year.ends_on),
            "is_current": year.is_current,
            "terms": [
                format_message("Term {number}: {start} to {end}", number=t.number, start=format_date(t.starts_on), end=format_date(t.ends_on))
                for t in terms
                if t.academic_year_id == year.id
            ],
        }
        for year in years
    ]


# --- departments and subjects ---------------------------------------------------------------


def add_department(session: Session, *, actor: CurrentUser, name: str) -> Department:
    require(actor, "departments.manage")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed({"name": _("Name the department.")})
    if session.exec(select(Department).where(func.lower(Department.name) == cleaned.lower())).first():
        raise ValidationFailed({"name": _("There is already a department with this name.")})
    assert actor.school_id is not None
    department = Department(school_id=actor.school_id, name=cleaned)
    session.add(department)
    session.flush()
    return department


def zimsec_subjects() -> list[tuple[str, str, SubjectLevel]]:
    """The ZIMSEC subject list that ships as data: (code, name, level)."""
    with ZIMSEC_SUBJECTS_FILE.open(newline="") as handle:
        return [(row["code"], row["name"], SubjectLevel(row["level"])) for row in csv.DictReader(handle)]


def list_subjects(*, actor: CurrentUser, search: str = "") -> list[SubjectRow]:
    """Every subject the search (name or code) matches: a short list, not paged here."""
    require(actor, MANAGE_SUBJECTS)
    with unit_of_work(actor) as session:
        return subject_rows(session, search=search)


def create_subject(*, actor: CurrentUser, code: str, name: str, level: str) -> SubjectRow:
    require(actor, MANAGE_SUBJECTS)
    with unit_of_work(actor) as session:
        return _subject_row(add_subject(session, actor=actor, code=code, name=name, level=level))


def adopt_zimsec(*, actor: CurrentUser) -> int:
    """Start a school's subject list from the ZIMSEC list for its level; returns how many were added."""
    require(actor, MANAGE_SUBJECTS)
    with unit_of_work(actor) as session:
        return add_zimsec_subjects(session, actor=actor, school_level=school_level(session))


def add_subject(session: Session, *, actor: CurrentUser, code: str, name: str, level: str) -> Subject:
    require(actor, MANAGE_SUBJECTS)
    code = code.strip().upper()
    errors: dict[str, str] = {}
    if not code.isalnum() or not 2 <= len(code) <= 10:
        errors["code"] = _("Use 2 to 10 letters or digits, e.g. 4008.")
    if not name.strip():
        errors["name"] = _("Name the subject.")
    if level not in SubjectLevel.__members__:
        errors["level"] = _("Choose primary, O-level or A-level.")
    if not errors and session.exec(select(Subject).where(Subject.code == code)).first():
        errors["code"] = _("There is already a subject with this code.")
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    subject = Subject(school_id=actor.school_id, code=code, name=" ".join(name.split()), level=SubjectLevel(level))
    session.add(subject)
    session.flush()
    return subject


def add_zimsec_subjects(session: Session, *, actor: CurrentUser, school_level: str) -> int:
    require(actor, MANAGE_SUBJECTS)
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


def _subject_row(subject: Subject) -> SubjectRow:
    return {"id": str(subject.id), "code": subject.code, "name": subject.name, "level": str(subject.level)}


def subject_rows(session: Session, *, search: str = "") -> list[SubjectRow]:
    query = select(Subject).order_by(col(Subject.level), col(Subject.name))
    if search.strip():
        pattern = like_pattern(search.strip())
        query = query.where(col(Subject.name).ilike(pattern, escape="\\") | col(Subject.code).ilike(pattern, escape="\\"))
    return [_subject_row(subject) for subject in session.exec(query).all()]


# --- classes: who may see which, and the admin's page -----------------------------------------


def require_class(session: Session, actor: CurrentUser, permission: str, class_id: UUID) -> SchoolClass:
    """The one check for a permission on one class: the actor holds `permission`, and the class
    is one they may see (`students.visible_class_ids`: every class for an administrator, the
    classes they teach or lead for a teacher). A class of another school, or not theirs, is
    not found."""
    require(actor, permission)
    school_class = session.get(SchoolClass, class_id)
    visible = visible_class_ids(session, actor)
    if school_class is None or (visible is not None and class_id not in visible):
        raise NotFound(_(NO_SUCH_CLASS))
    return school_class


def class_rows(session: Session, *, year_id: UUID | None = None, only_ids: set[UUID] | None = None) -> list[ClassRow]:
    """Classes with their class teacher's name and how many students are enrolled."""
    query = select(SchoolClass).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
    if year_id:
        query = query.where(SchoolClass.academic_year_id == year_id)
    if only_ids is not None:
        query = query.where(col(SchoolClass.id).in_(only_ids or {UUID(int=0)}))
    classes = session.exec(query).all()
    class_ids = {c.id for c in classes} or {UUID(int=0)}
    counts: dict[UUID, int] = dict(
        session.exec(
            select(Enrolment.class_id, func.count(col(Enrolment.id)))
            .where(col(Enrolment.class_id).in_(class_ids))
            .group_by(col(Enrolment.class_id))
        ).all()
    )
    teacher_ids = {c.class_teacher_id for c in classes if c.class_teacher_id} or {UUID(int=0)}
    teachers = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(teacher_ids))).all())
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


def classes_visible_to(session: Session, actor: CurrentUser) -> list[ClassRow]:
    """This year's classes the actor may see."""
    year = current_year(session)
    return class_rows(session, year_id=year.id if year else UUID(int=0), only_ids=visible_class_ids(session, actor))


def visible_classes(*, actor: CurrentUser) -> list[ClassRow]:
    """This year's classes the actor may see (`students.visible_class_ids`): the class filters
    and the API's list."""
    require(actor, READ_CLASSES)
    with unit_of_work(actor) as session:
        return classes_visible_to(session, actor)


def my_classes(*, actor: CurrentUser) -> list[TaughtClassRow]:
    """The teacher's page: this year's classes they may see, with the subjects they teach in
    each and whether they are its class teacher."""
    require(actor, READ_CLASSES)
    with unit_of_work(actor) as session:
        rows = classes_visible_to(session, actor)
        subjects = staff.subjects_by_class(session, actor.id)
        led = staff.classes_led_by(session, actor.id)
    return [
        {**row, "subjects": ", ".join(subjects.get(UUID(row["id"]), [])), "is_class_teacher": UUID(row["id"]) in led}
        for row in rows
    ]


@dataclass(frozen=True)
class ClassList:
    """One class's name and its students this year, as the actor may see them."""

    name: str
    students: list[dict[str, Any]]


def class_list(*, actor: CurrentUser, class_id: UUID) -> ClassList:
    """A class's students, for whoever may read that class (a teacher: only one they teach)."""
    require(actor, READ_CLASSES)
    with unit_of_work(actor) as session:
        school_class = require_class(session, actor, READ_CLASSES, class_id)
        found = query_students(session, actor=actor, class_id=class_id, per_page=CLASS_LIST_MAX)
        return ClassList(school_class.name, found.rows)


@dataclass(frozen=True)
class ClassesOverview:
    """The admin's classes page in one load: the years to choose from, the year shown, its
    classes, and the grade levels, teachers and subjects the dialogs offer."""

    years: list[Choice]
    year_id: str  # "" when the school has no year yet
    classes: list[ClassRow]
    grades: list[Choice]
    teachers: list[Choice]
    subjects: list[SubjectRow]


def classes_overview(*, actor: CurrentUser, year_id: UUID | None = None) -> ClassesOverview:
    """`year_id`'s classes; a year that is not the school's shows the current year (or the latest)."""
    require(actor, MANAGE_CLASSES)
    with unit_of_work(actor) as session:
        years = year_rows(session)
        shown = next(
            (y for y in years if y["id"] == str(year_id)),
            next((y for y in years if y["is_current"]), years[0] if years else None),
        )
        return ClassesOverview(
            years=[{"value": y["id"], "label": y["name"]} for y in years],
            year_id=shown["id"] if shown else "",
            classes=class_rows(session, year_id=UUID(shown["id"])) if shown else [],
            grades=grade_choices(school_level(session)),
            teachers=[{"value": c["value"], "label": c["label"]} for c in staff.teacher_choices(session)],
            subjects=subject_rows(session),
        )


def create_class(
    *,
    actor: CurrentUser,
    year_id: UUID | None,
    grade_level: str,
    name: str,
    capacity: int = 40,
    class_teacher_id: UUID | None = None,
) -> str:
    """Add a class of one of the school's grade levels to a year; returns its name as saved."""
    require(actor, MANAGE_CLASSES)
    if year_id is None:
        raise ValidationFailed({"form": _("Add a year on the Years and terms page first.")})
    with unit_of_work(actor) as session:
        return add_class(
            session, actor=actor, school_level=school_level(session), year_id=year_id, grade_level=grade_level, name=name,
            capacity=capacity, class_teacher_id=class_teacher_id,
        ).name


def add_class(
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
    require(actor, MANAGE_CLASSES)
    errors: dict[str, str] = {}
    if grade_level not in [level.value for level in grade_levels_for(school_level)]:
        errors["grade_level"] = _("Choose a grade level your school has.")
    cleaned = " ".join(name.split())
    if not cleaned:
        errors["name"] = _("Name the class, e.g. Form 2 Blue.")
    if not 1 <= capacity <= 200:
        errors["capacity"] = _("Capacity must be between 1 and 200.")
    if session.get(AcademicYear, year_id) is None:
        errors["year"] = _("Choose a year.")
    elif session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year_id, SchoolClass.name == cleaned)).first():
        errors["name"] = _("There is already a class with this name this year.")
    if class_teacher_id and _teacher(session, class_teacher_id) is None:
        errors["class_teacher"] = _("Choose one of your school's teachers.")
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


# --- teaching assignments -------------------------------------------------------------------


def _teacher(session: Session, user_id: UUID) -> User | None:
    """The user, if they may teach a subject or lead a class (`staff.TEACHING_ROLES`, active)."""
    user = session.get(User, user_id)
    return user if user is not None and user.role in staff.TEACHING_ROLES and user.is_active else None


def who_teaches(*, actor: CurrentUser, class_id: UUID) -> list[dict[str, str]]:
    """Who teaches which subject to one class (the assignment dialog)."""
    require(actor, MANAGE_CLASSES)
    with unit_of_work(actor) as session:
        require_class(session, actor, MANAGE_CLASSES, class_id)
        return staff.class_teaching(session, class_id)


@dataclass(frozen=True)
class Assignment:
    """Who now teaches what to which class, by name."""

    class_name: str
    subject: str
    teacher: str


def assign_teacher(*, actor: CurrentUser, class_id: UUID, subject_id: UUID | None, teacher_id: UUID | None) -> Assignment:
    """Give a subject of a class to a teacher (handing it over if someone else taught it)."""
    require(actor, MANAGE_CLASSES)
    with unit_of_work(actor) as session:
        return set_teacher(session, actor=actor, class_id=class_id, subject_id=subject_id, teacher_id=teacher_id)


def set_teacher(
    session: Session, *, actor: CurrentUser, class_id: UUID, subject_id: UUID | None, teacher_id: UUID | None
) -> Assignment:
    school_class = require_class(session, actor, MANAGE_CLASSES, class_id)
    subject = session.get(Subject, subject_id) if subject_id else None
    teacher = _teacher(session, teacher_id) if teacher_id else None
    errors = {
        **({"subject": _("Choose a subject.")} if subject is None else {}),
        **({"teacher": _("Choose one of your school's teachers.")} if teacher is None else {}),
    }
    if subject is None or teacher is None:
        raise ValidationFailed(errors)
    existing = session.exec(
        select(TeachingAssignment).where(TeachingAssignment.class_id == class_id, TeachingAssignment.subject_id == subject.id)
    ).first()
    assert actor.school_id is not None
    assignment = existing or TeachingAssignment(school_id=actor.school_id, class_id=class_id, subject_id=subject.id, teacher_id=teacher.id)
    assignment.teacher_id = teacher.id
    session.add(assignment)
    session.flush()
    return Assignment(school_class.name, subject.name, teacher.full_name)


# --- promotion at year end ------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionPlan:
    """What promoting a class would do: who moves into which class, who leaves (exam years)."""

    from_class: str
    to_class: str | None  # None: the class finishes (Grade 7, Form 4, Form 6)
    moving: list[str]
    graduating: list[str]
    problem: str = ""


@dataclass(frozen=True)
class PromotionPreview:
    """The classes a class can move up into, and what moving into the chosen one would do."""

    targets: list[Choice]
    plan: PromotionPlan


def promotion_preview(*, actor: CurrentUser, class_id: UUID, to_class_id: UUID | None) -> PromotionPreview:
    require(actor, MANAGE_CLASSES)
    with unit_of_work(actor) as session:
        plan = plan_promotion(session, actor=actor, class_id=class_id, to_class_id=to_class_id)
        return PromotionPreview(promotion_targets(session, class_id=class_id), plan)


def promote(*, actor: CurrentUser, class_id: UUID, to_class_id: UUID | None) -> PromotionPlan:
    """Do what the preview shows, all at once (nothing half-done): enrol each student in the
    class they move up to, or mark them graduated after an exam year."""
    require(actor, MANAGE_CLASSES)
    with unit_of_work(actor) as session:
        return move_up(session, actor=actor, class_id=class_id, to_class_id=to_class_id)


def _enrolled_students(session: Session, class_id: UUID) -> list[Student]:
    return list(
        session.exec(
            select(Student)
            .join(Enrolment, col(Enrolment.student_id) == Student.id)
            .where(Enrolment.class_id == class_id, Student.status == StudentStatus.enrolled)
            .order_by(col(Student.last_name), col(Student.first_name))
        ).all()
    )


def promotion_targets(session: Session, *, class_id: UUID) -> list[Choice]:
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
        .order_by(col(AcademicYear.starts_on), col(SchoolClass.name))
    ).all()
    return [{"value": str(target.id), "label": f"{target.name} ({year})"} for target, year in targets]


def plan_promotion(session: Session, *, actor: CurrentUser, class_id: UUID, to_class_id: UUID | None) -> PromotionPlan:
    source = require_class(session, actor, MANAGE_CLASSES, class_id)
    students = _enrolled_students(session, class_id)
    names = [s.full_name for s in students]
    next_level = next_grade_level(GradeLevel(source.grade_level))
    if next_level is None:
        return PromotionPlan(source.name, None, [], names)
    target = session.get(SchoolClass, to_class_id) if to_class_id else None
    if target is None:
        return PromotionPlan(source.name, None, names, [], problem=_("Choose the class they move up to."))
    if target.grade_level != next_level or target.academic_year_id == source.academic_year_id:
        return PromotionPlan(
            source.name, target.name, names, [],
            problem=format_message(
                "They move up to {grade} in a later year; choose such a class.", grade=_(GRADE_LEVEL_NAMES[next_level])
            ),
        )
    already = session.exec(select(func.count()).select_from(Enrolment).where(Enrolment.class_id == target.id)).one()
    if already + len(students) > target.capacity:
        room = format_message("{name} has room for {count} more.", name=target.name, count=target.capacity - already)
        return PromotionPlan(source.name, target.name, names, [], problem=room)
    return PromotionPlan(source.name, target.name, names, [])


def move_up(session: Session, *, actor: CurrentUser, class_id: UUID, to_class_id: UUID | None) -> PromotionPlan:
    """Promotion inside the caller's transaction, through the students' own enrolment and
    status changes (so their history and audit say what happened)."""
    plan = plan_promotion(session, actor=actor, class_id=class_id, to_class_id=to_class_id)
    if plan.problem:
        raise ValidationFailed({"to_class": plan.problem})
    for student in _enrolled_students(session, class_id):
        if to_class_id is None or plan.to_class is None:
            record_status_change(session, actor=actor, student_id=student.id, status=StudentStatus.graduated, reason="Completed the final class")
        else:
            enrol(session, actor=actor, student_id=student.id, class_id=to_class_id)
    session.flush()
    return plan
