"""Attendance registers: a class's register for a school day, or for one lesson of it where the
school takes registers per lesson (every enrolled student, present unless marked otherwise),
saved whole in one call; a student's history and rate; rates by week and by term for a class
and for the school; the registers a teacher still has to take today.

Who: `attendance.take` on a class through `academics.require_class` (an administrator, any
class; a teacher, the classes they teach or lead); a student's history to whoever may see the
student (`students.visible_student_ids`: themself, their parents, their class's teachers,
administrators); summaries to teachers (their classes) and administrators (every class, the
school).

Saving is safe to repeat: the register is one row per class and day (taken under a row lock),
each student one record in it, and saving the same marks again changes nothing. A day already
over is history: changing its saved register needs a reason, and every save of a past day is
audited with who and why.

Per-lesson schools (`schools.registers_per_lesson`, a school setting): a register names a
period of the class's timetable on that weekday, and there is one per class, day and period. A
lesson's register is for its teacher, the class teacher and the administrators (another
teacher of the class is refused). A daily school refuses a period; a per-lesson school still
answers for the daily register when no period is named (the REST contract is unchanged, and
registers taken before the switch remain). Rates count every mark alike, so in a per-lesson
school a rate is over lessons, not days; report cards count days (`day_counts`).
"""

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict
from uuid import UUID, uuid4

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, func, select

from models import (
    AcademicYear,
    AttendanceRecord,
    AttendanceRegister,
    AttendanceStatus,
    ClosureDay,
    Enrolment,
    SchoolClass,
    Student,
    StudentStatus,
    Subject,
    Term,
    TimetableSlot,
    User,
)
from models.common import utcnow
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_date, format_message
from oneclass.permissions import PermissionDenied, require
from oneclass.services import academics, audit, calendar, notifications, timetable
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import get_current_school
from oneclass.services.students import current_year_id, visible_class_ids, visible_student_ids

TAKE_REGISTER = "attendance.take"
READ_ATTENDANCE = "attendance.read"
READ_SUMMARY = "attendance.summary"
REGISTER_CHANGED = audit.REGISTER_CHANGED
MAX_REASON = 200
ABSENCE_ALERT_DAYS = 7  # a register of the last week alerts guardians; an older correction alerts nobody
MAX_HISTORY_DAYS = 400  # a school year and a little: a history is read a term or a year at a time
NO_SUCH_STUDENT = N_("No such student, or not one of yours.")
WHOLE_SCHOOL_ONLY = N_("Only the school's administrators see the whole school's attendance.")
DAILY_SCHOOL = N_("This school takes one register a day: leave the period out.")


@dataclass(frozen=True)
class EntryInput:
    """One student's mark as a caller sends it (the page, the API): checked by `save_register`."""

    student_id: str
    status: str
    reason: str = ""


class RegisterEntry(TypedDict):
    student_id: str
    name: str
    status: str
    reason: str


@dataclass
class RegisterView:
    """A class's register for a day, saved or not (unsaved: everyone present)."""

    day: date
    class_id: UUID
    class_name: str
    saved: bool
    records: list[RegisterEntry]
    closed: str = ""  # why no register is taken that day ("" when one is)
    needs_reason: bool = False  # saved, and the day is over: a change says why
    period: int | None = None  # the lesson's period; None for a daily register


class HistoryRecord(TypedDict):
    date: str
    period: int | None  # the lesson's period in a per-lesson school; None for a daily register
    status: str
    reason: str


@dataclass
class StudentHistory:
    student_id: UUID
    name: str
    starts_on: date
    ends_on: date
    records: list[HistoryRecord]
    counts: dict[str, int]
    rate: int | None  # a whole percent; None when no day counts


class RatePoint(TypedDict):
    label: str  # a week's Monday (YYYY-MM-DD) or a term ("2026 Term 1")
    rate: int
    days: int


@dataclass
class AttendanceSummary:
    title: str
    by_week: list[RatePoint] = field(default_factory=list)
    by_term: list[RatePoint] = field(default_factory=list)
    rate: int | None = None


