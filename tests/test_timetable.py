"""The timetable: the periods' validation, clash detection (a teacher or a room in two classes at
once), what a lesson may hold, who may set and read which week, another school's ids, and a
teacher's lessons today."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from models import AcademicYear, Enrolment, Guardian, SchoolClass, StudentGuardian, Subject, TeachingAssignment, TimetableSlot, User
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, calendar, timetable
from oneclass.services.academics import current_year
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.timetable import PeriodTimes
from tests.conftest import SchoolFixture


@pytest.mark.parametrize(
    ("periods", "errors"),
    [
        ([("07:30", "08:05"), ("08:05", "08:40")], set()),
        ([("7:30", "8:05")], set()),  # a time typed without its leading zero
        ([("07:30", "08:05"), ("08:20", "09:00")], set()),  # a break between is not a period
        ([], set()),
        ([("08:05", "07:30")], {"period1"}),  # ends before it starts
        ([("08:00", "08:00")], {"period1"}),  # ends as it starts
        ([("07:30", "08:05"), ("08:00", "08:40")], {"period2"}),  # overlaps the first
        ([("07:30", "08:05"), ("07:00", "07:20")], {"period2"}),  # out of order
        ([("07:30", "08:05"), ("", "08:40")], {"period2"}),
        ([("25:00", "26:00")], {"period1"}),
        ([("soon", "later")], {"period1"}),
        ([("07:00", "07:30")] * 17, {"form"}),  # more than a day holds
    ],
)
def test_period_validation(periods: list[tuple[str, str]], errors: set[str]) -> None:
    _, found = timetable.validate_periods([PeriodTimes(starts, ends) for starts, ends in periods])
    assert set(found) == errors


@dataclass
class School:
    fixture: SchoolFixture
    actors: dict[str, CurrentUser]
    classes: list[SchoolClass]  # this year's
    taught: dict[UUID, list[TeachingAssignment]]  # class id: its subjects and teachers

    def assignment(self, class_index: int, number: int = 0) -> TeachingAssignment:
        return self.taught[self.classes[class_index].id][number]


def _actor(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, school_id=user.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


def _school(fixture: SchoolFixture) -> School:
    """A seeded school with its demo periods and an empty timetable: each test puts in its own lessons."""
    with db.tenant_session(fixture.id) as session:
        seed_school_records(session, admin=school_admin_of(session, fixture.id), subdomain=fixture.subdomain, level="primary", students=6)
        session.execute(text("DELETE FROM timetable_slots"))
        session.commit()
        users = {u.email.split("@")[0]: u for u in session.exec(select(User)).all()}
        year = current_year(session)
        assert year is not None
        classes = list(session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year.id).order_by(col(SchoolClass.name))).all())
        taught: dict[UUID, list[TeachingAssignment]] = {}
        for assignment in session.exec(select(TeachingAssignment).order_by(col(TeachingAssignment.subject_id))).all():
            taught.setdefault(assignment.class_id, []).append(assignment)
        return School(fixture, {name: _actor(user) for name, user in users.items()}, classes, taught)


@pytest.fixture(scope="module")
def schools() -> Iterator[tuple[School, School]]:
    from tests.conftest import delete_school, make_school

    a, b = make_school("timetable-a"), make_school("timetable-b")
    yield _school(a), _school(b)
    delete_school(a)
    delete_school(b)


@pytest.fixture
def school(schools: tuple[School, School]) -> Iterator[School]:
    yield schools[0]
    with db.tenant_session(schools[0].fixture.id) as session:
        session.execute(text("DELETE FROM timetable_slots"))
        session.commit()


def _put(school: School, class_index: int, day: int, period: int, *, number: int = 0, teacher: UUID | None = None, room: str = "") -> timetable.SlotRow:
    return timetable.set_slot(
        actor=school.actors["school_admin"], class_id=school.classes[class_index].id, day=day, period=period,
        subject_id=school.assignment(class_index, number).subject_id, teacher_id=teacher, room=room,
    )


def _another_class_with(school: School, teacher: UUID, but_not: int) -> int:
    """A class (by index) other than `but_not` in which `teacher` teaches no subject."""
    return next(i for i, c in enumerate(school.classes) if i != but_not and all(a.teacher_id != teacher for a in school.taught[c.id]))


# (what is put first, what is put second, the clash the second is refused with: "" none)
# A lesson: (class, day, period, room, same teacher as the first).
CLASH_CASES = [
    pytest.param((0, 1, 1, ""), (1, 1, 1, "", True), "teacher", id="teacher in another class, same period"),
    pytest.param((0, 1, 1, ""), (1, 1, 2, "", True), "", id="teacher, the next period"),
    pytest.param((0, 1, 1, ""), (1, 2, 1, "", True), "", id="teacher, the same period another day"),
    pytest.param((0, 3, 4, "Lab 1"), (1, 3, 4, "lab  1", False), "room", id="room in another class (case and spaces)"),
    pytest.param((0, 3, 4, "Lab 1"), (1, 3, 4, "Lab 2", False), "", id="another room"),
    pytest.param((0, 3, 4, "Lab 1"), (0, 3, 4, "Lab 1", True), "", id="the class's own lesson is replaced"),
    pytest.param((0, 5, 8, "Hall"), (1, 5, 8, "Hall", True), "teacher", id="teacher and room: the teacher named first"),
]


@pytest.mark.parametrize(("first", "second", "clash"), CLASH_CASES)
def test_clash_detection(school: School, first: tuple[int, int, int, str], second: tuple[int, int, int, str, bool], clash: str) -> None:
    class_index, day, period, room = first
    placed = _put(school, class_index, day, period, room=room)
    teacher = UUID(placed["teacher_id"])
    other_class, other_day, other_period, other_room, same_teacher = second
    if other_class != class_index:
        other_class = _another_class_with(school, teacher, class_index)
    chosen = teacher if same_teacher else next(
        a.teacher_id for c in school.classes for a in school.taught[c.id] if a.teacher_id != teacher
    )
    if not clash:
        row = _put(school, other_class, other_day, other_period, teacher=chosen, room=other_room)
        assert row["teacher_id"] == str(chosen)
        with db.tenant_session(school.fixture.id) as session:
            in_class = session.exec(select(TimetableSlot).where(TimetableSlot.class_id == school.classes[other_class].id)).all()
            assert len(in_class) == 1  # replaced, not added
        return
    with pytest.raises(Conflict) as refused:
        _put(school, other_class, other_day, other_period, teacher=chosen, room=other_room)
    message = refused.value.message
    assert school.classes[class_index].name in message  # the other class is named
    assert timetable.DAYS[day] in message and f"period {period}" in message
    if clash == "teacher":
        assert placed["teacher"] in message
    else:
        assert room in message
    with db.tenant_session(school.fixture.id) as session:
        assert session.exec(select(TimetableSlot).where(TimetableSlot.class_id == school.classes[other_class].id)).all() == []


def test_a_teacher_may_teach_the_same_period_in_another_year(school: School) -> None:
    placed = _put(school, 0, 2, 3)
    admin = school.actors["school_admin"]
    assignment = school.assignment(0)
    with db.tenant_session(school.fixture.id) as session:
        last_year = session.exec(select(AcademicYear).where(col(AcademicYear.is_current).is_(False))).first()
        assert last_year is not None
        old = academics.add_class(session, actor=admin, school_level="primary", year_id=last_year.id, grade_level="G1", name="Old class", capacity=30)
        academics.set_teacher(session, actor=admin, class_id=old.id, subject_id=assignment.subject_id, teacher_id=assignment.teacher_id)
        session.commit()
        old_id = old.id
    row = timetable.set_slot(actor=admin, class_id=old_id, day=2, period=3, subject_id=assignment.subject_id, teacher_id=None)
    assert row["teacher"] == placed["teacher"]
    # The teacher's week is this year's: last year's lesson is not in it.
    week = timetable.teacher_timetable(actor=admin, teacher_id=assignment.teacher_id)
    assert [s["class_id"] for s in week.slots] == [str(school.classes[0].id)]


def test_what_a_lesson_may_hold(schools: tuple[School, School], school: School) -> None:
    other = schools[1]
    admin = school.actors["school_admin"]
    first = school.classes[0]
    taught_here = {a.subject_id for a in school.taught[first.id]}
    with db.tenant_session(school.fixture.id) as session:
        not_taken = session.exec(select(Subject.id).where(col(Subject.id).not_in(taught_here))).first()
    default = _put(school, 0, 1, 1)
    assert default["teacher_id"] == str(school.assignment(0).teacher_id)  # the assigned teacher by default
    assert default["room"] is None
    cases: list[tuple[dict[str, object], str]] = [
        ({"day": 0}, "day"),
        ({"day": 6}, "day"),
        ({"period": 9}, "period"),  # the demo day has eight
        ({"subject_id": not_taken}, "subject"),
        ({"subject_id": None}, "subject"),
        ({"subject_id": other.assignment(0).subject_id}, "subject"),  # another school's subject
        ({"teacher_id": other.actors["teacher"].id}, "teacher"),  # another school's teacher
        ({"teacher_id": school.actors["parent"].id}, "teacher"),  # not a teacher
        ({"room": "R" * 41}, "room"),
    ]
    for change, field in cases:
        arguments: dict[str, object] = {
            "day": 2, "period": 2, "subject_id": school.assignment(0).subject_id, "teacher_id": None, "room": "", **change,
        }
        with pytest.raises(ValidationFailed) as refused:
            timetable.set_slot(actor=admin, class_id=first.id, **arguments)  # type: ignore[arg-type]
        assert set(refused.value.errors) == {field}, change


def test_periods_can_change_but_not_away_from_their_lessons(school: School) -> None:
    admin = school.actors["school_admin"]
    _put(school, 0, 4, 8, room="Hall")
    eight = [PeriodTimes(p["starts"], p["ends"]) for p in timetable.list_periods(actor=admin)]
    assert len(eight) == 8
    with pytest.raises(ValidationFailed) as refused:
        timetable.set_periods(actor=admin, periods=eight[:7])
    assert "Period 8 has 1 lessons" in refused.value.errors["form"]
    with pytest.raises(ValidationFailed) as refused:
        timetable.set_periods(actor=admin, periods=[*eight[:7], PeriodTimes("12:00", "12:30")])
    assert set(refused.value.errors) == {"period8"}  # starts before period 7 ends
    moved = timetable.set_periods(actor=admin, periods=[*eight[:7], PeriodTimes("13:00", "13:35")])
    assert moved[-1] == {"number": 8, "starts": "13:00", "ends": "13:35"}
    week = timetable.class_timetable(actor=admin, class_id=school.classes[0].id)
    assert [(s["day"], s["period"]) for s in week.slots] == [(4, 8)]  # the lesson moved with its period
    nine = timetable.set_periods(actor=admin, periods=[*eight[:7], PeriodTimes("13:00", "13:35"), PeriodTimes("13:35", "14:10")])
    assert len(nine) == 9
    timetable.clear_slot(actor=admin, class_id=school.classes[0].id, day=4, period=8)
    assert len(timetable.set_periods(actor=admin, periods=eight[:6])) == 6
    timetable.set_periods(actor=admin, periods=eight)


def _children_classes(school: School) -> list[UUID]:
    """The classes of the demo parent's children (two of them, in two classes)."""
    with db.tenant_session(school.fixture.id) as session:
        children = session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .where(Guardian.user_id == school.actors["parent"].id)
        ).all()
        found = session.exec(select(Enrolment.class_id).where(col(Enrolment.student_id).in_(children))).all()
        assert found
        return list(found)


