"""Student records in the browser: the admin's list, search, profile and exports; admitting a
student whose guardian then signs in with the one-time link; a teacher sees only their classes."""

import csv
import io
import re
import uuid

import openpyxl
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from oneclass import routes
from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"
ADMIN = f"admin@{SCHOOL}.test"
TEACHER = f"teacher@{SCHOOL}.test"
TOTAL = re.compile(r"^(\d+) students$")


def open_students(page: Page, app: RunningApp, email: str) -> Locator:
    sign_in(page, app, SCHOOL, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Students").click()
    expect(page).to_have_url(app.at(SCHOOL, routes.STUDENTS))
    expect(page.get_by_role("heading", level=1)).to_have_text("Students")
    table = page.get_by_role("table", name="Students")
    expect(table).to_be_visible()
    return table


def total_shown(page: Page) -> int:
    text = page.get_by_text(TOTAL).inner_text()
    match = TOTAL.match(text)
    assert match, text
    return int(match.group(1))


def class_names(page: Page) -> list[str]:
    """The choices of the class filter (a user sees only the classes they may see)."""
    page.get_by_label("Filter by class").click()
    names = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [name for name in names if name != "All classes"]


def test_admin_searches_opens_a_profile_and_exports_every_page(running_app: RunningApp, page: Page) -> None:
    table = open_students(page, running_app, ADMIN)
    total = total_shown(page)
    assert total >= 300  # the demo school, and whatever other tests added
    expect(table.get_by_role("rowheader")).to_have_count(50)
    expect(page.get_by_text(f"Page 1 of {-(-total // 50)}")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(f"Page 2 of {-(-total // 50)}")).to_be_visible()

    # Both exports hold the whole list, not the page on screen.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Admission no.", "Name", "Class", "Gender", "Date of birth", "Status"]
    assert len(rows) - 1 == total
    with page.expect_download() as download:
        page.get_by_role("button", name="Export Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))["Students"]
    assert sheet.max_row - 1 == total
    first = next(row for row in rows[1:] if row[0] == "20260007")

    page.get_by_label("Search students").fill("20260007")
    expect(table.get_by_role("rowheader")).to_have_count(1)
    expect(page.get_by_text("Page 1 of 1")).to_be_visible()
    table.get_by_role("link", name=first[1]).click()
    expect(page).to_have_url(re.compile(r"/students/[0-9a-f-]{36}/?$"))
    expect(page.get_by_role("heading", name=first[1])).to_be_visible()
    expect(page.get_by_text("Admission no. 20260007")).to_be_visible()
    expect(page.get_by_role("heading", name="Medical and emergency")).to_be_visible()
    expect(page.get_by_role("table", name="Emergency contacts").get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("table", name="Guardians").get_by_role("rowheader")).to_have_count(1)
    expect(page.get_by_role("table", name="Status history")).to_contain_text("Admitted")

    page.get_by_role("link", name="All students").first.click()
    page.get_by_label("Search students").fill("nobody-by-this-name")
    expect(page.get_by_text("No students match")).to_be_visible()


def test_admission_gives_the_guardian_a_login_that_shows_the_child(
    running_app: RunningApp, page: Page, browser: Browser
) -> None:
    table = open_students(page, running_app, ADMIN)
    tag = uuid.uuid4().hex[:6]
    admission, email, phone = f"E2E-{tag}", f"mai.{tag}@example.com", f"077{uuid.uuid4().int % 10**7:07d}"
    password = f"msasa-kopje-{tag}"

    page.get_by_role("button", name="Add student").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Admission number").fill(admission)
    dialog.get_by_label("First name").fill("Rudo")
    dialog.get_by_label("Last name").fill(f"Chari{tag}")
    dialog.get_by_label("Date of birth").fill("2016-05-04")
    dialog.get_by_label("Gender").click()
    page.get_by_role("option", name="Female", exact=True).click()
    dialog.get_by_label("Guardian's full name").fill("Mai Rudo")
    dialog.get_by_label("Relationship", exact=True).fill("Mother")
    dialog.get_by_label("Guardian's phone").fill("12345")
    dialog.get_by_label("Guardian's email (optional)").fill(email)
    dialog.get_by_label("Class", exact=True).click()
    page.get_by_role("option", name="Grade 3", exact=True).click()
    dialog.get_by_role("button", name="Add student").click()
    expect(dialog.get_by_text("Enter a Zimbabwean number")).to_be_visible()  # beside the field

    dialog.get_by_label("Guardian's phone").fill(phone)
    dialog.get_by_role("button", name="Add student").click()
    links = page.get_by_role("dialog")
    expect(links).to_contain_text("Parent login for Mai Rudo")
    expect(links).to_contain_text("It works once")
    link = links.get_by_label("Set-password link").input_value()
    assert link.startswith(running_app.url(SCHOOL, "/reset-password?token="))
    links.get_by_role("button", name="Done").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_label("Search students").fill(admission)
    expect(table.get_by_role("row").filter(has_text=admission)).to_contain_text("Grade 3")

    guardian = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        guardian.goto(link)
        guardian.get_by_label("New password", exact=True).fill(password)
        guardian.get_by_label("Repeat new password").fill(password)
        guardian.get_by_role("button", name="Set password").click()
        expect(guardian.get_by_text("Your new password is set.")).to_be_visible()
        sign_in(guardian, running_app, SCHOOL, email, password)
        expect(guardian).to_have_url(running_app.at(SCHOOL, routes.dashboard_for("parent")))
        guardian.goto(running_app.url(SCHOOL, routes.MY_CHILDREN))
        expect(guardian.get_by_role("heading", name=f"Rudo Chari{tag}")).to_be_visible()
        # The staff list is not theirs to open.
        guardian.goto(running_app.url(SCHOOL, routes.STUDENTS))
        expect(guardian).to_have_url(running_app.at(SCHOOL, routes.dashboard_for("parent")))
    finally:
        guardian.context.close()


def test_teacher_sees_only_their_classes_students(running_app: RunningApp, page: Page, browser: Browser) -> None:
    teacher_table = open_students(page, running_app, TEACHER)
    expect(teacher_table.get_by_role("rowheader").first).to_be_visible()
    mine = total_shown(page)
    taught = class_names(page)
    assert taught
    expect(page.get_by_role("button", name="Add student")).to_have_count(0)
    expect(page.get_by_role("button", name="Export CSV")).to_have_count(0)

    admin = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        admin_table = open_students(admin, running_app, ADMIN)
        assert total_shown(admin) > mine
        other = next(name for name in class_names(admin) if name not in taught)
        admin.get_by_label("Filter by class").click()
        admin.get_by_role("option", name=other, exact=True).click()
        expect(admin_table.get_by_role("row").nth(1)).to_contain_text(other)
        href = admin_table.get_by_role("link").first.get_attribute("href")
    finally:
        admin.context.close()
    assert href and href.startswith("/students/")

    page.goto(running_app.url(SCHOOL, href))
    expect(page.get_by_role("heading", name="Student not found")).to_be_visible()
    expect(page.get_by_role("heading", name="Medical and emergency")).to_have_count(0)