class ClassChoice(TypedDict):
    id: str
    name: str


@dataclass
class RegisterDesk:
    """What the registers page opens on: today (the school's), the classes the actor takes
    registers for this year, and today's term."""

    today: date
    classes: list[ClassChoice]
    term: str
    per_lesson: bool = False  # the school takes a register per lesson


class LessonChoice(TypedDict):
    period: int
    label: str  # "Period 2, 08:40–09:20: Mathematics (T. Moyo)"


class DueRegister(TypedDict):
    class_id: str
    name: str  # the class, and the lesson's period and subject in a per-lesson school
    period: int | None


# --- rules on a session -----------------------------------------------------------------------


def attendance_rate(counts: Counter[str] | dict[str, int]) -> int | None:
    """(present + late) over recorded days less excused ones, as a whole percent rounded half up."""
    counted = sum(counts.get(status, 0) for status in AttendanceStatus) - counts.get(AttendanceStatus.excused, 0)
    if counted <= 0:
        return None
    attended = counts.get(AttendanceStatus.present, 0) + counts.get(AttendanceStatus.late, 0)
    return int((Decimal(attended) * 100 / counted).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def closed_reason(session: Session, day: date, today: date) -> str:
    """Why no register is taken on `day` (in the reader's language), or "" when one is."""
    when = format_date(day)
    if day > today:
        return format_message("{day} has not come yet: a register is taken on the day or after it.", day=when)
    if calendar.is_school_day(session, day):
        return ""
    if day.weekday() >= 5:
        return format_message("{day} is a weekend: no register is taken.", day=when)
    closure = session.exec(select(ClosureDay).where(ClosureDay.day == day)).first()
    if closure is not None:
        return format_message("The school is closed on {day} ({name}): no register is taken.", day=when, name=closure.name)
    return format_message("{day} is not in a term: no register is taken.", day=when)


def roster(session: Session, school_class: SchoolClass) -> list[tuple[UUID, str]]:
    """The students enrolled in the class for its year and still on the roll, by surname."""
    rows = session.exec(
        select(Student.id, Student.first_name, Student.last_name)
        .join(Enrolment, col(Enrolment.student_id) == Student.id)
        .where(
            Enrolment.class_id == school_class.id,
            Enrolment.academic_year_id == school_class.academic_year_id,
            Student.status == StudentStatus.enrolled,
        )
        .order_by(col(Student.last_name), col(Student.first_name))
    ).all()
    return [(student_id, f"{first} {last}") for student_id, first, last in rows]


def _same_register(class_id: UUID, day: date, period: int | None) -> tuple[Any, ...]:
    """The conditions naming one register: a class's daily one (no period) or one lesson's."""
    same_period = col(AttendanceRegister.period).is_(None) if period is None else col(AttendanceRegister.period) == period
    return (AttendanceRegister.class_id == class_id, AttendanceRegister.day == day, same_period)


def _register(session: Session, class_id: UUID, day: date, period: int | None) -> AttendanceRegister | None:
    return session.exec(select(AttendanceRegister).where(*_same_register(class_id, day, period))).first()


def per_lesson(session: Session) -> bool:
    """Whether the session's school takes its registers per lesson."""
    school = get_current_school(session)
    return bool(school and school.registers_per_lesson)


def _lesson_takers(session: Session, actor: CurrentUser, school_class: SchoolClass) -> Callable[[TimetableSlot], bool]:
    """Whether the actor may take a lesson's register of the class: its teacher, the class
    teacher and the administrators (who see every class) may."""
    if visible_class_ids(session, actor) is None or actor.id == school_class.class_teacher_id:
        return lambda _slot: True
    return lambda slot: slot.teacher_id == actor.id


def _lessons(session: Session, school_class: SchoolClass, day: date) -> list[TimetableSlot]:
    return list(session.exec(
        select(TimetableSlot)
        .where(
            TimetableSlot.class_id == school_class.id,
            TimetableSlot.academic_year_id == school_class.academic_year_id,
            TimetableSlot.day == day.isoweekday(),
        )
        .order_by(col(TimetableSlot.period))
    ).all())


def _checked_period(session: Session, actor: CurrentUser, school_class: SchoolClass, day: date, period: int | None) -> None:
    """A period is asked of a per-lesson school only, for a lesson of the class's timetable that
    weekday, by whoever may take that lesson's register."""
    if period is None:
        return
    if not per_lesson(session):
        raise ValidationFailed({"period": _(DAILY_SCHOOL)})
    slot = next((lesson for lesson in _lessons(session, school_class, day) if lesson.period == period), None)
    if slot is None:
        raise ValidationFailed({"period": format_message(
            "{name} has no lesson in period {period} on {day}.", name=school_class.name, period=period, day=format_date(day),
        )})
    if not _lesson_takers(session, actor, school_class)(slot):
        raise PermissionDenied(TAKE_REGISTER)


def _lesson_label(period: int, times: dict[int, timetable.PeriodRow], subject: str, teacher: str) -> str:
    row = times.get(period)
    if row is None:
        return format_message("Period {period}: {subject} ({teacher})", period=period, subject=subject, teacher=teacher)
    return format_message(
        "Period {period}, {starts}–{ends}: {subject} ({teacher})", period=period, starts=row["starts"], ends=row["ends"], subject=subject, teacher=teacher,
    )


def _view(session: Session, school_class: SchoolClass, day: date, today: date, period: int | None = None) -> RegisterView:
    register = _register(session, school_class.id, day, period)
    saved: dict[UUID, AttendanceRecord] = {}
    if register is not None:
        saved = {r.student_id: r for r in session.exec(select(AttendanceRecord).where(AttendanceRecord.register_id == register.id)).all()}
    records: list[RegisterEntry] = []
    for student_id, name in roster(session, school_class):
        record = saved.get(student_id)
        records.append({
            "student_id": str(student_id),
            "name": name,
            "status": record.status if record else AttendanceStatus.present.value,
            "reason": (record.reason or "") if record else "",
        })
    return RegisterView(
        day=day, class_id=school_class.id, class_name=school_class.name, saved=register is not None, records=records,
        closed=closed_reason(session, day, today), needs_reason=register is not None and day < today, period=period,
    )


def _checked_entries(entries: Sequence[EntryInput], on_roll: dict[UUID, str]) -> dict[UUID, tuple[AttendanceStatus, str | None]]:
    """Every student on the roll exactly once, each with a known status and an excused one
    with its reason; otherwise one message per problem, naming the student."""
    problems: dict[str, str] = {}
    marks: dict[UUID, tuple[AttendanceStatus, str | None]] = {}
    statuses = {status.value for status in AttendanceStatus}
    for entry in entries:
        try:
            student_id = UUID(str(entry.student_id))
        except ValueError:
            problems[str(entry.student_id)[:40]] = _("That is not a student of this class.")
            continue
        key = str(student_id)
        name = on_roll.get(student_id)
        if name is None:
            problems[key] = _("That is not a student of this class.")
            continue
        if student_id in marks:
            problems[key] = format_message("{name} is marked twice.", name=name)
            continue
        reason = " ".join(str(entry.reason or "").split())
        if entry.status not in statuses:
            problems[key] = format_message("Mark {name} present, absent, late or excused.", name=name)
        elif entry.status == AttendanceStatus.excused and not reason:
            problems[key] = format_message("Say why {name} is excused.", name=name)
        elif len(reason) > MAX_REASON:
            problems[key] = format_message("The reason for {name} is too long (at most {count} characters).", name=name, count=MAX_REASON)
        else:
            marks[student_id] = (AttendanceStatus(entry.status), reason or None)
    for student_id, name in on_roll.items():
        if student_id not in marks and str(student_id) not in problems:
            problems[str(student_id)] = format_message("{name} is not marked.", name=name)
    if problems:
        raise ValidationFailed(problems)
    return marks


def _locked_register(session: Session, actor: CurrentUser, class_id: UUID, day: date, period: int | None) -> tuple[AttendanceRegister, bool]:
    """The class's register for `day` (and `period`), made if there is none, and locked for this
    transaction: two saves at once wait for each other instead of making two registers (the
    unique key treats a missing period as one value). True if made now."""
    assert actor.school_id is not None
    made = session.execute(
        insert(AttendanceRegister)
        .values(school_id=actor.school_id, class_id=class_id, day=day, period=period, taken_by=actor.id)
        .on_conflict_do_nothing(index_elements=["class_id", "day", "period"])
        .returning(col(AttendanceRegister.id))
    ).first()
    register = session.exec(select(AttendanceRegister).where(*_same_register(class_id, day, period)).with_for_update()).one()
    return register, made is not None


# --- registers --------------------------------------------------------------------------------


def register_desk(*, actor: CurrentUser) -> RegisterDesk:
    """Today in the school, and the current year's classes the actor takes registers for."""
    require(actor, TAKE_REGISTER)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        today = calendar.today_for(session, actor.school_id)
        visible = visible_class_ids(session, actor)
        year_id = current_year_id(session)
        query = select(SchoolClass).where(SchoolClass.academic_year_id == year_id).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
        if visible is not None:
            query = query.where(col(SchoolClass.id).in_(visible or {UUID(int=0)}))
        classes: list[ClassChoice] = [{"id": str(c.id), "name": c.name} for c in session.exec(query).all()]
        return RegisterDesk(
            today=today, classes=classes, term=term_name(session, calendar.term_for_day(session, today)), per_lesson=per_lesson(session),
        )


def register_lessons(*, actor: CurrentUser, class_id: UUID, day: date) -> list[LessonChoice]:
    """The class's lessons on `day` (its timetable for that weekday) whose register the actor
    may take: a teacher's own lessons, and every lesson for the class teacher and the
    administrators. Empty in a daily school."""
    with unit_of_work(actor) as session:
        school_class = academics.require_class(session, actor, TAKE_REGISTER, class_id)
        if not per_lesson(session):
            return []
        slots = list(filter(_lesson_takers(session, actor, school_class), _lessons(session, school_class, day)))
        times = {row["number"]: row for row in timetable.period_rows(session)}
        subjects = dict(session.exec(select(Subject.id, Subject.name).where(col(Subject.id).in_({s.subject_id for s in slots} or {UUID(int=0)}))).all())
        teachers = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_({s.teacher_id for s in slots} or {UUID(int=0)}))).all())
        return [
            {"period": slot.period, "label": _lesson_label(slot.period, times, subjects.get(slot.subject_id, ""), teachers.get(slot.teacher_id, ""))}
            for slot in slots
        ]


