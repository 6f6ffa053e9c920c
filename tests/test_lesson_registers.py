"""Registers per lesson: the school's choice (audited), a register per class, day and period for
the lesson's teacher, the class teacher and the admins (another teacher of the class is
refused), saving twice is one register, a daily school refuses a period, a period the class's
timetable does not hold that day is refused, another school's class is not found, and the report
card's days (present at any lesson of a day is a day present).

The class belongs to a year of its own (2035) so its days are fixed whatever the date; `today`
is given to the service as the school's today."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlmodel import select

from models import AcademicYear, AttendanceRegister, AuditEvent, School, Student, Subject, TeachingAssignment, TimetableSlot, User
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, attendance, audit, school_settings, students
from oneclass.services.academics import TermDates
from oneclass.services.attendance import EntryInput
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from tests.conftest import SchoolFixture, delete_school, make_school

MONDAY = date(2035, 3, 5)
TUESDAY = MONDAY + timedelta(days=1)
CLASS_SIZE = 4


@dataclass
class World:
    school: SchoolFixture
    other: SchoolFixture
    class_id: UUID
    pupils: list[UUID]
    admin: CurrentUser
    class_teacher: CurrentUser
    first: CurrentUser  # teaches period 1 on Mondays
    second: CurrentUser  # teaches period 2 on Mondays
    other_admin: CurrentUser


def _actor(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, school_id=user.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


def _user(school: SchoolFixture, local: str) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        return _actor(session.exec(select(User).where(User.email == f"{local}@{school.subdomain}.test")).one())


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    school, other = make_school("lessons-a"), make_school("lessons-b")
    for made in (school, other):
        with db.tenant_session(made.id) as session:
            seed_school_records(session, admin=school_admin_of(session, made.id), subdomain=made.subdomain, level="primary", students=8)
            session.commit()
    admin, class_teacher, first, second = (_user(school, name) for name in ("school_admin", "teacher", "teacher1", "teacher2"))
    terms = [TermDates(date(2035, 1, 15), date(2035, 4, 6)), TermDates(date(2035, 5, 7), date(2035, 8, 3)), TermDates(date(2035, 9, 4), date(2035, 12, 1))]
    academics.create_year(actor=admin, name="2035", starts_on=date(2035, 1, 8), ends_on=date(2035, 12, 7), terms=terms)
    with db.tenant_session(school.id) as session:
        year_id = session.exec(select(AcademicYear.id).where(AcademicYear.name == "2035")).one()
        made_class = academics.add_class(
            session, actor=admin, school_level="primary", year_id=year_id, grade_level="G3", name="Lessons 3", capacity=40,
            class_teacher_id=class_teacher.id,
        )
        for student_id in session.exec(select(Student.id).order_by(Student.admission_number).limit(CLASS_SIZE)).all():
            students.enrol(session, actor=admin, student_id=student_id, class_id=made_class.id)
        subjects = session.exec(select(Subject.id).order_by(Subject.code).limit(2)).all()
        # Set-up written directly: the timetable's own rules are its tests' business.
        for period, (teacher, subject_id) in enumerate(zip((first, second), subjects, strict=True), start=1):
            session.add(TeachingAssignment(school_id=school.id, class_id=made_class.id, subject_id=subject_id, teacher_id=teacher.id))
            session.add(TimetableSlot(
                school_id=school.id, class_id=made_class.id, academic_year_id=year_id, day=MONDAY.isoweekday(), period=period,
                subject_id=subject_id, teacher_id=teacher.id,
            ))
        session.commit()
        class_id = made_class.id
        pupils = [sid for sid, _ in attendance.roster(session, made_class)]
    school_settings.set_registers_per_lesson(actor=admin, per_lesson=True, ip="203.0.113.5")
    yield World(school, other, class_id, pupils, admin, class_teacher, first, second, _user(other, "school_admin"))
    delete_school(school)
    delete_school(other)


def _entries(world: World, **changes: tuple[str, str]) -> list[EntryInput]:
    return [EntryInput(str(sid), *changes.get(str(sid), ("present", ""))) for sid in world.pupils]


def _save(world: World, actor: CurrentUser, period: int | None, entries: list[EntryInput], day: date = MONDAY, **kwargs: str) -> attendance.RegisterView:
    return attendance.save_register(actor=actor, class_id=world.class_id, day=day, entries=entries, ip="203.0.113.5", period=period, today=MONDAY, **kwargs)


def test_the_setting_is_the_admins_and_audited(world: World) -> None:
    assert school_settings.registers_taken_per_lesson(actor=world.admin) is True
    with pytest.raises(PermissionDenied):
        school_settings.set_registers_per_lesson(actor=world.class_teacher, per_lesson=False, ip="203.0.113.5")
    with db.owner_session() as session:
        changes = session.exec(
            select(AuditEvent).where(AuditEvent.school_id == world.school.id, AuditEvent.action == audit.SCHOOL_SETTINGS_CHANGED)
        ).all()
    assert any(event.detail.get("registers_per_lesson") == {"from": False, "to": True} for event in changes)


def test_a_lesson_register_saved_twice_is_one_register(world: World) -> None:
    absent = str(world.pupils[1])
    first = _save(world, world.first, 1, _entries(world, **{absent: ("absent", "")}))
    assert first.saved and first.period == 1
    again = _save(world, world.first, 1, _entries(world, **{absent: ("absent", "")}))
    assert again.records == first.records
    with db.owner_session() as session:
        registers = session.exec(
            select(AttendanceRegister).where(AttendanceRegister.class_id == world.class_id, AttendanceRegister.day == MONDAY, AttendanceRegister.period == 1)
        ).all()
    assert len(registers) == 1
    reopened = attendance.open_register(actor=world.first, class_id=world.class_id, day=MONDAY, period=1, today=MONDAY)
    assert reopened.saved and {r["student_id"]: r["status"] for r in reopened.records}[absent] == "absent"
    # The daily register is another register: still unsaved, everyone present.
    daily = attendance.open_register(actor=world.admin, class_id=world.class_id, day=MONDAY, today=MONDAY)
    assert not daily.saved and {r["status"] for r in daily.records} == {"present"}


def test_a_teacher_who_does_not_teach_the_lesson_is_refused(world: World) -> None:
    with pytest.raises(PermissionDenied):
        attendance.open_register(actor=world.first, class_id=world.class_id, day=MONDAY, period=2, today=MONDAY)
    with pytest.raises(PermissionDenied):
        _save(world, world.first, 2, _entries(world))
    with db.owner_session() as session:
        assert session.exec(select(AttendanceRegister).where(AttendanceRegister.class_id == world.class_id, AttendanceRegister.period == 2)).first() is None
    # The class teacher and the admin take any lesson of the class.
    assert _save(world, world.class_teacher, 2, _entries(world)).saved
    assert attendance.open_register(actor=world.admin, class_id=world.class_id, day=MONDAY, period=2, today=MONDAY).saved


def test_the_lessons_offered_are_the_readers_own(world: World) -> None:
    def periods(actor: CurrentUser) -> list[int]:
        return [lesson["period"] for lesson in attendance.register_lessons(actor=actor, class_id=world.class_id, day=MONDAY)]

    assert periods(world.first) == [1]
    assert periods(world.second) == [2]
    assert periods(world.class_teacher) == [1, 2]
    assert periods(world.admin) == [1, 2]
    assert attendance.register_lessons(actor=world.admin, class_id=world.class_id, day=TUESDAY) == []  # no Tuesday lessons
    label = attendance.register_lessons(actor=world.first, class_id=world.class_id, day=MONDAY)[0]["label"]
    assert label.startswith("Period 1, ") and world.first.full_name in label


def test_a_period_not_in_the_timetable_that_day_is_refused(world: World) -> None:
    for day, period in ((MONDAY, 3), (TUESDAY, 1)):
        with pytest.raises(ValidationFailed) as refused:
            attendance.open_register(actor=world.admin, class_id=world.class_id, day=day, period=period, today=TUESDAY)
        assert f"no lesson in period {period}" in refused.value.errors["period"]
        with pytest.raises(ValidationFailed):
            attendance.save_register(
                actor=world.admin, class_id=world.class_id, day=day, entries=_entries(world), ip="203.0.113.5", period=period, today=TUESDAY,
            )


def test_a_daily_school_refuses_a_period(world: World) -> None:
    school_settings.set_registers_per_lesson(actor=world.admin, per_lesson=False, ip="203.0.113.5")
    try:
        with pytest.raises(ValidationFailed) as refused:
            attendance.open_register(actor=world.admin, class_id=world.class_id, day=MONDAY, period=1, today=MONDAY)
        assert refused.value.errors["period"] == attendance.DAILY_SCHOOL
        with pytest.raises(ValidationFailed):
            _save(world, world.admin, 1, _entries(world))
        assert attendance.register_lessons(actor=world.admin, class_id=world.class_id, day=MONDAY) == []
    finally:
        school_settings.set_registers_per_lesson(actor=world.admin, per_lesson=True, ip="203.0.113.5")


def test_another_schools_class_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        attendance.open_register(actor=world.other_admin, class_id=world.class_id, day=MONDAY, period=1, today=MONDAY)
    with pytest.raises(NotFound):
        attendance.save_register(
            actor=world.other_admin, class_id=world.class_id, day=MONDAY, entries=_entries(world), ip="203.0.113.5", period=1, today=MONDAY,
        )
    with pytest.raises(NotFound):
        attendance.register_lessons(actor=world.other_admin, class_id=world.class_id, day=MONDAY)
    with db.tenant_session(world.other.id) as session:
        assert session.exec(select(AttendanceRegister).where(AttendanceRegister.class_id == world.class_id)).all() == []
        school = session.exec(select(School)).one()
        assert school.registers_per_lesson is False  # the other school's own setting


def test_a_past_lessons_change_needs_a_reason_and_is_audited(world: World) -> None:
    day = MONDAY - timedelta(days=7)
    absent = str(world.pupils[0])
    attendance.save_register(actor=world.second, class_id=world.class_id, day=day, entries=_entries(world), ip="203.0.113.5", period=2, today=day)
    with pytest.raises(ValidationFailed) as refused:
        _save(world, world.second, 2, _entries(world, **{absent: ("absent", "")}), day=day)
    assert "change_reason" in refused.value.errors
    _save(world, world.second, 2, _entries(world, **{absent: ("absent", "")}), day=day, change_reason="Left after break")
    with db.owner_session() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.school_id == world.school.id, AuditEvent.action == attendance.REGISTER_CHANGED)
        ).all()
    assert any(e.detail.get("period") == 2 and e.detail.get("reason") == "Left after break" for e in events)


def test_report_card_days_count_a_day_present_at_any_lesson(world: World) -> None:
    day = MONDAY - timedelta(days=14)
    one, two, three, four = (str(sid) for sid in world.pupils)
    # Period 1: `one` absent, `two` excused, `three` absent, `four` late. Period 2: `one` present,
    # `two` excused, `three` absent, `four` absent.
    attendance.save_register(
        actor=world.admin, class_id=world.class_id, day=day, ip="203.0.113.5", period=1, today=day,
        entries=_entries(world, **{one: ("absent", ""), two: ("excused", "Clinic"), three: ("absent", ""), four: ("late", "")}),
    )
    attendance.save_register(
        actor=world.admin, class_id=world.class_id, day=day, ip="203.0.113.5", period=2, today=day,
        entries=_entries(world, **{two: ("excused", "Clinic"), three: ("absent", ""), four: ("absent", "")}),
    )
    with db.tenant_session(world.school.id) as session:
        counts = attendance.day_counts(session, {world.class_id}, day, day)
    assert {str(sid): dict(c) for sid, c in counts.items()} == {one: {"present": 1}, two: {"excused": 1}, three: {"absent": 1}, four: {"present": 1}}


def test_lesson_registers_count_in_the_summaries(world: World) -> None:
    with db.tenant_session(world.school.id) as session:
        by_week, _by_term, rate = attendance._rates(session, {world.class_id}, MONDAY - timedelta(days=30), MONDAY)
    assert by_week and rate is not None  # every lesson's marks count like a daily register's
