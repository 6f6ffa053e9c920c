"""The timetable: the periods of the school day, each class's week of lessons, a teacher's week,
and a teacher's lessons today.

Choices written down here (issue 10, part 5):
- Periods are numbered by their order in the day; breaks are not periods. Saving the day's
  periods replaces them all. A lesson belongs to a period by number, so changing a period's
  times moves its lessons with it, and saving fewer periods than the lessons use is refused
  with the period and its number of lessons named (clear those lessons first): nothing is
  removed behind the admin's back.
- A lesson's subject must be one the class takes, i.e. one with a teacher assigned to the class
  (TeachingAssignment, the Classes page). Its teacher is that assigned teacher unless the admin
  chooses another of the school's teachers (a shared or covering lesson).
- A teacher, or a room, is in one class at a time: a lesson that would put either into a second
  class of the same academic year in the same period of the same day is refused with a message
  naming the clash. Saving over the class's own lesson in that period replaces it.
- Setting the timetable is `timetable.manage` (the school admin). Reading a class's timetable is
  `timetable.read` within the classes the actor may see (`academics.require_class`: every class
  for an admin, the classes a teacher teaches or leads, a student's own, a parent's children's).
  A teacher's week is theirs and the admins'. `timetable.own` opens the reader's own page.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, TypedDict
from uuid import UUID

from sqlmodel import Session, col, func, select

from models import Enrolment, Period, SchoolClass, Student, Subject, TeachingAssignment, TimetableSlot, User
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.permissions import can, require
from oneclass.services import calendar, staff
from oneclass.services.academics import NO_SUCH_CLASS, Choice, current_year, require_class
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.students import visible_student_ids

MANAGE_TIMETABLE = "timetable.manage"
READ_TIMETABLE = "timetable.read"  # a class's: only within the classes the actor may see
OWN_TIMETABLE = "timetable.own"  # the reader's own week (a teacher's) or their class's (students, parents)
MAX_PERIODS = 16
ROOM_MAX = 40
# Day numbers as the API sends them (1 Monday … 5 Friday); shown with `t()`/`_()`.
DAYS: dict[int, str] = {1: N_("Monday"), 2: N_("Tuesday"), 3: N_("Wednesday"), 4: N_("Thursday"), 5: N_("Friday")}
NO_SUCH_TEACHER = N_("No such teacher.")


class PeriodRow(TypedDict):
    number: int
    starts: str  # "08:00", the school's local time
    ends: str


# "class" is a keyword: the contract's names, spelled the functional way.
SlotRow = TypedDict(
    "SlotRow",
    {
        "day": int,
        "period": int,
        "class_id": str,
        "class": str,
        "subject_id": str,
        "subject": str,
        "teacher_id": str,
        "teacher": str,
        "room": str | None,
    },
)


class LessonRow(TypedDict):
    """One of a teacher's lessons today."""

    period: int
    starts: str
    ends: str
    class_name: str
    subject: str
    room: str


@dataclass(frozen=True)
class Timetable:
    """A week: the school's periods and the lessons in them (`title`: the class or the teacher)."""

    title: str
    periods: list[PeriodRow]
    slots: list[SlotRow]

    def as_contract(self) -> dict[str, Any]:
        return {"periods": self.periods, "slots": self.slots}


@dataclass(frozen=True)
class PeriodTimes:
    """A period as the editor sends it: its start and end, "HH:MM"."""

    starts: str
    ends: str


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def parse_clock(text: str) -> time | None:
    """ "7:30" or "07:30" (a time input sends the second), else None."""
    try:
        hours, minutes = text.strip().split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def validate_periods(periods: Sequence[PeriodTimes]) -> tuple[list[tuple[time, time]], dict[str, str]]:
    """The periods' times, and a message per period (`period<n>`) that is refused: a time that
    is no time, an end not after the start, a start before the previous period has ended."""
    errors: dict[str, str] = {}
    times: list[tuple[time, time]] = []
    if len(periods) > MAX_PERIODS:
        return [], {"form": format_message("A day has at most {count} periods.", count=MAX_PERIODS)}
    previous_end: time | None = None
    for number, period in enumerate(periods, start=1):
        starts, ends = parse_clock(period.starts), parse_clock(period.ends)
        if starts is None or ends is None:
            errors[f"period{number}"] = format_message("Give period {number} a start and an end time.", number=number)
            previous_end = None
            continue
        if starts >= ends:
            errors[f"period{number}"] = format_message("Period {number} must end after it starts.", number=number)
        elif previous_end is not None and starts < previous_end:
            errors[f"period{number}"] = format_message(
                "Period {number} starts before period {previous} ends.", number=number, previous=number - 1
            )
        times.append((starts, ends))
        previous_end = ends
    return times, errors