def open_register(
    *, actor: CurrentUser, class_id: UUID, day: date | None = None, period: int | None = None, today: date | None = None,
) -> RegisterView:
    """The class's register for `day` (default: today) and, in a per-lesson school, `period`:
    what was saved, or every student present (unsaved). `today` is the school's own unless a
    test says otherwise."""
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        school_class = academics.require_class(session, actor, TAKE_REGISTER, class_id)
        today = today or calendar.today_for(session, actor.school_id)
        _checked_period(session, actor, school_class, day or today, period)
        return _view(session, school_class, day or today, today, period)


def save_register(
    *,
    actor: CurrentUser,
    class_id: UUID,
    day: date,
    entries: Sequence[EntryInput],
    change_reason: str = "",
    ip: str = "",
    period: int | None = None,
    today: date | None = None,
) -> RegisterView:
    """Save the whole register: every student on the roll exactly once. Saving the same marks
    again changes nothing; a past day's saved register changes only with a reason, audited."""
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        school_class = academics.require_class(session, actor, TAKE_REGISTER, class_id)
        today = today or calendar.today_for(session, actor.school_id)
        closed = closed_reason(session, day, today)
        if closed:
            raise ValidationFailed({"date": closed})
        _checked_period(session, actor, school_class, day, period)
        marks = _checked_entries(entries, dict(roster(session, school_class)))
        reason = " ".join(change_reason.split())
        if len(reason) > MAX_REASON:
            raise ValidationFailed({"change_reason": format_message("Say it in at most {count} characters.", count=MAX_REASON)})
        register, made = _locked_register(session, actor, class_id, day, period)
        saved = {r.student_id: r for r in session.exec(select(AttendanceRecord).where(AttendanceRecord.register_id == register.id)).all()}
        changes = [
            {"student_id": str(student_id), "from": saved[student_id].status if student_id in saved else None, "to": status.value}
            for student_id, (status, why) in marks.items()
            if student_id not in saved or saved[student_id].status != status or saved[student_id].reason != why
        ]
        if changes and not made and day < today and not reason:
            raise ValidationFailed({"change_reason": _("Say why you are changing a register of a day that is over.")})
        for student_id, (status, why) in marks.items():
            record = saved.get(student_id)
            if record is None:
                session.add(AttendanceRecord(school_id=actor.school_id, register_id=register.id, student_id=student_id, status=status, reason=why))
            elif record.status != status or record.reason != why:
                record.status, record.reason = status, why
                session.add(record)
        if changes:
            register.updated_at = utcnow()
            session.add(register)
            if day < today:
                audit.record(
                    session, school_id=actor.school_id, action=REGISTER_CHANGED, actor=actor.actor(ip),
                    target=f"{school_class.name} {day.isoformat()}" + (f" P{period}" if period is not None else ""),
                    detail={
                        "class_id": str(class_id), "day": day.isoformat(), "period": period, "reason": reason, "first_save": made, "changes": changes,
                    },
                )
        session.flush()
        if today - timedelta(days=ABSENCE_ALERT_DAYS) < day <= today:
            # Guardians hear of this week's absences (once each, whoever saves again): a register
            # taken late still reaches the family while it matters. The alert rows commit with the
            # register; the worker sends them after it.
            notifications.absence_alerts(session, school_id=actor.school_id, day=day, marks={sid: status for sid, (status, _why) in marks.items()})
        return _view(session, school_class, day, today, period)


