"""Attendance registers: opening and saving a class's register (twice changes nothing), the
validation of a whole register, the days on which none is taken, a past day's changes audited
with who and why, who may take which register, a student's history and rate, and the summaries.

The registers under test belong to a class of a year of their own (2035), so its days are fixed
whatever the date the tests run; `today` is given to the service as the school's today."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from sqlmodel import col, func, select

from models import (
    AcademicYear,
    AttendanceRecord,
    AttendanceRegister,
    AuditEvent,
    ClosureDay,
    ClosureKind,
    Enrolment,
    Guardian,
    SchoolClass,
    Student,
    StudentGuardian,
    User,
)
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, attendance, calendar, students
from oneclass.services.academics import TermDates
from oneclass.services.attendance import EntryInput
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from tests.conftest import SchoolFixture, delete_school, make_school

MONDAY = date(2035, 3, 5)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
CLASS_SIZE = 6


@dataclass
class World:
    school: SchoolFixture
    other: SchoolFixture
    class_id: UUID
    other_class_id: UUID  # another school's
    pupils: list[UUID]  # the class, by surname
    names: dict[UUID, str]
    admin: CurrentUser
    teacher: CurrentUser  # the class teacher
    teacher1: CurrentUser  # teaches nothing of this class
    outsider: CurrentUser  # a teacher of none of the parent's child's classes
    parent: CurrentUser
    student: CurrentUser
    staff: CurrentUser
    other_admin: CurrentUser
    child: UUID  # the parent's child, in the class
    not_child: UUID  # in the class, not the parent's


def _user(school: SchoolFixture, local: str) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == f"{local}@{school.subdomain}.test")).one()
    return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    school, other = make_school("attendance-a"), make_school("attendance-b")
    for made in (school, other):
        with db.tenant_session(made.id) as session:
            seed_school_records(session, admin=school_admin_of(session, made.id), subdomain=made.subdomain, level="primary", students=12)
            session.commit()
    admin, teacher, parent = _user(school, "school_admin"), _user(school, "teacher"), _user(school, "parent")
    student = _user(school, "student")
    terms = [TermDates(date(2035, 1, 15), date(2035, 4, 6)), TermDates(date(2035, 5, 7), date(2035, 8, 3)), TermDates(date(2035, 9, 4), date(2035, 12, 1))]
    academics.create_year(actor=admin, name="2035", starts_on=date(2035, 1, 8), ends_on=date(2035, 12, 7), terms=terms)
    with db.tenant_session(school.id) as session:
        year_id = session.exec(select(AcademicYear.id).where(AcademicYear.name == "2035")).one()
        made_class = academics.add_class(
            session, actor=admin, school_level="primary", year_id=year_id, grade_level="G3", name="Register 3", capacity=40, class_teacher_id=teacher.id
        )
        children = set(session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
        ).all())
        own = session.exec(select(Student.id).where(Student.user_id == student.id)).one()
        others = [s for s in session.exec(select(Student.id).order_by(Student.admission_number)).all() if s not in children and s != own]
        chosen = list(dict.fromkeys([*sorted(children), own, *others]))[:CLASS_SIZE]  # the demo student is the parent's child
        for student_id in chosen:
            students.enrol(session, actor=admin, student_id=student_id, class_id=made_class.id)
        session.commit()
        class_id = made_class.id
        pupils = [sid for sid, _ in attendance.roster(session, made_class)]
        names = dict(attendance.roster(session, made_class))
    with db.tenant_session(other.id) as session:
        other_class_id = session.exec(select(SchoolClass.id)).first()
    assert other_class_id is not None
    yield World(
        school=school, other=other, class_id=class_id, other_class_id=other_class_id, pupils=pupils, names=names,
        admin=admin, teacher=teacher, teacher1=_user(school, "teacher1"), outsider=_user(school, "teacher6"), parent=parent, student=student,
        staff=_user(school, "staff"), other_admin=_user(other, "school_admin"),
        child=sorted(children)[0], not_child=others[0],
    )
    delete_school(school)
    delete_school(other)


def _all_present(world: World, **changes: tuple[str, str]) -> list[EntryInput]:
    """The whole class present, but for `changes` (student id: (status, reason))."""
    return [EntryInput(str(sid), *changes.get(str(sid), ("present", ""))) for sid in world.pupils]


def _stored(world: World, day: date) -> tuple[int, dict[str, tuple[str, str | None]]]:
    """How many registers the class has on `day`, and their records, read past RLS."""
    with db.owner_session() as session:
        registers = session.exec(select(AttendanceRegister).where(AttendanceRegister.class_id == world.class_id, AttendanceRegister.day == day)).all()
        records = session.exec(select(AttendanceRecord).where(col(AttendanceRecord.register_id).in_([r.id for r in registers] or [uuid4()]))).all()
        return len(registers), {str(r.student_id): (r.status, r.reason) for r in records}


def _audits(world: World) -> list[AuditEvent]:
    with db.owner_session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.school_id == world.school.id, AuditEvent.action == attendance.REGISTER_CHANGED)).all())


def _save(world: World, actor: CurrentUser, day: date, entries: list[EntryInput], today: date, reason: str = "") -> attendance.RegisterView:
    return attendance.save_register(actor=actor, class_id=world.class_id, day=day, entries=entries, change_reason=reason, ip="203.0.113.5", today=today)


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "rate"),
    [
        ({"present": 3, "late": 1, "absent": 1}, 80),
        ({"present": 3, "late": 1, "absent": 1, "excused": 1}, 80),  # excused days are not counted
        ({"present": 2, "absent": 1}, 67),
        ({"present": 1, "absent": 7}, 13),  # 12.5: half up
        ({"late": 5}, 100),
        ({"absent": 4}, 0),
        ({"excused": 3}, None),  # nothing counts
        ({}, None),
    ],
)
def test_attendance_rate(counts: dict[str, int], rate: int | None) -> None:
    assert attendance.attendance_rate(Counter(counts)) == rate


# --- opening and saving ---------------------------------------------------------------------------


def test_an_unsaved_register_lists_the_class_present_and_saving_twice_changes_nothing(world: World) -> None:
    opened = attendance.open_register(actor=world.teacher, class_id=world.class_id, day=MONDAY, today=MONDAY)
    assert not opened.saved and opened.closed == "" and not opened.needs_reason
    assert [UUID(r["student_id"]) for r in opened.records] == world.pupils
    assert {r["status"] for r in opened.records} == {"present"}

    absent, excused = str(world.pupils[1]), str(world.pupils[2])
    entries = _all_present(world, **{absent: ("absent", ""), excused: ("excused", "  Clinic   visit ")})
    saved = _save(world, world.teacher, MONDAY, entries, today=MONDAY)
    assert saved.saved
    count, records = _stored(world, MONDAY)
    assert count == 1 and len(records) == CLASS_SIZE
    assert records[absent] == ("absent", None) and records[excused] == ("excused", "Clinic visit")
    with db.owner_session() as session:
        first = session.exec(select(AttendanceRegister).where(AttendanceRegister.class_id == world.class_id, AttendanceRegister.day == MONDAY)).one()

    again = _save(world, world.teacher, MONDAY, entries, today=MONDAY)
    assert _stored(world, MONDAY) == (count, records)
    with db.owner_session() as session:
        second = session.exec(select(AttendanceRegister).where(AttendanceRegister.class_id == world.class_id, AttendanceRegister.day == MONDAY)).one()
    assert (second.id, second.updated_at, second.taken_by) == (first.id, first.updated_at, world.teacher.id)

    reopened = attendance.open_register(actor=world.admin, class_id=world.class_id, day=MONDAY, today=MONDAY)
    assert reopened.saved and reopened.records == again.records
    assert {r["student_id"]: (r["status"], r["reason"]) for r in reopened.records}[excused] == ("excused", "Clinic visit")

    # Today's register may be changed again freely, no reason asked.
    _save(world, world.admin, MONDAY, _all_present(world), today=MONDAY)
    assert set(_stored(world, MONDAY)[1].values()) == {("present", None)}
    assert _audits(world) == []


def _validation_cases() -> list[tuple[str, str]]:
    return ["missing", "twice", "stranger", "other school", "bad status", "excused without reason", "long reason", "not an id"]


@pytest.mark.parametrize("case", _validation_cases())
def test_a_register_is_saved_whole_or_not_at_all(world: World, case: str) -> None:
    first = str(world.pupils[0])
    entries = _all_present(world)
    with db.owner_session() as session:
        stranger = str(session.exec(select(Enrolment.student_id).where(Enrolment.school_id == world.school.id, col(Enrolment.student_id).not_in(world.pupils))).first())
        foreign = str(session.exec(select(Student.id).where(Student.school_id == world.other.id)).first())
    expected_key = first
    if case == "missing":
        entries = entries[1:]
    elif case == "twice":
        entries = [*entries, EntryInput(first, "absent")]
    elif case == "stranger":
        entries = [*entries, EntryInput(stranger, "present")]
        expected_key = stranger
    elif case == "other school":
        entries = [*entries, EntryInput(foreign, "present")]
        expected_key = foreign
    elif case == "bad status":
        entries = _all_present(world, **{first: ("sleeping", "")})
    elif case == "excused without reason":
        entries = _all_present(world, **{first: ("excused", "   ")})
    elif case == "long reason":
        entries = _all_present(world, **{first: ("late", "x" * 201)})
    elif case == "not an id":
        entries = [*entries, EntryInput("'; DROP TABLE students; --", "present")]
        expected_key = "'; DROP TABLE students; --"
    before = _stored(world, TUESDAY)
    with pytest.raises(ValidationFailed) as refused:
        _save(world, world.teacher, TUESDAY, entries, today=TUESDAY)
    assert expected_key in refused.value.errors, refused.value.errors
    if case in ("missing", "twice", "bad status", "excused without reason", "long reason"):
        assert world.names[world.pupils[0]] in refused.value.errors[first]  # the message names the student
    assert _stored(world, TUESDAY) == before == (0, {})


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2035, 3, 3), "weekend"),  # a Saturday
        (date(2035, 5, 25), "closed"),  # Africa Day, a Friday in the second term
        (date(2035, 4, 24), "not in a term"),  # between the first and second terms
        (date(2035, 6, 2), "not come yet"),  # tomorrow
    ],
)
def test_no_register_on_a_day_the_school_does_not_sit_or_has_not_reached(world: World, day: date, words: str) -> None:
    today = date(2035, 6, 1)
    with pytest.raises(ValidationFailed) as refused:
        _save(world, world.teacher, day, _all_present(world), today=today)
    assert words in refused.value.errors["date"]
    assert attendance.open_register(actor=world.teacher, class_id=world.class_id, day=day, today=today).closed == refused.value.errors["date"]
    assert _stored(world, day) == (0, {})


def test_a_closure_day_the_school_adds_stops_registers(world: World) -> None:
    day = date(2035, 3, 14)  # a Wednesday in term
    attendance.open_register(actor=world.teacher, class_id=world.class_id, day=day, today=day)
    calendar.add_closure_day(actor=world.admin, day=day, name="Inter-house athletics", ip="x")
    with pytest.raises(ValidationFailed) as refused:
        _save(world, world.teacher, day, _all_present(world), today=day)
    assert "Inter-house athletics" in refused.value.errors["date"]
    with db.owner_session() as session:
        assert session.exec(select(ClosureDay).where(ClosureDay.school_id == world.school.id, ClosureDay.day == day)).one().kind == ClosureKind.closure


def test_a_past_days_register_changes_only_with_a_reason_and_is_audited(world: World) -> None:
    day, today = date(2035, 3, 19), date(2035, 3, 21)
    late = str(world.pupils[3])
    # Taken late (the next school day but one): no reason needed for a first save, audited.
    _save(world, world.teacher, day, _all_present(world), today=today)
    first = _audits(world)
    assert len(first) == 1 and first[0].detail["first_save"] is True and first[0].actor_id == world.teacher.id
    opened = attendance.open_register(actor=world.teacher, class_id=world.class_id, day=day, today=today)
    assert opened.saved and opened.needs_reason

    with pytest.raises(ValidationFailed) as refused:
        _save(world, world.teacher, day, _all_present(world, **{late: ("late", "")}), today=today, reason="  ")
    assert "change_reason" in refused.value.errors
    assert set(_stored(world, day)[1].values()) == {("present", None)}

    _save(world, world.admin, day, _all_present(world, **{late: ("late", "")}), today=today, reason="Came at 8:40, register was wrong")
    events = _audits(world)
    assert len(events) == 2
    change = next(e for e in events if e.detail["reason"])
    assert change.actor_id == world.admin.id and change.ip == "203.0.113.5"
    assert change.detail["reason"] == "Came at 8:40, register was wrong" and change.detail["day"] == day.isoformat()
    assert change.detail["changes"] == [{"student_id": late, "from": "present", "to": "late"}]
    assert _stored(world, day)[1][late] == ("late", None)

    # The same marks again, no reason: nothing changes, nothing more audited.
    _save(world, world.teacher, day, _all_present(world, **{late: ("late", "")}), today=today)
    assert len(_audits(world)) == 2


# --- who ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("admin", None),
        ("teacher", None),
        ("teacher1", NotFound),  # a teacher, not of this class
        ("other_admin", NotFound),  # another school's admin with this school's class id
        ("student", PermissionDenied),
        ("parent", PermissionDenied),
        ("staff", PermissionDenied),
    ],
)
def test_who_takes_this_classs_register(world: World, who: str, refusal: type[Exception] | None) -> None:
    actor: CurrentUser = getattr(world, who)
    day = date(2035, 3, 27)
    if refusal is None:
        assert attendance.open_register(actor=actor, class_id=world.class_id, day=day, today=day).records
        _save(world, actor, day, _all_present(world), today=day)
        assert len(_stored(world, day)[1]) == CLASS_SIZE
        return
    before = _stored(world, day)
    with pytest.raises(refusal):
        attendance.open_register(actor=actor, class_id=world.class_id, day=day, today=day)
    with pytest.raises(refusal):
        _save(world, actor, day, _all_present(world), today=day)
    assert _stored(world, day) == before


def test_another_schools_class_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        attendance.open_register(actor=world.admin, class_id=world.other_class_id, day=MONDAY, today=MONDAY)
    with pytest.raises(NotFound):
        attendance.save_register(actor=world.admin, class_id=world.other_class_id, day=MONDAY, entries=[], today=MONDAY)


# --- a student's history ----------------------------------------------------------------------------


def test_a_students_history_and_rate(world: World) -> None:
    child = str(world.child)
    days = [date(2035, 4, 2), date(2035, 4, 3), date(2035, 4, 4), date(2035, 4, 5)]
    marks = [("present", ""), ("late", ""), ("absent", ""), ("excused", "Funeral")]
    for day, mark in zip(days, marks, strict=True):
        _save(world, world.teacher, day, _all_present(world, **{child: mark}), today=day)
    history = attendance.student_history(actor=world.parent, student_id=world.child, starts_on=days[0], ends_on=days[-1])
    assert [r["date"] for r in history.records] == [d.isoformat() for d in reversed(days)]
    assert history.records[0] == {"date": "2035-04-05", "period": None, "status": "excused", "reason": "Funeral"}
    assert history.counts == {"present": 1, "late": 1, "absent": 1, "excused": 1}
    assert history.rate == 67  # (1 + 1) / (4 - 1)
    for reader in (world.admin, world.teacher):
        assert attendance.student_history(actor=reader, student_id=world.child, starts_on=days[0], ends_on=days[-1]).rate == 67
    own = attendance.student_history(actor=world.student, student_id=_own(world), starts_on=days[0], ends_on=days[-1])
    assert own.rate == (67 if _own(world) == world.child else 100)  # the demo student is one of the parent's children


def _own(world: World) -> UUID:
    with db.owner_session() as session:
        return session.exec(select(Student.id).where(Student.user_id == world.student.id)).one()


@pytest.mark.parametrize(
    ("who", "whose", "refusal"),
    [
        ("parent", "not_child", NotFound),  # a parent, another child
        ("student", "not_child", NotFound),  # a student, somebody else
        ("outsider", "child", NotFound),  # a teacher of none of the child's classes
        ("other_admin", "child", NotFound),  # another school
        ("staff", "child", PermissionDenied),
    ],
)
def test_a_students_history_is_theirs_their_parents_and_their_teachers(world: World, who: str, whose: str, refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        attendance.student_history(actor=getattr(world, who), student_id=getattr(world, whose))


def test_history_range_is_checked(world: World) -> None:
    with pytest.raises(ValidationFailed):
        attendance.student_history(actor=world.admin, student_id=world.child, starts_on=date(2035, 4, 5), ends_on=date(2035, 4, 1))
    with pytest.raises(ValidationFailed):
        attendance.student_history(actor=world.admin, student_id=world.child, starts_on=date(2033, 1, 1), ends_on=date(2035, 4, 1))


# --- summaries and today's registers -------------------------------------------------------------------


def _expected_rate(marks: list[str]) -> int | None:
    return attendance.attendance_rate(Counter(marks))


def test_summaries_by_week_and_term_from_the_demo_registers(world: World) -> None:
    """The demo wrote registers for the last school days: the summaries agree with the rows."""
    with db.owner_session() as session:
        led = session.exec(
            select(SchoolClass).where(SchoolClass.school_id == world.school.id, SchoolClass.class_teacher_id == world.teacher.id, SchoolClass.name != "Register 3")
        ).first()
        assert led is not None
        rows = session.exec(
            select(AttendanceRegister.day, AttendanceRecord.status)
            .join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id)
            .where(AttendanceRegister.class_id == led.id)
        ).all()
        every = session.exec(
            select(AttendanceRecord.status).join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id)
            .where(AttendanceRegister.school_id == world.school.id, col(AttendanceRegister.day) < date(2035, 1, 1))
        ).all()
        registers = session.exec(select(func.count()).select_from(AttendanceRegister).where(AttendanceRegister.school_id == world.school.id, col(AttendanceRegister.day) < date(2035, 1, 1))).one()
    assert registers > 0 and rows
    summary = attendance.class_summary(actor=world.teacher, class_id=led.id)
    assert summary.title == led.name
    assert summary.rate == _expected_rate([str(status) for _day, status in rows])
    weeks: dict[str, list[str]] = {}
    for day, status in rows:
        weeks.setdefault((day - timedelta(days=day.weekday())).isoformat(), []).append(str(status))
    assert {point["label"]: point["rate"] for point in summary.by_week} == {week: _expected_rate(marks) for week, marks in weeks.items()}
    assert summary.by_term and sum(point["days"] for point in summary.by_term) == len({day for day, _ in rows})

    school = attendance.school_summary(actor=world.admin)
    assert school.rate == _expected_rate([str(s) for s in every])
    with pytest.raises(NotFound):
        attendance.school_summary(actor=world.teacher)
    with pytest.raises(NotFound):
        attendance.class_summary(actor=world.teacher1, class_id=world.class_id)
    for reader in (world.parent, world.student):
        with pytest.raises(PermissionDenied):
            attendance.class_summary(actor=reader, class_id=world.class_id)


def test_the_demo_registers_follow_the_calendar(world: World) -> None:
    with db.tenant_session(world.school.id) as session:
        days = set(session.exec(select(AttendanceRegister.day).where(col(AttendanceRegister.day) < date(2035, 1, 1))).all())
        assert days and all(calendar.is_school_day(session, day) for day in days)
        assert max(days) < calendar.today_for(session, world.school.id)


def test_registers_still_to_take_today(world: World) -> None:
    due = attendance.registers_due(actor=world.teacher)
    with db.tenant_session(world.school.id) as session:
        today = calendar.today_for(session, world.school.id)
        school_day = calendar.is_school_day(session, today)
        mine = {str(k) for k in students.class_ids_taught_by(session, world.teacher.id)}
        this_year = {str(k) for k in session.exec(select(SchoolClass.id).where(SchoolClass.academic_year_id == students.current_year_id(session))).all()}
    if not school_day:
        assert due == []
        return
    assert {row["class_id"] for row in due} == mine & this_year
    taken = due[0]
    with db.tenant_session(world.school.id) as session:
        roll = attendance.roster(session, session.get(SchoolClass, UUID(taken["class_id"])))  # type: ignore[arg-type]
    attendance.save_register(actor=world.teacher, class_id=UUID(taken["class_id"]), day=today, entries=[EntryInput(str(s), "present") for s, _ in roll])
    assert taken not in attendance.registers_due(actor=world.teacher)
    with pytest.raises(PermissionDenied):
        attendance.registers_due(actor=world.parent)
