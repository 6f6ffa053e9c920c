"""The registers page's state as the page drives it: a teacher's classes and today, one tap per
exception, a refused save that keeps every mark on screen and says why, a save that sticks and
reopens; a past register changed with its reason; the summaries and a child's history."""

from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from models import Role, SchoolClass, TimetableSlot, User
from oneclass import db, routes
from oneclass.demo_records import demo_register_days, school_admin_of, seed_school_records
from oneclass.services import attendance, calendar, school_settings
from state.attendance import AttendanceHistoryState, AttendanceSummaryState, DueRegistersState, RegisterState
from tests.conftest import SchoolFixture, delete_school, make_school
from tests.test_exports_lists import run, school_state


@pytest.fixture(scope="module")
def school() -> Iterator[SchoolFixture]:
    made = make_school("registers")
    with db.tenant_session(made.id) as session:
        seed_school_records(session, admin=school_admin_of(session, made.id), subdomain=made.subdomain, level="primary", students=18)
        session.commit()
    yield made
    delete_school(made)


def test_a_teacher_takes_a_register_and_a_refused_save_loses_nothing(school: SchoolFixture) -> None:
    with db.tenant_session(school.id) as session:
        today = calendar.today_for(session, school.id)
        day = attendance.recent_school_days(session, demo_register_days(session, today)[0], 1)[0]  # before the demo's registers: not taken yet
        teacher = session.exec(select(User).where(User.email == f"teacher@{school.subdomain}.test")).one()
        led = session.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher.id)).first()
        assert led is not None
    state = school_state(RegisterState, school, Role.teacher)
    run(state.load_desk())
    assert state.today == today.isoformat() and state.day == state.today and str(led.id) in state.class_choices
    run(state.choose_class(str(led.id)))
    run(state.choose_day(day.isoformat()))
    assert not state.saved and state.rows and set(state.marks.values()) == {"present"} and state.marks.keys() == {row["student_id"] for row in state.rows}
    first, second = state.rows[0]["student_id"], state.rows[1]["student_id"]

    state.mark("not-on-this-register", "absent")  # any browser may send any id: nothing is added
    state.note_reason("not-on-this-register", "x")
    assert "not-on-this-register" not in state.marks and not state.reasons
    state.mark(first, "absent")
    state.mark(second, "excused")  # no reason yet
    run(state.save())
    assert state.errors["form"] and second in state.errors and "excused" in state.errors[second]
    assert state.marks[first] == "absent" and state.marks[second] == "excused"  # kept on screen
    assert not run(state.choose_day(day.isoformat())) and not state.saved  # nothing was written

    state.mark(first, "absent")
    state.mark(second, "excused")
    state.note_reason(second, "Dentist")
    assert state.exceptions == 2
    run(state.save())
    assert state.saved and state.errors == {}
    again = school_state(RegisterState, school, Role.teacher)
    run(again.load_desk())
    run(again.choose_class(str(led.id)))
    run(again.choose_day(day.isoformat()))
    reopened = {row["student_id"]: (again.marks[row["student_id"]], again.reasons.get(row["student_id"], "")) for row in again.rows}
    assert again.saved and reopened[first] == ("absent", "") and reopened[second] == ("excused", "Dentist")
    assert again.needs_reason == (day < today)

    # A past day's saved register: a change says why.
    again.mark(first, "late")
    run(again.save())
    assert "change_reason" in again.errors and again.marks[first] == "late"
    again.set_change_reason("Came in at 8:30")
    run(again.save())
    assert again.errors == {} and again.marks[first] == "late"


def test_summaries_and_due_registers_as_the_pages_show_them(school: SchoolFixture) -> None:
    teacher = school_state(AttendanceSummaryState, school, Role.teacher)
    run(teacher.load_summary())
    assert teacher.class_choices and teacher.class_weeks and teacher.class_rate.endswith("%")
    assert not teacher.sees_school and teacher.school_weeks == []
    admin = school_state(AttendanceSummaryState, school, Role.school_admin)
    run(admin.load_summary())
    assert admin.sees_school and admin.school_weeks and admin.school_terms
    parent = school_state(AttendanceSummaryState, school, Role.parent)
    assert run(parent.load_summary()) is not None and parent.class_choices == {}

    due = school_state(DueRegistersState, school, Role.teacher)
    run(due.load_due())
    assert all(set(row) == {"name", "href"} and row["href"].startswith(f"{routes.REGISTERS}?class=") for row in due.due)


def test_a_lessons_register_as_the_page_takes_it(school: SchoolFixture) -> None:
    """A per-lesson school: the page offers the teacher's lessons of the chosen class and day, no
    register until one is chosen, then the lesson's register, saved as a daily one is."""
    with db.tenant_session(school.id) as session:
        admin = school_admin_of(session, school.id)
        today = calendar.today_for(session, school.id)
        teacher = session.exec(select(User).where(User.email == f"teacher@{school.subdomain}.test")).one()
        days = attendance.recent_school_days(session, today, 10)
        slot = session.exec(
            select(TimetableSlot).where(TimetableSlot.teacher_id == teacher.id, col(TimetableSlot.day).in_({d.isoweekday() for d in days}))
            .order_by(col(TimetableSlot.period))
        ).first()
        assert slot is not None, "the demo timetable gives the teacher lessons"
        day = max(d for d in days if d.isoweekday() == slot.day)
        class_id, period = str(slot.class_id), str(slot.period)
        led = session.get(SchoolClass, slot.class_id)
        # Other teachers' lessons of the class that day: not the teacher's to take, unless they lead the class.
        others = set() if led is None or led.class_teacher_id == teacher.id else set(session.exec(
            select(TimetableSlot.period).where(TimetableSlot.class_id == slot.class_id, TimetableSlot.day == slot.day, TimetableSlot.teacher_id != teacher.id)
        ).all())
    school_settings.set_registers_per_lesson(actor=admin, per_lesson=True, ip="203.0.113.7")
    try:
        state = school_state(RegisterState, school, Role.teacher)
        run(state.load_desk())
        assert state.per_lesson
        run(state.choose_class(class_id))
        run(state.choose_day(day.isoformat()))
        assert period in state.lesson_choices and not {str(p) for p in others} & set(state.lesson_choices)
        assert state.period == "" and state.rows == []  # nothing to mark before a lesson is chosen
        run(state.choose_lesson(period))
        assert state.rows and set(state.marks.values()) == {"present"}
        first = state.rows[0]["student_id"]
        state.mark(first, "absent")
        run(state.save())
        assert state.saved and state.errors == {} and state.marks[first] == "absent"
        if others:  # another teacher's lesson of the class, sent by hand: refused, nothing shown
            run(state.choose_lesson(str(min(others))))
            assert state.period == "" and state.rows == []
    finally:
        school_settings.set_registers_per_lesson(actor=admin, per_lesson=False, ip="203.0.113.7")


def test_a_student_and_a_parent_see_the_childs_history(school: SchoolFixture) -> None:
    own = school_state(AttendanceHistoryState, school, Role.student)
    run(own.load_own_history())
    assert own.student_id and own.period and sum(own.counts.values()) > 0 and own.rate.endswith("%")
    parent = school_state(AttendanceHistoryState, school, Role.parent)
    run(parent.show_history(own.student_id))  # the demo student is the demo parent's child
    assert parent.counts == own.counts and parent.rate == own.rate
    staff = school_state(AttendanceHistoryState, school, Role.staff)
    run(staff.show_history(own.student_id))
    assert staff.counts == {} and staff.student_id == ""