def _lessons_due(session: Session, actor: CurrentUser, today: date) -> list[DueRegister]:
    """Today's lessons of this year's classes with no register yet: a teacher's own lessons,
    every lesson for an administrator, in the order of the day."""
    query = (
        select(TimetableSlot, SchoolClass.name, Subject.name)
        .join(SchoolClass, col(SchoolClass.id) == TimetableSlot.class_id)
        .join(Subject, col(Subject.id) == TimetableSlot.subject_id)
        .where(TimetableSlot.day == today.isoweekday(), TimetableSlot.academic_year_id == (current_year_id(session) or UUID(int=0)))
        .order_by(col(TimetableSlot.period), col(SchoolClass.name))
    )
    if visible_class_ids(session, actor) is not None:
        query = query.where(TimetableSlot.teacher_id == actor.id)
    taken = set(session.exec(select(AttendanceRegister.class_id, AttendanceRegister.period).where(AttendanceRegister.day == today)).all())
    return [
        {
            "class_id": str(slot.class_id), "period": slot.period,
            "name": format_message("{name}, period {period}: {subject}", name=class_name, period=slot.period, subject=subject),
        }
        for slot, class_name, subject in session.exec(query).all()
        if (slot.class_id, slot.period) not in taken
    ]


def registers_due(*, actor: CurrentUser) -> list[DueRegister]:
    """Today's registers still to take (none on a day the school does not sit): the actor's
    classes this year with no register today, or in a per-lesson school the lessons they teach
    today with none (an administrator's: every lesson)."""
    require(actor, TAKE_REGISTER)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        today = calendar.today_for(session, actor.school_id)
        if not calendar.is_school_day(session, today):
            return []
        if per_lesson(session):
            return _lessons_due(session, actor, today)
        visible = visible_class_ids(session, actor)
        query = select(SchoolClass).where(SchoolClass.academic_year_id == current_year_id(session))
        if visible is not None:
            query = query.where(col(SchoolClass.id).in_(visible or {UUID(int=0)}))
        taken = set(session.exec(select(AttendanceRegister.class_id).where(AttendanceRegister.day == today)).all())
        classes = session.exec(query.order_by(col(SchoolClass.grade_level), col(SchoolClass.name))).all()
        return [{"class_id": str(c.id), "name": c.name, "period": None} for c in classes if c.id not in taken]


