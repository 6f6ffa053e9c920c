"""Report cards: the comments on them, one student's card as a PDF, and publishing a term's cards
for a class or a whole level as a background job that ends in one ZIP.

Who may do what:
- A card's PDF (`grades.read`) goes to whoever may see the student (`students.
  visible_student_ids`: a teacher their classes, a parent their children, a student themself);
  a student or a parent gets it only once the term is published for the student's class, and
  until then it is not found, as another school's student is.
- Comments (`reports.comment`): the class teacher writes the class teacher's comment for the
  class they lead; the school's administrators (`reports.publish`) write the head's comment,
  and the class teacher's too when a class has none.
- Publishing (`reports.publish`) is the administrators'. It runs on a worker
  (`oneclass.services.jobs`): every card of the chosen classes is made, they go into one ZIP in
  storage, and the classes' `report_publications` rows are written in the job's transaction, so
  the term is published exactly when the ZIP is there. The job's key names the term and the
  classes: asking twice follows the one job, and a message delivered twice does nothing more.
  The ZIP is served only through `report_zip`, which checks the caller.

A card is made from the database on each request (`report_card.assemble`), in the reader's
language; the ZIP holds the cards as they were when it was made, in its maker's language.
"""

import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TypedDict
from uuid import UUID

from sqlalchemy import func, or_
from sqlalchemy import select as columns  # SQLModel's select takes at most four
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models import (
    GRADE_LEVEL_NAMES,
    AcademicYear,
    Assessment,
    AttendanceStatus,
    Enrolment,
    GradeLevel,
    Job,
    Mark,
    ReportComment,
    ReportPublication,
    School,
    SchoolClass,
    Student,
    Subject,
    Term,
    User,
)
from oneclass import cache, storage
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import can, require
from oneclass.services import calendar, jobs
from oneclass.services.academics import Choice, require_class
from oneclass.services.attendance import attendance_rate, day_counts
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.gradebook import READ_GRADES, WAIT_FOR_REPORTS, is_published, scale_of
from oneclass.services.grading import Entry, scale_level
from oneclass.services.paging import Page, like_pattern
from oneclass.services.report_card import Position, ReportFacts, SubjectMarks, assemble, average, positions, subject_percents
from oneclass.services.report_pdf import render
from oneclass.services.students import visible_student_ids

PUBLISH = "reports.publish"
COMMENT = "reports.comment"
JOB_KIND = "report_cards"
MAX_COMMENT = 600
PER_PAGE_LIMIT = 100
NO_SUCH_CARD = N_("No such report card.")
NO_SUCH_TERM = N_("No such term.")
NO_SUCH_STUDENT = N_("No such student, or not one of yours.")
PUBLISHED = N_("Published {count} report cards.")
PDF = "application/pdf"


class CommentRow(TypedDict):
    student_id: str
    name: str
    admission_number: str
    teacher_comment: str
    head_comment: str


class PublicationRow(TypedDict):
    class_id: str
    name: str
    level: str  # a GradeLevel value
    students: int
    published: bool


class CardRow(TypedDict):
    term_id: str
    label: str  # "Term 2, 2026"


@dataclass(frozen=True)
class ReportOptions:
    """What the report-cards page offers: terms (newest first, the last one started chosen),
    the classes the actor comments on, and (for administrators) the levels to publish."""

    terms: list[Choice]
    term_id: str
    classes: list[Choice]
    levels: list[Choice]
    may_publish: bool


@dataclass(frozen=True)
class CardList:
    student_id: str  # "" when the actor's login has no student record
    cards: list[CardRow]


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    mime_type: str


# --- what a card is made from -----------------------------------------------------------------


def term_label(session: Session, term: Term) -> str:
    year = session.get(AcademicYear, term.academic_year_id)
    return format_message("Term {number}, {year}", number=term.number, year=year.name if year else "")


def next_term_opens(session: Session, term: Term) -> date | None:
    """The first day of the next term the school has set (this year's or the next year's)."""
    return session.exec(select(col(Term.starts_on)).where(col(Term.starts_on) > term.ends_on).order_by(col(Term.starts_on))).first()


# The tables a level's positions are worked out from: a write to any of them makes the cached
# positions stale (`cache.cached`).
POSITION_TABLES = ("assessments", "marks", "enrolments", "classes")

MarksByStudent = dict[UUID, dict[UUID, list[Entry]]]


