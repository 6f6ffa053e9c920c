"""The gradebook: assessments per class, subject and term, a class's marks saved as one grid,
a student's term grades, and the school's grading scales.

Who may do what:
- Entering marks and setting assessments (`grades.enter`) is for the teacher of that subject in
  that class, and for the school's administrators. The class teacher may read every subject's
  gradebook of their class; another teacher's class or subject is not found.
- A student's term grades (`grades.read`) go to whoever may see the student (`students.
  visible_student_ids`); students and parents see a term only once its report cards are
  published for the student's class (`report_publications`).
- Grading scales are read by anyone of the school and edited by its administrators
  (`school.update`). A level the school never edited is marked on the ZIMSEC default.

Grades are derived here (oneclass.services.grading), never typed or stored.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypedDict
from uuid import UUID

from sqlmodel import Session, col, delete, func, select

from models import (
    Assessment,
    AssessmentKind,
    Enrolment,
    GradingBand,
    Mark,
    ReportPublication,
    Role,
    SchoolClass,
    Student,
    Subject,
    SubjectLevel,
    TeachingAssignment,
    Term,
)
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import can, require
from oneclass.services import calendar
from oneclass.services.academics import Choice, current_year, require_class
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.grading import DEFAULT_SCALES, Band, Entry, Outcome, band_for, scale_level, term_percent, validate_scale
from oneclass.services.students import SEES_EVERY_STUDENT, visible_student_ids

ENTER_MARKS = "grades.enter"
READ_GRADES = "grades.read"
MANAGE_SCALES = "school.update"
MAX_MARK_LIMIT = Decimal(1000)
NO_SUCH_ASSESSMENT = N_("No such assessment, or not one of yours.")
NO_SUCH_SUBJECT = N_("No such subject in this class, or not one you teach.")
LEVEL_NAMES: dict[SubjectLevel, str] = {
    SubjectLevel.primary: N_("Primary (Grade 7 units)"),
    SubjectLevel.o_level: N_("O-level"),
    SubjectLevel.a_level: N_("A-level"),
}
KIND_NAMES: dict[AssessmentKind, str] = {
    AssessmentKind.coursework: N_("Coursework"),
    AssessmentKind.test: N_("Test"),
    AssessmentKind.exam: N_("Exam"),
}
# Only these see grades no sooner than the term's report cards.
WAIT_FOR_REPORTS = {Role.student, Role.parent}


class AssessmentRow(TypedDict):
    id: str
    class_id: str
    subject_id: str
    term_id: str
    name: str
    kind: str  # an AssessmentKind value
    max_mark: str  # "50", "12.5": exact, as the school wrote it
    weight: str
    marked: int  # students with a mark or marked absent


class MarkRow(TypedDict):
    student_id: str
    name: str
    admission_number: str
    mark: str  # "" when blank or absent
    absent: bool
    percent: str  # the student's term percent in this subject so far, "" when nothing is marked
    grade: str


class GradeRow(TypedDict):
    subject_id: str
    subject: str
    percent: int
    grade: str
    points: int


class BandRow(TypedDict):
    grade: str
    lower: int
    upper: int
    points: int
    outcome: str  # an Outcome value


class ScaleView(TypedDict):
    level: str
    name: str
    is_default: bool
    bands: list[BandRow]


@dataclass(frozen=True)
class MarkInput:
    """One student's cell of the grid: `mark` blank ("" or None) is not yet entered."""

    student_id: UUID | str
    mark: Decimal | int | float | str | None
    absent: bool = False


@dataclass(frozen=True)
class MarkGrid:
    assessment: AssessmentRow
    class_name: str
    subject: str
    rows: list[MarkRow]


@dataclass(frozen=True)
class GradebookOptions:
    """What the gradebook page offers: the classes the actor enters marks for, the subjects of
    each, this year's terms and today's."""

    classes: list[Choice]
    subjects: dict[str, list[Choice]]
    terms: list[Choice]
    term_id: str


def plain(number: Decimal) -> str:
    """12.50 → "12.5", 10.00 → "10": what a person wrote, without a float's noise."""
    return format(number.normalize(), "f")


# --- scales --------------------------------------------------------------------------------