# --- history and summaries -----------------------------------------------------------------------


def term_name(session: Session, term: Term | None) -> str:
    return calendar.term_label(session, term) if term is not None else ""


def term_so_far(session: Session, today: date) -> tuple[date, date]:
    """Today's term so far (or the whole of it, when it is over): a history's default span."""
    term = calendar.term_for_day(session, today)
    if term is None:
        return today - timedelta(days=90), today
    return term.starts_on, min(term.ends_on, today)


def student_history(*, actor: CurrentUser, student_id: UUID, starts_on: date | None = None, ends_on: date | None = None) -> StudentHistory:
    """A student's marks between two days (default: today's term so far), newest first, and the
    rate over them; for whoever may see the student."""
    require(actor, READ_ATTENDANCE)
    with unit_of_work(actor) as session:
        visible = visible_student_ids(session, actor)
        student = session.get(Student, student_id)
        if student is None or (visible is not None and student_id not in visible):
            raise NotFound(_(NO_SUCH_STUDENT))
        return _history(session, actor, student, starts_on, ends_on)


def own_history(*, actor: CurrentUser) -> StudentHistory:
    """The signed-in student's own history this term (their login's record, nobody else's)."""
    require(actor, READ_ATTENDANCE)
    with unit_of_work(actor) as session:
        student = session.exec(select(Student).where(Student.user_id == actor.id)).first()
        if student is None:
            raise NotFound(_(NO_SUCH_STUDENT))
        return _history(session, actor, student, None, None)