def test_who_may_set_and_read_which_week(schools: tuple[School, School], school: School) -> None:
    other = schools[1]
    admin, teacher, student, parent, staff = (school.actors[r] for r in ("school_admin", "teacher", "student", "parent", "staff"))
    with db.tenant_session(school.fixture.id) as session:
        from oneclass.services.students import class_ids_taught_by, visible_class_ids

        taught = class_ids_taught_by(session, teacher.id)
        student_classes = visible_class_ids(session, student) or set()
    untaught = next(c.id for c in school.classes if c.id not in taught)
    children_classes = _children_classes(school)
    child_class = children_classes[0]
    not_the_childs = next(c.id for c in school.classes if c.id not in children_classes)
    _put(school, 0, 1, 1)

    # Setting: the admin's alone.
    for actor in (teacher, student, parent, staff):
        with pytest.raises(PermissionDenied):
            _put_as(actor, school, 0)
        with pytest.raises(PermissionDenied):
            timetable.clear_slot(actor=actor, class_id=school.classes[0].id, day=1, period=1)
        with pytest.raises(PermissionDenied):
            timetable.set_periods(actor=actor, periods=[])

    # A class's week: (who, class, allowed)
    reads: list[tuple[CurrentUser, UUID, bool]] = [
        (admin, untaught, True),
        (teacher, next(iter(taught)), True),
        (teacher, untaught, False),
        (student, next(iter(student_classes)), True),
        (student, next(c.id for c in school.classes if c.id not in student_classes), False),
        (parent, child_class, True),
        (parent, not_the_childs, False),
        (admin, other.classes[0].id, False),  # another school's class
        (teacher, other.classes[0].id, False),
    ]
    for actor, class_id, allowed in reads:
        if allowed:
            assert timetable.class_timetable(actor=actor, class_id=class_id).periods, (actor.role, class_id)
        else:
            with pytest.raises(NotFound):
                timetable.class_timetable(actor=actor, class_id=class_id)
    with pytest.raises(PermissionDenied):
        timetable.class_timetable(actor=staff, class_id=school.classes[0].id)

    # A teacher's week: theirs and the admins'.
    teacher1 = school.actors["teacher1"]
    assert timetable.teacher_timetable(actor=teacher, teacher_id=teacher.id).title == teacher.full_name
    assert timetable.teacher_timetable(actor=admin, teacher_id=teacher1.id).title == teacher1.full_name
    for actor, teacher_id in ((teacher, teacher1.id), (parent, teacher.id), (student, teacher.id), (admin, parent.id),
                              (admin, other.actors["teacher"].id)):
        with pytest.raises(NotFound):
            timetable.teacher_timetable(actor=actor, teacher_id=teacher_id)

    # The reader's own page: a parent's children's classes only.
    mine = timetable.my_timetable(actor=parent)
    assert {c["value"] for c in mine.choices} == {str(c) for c in children_classes} and mine.chosen in {c["value"] for c in mine.choices}
    with pytest.raises(NotFound):
        timetable.my_timetable(actor=parent, class_id=not_the_childs)
    with pytest.raises(NotFound):
        timetable.my_timetable(actor=parent, class_id=other.classes[0].id)
    with pytest.raises(PermissionDenied):
        timetable.my_timetable(actor=admin)
    assert timetable.my_timetable(actor=teacher).choices == []

    # The editor: another school's class is not found.
    with pytest.raises(NotFound):
        timetable.timetable_editor(actor=admin, class_id=other.classes[0].id)
    with pytest.raises(NotFound):
        timetable.set_slot(actor=admin, class_id=other.classes[0].id, day=1, period=2, subject_id=other.assignment(0).subject_id, teacher_id=None)
    with pytest.raises(NotFound):
        timetable.clear_slot(actor=admin, class_id=other.classes[0].id, day=1, period=1)
    with pytest.raises(NotFound):
        timetable.set_slot(actor=other.actors["school_admin"], class_id=school.classes[0].id, day=1, period=2,
                           subject_id=school.assignment(0).subject_id, teacher_id=None)
    assert timetable.class_timetable(actor=admin, class_id=school.classes[0].id).slots  # still there


