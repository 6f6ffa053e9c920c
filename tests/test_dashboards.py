"""The dashboards' cards (oneclass.services.dashboards): each card's numbers against the rows they
count, changed under the card's feet; another school's rows never counted; a parent's cards are
their children's only, a teacher's their own subjects' only; each card refused to roles it is
not for. Two demo schools (the real seed: a term of registers, the gradebook, the timetable)."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest
from sqlmodel import col, delete, func, select

from models import (
    Assessment,
    AttendanceRecord,
    AttendanceRegister,
    Enrolment,
    GradeLevel,
    Guardian,
    Mark,
    ReportPublication,
    SchoolClass,
    SchoolLevel,
    Student,
    StudentGuardian,
    StudentStatus,
    TeachingAssignment,
    Term,
)
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import attendance, audit, calendar, dashboards, gradebook, timetable
from oneclass.services.attendance import EntryInput
from oneclass.services.auth import CurrentUser
from oneclass.services.gradebook import MarkInput
from oneclass.services.students import current_year_id
from tests.conftest import SchoolFixture, delete_school, make_school
from tests.test_attendance import _user


@dataclass
class World:
    school: SchoolFixture
    other: SchoolFixture
    admin: CurrentUser
    teacher: CurrentUser
    teacher1: CurrentUser
    student: CurrentUser
    parent: CurrentUser
    staff: CurrentUser
    other_admin: CurrentUser
    other_parent: CurrentUser
    children: set[UUID]  # the parent's
    own: UUID  # the demo student's record
    today: date


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    school, other = make_school("dash-a", SchoolLevel.secondary), make_school("dash-b")
    for made, level, students in ((school, SchoolLevel.secondary, 24), (other, SchoolLevel.primary, 30)):
        with db.tenant_session(made.id) as session:
            seed_school_records(session, admin=school_admin_of(session, made.id), subdomain=made.subdomain, level=level, students=students)
            session.commit()
    parent = _user(school, "parent")
    with db.tenant_session(school.id) as session:
        children = set(session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
        ).all())
        student = _user(school, "student")
        own = session.exec(select(Student.id).where(Student.user_id == student.id)).one()
        today = calendar.today_for(session, school.id)
    yield World(
        school=school, other=other, admin=_user(school, "school_admin"), teacher=_user(school, "teacher"), teacher1=_user(school, "teacher1"),
        student=student, parent=parent, staff=_user(school, "staff"), other_admin=_user(other, "school_admin"), other_parent=_user(other, "parent"),
        children=children, own=own, today=today,
    )
    delete_school(school)
    delete_school(other)


def _past_term_day(school: SchoolFixture, today: date) -> date:
    """A school day of the term before today's: the demo took no register then."""
    with db.tenant_session(school.id) as session:
        term = calendar.term_for_day(session, today)
        assert term is not None
        return attendance.recent_school_days(session, term.starts_on, 1)[0]


# --- who may ask for which card -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "allowed"),
    [
        (dashboards.enrolment_by_level, {"admin"}),
        (dashboards.attendance_today, {"admin"}),
        (dashboards.recent_activity, {"admin"}),
        (dashboards.marks_to_enter, {"teacher"}),
        (dashboards.recent_marks, {"student", "parent"}),
        (dashboards.attendance_this_term, {"student", "parent"}),
        (dashboards.next_lessons, {"student", "parent"}),
    ],
)
def test_each_card_is_refused_to_the_roles_it_is_not_for(world: World, card: object, allowed: set[str]) -> None:
    for name in ("admin", "teacher", "student", "parent", "staff"):
        actor = getattr(world, name)
        if name in allowed:
            card(actor=actor)  # type: ignore[operator]
        else:
            with pytest.raises(PermissionDenied):
                card(actor=actor)  # type: ignore[operator]


# --- the admin's -----------------------------------------------------------------------------------