def scale_of(session: Session, level: SubjectLevel) -> tuple[Band, ...]:
    """The school's scale for a level, best grade first; the ZIMSEC default until it edits one."""
    rows = session.exec(select(GradingBand).where(GradingBand.level == level).order_by(col(GradingBand.lower_bound).desc())).all()
    if not rows:
        return DEFAULT_SCALES[level]
    return tuple(Band(r.grade, r.lower_bound, r.upper_bound, r.points, Outcome(r.outcome)) for r in rows)


def _band_row(band: Band) -> BandRow:
    return {"grade": band.grade, "lower": band.lower, "upper": band.upper, "points": band.points, "outcome": band.outcome.value}


def grading_scales(*, actor: CurrentUser) -> list[ScaleView]:
    """Every level's scale. Anyone of the school may read them: a report shows its grades."""
    if actor.school_id is None:
        raise NotFound(_("No such school."))
    with unit_of_work(actor) as session:
        edited = set(session.exec(select(GradingBand.level).distinct()).all())
        return [
            {"level": level.value, "name": LEVEL_NAMES[level], "is_default": level not in edited, "bands": [_band_row(b) for b in scale_of(session, level)]}
            for level in SubjectLevel
        ]


def write_scale(session: Session, *, school_id: UUID, level: SubjectLevel, bands: Sequence[Band]) -> None:
    """Replace a level's scale (validated by the caller)."""
    session.exec(delete(GradingBand).where(col(GradingBand.level) == level))
    session.flush()
    for band in bands:
        session.add(
            GradingBand(
                school_id=school_id, level=level, grade=band.grade.strip(), lower_bound=band.lower, upper_bound=band.upper,
                points=band.points, outcome=band.outcome.value,
            )
        )
    session.flush()


def save_grading_scale(*, actor: CurrentUser, level: str, bands: Sequence[Band]) -> ScaleView:
    """The administrator's edit of one level's scale, all bands at once."""
    require(actor, MANAGE_SCALES)
    if level not in SubjectLevel.__members__:
        raise ValidationFailed({"level": _("Choose primary, O-level or A-level.")})
    errors = validate_scale(bands)
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        write_scale(session, school_id=actor.school_id, level=SubjectLevel(level), bands=bands)
        saved = scale_of(session, SubjectLevel(level))
    return {"level": level, "name": LEVEL_NAMES[SubjectLevel(level)], "is_default": False, "bands": [_band_row(b) for b in saved]}


# --- who teaches what ----------------------------------------------------------------------


def _teaching(session: Session, actor: CurrentUser, class_id: UUID, subject_id: UUID, *, enter: bool) -> tuple[SchoolClass, Subject]:
    """The class and subject, if the actor teaches that subject there (or, to read, leads the
    class), or administers the school; otherwise not found."""
    school_class = require_class(session, actor, ENTER_MARKS, class_id)
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(_(NO_SUCH_SUBJECT))
    if not can(actor, SEES_EVERY_STUDENT):
        teaches = session.exec(
            select(TeachingAssignment.id).where(
                TeachingAssignment.class_id == class_id, TeachingAssignment.subject_id == subject_id, TeachingAssignment.teacher_id == actor.id
            )
        ).first()
        if teaches is None and (enter or school_class.class_teacher_id != actor.id):
            raise NotFound(_(NO_SUCH_SUBJECT))
    return school_class, subject


def _assessment(session: Session, actor: CurrentUser, assessment_id: UUID, *, enter: bool) -> tuple[Assessment, SchoolClass, Subject]:
    require(actor, ENTER_MARKS)
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_(NO_SUCH_ASSESSMENT))
    try:
        school_class, subject = _teaching(session, actor, assessment.class_id, assessment.subject_id, enter=enter)
    except NotFound:
        raise NotFound(_(NO_SUCH_ASSESSMENT)) from None
    return assessment, school_class, subject