# --- reading ---------------------------------------------------------------------------------


def period_rows(session: Session) -> list[PeriodRow]:
    periods = session.exec(select(Period).order_by(col(Period.number))).all()
    return [{"number": p.number, "starts": _clock(p.starts), "ends": _clock(p.ends)} for p in periods]


def slot_rows(session: Session, *conditions: Any) -> list[SlotRow]:
    """The lessons that match, with their class's, subject's and teacher's names."""
    found = session.exec(
        select(TimetableSlot, SchoolClass.name, Subject.name, User.full_name)
        .join(SchoolClass, col(SchoolClass.id) == TimetableSlot.class_id)
        .join(Subject, col(Subject.id) == TimetableSlot.subject_id)
        .join(User, col(User.id) == TimetableSlot.teacher_id)
        .where(*conditions)
        .order_by(col(TimetableSlot.day), col(TimetableSlot.period), col(SchoolClass.name))
    ).all()
    return [
        {
            "day": slot.day, "period": slot.period, "class_id": str(slot.class_id), "class": class_name,
            "subject_id": str(slot.subject_id), "subject": subject, "teacher_id": str(slot.teacher_id), "teacher": teacher,
            "room": slot.room,
        }
        for slot, class_name, subject, teacher in found
    ]


def class_week(session: Session, school_class: SchoolClass) -> Timetable:
    return Timetable(school_class.name, period_rows(session), slot_rows(session, TimetableSlot.class_id == school_class.id))


def teacher_week(session: Session, teacher: User) -> Timetable:
    """The teacher's lessons in the current year's classes."""
    year = current_year(session)
    year_id = year.id if year else UUID(int=0)
    slots = slot_rows(session, TimetableSlot.teacher_id == teacher.id, TimetableSlot.academic_year_id == year_id)
    return Timetable(teacher.full_name, period_rows(session), slots)


def class_timetable(*, actor: CurrentUser, class_id: UUID) -> Timetable:
    """One class's week, for whoever may see the class (a teacher: one they teach or lead; a
    student: their own; a parent: a child's). Another class is not found."""
    require(actor, READ_TIMETABLE)
    with unit_of_work(actor) as session:
        return class_week(session, require_class(session, actor, READ_TIMETABLE, class_id))


def _teacher(session: Session, actor: CurrentUser, teacher_id: UUID) -> User:
    """A teacher whose week `actor` may read: their own, or any teacher's for an admin."""
    if teacher_id != actor.id and not can(actor, MANAGE_TIMETABLE):
        raise NotFound(_(NO_SUCH_TEACHER))
    teacher = session.get(User, teacher_id)
    if teacher is None or teacher.role not in staff.TEACHING_ROLES:
        raise NotFound(_(NO_SUCH_TEACHER))
    return teacher


def teacher_timetable(*, actor: CurrentUser, teacher_id: UUID) -> Timetable:
    """A teacher's week this year: the teacher themself, and the school's admins."""
    require(actor, READ_TIMETABLE)
    with unit_of_work(actor) as session:
        return teacher_week(session, _teacher(session, actor, teacher_id))


@dataclass(frozen=True)
class TodaysLessons:
    day: str  # the weekday's English name (a message id); "" on a weekend
    school_day: bool
    lessons: list[LessonRow]


