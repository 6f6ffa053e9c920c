"""The dashboards' cards: each card is one function here that checks the permission, opens the
actor's school's session (RLS keeps it to that school) and answers in one or two queries.

- The school admin's (`dashboard.school_admin`): enrolment by level, today's attendance so far
  (registers taken of those to take, the present rate), the latest audit events (`audit.read`).
- The teacher's (`dashboard.teacher`): marks still to enter, i.e. today's term's assessments of
  the subjects they teach in a class, with students on the roll who have no mark yet (today's
  lessons and registers are the timetable's and the registers' own cards).
- The student's and the parent's (`dashboard.student`, `dashboard.parent`), one entry per child
  (a student's is themself): recent marks, this term's attendance rate, the next lessons; and the
  parent's alone, what the family owes per child and currency (`fees.read` too).

Every school role's dashboard also shows the newest announcements addressed to the reader
(`announcements.latest_announcements`, which holds the audience rule).

What a student or parent sees of marks follows `gradebook.student_grades`: grades only, and only
of a term whose report cards are published for the student's class. "Recent marks" are the
grades of the latest such term; a test marked this term stays with the teacher until the term's
reports are out, so nothing unpublished shows here either.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypedDict
from uuid import UUID

from sqlmodel import Session, col, func, select

from models import (
    GRADE_LEVEL_NAMES,
    Assessment,
    AttendanceRecord,
    AttendanceRegister,
    AttendanceStatus,
    Enrolment,
    GradeLevel,
    Invoice,
    Mark,
    Payment,
    PaymentAllocation,
    ReportPublication,
    SchoolClass,
    Student,
    StudentStatus,
    Subject,
    TeachingAssignment,
    Term,
    TimetableSlot,
)
from oneclass.db import unit_of_work
from oneclass.i18n import _
from oneclass.permissions import can, require
from oneclass.services import attendance, audit, calendar, timetable
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound
from oneclass.services.fees import money_text
from oneclass.services.gradebook import GradeRow, term_grades
from oneclass.services.students import current_year_id, visible_student_ids

ADMIN_DASHBOARD = "dashboard.school_admin"
TEACHER_DASHBOARD = "dashboard.teacher"
FAMILY_DASHBOARDS = ("dashboard.student", "dashboard.parent")
PARENT_DASHBOARD = "dashboard.parent"
READ_FEES = "fees.read"
READ_AUDIT = "audit.read"
RECENT_EVENTS = 5
NEXT_LESSONS = 4
LOOK_AHEAD_DAYS = 21  # the next lessons are found within three weeks (a half-term break is shorter)
NOBODY = UUID(int=0)


class LevelCount(TypedDict):
    level: str  # a GradeLevel value
    name: str  # its English name (a message id: shown with t())
    students: int


@dataclass(frozen=True)
class EnrolmentByLevel:
    """Students on the roll this year, by level, in the levels' order."""

    levels: list[LevelCount]
    total: int


@dataclass(frozen=True)
class TodayAttendance:
    day: date
    school_day: bool
    taken: int  # registers saved today (lesson registers in a per-lesson school)
    to_take: int  # this year's classes, one register each; or today's lessons in a per-lesson school
    rate: int | None  # present or late over recorded less excused, today so far; None before any


class ActivityRow(TypedDict):
    when: str
    actor: str
    action: str  # the English label (a message id), or the action's code when it has none
    target: str


class MarksDue(TypedDict):
    assessment_id: str
    class_name: str
    subject: str
    assessment: str
    missing: int  # students on the roll with no mark (nor "absent") yet


class ChildMarks(TypedDict):
    student_id: str
    name: str
    term: str  # "2026 Term 2": the latest term published for the child's class; "" when none
    grades: list[GradeRow]


class ChildAttendance(TypedDict):
    student_id: str
    name: str
    rate: int | None
    days: int  # days recorded this term
    absent: int
    late: int
    excused: int


class NextLesson(TypedDict):
    day: str  # YYYY-MM-DD
    weekday: str  # English weekday name (a message id)
    starts: str
    ends: str
    subject: str
    teacher: str
    room: str


class ChildLessons(TypedDict):
    student_id: str
    name: str
    class_name: str
    lessons: list[NextLesson]