def gradebook_options(*, actor: CurrentUser) -> GradebookOptions:
    """This year's classes (not ECD: reported in comments) and subjects the actor enters marks
    for, and this year's terms with today's chosen."""
    require(actor, ENTER_MARKS)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        year = current_year(session)
        year_id = year.id if year else UUID(int=0)
        classes = [
            c for c in session.exec(
                select(SchoolClass).where(SchoolClass.academic_year_id == year_id).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
            ).all()
            if scale_level(c.grade_level) is not None
        ]
        subjects: dict[str, list[Choice]] = {}
        if can(actor, SEES_EVERY_STUDENT):
            every = session.exec(select(Subject).order_by(col(Subject.name))).all()
            for c in classes:
                subjects[str(c.id)] = [{"value": str(s.id), "label": s.name} for s in every if s.level == scale_level(c.grade_level)]
        else:
            taught = session.exec(
                select(TeachingAssignment.class_id, Subject)
                .join(Subject, col(Subject.id) == TeachingAssignment.subject_id)
                .where(TeachingAssignment.teacher_id == actor.id)
                .order_by(col(Subject.name))
            ).all()
            for class_id, subject in taught:
                subjects.setdefault(str(class_id), []).append({"value": str(subject.id), "label": subject.name})
            classes = [c for c in classes if str(c.id) in subjects]
        terms = session.exec(select(Term).where(Term.academic_year_id == year_id).order_by(col(Term.number))).all()
        today = calendar.term_for_day(session, calendar.today_for(session, actor.school_id))
        term_id = str(today.id) if today is not None and today.academic_year_id == year_id else (str(terms[0].id) if terms else "")
        return GradebookOptions(
            classes=[{"value": str(c.id), "label": c.name} for c in classes],
            subjects=subjects,
            terms=[{"value": str(t.id), "label": format_message("Term {number}", number=t.number)} for t in terms],
            term_id=term_id,
        )


# --- assessments ---------------------------------------------------------------------------


def _assessment_row(assessment: Assessment, marked: int) -> AssessmentRow:
    return {
        "id": str(assessment.id),
        "class_id": str(assessment.class_id),
        "subject_id": str(assessment.subject_id),
        "term_id": str(assessment.term_id),
        "name": assessment.name,
        "kind": str(assessment.kind),
        "max_mark": plain(assessment.max_mark),
        "weight": plain(assessment.weight),
        "marked": marked,
    }


def _marked_counts(session: Session, assessment_ids: Iterable[UUID]) -> dict[UUID, int]:
    ids = set(assessment_ids) or {UUID(int=0)}
    rows = session.exec(select(Mark.assessment_id, func.count()).where(col(Mark.assessment_id).in_(ids)).group_by(col(Mark.assessment_id))).all()
    return {assessment_id: int(count) for assessment_id, count in rows}


def _number(value: Decimal | int | float | str | None) -> Decimal | None:
    """A number as a person or a client wrote it; None when blank. Raises InvalidOperation."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = Decimal(str(value).strip().replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation
    return number


def _two_places(number: Decimal) -> bool:
    return number == number.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class AssessmentInput:
    name: str
    kind: str
    max_mark: Decimal | int | float | str | None
    weight: Decimal | int | float | str | None


def _clean_assessment(data: AssessmentInput) -> tuple[str, AssessmentKind, Decimal, Decimal]:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not 1 <= len(name) <= 100:
        errors["name"] = _("Name the assessment (at most 100 characters), e.g. Test 1.")
    if data.kind not in AssessmentKind.__members__:
        errors["kind"] = _("Choose coursework, test or exam.")
    numbers: dict[str, Decimal] = {}
    for field, value, message in (
        ("max_mark", data.max_mark, N_("The maximum mark is a number above 0 and at most 1000, with at most two decimals.")),
        ("weight", data.weight, N_("The weight is a number above 0 and at most 1000, with at most two decimals.")),
    ):
        try:
            number = _number(value)
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not Decimal(0) < number <= MAX_MARK_LIMIT or not _two_places(number):
            errors[field] = _(message)
        else:
            numbers[field] = number
    if errors:
        raise ValidationFailed(errors)
    return name, AssessmentKind(data.kind), numbers["max_mark"], numbers["weight"]


def _name_taken(session: Session, *, class_id: UUID, subject_id: UUID, term_id: UUID, name: str, except_id: UUID | None = None) -> bool:
    query = select(Assessment.id).where(
        Assessment.class_id == class_id, Assessment.subject_id == subject_id, Assessment.term_id == term_id, Assessment.name == name
    )
    if except_id is not None:
        query = query.where(Assessment.id != except_id)
    return session.exec(query).first() is not None


def list_assessments(*, actor: CurrentUser, class_id: UUID, subject_id: UUID, term_id: UUID) -> list[AssessmentRow]:
    """One class's assessments in one subject and term, in the order they were set."""
    require(actor, ENTER_MARKS)
    with unit_of_work(actor) as session:
        _teaching(session, actor, class_id, subject_id, enter=False)
        found = session.exec(
            select(Assessment)
            .where(Assessment.class_id == class_id, Assessment.subject_id == subject_id, Assessment.term_id == term_id)
            .order_by(col(Assessment.created_at), col(Assessment.name))
        ).all()
        counts = _marked_counts(session, (a.id for a in found))
        return [_assessment_row(a, counts.get(a.id, 0)) for a in found]