def _read_marks(session: Session, class_ids: set[UUID], term: Term, student_id: UUID | None = None) -> MarksByStudent:
    """The term's marks in the classes (of one student, or all), by student and subject."""
    # Plain columns, not rows as objects: a level's marks are thousands of them.
    query = (
        columns(col(Mark.student_id), col(Assessment.subject_id), col(Mark.mark), col(Mark.absent), col(Assessment.max_mark), col(Assessment.weight))
        .join(Assessment, col(Assessment.id) == Mark.assessment_id)
        .where(col(Assessment.class_id).in_(class_ids), col(Assessment.term_id) == term.id)
    )
    if student_id is not None:
        query = query.where(col(Mark.student_id) == student_id)
    marks: MarksByStudent = {}
    for student, subject_id, mark, absent, max_mark, weight in session.execute(query).all():
        marks.setdefault(student, {}).setdefault(subject_id, []).append(Entry(mark, absent, max_mark, weight))
    return marks


def _positions(marks: MarksByStudent, class_of: dict[UUID, UUID]) -> tuple[dict[UUID, Position], dict[UUID, Position]]:
    """Each ranked student's place in their class and in the level, by their average."""
    averages: dict[UUID, Fraction] = {}
    for student_id in class_of:
        by_subject = marks.get(student_id, {})
        mean = average(list(subject_percents([SubjectMarks(str(s), "", tuple(e)) for s, e in by_subject.items()]).values()))
        if mean is not None:
            averages[student_id] = mean
    in_class: dict[UUID, Position] = {}
    for class_id in set(class_of.values()):
        in_class |= positions({s: a for s, a in averages.items() if class_of[s] == class_id})
    return in_class, positions(averages)


def _level_positions(session: Session, school_id: UUID, term: Term, grade_level: str, class_ids: set[UUID]) -> tuple[dict[UUID, Position], dict[UUID, Position]]:
    """The level's positions, remembered until a mark, an assessment or an enrolment changes:
    one card on request then reads its own student's rows only, not the whole level's marks."""

    def compute() -> dict[str, dict[str, list[int]]]:
        class_of = dict(session.exec(select(Enrolment.student_id, Enrolment.class_id).where(col(Enrolment.class_id).in_(class_ids))).all())
        in_class, in_level = _positions(_read_marks(session, class_ids, term), class_of)
        return {name: {str(s): [p.place, p.of] for s, p in found.items()} for name, found in (("class", in_class), ("level", in_level))}

    raw = cache.cached(school_id, POSITION_TABLES, {"positions": str(term.id), "level": grade_level}, compute)
    in_class_raw, in_level_raw = raw["class"], raw["level"]
    return (
        {UUID(s): Position(place, of) for s, (place, of) in in_class_raw.items()},
        {UUID(s): Position(place, of) for s, (place, of) in in_level_raw.items()},
    )