class ChildOwes(TypedDict):
    student_id: str
    name: str
    owed: list[dict[str, str]]  # {"currency", "amount"}: the currencies something is owed in, "0.00" never listed


def _school_of(actor: CurrentUser, permission: str) -> UUID:
    require(actor, permission)
    if actor.school_id is None:
        raise NotFound(_("No such school."))
    return actor.school_id


def _family_school(actor: CurrentUser) -> UUID:
    """A student's or a parent's school (each opens only their own dashboard)."""
    return _school_of(actor, next((p for p in FAMILY_DASHBOARDS if can(actor, p)), FAMILY_DASHBOARDS[0]))


# --- the school admin's ----------------------------------------------------------------------


def enrolment_by_level(*, actor: CurrentUser) -> EnrolmentByLevel:
    """This year's students on the roll per level (one grouped query)."""
    _school_of(actor, ADMIN_DASHBOARD)
    with unit_of_work(actor) as session:
        counts = dict(
            session.exec(
                select(SchoolClass.grade_level, func.count(col(Enrolment.student_id)))
                .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
                .join(Student, col(Student.id) == Enrolment.student_id)
                .where(SchoolClass.academic_year_id == (current_year_id(session) or NOBODY), Student.status == StudentStatus.enrolled)
                .group_by(col(SchoolClass.grade_level))
            ).all()
        )
    levels: list[LevelCount] = [
        {"level": level.value, "name": GRADE_LEVEL_NAMES[level], "students": int(counts[level])} for level in GradeLevel if counts.get(level)
    ]
    return EnrolmentByLevel(levels=levels, total=sum(row["students"] for row in levels))


def attendance_today(*, actor: CurrentUser, today: date | None = None) -> TodayAttendance:
    """Today's registers so far across the school: how many of this year's classes have theirs,
    and the present rate of the marks saved today (`today`: the school's, unless a test says)."""
    school_id = _school_of(actor, ADMIN_DASHBOARD)
    with unit_of_work(actor) as session:
        today = today or calendar.today_for(session, school_id)
        if not calendar.is_school_day(session, today):
            return TodayAttendance(day=today, school_day=False, taken=0, to_take=0, rate=None)
        year_id = current_year_id(session) or NOBODY
        by_lesson = attendance.per_lesson(session)
        if by_lesson:  # one register per lesson on today's timetable
            to_take = session.exec(
                select(func.count()).select_from(TimetableSlot).where(TimetableSlot.academic_year_id == year_id, TimetableSlot.day == today.isoweekday())
            ).one()
        else:
            to_take = session.exec(select(func.count()).select_from(SchoolClass).where(SchoolClass.academic_year_id == year_id)).one()
        kind = col(AttendanceRegister.period).is_not(None) if by_lesson else col(AttendanceRegister.period).is_(None)
        rows = session.exec(
            select(col(AttendanceRegister.id), col(AttendanceRecord.status), func.count())
            .join(SchoolClass, col(SchoolClass.id) == AttendanceRegister.class_id)
            .outerjoin(AttendanceRecord, col(AttendanceRecord.register_id) == AttendanceRegister.id)
            .where(AttendanceRegister.day == today, SchoolClass.academic_year_id == year_id, kind)
            .group_by(col(AttendanceRegister.id), col(AttendanceRecord.status))
        ).all()
        counts: Counter[str] = Counter()
        for _register, status, count in rows:
            if status is not None:
                counts[str(status)] += count
        return TodayAttendance(
            day=today, school_day=True, taken=len({register for register, _status, _count in rows}), to_take=int(to_take),
            rate=attendance.attendance_rate(counts),
        )


def recent_activity(*, actor: CurrentUser, limit: int = RECENT_EVENTS) -> list[ActivityRow]:
    """The school's latest audit events, newest first (the audit page has the rest)."""
    _school_of(actor, ADMIN_DASHBOARD)
    require(actor, READ_AUDIT)
    with unit_of_work(actor) as session:
        rows = audit.query_events(session, audit.AuditFilter(), per_page=limit).rows
    return [{"when": row["when"], "actor": row["actor"], "action": row["action_label"] or row["action"], "target": row["target"]} for row in rows]


# --- the teacher's ---------------------------------------------------------------------------


