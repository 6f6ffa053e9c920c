"""Announcements and messages in the browser: a teacher posts an announcement to their class and
the parent of a child in it sees it (and the teacher then sees it read); a parent and a teacher
exchange messages, and each one's unread count in the navigation moves without a reload."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import col, select

from models import Enrolment, Guardian, SchoolClass, StudentGuardian, User
from state.messages import UNREAD_POLL_SECONDS
from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"
POLL_WAIT_MS = (UNREAD_POLL_SECONDS + 15) * 1000  # one poll, and room for a slow machine


def people(app: RunningApp) -> tuple[str, str, str]:
    """The demo teacher's name, the demo parent's, and the class the teacher leads that holds
    one of the parent's children."""
    with app.set_up() as session:
        teacher = session.exec(select(User).where(User.email == f"teacher@{SCHOOL}.test")).one()
        parent = session.exec(select(User).where(User.email == f"parent@{SCHOOL}.test")).one()
        children = select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
        led = session.exec(
            select(SchoolClass.name)
            .join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
            .where(SchoolClass.class_teacher_id == teacher.id, col(Enrolment.student_id).in_(children))
        ).first()
        assert led is not None, "the demo teacher leads the demo parent's first child's class"
        return teacher.full_name, parent.full_name, led


def unread_badge(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main").locator(".unread-count")


def unread(page: Page) -> int:
    badge = unread_badge(page)
    return int(badge.inner_text()) if badge.count() else 0


def go_to(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(f"^{label}")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def test_a_teacher_posts_a_class_announcement_and_the_parent_sees_it(browser: Browser, running_app: RunningApp) -> None:
    _teacher_name, _parent_name, class_name = people(running_app)
    title = f"Class trip {uuid.uuid4().hex[:6]}"
    teacher_context, parent_context = browser.new_context(), browser.new_context()
    teacher, parent = teacher_context.new_page(), parent_context.new_page()
    for page in (teacher, parent):
        page.set_default_timeout(20_000)
    try:
        sign_in(teacher, running_app, SCHOOL, f"teacher@{SCHOOL}.test")
        expect(teacher).to_have_url(running_app.at(SCHOOL, "/teacher"))
        go_to(teacher, "Announcements")
        teacher.get_by_label("Who", exact=True).click()
        teacher.get_by_role("option", name=class_name, exact=True).click()
        teacher.get_by_label("Title").fill(title)
        teacher.get_by_label("Announcement", exact=True).fill("We visit the museum on Thursday. Bring a packed lunch.")
        teacher.get_by_role("button", name="Post announcement").click()
        expect(teacher.get_by_text("Announcement posted.")).to_be_visible()
        mine = teacher.locator(".rt-Card").filter(has=teacher.get_by_role("heading", name=title))
        expect(mine.get_by_text(re.compile(r"^Read by 0 of \d+$"))).to_be_visible()

        sign_in(parent, running_app, SCHOOL, f"parent@{SCHOOL}.test")
        expect(parent).to_have_url(running_app.at(SCHOOL, "/parent"))
        expect(parent.get_by_text(title)).to_be_visible()  # the dashboard's card
        go_to(parent, "Announcements")
        card = parent.locator(".rt-Card").filter(has=parent.get_by_role("heading", name=title))
        expect(card.get_by_text("We visit the museum on Thursday.", exact=False)).to_be_visible()
        expect(card.get_by_text("New", exact=True)).to_be_visible()

        teacher.reload()
        expect(mine.get_by_text(re.compile(r"^Read by 1 of \d+$"))).to_be_visible()
    finally:
        teacher_context.close()
        parent_context.close()


def test_a_parent_and_a_teacher_exchange_messages_and_the_unread_counts_move(browser: Browser, running_app: RunningApp) -> None:
    teacher_name, parent_name, _class_name = people(running_app)
    subject = f"Reading card {uuid.uuid4().hex[:6]}"
    teacher_context, parent_context = browser.new_context(), browser.new_context()
    teacher, parent = teacher_context.new_page(), parent_context.new_page()
    for page in (teacher, parent):
        page.set_default_timeout(20_000)
    try:
        sign_in(parent, running_app, SCHOOL, f"parent@{SCHOOL}.test")
        expect(parent).to_have_url(running_app.at(SCHOOL, "/parent"))
        expect(parent.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Messages"))).to_be_visible()
        parent.wait_for_timeout(1000)  # the count asked for as the page mounted
        before = unread(parent)

        sign_in(teacher, running_app, SCHOOL, f"teacher@{SCHOOL}.test")
        expect(teacher).to_have_url(running_app.at(SCHOOL, "/teacher"))
        go_to(teacher, "Messages")
        teacher.get_by_role("button", name="New message").click()
        dialog = teacher.get_by_role("dialog", name="New message")
        dialog.get_by_label("Find by name").fill(parent_name)
        dialog.get_by_label("To", exact=True).click()
        teacher.get_by_role("option", name=re.compile(f"^{re.escape(parent_name)}")).click()
        dialog.get_by_label("Subject").fill(subject)
        dialog.get_by_label("Message", exact=True).fill("Thank you for signing the reading card every evening.")
        dialog.get_by_role("button", name="Send").click()
        expect(teacher.get_by_role("heading", name=subject)).to_be_visible()

        # The parent's tab, untouched since it opened, learns of it by its own poll.
        expect(unread_badge(parent)).to_have_text(str(before + 1), timeout=POLL_WAIT_MS)
        go_to(parent, "Messages")
        parent.get_by_role("table", name="Conversations").get_by_role("link", name=subject).click()
        expect(parent.get_by_text("Thank you for signing the reading card every evening.")).to_be_visible()
        expect(parent.get_by_text(f"With {teacher_name}")).to_be_visible()
        if before:
            expect(unread_badge(parent)).to_have_text(str(before))
        else:
            expect(unread_badge(parent)).to_have_count(0)

        teacher_before = unread(teacher)
        parent.get_by_label("Reply").fill("It is a pleasure. She loves the new books.")
        parent.get_by_role("button", name="Send").click()
        expect(parent.get_by_text("It is a pleasure. She loves the new books.")).to_be_visible()
        expect(unread_badge(teacher)).to_have_text(str(teacher_before + 1), timeout=POLL_WAIT_MS)
        teacher.get_by_role("table", name="Conversations").get_by_role("link", name=subject).click()
        expect(teacher.get_by_text("It is a pleasure. She loves the new books.")).to_be_visible()
    finally:
        teacher_context.close()
        parent_context.close()