class _Level:
    """Every stream of one grade level in a term: marks, averages, positions, attendance and
    comments read once, then a card per student without another query. With `only`, one
    student's rows, and the level's positions from the cache."""

    def __init__(self, session: Session, *, school: School, term: Term, grade_level: str, only: UUID | None = None) -> None:
        self.term, self.school = term, school
        self.classes = {
            c.id: c
            for c in session.exec(
                select(SchoolClass).where(SchoolClass.academic_year_id == term.academic_year_id, SchoolClass.grade_level == grade_level)
            ).all()
        }
        class_ids = set(self.classes) or {UUID(int=0)}
        self.level = scale_level(grade_level)
        self.scale = scale_of(session, self.level) if self.level is not None else ()
        year = session.get(AcademicYear, term.academic_year_id)
        self.year_name = year.name if year else ""
        self.term_name = format_message("Term {number}", number=term.number)
        self.opens = next_term_opens(session, term)
        students = (
            select(Student, Enrolment.class_id)
            .join(Enrolment, col(Enrolment.student_id) == Student.id)
            .where(col(Enrolment.class_id).in_(class_ids))
            .order_by(col(Student.last_name), col(Student.first_name))
        )
        if only is not None:
            students = students.where(Student.id == only)
        self.students: dict[UUID, tuple[Student, UUID]] = {student.id: (student, class_id) for student, class_id in session.exec(students).all()}
        teachers = {c.class_teacher_id for c in self.classes.values() if c.class_teacher_id} or {UUID(int=0)}
        self.teacher_names = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(teachers))).all())
        self.marks = _read_marks(session, class_ids, term, only)
        subject_ids = {s for by_subject in self.marks.values() for s in by_subject} or {UUID(int=0)}
        self.subjects = {s.id: s for s in session.exec(select(Subject).where(col(Subject.id).in_(subject_ids))).all()}
        if only is None:
            self.class_positions, self.level_positions = _positions(self.marks, {s: c for s, (_student, c) in self.students.items()})
        else:
            self.class_positions, self.level_positions = _level_positions(session, school.id, term, grade_level, class_ids)
        student_ids = set(self.students) or {UUID(int=0)}
        self.attendance = _attendance(session, class_ids, term, student_ids if only is not None else None)
        self.comments = {
            c.student_id: c
            for c in session.exec(select(ReportComment).where(ReportComment.term_id == term.id, col(ReportComment.student_id).in_(student_ids))).all()
        }

    def _subject_marks(self, student_id: UUID) -> tuple[SubjectMarks, ...]:
        return tuple(
            SubjectMarks(self.subjects[subject_id].name, self.subjects[subject_id].code, tuple(entries))
            for subject_id, entries in self.marks.get(student_id, {}).items()
        )

    def facts(self, student_id: UUID) -> ReportFacts:
        student, class_id = self.students[student_id]
        school_class = self.classes[class_id]
        counts = self.attendance.get(student_id, Counter())
        comment = self.comments.get(student_id)
        return ReportFacts(
            school_name=self.school.name,
            student_name=student.full_name,
            admission_number=student.admission_number,
            class_name=school_class.name,
            term_name=self.term_name,
            year_name=self.year_name,
            level=self.level,
            scale=self.scale,
            subjects=self._subject_marks(student_id),
            class_position=self.class_positions.get(student_id),
            level_position=self.level_positions.get(student_id),
            show_positions=self.school.show_report_positions,
            attendance_rate=attendance_rate(counts),
            days_present=counts.get(AttendanceStatus.present, 0) + counts.get(AttendanceStatus.late, 0),
            days_recorded=sum(counts.values()) - counts.get(AttendanceStatus.excused, 0),
            class_teacher=self.teacher_names.get(school_class.class_teacher_id, "") if school_class.class_teacher_id else "",
            teacher_comment=comment.teacher_comment if comment else "",
            head_comment=comment.head_comment if comment else "",
            next_term_opens=self.opens,
        )

    def pdf(self, student_id: UUID, logo: bytes | None) -> bytes:
        return render(assemble(self.facts(student_id)), logo=logo)


def _attendance(session: Session, class_ids: set[UUID], term: Term, student_ids: set[UUID] | None = None) -> dict[UUID, Counter[str]]:
    """Each student's (of `student_ids`, or all) days in the term, counted by how the day went
    (`attendance.day_counts`: in a per-lesson school, present at any lesson is a day present),
    in one query."""
    return day_counts(session, class_ids, term.starts_on, term.ends_on, student_ids)


def school_logo(actor: CurrentUser, school: School) -> bytes | None:
    if not school.logo_key:
        return None
    try:
        return storage.get(actor, school.logo_key)
    except NotFound:
        return None


def the_school(session: Session) -> School:
    school = session.exec(select(School)).first()
    if school is None:
        raise NotFound(_("This school could not be found."))
    return school


def _file_stem(student: Student, term: Term) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in f"{student.last_name}-{student.first_name}").strip("-")
    return f"report-{student.admission_number}-{safe}-term-{term.number}".replace("/", "-")


def _term(session: Session, term_id: UUID | str) -> Term:
    try:
        term = session.get(Term, term_id if isinstance(term_id, UUID) else UUID(str(term_id)))
    except ValueError:
        term = None
    if term is None:
        raise NotFound(_(NO_SUCH_TERM))
    return term


# --- one card ---------------------------------------------------------------------------------


def report_card_pdf(*, actor: CurrentUser, student_id: UUID, term_id: UUID) -> ReportFile:
    """A student's card for a term, for whoever may see the student; for a student or a parent
    only once the term is published for the student's class (until then: not found)."""
    require(actor, READ_GRADES)
    with unit_of_work(actor) as session:
        visible = visible_student_ids(session, actor)
        student = session.get(Student, student_id)
        if student is None or (visible is not None and student_id not in visible):
            raise NotFound(_(NO_SUCH_STUDENT))
        term = _term(session, term_id)
        school_class = session.exec(
            select(SchoolClass)
            .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
            .where(Enrolment.student_id == student_id, SchoolClass.academic_year_id == term.academic_year_id)
        ).first()
        if school_class is None:
            raise NotFound(_(NO_SUCH_CARD))
        if actor.role in WAIT_FOR_REPORTS and not is_published(session, term_id=term.id, class_id=school_class.id):
            raise NotFound(_(NO_SUCH_CARD))
        school = the_school(session)
        level = _Level(session, school=school, term=term, grade_level=school_class.grade_level, only=student_id)
        return ReportFile(f"{_file_stem(student, term)}.pdf", level.pdf(student_id, school_logo(actor, school)), PDF)