def _history(session: Session, actor: CurrentUser, student: Student, starts_on: date | None, ends_on: date | None) -> StudentHistory:
    assert actor.school_id is not None
    student_id = student.id
    default_start, default_end = term_so_far(session, calendar.today_for(session, actor.school_id))
    first, last = starts_on or default_start, ends_on or default_end
    if first > last:
        raise ValidationFailed({"from": _("The first day comes after the last.")})
    if (last - first).days > MAX_HISTORY_DAYS:
        raise ValidationFailed({"to": format_message("Ask for at most {count} days at a time.", count=MAX_HISTORY_DAYS)})
    rows = session.exec(
        select(col(AttendanceRegister.day), col(AttendanceRegister.period), col(AttendanceRecord.status), col(AttendanceRecord.reason))
        .join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id)
        .where(AttendanceRecord.student_id == student_id, col(AttendanceRegister.day) >= first, col(AttendanceRegister.day) <= last)
        .order_by(col(AttendanceRegister.day).desc(), col(AttendanceRegister.period).desc())
    ).all()
    counts = Counter(str(status) for _day, _period, status, _reason in rows)
    return StudentHistory(
        student_id=student_id, name=student.full_name, starts_on=first, ends_on=last,
        records=[{"date": day.isoformat(), "period": period, "status": str(status), "reason": reason or ""} for day, period, status, reason in rows],
        counts={status.value: counts.get(status.value, 0) for status in AttendanceStatus},
        rate=attendance_rate(counts),
    )


def day_counts(session: Session, class_ids: set[UUID], first: date, last: date, student_ids: set[UUID] | None = None) -> dict[UUID, Counter[str]]:
    """Each student's (of `student_ids`, or all) school days in [first, last] in the classes' registers, counted by how the
    day went: `present` when marked present or late in any register of the day (a lesson or the
    daily one), `excused` when every mark of the day is excused, else `absent`. In a daily
    school a day has one mark, so these are the marks themselves (a late day counts present)."""
    attended = func.bool_or(col(AttendanceRecord.status).in_([AttendanceStatus.present.value, AttendanceStatus.late.value]))
    excused = func.bool_and(col(AttendanceRecord.status) == AttendanceStatus.excused.value)
    counts: dict[UUID, Counter[str]] = {}
    query = (
        select(col(AttendanceRecord.student_id), attended, excused)
        .join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id)
        .where(col(AttendanceRegister.class_id).in_(class_ids or {UUID(int=0)}), col(AttendanceRegister.day) >= first, col(AttendanceRegister.day) <= last)
    )
    if student_ids is not None:
        query = query.where(col(AttendanceRecord.student_id).in_(student_ids or {UUID(int=0)}))
    for student_id, was_there, was_excused in session.exec(query.group_by(col(AttendanceRecord.student_id), col(AttendanceRegister.day))).all():
        status = AttendanceStatus.present if was_there else AttendanceStatus.excused if was_excused else AttendanceStatus.absent
        counts.setdefault(student_id, Counter())[status.value] += 1
    return counts