def todays_lessons(*, actor: CurrentUser, today: date | None = None) -> TodaysLessons:
    """The actor's lessons today in the school's time zone (`today`: another day, for tests):
    none on a weekend, a public holiday, a closure day or between terms (`calendar.is_school_day`)."""
    require(actor, OWN_TIMETABLE)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        today = today or calendar.today_for(session, actor.school_id)
        weekday = today.isoweekday()
        day = DAYS.get(weekday, "")
        if not calendar.is_school_day(session, today):
            return TodaysLessons(day, False, [])
        year = current_year(session)
        periods = {p["number"]: p for p in period_rows(session)}
        slots = slot_rows(
            session,
            TimetableSlot.teacher_id == actor.id,
            TimetableSlot.day == weekday,
            TimetableSlot.academic_year_id == (year.id if year else UUID(int=0)),
        )
        lessons: list[LessonRow] = [
            {
                "period": slot["period"], "starts": periods[slot["period"]]["starts"], "ends": periods[slot["period"]]["ends"],
                "class_name": slot["class"], "subject": slot["subject"], "room": slot["room"] or "",
            }
            for slot in slots
        ]
        return TodaysLessons(day, True, lessons)


@dataclass(frozen=True)
class MyTimetable:
    """The reader's page: a teacher's own week; a student's class, or a parent's children's
    classes to choose from (`choices`, empty for a teacher) and the chosen one's week."""

    choices: list[Choice]
    chosen: str
    timetable: Timetable