def create_assessment(*, actor: CurrentUser, class_id: UUID, subject_id: UUID, term_id: UUID, data: AssessmentInput) -> AssessmentRow:
    require(actor, ENTER_MARKS)
    name, kind, max_mark, weight = _clean_assessment(data)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        school_class, _subject = _teaching(session, actor, class_id, subject_id, enter=True)
        if scale_level(school_class.grade_level) is None:
            raise ValidationFailed({"class": _("ECD classes are reported in comments, not marks.")})
        term = session.get(Term, term_id)
        if term is None or term.academic_year_id != school_class.academic_year_id:
            raise ValidationFailed({"term_id": _("Choose a term of the class's year.")})
        if _name_taken(session, class_id=class_id, subject_id=subject_id, term_id=term_id, name=name):
            raise ValidationFailed({"name": _("This class already has an assessment with this name this term.")})
        assessment = Assessment(
            school_id=actor.school_id, class_id=class_id, subject_id=subject_id, term_id=term_id, name=name, kind=kind,
            max_mark=max_mark, weight=weight, created_by=actor.id,
        )
        session.add(assessment)
        session.flush()
        return _assessment_row(assessment, 0)


def update_assessment(*, actor: CurrentUser, assessment_id: UUID, data: AssessmentInput) -> AssessmentRow:
    """Rename or re-weigh an assessment; a maximum below a mark already given is refused."""
    require(actor, ENTER_MARKS)
    name, kind, max_mark, weight = _clean_assessment(data)
    with unit_of_work(actor) as session:
        assessment, _class, _subject = _assessment(session, actor, assessment_id, enter=True)
        highest = session.exec(select(func.max(Mark.mark)).where(Mark.assessment_id == assessment_id)).one()
        if highest is not None and highest > max_mark:
            raise ValidationFailed({"max_mark": format_message("A student has {mark}: the maximum cannot be lower.", mark=plain(highest))})
        if _name_taken(
            session, class_id=assessment.class_id, subject_id=assessment.subject_id, term_id=assessment.term_id, name=name, except_id=assessment.id
        ):
            raise ValidationFailed({"name": _("This class already has an assessment with this name this term.")})
        assessment.name, assessment.kind, assessment.max_mark, assessment.weight = name, kind, max_mark, weight
        session.add(assessment)
        session.flush()
        return _assessment_row(assessment, _marked_counts(session, [assessment.id]).get(assessment.id, 0))


def delete_assessment(*, actor: CurrentUser, assessment_id: UUID) -> str:
    """Remove an assessment and its marks (the page asks first); returns its name."""
    require(actor, ENTER_MARKS)
    with unit_of_work(actor) as session:
        assessment, _class, _subject = _assessment(session, actor, assessment_id, enter=True)
        name = assessment.name
        session.exec(delete(Mark).where(col(Mark.assessment_id) == assessment_id))
        session.delete(assessment)
        return name


# --- marks ---------------------------------------------------------------------------------


def _class_students(session: Session, school_class: SchoolClass) -> list[Student]:
    return list(
        session.exec(
            select(Student)
            .join(Enrolment, col(Enrolment.student_id) == Student.id)
            .where(Enrolment.class_id == school_class.id)
            .order_by(col(Student.last_name), col(Student.first_name))
        ).all()
    )