def published_report_cards(*, actor: CurrentUser, student_id: UUID | None = None) -> CardList:
    """The terms whose cards a student (`None`: the actor's own record) may download, newest
    first: for students and parents the published ones only."""
    require(actor, READ_GRADES)
    with unit_of_work(actor) as session:
        if student_id is None:
            student_id = session.exec(select(Student.id).where(Student.user_id == actor.id)).first()
            if student_id is None:
                return CardList("", [])
        visible = visible_student_ids(session, actor)
        if session.get(Student, student_id) is None or (visible is not None and student_id not in visible):
            raise NotFound(_(NO_SUCH_STUDENT))
        query = (
            select(Term)
            .join(SchoolClass, col(SchoolClass.academic_year_id) == Term.academic_year_id)
            .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
            .where(Enrolment.student_id == student_id)
        )
        if actor.role in WAIT_FOR_REPORTS:
            query = query.join(
                ReportPublication, (col(ReportPublication.term_id) == Term.id) & (col(ReportPublication.class_id) == SchoolClass.id)
            )
        terms = session.exec(query.order_by(col(Term.starts_on).desc())).all()
        return CardList(str(student_id), [{"term_id": str(t.id), "label": term_label(session, t)} for t in terms])


# --- the page's choices and comments ----------------------------------------------------------


def _commentable_classes(session: Session, actor: CurrentUser, year_id: UUID) -> list[SchoolClass]:
    query = select(SchoolClass).where(SchoolClass.academic_year_id == year_id).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
    if not can(actor, PUBLISH):
        query = query.where(SchoolClass.class_teacher_id == actor.id)
    return list(session.exec(query).all())


def report_options(*, actor: CurrentUser, term_id: UUID | str | None = None) -> ReportOptions:
    """The terms of this year and the last, and for the chosen one (default: the last term
    that has started) the classes the actor comments on and the levels an admin publishes."""
    require(actor, COMMENT)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        today = calendar.today_for(session, actor.school_id)
        terms = session.exec(select(Term).where(col(Term.starts_on) <= today).order_by(col(Term.starts_on).desc()).limit(6)).all()
        chosen = next((t for t in terms if str(t.id) == str(term_id)), terms[0] if terms else None)
        classes = _commentable_classes(session, actor, chosen.academic_year_id) if chosen else []
        levels = sorted({c.grade_level for c in classes}, key=lambda level: list(GradeLevel).index(GradeLevel(level)))
        may_publish = can(actor, PUBLISH)
        return ReportOptions(
            terms=[{"value": str(t.id), "label": term_label(session, t)} for t in terms],
            term_id=str(chosen.id) if chosen else "",
            classes=[{"value": str(c.id), "label": c.name} for c in classes],
            levels=[{"value": str(level), "label": _(GRADE_LEVEL_NAMES[GradeLevel(level)])} for level in levels] if may_publish else [],
            may_publish=may_publish,
        )


def _comment_class(session: Session, actor: CurrentUser, class_id: UUID) -> SchoolClass:
    """A class whose comments the actor writes: any for an administrator, the one they lead
    for a class teacher; another is not found."""
    school_class = require_class(session, actor, COMMENT, class_id)
    if not can(actor, PUBLISH) and school_class.class_teacher_id != actor.id:
        raise NotFound(_("No such class, or not one you lead."))
    return school_class


