"""Signing in as every demo role, page guards, signing out."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from models import Role
from tests.e2e.conftest import DEMO_PASSWORD, RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"


# Each dashboard's cards (their headings), and what one of them must show of the demo's data.
CARDS: dict[str, tuple[list[str], str | re.Pattern[str]]] = {
    "admin": (["Enrolment by level", "Today's attendance so far", "Announcements", "Recent activity"], "300 students on the roll this year"),
    "teacher": (["Today's lessons", "Registers still to take today", "Announcements", "Marks still to enter"], re.compile(r"\d+ to enter")),
    "student": (["Announcements", "Recent marks", "Attendance this term", "Next lessons"], re.compile(r"\d+ days recorded: ")),
    "parent": (["Announcements", "Recent marks", "Attendance this term", "Next lessons"], re.compile(r"\d+ days recorded: ")),
    "staff": (["Announcements"], "Sports day"),
}


@pytest.mark.parametrize(
    ("local_part", "dashboard", "heading"),
    [
        ("admin", "/admin", "School Admin dashboard"),
        ("teacher", "/teacher", "Teacher dashboard"),
        ("student", "/student", "Student dashboard"),
        ("parent", "/parent", "Parent dashboard"),
        ("staff", "/staff", "Staff dashboard"),
    ],
)
def test_each_role_lands_on_its_dashboard(
    running_app: RunningApp, page: Page, local_part: str, dashboard: str, heading: str
) -> None:
    sign_in(page, running_app, SCHOOL, f"{local_part}@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, dashboard))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # The profile card names who is signed in (the admin's recent activity may name them too).
    expect(page.get_by_role("definition").filter(has_text=f"{local_part}@{SCHOOL}.test")).to_be_visible()
    cards, shown = CARDS[local_part]
    for card in cards:
        expect(page.get_by_role("heading", level=2, name=card, exact=True)).to_be_visible()
    expect(page.get_by_text(shown).first).to_be_visible()


def test_the_admins_dashboard_shows_the_sign_in_it_just_made(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    activity = page.get_by_role("table", name="Recent activity")
    expect(activity.get_by_role("row").nth(1)).to_contain_text(f"admin@{SCHOOL}.test")
    expect(activity.get_by_role("row").nth(1)).to_contain_text("Signed in")
    page.get_by_role("link", name="Audit log", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")


def test_a_parents_dashboard_shows_each_childs_published_marks(running_app: RunningApp, page: Page) -> None:
    """Bulawayo High's demo children are in Form 1 (graded; Harare Primary's are in ECD, reported in words)."""
    school = "bulawayo-high"
    sign_in(page, running_app, school, f"parent@{school}.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Parent dashboard")
    marks = page.get_by_role("table", name=re.compile("^Marks of "))
    expect(marks).to_have_count(2)
    for table in (marks.first, marks.last):
        expect(table.get_by_role("row").nth(1)).to_contain_text(re.compile(r"\d+%"))
    expect(page.get_by_role("heading", level=3, name=re.compile(r"Form 1 (Blue|Green)"))).to_have_count(2)  # next lessons, per child's class


def test_wrong_password_is_refused_with_a_message(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"student@{SCHOOL}.test", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect.")
    expect(page).to_have_url(running_app.at(SCHOOL, "/login"))


def test_teacher_typing_an_admin_url_is_redirected(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"teacher@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
    page.goto(running_app.url(SCHOOL, "/admin/users"))
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
    expect(page.get_by_text("You do not have access to that page.")).to_be_visible()
    page.goto(running_app.url(SCHOOL, "/admin"))
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))


def test_signed_out_visitor_is_sent_to_login_and_back(running_app: RunningApp, page: Page) -> None:
    page.goto(running_app.url(SCHOOL, "/admin"))
    expect(page).to_have_url(re.compile(r"/login/?\?next=/admin/?$"))
    page.get_by_label("Email").fill(f"admin@{SCHOOL}.test")
    page.get_by_label("Password").fill("oneclass-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))


def test_sign_out_then_back_button_shows_login(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"parent@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/parent"))
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(running_app.at(SCHOOL, "/login"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text(f"parent@{SCHOOL}.test")).to_have_count(0)


def test_a_schools_sign_in_does_not_carry_to_another_school(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
    page.goto(running_app.url("bulawayo-high", "/admin"))
    expect(page).to_have_url(re.compile(r"bulawayo-high\.localhost:\d+/login"))


def test_super_admin_signs_in_at_the_root_domain(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, "", "root@oneclass.test")
    expect(page).to_have_url(running_app.at("", "/platform"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform dashboard")


def test_staff_member_turns_on_two_step_sign_in(running_app: RunningApp, page: Page) -> None:
    school = "bulawayo-high"
    email = running_app.make_account(school, Role.staff).email  # not the demo staff member: this one keeps the code
    sign_in(page, running_app, school, email)
    expect(page).to_have_url(running_app.at(school, "/staff"))
    page.get_by_role("link", name="Sign-in security").first.click()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("code").first.inner_text().replace(" ", "")
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("Recovery codes")).to_be_visible()
    recovery_code = page.locator("code").first.inner_text()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(running_app.at(school, "/login"))
    # Password alone is not enough now; the form asks for the code.
    sign_in(page, running_app, school, email)
    page.get_by_label("Authentication code").fill(recovery_code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(running_app.at(school, "/staff"))


def test_student_changes_password(running_app: RunningApp, page: Page) -> None:
    school = "bulawayo-high"
    email = running_app.make_account(school, Role.student).email  # the demo student keeps the README's password
    sign_in(page, running_app, school, email)
    expect(page).to_have_url(running_app.at(school, "/student"))
    page.goto(running_app.url(school, "/account/password"))
    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("password123")
    page.get_by_label("Repeat new password").fill("password123")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("too common")
    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("kumusha-kwedu-2026")
    page.get_by_label("Repeat new password").fill("kumusha-kwedu-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, running_app, school, email, password="kumusha-kwedu-2026")
    expect(page).to_have_url(running_app.at(school, "/student"))


def test_the_sign_in_card_has_its_own_labelled_language_picker(running_app: RunningApp, page: Page) -> None:
    """Besides the top bar's: a reader who cannot read English finds the word beside it."""
    page.goto(running_app.url(SCHOOL, "/login"))
    card_picker = page.locator("#login-language")
    expect(card_picker).to_contain_text("Language")
    card_picker.get_by_role("combobox").click()
    page.get_by_role("option", name="chiShona").click()
    expect(page.locator("html")).to_have_attribute("lang", "sn")