def _rates(session: Session, class_ids: set[UUID] | None, first: date, last: date) -> tuple[list[RatePoint], list[RatePoint], int | None]:
    """Rates by week (Monday's date) and by term over [first, last], and over the whole span.
    The database counts the marks per day and status; the weeks and terms add the days up."""
    query = (
        select(col(AttendanceRegister.day), col(AttendanceRecord.status), func.count())
        .join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id)
        .where(col(AttendanceRegister.day) >= first, col(AttendanceRegister.day) <= last)
        .group_by(col(AttendanceRegister.day), col(AttendanceRecord.status))
    )
    if class_ids is not None:
        query = query.where(col(AttendanceRegister.class_id).in_(class_ids or {UUID(int=0)}))
    per_day: dict[date, Counter[str]] = {}
    for day, status, count in session.exec(query).all():
        per_day.setdefault(day, Counter())[str(status)] += count

    def summed(days: Iterable[date]) -> tuple[Counter[str], int]:
        total: Counter[str] = Counter()
        counted = 0
        for day in days:
            total.update(per_day[day])
            counted += 1
        return total, counted

    weeks: dict[date, list[date]] = {}
    for day in sorted(per_day):
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
    by_week: list[RatePoint] = []
    for monday, days in weeks.items():
        counts, count = summed(days)
        if (rate := attendance_rate(counts)) is not None:
            by_week.append({"label": monday.isoformat(), "rate": rate, "days": count})
    by_term: list[RatePoint] = []
    for term in session.exec(select(Term).where(col(Term.starts_on) <= last, col(Term.ends_on) >= first).order_by(col(Term.starts_on))).all():
        counts, count = summed(day for day in per_day if term.starts_on <= day <= term.ends_on)
        if (rate := attendance_rate(counts)) is not None:
            by_term.append({"label": term_name(session, term), "rate": rate, "days": count})
    return by_week, by_term, attendance_rate(summed(per_day)[0])


def _year_range(session: Session, today: date) -> tuple[date, date]:
    year = session.exec(select(AcademicYear).where(AcademicYear.is_current)).first()
    if year is None:
        return term_so_far(session, today)
    return year.starts_on, min(year.ends_on, today)


def _class_summary(session: Session, actor: CurrentUser, class_id: UUID, today: date) -> AttendanceSummary:
    school_class = academics.require_class(session, actor, READ_SUMMARY, class_id)
    by_week, by_term, rate = _rates(session, {class_id}, *_year_range(session, today))
    return AttendanceSummary(title=school_class.name, by_week=by_week, by_term=by_term, rate=rate)


def class_summary(*, actor: CurrentUser, class_id: UUID) -> AttendanceSummary:
    """A class's rate by week and by term this year (to today)."""
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        return _class_summary(session, actor, class_id, calendar.today_for(session, actor.school_id))


def _school_summary(session: Session, today: date) -> AttendanceSummary:
    by_week, by_term, rate = _rates(session, None, *_year_range(session, today))
    return AttendanceSummary(title=_("Whole school"), by_week=by_week, by_term=by_term, rate=rate)


def school_summary(*, actor: CurrentUser) -> AttendanceSummary:
    """The whole school's rate by week and by term this year: for administrators, who see every class."""
    require(actor, READ_SUMMARY)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        if visible_class_ids(session, actor) is not None:
            raise NotFound(_(WHOLE_SCHOOL_ONLY))
        return _school_summary(session, calendar.today_for(session, actor.school_id))