def comment_page(
    *, actor: CurrentUser, term_id: UUID, class_id: UUID, search: str = "", page: int = 1, per_page: int = 20
) -> Page:
    """One page of a class's students with their comments for the term, by surname."""
    require(actor, COMMENT)
    per_page = max(1, min(per_page, PER_PAGE_LIMIT))
    page = max(1, page)
    with unit_of_work(actor) as session:
        school_class = _comment_class(session, actor, class_id)
        _term(session, term_id)
        query = select(Student).join(Enrolment, col(Enrolment.student_id) == Student.id).where(Enrolment.class_id == school_class.id)
        if search.strip():
            pattern = like_pattern(search.strip())
            query = query.where(or_(col(Student.first_name).ilike(pattern, escape="\\"), col(Student.last_name).ilike(pattern, escape="\\"),
                                    col(Student.admission_number).ilike(pattern, escape="\\")))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        found = session.exec(query.order_by(col(Student.last_name), col(Student.first_name)).offset((page - 1) * per_page).limit(per_page)).all()
        ids = {s.id for s in found} or {UUID(int=0)}
        comments = {
            c.student_id: c for c in session.exec(select(ReportComment).where(ReportComment.term_id == term_id, col(ReportComment.student_id).in_(ids))).all()
        }
        rows = [_comment_row(s, comments.get(s.id)) for s in found]
        return Page(rows=[dict(row) for row in rows], total=int(total))


def _comment_row(student: Student, comment: ReportComment | None) -> CommentRow:
    return {
        "student_id": str(student.id),
        "name": student.full_name,
        "admission_number": student.admission_number,
        "teacher_comment": comment.teacher_comment if comment else "",
        "head_comment": comment.head_comment if comment else "",
    }


def _clean_comment(text: str | None, field: str) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_COMMENT:
        raise ValidationFailed({field: format_message("A comment is at most {count} characters.", count=MAX_COMMENT)})
    return cleaned


def save_comment(
    *, actor: CurrentUser, term_id: UUID, student_id: UUID, teacher_comment: str | None = None, head_comment: str | None = None
) -> CommentRow:
    """Write the class teacher's and/or the head's comment on a student's card for a term
    (None: leave it as it is). The head's is the administrators'; the class teacher's, the
    class teacher's (and the administrators')."""
    require(actor, COMMENT)
    teacher_text, head_text = _clean_comment(teacher_comment, "teacher_comment"), _clean_comment(head_comment, "head_comment")
    if head_text is not None and not can(actor, PUBLISH):
        require(actor, PUBLISH)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        term = _term(session, term_id)
        class_id = session.exec(
            select(Enrolment.class_id)
            .join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
            .where(Enrolment.student_id == student_id, SchoolClass.academic_year_id == term.academic_year_id)
        ).first()
        student = session.get(Student, student_id)
        if class_id is None or student is None:
            raise NotFound(_(NO_SUCH_STUDENT))
        try:
            _comment_class(session, actor, class_id)
        except NotFound:
            raise NotFound(_(NO_SUCH_STUDENT)) from None
        comment = session.exec(select(ReportComment).where(ReportComment.term_id == term.id, ReportComment.student_id == student_id)).first()
        comment = comment or ReportComment(school_id=actor.school_id, term_id=term.id, student_id=student_id)
        if teacher_text is not None:
            comment.teacher_comment = teacher_text
        if head_text is not None:
            comment.head_comment = head_text
        comment.updated_by = actor.id
        session.add(comment)
        session.flush()
        return _comment_row(student, comment)


# --- publishing -----------------------------------------------------------------------------------


def publication_status(*, actor: CurrentUser, term_id: UUID) -> list[PublicationRow]:
    """Every class of the term's year: how many students, and whether its cards are published."""
    require(actor, PUBLISH)
    with unit_of_work(actor) as session:
        term = _term(session, term_id)
        classes = session.exec(
            select(SchoolClass).where(SchoolClass.academic_year_id == term.academic_year_id).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
        ).all()
        ids = {c.id for c in classes} or {UUID(int=0)}
        counts = dict(session.exec(select(Enrolment.class_id, func.count()).where(col(Enrolment.class_id).in_(ids)).group_by(col(Enrolment.class_id))).all())
        published = set(session.exec(select(ReportPublication.class_id).where(ReportPublication.term_id == term.id)).all())
        return [
            {"class_id": str(c.id), "name": c.name, "level": str(c.grade_level), "students": int(counts.get(c.id, 0)), "published": c.id in published}
            for c in classes
        ]