def _subject_percents(session: Session, *, class_id: UUID, subject_id: UUID, term_id: UUID) -> dict[UUID, int]:
    """Each student's term percent in one subject of one class (those with anything marked)."""
    assessments = session.exec(
        select(Assessment).where(Assessment.class_id == class_id, Assessment.subject_id == subject_id, Assessment.term_id == term_id)
    ).all()
    by_id = {a.id: a for a in assessments}
    entries: dict[UUID, list[Entry]] = {}
    for mark in session.exec(select(Mark).where(col(Mark.assessment_id).in_(set(by_id) or {UUID(int=0)}))).all():
        a = by_id[mark.assessment_id]
        entries.setdefault(mark.student_id, []).append(Entry(mark.mark, mark.absent, a.max_mark, a.weight))
    percents = {student_id: term_percent(found) for student_id, found in entries.items()}
    return {student_id: percent for student_id, percent in percents.items() if percent is not None}


def _grid(session: Session, assessment: Assessment, school_class: SchoolClass, subject: Subject) -> MarkGrid:
    marks = {m.student_id: m for m in session.exec(select(Mark).where(Mark.assessment_id == assessment.id)).all()}
    percents = _subject_percents(session, class_id=school_class.id, subject_id=subject.id, term_id=assessment.term_id)
    level = scale_level(school_class.grade_level)
    scale = scale_of(session, level) if level is not None else ()
    rows: list[MarkRow] = []
    for student in _class_students(session, school_class):
        mark = marks.get(student.id)
        percent = percents.get(student.id)
        rows.append(
            {
                "student_id": str(student.id),
                "name": student.full_name,
                "admission_number": student.admission_number,
                "mark": plain(mark.mark) if mark is not None and mark.mark is not None else "",
                "absent": bool(mark and mark.absent),
                "percent": "" if percent is None else str(percent),
                "grade": band_for(scale, percent).grade if percent is not None and scale else "",
            }
        )
    return MarkGrid(_assessment_row(assessment, len(marks)), school_class.name, subject.name, rows)


def mark_grid(*, actor: CurrentUser, assessment_id: UUID) -> MarkGrid:
    """An assessment's marks, a row per student of the class, with each one's term percent and
    grade in the subject so far."""
    require(actor, ENTER_MARKS)
    with unit_of_work(actor) as session:
        return _grid(session, *_assessment(session, actor, assessment_id, enter=False))


def _clean_marks(marks: Sequence[MarkInput], students: dict[UUID, Student], max_mark: Decimal) -> dict[UUID, tuple[Decimal | None, bool]]:
    """Each student's (mark, absent), or ValidationFailed naming every student whose mark is
    refused (keyed by their id). Nothing is saved unless every mark is good."""
    errors: dict[str, str] = {}
    cleaned: dict[UUID, tuple[Decimal | None, bool]] = {}
    for entry in marks:
        try:
            student_id = entry.student_id if isinstance(entry.student_id, UUID) else UUID(str(entry.student_id))
        except ValueError:
            errors["marks"] = _("A mark is for a student who is not in this class.")
            continue
        student = students.get(student_id)
        if student is None:
            errors["marks"] = _("A mark is for a student who is not in this class.")
            continue
        if student_id in cleaned:
            errors[str(student_id)] = format_message("{name} has two marks in this list.", name=student.full_name)
            continue
        try:
            number = _number(entry.mark)
        except (InvalidOperation, ValueError):
            errors[str(student_id)] = format_message("{name}: the mark is not a number.", name=student.full_name)
            continue
        if entry.absent and number is not None:
            errors[str(student_id)] = format_message("{name} is marked absent and has a mark: keep one.", name=student.full_name)
        elif number is not None and not Decimal(0) <= number <= max_mark:
            errors[str(student_id)] = format_message("{name}: a mark is 0 to {max}.", name=student.full_name, max=plain(max_mark))
        elif number is not None and not _two_places(number):
            errors[str(student_id)] = format_message("{name}: use at most two decimals.", name=student.full_name)
        cleaned[student_id] = (number, entry.absent)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def save_marks(*, actor: CurrentUser, assessment_id: UUID, marks: Sequence[MarkInput]) -> MarkGrid:
    """Save a grid of marks in one transaction: all or nothing. A blank removes a mark (not yet
    entered), absent is kept apart from zero; saving the same grid twice changes nothing.
    Students left out of `marks` keep what they had."""
    require(actor, ENTER_MARKS)
    with unit_of_work(actor) as session:
        assessment, school_class, subject = _assessment(session, actor, assessment_id, enter=True)
        students = {s.id: s for s in _class_students(session, school_class)}
        cleaned = _clean_marks(marks, students, assessment.max_mark)
        existing = {m.student_id: m for m in session.exec(select(Mark).where(Mark.assessment_id == assessment.id)).all()}
        for student_id, (number, absent) in cleaned.items():
            mark = existing.get(student_id)
            if number is None and not absent:
                if mark is not None:
                    session.delete(mark)
                continue
            if mark is not None and mark.mark == number and mark.absent == absent:
                continue
            mark = mark or Mark(school_id=assessment.school_id, assessment_id=assessment.id, student_id=student_id)
            mark.mark, mark.absent, mark.updated_by = number, absent, actor.id
            session.add(mark)
        session.flush()
        return _grid(session, assessment, school_class, subject)