def _summary_classes(session: Session, actor: CurrentUser) -> list[ClassChoice]:
    visible = visible_class_ids(session, actor)
    query = select(SchoolClass).where(SchoolClass.academic_year_id == current_year_id(session))
    if visible is not None:
        query = query.where(col(SchoolClass.id).in_(visible or {UUID(int=0)}))
    return [{"id": str(c.id), "name": c.name} for c in session.exec(query.order_by(col(SchoolClass.grade_level), col(SchoolClass.name))).all()]


@dataclass
class SummaryPage:
    """The summary page at once: the classes to choose from, the chosen one's summary, and the
    school's (administrators only; None for a teacher)."""

    classes: list[ClassChoice]
    class_id: str
    chosen: AttendanceSummary | None
    school: AttendanceSummary | None


def summary_page(*, actor: CurrentUser, class_id: UUID | None = None) -> SummaryPage:
    """What the summary page shows: `class_id`'s summary (default: the first of the actor's
    classes), and the whole school's for an administrator."""
    require(actor, READ_SUMMARY)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        today = calendar.today_for(session, actor.school_id)
        classes = _summary_classes(session, actor)
        chosen_id = class_id or (UUID(classes[0]["id"]) if classes else None)
        chosen = _class_summary(session, actor, chosen_id, today) if chosen_id else None
        school = _school_summary(session, today) if visible_class_ids(session, actor) is None else None
        return SummaryPage(classes=classes, class_id=str(chosen_id or ""), chosen=chosen, school=school)


# --- demo data ----------------------------------------------------------------------------------


def seed_registers(session: Session, *, school_id: UUID, classes: Iterable[SchoolClass], days: Sequence[date], rng_seed: str) -> int:
    """Registers for the demo: each class on each of `days`, mostly present, a few absent, late
    or excused (a realistic spread). Written directly in bulk (the demo's own transaction: a
    term of a school's registers is tens of thousands of records); returns how many records."""
    rng = random.Random(rng_seed)
    registers: list[dict[str, object]] = []
    records: list[dict[str, object]] = []
    for school_class in classes:
        students = roster(session, school_class)
        for day in days:
            register_id = uuid4()
            registers.append({"id": register_id, "school_id": school_id, "class_id": school_class.id, "day": day, "taken_by": school_class.class_teacher_id})
            for student_id, _name in students:
                roll = rng.random()
                status, reason = (
                    (AttendanceStatus.absent, None) if roll < 0.05
                    else (AttendanceStatus.late, None) if roll < 0.09
                    else (AttendanceStatus.excused, "Clinic appointment") if roll < 0.11
                    else (AttendanceStatus.present, None)
                )
                records.append({"id": uuid4(), "school_id": school_id, "register_id": register_id, "student_id": student_id, "status": status.value, "reason": reason})
    if registers:
        session.execute(insert(AttendanceRegister), registers)
    # One statement of arrays: an executemany of this many rows spends most of its time binding.
    session.execute(
        text(
            "INSERT INTO attendance_records (id, school_id, register_id, student_id, status, reason) "
            "SELECT id, :school_id, register_id, student_id, status, reason "
            "FROM unnest(CAST(:ids AS uuid[]), CAST(:registers AS uuid[]), CAST(:students AS uuid[]), CAST(:statuses AS text[]), CAST(:reasons AS text[])) "
            "AS r(id, register_id, student_id, status, reason)"
        ),
        {
            "school_id": school_id, "ids": [r["id"] for r in records], "registers": [r["register_id"] for r in records],
            "students": [r["student_id"] for r in records], "statuses": [r["status"] for r in records], "reasons": [r["reason"] for r in records],
        },
    )
    return len(records)


def recent_school_days(session: Session, before: date, count: int) -> list[date]:
    """The last `count` school days before `before` (fewer when the year has had fewer)."""
    return calendar.school_days(session, before - timedelta(days=count * 3 + 60), before - timedelta(days=1))[-count:] if count > 0 else []