def _class_choices(session: Session, actor: CurrentUser) -> list[Choice]:
    """This year's classes of the students the actor may see (a student's own, a parent's
    children's), labelled with the child's name when a parent has several."""
    year = current_year(session)
    students = visible_student_ids(session, actor) or {UUID(int=0)}
    found = session.exec(
        select(Student.first_name, SchoolClass.id, SchoolClass.name)
        .join(Enrolment, col(Enrolment.student_id) == Student.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
        .where(col(Student.id).in_(students), Enrolment.academic_year_id == (year.id if year else UUID(int=0)))
        .order_by(col(Student.first_name))
    ).all()
    return [{"value": str(class_id), "label": f"{first} · {name}"} for first, class_id, name in found]


def my_timetable(*, actor: CurrentUser, class_id: UUID | None = None) -> MyTimetable:
    """A teacher's own week, or the week of one class the student or parent may see (`class_id`,
    else the first); a class not theirs is not found."""
    require(actor, OWN_TIMETABLE)
    with unit_of_work(actor) as session:
        if actor.role in staff.TEACHING_ROLES:
            return MyTimetable([], "", teacher_week(session, _teacher(session, actor, actor.id)))
        choices = _class_choices(session, actor)
        chosen = str(class_id) if class_id else (choices[0]["value"] if choices else "")
        if not chosen:
            return MyTimetable([], "", Timetable("", period_rows(session), []))
        if chosen not in {choice["value"] for choice in choices}:
            raise NotFound(_(NO_SUCH_CLASS))
        return MyTimetable(choices, chosen, class_week(session, require_class(session, actor, READ_TIMETABLE, UUID(chosen))))


# --- the admin's editor -----------------------------------------------------------------------


@dataclass(frozen=True)
class Editor:
    """The admin's grid for one class: this year's classes to choose from, the chosen class's
    week, and what its lesson dialog offers (the class's subjects, each with its assigned
    teacher, and every teacher)."""

    classes: list[Choice]
    chosen: str
    timetable: Timetable
    subjects: list[Choice]
    teachers: list[Choice]


def _class_subjects(session: Session, class_id: UUID) -> list[Choice]:
    found = session.exec(
        select(Subject.id, Subject.name, User.full_name)
        .join(TeachingAssignment, col(TeachingAssignment.subject_id) == Subject.id)
        .join(User, col(User.id) == TeachingAssignment.teacher_id)
        .where(TeachingAssignment.class_id == class_id)
        .order_by(col(Subject.name))
    ).all()
    return [{"value": str(subject_id), "label": f"{name} · {teacher}"} for subject_id, name, teacher in found]


def timetable_editor(*, actor: CurrentUser, class_id: UUID | None = None) -> Editor:
    """The grid for `class_id` (else the first class of the current year)."""
    require(actor, MANAGE_TIMETABLE)
    with unit_of_work(actor) as session:
        year = current_year(session)
        classes = session.exec(
            select(SchoolClass)
            .where(SchoolClass.academic_year_id == (year.id if year else UUID(int=0)))
            .order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
        ).all()
        choices: list[Choice] = [{"value": str(c.id), "label": c.name} for c in classes]
        teachers: list[Choice] = [{"value": t["value"], "label": t["label"]} for t in staff.teacher_choices(session)]
        target = class_id or (classes[0].id if classes else None)
        if target is None:
            return Editor(choices, "", Timetable("", period_rows(session), []), [], teachers)
        school_class = require_class(session, actor, MANAGE_TIMETABLE, target)
        return Editor(choices, str(school_class.id), class_week(session, school_class), _class_subjects(session, school_class.id), teachers)


def list_periods(*, actor: CurrentUser) -> list[PeriodRow]:
    require(actor, MANAGE_TIMETABLE)
    with unit_of_work(actor) as session:
        return period_rows(session)


def set_periods(*, actor: CurrentUser, periods: Sequence[PeriodTimes]) -> list[PeriodRow]:
    """Replace the school day's periods (numbered 1, 2, … in the order given)."""
    require(actor, MANAGE_TIMETABLE)
    times, errors = validate_periods(periods)
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        in_use = session.exec(
            select(TimetableSlot.period, func.count(col(TimetableSlot.id)))
            .where(col(TimetableSlot.period) > len(times))
            .group_by(col(TimetableSlot.period))
            .order_by(col(TimetableSlot.period))
        ).all()
        if in_use:
            number, count = in_use[0]
            raise ValidationFailed({"form": format_message(
                "Period {number} has {count} lessons in the timetable. Clear them before removing the period.",
                number=number, count=count,
            )})
        existing = {p.number: p for p in session.exec(select(Period)).all()}
        for number, (starts, ends) in enumerate(times, start=1):
            period = existing.pop(number, None) or Period(school_id=actor.school_id, number=number, starts=starts, ends=ends)
            period.starts, period.ends = starts, ends
            session.add(period)
        for removed in existing.values():
            session.delete(removed)
        session.flush()
        return period_rows(session)


def _clean_room(room: str) -> str | None:
    cleaned = " ".join(room.split())
    if len(cleaned) > ROOM_MAX:
        raise ValidationFailed({"room": format_message("A room's name has at most {count} characters.", count=ROOM_MAX)})
    return cleaned or None


def _lesson_clash(session: Session, school_class: SchoolClass, day: int, period: int, teacher: User, room: str | None) -> str:
    """What a lesson would clash with in another class of the year: "" if nothing."""
    same_time = session.exec(
        select(TimetableSlot, SchoolClass.name)
        .join(SchoolClass, col(SchoolClass.id) == TimetableSlot.class_id)
        .where(
            TimetableSlot.academic_year_id == school_class.academic_year_id,
            TimetableSlot.day == day,
            TimetableSlot.period == period,
            TimetableSlot.class_id != school_class.id,
        )
    ).all()
    when = {"period": period, "day": _(DAYS[day])}
    for slot, other in same_time:
        if slot.teacher_id == teacher.id:
            return format_message("{teacher} already teaches {other} in period {period} on {day}.", teacher=teacher.full_name, other=other, **when)
    for slot, other in same_time:
        if room and slot.room and slot.room.lower() == room.lower():
            return format_message("{room} is already taken by {other} in period {period} on {day}.", room=slot.room, other=other, **when)
    return ""


def set_slot(
    *, actor: CurrentUser, class_id: UUID, day: int, period: int, subject_id: UUID | None, teacher_id: UUID | None, room: str = ""
) -> SlotRow:
    """Put a lesson in a class's period of a day (replacing the class's own lesson there).
    `teacher_id` None: the teacher assigned to the subject in this class."""
    require(actor, MANAGE_TIMETABLE)
    cleaned_room = _clean_room(room)
    if day not in DAYS:
        raise ValidationFailed({"day": _("Choose a day from Monday to Friday.")})
    with unit_of_work(actor) as session:
        school_class = require_class(session, actor, MANAGE_TIMETABLE, class_id)
        if session.exec(select(Period).where(Period.number == period)).first() is None:
            raise ValidationFailed({"period": _("Choose one of the school's periods.")})
        assignment = session.exec(
            select(TeachingAssignment).where(TeachingAssignment.class_id == class_id, TeachingAssignment.subject_id == subject_id)
        ).first() if subject_id else None
        if assignment is None:
            raise ValidationFailed({"subject": _("Choose a subject this class takes (its teacher is assigned on the Classes page).")})
        teacher = session.get(User, teacher_id or assignment.teacher_id)
        if teacher is None or teacher.role not in staff.TEACHING_ROLES or not teacher.is_active:
            raise ValidationFailed({"teacher": _("Choose one of your school's teachers.")})
        clash = _lesson_clash(session, school_class, day, period, teacher, cleaned_room)
        if clash:
            raise Conflict(clash)
        slot = session.exec(
            select(TimetableSlot).where(TimetableSlot.class_id == class_id, TimetableSlot.day == day, TimetableSlot.period == period)
        ).first()
        assert actor.school_id is not None
        slot = slot or TimetableSlot(
            school_id=actor.school_id, class_id=class_id, academic_year_id=school_class.academic_year_id, day=day, period=period,
            subject_id=assignment.subject_id, teacher_id=teacher.id,
        )
        slot.subject_id, slot.teacher_id, slot.room = assignment.subject_id, teacher.id, cleaned_room
        session.add(slot)
        session.flush()
        return slot_rows(session, TimetableSlot.id == slot.id)[0]


def clear_slot(*, actor: CurrentUser, class_id: UUID, day: int, period: int) -> bool:
    """Empty a class's period of a day; False if it was empty already."""
    require(actor, MANAGE_TIMETABLE)
    with unit_of_work(actor) as session:
        require_class(session, actor, MANAGE_TIMETABLE, class_id)
        slot = session.exec(
            select(TimetableSlot).where(TimetableSlot.class_id == class_id, TimetableSlot.day == day, TimetableSlot.period == period)
        ).first()
        if slot is None:
            return False
        session.delete(slot)
        return True


# --- the demo school's week --------------------------------------------------------------------

# Eight periods, with a break after the fourth and lunch after the seventh.
DEMO_PERIODS = [
    (time(7, 30), time(8, 5)), (time(8, 5), time(8, 40)), (time(8, 40), time(9, 15)), (time(9, 15), time(9, 50)),
    (time(10, 20), time(10, 55)), (time(10, 55), time(11, 30)), (time(11, 30), time(12, 5)), (time(12, 45), time(13, 20)),
]


def add_demo_timetable(session: Session, *, actor: CurrentUser, classes: Sequence[SchoolClass]) -> int:
    """The demo's periods and a week for each class from its assigned subjects, a teacher never
    in two classes at once (a busy teacher's period is left free); returns the lessons added."""
    require(actor, MANAGE_TIMETABLE)
    assert actor.school_id is not None
    for number, (starts, ends) in enumerate(DEMO_PERIODS, start=1):
        session.add(Period(school_id=actor.school_id, number=number, starts=starts, ends=ends))
    session.flush()
    busy: set[tuple[UUID, int, int]] = set()
    added = 0
    for room, school_class in enumerate(classes, start=1):
        taught = list(session.exec(
            select(TeachingAssignment).where(TeachingAssignment.class_id == school_class.id).order_by(col(TeachingAssignment.subject_id))
        ).all())
        for day in DAYS:
            for period in range(1, len(DEMO_PERIODS) + 1):
                free = [a for a in taught[(day + period) % max(len(taught), 1):] + taught if (a.teacher_id, day, period) not in busy]
                if not free:
                    continue
                busy.add((free[0].teacher_id, day, period))
                session.add(TimetableSlot(
                    school_id=actor.school_id, class_id=school_class.id, academic_year_id=school_class.academic_year_id, day=day,
                    period=period, subject_id=free[0].subject_id, teacher_id=free[0].teacher_id, room=f"Room {room}",
                ))
                added += 1
    session.flush()
    return added