# --- a student's term ----------------------------------------------------------------------


def is_published(session: Session, *, term_id: UUID, class_id: UUID) -> bool:
    return session.exec(
        select(ReportPublication.id).where(ReportPublication.term_id == term_id, ReportPublication.class_id == class_id)
    ).first() is not None


def term_grades(session: Session, *, student_id: UUID, term: Term) -> list[GradeRow]:
    """A student's percent, grade and points per subject for a term, on the school's scale for
    their class's level; subjects with nothing marked yet are left out."""
    school_class = session.exec(
        select(SchoolClass)
        .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
        .where(Enrolment.student_id == student_id, Enrolment.academic_year_id == term.academic_year_id)
    ).first()
    level = scale_level(school_class.grade_level) if school_class is not None else None
    if school_class is None or level is None:
        return []
    scale = scale_of(session, level)
    rows = session.exec(
        select(Mark, Assessment)
        .join(Assessment, col(Assessment.id) == Mark.assessment_id)
        .where(Mark.student_id == student_id, Assessment.class_id == school_class.id, Assessment.term_id == term.id)
    ).all()
    entries: dict[UUID, list[Entry]] = {}
    for mark, assessment in rows:
        entries.setdefault(assessment.subject_id, []).append(Entry(mark.mark, mark.absent, assessment.max_mark, assessment.weight))
    subjects = {s.id: s for s in session.exec(select(Subject).where(col(Subject.id).in_(set(entries) or {UUID(int=0)}))).all()}
    grades: list[GradeRow] = []
    for subject_id, found in entries.items():
        percent = term_percent(found)
        if percent is None:
            continue
        band = band_for(scale, percent)
        grades.append({"subject_id": str(subject_id), "subject": subjects[subject_id].name, "percent": percent, "grade": band.grade, "points": band.points})
    return sorted(grades, key=lambda row: row["subject"])


def student_grades(*, actor: CurrentUser, student_id: UUID, term_id: UUID) -> list[GradeRow]:
    """A student's term grades for whoever may see the student; a student or parent gets an
    empty list until the term's report cards for the student's class are published."""
    require(actor, READ_GRADES)
    with unit_of_work(actor) as session:
        visible = visible_student_ids(session, actor)
        if session.get(Student, student_id) is None or (visible is not None and student_id not in visible):
            raise NotFound(_("No such student, or not one of yours."))
        term = session.get(Term, term_id)
        if term is None:
            raise NotFound(_("No such term."))
        if actor.role in WAIT_FOR_REPORTS:
            enrolled_in = session.exec(
                select(Enrolment.class_id).where(Enrolment.student_id == student_id, Enrolment.academic_year_id == term.academic_year_id)
            ).first()
            if enrolled_in is None or not is_published(session, term_id=term.id, class_id=enrolled_in):
                return []
        return term_grades(session, student_id=student_id, term=term)