def test_enrolment_by_level_counts_this_years_roll_of_the_school_only(world: World) -> None:
    with db.tenant_session(world.school.id) as session:
        year_id = current_year_id(session)
        expected = Counter(
            session.exec(
                select(SchoolClass.grade_level).join(Enrolment, col(Enrolment.class_id) == SchoolClass.id).where(SchoolClass.academic_year_id == year_id)
            ).all()
        )
    card = dashboards.enrolment_by_level(actor=world.admin)
    assert {row["level"]: row["students"] for row in card.levels} == dict(expected)
    assert card.total == 24 and sum(row["students"] for row in card.levels) == 24  # school B's 30 are not counted
    assert [row["level"] for row in card.levels] == [level.value for level in GradeLevel if level in expected]  # in the levels' order
    assert dashboards.enrolment_by_level(actor=world.other_admin).total == 30

    with db.tenant_session(world.school.id) as session:
        leaver = session.get(Student, world.own)
        assert leaver is not None
        leaver.status = StudentStatus.transferred
        session.add(leaver)
        session.commit()
    try:
        assert dashboards.enrolment_by_level(actor=world.admin).total == 23  # off the roll: not counted
    finally:
        with db.tenant_session(world.school.id) as session:
            back = session.get(Student, world.own)
            assert back is not None
            back.status = StudentStatus.enrolled
            session.add(back)
            session.commit()


def test_attendance_today_counts_the_days_registers_and_their_rate(world: World) -> None:
    day = _past_term_day(world.school, world.today)
    with db.tenant_session(world.school.id) as session:
        classes = session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == current_year_id(session)).order_by(SchoolClass.name)).all()
    before = dashboards.attendance_today(actor=world.admin, today=day)
    assert (before.school_day, before.taken, before.to_take, before.rate) == (True, 0, len(classes), None)

    first = classes[0]
    roll = attendance.open_register(actor=world.admin, class_id=first.id, day=day, today=day).records
    assert len(roll) >= 3
    marks = [EntryInput(r["student_id"], "absent" if i == 0 else "excused" if i == 1 else "present", "Clinic" if i == 1 else "") for i, r in enumerate(roll)]
    attendance.save_register(actor=world.admin, class_id=first.id, day=day, entries=marks, today=day)
    # School B takes a register the same day, all absent: A's card must not move.
    with db.tenant_session(world.other.id) as session:
        other_class = session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == current_year_id(session))).first()
    assert other_class is not None
    other_roll = attendance.open_register(actor=world.other_admin, class_id=other_class.id, day=day, today=day).records
    attendance.save_register(actor=world.other_admin, class_id=other_class.id, day=day, entries=[EntryInput(r["student_id"], "absent") for r in other_roll], today=day)

    after = dashboards.attendance_today(actor=world.admin, today=day)
    counted = len(roll) - 1  # the excused one is not counted
    assert (after.taken, after.to_take) == (1, len(classes))
    assert after.rate == round((counted - 1) * 100 / counted)
    assert dashboards.attendance_today(actor=world.other_admin, today=day).taken == 1

    saturday = day + timedelta(days=5 - day.weekday())
    assert not dashboards.attendance_today(actor=world.admin, today=saturday).school_day


def test_attendance_today_on_a_day_of_the_demo_registers(world: World) -> None:
    with db.tenant_session(world.school.id) as session:
        day = session.exec(select(func.max(AttendanceRegister.day))).one()
        statuses = Counter(
            str(status) for status in session.exec(
                select(AttendanceRecord.status).join(AttendanceRegister, col(AttendanceRegister.id) == AttendanceRecord.register_id).where(AttendanceRegister.day == day)
            ).all()
        )
        registers = session.exec(select(func.count()).select_from(AttendanceRegister).where(AttendanceRegister.day == day)).one()
    assert day is not None and day < world.today
    card = dashboards.attendance_today(actor=world.admin, today=day)
    assert card.taken == registers == card.to_take  # the demo took every class's register
    assert card.rate == attendance.attendance_rate(statuses)


