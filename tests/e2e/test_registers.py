"""A teacher takes a register of 40 by keyboard alone: every student present until marked, a few
exceptions, a refused save that keeps every mark and says why, a save that sticks and shows
again on reopening; the class's summary shows the day's rate. In a school that takes registers
per lesson, a teacher picks the lesson they teach and takes its register by keyboard too."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import col, select

from models import AttendanceRegister, Period, Role, School, Subject, TeachingAssignment, TimetableSlot, User
from oneclass import routes
from oneclass.demo_records import add_full_class, school_admin_of
from oneclass.services import calendar
from tests.e2e.conftest import DEMO_PASSWORD, RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"
CLASS_SIZE = 40


@dataclass(frozen=True)
class Register:
    class_id: str
    name: str
    students: list[str]  # full names, in the register's order (by surname)
    day: date
    today: date


def _class_of_forty(app: RunningApp, teacher_email: str) -> Register:
    """A class of 40 led by the new teacher, made through the services on the app's database
    (as the server's superuser: set-up only)."""
    tag = uuid.uuid4().hex[:6]
    with app.set_up() as session:
        school_id = session.exec(select(School.id).where(School.subdomain == SCHOOL)).one()
        admin = school_admin_of(session, school_id)
        teacher_id = session.exec(select(User.id).where(User.email == teacher_email)).one()
        made, names = add_full_class(
            session, admin=admin, teacher_id=teacher_id, grade_level="G4", name=f"Grade 4 Keys {tag}", size=CLASS_SIZE, tag=tag,
        )
        session.flush()
        today = calendar.school_today(session.get(School, school_id).timezone)  # type: ignore[union-attr]
        day = today
        while not calendar.is_school_day(session, day):
            day -= timedelta(days=1)
        session.commit()
        return Register(class_id=str(made.id), name=made.name, students=names, day=day, today=today)


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def press_until(page: Page, key: str, target: Locator, limit: int = 250) -> None:
    """Press `key` (Tab or Shift+Tab) until `target` has the focus, as someone without a mouse would."""
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(target):
            return
    raise AssertionError(f"{target} was not reached in {limit} presses of {key}")


def marks_of(page: Page, name: str) -> Locator:
    return page.get_by_role("radiogroup", name=f"Mark for {name}")


STATUSES = ["Present", "Absent", "Late", "Excused"]


def mark(page: Page, name: str, status: str) -> None:
    """Tab to the student's mark (the checked one, Present) and move right to `status`."""
    press_until(page, "Tab", marks_of(page, name).get_by_role("radio", name="Present"))
    for step in STATUSES[1 : STATUSES.index(status) + 1]:
        chosen = marks_of(page, name).get_by_role("radio", name=step)
        # Held down until the focus arrives, as a finger does: Radix moves the focus a tick after
        # the key goes down and checks the radio only if an arrow key is still down then.
        page.keyboard.down("ArrowRight")
        expect(chosen).to_be_focused()
        page.keyboard.up("ArrowRight")
        expect(chosen).to_be_checked()


def test_a_teacher_takes_a_register_of_forty_by_keyboard(running_app: RunningApp, page: Page) -> None:
    teacher = running_app.make_account(SCHOOL, Role.teacher)
    register = _class_of_forty(running_app, teacher.email)
    absent, late, excused, last = register.students[2], register.students[9], register.students[24], register.students[39]

    sign_in(page, running_app, SCHOOL, teacher.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Teacher dashboard")
    card = page.get_by_role("heading", name="Registers still to take today").locator("xpath=..")
    if register.day == register.today:
        expect(card.get_by_role("link", name=register.name)).to_be_visible()

    # The address is typed (the card's link says the same), the rest is the keyboard's.
    page.goto(running_app.url(SCHOOL, f"{routes.REGISTERS}?class={register.class_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registers")
    table = page.get_by_role("table", name="Register")
    expect(table.get_by_role("rowheader")).to_have_count(CLASS_SIZE)
    expect(page.get_by_text("Not saved yet: everyone is marked present")).to_be_visible()
    if register.day != register.today:  # a weekend or a holiday today: the last school day's register
        date_input = page.get_by_label("Date")
        press_until(page, "Tab", date_input)
        page.keyboard.type(register.day.strftime("%m%d%Y"))
        expect(date_input).to_have_value(register.day.isoformat())
    expect(marks_of(page, register.students[0]).get_by_role("radio", name="Present")).to_be_checked()

    mark(page, absent, "Absent")
    mark(page, late, "Late")
    mark(page, excused, "Excused")  # and no reason yet
    mark(page, last, "Absent")
    expect(page.get_by_text("4 marked absent, late or excused")).to_be_visible()

    save = page.get_by_role("button", name="Save register")
    press_until(page, "Tab", save)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Say why {excused} is excused.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="The register was not saved")).to_be_visible()
    for name, status in ((absent, "Absent"), (late, "Late"), (excused, "Excused"), (last, "Absent")):
        expect(marks_of(page, name).get_by_role("radio", name=status)).to_be_checked()  # nothing lost

    reason = page.get_by_label(f"Why {excused} is excused")
    press_until(page, "Shift+Tab", reason)
    page.keyboard.type("Dentist")
    press_until(page, "Tab", save)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(f"Saved the register of {re.escape(register.name)}"))).to_be_visible()
    expect(page.get_by_text("This register is saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("This register is saved.")).to_be_visible()
    for name, status in ((absent, "Absent"), (late, "Late"), (excused, "Excused"), (last, "Absent"), (register.students[0], "Present")):
        expect(marks_of(page, name).get_by_role("radio", name=status)).to_be_checked()
    expect(page.get_by_label(f"Why {excused} is excused")).to_have_value("Dentist")

    # The class's summary: (36 present + 1 late) over (40 - 1 excused) is 95%.
    page.goto(running_app.url(SCHOOL, routes.ATTENDANCE_SUMMARY))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance summary")
    expect(page.get_by_role("heading", name=register.name)).to_be_visible()
    expect(page.get_by_text("This year 95%")).to_be_visible()
    expect(page.get_by_role("table", name="Class attendance rate by week")).to_contain_text("95%")


@contextmanager
def registers_per_lesson(app: RunningApp) -> Iterator[None]:
    """The school takes registers per lesson for the test's duration, and daily again after it."""
    with app.set_up() as session:
        school = session.exec(select(School).where(School.subdomain == SCHOOL)).one()
        school.registers_per_lesson = True
        session.add(school)
        session.commit()
    try:
        yield
    finally:
        with app.set_up() as session:
            school = session.exec(select(School).where(School.subdomain == SCHOOL)).one()
            school.registers_per_lesson = False
            session.add(school)
            session.commit()


@dataclass(frozen=True)
class Lesson:
    register: Register
    period: int
    subject: str


def _a_lesson_of_a_new_class(app: RunningApp, teacher_email: str, size: int = 6) -> Lesson:
    """A class led by the school's admin in which the new teacher teaches one lesson, on the
    weekday of the register's day (today, or the last school day before it)."""
    tag = uuid.uuid4().hex[:6]
    with app.set_up() as session:
        school = session.exec(select(School).where(School.subdomain == SCHOOL)).one()
        admin = school_admin_of(session, school.id)
        teacher_id = session.exec(select(User.id).where(User.email == teacher_email)).one()
        made, names = add_full_class(session, admin=admin, teacher_id=admin.id, grade_level="G4", name=f"Grade 4 Lesson {tag}", size=size, tag=tag)
        today = calendar.school_today(school.timezone)
        day = today
        while not calendar.is_school_day(session, day):
            day -= timedelta(days=1)
        subject = session.exec(select(Subject).where(Subject.level == "primary").order_by(col(Subject.code))).first()
        period = session.exec(select(Period.number).order_by(col(Period.number))).first()
        assert subject is not None and period is not None
        session.add(TeachingAssignment(school_id=school.id, class_id=made.id, subject_id=subject.id, teacher_id=teacher_id))
        session.add(TimetableSlot(
            school_id=school.id, class_id=made.id, academic_year_id=made.academic_year_id, day=day.isoweekday(), period=period,
            subject_id=subject.id, teacher_id=teacher_id,
        ))
        session.commit()
        register = Register(class_id=str(made.id), name=made.name, students=names, day=day, today=today)
        return Lesson(register=register, period=period, subject=subject.name)


def sign_in_once_ready(page: Page, app: RunningApp, email: str) -> None:
    """Sign in through the form once the login page's script holds it: on a loaded machine a
    click that comes first submits the form natively (the address then carries the password)
    and nobody is signed in."""
    page.goto(app.url(SCHOOL, "/login"))
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_teacher_takes_a_lessons_register_by_keyboard(running_app: RunningApp, page: Page) -> None:
    teacher = running_app.make_account(SCHOOL, Role.teacher)
    lesson = _a_lesson_of_a_new_class(running_app, teacher.email)
    register = lesson.register
    absent = register.students[1]
    with registers_per_lesson(running_app):
        sign_in_once_ready(page, running_app, teacher.email)
        expect(page.get_by_role("heading", level=1)).to_have_text("Teacher dashboard")
        card = page.get_by_role("heading", name="Registers still to take today").locator("xpath=..")
        due = card.get_by_role("link", name=f"{register.name}, period {lesson.period}: {lesson.subject}")
        if register.day == register.today:
            expect(due).to_be_visible()

        page.goto(running_app.url(SCHOOL, f"{routes.REGISTERS}?class={register.class_id}"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Registers")
        if register.day != register.today:
            date_input = page.get_by_label("Date")
            press_until(page, "Tab", date_input)
            page.keyboard.type(register.day.strftime("%m%d%Y"))
            expect(date_input).to_have_value(register.day.isoformat())
        expect(page.get_by_text("Choose one of the day's lessons to take its register.")).to_be_visible()
        expect(page.get_by_role("table", name="Register")).to_have_count(0)  # no register before a lesson is chosen

        # The lesson, by keyboard: Tab to the list, open it, take the one lesson that is the teacher's.
        chooser = page.get_by_role("combobox", name="Lesson")
        press_until(page, "Tab", chooser)
        page.keyboard.press("Enter")
        option = page.get_by_role("option", name=re.compile(f"^Period {lesson.period}, .*{re.escape(lesson.subject)}"))
        expect(option).to_be_visible()
        expect(page.get_by_role("option")).to_have_count(1)  # only the lessons this teacher teaches
        page.keyboard.press("Enter")
        table = page.get_by_role("table", name="Register")
        expect(table.get_by_role("rowheader")).to_have_count(len(register.students))
        expect(page.get_by_text("Not saved yet: everyone is marked present")).to_be_visible()

        mark(page, absent, "Absent")
        save = page.get_by_role("button", name="Save register")
        press_until(page, "Tab", save)
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile(f"Saved the register of {re.escape(register.name)}, period {lesson.period}, for"))).to_be_visible()
        expect(page.get_by_text("This register is saved.")).to_be_visible()
        press_until(page, "Tab", save)
        page.keyboard.press("Enter")  # twice: still one register
        expect(page.get_by_text("This register is saved.")).to_be_visible()

        # Reopened by its address (the dashboard's link says the same): the lesson's marks are back.
        page.goto(running_app.url(SCHOOL, f"{routes.REGISTERS}?class={register.class_id}&period={lesson.period}"))
        if register.day == register.today:
            expect(page.get_by_text("This register is saved.")).to_be_visible()
            expect(marks_of(page, absent).get_by_role("radio", name="Absent")).to_be_checked()
            page.goto(running_app.url(SCHOOL, "/teacher"))
            expect(page.get_by_role("heading", level=1)).to_have_text("Teacher dashboard")
            expect(card.get_by_role("link", name=re.compile(re.escape(register.name)))).to_have_count(0)
    with running_app.set_up() as session:
        registers = session.exec(select(AttendanceRegister).where(AttendanceRegister.class_id == uuid.UUID(register.class_id))).all()
    assert [(r.day, r.period) for r in registers] == [(register.day, lesson.period)]