def marks_to_enter(*, actor: CurrentUser, today: date | None = None) -> list[MarksDue]:
    """Today's term's assessments of the subjects the teacher teaches in a class, with how many
    students on the class's roll have no mark yet; those fully marked are left out."""
    school_id = _school_of(actor, TEACHER_DASHBOARD)
    with unit_of_work(actor) as session:
        term = calendar.term_for_day(session, today or calendar.today_for(session, school_id))
        if term is None:
            return []
        missing = func.count(col(Enrolment.student_id)).filter(col(Mark.id).is_(None))
        rows = session.exec(
            select(Assessment, col(SchoolClass.name), col(Subject.name), missing)
            .join(
                TeachingAssignment,
                (col(TeachingAssignment.class_id) == Assessment.class_id) & (col(TeachingAssignment.subject_id) == Assessment.subject_id),
            )
            .join(SchoolClass, col(SchoolClass.id) == Assessment.class_id)
            .join(Subject, col(Subject.id) == Assessment.subject_id)
            .join(Enrolment, (col(Enrolment.class_id) == Assessment.class_id) & (col(Enrolment.academic_year_id) == SchoolClass.academic_year_id))
            .join(Student, col(Student.id) == Enrolment.student_id)
            .outerjoin(Mark, (col(Mark.assessment_id) == Assessment.id) & (col(Mark.student_id) == Enrolment.student_id))
            .where(TeachingAssignment.teacher_id == actor.id, Assessment.term_id == term.id, Student.status == StudentStatus.enrolled)
            .group_by(col(Assessment.id), col(SchoolClass.name), col(Subject.name))
            .having(missing > 0)
            .order_by(col(SchoolClass.name), col(Subject.name), col(Assessment.created_at))
        ).all()
    return [
        {"assessment_id": str(assessment.id), "class_name": class_name, "subject": subject, "assessment": assessment.name, "missing": int(count)}
        for assessment, class_name, subject, count in rows
    ]


# --- the student's and the parent's ------------------------------------------------------------


def _children(session: Session, actor: CurrentUser) -> list[Student]:
    """The students the actor's family dashboard is about: a student themself, a parent's children."""
    ids = visible_student_ids(session, actor)
    if ids is None:  # an administrator has no family dashboard
        return []
    return list(session.exec(select(Student).where(col(Student.id).in_(ids or {NOBODY})).order_by(col(Student.first_name))).all())


def recent_marks(*, actor: CurrentUser) -> list[ChildMarks]:
    """Per child, the grades of the latest term published for their class (nothing else: see
    the module's note)."""
    _family_school(actor)
    with unit_of_work(actor) as session:
        found: list[ChildMarks] = []
        for child in _children(session, actor):
            term = session.exec(
                select(Term)
                .join(ReportPublication, col(ReportPublication.term_id) == Term.id)
                .join(Enrolment, (col(Enrolment.class_id) == ReportPublication.class_id) & (col(Enrolment.academic_year_id) == Term.academic_year_id))
                .where(Enrolment.student_id == child.id)
                .order_by(col(Term.starts_on).desc())
            ).first()
            found.append({
                "student_id": str(child.id), "name": child.full_name, "term": attendance.term_name(session, term),
                "grades": term_grades(session, student_id=child.id, term=term) if term is not None else [],
            })
        return found


def attendance_this_term(*, actor: CurrentUser, today: date | None = None) -> list[ChildAttendance]:
    """Per child, this term's rate so far and the days not simply present (one grouped query)."""
    school_id = _family_school(actor)
    with unit_of_work(actor) as session:
        children = _children(session, actor)
        first, last = attendance.term_so_far(session, today or calendar.today_for(session, school_id))
        counts: dict[UUID, Counter[str]] = {child.id: Counter() for child in children}
        for student_id, status, count in session.exec(
            select(col(AttendanceRecord.student_id), col(AttendanceRecord.status), func.count())
            .join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id)
            .where(col(AttendanceRecord.student_id).in_(set(counts) or {NOBODY}), col(AttendanceRegister.day) >= first, col(AttendanceRegister.day) <= last)
            .group_by(col(AttendanceRecord.student_id), col(AttendanceRecord.status))
        ).all():
            counts[student_id][str(status)] += count
    return [
        {
            "student_id": str(child.id), "name": child.full_name, "rate": attendance.attendance_rate(counts[child.id]),
            "days": sum(counts[child.id].values()), "absent": counts[child.id][AttendanceStatus.absent],
            "late": counts[child.id][AttendanceStatus.late], "excused": counts[child.id][AttendanceStatus.excused],
        }
        for child in children
    ]