def _scope_classes(session: Session, term: Term, scope: str) -> tuple[list[SchoolClass], str]:
    """The classes a scope names ("class:<id>" or "level:<grade level>") in the term's year, and
    the scope as it goes into a key and a file name."""
    kind, _colon, value = scope.partition(":")
    query = select(SchoolClass).where(SchoolClass.academic_year_id == term.academic_year_id)
    if kind == "class":
        try:
            query = query.where(SchoolClass.id == UUID(value))
        except ValueError:
            raise NotFound(_("No such class.")) from None
    elif kind == "level" and value in GradeLevel.__members__.values():
        query = query.where(SchoolClass.grade_level == value)
    else:
        raise ValidationFailed({"scope": _("Choose a class or a level.")})
    classes = list(session.exec(query.order_by(col(SchoolClass.name))).all())
    if not classes:
        raise NotFound(_("No such class."))
    return classes, f"{kind}-{value}"


def publish_report_cards(*, actor: CurrentUser, term_id: UUID | str, scope: str) -> str:
    """Queue the making of a term's cards for a class or a level (`scope`); returns the job's
    id. The same term and scope is one job: asking again follows it."""
    require(actor, PUBLISH)
    with unit_of_work(actor) as session:
        term = _term(session, term_id)
        classes, scope_key = _scope_classes(session, term, scope)
        students = session.exec(select(func.count()).select_from(Enrolment).where(col(Enrolment.class_id).in_({c.id for c in classes}))).one()
        started = jobs.start(
            session, actor=actor, kind=JOB_KIND, key=f"report-cards:{term.id}:{scope_key}",
            params={"term_id": str(term.id), "class_ids": [str(c.id) for c in classes], "scope": scope_key}, total=int(students),
        )
    jobs.enqueue(started)
    return str(started.id)


def make_report_zip(session: Session, *, actor: CurrentUser, term: Term, class_ids: Iterable[UUID], progress: Callable[[int, int], None]) -> tuple[bytes, int]:
    """Every card of the classes, one PDF each in a folder per class, as one ZIP; returns it and
    how many cards it holds."""
    school = the_school(session)
    logo = school_logo(actor, school)
    wanted = set(class_ids)
    chosen = session.exec(select(SchoolClass).where(col(SchoolClass.id).in_(wanted or {UUID(int=0)}))).all()
    levels = sorted({c.grade_level for c in chosen})
    batches = [_Level(session, school=school, term=term, grade_level=level) for level in levels]
    cards = [(batch, student_id) for batch in batches for student_id, (_s, class_id) in batch.students.items() if class_id in wanted]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (batch, student_id) in enumerate(cards, start=1):
            student, class_id = batch.students[student_id]
            folder = "".join(ch if ch.isalnum() else "-" for ch in batch.classes[class_id].name)
            archive.writestr(f"{folder}/{_file_stem(student, term)}.pdf", batch.pdf(student_id, logo))
            if done % 10 == 0 or done == len(cards):
                progress(done, len(cards))
    return buffer.getvalue(), len(cards)


@jobs.handler(JOB_KIND)
def _publish_job(session: Session, job: jobs.RunningJob) -> jobs.Outcome:
    require(job.actor, PUBLISH)
    assert job.actor.school_id is not None
    term = _term(session, job.params["term_id"])
    class_ids = [UUID(c) for c in job.params["class_ids"]]
    content, count = make_report_zip(session, actor=job.actor, term=term, class_ids=class_ids, progress=job.progress)
    key = storage.school_key(job.actor.school_id, "report-cards", f"{job.id}.zip")
    storage.put(job.actor, key, content, "application/zip")  # same key on a second run: the same file again
    for class_id in class_ids:
        session.execute(
            insert(ReportPublication)
            .values(school_id=job.actor.school_id, term_id=term.id, class_id=class_id, published_by=job.actor.id)
            .on_conflict_do_nothing(index_elements=["term_id", "class_id"])
        )
    return jobs.Outcome(format_message(PUBLISHED, count=count), result=key)


def report_zip(*, actor: CurrentUser, job_id: UUID | str) -> ReportFile:
    """The ZIP a finished publishing job made, for the school's administrators."""
    require(actor, PUBLISH)
    with unit_of_work(actor) as session:
        try:
            job = session.get(Job, job_id if isinstance(job_id, UUID) else UUID(str(job_id)))
        except ValueError:
            job = None
        if job is None or job.kind != JOB_KIND or not job.result:
            raise NotFound(_(jobs.NO_SUCH_JOB))
        scope = str(job.params.get("scope", "cards"))
        term = session.get(Term, UUID(job.params["term_id"]))
        name = f"report-cards-term-{term.number if term else ''}-{scope}.zip"
        key = job.result
    return ReportFile(name, storage.get(actor, key), "application/zip")