def test_recent_activity_is_the_schools_latest_events_newest_first(world: World) -> None:
    actor = world.admin.actor("203.0.113.9")
    for school, target in ((world.school, "A-event"), (world.other, "B-event")):
        with db.tenant_session(school.id) as session:
            for number in range(1, 4):
                audit.record(session, school_id=school.id, action=audit.SCHOOL_SETTINGS_CHANGED, actor=actor, target=f"{target}-{number}")
                session.commit()
    rows = dashboards.recent_activity(actor=world.admin)
    assert [row["target"] for row in rows[:3]] == ["A-event-3", "A-event-2", "A-event-1"]
    assert len(rows) <= dashboards.RECENT_EVENTS and rows[0]["action"] == audit.ACTION_LABELS[audit.SCHOOL_SETTINGS_CHANGED]
    assert not [row for row in rows if row["target"].startswith("B-event")]


# --- the teacher's ---------------------------------------------------------------------------------


def _term_assessments(world: World, teacher: CurrentUser) -> dict[str, int]:
    """Today's term's assessments of the subjects `teacher` teaches, each with its roll's size less
    its marks: what the card should say, counted here the long way."""
    with db.tenant_session(world.school.id) as session:
        term = calendar.term_for_day(session, world.today)
        assert term is not None
        taught = set(session.exec(select(TeachingAssignment.class_id, TeachingAssignment.subject_id).where(TeachingAssignment.teacher_id == teacher.id)).all())
        expected = {}
        for assessment in session.exec(select(Assessment).where(Assessment.term_id == term.id)).all():
            if (assessment.class_id, assessment.subject_id) not in taught:
                continue
            school_class = session.get(SchoolClass, assessment.class_id)
            assert school_class is not None
            roll = {sid for sid, _ in attendance.roster(session, school_class)}
            marked = set(session.exec(select(Mark.student_id).where(Mark.assessment_id == assessment.id)).all())
            if roll - marked:
                expected[str(assessment.id)] = len(roll - marked)
        return expected


def test_marks_to_enter_are_the_teachers_unmarked_assessments_of_this_term(world: World) -> None:
    rows = dashboards.marks_to_enter(actor=world.teacher, today=world.today)
    expected = _term_assessments(world, world.teacher)
    assert expected and {row["assessment_id"]: row["missing"] for row in rows} == expected
    others = {row["assessment_id"] for row in dashboards.marks_to_enter(actor=world.teacher1, today=world.today)}
    assert others == set(_term_assessments(world, world.teacher1)) and not others & set(expected)

    chosen = rows[0]
    grid = gradebook.mark_grid(actor=world.teacher, assessment_id=UUID(chosen["assessment_id"]))
    students = [row["student_id"] for row in grid.rows]
    gradebook.save_marks(actor=world.teacher, assessment_id=UUID(chosen["assessment_id"]), marks=[MarkInput(s, "10") for s in students[1:]])
    after = {row["assessment_id"]: row["missing"] for row in dashboards.marks_to_enter(actor=world.teacher, today=world.today)}
    assert after[chosen["assessment_id"]] == 1
    gradebook.save_marks(actor=world.teacher, assessment_id=UUID(chosen["assessment_id"]), marks=[MarkInput(students[0], None, absent=True)])
    assert chosen["assessment_id"] not in {row["assessment_id"] for row in dashboards.marks_to_enter(actor=world.teacher, today=world.today)}


# --- the student's and the parent's ------------------------------------------------------------------


def _current_class(world: World, student_id: UUID) -> tuple[UUID, Term]:
    with db.tenant_session(world.school.id) as session:
        class_id = session.exec(select(Enrolment.class_id).where(Enrolment.student_id == student_id, Enrolment.academic_year_id == current_year_id(session))).one()
        term = calendar.term_for_day(session, world.today)
        assert term is not None
        return class_id, term