def next_lessons(*, actor: CurrentUser, count: int = NEXT_LESSONS, now: datetime | None = None) -> list[ChildLessons]:
    """Per child, the next `count` lessons of their class's timetable: today's not yet over, then
    the coming school days' (weekends, holidays and closures skipped). `now`: the school's clock
    unless a test says."""
    school_id = _family_school(actor)
    with unit_of_work(actor) as session:
        now = now or calendar.now_for(session, school_id)
        today, clock = now.date(), now.strftime("%H:%M")
        year_id = current_year_id(session) or NOBODY
        children = _children(session, actor)
        classes = dict(
            session.exec(
                select(Enrolment.student_id, Enrolment.class_id).where(
                    col(Enrolment.student_id).in_({c.id for c in children} or {NOBODY}), Enrolment.academic_year_id == year_id
                )
            ).all()
        )
        slots = timetable.slot_rows(session, col(TimetableSlot.class_id).in_(set(classes.values()) or {NOBODY}), TimetableSlot.academic_year_id == year_id)
        periods = {p["number"]: p for p in timetable.period_rows(session)}
        days = calendar.school_days(session, today, today + timedelta(days=LOOK_AHEAD_DAYS)) if slots else []
        names = {str(s.id): s.name for s in session.exec(select(SchoolClass).where(col(SchoolClass.id).in_(set(classes.values()) or {NOBODY}))).all()}
    found: list[ChildLessons] = []
    for child in children:
        class_id = str(classes.get(child.id, ""))
        lessons: list[NextLesson] = []
        for day in days:
            for slot in slots:
                period = periods.get(slot["period"])
                if len(lessons) >= count or slot["class_id"] != class_id or slot["day"] != day.isoweekday() or period is None:
                    continue
                if day == today and period["ends"] <= clock:
                    continue
                lessons.append({
                    "day": day.isoformat(), "weekday": timetable.DAYS.get(day.isoweekday(), ""), "starts": period["starts"], "ends": period["ends"],
                    "subject": slot["subject"], "teacher": slot["teacher"], "room": slot["room"] or "",
                })
        found.append({"student_id": str(child.id), "name": child.full_name, "class_name": names.get(class_id, ""), "lessons": lessons})
    return found


def fees_owed(*, actor: CurrentUser) -> list[ChildOwes]:
    """The parent's card: per child, what the family owes in each currency (their invoices not
    voided, less what payments not reversed paid of them), in two grouped queries."""
    _school_of(actor, PARENT_DASHBOARD)
    require(actor, READ_FEES)
    with unit_of_work(actor) as session:
        children = _children(session, actor)
        ids = {child.id for child in children} or {NOBODY}
        family = (col(Invoice.student_id).in_(ids), col(Invoice.sponsor_id).is_(None), col(Invoice.voided_at).is_(None))
        owed: defaultdict[tuple[UUID, str], Decimal] = defaultdict(Decimal)
        for student_id, currency, total in session.exec(
            select(Invoice.student_id, Invoice.currency, func.sum(Invoice.total)).where(*family).group_by(col(Invoice.student_id), col(Invoice.currency))
        ).all():
            owed[(student_id, str(currency))] += total
        for student_id, currency, paid in session.exec(
            select(Invoice.student_id, Invoice.currency, func.sum(PaymentAllocation.amount))
            .join(PaymentAllocation, col(PaymentAllocation.invoice_id) == Invoice.id)
            .join(Payment, col(Payment.id) == PaymentAllocation.payment_id)
            .where(*family, col(Payment.reversed_at).is_(None))
            .group_by(col(Invoice.student_id), col(Invoice.currency))
        ).all():
            owed[(student_id, str(currency))] -= paid
    return [
        {
            "student_id": str(child.id), "name": child.full_name,
            "owed": [{"currency": currency, "amount": money_text(amount)} for (student_id, currency), amount in sorted(owed.items()) if student_id == child.id and amount != 0],
        }
        for child in children
    ]
