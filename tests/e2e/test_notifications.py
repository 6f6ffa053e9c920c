"""Notifications in the browser: a teacher marks a child absent and saves the register; the
child's guardian, signed in elsewhere, finds the alert in their notifications (unread), and marks
it read.

The alert row is written in the register's own transaction (it is the parent's in-app notice at
once, and the outbox the app's worker sends the SMS from), so the parent's page does not wait
for the worker."""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from models import Guardian, Role, School, Student, StudentGuardian, User
from oneclass import routes
from oneclass.demo_records import add_full_class, school_admin_of
from oneclass.services import calendar
from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"
CLASS_SIZE = 3


def test_a_teacher_marks_a_child_absent_and_the_guardian_is_notified(browser: Browser, page: Page, running_app: RunningApp) -> None:
    teacher = running_app.make_account(SCHOOL, Role.teacher)
    parent = running_app.make_account(SCHOOL, Role.parent)
    tag = uuid.uuid4().hex[:6]
    with running_app.set_up() as session:
        school = session.exec(select(School).where(School.subdomain == SCHOOL)).one()
        teacher_id = session.exec(select(User.id).where(User.email == teacher.email)).one()
        made, names = add_full_class(
            session, admin=school_admin_of(session, school.id), teacher_id=teacher_id, grade_level="G2", name=f"Grade 2 Notices {tag}",
            size=CLASS_SIZE, tag=tag,
        )
        session.flush()
        # The first pupil gets a guardian of their own: the new parent account.
        pupil = session.exec(select(Student).where(Student.admission_number == f"K{tag}01")).one()
        parent_id = session.exec(select(User.id).where(User.email == parent.email)).one()
        guardian = Guardian(school_id=school.id, user_id=parent_id, full_name=parent.full_name, phone=f"+26377{uuid.uuid4().int % 10**7:07d}")
        session.add(guardian)
        session.flush()
        session.add(StudentGuardian(school_id=school.id, student_id=pupil.id, guardian_id=guardian.id, relationship="Mother"))
        today = calendar.school_today(school.timezone)
        day = today
        while not calendar.is_school_day(session, day):
            day -= timedelta(days=1)
        session.commit()
        class_id = str(made.id)
    absent = names[0]

    parent_context = browser.new_context()
    try:
        sign_in(page, running_app, SCHOOL, teacher.email)
        expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
        page.goto(running_app.url(SCHOOL, f"{routes.REGISTERS}?class={class_id}"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Registers")
        if day != today:  # a weekend or a holiday today: the last school day's register (within the week)
            page.get_by_label("Date").fill(day.isoformat())
        marks = page.get_by_role("radiogroup", name=f"Mark for {absent}")
        marks.get_by_role("radio", name="Absent").click()
        expect(marks.get_by_role("radio", name="Absent")).to_be_checked()
        page.get_by_role("button", name="Save register").click()
        expect(page.get_by_text(re.compile("Saved the register of"))).to_be_visible()

        mine = parent_context.new_page()
        mine.set_default_timeout(20_000)
        sign_in(mine, running_app, SCHOOL, parent.email)
        expect(mine).to_have_url(running_app.at(SCHOOL, "/parent"))
        mine.goto(running_app.url(SCHOOL, routes.NOTIFICATIONS))
        expect(mine.get_by_role("heading", level=1)).to_have_text("Notifications")
        expect(mine.get_by_role("heading", name=f"Absent today: {absent}")).to_be_visible()
        expect(mine.get_by_text(re.compile(f"{re.escape(absent)} marked absent on"))).to_be_visible()
        expect(mine.locator("#unread-count")).to_have_text("Unread: 1")
        mine.get_by_role("button", name="Mark read").click()
        expect(mine.locator("#unread-count")).to_have_text("Unread: 0")

        # Saving the same register again tells the guardian nothing more.
        page.get_by_role("button", name="Save register").click()
        mine.reload()
        expect(mine.get_by_role("heading", name=f"Absent today: {absent}")).to_have_count(1)
        expect(mine.locator("#unread-count")).to_have_text("Unread: 0")
    finally:
        parent_context.close()