def test_recent_marks_show_only_a_published_terms_grades(world: World) -> None:
    class_id, term = _current_class(world, world.own)
    with db.owner_session() as session:
        kept = session.exec(select(ReportPublication).where(ReportPublication.school_id == world.school.id, ReportPublication.class_id == class_id)).all()
        saved = [(p.term_id, p.published_by) for p in kept]
        session.exec(delete(ReportPublication).where(col(ReportPublication.school_id) == world.school.id, col(ReportPublication.class_id) == class_id))
        session.commit()
    try:
        # This term's test is marked, but nothing is published: nothing shows.
        with db.tenant_session(world.school.id) as session:
            assert gradebook.term_grades(session, student_id=world.own, term=term)
        mine = dashboards.recent_marks(actor=world.student)
        assert [(row["student_id"], row["term"], row["grades"]) for row in mine] == [(str(world.own), "", [])]

        with db.tenant_session(world.school.id) as session:
            session.add(ReportPublication(school_id=world.school.id, term_id=term.id, class_id=class_id))
            session.commit()
            expected = gradebook.term_grades(session, student_id=world.own, term=term)
            label = attendance.term_name(session, term)
        mine = dashboards.recent_marks(actor=world.student)
        assert mine[0]["term"] == label and mine[0]["grades"] == expected
    finally:
        with db.owner_session() as session:
            session.exec(delete(ReportPublication).where(col(ReportPublication.school_id) == world.school.id, col(ReportPublication.class_id) == class_id))
            for term_id, published_by in saved:
                session.add(ReportPublication(school_id=world.school.id, term_id=term_id, class_id=class_id, published_by=published_by))
            session.commit()


def test_a_parent_sees_their_children_only(world: World) -> None:
    assert len(world.children) == 2
    for card in (dashboards.recent_marks, dashboards.attendance_this_term, dashboards.next_lessons):
        assert {row["student_id"] for row in card(actor=world.parent)} == {str(c) for c in world.children}
        assert {row["student_id"] for row in card(actor=world.student)} == {str(world.own)}
        theirs = {row["student_id"] for row in card(actor=world.other_parent)}
        assert len(theirs) == 2 and not theirs & {str(c) for c in world.children}


def test_attendance_this_term_matches_each_childs_history(world: World) -> None:
    rows = {row["student_id"]: row for row in dashboards.attendance_this_term(actor=world.parent, today=world.today)}
    for child in world.children:
        history = attendance.student_history(actor=world.admin, student_id=child)
        row = rows[str(child)]
        assert row["rate"] == history.rate and row["days"] == len(history.records) > 0
        assert (row["absent"], row["late"], row["excused"]) == (history.counts["absent"], history.counts["late"], history.counts["excused"])


def test_next_lessons_skip_whats_over_and_the_days_the_school_does_not_sit(world: World) -> None:
    class_id, _term = _current_class(world, world.own)
    week = timetable.class_timetable(actor=world.admin, class_id=class_id)
    with db.tenant_session(world.school.id) as session:
        days = calendar.school_days(session, world.today, world.today + timedelta(days=30))
    assert len(days) >= 2, "the demo's term runs on past today"
    day, following = days[0], days[1]
    first_period = min(p["number"] for p in week.periods)
    morning = [s for s in week.slots if s["day"] == day.isoweekday()]

    early = dashboards.next_lessons(actor=world.student, now=datetime.combine(day, time(0, 1)), count=3)[0]["lessons"]
    assert [(lesson["day"], lesson["subject"]) for lesson in early] == [(day.isoformat(), s["subject"]) for s in morning[:3]]
    assert early[0]["starts"] == next(p["starts"] for p in week.periods if p["number"] == morning[0]["period"] == first_period)

    late = dashboards.next_lessons(actor=world.student, now=datetime.combine(day, time(23, 59)), count=3)[0]["lessons"]
    assert late and {lesson["day"] for lesson in late} == {following.isoformat()}  # the weekend, holidays, closures skipped