def _put_as(actor: CurrentUser, school: School, class_index: int) -> None:
    timetable.set_slot(actor=actor, class_id=school.classes[class_index].id, day=1, period=1,
                       subject_id=school.assignment(class_index).subject_id, teacher_id=None)


def test_todays_lessons_only_on_school_days(school: School) -> None:
    admin = school.actors["school_admin"]
    assignment = school.assignment(0)
    with db.tenant_session(school.fixture.id) as session:
        teacher = session.get(User, assignment.teacher_id)
        assert teacher is not None
        actor = _actor(teacher)
        year = current_year(session)
        assert year is not None
        day = year.starts_on + timedelta(days=14)
        while not calendar.is_school_day(session, day):
            day += timedelta(days=1)
    _put(school, 0, day.isoweekday(), 3, room="Room 9")
    _put(school, 0, day.isoweekday(), 1)
    today = timetable.todays_lessons(actor=actor, today=day)
    assert today.school_day and today.day == timetable.DAYS[day.isoweekday()]
    assert [(lesson["period"], lesson["room"]) for lesson in today.lessons] == [(1, ""), (3, "Room 9")]
    assert today.lessons[0]["starts"] == "07:30" and today.lessons[0]["class_name"] == school.classes[0].name
    saturday = day + timedelta(days=6 - day.isoweekday())
    assert timetable.todays_lessons(actor=actor, today=saturday) == timetable.TodaysLessons("", False, [])
    calendar.add_closure_day(actor=admin, day=day, name="Sports day", ip="x")
    assert timetable.todays_lessons(actor=actor, today=day).lessons == []
    other_day = timetable.todays_lessons(actor=school.actors["parent"], today=day + timedelta(days=7))
    assert other_day.lessons == []  # a parent teaches nothing
    assert timetable.todays_lessons(actor=actor, today=date(1999, 3, 3)).school_day is False  # no term then


def test_the_database_keeps_a_teacher_and_a_room_in_one_place(school: School) -> None:
    """Two admins saving at once both pass the service's check; the unique indexes refuse the
    second, and a period with lessons cannot be deleted under them."""
    placed = _put(school, 0, 2, 5, room="Lab 3")
    teacher = UUID(placed["teacher_id"])
    other = school.classes[_another_class_with(school, teacher, 0)]
    subject = school.taught[other.id][0].subject_id
    for teacher_id, room in ((teacher, None), (school.taught[other.id][0].teacher_id, "LAB 3")):
        with db.tenant_session(school.fixture.id) as session:
            session.add(TimetableSlot(
                school_id=school.fixture.id, class_id=other.id, academic_year_id=other.academic_year_id, day=2, period=5,
                subject_id=subject, teacher_id=teacher_id, room=room,
            ))
            with pytest.raises(IntegrityError):
                session.commit()
    with db.tenant_session(school.fixture.id) as session, pytest.raises(IntegrityError):
        session.execute(text("DELETE FROM periods WHERE number = 5"))
        session.commit()
